/* lines.c: the station's JSON lines, both ways: writers for every line type, the field-table reader
 * (yajl), and the head of a line as its consumers key it (see lines.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl_parse.h>

#include "fips.h"
#include "lines.h"
#include "timeutil.h"

/* ---- writers ---- */

/* The fields every eas-decode line ends with. */
static void at_fields(struct eas_json *j, const struct eas_line_at *at)
{
	char tb[40];
	eas_json_key_str(j, EAS_LF_SOURCE, at->source);
	eas_json_key_str(j, EAS_LF_TIME, eas_rfc3339_ms(at->time_ms, tb, sizeof tb));
	eas_json_key_num(j, EAS_LF_OFFSET, at->offset_s, 3);
}

static void begin(struct eas_json *j, const char *type)
{
	eas_json_reset(j);
	eas_json_obj_begin(j);
	eas_json_key_str(j, EAS_LF_TYPE, type);
}

/* The locations array of H. */
static void locations(struct eas_json *j, const struct same_header *h)
{
	eas_json_key(j, EAS_LF_LOCATIONS);
	eas_json_arr_begin(j);
	for (int i = 0; i < h->nloc && i < SAME_MAX_LOCATIONS; i++) {
		const struct same_location *l = &h->loc[i];
		const char *state = eas_fips_state_name(l->state);
		eas_json_obj_begin(j);
		eas_json_key_str(j, EAS_LF_CODE, l->code);
		eas_json_key_int(j, "part", l->part);
		eas_json_key_str(j, "part_name", same_part_name(l->part));
		eas_json_key_str(j, "state", eas_fips_state_abbr(l->state));
		eas_json_key_str(j, "state_name", state);
		eas_json_key(j, "county");
		if (l->county == 0 && state) {
			char all[64];
			snprintf(all, sizeof all, "All of %s", state);
			eas_json_str(j, all);
		} else {
			const struct eas_fips_county *c = eas_fips_county(l->state, l->county);
			eas_json_str(j, c ? c->name : NULL);
		}
		eas_json_obj_end(j);
	}
	eas_json_arr_end(j);
}

void eas_line_alert(struct eas_json *j, const struct same_header *h, int bursts, int bit_errors,
                    double confidence, const struct eas_line_at *at)
{
	int64_t issued, expires;
	char buf[40], id[17];

	begin(j, EAS_LT_ALERT);
	eas_json_key_str(j, EAS_LF_RAW, h->raw);
	eas_json_key_str(j, EAS_LF_ORIGINATOR, h->originator);
	eas_json_key_str(j, "originator_name", same_originator_name(h->originator));
	eas_json_key_str(j, EAS_LF_EVENT, h->event);
	eas_json_key_str(j, "event_name", same_event_name(h->event));
	eas_json_key_str(j, "significance", same_event_significance(h->event));
	locations(j, h);
	eas_json_key_str(j, "purge", h->purge);
	eas_json_key_int(j, "purge_minutes", h->purge_minutes);
	if (same_header_times(h, at->time_ms, &issued, &expires) == 0) {
		eas_json_key_str(j, EAS_LF_ISSUED, eas_rfc3339_ms(issued, buf, sizeof buf));
		eas_json_key_str(j, EAS_LF_EXPIRES, eas_rfc3339_ms(expires, buf, sizeof buf));
	} else {
		eas_json_key(j, EAS_LF_ISSUED);
		eas_json_null(j);
		eas_json_key(j, EAS_LF_EXPIRES);
		eas_json_null(j);
	}
	eas_json_key_str(j, "sender", h->sender);
	same_header_id(h->raw, id);
	eas_json_key_str(j, EAS_LF_ID, id);
	eas_json_key_int(j, EAS_LF_BURSTS, bursts);
	eas_json_key_int(j, "bit_errors", bit_errors);
	eas_json_key_num(j, "confidence", confidence, 3);
	at_fields(j, at);
	eas_json_obj_end(j);
}

void eas_line_eom(struct eas_json *j, int bursts, const struct eas_line_at *at)
{
	begin(j, EAS_LT_EOM);
	eas_json_key_int(j, EAS_LF_BURSTS, bursts);
	at_fields(j, at);
	eas_json_obj_end(j);
}

void eas_line_attention(struct eas_json *j, const char *tone, double duration_s,
                        const struct eas_line_at *at)
{
	begin(j, EAS_LT_ATTENTION);
	eas_json_key_str(j, "tone", tone);
	eas_json_key_num(j, "duration_s", duration_s, 2);
	at_fields(j, at);
	eas_json_obj_end(j);
}

void eas_line_status(struct eas_json *j, const struct eas_line_levels *lv,
                     const struct eas_line_at *at)
{
	begin(j, EAS_LT_STATUS);
	at_fields(j, at);
	eas_json_key_int(j, EAS_LF_SAMPLES, (int64_t)lv->samples);
	eas_json_key_num(j, EAS_LF_RMS_DBFS, lv->rms_dbfs, 1);
	eas_json_key_num(j, EAS_LF_PEAK_DBFS, lv->peak_dbfs, 1);
	eas_json_key_bool(j, EAS_LF_SILENCE, lv->silence);
	eas_json_key_bool(j, EAS_LF_CLIPPING, lv->clipping);
	eas_json_key_int(j, "clipped_samples", (int64_t)lv->clipped_samples);
	eas_json_key_num(j, EAS_LF_SILENCE_S, lv->silence_s, 1);
	eas_json_obj_end(j);
}

void eas_line_capture(struct eas_json *j, const struct eas_line_capture_info *c)
{
	char t[32];
	begin(j, EAS_LT_CAPTURE);
	eas_json_key_str(j, EAS_LF_TIME, eas_rfc3339_ms(c->time_ms, t, sizeof t));
	eas_json_key_str(j, EAS_LF_SOURCE, c->source);
	eas_json_key_str(j, "input", c->input);
	eas_json_key_str(j, EAS_LF_STATE, c->state);
	eas_json_key_int(j, "reconnects", (int64_t)c->reconnects);
	eas_json_key_int(j, "bytes_out", (int64_t)(c->samples_out * 2));
	eas_json_key_num(j, "seconds_out", (double)c->samples_out / c->rate, 3);
	eas_json_key_int(j, "rate", c->rate);
	if (c->format && c->format[0]) {
		eas_json_key_str(j, "format", c->format);
		eas_json_key_str(j, "codec", c->codec);
		eas_json_key_int(j, "input_rate", c->input_rate);
		eas_json_key_int(j, "input_channels", c->input_channels);
	}
	eas_json_key(j, "last_error");
	if (c->last_error && c->last_error[0])
		eas_json_str(j, c->last_error);
	else
		eas_json_null(j);
	eas_json_obj_end(j);
}

/* ---- reader ---- */

/*
 * The line is checked with yajl's event parser: the whole line must be one
 * valid JSON object, and the top-level members of the table are captured on
 * the way.  No tree is built; that is what lets one process keep up with a
 * busy Redis.
 */
#define NUM_MAX 512 /* longer number texts are BAD */

struct scan {
	int depth;
	struct eas_field *cur; /* the top-level member whose value comes next, or NULL */
	bool not_object;       /* the top-level value is not an object */
	struct eas_field *f;
	int nf;
};

enum { V_NULL, V_BOOL, V_NUMBER, V_STRING, V_OTHER };

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
		long long x = strtoll(b, &e, 10);
		if (*e) {
			f->state = EAS_FIELD_BAD;
			return;
		}
		*(int64_t *)f->dest = x;
	}
	f->state = EAS_FIELD_OK;
}

/* A value at the current depth: store it when it belongs to a member of the table. */
static void scan_value(struct scan *s, int kind, const void *v, size_t len)
{
	if (s->depth == 0) {
		s->not_object = true;
		return;
	}
	if (s->depth != 1 || !s->cur)
		return;
	struct eas_field *f = s->cur;
	s->cur = NULL;
	if (kind == V_NULL) {
		f->state = EAS_FIELD_NULL;
		return;
	}
	switch (f->type) {
	case EAS_FIELD_STR:
		if (kind == V_STRING)
			store_str(f, v, len);
		else
			f->state = EAS_FIELD_BAD;
		break;
	case EAS_FIELD_TIME:
		if (kind == V_STRING)
			store_time(f, v, len);
		else
			f->state = EAS_FIELD_BAD;
		break;
	case EAS_FIELD_NUM:
	case EAS_FIELD_INT:
		if (kind == V_NUMBER)
			store_number(f, v, len);
		else
			f->state = EAS_FIELD_BAD;
		break;
	case EAS_FIELD_BOOL:
		if (kind == V_BOOL) {
			*(bool *)f->dest = *(const int *)v != 0;
			f->state = EAS_FIELD_OK;
		} else {
			f->state = EAS_FIELD_BAD;
		}
		break;
	}
}

static int cb_null(void *ctx)
{
	scan_value(ctx, V_NULL, NULL, 0);
	return 1;
}

static int cb_boolean(void *ctx, int b)
{
	scan_value(ctx, V_BOOL, &b, 0);
	return 1;
}

static int cb_number(void *ctx, const char *v, size_t len)
{
	scan_value(ctx, V_NUMBER, v, len);
	return 1;
}

static int cb_string(void *ctx, const unsigned char *v, size_t len)
{
	scan_value(ctx, V_STRING, v, len);
	return 1;
}

static int cb_start(void *ctx, bool map)
{
	struct scan *s = ctx;
	if (s->depth == 0 && !map)
		s->not_object = true;
	else if (s->depth == 1)
		scan_value(s, V_OTHER, NULL, 0);
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
	s->cur = NULL;
	for (int i = 0; i < s->nf; i++)
		if (strlen(s->f[i].name) == len && !memcmp(s->f[i].name, k, len)) {
			s->cur = &s->f[i];
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

int eas_line_read(const char *line, size_t len, struct eas_field *f, int nf, char *err,
                  size_t errlen)
{
	struct scan sc = {.depth = 0, .cur = NULL, .not_object = false, .f = f, .nf = nf};
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

/* ---- the head of a line ---- */

int eas_source_check(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > EAS_SOURCE_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	return 0;
}

static int id_check(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > EAS_ID_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '-' || c == '_' || c == '.' || c == ':'))
			return -1;
	}
	return 0;
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FIELD_MAX  512 /* longer string values are BAD */

enum { F_TYPE, F_SOURCE, F_TIME, F_ID, F_RAW, F_ISSUED, F_EXPIRES, F_OFFSET, NFIELDS };

/* The line's fields as read for its head. */
struct head_fields {
	char type[FIELD_MAX + 1], time[FIELD_MAX + 1], raw[FIELD_MAX + 1];
	char source[EAS_SOURCE_MAX + 1], id[EAS_ID_MAX + 1]; /* longer ones are BAD, and refused */
	int64_t issued, expires;
	double offset;
	struct eas_field f[NFIELDS];
};

static void row(struct eas_field *f, const char *name, enum eas_field_type type, void *dest,
                size_t size)
{
	*f = (struct eas_field){.name = name, .type = type, .dest = dest, .size = size};
}

/* An optional time field: absent or null -> *ms untouched, 0; present and bad -> -1. */
static int opt_time(const struct eas_field *f, int64_t src, int64_t *ms, char *err, size_t errlen)
{
	if (f->state == EAS_FIELD_BAD) {
		snprintf(err, errlen, "field \"%s\" is not an RFC 3339 time", f->name);
		return -1;
	}
	if (f->state == EAS_FIELD_OK)
		*ms = src;
	return 0;
}

/* The key of an eom line: "eom-" + FNV-1a of source | time text | offset "%.3f". */
static void eom_key(const struct head_fields *hf, struct eas_line_head *h)
{
	char buf[400]; /* "%.3f" of the largest double is 313 bytes */
	uint64_t hv = fnv1a(FNV_OFFSET, h->source, strlen(h->source));
	hv = fnv1a(hv, "|", 1);
	if (hf->f[F_TIME].state == EAS_FIELD_OK)
		hv = fnv1a(hv, hf->time, hf->f[F_TIME].len);
	hv = fnv1a(hv, "|", 1);
	if (hf->f[F_OFFSET].state == EAS_FIELD_OK) {
		int n = snprintf(buf, sizeof buf, "%.3f", hf->offset);
		if (n < 0 || (size_t)n >= sizeof buf)
			n = (int)sizeof buf - 1;
		hv = fnv1a(hv, buf, (size_t)n);
	}
	snprintf(h->key, sizeof h->key, "eom-%016" PRIx64, hv);
}

/* The alert part of eas_line_head(). */
static int alert_head(const struct head_fields *hf, struct eas_line_head *h, char *err,
                      size_t errlen)
{
	const struct eas_field *id = &hf->f[F_ID];
	h->type = 'A';
	if (id->state != EAS_FIELD_ABSENT && (id->state != EAS_FIELD_OK || id_check(hf->id) < 0)) {
		snprintf(err, errlen, "field \"%s\" must be 1..%d of [A-Za-z0-9._:-]", EAS_LF_ID,
		         EAS_ID_MAX);
		return EAS_LINE_BAD_FIELDS;
	}
	if (id->state == EAS_FIELD_OK) {
		snprintf(h->key, sizeof h->key, "%s", hf->id);
	} else if (hf->f[F_RAW].state == EAS_FIELD_OK && hf->raw[0]) {
		/* the same stable id eas-decode gives it */
		same_header_id(hf->raw, h->key);
	} else {
		snprintf(err, errlen, "alert without \"%s\" or \"%s\"", EAS_LF_ID, EAS_LF_RAW);
		return EAS_LINE_BAD_FIELDS;
	}
	if (opt_time(&hf->f[F_ISSUED], hf->issued, &h->issued_ms, err, errlen) < 0 ||
	    opt_time(&hf->f[F_EXPIRES], hf->expires, &h->expires_ms, err, errlen) < 0)
		return EAS_LINE_BAD_FIELDS;
	return EAS_LINE_OK;
}

int eas_line_head(const char *line, size_t len, const char *force_source,
                  const char *default_source, int64_t now_ms, struct eas_line_head *h, char *err,
                  size_t errlen)
{
	struct head_fields hf;
	int64_t time_ms = 0;
	struct eas_field *f = hf.f;
	memset(h, 0, sizeof *h);
	row(&f[F_TYPE], EAS_LF_TYPE, EAS_FIELD_STR, hf.type, sizeof hf.type);
	row(&f[F_SOURCE], EAS_LF_SOURCE, EAS_FIELD_STR, hf.source, sizeof hf.source);
	row(&f[F_TIME], EAS_LF_TIME, EAS_FIELD_STR, hf.time, sizeof hf.time);
	row(&f[F_ID], EAS_LF_ID, EAS_FIELD_STR, hf.id, sizeof hf.id);
	row(&f[F_RAW], EAS_LF_RAW, EAS_FIELD_STR, hf.raw, sizeof hf.raw);
	row(&f[F_ISSUED], EAS_LF_ISSUED, EAS_FIELD_TIME, &hf.issued, 0);
	row(&f[F_EXPIRES], EAS_LF_EXPIRES, EAS_FIELD_TIME, &hf.expires, 0);
	row(&f[F_OFFSET], EAS_LF_OFFSET, EAS_FIELD_NUM, &hf.offset, 0);
	int r = eas_line_read(line, len, f, NFIELDS, err, errlen);
	if (r != EAS_LINE_OK)
		return r;

	if (f[F_TYPE].state != EAS_FIELD_OK) {
		snprintf(err, errlen, "missing field \"%s\"", EAS_LF_TYPE);
		return EAS_LINE_BAD_FIELDS;
	}
	if (force_source) {
		snprintf(h->source, sizeof h->source, "%s", force_source);
	} else {
		bool ok = f[F_SOURCE].state == EAS_FIELD_OK;
		if (f[F_SOURCE].state != EAS_FIELD_ABSENT &&
		    (!ok || eas_source_check(hf.source) < 0)) {
			snprintf(err, errlen, "field \"%s\" must be 1..%d printable characters",
			         EAS_LF_SOURCE, EAS_SOURCE_MAX);
			return EAS_LINE_BAD_FIELDS;
		}
		snprintf(h->source, sizeof h->source, "%s", ok ? hf.source : default_source);
	}
	h->time_ms = now_ms;
	if (f[F_TIME].state == EAS_FIELD_OK ? eas_parse_time(hf.time, &time_ms) < 0
	                                    : f[F_TIME].state == EAS_FIELD_BAD) {
		snprintf(err, errlen, "field \"%s\" is not an RFC 3339 time", EAS_LF_TIME);
		return EAS_LINE_BAD_FIELDS;
	}
	if (f[F_TIME].state == EAS_FIELD_OK)
		h->time_ms = time_ms;

	if (!strcmp(hf.type, EAS_LT_ALERT))
		return alert_head(&hf, h, err, errlen);
	if (!strcmp(hf.type, EAS_LT_EOM)) {
		h->type = 'E';
		if (f[F_TIME].state != EAS_FIELD_OK && f[F_OFFSET].state != EAS_FIELD_OK) {
			snprintf(err, errlen, "eom without \"%s\" or \"%s\"", EAS_LF_TIME,
			         EAS_LF_OFFSET);
			return EAS_LINE_BAD_FIELDS;
		}
		eom_key(&hf, h);
	} else {
		h->type = !strcmp(hf.type, EAS_LT_STATUS) ? 'S' : 'O';
	}
	return EAS_LINE_OK;
}
