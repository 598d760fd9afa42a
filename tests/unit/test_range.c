/* test_range.c: unit tests of eas-watch's threshold ranges and perfdata items (lib/range.c). */
#include <math.h>
#include <string.h>

#include "range.h"
#include "t.h"

static struct watch_range r;
static char err[200];

static int parse(const char *s)
{
	err[0] = '\0';
	return watch_range_parse(s, &r, err, sizeof err);
}

int main(void)
{
	/* "10": outside 0..10 */
	CHECK(parse("10") == 0 && r.set && !r.inside);
	CHECK(watch_range_alert(&r, -0.5));
	CHECK(!watch_range_alert(&r, 0));
	CHECK(!watch_range_alert(&r, 10));
	CHECK(watch_range_alert(&r, 10.01));
	CHECK_STR(r.text, "10");

	/* "10:": below 10 */
	CHECK(parse("10:") == 0 && r.hi_inf);
	CHECK(watch_range_alert(&r, 9.99));
	CHECK(!watch_range_alert(&r, 10));
	CHECK(!watch_range_alert(&r, 1e9));

	/* "~:10": above 10 */
	CHECK(parse("~:10") == 0 && r.lo_inf);
	CHECK(!watch_range_alert(&r, -1e9));
	CHECK(!watch_range_alert(&r, 10));
	CHECK(watch_range_alert(&r, 10.5));

	/* "10:20": outside; "@10:20": inside, ends included */
	CHECK(parse("10:20") == 0);
	CHECK(watch_range_alert(&r, 9) && watch_range_alert(&r, 21));
	CHECK(!watch_range_alert(&r, 10) && !watch_range_alert(&r, 20));
	CHECK(parse("@10:20") == 0 && r.inside);
	CHECK(watch_range_alert(&r, 10) && watch_range_alert(&r, 15) && watch_range_alert(&r, 20));
	CHECK(!watch_range_alert(&r, 9.9) && !watch_range_alert(&r, 20.1));

	/* negative bounds (dBFS levels), fractions, exponents */
	CHECK(parse("-60:") == 0 && r.lo == -60);
	CHECK(watch_range_alert(&r, -61) && !watch_range_alert(&r, -59.5));
	CHECK(parse("-60:-3.5") == 0 && r.hi == -3.5);
	CHECK(parse("@~:-50") == 0 && watch_range_alert(&r, -70) && !watch_range_alert(&r, -40));
	CHECK(parse("1e1") == 0 && r.hi == 10);
	CHECK(parse(":5") == 0 && r.lo == 0 && r.hi == 5);
	CHECK(parse("~:") == 0 && !watch_range_alert(&r, 1e300) && !watch_range_alert(&r, -1e300));

	/* NaN alerts; an unset range never does */
	CHECK(parse("10") == 0 && watch_range_alert(&r, NAN));
	struct watch_range none = {0};
	CHECK(!watch_range_alert(&none, 1e9) && !watch_range_alert(&none, NAN));

	/* bad ranges: refused with a reason, the range left unset */
	const char *bad[] = {
	    "",     "abc",   "20:10", "@",    "~",
	    "10:x", "x:10",  "1:2:3", "inf",  "nan",
	    "0x10", " 10",   "10 ",   "~~:1", "@@1",
	    "--1",  "1e999", "~10",   "10:~", "0123456789012345678901234567890123456789012345678"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse(bad[i]);
		CHECK(rc == -1);
		CHECK(!r.set && err[0] != '\0');
		if (rc == 0)
			fprintf(stderr, "accepted bad range \"%s\"\n", bad[i]);
	}
	CHECK(parse("20:10") == -1 && strstr(err, "greater") != NULL);

	/* perfdata items */
	char buf[256] = "";
	size_t used = 0;
	CHECK(watch_perf_add(buf, sizeof buf, &used, "wxr age", 3, 0, "s", "", "15", true, 0, false,
	                     0) == 0);
	CHECK_STR(buf, "'wxr age'=3s;;15;0;");
	CHECK(watch_perf_add(buf, sizeof buf, &used, "it's=x\n", -23.456, 1, "dB",
	                     "-40:", "-60:", false, 0, true, 0) == 0);
	CHECK_STR(buf, "'wxr age'=3s;;15;0; 'it_s_x'=-23.5;-40:;-60:;;0");
	CHECK(used == strlen(buf));
	CHECK(watch_perf_add(buf, sizeof buf, &used, "never", NAN, 0, "s", "", "15", true, 0, false,
	                     0) == 0);
	CHECK(strstr(buf, " 'never'=U;;15;0;") != NULL);
	char small[20] = "";
	size_t u2 = 0;
	CHECK(watch_perf_add(small, sizeof small, &u2, "a-long-label-here", 1, 0, "", NULL, NULL,
	                     false, 0, false, 0) == -1);
	CHECK(u2 == 0 && small[0] == '\0');
	return t_done("test_range");
}
