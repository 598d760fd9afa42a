/* test_publine.c: unit tests of eas-publish's input line checks (lib/lines' eas_line_head) and its
 * spool records (tools/eas-publish/line.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
/* the spool record functions are eas-publish's own: built in from its source */
#include "../../tools/eas-publish/line.c"
#include "t.h"

static struct eas_line_head pl;
static char err[300];

static int parse(const char *line, const char *force)
{
	err[0] = '\0';
	return eas_line_head(line, strlen(line), force, "host", 1000, &pl, err, sizeof err);
}

static int rparse(const char *rec, struct pub_record *r)
{
	return pub_record_parse(rec, strlen(rec), r);
}

/* Version 0 (before records had a version, as in tests/fixtures/spool-v0) and version 1
 * records, parsed, and replayed through a spool on disk. */
static void test_record_versions(void)
{
	static const char v0[] = "E\teom-10de25bde673917f\tfixmon\t1777826800500\t0\t0\t"
	                         "{\"type\":\"eom\",\"source\":\"fixmon\"}";
	struct pub_record r;
	CHECK(pub_record_parse(v0, strlen(v0), &r) == 0);
	CHECK(r.version == 0 && r.type == 'E' && r.line == 0);
	CHECK(r.keylen == 20 && !memcmp(r.key, "eom-10de25bde673917f", 20));
	CHECK(r.sourcelen == 6 && !memcmp(r.source, "fixmon", 6));
	CHECK(r.time_ms == 1777826800500LL && r.issued_ms == 0 && r.expires_ms == 0);
	CHECK(r.jsonlen == 32 && r.json[0] == '{');

	/* the current version: the version first, the line number before the JSON */
	struct eas_line_head l = {.type = 'A',
	                          .key = "00ab",
	                          .source = "mon 1",
	                          .time_ms = 5,
	                          .issued_ms = 6,
	                          .expires_ms = 7};
	char rec[512];
	int h = pub_record_header(&l, 42, rec, sizeof rec);
	CHECK(h > 0);
	CHECK(!strncmp(rec, "1\tA\t00ab\tmon 1\t5\t6\t7\t42\t", (size_t)h));
	strcpy(rec + h, "{\"a\":\"x\ty\"}"); /* a tab inside the JSON is the JSON's */
	CHECK(pub_record_parse(rec, strlen(rec), &r) == 0);
	CHECK(r.version == 1 && r.type == 'A' && r.line == 42 && r.expires_ms == 7);
	CHECK(r.keylen == 4 && r.sourcelen == 5 && r.jsonlen == 11);
	/* damaged, and of a version this binary does not know */
	CHECK(rparse("1\tA\tk\ts\t5\t6\t7\t{}", &r) == -1); /* no line */
	CHECK(rparse("1\tX\tk\ts\t5\t6\t7\t1\t{}", &r) == -1);
	CHECK(rparse("2\tA\tk\ts\t5\t6\t7\t1\tz\t{}", &r) == -2);
	CHECK(rparse("0\tA\tk\ts\t5\t6\t7\t1\t{}", &r) == -1);

	/* replay: an old record and a new one in one log, read from a cursor after reopening */
	char dir[] = "/tmp/test_publine.XXXXXX", why[256], buf[1024];
	const char *names[] = {"redis"};
	struct eas_spool sp;
	CHECK(mkdtemp(dir) != NULL);
	CHECK(eas_spool_open(&sp, dir, names, 1, why, sizeof why) == 0);
	CHECK(eas_spool_append(&sp, v0, strlen(v0)) == 0);
	CHECK(eas_spool_append(&sp, rec, strlen(rec)) == 0);
	eas_spool_close(&sp);
	CHECK(eas_spool_open(&sp, dir, names, 1, why, sizeof why) == 0);
	ssize_t n = eas_spool_read(&sp, eas_spool_pos(&sp, 0), buf, sizeof buf);
	CHECK(n == (ssize_t)(strlen(v0) + strlen(rec) + 2));
	char *nl = memchr(buf, '\n', (size_t)n);
	CHECK(nl && pub_record_parse(buf, (size_t)(nl - buf), &r) == 0 && r.version == 0 &&
	      r.type == 'E');
	char *second = nl + 1;
	nl = memchr(second, '\n', (size_t)(buf + n - second));
	CHECK(nl && pub_record_parse(second, (size_t)(nl - second), &r) == 0 && r.version == 1 &&
	      r.line == 42 && r.jsonlen == 11);
	eas_spool_close(&sp);
	snprintf(buf, sizeof buf, "rm -rf '%s'", dir);
	CHECK(system(buf) == 0);
}

int main(void)
{
	/* a whole alert line */
	CHECK(parse("{\"type\":\"alert\",\"id\":\"00ab\",\"source\":\"mon1\","
	            "\"time\":\"2026-05-03T16:45:10.123Z\",\"issued\":\"2026-05-03T16:45:00Z\","
	            "\"expires\":\"2026-05-03T17:15:00Z\",\"locations\":[{\"code\":\"039173\"}],"
	            "\"confidence\":1.0,\"bursts\":3,\"x\":null,\"y\":true}",
	            NULL) == EAS_LINE_OK);
	CHECK(pl.type == 'A');
	CHECK_STR(pl.key, "00ab");
	CHECK_STR(pl.source, "mon1");
	CHECK(pl.time_ms == 1777826710123LL);
	CHECK(pl.issued_ms == 1777826700000LL);
	CHECK(pl.expires_ms == 1777828500000LL);

	/* -s wins over the line's source; no source at all: the default */
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\",\"source\":\"mon1\"}", "forced") ==
	      EAS_LINE_OK);
	CHECK_STR(pl.source, "forced");
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\"}", NULL) == EAS_LINE_OK);
	CHECK_STR(pl.source, "host");
	CHECK(pl.time_ms == 1000);
	CHECK(pl.issued_ms == 0 && pl.expires_ms == 0);

	/* members inside nested values are not the line's own */
	CHECK(parse("{\"loc\":{\"type\":\"eom\",\"id\":\"zz\"},\"type\":\"alert\",\"id\":\"a1\","
	            "\"arr\":[{\"source\":\"bad\\u0001\"}]}",
	            NULL) == EAS_LINE_OK);
	CHECK(pl.type == 'A');
	CHECK_STR(pl.key, "a1");
	CHECK_STR(pl.source, "host");

	/* escapes are decoded before the checks */
	CHECK(parse("{\"type\":\"al\\u0065rt\",\"id\":\"a\\/b\"}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK(strstr(err, "field \"id\"") != NULL);
	CHECK(parse("{\"type\":\"al\\u0065rt\",\"id\":\"a\\u002db\"}", NULL) == EAS_LINE_OK);
	CHECK_STR(pl.key, "a-b");

	/* without an id, the id eas-decode would give the raw header */
	CHECK(parse("{\"type\":\"alert\",\"raw\":\"ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-\"}",
	            NULL) == EAS_LINE_OK);
	CHECK(strlen(pl.key) == 16);
	char id1[KEY_MAX + 1];
	strcpy(id1, pl.key);
	CHECK(parse("{\"type\":\"alert\",\"raw\":\"ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-\","
	            "\"source\":\"other\"}",
	            NULL) == EAS_LINE_OK);
	CHECK_STR(pl.key, id1);

	/* eom: a key from source, time and offset; the same line gives the same key */
	CHECK(parse("{\"type\":\"eom\",\"source\":\"m\",\"time\":\"2026-05-03T16:46:10.123Z\","
	            "\"offset_s\":72.5}",
	            NULL) == EAS_LINE_OK);
	CHECK(pl.type == 'E');
	CHECK(strncmp(pl.key, "eom-", 4) == 0 && strlen(pl.key) == 20);
	strcpy(id1, pl.key);
	CHECK(parse("{\"offset_s\":72.500,\"time\":\"2026-05-03T16:46:10.123Z\",\"source\":\"m\","
	            "\"type\":\"eom\"}",
	            NULL) == EAS_LINE_OK);
	CHECK_STR(pl.key, id1);
	CHECK(parse("{\"type\":\"eom\",\"source\":\"m\",\"offset_s\":72.6}", NULL) == EAS_LINE_OK);
	CHECK(strcmp(pl.key, id1) != 0);
	/* a huge offset (found by make fuzz: it overflowed the hash's buffer) */
	CHECK(parse("{\"type\":\"eom\",\"offset_s\":1e308}", NULL) == EAS_LINE_OK);
	CHECK(strncmp(pl.key, "eom-", 4) == 0);
	CHECK(parse("{\"type\":\"eom\",\"offset_s\":-1e999}", NULL) == EAS_LINE_OK);
	CHECK(parse("{\"type\":\"eom\",\"offset_s\":4452222222222222222222222222222222222222222222"
	            "22222222222222222222222222222222222222}",
	            NULL) == EAS_LINE_OK);
	CHECK(parse("{\"type\":\"eom\",\"source\":\"m\"}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK(strstr(err, "eom without") != NULL);
	CHECK(parse("{\"type\":\"eom\",\"offset_s\":\"72\"}", NULL) == EAS_LINE_BAD_FIELDS);

	/* recording: needs its alert's id; a key from source, id and path */
	CHECK(parse("{\"type\":\"recording\",\"id\":\"903abd1acbe3eca2\",\"path\":\"/r/a.wav\","
	            "\"duration_s\":21.4,\"ended_by\":\"eom\",\"source\":\"m\"}",
	            NULL) == EAS_LINE_OK);
	CHECK(pl.type == 'R');
	CHECK(strncmp(pl.key, "rec-", 4) == 0 && strlen(pl.key) == 20);
	strcpy(id1, pl.key);
	CHECK(parse("{\"ended_by\":\"eom\",\"path\":\"/r/a.wav\",\"source\":\"m\","
	            "\"type\":\"recording\",\"id\":\"903abd1acbe3eca2\"}",
	            NULL) == EAS_LINE_OK);
	CHECK_STR(pl.key, id1);
	CHECK(parse("{\"type\":\"recording\",\"id\":\"903abd1acbe3eca2\",\"path\":\"/r/a.wav\","
	            "\"source\":\"other\"}",
	            NULL) == EAS_LINE_OK);
	CHECK(strcmp(pl.key, id1) != 0);
	CHECK(parse("{\"type\":\"recording\",\"id\":\"903abd1acbe3eca2\",\"path\":null,"
	            "\"ended_by\":\"error\",\"time\":\"2026-05-03T16:46:10.123Z\"}",
	            NULL) == EAS_LINE_OK);
	CHECK(pl.type == 'R' && strcmp(pl.key, id1) != 0);
	CHECK(parse("{\"type\":\"recording\",\"path\":\"/r/a.wav\"}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK(strstr(err, "recording without its alert's \"id\"") != NULL);
	CHECK(parse("{\"type\":\"recording\",\"id\":\"a b\"}", NULL) == EAS_LINE_BAD_FIELDS);
	{
		char hdr[512];
		struct pub_record r;
		const char *line = "{\"type\":\"recording\",\"id\":\"x\"}";
		CHECK(parse(line, NULL) == EAS_LINE_OK);
		int h = pub_record_header(&pl, 7, hdr, sizeof hdr);
		CHECK(h > 0);
		snprintf(hdr + h, sizeof hdr - (size_t)h, "%s", line);
		CHECK(pub_record_parse(hdr, strlen(hdr), &r) == 0 && r.type == 'R' &&
		      r.version == PUB_RECORD_VERSION);
		CHECK(r.jsonlen == strlen(line));
	}

	/* other types */
	CHECK(parse("{\"type\":\"status\",\"rms_dbfs\":-20.5}", NULL) == EAS_LINE_OK &&
	      pl.type == 'S');
	CHECK(parse("{\"type\":\"attention\",\"tone\":\"1050\"}", NULL) == EAS_LINE_OK &&
	      pl.type == 'O');

	/* not JSON, or not one object */
	CHECK(parse("this is not json", NULL) == EAS_LINE_BAD_JSON);
	CHECK(strncmp(err, "bad JSON", 8) == 0);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\"", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\"}}", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\"} {}", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\",}", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("{'type':'alert'}", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("{\"type\":\"alert\" /* c */}", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("{\"n\":01}", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("{\"n\":NaN}", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("{\"s\":\"tab\there\"}", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("{\"s\":\"\xff\xfe\"}", NULL) == EAS_LINE_BAD_JSON); /* not UTF-8 */
	CHECK(parse("[1,2,3]", NULL) == EAS_LINE_BAD_JSON);
	CHECK(strstr(err, "not a JSON object") != NULL);
	CHECK(parse("42", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("\"alert\"", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("null", NULL) == EAS_LINE_BAD_JSON);
	CHECK(parse("", NULL) == EAS_LINE_BAD_JSON);

	/* fields missing or wrong */
	CHECK(parse("{\"no\":\"type\"}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK_STR(err, "missing field \"type\"");
	CHECK(parse("{\"type\":7}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK(parse("{\"type\":\"alert\",\"source\":\"m\"}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK(strstr(err, "without \"id\" or \"raw\"") != NULL);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"has space\"}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK(parse("{\"type\":\"alert\",\"id\":17}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"\"}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\\u0000b\"}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\",\"expires\":\"tomorrow\"}", NULL) ==
	      EAS_LINE_BAD_FIELDS);
	CHECK_STR(err, "field \"expires\" is not an RFC 3339 time");
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\",\"expires\":null}", NULL) == EAS_LINE_OK);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\",\"time\":[1]}", NULL) == EAS_LINE_BAD_FIELDS);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\",\"source\":\"\"}", NULL) ==
	      EAS_LINE_BAD_FIELDS);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\",\"source\":\"a\\nb\"}", NULL) ==
	      EAS_LINE_BAD_FIELDS);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"a\",\"source\":{}}", NULL) ==
	      EAS_LINE_BAD_FIELDS);

	/* an id of KEY_MAX characters is kept, one more is refused; a long value
	 * elsewhere is fine */
	char line[4096], big[2048];
	memset(big, 'k', KEY_MAX);
	big[KEY_MAX] = '\0';
	snprintf(line, sizeof line, "{\"type\":\"alert\",\"id\":\"%s\"}", big);
	CHECK(parse(line, NULL) == EAS_LINE_OK && strlen(pl.key) == KEY_MAX);
	snprintf(line, sizeof line, "{\"type\":\"alert\",\"id\":\"%sk\"}", big);
	CHECK(parse(line, NULL) == EAS_LINE_BAD_FIELDS);
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(line, sizeof line, "{\"type\":\"alert\",\"id\":\"a\",\"note\":\"%s\"}", big);
	CHECK(parse(line, NULL) == EAS_LINE_OK);
	snprintf(line, sizeof line, "{\"type\":\"alert\",\"id\":\"a\",\"source\":\"%s\"}", big);
	CHECK(parse(line, NULL) == EAS_LINE_BAD_FIELDS);
	/* deep nesting is only a value */
	char deep[600];
	size_t n = 0;
	n += (size_t)snprintf(deep, sizeof deep, "{\"type\":\"status\",\"d\":");
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	for (int i = 0; i < 100; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	CHECK(parse(deep, NULL) == EAS_LINE_OK && pl.type == 'S');

	/* spool records: header + line, split back */
	CHECK(parse("{\"type\":\"alert\",\"id\":\"x1\",\"source\":\"s\\tt\"}", NULL) ==
	      EAS_LINE_BAD_FIELDS);
	CHECK(parse("{\"type\":\"alert\",\"id\":\"x1\",\"source\":\"s t\","
	            "\"expires\":\"2036-05-03T17:15:00Z\"}",
	            NULL) == EAS_LINE_OK);
	char rec[512];
	int h = pub_record_header(&pl, 0, rec, sizeof rec);
	CHECK(h > 0);
	strcpy(rec + h, "{\"json\":1}");
	struct pub_record r;
	CHECK(pub_record_parse(rec, strlen(rec), &r) == 0);
	CHECK(r.type == 'A' && r.keylen == 2 && !memcmp(r.key, "x1", 2));
	CHECK(r.sourcelen == 3 && !memcmp(r.source, "s t", 3));
	CHECK(r.expires_ms == pl.expires_ms && r.time_ms == 1000);
	CHECK(r.jsonlen == 10 && !memcmp(r.json, "{\"json\":1}", 10));
	CHECK(pub_record_parse("A\tx1\ts", 6, &r) == -1);
	CHECK(pub_record_parse("Q\tx1\ts\t1\t2\t3\t{}", 14, &r) == -1);
	CHECK(pub_record_parse("A\tx1\ts\t1\tz\t3\t{}", 14, &r) == -1);
	test_record_versions();
	return t_done("test_publine");
}
