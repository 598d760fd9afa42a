/* state.c: reads the station's state from Redis into a struct watch_state in a few pipelined,
 * bounded round trips (sources, heartbeats, status lines, last-event hashes, listeners,
 * counters), for every subcommand that shows it (check, status, prometheus, html). */
#include "state.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "log.h"

#define SCAN_ROUNDS 64 /* SCAN calls at most when looking for live listeners */

double watch_source_age(const struct watch_source *src, int64_t now_ms)
{
	double t = -1;
	if (src->has_hb)
		t = (double)src->hb_s;
	else if (src->has_status && src->status_ms > 0)
		t = (double)src->status_ms / 1000;
	if (t < 0)
		return -1;
	double age = (double)now_ms / 1000 - t;
	return age < 0 ? 0 : age;
}

int watch_source_status(struct watch_source *src, const char *json, size_t len)
{
	int64_t time_ms = 0, spool_bytes = 0;
	double rms = NAN, peak = NAN, silence_s = NAN;
	bool silence = false, clipping = false;
	struct eas_field f[] = {
	    {EAS_LF_TIME, EAS_FIELD_TIME, &time_ms, 0, 0, 0},
	    {EAS_LF_RMS_DBFS, EAS_FIELD_NUM, &rms, 0, 0, 0},
	    {EAS_LF_PEAK_DBFS, EAS_FIELD_NUM, &peak, 0, 0, 0},
	    {EAS_LF_SILENCE, EAS_FIELD_BOOL, &silence, 0, 0, 0},
	    {EAS_LF_SILENCE_S, EAS_FIELD_NUM, &silence_s, 0, 0, 0},
	    {EAS_LF_CLIPPING, EAS_FIELD_BOOL, &clipping, 0, 0, 0},
	    {EAS_LF_SPOOL_BYTES, EAS_FIELD_INT, &spool_bytes, 0, 0, 0},
	};
	char err[200];
	if (eas_line_read(json, len, f, (int)(sizeof f / sizeof f[0]), err, sizeof err) !=
	    EAS_LINE_OK)
		return -1;
	src->has_status = true;
	src->status_ms = f[0].state == EAS_FIELD_OK ? time_ms : 0;
	src->rms_dbfs = f[1].state == EAS_FIELD_OK ? rms : NAN;
	src->peak_dbfs = f[2].state == EAS_FIELD_OK ? peak : NAN;
	src->silence = f[3].state == EAS_FIELD_OK ? silence : -1;
	src->silence_s = f[4].state == EAS_FIELD_OK ? silence_s : NAN;
	src->clipping = f[5].state == EAS_FIELD_OK ? clipping : -1;
	src->spool_bytes = f[6].state == EAS_FIELD_OK ? spool_bytes : -1;
	return 0;
}

static void src_init(struct watch_source *s, const char *name, size_t len, bool configured)
{
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%.*s", (int)len, name);
	s->configured = configured;
	s->rms_dbfs = s->peak_dbfs = s->silence_s = NAN;
	s->silence = s->clipping = -1;
	s->spool_bytes = -1;
}

/* The source named NAME, or NULL. */
static struct watch_source *src_find(struct watch_state *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->nsrc; i++)
		if (strlen(s->src[i].name) == len && !memcmp(s->src[i].name, name, len))
			return &s->src[i];
	return NULL;
}

/* Add NAME unless it is there (or too long, or the table is full); returns it or NULL. */
static struct watch_source *src_add(struct watch_state *s, const char *name, size_t len,
                                    bool configured)
{
	if (len == 0 || len > WATCH_NAME_MAX)
		return NULL;
	struct watch_source *e = src_find(s, name, len);
	if (e) {
		e->configured |= configured;
		return e;
	}
	if (s->nsrc == WATCH_MAX_SOURCES) {
		s->truncated = true;
		return NULL;
	}
	src_init(&s->src[s->nsrc], name, len, configured);
	return &s->src[s->nsrc++];
}

static int cmp_src(const void *a, const void *b)
{
	return strcmp(((const struct watch_source *)a)->name,
	              ((const struct watch_source *)b)->name);
}

static int cmp_ev(const void *a, const void *b)
{
	int64_t x = ((const struct watch_event *)a)->s, y = ((const struct watch_event *)b)->s;
	return x < y ? 1 : x > y ? -1 : 0;
}

static int fail(struct watch_state *s, redisContext *c, const char *what)
{
	s->up = false;
	snprintf(s->err, sizeof s->err, "%s: %s", what, c->err ? c->errstr : "unexpected reply");
	return -1;
}

/* Get the next reply; NULL (and S marked down) on an I/O error or timeout. */
static redisReply *next(redisContext *c, struct watch_state *s, const char *what)
{
	void *r = NULL;
	if (redisGetReply(c, &r) != REDIS_OK || !r) {
		fail(s, c, what);
		return NULL;
	}
	return r;
}

static bool is_int(const redisReply *r, long long *v)
{
	if (r->type == REDIS_REPLY_INTEGER) {
		*v = r->integer;
		return true;
	}
	if (r->type != REDIS_REPLY_STRING || r->len == 0 || r->len > 20)
		return false;
	char *end, buf[24];
	memcpy(buf, r->str, r->len);
	buf[r->len] = '\0';
	*v = strtoll(buf, &end, 10);
	return *end == '\0';
}

/* Fill a counter table from an HGETALL reply. */
static void counts(const redisReply *r, struct watch_count *out, size_t *n)
{
	*n = 0;
	if (r->type != REDIS_REPLY_ARRAY)
		return;
	for (size_t i = 0; i + 1 < r->elements && *n < WATCH_MAX_COUNTS; i += 2) {
		long long v;
		const redisReply *k = r->element[i];
		if (k->type != REDIS_REPLY_STRING || !is_int(r->element[i + 1], &v) ||
		    k->len >= sizeof out->name)
			continue;
		memcpy(out[*n].name, k->str, k->len);
		out[*n].name[k->len] = '\0';
		out[*n].n = v;
		(*n)++;
	}
}

/* The names: --source, else the sources hash; every source with a status line is added (as
 * expected too when nothing names the expected ones). */
static int read_sources(redisContext *c, const struct eas_keys *k, const struct watch_query *q,
                        struct watch_state *s)
{
	for (int i = 0; i < q->nsources; i++)
		src_add(s, q->sources[i], strlen(q->sources[i]), true);
	if (!q->nsources)
		redisAppendCommand(c, "HKEYS %s", k->sources);
	redisAppendCommand(c, "HGETALL %s", k->metrics);
	redisReply *r;
	if (!q->nsources) {
		if (!(r = next(c, s, "HKEYS")))
			return -1;
		for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
			if (r->element[i]->type == REDIS_REPLY_STRING)
				src_add(s, r->element[i]->str, r->element[i]->len, true);
		freeReplyObject(r);
	}
	bool none_named = s->nsrc == 0;
	if (!(r = next(c, s, "HGETALL")))
		return -1;
	for (size_t i = 0; (r->type == REDIS_REPLY_ARRAY) && i + 1 < r->elements; i += 2) {
		const redisReply *f = r->element[i], *v = r->element[i + 1];
		if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING ||
		    (f->len && f->str[0] == '_')) /* "_heartbeat" and other bookkeeping */
			continue;
		struct watch_source *e = q->nsources ? src_find(s, f->str, f->len)
		                                     : src_add(s, f->str, f->len, none_named);
		if (e)
			watch_source_status(e, v->str, v->len);
	}
	freeReplyObject(r);
	return 0;
}

/* Per source: heartbeat and last-event hash, pipelined. */
static int read_per_source(redisContext *c, const struct eas_keys *k, struct watch_state *s)
{
	char key[EAS_KEY_MAX];
	for (size_t i = 0; i < s->nsrc; i++) {
		eas_key(k, EAS_KEY_HEARTBEAT, s->src[i].name, key, sizeof key);
		redisAppendCommand(c, "GET %s", key);
		eas_key(k, EAS_KEY_LAST, s->src[i].name, key, sizeof key);
		redisAppendCommand(c, "HGETALL %s", key);
	}
	for (size_t i = 0; i < s->nsrc; i++) {
		struct watch_source *e = &s->src[i];
		redisReply *r = next(c, s, "GET heartbeat");
		if (!r)
			return -1;
		long long v;
		if (is_int(r, &v)) {
			e->has_hb = true;
			e->hb_s = v;
		}
		freeReplyObject(r);
		if (!(r = next(c, s, "HGETALL last")))
			return -1;
		struct watch_event all[64];
		size_t n = 0;
		for (size_t j = 0; (r->type == REDIS_REPLY_ARRAY) && j + 1 < r->elements && n < 64;
		     j += 2) {
			const redisReply *f = r->element[j];
			if (f->type != REDIS_REPLY_STRING || f->len == 0 ||
			    f->len >= sizeof all[n].code || !is_int(r->element[j + 1], &v))
				continue;
			memcpy(all[n].code, f->str, f->len);
			all[n].code[f->len] = '\0';
			all[n].s = v;
			n++;
		}
		freeReplyObject(r);
		qsort(all, n, sizeof all[0], cmp_ev);
		e->nevents = n < WATCH_MAX_EVENTS ? (int)n : WATCH_MAX_EVENTS;
		memcpy(e->ev, all, (size_t)e->nevents * sizeof all[0]);
		if (n) {
			e->last_alert_s = all[0].s;
			snprintf(e->last_event, sizeof e->last_event, "%s", all[0].code);
		}
		for (size_t j = 0; j < n; j++)
			if (!strcmp(all[j].code, "RWT")) {
				e->last_rwt_s = all[j].s;
				break;
			}
	}
	return 0;
}

static struct watch_listener *lst_add(struct watch_state *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->nlst; i++)
		if (strlen(s->lst[i].name) == len && !memcmp(s->lst[i].name, name, len))
			return &s->lst[i];
	if (s->nlst == WATCH_MAX_LISTEN || len == 0 || len > WATCH_NAME_MAX)
		return NULL;
	struct watch_listener *l = &s->lst[s->nlst++];
	memset(l, 0, sizeof *l);
	snprintf(l->name, sizeof l->name, "%.*s", (int)len, name);
	l->ttl_s = -1;
	return l;
}

/* Expected listeners (TTL of each key), and the live ones a bounded SCAN finds. */
static int read_listeners(redisContext *c, const struct eas_keys *k, const struct watch_query *q,
                          struct watch_state *s)
{
	char key[EAS_KEY_MAX], pattern[EAS_KEY_MAX];
	for (int i = 0; i < q->nlisteners; i++) {
		struct watch_listener *l = lst_add(s, q->listeners[i], strlen(q->listeners[i]));
		if (l)
			l->expected = true;
	}
	int plen = eas_key(k, EAS_KEY_LISTENER, "*", pattern, sizeof pattern);
	if (plen <= 0)
		return 0;
	if (!q->scan_listeners)
		goto ttl;
	size_t skip = (size_t)plen - 1; /* the key's name starts after the pattern's '*' */
	char cursor[32] = "0";
	for (int round = 0; round < SCAN_ROUNDS; round++) {
		redisReply *r = redisCommand(c, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
		if (!r)
			return fail(s, c, "SCAN");
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING) {
			freeReplyObject(r);
			break;
		}
		snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
		const redisReply *keys = r->element[1];
		for (size_t i = 0; keys->type == REDIS_REPLY_ARRAY && i < keys->elements; i++) {
			const redisReply *e = keys->element[i];
			if (e->type == REDIS_REPLY_STRING && e->len > skip)
				lst_add(s, e->str + skip, e->len - skip);
		}
		freeReplyObject(r);
		if (!strcmp(cursor, "0"))
			break;
	}
ttl:
	for (size_t i = 0; i < s->nlst; i++) {
		eas_key(k, EAS_KEY_LISTENER, s->lst[i].name, key, sizeof key);
		redisAppendCommand(c, "TTL %s", key);
	}
	for (size_t i = 0; i < s->nlst; i++) {
		redisReply *r = next(c, s, "TTL");
		if (!r)
			return -1;
		if (r->type == REDIS_REPLY_INTEGER && r->integer != -2) {
			s->lst[i].alive = true;
			s->lst[i].ttl_s = r->integer;
		}
		freeReplyObject(r);
	}
	return 0;
}

static int read_counts(redisContext *c, const struct eas_keys *k, struct watch_state *s)
{
	redisAppendCommand(c, "HGETALL %s", k->alert_counts);
	redisAppendCommand(c, "HGETALL %s", k->cmd_counters);
	redisAppendCommand(c, "XLEN %s", k->alerts);
	redisReply *r;
	if (!(r = next(c, s, "HGETALL")))
		return -1;
	counts(r, s->alert_counts, &s->nalert_counts);
	freeReplyObject(r);
	if (!(r = next(c, s, "HGETALL")))
		return -1;
	counts(r, s->cmd_counts, &s->ncmd_counts);
	freeReplyObject(r);
	if (!(r = next(c, s, "XLEN")))
		return -1;
	if (r->type == REDIS_REPLY_INTEGER)
		s->stream_len = r->integer;
	freeReplyObject(r);
	return 0;
}

int watch_state_read(redisContext *c, const struct eas_keys *k, const struct watch_query *q,
                     int64_t now_ms, struct watch_state *s)
{
	memset(s, 0, sizeof *s);
	s->now_ms = now_ms;
	s->stream_len = -1;
	s->src = calloc(WATCH_MAX_SOURCES, sizeof *s->src);
	s->lst = calloc(WATCH_MAX_LISTEN, sizeof *s->lst);
	if (!s->src || !s->lst) {
		snprintf(s->err, sizeof s->err, "out of memory");
		return -1;
	}
	s->up = true;
	if (read_sources(c, k, q, s) < 0 || read_per_source(c, k, s) < 0 ||
	    read_listeners(c, k, q, s) < 0 || (q->counts && read_counts(c, k, s) < 0))
		return -1;
	qsort(s->src, s->nsrc, sizeof *s->src, cmp_src);
	return 0;
}

void watch_state_free(struct watch_state *s)
{
	free(s->src);
	free(s->lst);
	s->src = NULL;
	s->lst = NULL;
	s->nsrc = s->nlst = 0;
}
