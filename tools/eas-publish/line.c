/* line.c: eas-publish's input validation (JSON lines per DESIGN.md) and spool record format. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl_parse.h>

#include "publish.h"
#include "same_header.h"
#include "timeutil.h"

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

int pub_source_check(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > SOURCE_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	return 0;
}

static int key_check(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > KEY_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '-' || c == '_' || c == '.' || c == ':'))
			return -1;
	}
	return 0;
}

/*
 * The input is checked with yajl's event parser: the whole line must be one
 * valid JSON object (strict RFC 8259, UTF-8 checked), and the handful of
 * top-level members eas-publish uses are captured on the way.  No tree is
 * built; that is what lets one process keep up with a busy Redis.
 */
enum { F_TYPE, F_SOURCE, F_TIME, F_ID, F_RAW, F_ISSUED, F_EXPIRES, F_OFFSET, F_PATH, NFIELDS };
static const char *const field_names[NFIELDS] = {"type",   "source",  "time",     "id",  "raw",
                                                 "issued", "expires", "offset_s", "path"};

#define FIELD_MAX 512 /* longer values are kept as "too long" */

enum { K_ABSENT = 0, K_STRING, K_NUMBER, K_NULL, K_OTHER };

struct field {
	char kind;
	bool toolong;
	size_t len;
	char val[FIELD_MAX + 1];
};

struct scan {
	int depth;
	int cur;         /* the top-level member whose value comes next, or -1 */
	bool not_object; /* the top-level value is not an object */
	struct field f[NFIELDS];
};

/* A value at depth D: record it when it belongs to a member we keep. */
static void scan_value(struct scan *s, int kind, const void *v, size_t len)
{
	if (s->depth == 0) {
		s->not_object = true;
		return;
	}
	if (s->depth != 1 || s->cur < 0)
		return;
	struct field *f = &s->f[s->cur];
	s->cur = -1;
	f->kind = (char)kind;
	f->toolong = len > FIELD_MAX;
	f->len = f->toolong ? 0 : len;
	if (!f->toolong && v)
		memcpy(f->val, v, len);
	f->val[f->len] = '\0';
}

static int cb_null(void *ctx)
{
	scan_value(ctx, K_NULL, NULL, 0);
	return 1;
}

static int cb_boolean(void *ctx, int b)
{
	(void)b;
	scan_value(ctx, K_OTHER, NULL, 0);
	return 1;
}

static int cb_number(void *ctx, const char *v, size_t len)
{
	scan_value(ctx, K_NUMBER, v, len);
	return 1;
}

static int cb_string(void *ctx, const unsigned char *v, size_t len)
{
	scan_value(ctx, K_STRING, v, len);
	return 1;
}

static int cb_start(void *ctx, bool map)
{
	struct scan *s = ctx;
	if (s->depth == 0 && !map)
		s->not_object = true;
	else if (s->depth == 1)
		scan_value(s, K_OTHER, NULL, 0);
	s->depth++;
	return 1;
}

static int cb_start_map(void *ctx)
{
	return cb_start(ctx, true);
}

static int cb_start_array(void *ctx)
{
	return cb_start(ctx, false);
}

static int cb_end(void *ctx)
{
	((struct scan *)ctx)->depth--;
	return 1;
}

static int cb_map_key(void *ctx, const unsigned char *k, size_t len)
{
	struct scan *s = ctx;
	if (s->depth != 1)
		return 1;
	s->cur = -1;
	for (int i = 0; i < NFIELDS; i++)
		if (strlen(field_names[i]) == len && !memcmp(field_names[i], k, len)) {
			s->cur = i;
			break;
		}
	return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

/* The string value of field I, or NULL when absent, not a string, too long
 * or holding a NUL. */
static const char *str(const struct scan *s, int i)
{
	const struct field *f = &s->f[i];
	if (f->kind != K_STRING || f->toolong || strlen(f->val) != f->len)
		return NULL;
	return f->val;
}

/* An optional time field: absent or null -> *ms untouched, 0; present and bad -> -1. */
static int opt_time(const struct scan *s, int i, int64_t *ms, char *err, size_t errlen)
{
	if (s->f[i].kind == K_ABSENT || s->f[i].kind == K_NULL)
		return 0;
	const char *v = str(s, i);
	if (!v || eas_parse_time(v, ms) < 0) {
		snprintf(err, errlen, "field \"%s\" is not an RFC 3339 time", field_names[i]);
		return -1;
	}
	return 0;
}
int pub_line_parse(const char *line, size_t len, const char *force_source,
                   const char *default_source, int64_t now_ms, struct pub_line *pl, char *err,
                   size_t errlen)
{
	struct scan sc;
	memset(pl, 0, sizeof *pl);
	sc.depth = 0;
	sc.cur = -1;
	sc.not_object = false;
	for (int i = 0; i < NFIELDS; i++)
		sc.f[i].kind = K_ABSENT;

	yajl_handle h = yajl_alloc(&callbacks, NULL, &sc);
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return PUB_BAD_JSON;
	}
	yajl_status st = yajl_parse(h, (const unsigned char *)line, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok) {
		unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
		size_t at = yajl_get_bytes_consumed(h);
		size_t n = msg ? strlen((char *)msg) : 0;
		while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			n--;
		snprintf(err, errlen, "bad JSON near byte %zu: %.*s", at + 1, (int)n,
		         msg ? (char *)msg : "parse error");
		if (msg)
			yajl_free_error(h, msg);
		yajl_free(h);
		return PUB_BAD_JSON;
	}
	yajl_free(h);
	if (sc.not_object) {
		snprintf(err, errlen, "not a JSON object");
		return PUB_BAD_JSON;
	}

	const char *type = str(&sc, F_TYPE);
	if (!type) {
		snprintf(err, errlen, "missing field \"type\"");
		return PUB_BAD_FIELDS;
	}
	if (force_source) {
		snprintf(pl->source, sizeof pl->source, "%s", force_source);
	} else {
		const char *s = str(&sc, F_SOURCE);
		if (sc.f[F_SOURCE].kind != K_ABSENT && (!s || pub_source_check(s) < 0)) {
			snprintf(err, errlen, "field \"source\" must be 1..%d printable characters",
			         SOURCE_MAX);
			return PUB_BAD_FIELDS;
		}
		snprintf(pl->source, sizeof pl->source, "%s", s ? s : default_source);
	}
	pl->time_ms = now_ms;
	if (opt_time(&sc, F_TIME, &pl->time_ms, err, errlen) < 0)
		return PUB_BAD_FIELDS;

	if (!strcmp(type, "alert")) {
		pl->type = 'A';
		const char *id = str(&sc, F_ID);
		const char *raw = str(&sc, F_RAW);
		if (sc.f[F_ID].kind != K_ABSENT && (!id || key_check(id) < 0)) {
			snprintf(err, errlen, "field \"id\" must be 1..%d of [A-Za-z0-9._:-]",
			         KEY_MAX);
			return PUB_BAD_FIELDS;
		}
		if (id) {
			snprintf(pl->key, sizeof pl->key, "%s", id);
		} else if (raw && *raw) {
			/* the same stable id eas-decode gives it */
			same_header_id(raw, pl->key);
		} else {
			snprintf(err, errlen, "alert without \"id\" or \"raw\"");
			return PUB_BAD_FIELDS;
		}
		if (opt_time(&sc, F_ISSUED, &pl->issued_ms, err, errlen) < 0 ||
		    opt_time(&sc, F_EXPIRES, &pl->expires_ms, err, errlen) < 0)
			return PUB_BAD_FIELDS;
	} else if (!strcmp(type, "eom")) {
		pl->type = 'E';
		const char *tv = str(&sc, F_TIME);
		bool has_off = sc.f[F_OFFSET].kind == K_NUMBER && !sc.f[F_OFFSET].toolong;
		if (!tv && !has_off) {
			snprintf(err, errlen, "eom without \"time\" or \"offset_s\"");
			return PUB_BAD_FIELDS;
		}
		char buf[400]; /* "%.3f" of the largest double is 313 bytes */
		uint64_t hv = fnv1a(FNV_OFFSET, pl->source, strlen(pl->source));
		hv = fnv1a(hv, "|", 1);
		if (tv)
			hv = fnv1a(hv, tv, strlen(tv));
		hv = fnv1a(hv, "|", 1);
		if (has_off) {
			int n = snprintf(buf, sizeof buf, "%.3f", strtod(sc.f[F_OFFSET].val, NULL));
			if (n < 0 || (size_t)n >= sizeof buf)
				n = (int)sizeof buf - 1;
			hv = fnv1a(hv, buf, (size_t)n);
		}
		snprintf(pl->key, sizeof pl->key, "eom-%016" PRIx64, hv);
	} else if (!strcmp(type, "recording")) {
		/* the audio of an alert (eas-decode --record): one per alert and monitor */
		pl->type = 'R';
		const char *id = str(&sc, F_ID);
		if (!id || key_check(id) < 0) {
			snprintf(err, errlen,
			         "recording without its alert's \"id\" (1..%d of [A-Za-z0-9._:-])",
			         KEY_MAX);
			return PUB_BAD_FIELDS;
		}
		const char *path = str(&sc, F_PATH), *tv = str(&sc, F_TIME);
		uint64_t hv = fnv1a(FNV_OFFSET, pl->source, strlen(pl->source));
		hv = fnv1a(hv, "|", 1);
		hv = fnv1a(hv, id, strlen(id));
		hv = fnv1a(hv, "|", 1);
		if (path)
			hv = fnv1a(hv, path, strlen(path));
		else if (tv)
			hv = fnv1a(hv, tv, strlen(tv));
		snprintf(pl->key, sizeof pl->key, "rec-%016" PRIx64, hv);
	} else if (!strcmp(type, "status")) {
		pl->type = 'S';
	} else {
		pl->type = 'O';
	}
	return PUB_OK;
}

int pub_record_header(const struct pub_line *pl, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%c\t%s\t%s\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t", pl->type,
	                 pl->key, pl->source, pl->time_ms, pl->issued_ms, pl->expires_ms);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

static const char *field(const char *p, const char *end, size_t *flen)
{
	const char *t = memchr(p, '\t', (size_t)(end - p));
	if (!t)
		return NULL;
	*flen = (size_t)(t - p);
	return t + 1;
}

static int num(const char *p, size_t n, int64_t *v)
{
	char b[24];
	char *e;
	if (n == 0 || n >= sizeof b)
		return -1;
	memcpy(b, p, n);
	b[n] = '\0';
	*v = strtoll(b, &e, 10);
	return *e ? -1 : 0;
}

int pub_record_parse(const char *rec, size_t len, struct pub_record *r)
{
	const char *p = rec, *end = rec + len, *q;
	size_t n;
	memset(r, 0, sizeof *r);
	if (len < 2 || (rec[0] != 'A' && rec[0] != 'E' && rec[0] != 'R') || rec[1] != '\t')
		return -1;
	r->type = rec[0];
	p += 2;
	if (!(q = field(p, end, &n)) || n == 0 || n > KEY_MAX)
		return -1;
	r->key = p, r->keylen = n, p = q;
	if (!(q = field(p, end, &n)) || n == 0 || n > SOURCE_MAX)
		return -1;
	r->source = p, r->sourcelen = n, p = q;
	if (!(q = field(p, end, &n)) || num(p, n, &r->time_ms) < 0)
		return -1;
	p = q;
	if (!(q = field(p, end, &n)) || num(p, n, &r->issued_ms) < 0)
		return -1;
	p = q;
	if (!(q = field(p, end, &n)) || num(p, n, &r->expires_ms) < 0)
		return -1;
	p = q;
	if (p >= end)
		return -1;
	r->json = p;
	r->jsonlen = (size_t)(end - p);
	return 0;
}
