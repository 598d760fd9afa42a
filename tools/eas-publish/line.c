/* line.c: eas-publish's spool record format (the input line checks are lib/lines' eas_line_head).
 */
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publish.h"

int pub_record_header(const struct eas_line_head *pl, long line, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%d\t%c\t%s\t%s\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%ld\t",
	                 PUB_RECORD_VERSION, pl->type, pl->key, pl->source, pl->time_ms,
	                 pl->issued_ms, pl->expires_ms, line);
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
	int64_t v;
	memset(r, 0, sizeof *r);
	if (len >= 2 && rec[1] == '\t' && (rec[0] == 'A' || rec[0] == 'E')) {
		r->version = 0; /* no version field: the type comes first */
	} else {
		if (!(q = field(p, end, &n)) || num(p, n, &v) < 0 || v < 1)
			return -1;
		if (v != PUB_RECORD_VERSION)
			return -2;
		r->version = (int)v;
		p = q;
		if (end - p < 2 || (p[0] != 'A' && p[0] != 'E') || p[1] != '\t')
			return -1;
	}
	r->type = p[0];
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
	if (r->version >= 1) {
		if (!(q = field(p, end, &n)) || num(p, n, &v) < 0 || v < 0 || v > LONG_MAX)
			return -1;
		r->line = (long)v;
		p = q;
	}
	if (p >= end)
		return -1;
	r->json = p;
	r->jsonlen = (size_t)(end - p);
	return 0;
}
