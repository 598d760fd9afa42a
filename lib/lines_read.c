/* lines_read.c: the one JSON reader of eas-tools: a line's top-level members pulled out through a
 * field table (yajl's event parser, no tree), strict reading and name/value objects included. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl_parse.h>

#include "lines.h"
#include "timeutil.h"

/*
 * The line is checked with yajl's event parser: the whole line must be one
 * valid JSON object, and the top-level members of the table are captured on
 * the way.  No tree is built; that is what lets one process keep up with a
 * busy Redis.  A refusal (a strict row's fault, a bad pair) stops the parser
 * at once: the callback returns 0 and the reason is in scan.err.
 */
#define NUM_MAX 512 /* longer number texts are BAD */

struct scan {
	int depth;
	struct eas_field *cur;   /* the top-level member whose value comes next, or NULL */
	struct eas_field *pairs; /* the PAIRS row whose object is open (depth 2), or NULL */
	bool not_object;         /* the top-level value is not an object */
	bool strict;             /* EAS_LINE_STRICT */
	struct eas_field *f;
	int nf;
	char err[160]; /* why the line is refused, "" while it is not */
};

enum { V_NULL, V_BOOL, V_NUMBER, V_STRING, V_MAP, V_ARRAY };

/* Refuse the line with a reason (the first one stays); returns 0 to stop yajl. */
static int refuse(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct scan *s, const char *fmt, ...)
{
	if (!s->err[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->err, sizeof s->err, fmt, ap);
		va_end(ap);
	}
	return 0;
}

static void store_str(struct eas_field *f, const char *v, size_t len)
{
	if (len >= f->size || memchr(v, '\0', len)) {
		f->state = EAS_FIELD_BAD;
		return;
	}
	memcpy(f->dest, v, len);
	((char *)f->dest)[len] = '\0';
	f->len = len;
	f->state = EAS_FIELD_OK;
}

static void store_time(struct eas_field *f, const char *v, size_t len)
{
	char b[NUM_MAX + 1];
	int64_t ms;
	if (len > NUM_MAX || memchr(v, '\0', len)) {
		f->state = EAS_FIELD_BAD;
		return;
	}
	memcpy(b, v, len);
	b[len] = '\0';
	if (eas_parse_time(b, &ms) < 0) {
		f->state = EAS_FIELD_BAD;
		return;
	}
	*(int64_t *)f->dest = ms;
	f->state = EAS_FIELD_OK;
}

static void store_number(struct eas_field *f, const char *v, size_t len)
{
	char b[NUM_MAX + 1], *e;
	if (len > NUM_MAX) {
		f->state = EAS_FIELD_BAD;
		return;
	}
	memcpy(b, v, len);
	b[len] = '\0';
	if (f->type == EAS_FIELD_NUM) {
		*(double *)f->dest = strtod(b, NULL);
	} else {
		errno = 0;
		long long x = strtoll(b, &e, 10);
		if (*e || errno) { /* a fraction, an exponent, or out of int64_t */
			f->state = EAS_FIELD_BAD;
			return;
		}
		*(int64_t *)f->dest = x;
	}
	f->state = EAS_FIELD_OK;
}

/* A scalar value of the top-level member F: store it when it is of F's type. */
static void store(struct eas_field *f, int kind, const void *v, size_t len)
{
	bool ok = false;
	switch (f->type) {
	case EAS_FIELD_STR:
	case EAS_FIELD_TIME:
		ok = kind == V_STRING;
		break;
	case EAS_FIELD_NUM:
	case EAS_FIELD_INT:
		ok = kind == V_NUMBER;
		break;
	case EAS_FIELD_BOOL:
		ok = kind == V_BOOL;
		break;
	case EAS_FIELD_PAIRS:
		break;
	}
	if (kind == V_NULL)
		f->state = EAS_FIELD_NULL;
	else if (!ok)
		f->state = EAS_FIELD_BAD;
	else if (f->type == EAS_FIELD_STR)
		store_str(f, v, len);
	else if (f->type == EAS_FIELD_TIME)
		store_time(f, v, len);
	else if (f->type != EAS_FIELD_BOOL)
		store_number(f, v, len);
	else {
		*(bool *)f->dest = *(const int *)v != 0;
		f->state = EAS_FIELD_OK;
	}
}

/* A value inside an open PAIRS object: the value of the pair whose name came last. */
static int pair_value(struct scan *s, int kind, const void *v, size_t len)
{
	struct eas_field *f = s->pairs;
	struct eas_pair *p = &((struct eas_pairs *)f->dest)->pair[f->len];
	if (kind != V_STRING)
		return refuse(s, "parameter %s is not a string", p->name);
	if (len > EAS_PAIR_VALUE_MAX || memchr(v, '\0', len))
		return refuse(s, "parameter %s too long or holds a NUL", p->name);
	memcpy(p->value, v, len);
	p->value[len] = '\0';
	f->len++;
	return 1;
}

/* A value at the current depth: store it when it belongs to a member of the table.  0 refuses. */
static int scan_value(struct scan *s, int kind, const void *v, size_t len)
{
	if (s->depth == 0) {
		s->not_object = kind != V_MAP;
		return 1;
	}
	if (s->depth == 2 && s->pairs)
		return pair_value(s, kind, v, len);
	if (s->depth != 1 || !s->cur)
		return 1;
	struct eas_field *f = s->cur;
	s->cur = NULL;
	if (kind == V_MAP && f->type == EAS_FIELD_PAIRS) {
		s->pairs = f;
		f->len = 0;
		f->state = EAS_FIELD_OK;
		return 1;
	}
	if ((kind == V_MAP || kind == V_ARRAY) && s->strict)
		return refuse(s, "member %s is an %s", f->name, kind == V_MAP ? "object" : "array");
	store(f, kind, v, len);
	return 1;
}

static int cb_null(void *ctx)
{
	return scan_value(ctx, V_NULL, NULL, 0);
}

static int cb_boolean(void *ctx, int b)
{
	return scan_value(ctx, V_BOOL, &b, 0);
}

static int cb_number(void *ctx, const char *v, size_t len)
{
	return scan_value(ctx, V_NUMBER, v, len);
}

static int cb_string(void *ctx, const unsigned char *v, size_t len)
{
	return scan_value(ctx, V_STRING, v, len);
}

static int cb_start(void *ctx, int kind)
{
	struct scan *s = ctx;
	if (!scan_value(s, kind, NULL, 0))
		return 0;
	s->depth++;
	return 1;
}

static int cb_start_map(void *ctx)
{
	return cb_start(ctx, V_MAP);
}

static int cb_start_array(void *ctx)
{
	return cb_start(ctx, V_ARRAY);
}

static int cb_end(void *ctx)
{
	struct scan *s = ctx;
	if (--s->depth == 1)
		s->pairs = NULL;
	return 1;
}

/* The name of a pair in the open PAIRS object: checked, and written into the next row. */
static int pair_name(struct scan *s, const unsigned char *k, size_t len)
{
	struct eas_field *f = s->pairs;
	const struct eas_pairs *ps = f->dest;
	struct eas_pair *p = ps->pair;
	char name[EAS_PAIR_NAME_MAX + 1];
	if (f->len >= ps->max)
		return refuse(s, "more than %zu parameters", ps->max);
	if (len > EAS_PAIR_NAME_MAX)
		return refuse(s, "parameter name too long");
	memcpy(name, k, len);
	name[len] = '\0';
	if (len == 0 || memchr(k, '\0', len) || (ps->name_ok && !ps->name_ok(name)))
		return refuse(s, "bad parameter name \"%s\"", name);
	for (size_t i = 0; i < f->len; i++)
		if (!strcmp(p[i].name, name))
			return refuse(s, "parameter %s given twice", name);
	memcpy(p[f->len].name, name, len + 1);
	return 1;
}

static int cb_map_key(void *ctx, const unsigned char *k, size_t len)
{
	struct scan *s = ctx;
	if (s->depth == 2 && s->pairs)
		return pair_name(s, k, len);
	if (s->depth != 1)
		return 1;
	s->cur = NULL;
	for (int i = 0; i < s->nf; i++)
		if (strlen(s->f[i].name) == len && !memcmp(s->f[i].name, k, len)) {
			s->cur = &s->f[i];
			break;
		}
	if (s->cur && s->strict && s->cur->state != EAS_FIELD_ABSENT)
		return refuse(s, "member %s given twice", s->cur->name);
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

int eas_line_read(const char *line, size_t len, struct eas_field *f, int nf, char *err,
                  size_t errlen)
{
	return eas_line_read_flags(line, len, f, nf, 0, err, errlen);
}

int eas_line_read_flags(const char *line, size_t len, struct eas_field *f, int nf, unsigned flags,
                        char *err, size_t errlen)
{
	struct scan sc = {.f = f, .nf = nf, .strict = (flags & EAS_LINE_STRICT) != 0};
	for (int i = 0; i < nf; i++) {
		f[i].state = EAS_FIELD_ABSENT;
		f[i].len = 0;
	}
	yajl_handle h = yajl_alloc(&callbacks, NULL, &sc);
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return EAS_LINE_BAD_JSON;
	}
	yajl_status st = yajl_parse(h, (const unsigned char *)line, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (sc.err[0]) {
		snprintf(err, errlen, "%s", sc.err);
		yajl_free(h);
		return EAS_LINE_BAD_FIELDS;
	}
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
		return EAS_LINE_BAD_JSON;
	}
	yajl_free(h);
	if (sc.not_object) {
		snprintf(err, errlen, "not a JSON object");
		return EAS_LINE_BAD_JSON;
	}
	return EAS_LINE_OK;
}
