/* test_rules.c: unit tests of the rules a header as sent keeps (same_field_usual(): event codes,
 * places, purge steps, issue times, sender characters), which the decoder weighs marginal
 * headers by. */
#include "same_header.h"
#include "t.h"

static void test_event(void)
{
	CHECK(same_field_usual(SAME_F_EVENT, "TOR"));
	CHECK(same_field_usual(SAME_F_EVENT, "RWT"));
	CHECK(same_field_usual(SAME_F_EVENT, "SQW")); /* snow squall warning, added 2018 */
	CHECK(!same_field_usual(SAME_F_EVENT, "TOQ"));
	CHECK(!same_field_usual(SAME_F_EVENT, "ZZZ"));
	CHECK(!same_field_usual(SAME_F_EVENT, "tor"));
}

static void test_location(void)
{
	CHECK(same_field_usual(SAME_F_LOCATION, "039173"));  /* Wood County, Ohio */
	CHECK(same_field_usual(SAME_F_LOCATION, "948041"));  /* the P digit is free */
	CHECK(same_field_usual(SAME_F_LOCATION, "039000"));  /* all of Ohio */
	CHECK(same_field_usual(SAME_F_LOCATION, "000000"));  /* the whole country */
	CHECK(same_field_usual(SAME_F_LOCATION, "077650"));  /* a Gulf of Mexico marine zone */
	CHECK(!same_field_usual(SAME_F_LOCATION, "077000")); /* a marine area is no state */
	CHECK(same_field_usual(SAME_F_LOCATION, "009110"));  /* a Connecticut planning region */
	CHECK(same_field_usual(SAME_F_LOCATION, "046113"));  /* retired (Shannon), still sent */
	/* Tennessee's counties are odd numbers 1..189 */
	CHECK(same_field_usual(SAME_F_LOCATION, "047115"));
	CHECK(!same_field_usual(SAME_F_LOCATION, "047195"));
	CHECK(!same_field_usual(SAME_F_LOCATION, "047116"));
	CHECK(!same_field_usual(SAME_F_LOCATION, "003000")); /* no state 03 */
	CHECK(!same_field_usual(SAME_F_LOCATION, "0391X3"));
}

static void test_purge(void)
{
	static const char *const ok[] = {"0015", "0030", "0045", "0100", "0130", "0600", "1200"};
	static const char *const bad[] = {"0000", "0020", "0115", "0145", "0160", "00A5"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		CHECK(same_field_usual(SAME_F_PURGE, ok[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!same_field_usual(SAME_F_PURGE, bad[i]));
}

static void test_issued(void)
{
	CHECK(same_field_usual(SAME_F_ISSUED, "0010000"));
	CHECK(same_field_usual(SAME_F_ISSUED, "3662359"));
	CHECK(!same_field_usual(SAME_F_ISSUED, "0001200")); /* day 0: sent by some, no date */
	CHECK(!same_field_usual(SAME_F_ISSUED, "3671200")); /* day 367 */
	CHECK(!same_field_usual(SAME_F_ISSUED, "1232400")); /* hour 24 */
	CHECK(!same_field_usual(SAME_F_ISSUED, "1231260")); /* minute 60 */
	CHECK(!same_field_usual(SAME_F_ISSUED, "12312 0"));
}

static void test_sender(void)
{
	static const char ok[] = "AZ09 /().";
	static const char bad[] = "az#@=!_-~\"";
	for (const char *c = ok; *c; c++)
		CHECK(same_field_usual(SAME_F_SENDER, c));
	for (const char *c = bad; *c; c++)
		CHECK(!same_field_usual(SAME_F_SENDER, c));
	CHECK(!same_field_usual(SAME_F_SENDER, "")); /* NUL */
	/* an unknown field */
	CHECK(!same_field_usual((enum same_field)99, "TOR"));
	CHECK(same_field_len((enum same_field)99) == 0);
	CHECK(same_field_len(SAME_F_EVENT) == 3 && same_field_len(SAME_F_LOCATION) == 6 &&
	      same_field_len(SAME_F_PURGE) == 4 && same_field_len(SAME_F_ISSUED) == 7 &&
	      same_field_len(SAME_F_SENDER) == 1);
}

int main(void)
{
	test_event();
	test_location();
	test_purge();
	test_issued();
	test_sender();
	return t_done("test_rules");
}
