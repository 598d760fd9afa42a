/* line.c: eas-publish's input validation (JSON lines per DESIGN.md) and spool record format. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

/* An optional time field: absent -> *ms untouched, 0; present and bad -> -1. */
static int opt_time(json_t *o, const char *name, int64_t *ms, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, name);
	if (!v || json_is_null(v))
		return 0;
	const char *s = json_string_value(v);
	if (!s || eas_parse_time(s, ms) < 0) {
		snprintf(err, errlen, "field \"%s\" is not an RFC 3339 time", name);
		return -1;
	}
	return 0;
}

/* jansson allocates a node per value; with a bump allocator reset after every
 * line, parsing costs far less.  Blocks that do not fit come from malloc. */
#define ARENA_SIZE (4u << 20)
static char *arena;
static size_t arena_used;

static void *arena_malloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (arena && n <= ARENA_SIZE - arena_used) {
		void *p = arena + arena_used;
		arena_used += n;
		return p;
	}
	return malloc(n);
}

static void arena_free(void *p)
{
	if (arena && (char *)p >= arena && (char *)p < arena + ARENA_SIZE)
		return;
	free(p);
}

static void arena_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	arena = malloc(ARENA_SIZE);
	json_set_alloc_funcs(arena_malloc, arena_free);
}

int pub_line_parse(const char *line, size_t len, const char *force_source,
                   const char *default_source, int64_t now_ms, struct pub_line *pl, char *err,
                   size_t errlen)
{
	json_error_t je;
	memset(pl, 0, sizeof *pl);
	arena_init();
	arena_used = 0;
	json_t *o = json_loadb(line, len, 0, &je);
	if (!o) {
		snprintf(err, errlen, "bad JSON at column %d: %s", je.column, je.text);
		return PUB_BAD_JSON;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		snprintf(err, errlen, "not a JSON object");
		return PUB_BAD_JSON;
	}
	int ret = PUB_BAD_FIELDS;
	const char *type = json_string_value(json_object_get(o, "type"));
	if (!type) {
		snprintf(err, errlen, "missing field \"type\"");
		goto out;
	}
	if (force_source) {
		snprintf(pl->source, sizeof pl->source, "%s", force_source);
	} else {
		json_t *sv = json_object_get(o, "source");
		const char *s = json_string_value(sv);
		if (sv && (!s || pub_source_check(s) < 0)) {
			snprintf(err, errlen, "field \"source\" must be 1..%d printable characters",
			         SOURCE_MAX);
			goto out;
		}
		snprintf(pl->source, sizeof pl->source, "%s", s ? s : default_source);
	}
	pl->time_ms = now_ms;
	if (opt_time(o, "time", &pl->time_ms, err, errlen) < 0)
		goto out;

	if (!strcmp(type, "alert")) {
		pl->type = 'A';
		json_t *idv = json_object_get(o, "id");
		const char *id = json_string_value(idv);
		const char *raw = json_string_value(json_object_get(o, "raw"));
		if (idv && (!id || key_check(id) < 0)) {
			snprintf(err, errlen, "field \"id\" must be 1..%d of [A-Za-z0-9._:-]",
			         KEY_MAX);
			goto out;
		}
		if (id) {
			snprintf(pl->key, sizeof pl->key, "%s", id);
		} else if (raw && *raw) {
			/* the same stable id eas-decode gives it */
			same_header_id(raw, pl->key);
		} else {
			snprintf(err, errlen, "alert without \"id\" or \"raw\"");
			goto out;
		}
		if (opt_time(o, "issued", &pl->issued_ms, err, errlen) < 0 ||
		    opt_time(o, "expires", &pl->expires_ms, err, errlen) < 0)
			goto out;
	} else if (!strcmp(type, "eom")) {
		pl->type = 'E';
		json_t *tv = json_object_get(o, "time");
		json_t *ov = json_object_get(o, "offset_s");
		if (!json_is_string(tv) && !json_is_number(ov)) {
			snprintf(err, errlen, "eom without \"time\" or \"offset_s\"");
			goto out;
		}
		char buf[64];
		uint64_t h = fnv1a(FNV_OFFSET, pl->source, strlen(pl->source));
		h = fnv1a(h, "|", 1);
		if (json_is_string(tv))
			h = fnv1a(h, json_string_value(tv), strlen(json_string_value(tv)));
		h = fnv1a(h, "|", 1);
		if (json_is_number(ov)) {
			int n = snprintf(buf, sizeof buf, "%.3f", json_number_value(ov));
			h = fnv1a(h, buf, (size_t)n);
		}
		snprintf(pl->key, sizeof pl->key, "eom-%016" PRIx64, h);
	} else if (!strcmp(type, "status")) {
		pl->type = 'S';
	} else {
		pl->type = 'O';
	}
	ret = PUB_OK;
out:
	json_decref(o);
	arena_used = 0;
	return ret;
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
	if (len < 2 || (rec[0] != 'A' && rec[0] != 'E') || rec[1] != '\t')
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
