/* lines.c: the station's JSON lines: writers for every line type, and the head of a line as its
 * consumers key it (see lines.h; the field-table reader is lines_read.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fips.h"
#include "lines.h"
#include "source.h"
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

/* The fields a location gains beyond {code, part, ..., county} when its place has more to say:
 * kind "marine" and the zone's ugc; superseded_by, the codes (with the location's P digit) that
 * replaced a code Census dropped.  An ordinary county's object stays as it always was. */
static void place_fields(struct eas_json *j, const struct eas_fips_county *c, int part)
{
	if (c->kind == EAS_PLACE_MARINE) {
		eas_json_key_str(j, "kind", "marine");
		eas_json_key_str(j, "ugc", EAS_FIPS_STR(c->ugc));
	}
	if (c->superseded_by) {
		eas_json_key(j, "superseded_by");
		eas_json_arr_begin(j);
		for (const char *s = EAS_FIPS_STR(c->superseded_by); *s;) {
			size_t n = strcspn(s, " ");
			char code[8];
			if (n == 5) {
				snprintf(code, sizeof code, "%d%.5s", part, s);
				eas_json_str(j, code);
			}
			s += n;
			s += strspn(s, " ");
		}
		eas_json_arr_end(j);
	}
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
			eas_json_str(j, c ? eas_fips_name(c) : NULL);
			if (c)
				place_fields(j, c, l->part);
		}
		eas_json_obj_end(j);
	}
	eas_json_arr_end(j);
}

/* An alert line, with "recording" when HAS_REC. */
static void alert_line(struct eas_json *j, const struct same_header *h, int bursts, int bit_errors,
                       double confidence, bool has_rec, const char *path,
                       const struct eas_line_at *at)
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
	if (has_rec)
		eas_json_key_str(j, EAS_LF_RECORDING, path);
	at_fields(j, at);
	eas_json_obj_end(j);
}

void eas_line_alert(struct eas_json *j, const struct same_header *h, int bursts, int bit_errors,
                    double confidence, const struct eas_line_at *at)
{
	alert_line(j, h, bursts, bit_errors, confidence, false, NULL, at);
}

void eas_line_alert_recorded(struct eas_json *j, const struct same_header *h, int bursts,
                             int bit_errors, double confidence, const char *path,
                             const struct eas_line_at *at)
{
	alert_line(j, h, bursts, bit_errors, confidence, true, path, at);
}

void eas_line_recording(struct eas_json *j, const struct eas_line_recording *r,
                        const struct eas_line_at *at)
{
	begin(j, EAS_LT_RECORDING);
	eas_json_key_str(j, EAS_LF_ID, r->id);
	eas_json_key_str(j, EAS_LF_EVENT, r->event);
	eas_json_key_str(j, EAS_LF_PATH, r->path);
	eas_json_key_num(j, EAS_LF_DURATION, r->duration_s, 3);
	eas_json_key_str(j, EAS_LF_ENDED_BY, r->ended_by);
	if (r->error)
		eas_json_key_str(j, EAS_LF_ERROR, r->error);
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

enum { F_TYPE, F_SOURCE, F_TIME, F_ID, F_RAW, F_ISSUED, F_EXPIRES, F_OFFSET, F_PATH, NFIELDS };

/* The line's fields as read for its head. */
struct head_fields {
	char type[FIELD_MAX + 1], time[FIELD_MAX + 1], raw[FIELD_MAX + 1], path[FIELD_MAX + 1];
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

/* The recording part of eas_line_head(): its alert's id is required (the row it belongs to); the
 * key "rec-" + FNV-1a of source | id | path (or time text), one per monitor and file. */
static int recording_head(const struct head_fields *hf, struct eas_line_head *h, char *err,
                          size_t errlen)
{
	h->type = 'R';
	if (hf->f[F_ID].state != EAS_FIELD_OK || id_check(hf->id) < 0) {
		snprintf(err, errlen,
		         "recording without its alert's \"%s\" (1..%d of [A-Za-z0-9._:-])",
		         EAS_LF_ID, EAS_ID_MAX);
		return EAS_LINE_BAD_FIELDS;
	}
	uint64_t hv = fnv1a(FNV_OFFSET, h->source, strlen(h->source));
	hv = fnv1a(hv, "|", 1);
	hv = fnv1a(hv, hf->id, strlen(hf->id));
	hv = fnv1a(hv, "|", 1);
	if (hf->f[F_PATH].state == EAS_FIELD_OK)
		hv = fnv1a(hv, hf->path, hf->f[F_PATH].len);
	else if (hf->f[F_TIME].state == EAS_FIELD_OK)
		hv = fnv1a(hv, hf->time, hf->f[F_TIME].len);
	snprintf(h->key, sizeof h->key, "rec-%016" PRIx64, hv);
	return EAS_LINE_OK;
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
	row(&f[F_PATH], EAS_LF_PATH, EAS_FIELD_STR, hf.path, sizeof hf.path);
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
			snprintf(err, errlen, "field \"%s\" must be " EAS_SOURCE_RULE,
			         EAS_LF_SOURCE);
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
	if (!strcmp(hf.type, EAS_LT_RECORDING))
		return recording_head(&hf, h, err, errlen);
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
