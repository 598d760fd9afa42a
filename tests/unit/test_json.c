/* test_json.c: unit tests of the JSON writer (lib/json.c) and the time helpers (lib/timeutil.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "t.h"
#include "timeutil.h"

/* The JSON text of one string value S (N bytes). */
static const char *strval(struct eas_json *j, const char *s, size_t n)
{
	eas_json_reset(j);
	eas_json_strn(j, s, n);
	return j->buf;
}

#define STRV(j, lit) strval((j), (lit), sizeof(lit) - 1)

static void test_structure(void)
{
	struct eas_json j;
	eas_json_init(&j);
	CHECK(j.buf == NULL && j.len == 0);

	eas_json_obj_begin(&j);
	eas_json_obj_end(&j);
	CHECK_STR(j.buf, "{}");

	eas_json_reset(&j);
	CHECK_STR(j.buf, "");
	CHECK(j.len == 0 && j.depth == 0);
	eas_json_arr_begin(&j);
	eas_json_arr_end(&j);
	CHECK_STR(j.buf, "[]");

	eas_json_reset(&j);
	eas_json_obj_begin(&j);
	eas_json_key_str(&j, "type", "alert");
	eas_json_key_int(&j, "n", -42);
	eas_json_key_num(&j, "x", 1.25, 2);
	eas_json_key_bool(&j, "t", true);
	eas_json_key_bool(&j, "f", false);
	eas_json_key(&j, "z");
	eas_json_null(&j);
	eas_json_key_str(&j, "s", NULL);
	eas_json_key(&j, "a");
	eas_json_arr_begin(&j);
	eas_json_int(&j, 1);
	eas_json_str(&j, "two");
	eas_json_obj_begin(&j);
	eas_json_key_int(&j, "k", 3);
	eas_json_obj_end(&j);
	eas_json_arr_begin(&j);
	eas_json_arr_end(&j);
	eas_json_obj_begin(&j);
	eas_json_obj_end(&j);
	eas_json_arr_end(&j);
	eas_json_key(&j, "r");
	eas_json_raw(&j, "{\"pre\":[1,2]}");
	eas_json_key(&j, "o");
	eas_json_obj_begin(&j);
	eas_json_obj_end(&j);
	eas_json_obj_end(&j);
	CHECK_STR(j.buf,
	          "{\"type\":\"alert\",\"n\":-42,\"x\":1.25,\"t\":true,\"f\":false,\"z\":null,"
	          "\"s\":null,\"a\":[1,\"two\",{\"k\":3},[],{}],\"r\":{\"pre\":[1,2]},"
	          "\"o\":{}}");
	CHECK(j.len == strlen(j.buf));
	CHECK(j.depth == 0);
	CHECK(!j.oom);

	/* Reset keeps the memory and starts a fresh object without a stray comma. */
	char *before = j.buf;
	eas_json_reset(&j);
	CHECK(j.buf == before);
	eas_json_obj_begin(&j);
	eas_json_key_int(&j, "a", 1);
	eas_json_obj_end(&j);
	CHECK_STR(j.buf, "{\"a\":1}");

	/* Two objects one after the other (JSON lines built in one buffer). */
	eas_json_obj_begin(&j);
	eas_json_obj_end(&j);
	CHECK_STR(j.buf, "{\"a\":1}{}");

	/* Keys are escaped like values. */
	eas_json_reset(&j);
	eas_json_obj_begin(&j);
	eas_json_key_str(&j, "a\"b", "c");
	eas_json_obj_end(&j);
	CHECK_STR(j.buf, "{\"a\\\"b\":\"c\"}");

	/* Integers at the ends of the range. */
	eas_json_reset(&j);
	eas_json_arr_begin(&j);
	eas_json_int(&j, INT64_MAX);
	eas_json_int(&j, INT64_MIN);
	eas_json_int(&j, 0);
	eas_json_arr_end(&j);
	CHECK_STR(j.buf, "[9223372036854775807,-9223372036854775808,0]");

	/* Growth well past the first allocation. */
	eas_json_reset(&j);
	eas_json_arr_begin(&j);
	for (int i = 0; i < 10000; i++)
		eas_json_int(&j, i);
	eas_json_arr_end(&j);
	CHECK(!j.oom);
	CHECK(j.len == strlen(j.buf));
	CHECK(strncmp(j.buf, "[0,1,2,", 7) == 0);
	CHECK(strcmp(j.buf + j.len - 11, ",9998,9999]") == 0);

	/* Deep nesting still balances. */
	eas_json_reset(&j);
	for (int i = 0; i < 40; i++)
		eas_json_arr_begin(&j);
	for (int i = 0; i < 40; i++)
		eas_json_arr_end(&j);
	CHECK(j.depth == 0);
	CHECK(j.len == 80);

	eas_json_free(&j);
	CHECK(j.buf == NULL && j.len == 0 && j.cap == 0);
	eas_json_free(&j); /* twice is harmless */
}

static void test_numbers(void)
{
	struct eas_json j;
	eas_json_init(&j);
#define NUM(v, d, want)                                                                            \
	do {                                                                                       \
		eas_json_reset(&j);                                                                \
		eas_json_num(&j, (v), (d));                                                        \
		CHECK_STR(j.buf, (want));                                                          \
	} while (0)
	NUM(1.5, 1, "1.5");
	NUM(1.25, 0, "1");
	NUM(-2.5, 3, "-2.500");
	NUM(0.0, 2, "0.00");
	NUM(-0.0, 2, "0.00");
	NUM(-0.001, 2, "0.00"); /* rounds to zero: no "-0.00" */
	NUM(-0.4, 0, "0");
	NUM(-0.6, 0, "-1");
	NUM(-10.0, 0, "-10");
	NUM(3.14159, -1, "3");               /* negative decimals: none */
	NUM(0.5, 40, "0.50000000000000000"); /* capped at 17 */
	NUM(NAN, 2, "null");
	NUM(INFINITY, 2, "null");
	NUM(-INFINITY, 2, "null");
	/* Large magnitudes are written in full, not cut short. */
	NUM(1e20, 0, "100000000000000000000");
	eas_json_reset(&j);
	eas_json_num(&j, 1e300, 3);
	CHECK(j.len == 305 &&
	      strncmp(j.buf, "1000000000000000052504760255204420248704468581108159154", 55) == 0);
	CHECK(strcmp(j.buf + j.len - 4, ".000") == 0);
	CHECK(strtod(j.buf, NULL) == 1e300);
	eas_json_reset(&j);
	eas_json_num(&j, -1.7976931348623157e308, 17);
	CHECK(j.buf[0] == '-' && strtod(j.buf, NULL) == -1.7976931348623157e308);
	CHECK(strchr(j.buf, '.') && strlen(strchr(j.buf, '.')) == 18);

	/* In an array, commas as usual. */
	eas_json_reset(&j);
	eas_json_arr_begin(&j);
	eas_json_num(&j, 1, 0);
	eas_json_num(&j, NAN, 0);
	eas_json_num(&j, 2, 1);
	eas_json_arr_end(&j);
	CHECK_STR(j.buf, "[1,null,2.0]");
	eas_json_free(&j);
#undef NUM
}

static void test_strings(void)
{
	struct eas_json j;
	eas_json_init(&j);
	CHECK_STR(STRV(&j, ""), "\"\"");
	CHECK_STR(STRV(&j, "plain"), "\"plain\"");
	CHECK_STR(STRV(&j, "q\"b\\s/"), "\"q\\\"b\\\\s/\"");
	CHECK_STR(STRV(&j, "a\nb\rc\td"), "\"a\\nb\\rc\\td\"");
	CHECK_STR(STRV(&j, "\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
	CHECK_STR(STRV(&j, "\b\f"), "\"\\u0008\\u000c\"");
	/* A NUL inside a counted string is escaped, not the end. */
	CHECK_STR(STRV(&j, "a\0b"), "\"a\\u0000b\"");

	/* Valid UTF-8 passes through: 2, 3 and 4 bytes, and the extremes. */
	CHECK_STR(STRV(&j, "Do\xc3\xb1"
	                   "a Ana"),
	          "\"Do\xc3\xb1"
	          "a Ana\"");
	CHECK_STR(STRV(&j, "\xe2\x82\xac"), "\"\xe2\x82\xac\"");         /* U+20AC */
	CHECK_STR(STRV(&j, "\xf0\x9f\x8c\xaa"), "\"\xf0\x9f\x8c\xaa\""); /* U+1F32A */
	CHECK_STR(STRV(&j, "\xc2\x80"), "\"\xc2\x80\"");                 /* U+0080 */
	CHECK_STR(STRV(&j, "\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");         /* U+D7FF */
	CHECK_STR(STRV(&j, "\xee\x80\x80"), "\"\xee\x80\x80\"");         /* U+E000 */
	CHECK_STR(STRV(&j, "\xef\xbf\xbf"), "\"\xef\xbf\xbf\"");         /* U+FFFF */
	CHECK_STR(STRV(&j, "\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	CHECK_STR(STRV(&j, "\xe0\xa0\x80"), "\"\xe0\xa0\x80\"");         /* U+0800 */
	CHECK_STR(STRV(&j, "\xf0\x90\x80\x80"), "\"\xf0\x90\x80\x80\""); /* U+10000 */

#define R "\xef\xbf\xbd" /* U+FFFD */
	/* Invalid bytes become U+FFFD, one per byte that starts no valid sequence. */
	CHECK_STR(STRV(&j, "\x80"), "\"" R "\"");
	CHECK_STR(STRV(&j, "\xbf"), "\"" R "\"");
	CHECK_STR(STRV(&j, "\xc0\xaf"), "\"" R R "\""); /* overlong '/' */
	CHECK_STR(STRV(&j, "\xc1\xbf"), "\"" R R "\"");
	CHECK_STR(STRV(&j, "\xf5\x80\x80\x80"), "\"" R R R R "\"");
	CHECK_STR(STRV(&j, "\xff"), "\"" R "\"");
	CHECK_STR(STRV(&j, "\xfe"), "\"" R "\"");
	CHECK_STR(STRV(&j, "a\xc3"), "\"a" R "\"");           /* cut short at the end */
	CHECK_STR(STRV(&j, "\xe2\x82"), "\"" R R "\"");       /* cut short */
	CHECK_STR(STRV(&j, "\xe2\x82z"), "\"" R R "z\"");     /* interrupted */
	CHECK_STR(STRV(&j, "\xf0\x9f\x8c"), "\"" R R R "\""); /* cut short */
	CHECK_STR(STRV(&j, "\xc3\"x"), "\"" R "\\\"x\"");     /* the quote is not swallowed */
	/* Overlong 3- and 4-byte forms, UTF-16 surrogates and code points past U+10FFFF
	 * are not valid UTF-8 either. */
	CHECK_STR(STRV(&j, "\xe0\x80\xaf"), "\"" R R R "\"");
	CHECK_STR(STRV(&j, "\xe0\x9f\xbf"), "\"" R R R "\"");
	CHECK_STR(STRV(&j, "\xed\xa0\x80"), "\"" R R R "\""); /* U+D800 */
	CHECK_STR(STRV(&j, "\xed\xbf\xbf"), "\"" R R R "\""); /* U+DFFF */
	CHECK_STR(STRV(&j, "\xf0\x80\x80\xaf"), "\"" R R R R "\"");
	CHECK_STR(STRV(&j, "\xf0\x8f\xbf\xbf"), "\"" R R R R "\"");
	CHECK_STR(STRV(&j, "\xf4\x90\x80\x80"), "\"" R R R R "\""); /* U+110000 */
#undef R

	/* eas_json_str stops at the NUL; NULL is null. */
	eas_json_reset(&j);
	eas_json_str(&j, "ab\0cd");
	CHECK_STR(j.buf, "\"ab\"");
	eas_json_reset(&j);
	eas_json_str(&j, NULL);
	CHECK_STR(j.buf, "null");
	/* strn never reads past N. */
	char *p = malloc(3);
	memcpy(p, "abc", 3);
	eas_json_reset(&j);
	eas_json_strn(&j, p, 3);
	CHECK_STR(j.buf, "\"abc\"");
	memcpy(p, "a\xe2\x82", 3);
	eas_json_reset(&j);
	eas_json_strn(&j, p, 3);
	CHECK_STR(j.buf, "\"a\xef\xbf\xbd\xef\xbf\xbd\"");
	free(p);
	eas_json_free(&j);
}

static int64_t at(int y, int mo, int d, int hh, int mm, int ss, int ms)
{
	return (eas_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mm * 60 +
	        ss) *
	           1000 +
	       ms;
}

static void test_civil(void)
{
	CHECK(eas_days_from_civil(1970, 1, 1) == 0);
	CHECK(eas_days_from_civil(1970, 1, 2) == 1);
	CHECK(eas_days_from_civil(1969, 12, 31) == -1);
	CHECK(eas_days_from_civil(2000, 3, 1) == 11017);
	CHECK(eas_days_from_civil(2024, 2, 29) == 19782);
	CHECK(eas_days_from_civil(2024, 3, 1) == 19783);
	CHECK(eas_days_from_civil(2026, 11, 22) == 20779);
	CHECK(eas_days_from_civil(1600, 1, 1) == -135140);

	/* Round trip every day from 1899 to 2101. */
	int ok = 1;
	for (int64_t z = eas_days_from_civil(1899, 1, 1); z <= eas_days_from_civil(2101, 12, 31);
	     z++) {
		int64_t y;
		unsigned m, d;
		eas_civil_from_days(z, &y, &m, &d);
		if (eas_days_from_civil(y, m, d) != z || m < 1 || m > 12 || d < 1 || d > 31)
			ok = 0;
	}
	CHECK(ok);
	int64_t y;
	unsigned m, d;
	eas_civil_from_days(19782, &y, &m, &d);
	CHECK(y == 2024 && m == 2 && d == 29);
	eas_civil_from_days(-1, &y, &m, &d);
	CHECK(y == 1969 && m == 12 && d == 31);
	eas_civil_from_days(eas_days_from_civil(2100, 2, 28) + 1, &y, &m, &d);
	CHECK(y == 2100 && m == 3 && d == 1); /* 2100 is not a leap year */
}

static void test_rfc3339(void)
{
	char b[32];
	CHECK_STR(eas_rfc3339_ms(0, b, sizeof b), "1970-01-01T00:00:00.000Z");
	CHECK_STR(eas_rfc3339_ms(1, b, sizeof b), "1970-01-01T00:00:00.001Z");
	CHECK_STR(eas_rfc3339_ms(-1, b, sizeof b), "1969-12-31T23:59:59.999Z");
	CHECK_STR(eas_rfc3339_ms(-1000, b, sizeof b), "1969-12-31T23:59:59.000Z");
	CHECK_STR(eas_rfc3339_ms(-86400000, b, sizeof b), "1969-12-31T00:00:00.000Z");
	CHECK_STR(eas_rfc3339_ms(at(2026, 11, 22, 14, 5, 9, 123), b, sizeof b),
	          "2026-11-22T14:05:09.123Z");
	CHECK_STR(eas_rfc3339_ms(at(2024, 2, 29, 23, 59, 59, 999), b, sizeof b),
	          "2024-02-29T23:59:59.999Z");
	CHECK_STR(eas_rfc3339_ms(at(2026, 12, 31, 23, 59, 59, 999) + 1, b, sizeof b),
	          "2027-01-01T00:00:00.000Z");
	CHECK_STR(eas_rfc3339_ms(4102444800000LL, b, sizeof b), "2100-01-01T00:00:00.000Z");
	/* Returns BUF; a short buffer is cut, still terminated. */
	CHECK(eas_rfc3339_ms(0, b, sizeof b) == b);
	char s[11];
	eas_rfc3339_ms(0, s, sizeof s);
	CHECK_STR(s, "1970-01-01");

	int64_t now = eas_now_ms();
	CHECK(now > at(2020, 1, 1, 0, 0, 0, 0));
	CHECK(now < at(2200, 1, 1, 0, 0, 0, 0));
}

static void test_parse_time(void)
{
	int64_t ms = -7;
#define OK(text, want)                                                                             \
	do {                                                                                       \
		ms = -7;                                                                           \
		CHECK(eas_parse_time((text), &ms) == 0);                                           \
		CHECK(ms == (want));                                                               \
	} while (0)
#define NO(text) CHECK(eas_parse_time((text), &ms) == -1)

	OK("2026-11-22T14:05:09Z", at(2026, 11, 22, 14, 5, 9, 0));
	OK("2026-11-22T14:05:09.123Z", at(2026, 11, 22, 14, 5, 9, 123));
	OK("2026-11-22T14:05:09.1Z", at(2026, 11, 22, 14, 5, 9, 100));
	OK("2026-11-22T14:05:09.12", at(2026, 11, 22, 14, 5, 9, 120));
	OK("2026-11-22T14:05:09.123456789Z", at(2026, 11, 22, 14, 5, 9, 123));
	OK("2026-11-22T14:05:09+00:00", at(2026, 11, 22, 14, 5, 9, 0));
	OK("2026-11-22t14:05:09z", at(2026, 11, 22, 14, 5, 9, 0));
	OK("2026-11-22 14:05:09", at(2026, 11, 22, 14, 5, 9, 0));
	OK("2026-11-22T14:05", at(2026, 11, 22, 14, 5, 0, 0));
	OK("2026-11-22T14:05Z", at(2026, 11, 22, 14, 5, 0, 0));
	/* Offsets (issue 17): the instant is the same in every zone. */
	OK("2026-11-22T16:05:09+02:00", at(2026, 11, 22, 14, 5, 9, 0));
	OK("2026-11-22T09:35:09.250-04:30", at(2026, 11, 22, 14, 5, 9, 250));
	OK("2026-11-22T14:05:09-00:00", at(2026, 11, 22, 14, 5, 9, 0));
	OK("2027-01-01T01:00:00+02:00", at(2026, 12, 31, 23, 0, 0, 0));
	OK("2024-02-29T12:00:00Z", at(2024, 2, 29, 12, 0, 0, 0));
	OK("9999-12-31T23:59:59.999Z", at(9999, 12, 31, 23, 59, 59, 999));
	OK("253402300799", 253402300799000LL);
	NO("253402300800");   /* past 9999 */
	NO("99999999999999"); /* the year 3170843 */
	NO("9999-12-31T23:00:00-01:00");
	NO("2026-11-22T14:05:09+24:00");
	NO("2026-11-22T14:05:09+02:60");
	NO("2026-11-22T14:05:09+0200");
	NO("2026-11-22T14:05:09+02");
	/* A date alone has no time of day: refused. */
	NO("2026-11-22");
	NO("2024-02-29");
	OK("1969-12-31T23:59:59Z", -1000);
	OK("0", 0);
	OK("1700000000", 1700000000000LL);
	OK("2026-12-31T23:59:60Z", at(2027, 1, 1, 0, 0, 0, 0)); /* a leap second */
	CHECK(eas_parse_time("now", &ms) == 0 && ms > at(2020, 1, 1, 0, 0, 0, 0));

	NO(NULL);
	NO("");
	NO("yesterday");
	OK("2026", 2026000); /* all digits: epoch seconds */
	NO("2026-11");
	NO("2026-11-");
	NO("2026-1-22");
	NO("2026/11/22");
	NO("2026-11-22T");
	NO("2026-11-22T14");
	NO("2026-11-22T14:");
	NO("2026-11-22T14:5");
	NO("2026-11-22T14:05:");
	NO("2026-11-22T14:05:09.");
	NO("2026-11-22T14:05:09.Z");
	NO("2026-11-22T14:05:09ZZ");
	NO("2026-11-22T14:05:09 ");
	NO("2026-11-22X");
	NO("2026-00-22T00:00Z");
	NO("2026-13-22T00:00Z");
	NO("2026-11-00T00:00Z");
	NO("2026-11-32T00:00Z");
	NO("2026-11-22T24:00:00Z");
	NO("2026-11-22T14:60:00Z");
	NO("2026-11-22T14:05:61Z");
	/* Days that are not in the month. */
	NO("2026-02-29T00:00:00Z");
	NO("2026-02-30T00:00:00Z");
	NO("2026-04-31T00:00:00Z");
	NO("2100-02-29T00:00:00Z");
	OK("2000-02-29T00:00Z", at(2000, 2, 29, 0, 0, 0, 0));
	OK("2026-01-31T00:00Z", at(2026, 1, 31, 0, 0, 0, 0));
	OK("2026-12-31T00:00Z", at(2026, 12, 31, 0, 0, 0, 0));
	NO("-5");
	NO("12abc");
	NO("1234567890123456"); /* 16 digits: too many for epoch seconds */
#undef OK
#undef NO
}

int main(void)
{
	test_structure();
	test_numbers();
	test_strings();
	test_civil();
	test_rfc3339();
	test_parse_time();
	return t_done("test_json");
}
