/* alerts.c: eas-watch alerts: past alert and eom entries of the stream, filtered, as readable lines
 * with county names or as the original JSON; -f follows live (blocking reads, reconnecting). */
#include "alerts.h"
#include "backoff.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "fips.h"
#include "lines.h"
#include "log.h"
#include "redis.h"
#include "signals.h"
#include "timeutil.h"

#define PAGE 500 /* entries per XRANGE / XREVRANGE */

static void copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int watch_alert_from_entry(const redisReply *e, struct watch_alert *a)
{
	/* field by field: the struct is 2 KiB, mostly buffers, and pages of 1,000 are read */
	a->stream_id[0] = a->id[0] = a->source[0] = a->heard[0] = '\0';
	a->issued[0] = a->expires[0] = '\0';
	a->type = 'O';
	a->time_ms = a->issued_ms = a->expires_ms = 0;
	a->has_header = false;
	a->json = NULL;
	a->jsonlen = 0;
	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
	    e->element[0]->type != REDIS_REPLY_STRING)
		return -1;
	copy(a->stream_id, sizeof a->stream_id, e->element[0]->str, e->element[0]->len);
	const redisReply *kv = e->element[1];
	for (size_t i = 0; kv->type == REDIS_REPLY_ARRAY && i + 1 < kv->elements; i += 2) {
		const redisReply *f = kv->element[i], *v = kv->element[i + 1];
		if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
			continue;
		if (!strcmp(f->str, EAS_STREAM_F_JSON)) {
			a->json = v->str;
			a->jsonlen = v->len;
		} else if (!strcmp(f->str, EAS_STREAM_F_SOURCE)) {
			copy(a->source, sizeof a->source, v->str, v->len);
		}
	}
	if (!a->json)
		return -1;
	char type[16] = "", raw[SAME_HEADER_MAX + 1] = "";
	struct eas_field f[] = {
	    {EAS_LF_TYPE, EAS_FIELD_STR, type, sizeof type, 0, 0},
	    {EAS_LF_ID, EAS_FIELD_STR, a->id, sizeof a->id, 0, 0},
	    {EAS_LF_RAW, EAS_FIELD_STR, raw, sizeof raw, 0, 0},
	    {EAS_LF_TIME, EAS_FIELD_TIME, &a->time_ms, 0, 0, 0},
	    {EAS_LF_ISSUED, EAS_FIELD_STR, a->issued, sizeof a->issued, 0, 0},
	    {EAS_LF_EXPIRES, EAS_FIELD_STR, a->expires, sizeof a->expires, 0, 0},
	    {EAS_LF_SOURCE, EAS_FIELD_STR, a->source[0] ? NULL : a->source, sizeof a->source, 0, 0},
	};
	int nf = (int)(sizeof f / sizeof f[0]) - (a->source[0] ? 1 : 0);
	char err[200];
	if (eas_line_read(a->json, a->jsonlen, f, nf, err, sizeof err) != EAS_LINE_OK)
		return -1;
	a->type = !strcmp(type, EAS_LT_ALERT) ? 'A' : !strcmp(type, EAS_LT_EOM) ? 'E' : 'O';
	if (a->issued[0] && eas_parse_time(a->issued, &a->issued_ms) < 0)
		a->issued_ms = 0;
	if (a->expires[0] && eas_parse_time(a->expires, &a->expires_ms) < 0)
		a->expires_ms = 0;
	if (raw[0] && same_header_parse(raw, strlen(raw), SAME_PARSE_RECEIVED, &a->h, NULL, 0) == 0)
		a->has_header = true;
	snprintf(a->heard, sizeof a->heard, "%s", a->source);
	return 0;
}

/* Is WORD (N bytes) in the comma-separated LIST? */
static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == n && !strncasecmp(p, word, n))
			return true;
		if (!c)
			break;
		p = c + 1;
	}
	return false;
}

/* Does one --fips pattern PAT (L bytes) cover location CODE (6 digits)? */
static bool fips_one(const char *pat, size_t l, const char *code)
{
	if (l && pat[l - 1] == '*') /* prefix match on the code as written */
		return l - 1 <= 6 && !strncmp(pat, code, l - 1);
	if (l != 6)
		return false;
	if (!strncmp(code + 1, "00000", 5)) /* the whole country */
		return true;
	if (strncmp(pat + 1, code + 1, 2)) /* another state */
		return false;
	if (strncmp(code + 3, "000", 3) && strncmp(pat + 3, code + 3, 3)) /* another county */
		return false;
	/* the same county (or the whole state): parts must agree unless either is the whole */
	return pat[0] == '0' || code[0] == '0' || pat[0] == code[0];
}

bool watch_fips_match(const char *list, const char *code)
{
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (fips_one(p, l, code))
			return true;
		if (!c)
			break;
		p = c + 1;
	}
	return false;
}

bool watch_alert_match(const struct watch_opts *o, const struct watch_alert *a, int64_t now_ms)
{
	bool filtered = o->events || o->fips || o->active;
	if (a->type != 'A' && (filtered || a->type != 'E'))
		return false;
	if (o->nsources) {
		bool any = false;
		for (int i = 0; i < o->nsources && !any; i++) {
			size_t n = strlen(o->sources[i]);
			for (const char *p = a->heard; *p && !any;) {
				const char *sp = strchr(p, ' ');
				size_t l = sp ? (size_t)(sp - p) : strlen(p);
				any = l == n && !strncmp(p, o->sources[i], n);
				p = sp ? sp + 1 : p + l;
			}
		}
		if (!any)
			return false;
	}
	if (a->type != 'A')
		return true;
	if (o->events && (!a->has_header || !in_list(o->events, a->h.event)))
		return false;
	if (o->fips) {
		bool any = false;
		for (int i = 0; a->has_header && i < a->h.nloc && !any; i++)
			any = watch_fips_match(o->fips, a->h.loc[i].code);
		if (!any)
			return false;
	}
	if (o->active && !(a->expires_ms > now_ms))
		return false;
	return true;
}

int watch_alert_heard(redisContext *c, const struct eas_keys *k, struct watch_alert *a)
{
	char heard[EAS_KEY_MAX];
	if (a->type != 'A' || !a->id[0] ||
	    eas_key(k, EAS_KEY_HEARD, a->id, heard, sizeof heard) < 0)
		return 0;
	redisReply *r = redisCommand(c, "SMEMBERS %s", heard);
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_ARRAY && r->elements) {
		size_t used = 0;
		a->heard[0] = '\0';
		for (size_t i = 0; i < r->elements; i++) {
			const redisReply *m = r->element[i];
			if (m->type != REDIS_REPLY_STRING || used + m->len + 2 > sizeof a->heard)
				continue;
			used += (size_t)snprintf(a->heard + used, sizeof a->heard - used, "%s%s",
			                         used ? " " : "", m->str);
		}
	}
	freeReplyObject(r);
	return 0;
}

void watch_alert_counties(const struct watch_alert *a, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < a->h.nloc && used < len - 1; i++) {
		const struct same_location *l = &a->h.loc[i];
		const struct eas_fips_county *c = eas_fips_county(l->state, l->county);
		const char *sname = eas_fips_state_name(l->state),
		           *st = eas_fips_state_abbr(l->state);
		char one[160];
		if (l->state == 0)
			snprintf(one, sizeof one, "the whole United States");
		else if (l->county == 0)
			snprintf(one, sizeof one, "all of %s", sname ? sname : l->code);
		else if (c)
			snprintf(one, sizeof one, "%s%s%s, %s",
			         l->part ? same_part_name(l->part) : "", l->part ? " " : "",
			         c->name, c->st);
		else
			snprintf(one, sizeof one, "%s (%s)", l->code, st ? st : "?");
		int n = snprintf(buf + used, len - used, "%s%s", used ? "; " : "", one);
		if (n > 0)
			used += (size_t)n;
	}
}

/* Print A as one readable line (or its JSON). */
static void print_alert(const struct watch_opts *o, const struct watch_alert *a, int64_t now_ms)
{
	if (o->json) {
		fwrite(a->json, 1, a->jsonlen, stdout);
		putchar('\n');
		fflush(stdout);
		return;
	}
	char t[32], ex[32], where[2048], left[48], dur[24];
	int64_t ms = a->time_ms;
	if (!ms)
		ms = strtoll(a->stream_id, NULL, 10);
	eas_rfc3339_ms(ms, t, sizeof t);
	if (a->type == 'E') {
		printf("%.19sZ  EOM  heard by %s\n", t, a->heard);
	} else if (!a->has_header) {
		printf("%.19sZ  alert %s (header not readable)  heard by %s\n", t, a->id, a->heard);
	} else {
		const char *name = same_event_name(a->h.event);
		const char *org = same_originator_name(a->h.originator);
		watch_alert_counties(a, where, sizeof where);
		if (a->expires_ms) {
			eas_rfc3339_ms(a->expires_ms, ex, sizeof ex);
			if (a->expires_ms > now_ms)
				snprintf(left, sizeof left, "active, %s left",
				         watch_ago((double)(a->expires_ms - now_ms) / 1000, dur,
				                   sizeof dur));
			else
				snprintf(left, sizeof left, "expired");
		} else {
			snprintf(ex, sizeof ex, "?");
			snprintf(left, sizeof left, "expiry unknown");
		}
		printf("%.19sZ  %s (%s)  from %s (%s)  %s  until %.16sZ (%s)  heard by %s  id %s\n",
		       t, name ? name : "Unknown event", a->h.event, org ? org : a->h.originator,
		       a->h.sender, where, ex, left, a->heard, a->id);
	}
	fflush(stdout);
}

/* Is S a stream id: "MS-SEQ", or digits long enough to be epoch milliseconds (a shorter
 * number is epoch seconds, a time)? */
static bool is_stream_id(const char *s)
{
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '\0')
		return p - s >= 13;
	if (*p++ != '-' || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0';
}

/* --since as an XRANGE start: a stream id as given, a time as its ms.  -1 when neither. */
static int since_id(const char *since, char *buf, size_t len)
{
	int64_t ms;
	if (is_stream_id(since)) {
		snprintf(buf, len, "%s", since);
		return 0;
	}
	if (eas_parse_time(since, &ms) < 0)
		return -1;
	snprintf(buf, len, "%lld", (long long)ms);
	return 0;
}

/* Handle one entry: parse, who heard it, filter, print.  -1 on a Redis error. */
static int one(redisContext *c, const struct watch_opts *o, const redisReply *e, int64_t now,
               bool print)
{
	struct watch_alert a;
	if (watch_alert_from_entry(e, &a) < 0)
		return 0;
	if (watch_alert_heard(c, &o->keys, &a) < 0)
		return -1;
	if (!watch_alert_match(o, &a, now))
		return 0;
	if (print)
		print_alert(o, &a, now);
	return 1;
}

/* Past entries: from --since on (all of them, page by page), else the newest --count that
 * pass the filters, oldest first.  LAST gets the newest id seen ("0" when none). */
static int past(redisContext *c, const struct watch_opts *o, char *last, size_t lastlen)
{
	int64_t now = eas_now_ms();
	redisReply *r;
	if (o->since) {
		char start[64];
		since_id(o->since, start, sizeof start); /* checked by the caller */
		snprintf(last, lastlen, "%s", start);
		bool first = true;
		for (;;) {
			r = redisCommand(c, "XRANGE %s %s%s + COUNT %d", o->keys.alerts,
			                 first ? "" : "(", last, PAGE);
			first = false;
			if (!r || r->type != REDIS_REPLY_ARRAY)
				break;
			for (size_t i = 0; i < r->elements; i++) {
				if (one(c, o, r->element[i], now, true) < 0)
					goto fail;
				snprintf(last, lastlen, "%s", r->element[i]->element[0]->str);
			}
			size_t n = r->elements;
			freeReplyObject(r);
			if (n < PAGE)
				return EAS_EXIT_OK;
		}
		goto fail;
	}
	/* newest first, until --count matched; then print them oldest first */
	redisReply **keep = calloc((size_t)o->count, sizeof *keep);
	size_t *idx = calloc((size_t)o->count, sizeof *idx);
	long nk = 0;
	char before[64] = "+";
	snprintf(last, lastlen, "0");
	bool top = true, ok = true;
	while (keep && idx && nk < o->count) {
		r = redisCommand(c, "XREVRANGE %s %s - COUNT %d", o->keys.alerts, before, PAGE);
		if (!r || r->type != REDIS_REPLY_ARRAY) {
			ok = false;
			freeReplyObject(r);
			break;
		}
		size_t n = r->elements;
		if (top && n)
			snprintf(last, lastlen, "%s", r->element[0]->element[0]->str);
		top = false;
		bool held = false;
		for (size_t i = 0; i < n && nk < o->count; i++) {
			int m = one(c, o, r->element[i], now, false);
			if (m < 0) {
				ok = false;
				break;
			}
			if (m) {
				keep[nk] = r;
				idx[nk++] = i;
				held = true;
			}
		}
		if (n)
			snprintf(before, sizeof before, "(%s", r->element[n - 1]->element[0]->str);
		if (!held)
			freeReplyObject(r);
		if (!ok || n < PAGE)
			break;
	}
	for (long i = nk - 1; ok && i >= 0; i--)
		one(c, o, keep[i]->element[idx[i]], now, true);
	for (long i = 0; i < nk; i++)
		if (i == nk - 1 || keep[i] != keep[i + 1])
			freeReplyObject(keep[i]);
	free(keep);
	free(idx);
	if (ok)
		return EAS_EXIT_OK;
fail:
	log_error("redis: %s", c->err ? c->errstr : "unexpected reply");
	return EAS_EXIT_FAIL;
}

/* Follow: XREAD BLOCK from LAST on, reconnecting with backoff, until SIGINT/SIGTERM. */
static int follow(redisContext *c, const struct watch_opts *o, char *last, size_t lastlen)
{
	struct eas_backoff bo;
	eas_backoff_init(&bo, 100, 5000);
	int block = o->timeout_s >= 2 ? 1000 : (int)(o->timeout_s * 400);
	char err[300];
	bool down = false;
	while (!eas_sig_stop) {
		if (!c) {
			int64_t now = eas_mono_ms();
			if (!eas_backoff_due(&bo, now)) {
				usleep(50000);
				continue;
			}
			c = watch_connect(o, err, sizeof err);
			if (!c) {
				eas_backoff_fail(&bo, now);
				if (!down)
					log_warn("redis: %s; retrying", err);
				down = true;
				continue;
			}
			if (down)
				log_warn("redis: connected again");
			down = false;
			eas_backoff_reset(&bo);
		}
		redisReply *r = redisCommand(c, "XREAD COUNT %d BLOCK %d STREAMS %s %s", PAGE,
		                             block, o->keys.alerts, last);
		if (!r || (r->type != REDIS_REPLY_ARRAY && r->type != REDIS_REPLY_NIL)) {
			if (!down)
				log_warn(
				    "redis: %s; reconnecting",
				    r ? (r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply")
				      : c->errstr);
			down = true;
			freeReplyObject(r);
			redisFree(c);
			c = NULL;
			eas_backoff_fail(&bo, eas_mono_ms());
			continue;
		}
		int64_t now = eas_now_ms();
		for (size_t s = 0; r->type == REDIS_REPLY_ARRAY && s < r->elements; s++) {
			const redisReply *entries = r->element[s]->element[1];
			for (size_t i = 0; i < entries->elements; i++) {
				if (one(c, o, entries->element[i], now, true) < 0)
					break;
				snprintf(last, lastlen, "%s", entries->element[i]->element[0]->str);
			}
		}
		freeReplyObject(r);
		if (ferror(stdout))
			break;
	}
	if (c)
		redisFree(c);
	return ferror(stdout) ? EAS_EXIT_FAIL : EAS_EXIT_OK;
}

int watch_alerts(const struct watch_opts *o)
{
	char start[64] = "$";
	if (o->since && since_id(o->since, start, sizeof start) < 0) {
		log_error("--since: not a time or a stream id: %s", o->since);
		return EAS_EXIT_USAGE;
	}
	eas_signals_install(false);
	if (o->exec)
		return watch_hook_run(o, start);
	char err[300], last[64];
	redisContext *c = watch_connect(o, err, sizeof err);
	if (!c) {
		log_error("redis: %s", err);
		return EAS_EXIT_TIMEOUT;
	}
	int rc = past(c, o, last, sizeof last);
	if (rc != EAS_EXIT_OK || !o->follow) {
		redisFree(c);
		if (rc == EAS_EXIT_OK && (fflush(stdout) != 0 || ferror(stdout)))
			rc = EAS_EXIT_FAIL;
		return rc;
	}
	return follow(c, o, last, sizeof last);
}
