/* test_lines.c: unit tests of the JSON lines (lib/lines.c): every line type written, then read back
 * through the field table; the alert line's header fields; the reader's states, strict mode and
 * name/value pairs. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "t.h"
#include "timeutil.h"

static char err[256];
static struct same_header h;

static int parse(const char *s, int flags)
{
	return same_header_parse(s, strlen(s), flags, &h, err, sizeof err);
}

static int64_t at(int y, int mo, int d, int hh, int mm)
{
	return (eas_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mm * 60) *
	       1000;
}

/* The alert line of h as heard at T. */
static void alert(struct eas_json *j, int64_t t)
{
	struct eas_line_at a = {"mon1", t, 12.5};
	eas_line_alert(j, &h, 3, 2, 0.987, &a);
}

static int has(const char *json, const char *s)
{
	int ok = strstr(json, s) != NULL;
	if (!ok)
		fprintf(stderr, "  missing %s in %s\n", s, json);
	return ok;
}

/* The alert line's header fields (moved here from test_header.c with same_header_json). */
static void test_alert_header_fields(void)
{
	struct eas_json j;
	char id[17], want[64];

	CHECK(parse("ZCZC-WXR-TOR-039173-139035-039000-000000-077275-002999+0030-1231645-KCLE/NWS-",
	            0) == 0);
	eas_json_init(&j);
	alert(&j, at(2026, 5, 3, 16, 46));
	CHECK(!j.oom);
	const char *s = j.buf;
	CHECK(has(s, "{\"type\":\"alert\",\"raw\":\"ZCZC-WXR-TOR-039173-139035-039000-000000-"
	             "077275-002999+0030-1231645-KCLE/NWS-\","));
	CHECK(has(s, "\"originator\":\"WXR\",\"originator_name\":\"National Weather Service\""));
	CHECK(has(s, "\"event\":\"TOR\",\"event_name\":\"Tornado Warning\","
	             "\"significance\":\"warning\""));
	CHECK(has(s, "\"locations\":[{\"code\":\"039173\",\"part\":0,\"part_name\":\"all\","
	             "\"state\":\"OH\",\"state_name\":\"Ohio\",\"county\":\"Wood County\"},"));
	CHECK(has(s, "{\"code\":\"139035\",\"part\":1,\"part_name\":\"northwest\",\"state\":"
	             "\"OH\",\"state_name\":\"Ohio\",\"county\":\"Cuyahoga County\"}"));
	CHECK(has(s, "{\"code\":\"039000\",\"part\":0,\"part_name\":\"all\",\"state\":\"OH\","
	             "\"state_name\":\"Ohio\",\"county\":\"All of Ohio\"}"));
	CHECK(has(s, "{\"code\":\"000000\",\"part\":0,\"part_name\":\"all\",\"state\":\"US\","
	             "\"state_name\":\"United States\",\"county\":\"All of United States\"}"));
	CHECK(has(s, "{\"code\":\"077275\",\"part\":0,\"part_name\":\"all\",\"state\":null,"
	             "\"state_name\":null,\"county\":\"Waters from Port Aransas to Matagorda Ship "
	             "Channel from 20 to 60 NM\",\"kind\":\"marine\",\"ugc\":\"GMZ275\"}"));
	CHECK(has(s, "{\"code\":\"002999\",\"part\":0,\"part_name\":\"all\",\"state\":\"AK\","
	             "\"state_name\":\"Alaska\",\"county\":null}]"));
	CHECK(has(s, "\"purge\":\"0030\",\"purge_minutes\":30,"));
	CHECK(has(
	    s, "\"issued\":\"2026-05-03T16:45:00.000Z\",\"expires\":\"2026-05-03T17:15:00.000Z\""));
	CHECK(has(s, "\"sender\":\"KCLE/NWS\""));
	same_header_id(h.raw, id);
	snprintf(want, sizeof want, "\"id\":\"%s\",\"bursts\":3,", id);
	CHECK(has(s, want));
	CHECK(s[j.len - 1] == '}');

	/* Unknown event and a day that does not exist near NOW: nulls. */
	CHECK(parse("ZCZC-CIV-QQQ-039173+0030-3661645-AB\"\\/CD -", 0) == 0);
	alert(&j, at(2026, 5, 3, 0, 0));
	s = j.buf;
	CHECK(has(s, "\"originator_name\":\"Civil authorities\""));
	CHECK(has(s, "\"event_name\":null,\"significance\":\"unknown\""));
	CHECK(has(s, "\"issued\":null,\"expires\":null"));
	CHECK(has(s, "\"sender\":\"AB\\\"\\\\/CD \""));
	CHECK(has(s, "\"raw\":\"ZCZC-CIV-QQQ-039173+0030-3661645-AB\\\"\\\\/CD -\""));
	eas_json_free(&j);

	/* The longest header. */
	char big[300];
	strcpy(big, "ZCZC-EAS-RWT-");
	for (int i = 0; i < 31; i++)
		sprintf(big + strlen(big), "%s0%05d", i ? "-" : "", 39001 + 2 * i);
	strcat(big, "+0030-1231645-KCLE/NWS-");
	CHECK(parse(big, 1) == 0);
	eas_json_init(&j);
	alert(&j, at(2026, 5, 3, 0, 0));
	CHECK(!j.oom);
	int n = 0;
	for (const char *p = j.buf; (p = strstr(p, "\"code\":")); p++)
		n++;
	CHECK(n == 31);
	CHECK(has(j.buf, "\"county\":\"Hamilton County\"}]")); /* 39061 */
	CHECK(has(j.buf, "\"significance\":\"test\""));
	eas_json_free(&j);
}

/* Every line type, written exactly, then read back through one field table. */
static void test_round_trip(void)
{
	struct eas_json j;
	struct eas_line_at a = {"mon \"1\"", 1777826710123LL, 72.5};
	char type[16], source[80], id[80], event[8], tone[16], state[32], lasterr[64];
	int64_t time_ms = 0, issued = 0, expires = 0, bursts = 0, samples = 0, rate = 0;
	double offset = 0, conf = 0, rms = 0, dur = 0;
	bool silence = true, clipping = true;
	struct eas_field f[] = {
	    {EAS_LF_TYPE, EAS_FIELD_STR, type, sizeof type, 0, 0},
	    {EAS_LF_SOURCE, EAS_FIELD_STR, source, sizeof source, 0, 0},
	    {EAS_LF_TIME, EAS_FIELD_TIME, &time_ms, 0, 0, 0},
	    {EAS_LF_OFFSET, EAS_FIELD_NUM, &offset, 0, 0, 0},
	    {EAS_LF_ID, EAS_FIELD_STR, id, sizeof id, 0, 0},
	    {EAS_LF_EVENT, EAS_FIELD_STR, event, sizeof event, 0, 0},
	    {EAS_LF_ISSUED, EAS_FIELD_TIME, &issued, 0, 0, 0},
	    {EAS_LF_EXPIRES, EAS_FIELD_TIME, &expires, 0, 0, 0},
	    {EAS_LF_BURSTS, EAS_FIELD_INT, &bursts, 0, 0, 0},
	    {"confidence", EAS_FIELD_NUM, &conf, 0, 0, 0},
	    {"tone", EAS_FIELD_STR, tone, sizeof tone, 0, 0},
	    {"duration_s", EAS_FIELD_NUM, &dur, 0, 0, 0},
	    {EAS_LF_SAMPLES, EAS_FIELD_INT, &samples, 0, 0, 0},
	    {"rms_dbfs", EAS_FIELD_NUM, &rms, 0, 0, 0},
	    {EAS_LF_SILENCE, EAS_FIELD_BOOL, &silence, 0, 0, 0},
	    {EAS_LF_CLIPPING, EAS_FIELD_BOOL, &clipping, 0, 0, 0},
	    {EAS_LF_STATE, EAS_FIELD_STR, state, sizeof state, 0, 0},
	    {"rate", EAS_FIELD_INT, &rate, 0, 0, 0},
	    {"last_error", EAS_FIELD_STR, lasterr, sizeof lasterr, 0, 0},
	};
	int nf = (int)(sizeof f / sizeof f[0]);
	eas_json_init(&j);

	/* alert */
	CHECK(parse("ZCZC-WXR-RWT-039173+0030-1231645-KCLE/NWS-", 0) == 0);
	eas_line_alert(&j, &h, 2, 1, 0.5, &a);
	CHECK(eas_line_read(j.buf, j.len, f, nf, err, sizeof err) == EAS_LINE_OK);
	CHECK_STR(type, "alert");
	CHECK_STR(source, "mon \"1\"");
	CHECK(time_ms == 1777826710123LL && offset == 72.5);
	CHECK_STR(event, "RWT");
	char want_id[17];
	same_header_id(h.raw, want_id);
	CHECK_STR(id, want_id);
	CHECK(issued == at(2026, 5, 3, 16, 45) && expires == issued + 30 * 60000);
	CHECK(bursts == 2 && conf == 0.5);
	CHECK(f[10].state == EAS_FIELD_ABSENT && f[12].state == EAS_FIELD_ABSENT);
	const char *end = "\"bursts\":2,\"bit_errors\":1,\"confidence\":0.500,"
	                  "\"source\":\"mon \\\"1\\\"\",\"time\":\"2026-05-03T16:45:10.123Z\","
	                  "\"offset_s\":72.500}";
	CHECK(j.len > strlen(end) && !strcmp(j.buf + j.len - strlen(end), end));

	/* eom */
	eas_line_eom(&j, 3, &a);
	CHECK_STR(j.buf, "{\"type\":\"eom\",\"bursts\":3,\"source\":\"mon \\\"1\\\"\","
	                 "\"time\":\"2026-05-03T16:45:10.123Z\",\"offset_s\":72.500}");
	CHECK(eas_line_read(j.buf, j.len, f, nf, err, sizeof err) == EAS_LINE_OK);
	CHECK_STR(type, "eom");
	CHECK(bursts == 3 && f[4].state == EAS_FIELD_ABSENT);

	/* attention */
	eas_line_attention(&j, "853+960", 8.016, &a);
	CHECK_STR(j.buf, "{\"type\":\"attention\",\"tone\":\"853+960\",\"duration_s\":8.02,"
	                 "\"source\":\"mon \\\"1\\\"\",\"time\":\"2026-05-03T16:45:10.123Z\","
	                 "\"offset_s\":72.500}");
	CHECK(eas_line_read(j.buf, j.len, f, nf, err, sizeof err) == EAS_LINE_OK);
	CHECK_STR(type, "attention");
	CHECK_STR(tone, "853+960");
	CHECK(fabs(dur - 8.02) < 1e-9);

	/* status */
	struct eas_line_levels lv = {110250, -20.04, -3.01, false, true, 7, 4.5};
	eas_line_status(&j, &lv, &a);
	CHECK_STR(j.buf,
	          "{\"type\":\"status\",\"source\":\"mon \\\"1\\\"\","
	          "\"time\":\"2026-05-03T16:45:10.123Z\",\"offset_s\":72.500,"
	          "\"samples\":110250,\"rms_dbfs\":-20.0,\"peak_dbfs\":-3.0,"
	          "\"silence\":false,\"clipping\":true,\"clipped_samples\":7,\"silence_s\":4.5}");
	CHECK(eas_line_read(j.buf, j.len, f, nf, err, sizeof err) == EAS_LINE_OK);
	CHECK_STR(type, "status");
	CHECK(samples == 110250 && rms == -20.0 && !silence && clipping);

	/* capture, before and after the format is known */
	struct eas_line_capture_info c = {1777826710123LL,
	                                  "wxr",
	                                  "http://x/y.mp3",
	                                  "running",
	                                  2,
	                                  22050,
	                                  22050,
	                                  NULL,
	                                  NULL,
	                                  0,
	                                  0,
	                                  NULL};
	eas_line_capture(&j, &c);
	CHECK_STR(j.buf, "{\"type\":\"capture\",\"time\":\"2026-05-03T16:45:10.123Z\","
	                 "\"source\":\"wxr\",\"input\":\"http://x/y.mp3\",\"state\":\"running\","
	                 "\"reconnects\":2,\"bytes_out\":44100,\"seconds_out\":1.000,"
	                 "\"rate\":22050,\"last_error\":null}");
	CHECK(eas_line_read(j.buf, j.len, f, nf, err, sizeof err) == EAS_LINE_OK);
	CHECK_STR(type, "capture");
	CHECK_STR(state, "running");
	CHECK(rate == 22050 && f[18].state == EAS_FIELD_NULL);
	c.format = "mp3";
	c.codec = "mp3float";
	c.input_rate = 44100;
	c.input_channels = 2;
	c.last_error = "timed out";
	eas_line_capture(&j, &c);
	CHECK(strstr(j.buf, "\"rate\":22050,\"format\":\"mp3\",\"codec\":\"mp3float\","
	                    "\"input_rate\":44100,\"input_channels\":2,"
	                    "\"last_error\":\"timed out\"}") != NULL);
	CHECK(eas_line_read(j.buf, j.len, f, nf, err, sizeof err) == EAS_LINE_OK);
	CHECK_STR(lasterr, "timed out");
	eas_json_free(&j);
}

/* The states a field can end in, and lines that are not one object. */
static void test_reader(void)
{
	char s[4];
	int64_t n = 0, t = 0;
	bool b = false;
	struct eas_field f[] = {
	    {"s", EAS_FIELD_STR, s, sizeof s, 0, 0},
	    {"n", EAS_FIELD_INT, &n, 0, 0, 0},
	    {"t", EAS_FIELD_TIME, &t, 0, 0, 0},
	    {"b", EAS_FIELD_BOOL, &b, 0, 0, 0},
	};
#define READ(lit) eas_line_read(lit, strlen(lit), f, 4, err, sizeof err)
	CHECK(READ("{\"s\":\"abc\",\"n\":-42,\"t\":\"2026-05-03T16:45:00Z\",\"b\":true}") == 0);
	CHECK_STR(s, "abc");
	CHECK(f[0].len == 3 && n == -42 && t == at(2026, 5, 3, 16, 45) && b);
	CHECK(READ("{\"s\":\"abcd\",\"n\":1.5,\"t\":\"soon\",\"b\":1}") == 0);
	for (int i = 0; i < 4; i++)
		CHECK(f[i].state == EAS_FIELD_BAD);
	CHECK(READ("{\"s\":null,\"x\":{\"n\":1},\"b\":[true]}") == 0);
	CHECK(f[0].state == EAS_FIELD_NULL && f[1].state == EAS_FIELD_ABSENT &&
	      f[2].state == EAS_FIELD_ABSENT && f[3].state == EAS_FIELD_BAD);
	CHECK(READ("{\"s\":\"a\\u0000\"}") == 0 && f[0].state == EAS_FIELD_BAD);
	CHECK(READ("{\"s\":\"x\",\"s\":\"y\"}") == 0 && !strcmp(s, "y"));
	CHECK(READ("[]") == EAS_LINE_BAD_JSON);
	CHECK_STR(err, "not a JSON object");
	CHECK(READ("{\"s\":") == EAS_LINE_BAD_JSON);
	CHECK(strncmp(err, "bad JSON near byte", 18) == 0);
#undef READ
}

/* A pair name of [a-z] only, for the PAIRS tests. */
static int lower_only(const char *s)
{
	for (; *s; s++)
		if (*s < 'a' || *s > 'z')
			return 0;
	return 1;
}

/* The reader's strict mode and its PAIRS rows (eas-ctl's commands are read so). */
static void test_reader_strict(void)
{
	static struct eas_pair pair[3];
	struct eas_pairs pairs = {pair, 3, lower_only};
	char id[8];
	int64_t seq = 0;
	struct eas_field f[] = {
	    {.name = "id", .type = EAS_FIELD_STR, .dest = id, .size = sizeof id},
	    {.name = "params", .type = EAS_FIELD_PAIRS, .dest = &pairs},
	    {.name = "seq", .type = EAS_FIELD_INT, .dest = &seq},
	};
#define READ(lit) eas_line_read_flags(lit, strlen(lit), f, 3, EAS_LINE_STRICT, err, sizeof err)
#define REFUSED(lit, why)                                                                          \
	do {                                                                                       \
		err[0] = '\0';                                                                     \
		CHECK(READ(lit) == EAS_LINE_BAD_FIELDS);                                           \
		CHECK_STR(err, why);                                                               \
	} while (0)
	/* the nested object captured as name/value pairs, in order, escapes undone */
	CHECK(READ("{\"id\":\"a1\",\"params\":{\"gain\":\"-3\",\"url\":\"a=\\\"b\\\"\"},"
	           "\"seq\":7}") == EAS_LINE_OK);
	CHECK(f[1].state == EAS_FIELD_OK && f[1].len == 2 && seq == 7);
	CHECK_STR(pair[0].name, "gain");
	CHECK_STR(pair[0].value, "-3");
	CHECK_STR(pair[1].name, "url");
	CHECK_STR(pair[1].value, "a=\"b\"");
	CHECK(READ("{\"params\":{}}") == EAS_LINE_OK && f[1].state == EAS_FIELD_OK &&
	      f[1].len == 0);
	/* a member given twice: refused in strict mode, the last one wins without it */
	REFUSED("{\"id\":\"a1\",\"seq\":1,\"id\":\"a2\"}", "member id given twice");
	REFUSED("{\"id\":null,\"id\":\"a2\"}", "member id given twice");
	REFUSED("{\"params\":{},\"params\":{}}", "member params given twice");
	const char *twice = "{\"id\":\"a1\",\"id\":\"a2\"}";
	CHECK(eas_line_read(twice, strlen(twice), f, 3, err, sizeof err) == EAS_LINE_OK);
	CHECK_STR(id, "a2");
	/* members the table does not name may repeat, and nest */
	CHECK(READ("{\"x\":1,\"x\":[{\"y\":{}}],\"id\":\"a1\"}") == EAS_LINE_OK);
	/* a container where a scalar is wanted, or an array for PAIRS */
	REFUSED("{\"seq\":[1]}", "member seq is an array");
	REFUSED("{\"id\":{}}", "member id is an object");
	REFUSED("{\"params\":[]}", "member params is an array");
	CHECK(READ("{\"params\":\"x\",\"seq\":null}") == EAS_LINE_OK);
	CHECK(f[1].state == EAS_FIELD_BAD && f[2].state == EAS_FIELD_NULL);
	/* the pairs' own rules */
	REFUSED("{\"params\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\"}}",
	        "more than 3 parameters");
	REFUSED("{\"params\":{\"a\":1}}", "parameter a is not a string");
	REFUSED("{\"params\":{\"a\":null}}", "parameter a is not a string");
	REFUSED("{\"params\":{\"a\":{\"b\":\"c\"}}}", "parameter a is not a string");
	REFUSED("{\"params\":{\"a\":[\"b\"]}}", "parameter a is not a string");
	REFUSED("{\"params\":{\"a\":\"x\\u0000y\"}}", "parameter a too long or holds a NUL");
	REFUSED("{\"params\":{\"Gain\":\"1\"}}", "bad parameter name \"Gain\"");
	REFUSED("{\"params\":{\"\":\"1\"}}", "bad parameter name \"\"");
	REFUSED("{\"params\":{\"a\\u0000b\":\"1\"}}", "bad parameter name \"a\"");
	REFUSED("{\"params\":{\"abcdefghijklmnopqrstuvwxyzabcdefg\":\"1\"}}",
	        "parameter name too long");
	REFUSED("{\"params\":{\"a\":\"1\",\"a\":\"2\"}}", "parameter a given twice");
	char big[EAS_PAIR_VALUE_MAX + 64];
	snprintf(big, sizeof big, "{\"params\":{\"a\":\"%0*d\"}}", EAS_PAIR_VALUE_MAX, 0);
	CHECK(READ(big) == EAS_LINE_OK && strlen(pair[0].value) == EAS_PAIR_VALUE_MAX);
	snprintf(big, sizeof big, "{\"params\":{\"a\":\"%0*d\"}}", EAS_PAIR_VALUE_MAX + 1, 0);
	REFUSED(big, "parameter a too long or holds a NUL");
	/* pairs refuse the line in the lenient mode too */
	const char *np = "{\"params\":{\"a\":true}}";
	CHECK(eas_line_read(np, strlen(np), f, 3, err, sizeof err) == EAS_LINE_BAD_FIELDS);
	/* what came before the fault is kept: a refusal can still name its id */
	REFUSED("{\"id\":\"a1\",\"params\":{\"a\":2},\"seq\":3}", "parameter a is not a string");
	CHECK(f[0].state == EAS_FIELD_OK && f[2].state == EAS_FIELD_ABSENT);
	CHECK_STR(id, "a1");
	CHECK(READ("{\"id\":\"a3\",\"seq\":") == EAS_LINE_BAD_JSON && f[0].state == EAS_FIELD_OK);
	CHECK_STR(id, "a3");
	CHECK(READ("[{\"id\":\"a1\"}]") == EAS_LINE_BAD_JSON);
	CHECK_STR(err, "not a JSON object");
	/* an integer out of int64_t is BAD, not clamped */
	CHECK(READ("{\"seq\":9223372036854775807}") == EAS_LINE_OK && seq == INT64_MAX);
	CHECK(READ("{\"seq\":9223372036854775808}") == EAS_LINE_OK && f[2].state == EAS_FIELD_BAD);
#undef REFUSED
#undef READ
}

/* eas-decode --record: the alert line's recording, and the recording line. */
static void test_recording(void)
{
	struct eas_json j;
	struct eas_line_at a = {"mon1", at(2026, 5, 3, 16, 45), 2.5};
	CHECK(parse("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-", 0) == 0);
	eas_json_init(&j);
	eas_line_alert_recorded(&j, &h, 3, 0, 1, "/rec/a.wav", &a);
	CHECK(has(j.buf, "\"confidence\":1.000,\"recording\":\"/rec/a.wav\",\"source\":\"mon1\""));
	eas_line_alert_recorded(&j, &h, 3, 0, 1, NULL, &a);
	CHECK(has(j.buf, "\"confidence\":1.000,\"recording\":null,\"source\""));
	eas_line_alert(&j, &h, 3, 0, 1, &a);
	CHECK(!strstr(j.buf, "recording"));

	struct eas_line_recording r = {
	    "903abd1acbe3eca2", "TOR", "/rec/a.wav", 21.4444, "eom", NULL};
	eas_line_recording(&j, &r, &a);
	CHECK_STR(j.buf, "{\"type\":\"recording\",\"id\":\"903abd1acbe3eca2\",\"event\":\"TOR\","
	                 "\"path\":\"/rec/a.wav\",\"duration_s\":21.444,\"ended_by\":\"eom\","
	                 "\"source\":\"mon1\",\"time\":\"2026-05-03T16:45:00.000Z\","
	                 "\"offset_s\":2.500}");
	/* what eas-publish reads of it */
	struct eas_line_head hd;
	char why[200];
	CHECK(eas_line_head(j.buf, j.len, NULL, "host", 0, &hd, why, sizeof why) == EAS_LINE_OK);
	CHECK(hd.type == 'R' && strncmp(hd.key, "rec-", 4) == 0 && strlen(hd.key) == 20);
	CHECK_STR(hd.source, "mon1");
	r.path = NULL, r.ended_by = "error", r.error = "No space left on device";
	eas_line_recording(&j, &r, &a);
	CHECK(has(j.buf, "\"path\":null,\"duration_s\":21.444,\"ended_by\":\"error\","
	                 "\"error\":\"No space left on device\",\"source\""));
	CHECK(!j.oom);
	eas_json_free(&j);
}

int main(void)
{
	test_alert_header_fields();
	test_round_trip();
	test_reader();
	test_reader_strict();
	test_recording();
	return t_done("test_lines");
}
