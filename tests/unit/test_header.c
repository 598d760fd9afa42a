/* test_header.c: unit tests of the SAME header parser, names, times and id (lib/same_header.c);
 * its alert line is tested in test_lines.c, the place table in test_places.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "same_header.h"
#include "t.h"
#include "timeutil.h"

#define GOOD "ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-"

static char err[256];
static struct same_header h;

static int parse(const char *s, int flags)
{
	return same_header_parse(s, strlen(s), flags, &h, err, sizeof err);
}

/* S must fail in MODE with exactly the message WANT. */
#define BAD(s, flags, want)                                                                        \
	do {                                                                                       \
		CHECK(parse((s), (flags)) == -1);                                                  \
		CHECK_STR(err, (want));                                                            \
	} while (0)

/* S must fail in both modes with the message WANT. */
#define BAD2(s, want)                                                                              \
	do {                                                                                       \
		BAD((s), SAME_PARSE_RECEIVED, (want));                                             \
		BAD((s), SAME_PARSE_STRICT, (want));                                               \
	} while (0)

static int64_t at(int y, int mo, int d, int hh, int mm)
{
	return (eas_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mm * 60) *
	       1000;
}

static void test_valid(void)
{
	CHECK(parse(GOOD, SAME_PARSE_STRICT) == 0);
	CHECK_STR(err, "");
	CHECK_STR(h.raw, GOOD);
	CHECK_STR(h.originator, "WXR");
	CHECK_STR(h.event, "TOR");
	CHECK(h.nloc == 1);
	CHECK_STR(h.loc[0].code, "039173");
	CHECK(h.loc[0].part == 0 && h.loc[0].state == 39 && h.loc[0].county == 173);
	CHECK_STR(h.purge, "0030");
	CHECK(h.purge_minutes == 30);
	CHECK(h.issued_day == 123 && h.issued_hour == 16 && h.issued_minute == 45);
	CHECK_STR(h.sender, "KCLE/NWS");
	CHECK(strlen(h.raw) == 42);

	CHECK(parse("ZCZC-CIV-EVI-139035-939173-000000+0100-0010000-ABCDEFGH-", 1) == 0);
	CHECK(h.nloc == 3);
	CHECK(h.loc[0].part == 1 && h.loc[0].state == 39 && h.loc[0].county == 35);
	CHECK(h.loc[1].part == 9);
	CHECK(h.loc[2].state == 0 && h.loc[2].county == 0);
	CHECK(h.purge_minutes == 60);
	CHECK(h.issued_day == 1 && h.issued_hour == 0 && h.issued_minute == 0);

	/* Edges of the ranges; spaces and other printable bytes in the sender. */
	CHECK(parse("ZCZC-PEP-EAN-000000+9930-3662359-WJON/TV -", 1) == 0);
	CHECK(h.purge_minutes == 99 * 60 + 30);
	CHECK(h.issued_day == 366 && h.issued_hour == 23 && h.issued_minute == 59);
	CHECK_STR(h.sender, "WJON/TV ");
	CHECK(parse("ZCZC-EAS-RWT-012057+0015-0010000-        -", 1) == 0);
	CHECK_STR(h.sender, "        ");
	CHECK(parse("ZCZC-EAS-RWT-012057+0015-0010000-~!\"#$%&'-", 1) == 0);
	CHECK(parse("ZCZC-EAS-RWT-012057+0015-0010000-+()*,./:-", 1) == 0);

	/* Real headers, as heard (bench/truth). */
	static const char *real[] = {
	    "ZCZC-PEP-NPT-000000+0030-2771820-TEST    -",
	    "ZCZC-WXR-SVR-012079-013019-013027-013075-013185-013173+0130-0462024-N0C4LL  -",
	    "ZCZC-WXR-RWT-020103-020209-020091-020121-029047-029165-029095-029037+0030-3650000-"
	    "KEAX/NWS-",
	    "ZCZC-WXR-SMW-077275+1030-3060237-WJON/TV -",
	    "ZCZC-CIV-RMT-039000+0100-3161448-ERN/KLT -",
	    "ZCZC-CIV-LEW-004013+1000-3032318-WOLF/IP -",
	    "ZCZC-EAS-RWT-042001-042071-042133+0300-3040858-WJON/TV -",
	};
	for (size_t i = 0; i < sizeof real / sizeof real[0]; i++) {
		CHECK(parse(real[i], SAME_PARSE_RECEIVED) == 0);
		CHECK(parse(real[i], SAME_PARSE_STRICT) == 0);
	}

	/* A failed parse leaves *h alone. */
	CHECK(parse(GOOD, 0) == 0);
	CHECK(parse("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWSX-", 0) == -1);
	CHECK_STR(h.raw, GOOD);

	/* ERR may be NULL or tiny. */
	CHECK(same_header_parse("xx", 2, 0, &h, NULL, 0) == -1);
	char tiny[4] = "zzz";
	CHECK(same_header_parse("xx", 2, 0, &h, tiny, sizeof tiny) == -1);
	CHECK(strlen(tiny) == 3);
	CHECK(same_header_parse(NULL, 0, 0, &h, err, sizeof err) == -1);

	/* LEN bounds the header: bytes after it are not looked at. */
	char buf[64];
	strcpy(buf, GOOD "garbage");
	CHECK(same_header_parse(buf, strlen(GOOD), 1, &h, err, sizeof err) == 0);
	CHECK_STR(h.raw, GOOD);
}

static void test_prefix_originator_event(void)
{
	BAD2("", "missing \"ZCZC-\" prefix");
	BAD2("NNNN", "missing \"ZCZC-\" prefix");
	BAD2("ZCZC", "missing \"ZCZC-\" prefix");
	BAD2("zczc-WXR-TOR-039173+0030-1231645-KCLE/NWS-", "missing \"ZCZC-\" prefix");
	BAD2(" ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-", "missing \"ZCZC-\" prefix");
	BAD2("ZCZCWXR-TOR-039173+0030-1231645-KCLE/NWS-", "missing \"ZCZC-\" prefix");

	BAD2("ZCZC-XYZ-TOR-039173+0030-1231645-KCLE/NWS-", "unknown originator \"XYZ\"");
	BAD2("ZCZC-wxr-TOR-039173+0030-1231645-KCLE/NWS-", "unknown originator \"wxr\"");
	BAD2("ZCZC-WX1-TOR-039173+0030-1231645-KCLE/NWS-", "unknown originator \"WX1\"");
	BAD2("ZCZC-WXRX-TOR-039173+0030-1231645-KCLE/NWS-", "originator \"WXRX\": not 3 letters");
	BAD2("ZCZC-WX-TOR-039173+0030-1231645-KCLE/NWS-", "originator \"WX\": not 3 letters");
	BAD2("ZCZC--TOR-039173+0030-1231645-KCLE/NWS-", "originator \"\": not 3 letters");
	BAD2("ZCZC-WXR", "truncated in the originator \"WXR\"");
	static const char *orgs[] = {"EAS", "CIV", "WXR", "PEP"};
	for (int i = 0; i < 4; i++) {
		char s[64];
		snprintf(s, sizeof s, "ZCZC-%s-RWT-039173+0030-1231645-KCLE/NWS-", orgs[i]);
		CHECK(parse(s, 0) == 0);
		CHECK(parse(s, 1) == 0);
	}

	/* Any three letters as received; only known ones when strict. */
	CHECK(parse("ZCZC-WXR-QQQ-039173+0030-1231645-KCLE/NWS-", SAME_PARSE_RECEIVED) == 0);
	CHECK_STR(h.event, "QQQ");
	BAD("ZCZC-WXR-QQQ-039173+0030-1231645-KCLE/NWS-", SAME_PARSE_STRICT,
	    "unknown event \"QQQ\"");
	CHECK(parse("ZCZC-WXR-EAT-039173+0030-1231645-KCLE/NWS-", SAME_PARSE_RECEIVED) == 0);
	BAD("ZCZC-WXR-EAT-039173+0030-1231645-KCLE/NWS-", SAME_PARSE_STRICT,
	    "event \"EAT\": retired code, not for sending");
	BAD2("ZCZC-WXR-T0R-039173+0030-1231645-KCLE/NWS-",
	     "event \"T0R\": not 3 uppercase letters");
	BAD2("ZCZC-WXR-tor-039173+0030-1231645-KCLE/NWS-",
	     "event \"tor\": not 3 uppercase letters");
	BAD2("ZCZC-WXR-TORN-039173+0030-1231645-KCLE/NWS-",
	     "event \"TORN\": not 3 uppercase letters");
	BAD2("ZCZC-WXR-TO-039173+0030-1231645-KCLE/NWS-", "event \"TO\": not 3 uppercase letters");
	BAD2("ZCZC-WXR-T+R-039173+0030-1231645-KCLE/NWS-",
	     "event \"T+R\": not 3 uppercase letters");
	BAD2("ZCZC-WXR-TOR", "truncated in the event \"TOR\"");
}

static void test_locations(void)
{
	BAD2("ZCZC-WXR-TOR-039173-039035-03917X+0030-1231645-KCLE/NWS-",
	     "location 3 \"03917X\": not 6 digits");
	BAD2("ZCZC-WXR-TOR-03917+0030-1231645-KCLE/NWS-", "location 1 \"03917\": not 6 digits");
	BAD2("ZCZC-WXR-TOR-0391730+0030-1231645-KCLE/NWS-", "location 1 \"0391730\": not 6 digits");
	BAD2("ZCZC-WXR-TOR-+0030-1231645-KCLE/NWS-", "location 1 \"\": not 6 digits");
	BAD2("ZCZC-WXR-TOR-039173-+0030-1231645-KCLE/NWS-", "location 2 \"\": not 6 digits");
	BAD2("ZCZC-WXR-TOR-039173--039035+0030-1231645-KCLE/NWS-", "location 2 \"\": not 6 digits");
	BAD2("ZCZC-WXR-TOR- 39173+0030-1231645-KCLE/NWS-", "location 1 \" 39173\": not 6 digits");
	BAD2("ZCZC-WXR-TOR-039173", "truncated in location 1 \"039173\"");
	BAD2("ZCZC-WXR-TOR-039173-039035", "truncated in location 2 \"039035\"");
	/* No '+': the locations run into the rest. */
	BAD2("ZCZC-WXR-TOR-039173-0030-1231645-KCLE/NWS-", "location 2 \"0030\": not 6 digits");

	/* 31 locations is the maximum and makes the longest header, 252 characters. */
	char s[400];
	strcpy(s, "ZCZC-WXR-TOR-");
	for (int i = 0; i < 31; i++)
		sprintf(s + strlen(s), "%s%d%05d", i ? "-" : "", i % 10, 39001 + 2 * i);
	strcat(s, "+0030-1231645-KCLE/NWS-");
	CHECK(strlen(s) == SAME_HEADER_MAX);
	CHECK(parse(s, SAME_PARSE_STRICT) == 0);
	CHECK(h.nloc == 31);
	CHECK_STR(h.loc[30].code, "039061");
	CHECK(h.loc[30].part == 0 && h.loc[30].county == 61);
	CHECK(h.loc[29].part == 9);
	CHECK_STR(h.raw, s);
	CHECK_STR(h.sender, "KCLE/NWS");
	/* Every truncation of the longest header fails too. */
	for (size_t n = 0; n < strlen(s); n++)
		CHECK(same_header_parse(s, n, 0, &h, err, sizeof err) == -1);

	/* 32 are refused. */
	char *plus = strchr(s, '+');
	memmove(plus + 7, plus, strlen(plus) + 1);
	memcpy(plus, "-039099", 7);
	CHECK(strlen(s) == SAME_HEADER_MAX + 7);
	BAD2(s, "more than 31 locations");
	/* ... and 40. */
	for (int i = 0; i < 8; i++) {
		plus = strchr(s, '+');
		memmove(plus + 7, plus, strlen(plus) + 1);
		memcpy(plus, "-039101", 7);
	}
	BAD2(s, "more than 31 locations");
}

static void test_purge(void)
{
	static const char *strict_ok[] = {"0015", "0030", "0045", "0100", "0130", "0200",
	                                  "0230", "0600", "1030", "2400", "9900", "9930"};
	static const char *strict_bad[] = {"0000", "0005", "0010", "0020", "0050", "0059",
	                                   "0115", "0145", "0101", "0229", "9945", "0001"};
	char s[64];
	for (size_t i = 0; i < sizeof strict_ok / sizeof strict_ok[0]; i++) {
		snprintf(s, sizeof s, "ZCZC-WXR-TOR-039173+%s-1231645-KCLE/NWS-", strict_ok[i]);
		CHECK(parse(s, SAME_PARSE_STRICT) == 0);
		CHECK(parse(s, SAME_PARSE_RECEIVED) == 0);
		CHECK_STR(h.purge, strict_ok[i]);
		CHECK(h.purge_minutes == atoi(strict_ok[i]) / 100 * 60 + atoi(strict_ok[i]) % 100);
	}
	for (size_t i = 0; i < sizeof strict_bad / sizeof strict_bad[0]; i++) {
		char want[64];
		snprintf(s, sizeof s, "ZCZC-WXR-TOR-039173+%s-1231645-KCLE/NWS-", strict_bad[i]);
		snprintf(want, sizeof want, "purge \"%s\": not a legal duration", strict_bad[i]);
		BAD(s, SAME_PARSE_STRICT, want);
		/* As received, any HHMM with MM < 60 is taken. */
		CHECK(parse(s, SAME_PARSE_RECEIVED) == 0);
	}
	CHECK(parse("ZCZC-WXR-TOR-039173+0000-1231645-KCLE/NWS-", 0) == 0);
	CHECK(h.purge_minutes == 0);
	CHECK(parse("ZCZC-WXR-TOR-039173+0159-1231645-KCLE/NWS-", 0) == 0);
	CHECK(h.purge_minutes == 119);
	BAD("ZCZC-WXR-TOR-039173+0060-1231645-KCLE/NWS-", SAME_PARSE_RECEIVED,
	    "purge \"0060\": minutes 60 not in 00..59");
	BAD("ZCZC-WXR-TOR-039173+0099-1231645-KCLE/NWS-", SAME_PARSE_RECEIVED,
	    "purge \"0099\": minutes 99 not in 00..59");
	BAD("ZCZC-WXR-TOR-039173+0060-1231645-KCLE/NWS-", SAME_PARSE_STRICT,
	    "purge \"0060\": not a legal duration");
	BAD2("ZCZC-WXR-TOR-039173+003-1231645-KCLE/NWS-", "purge \"003\": not 4 digits");
	BAD2("ZCZC-WXR-TOR-039173+00300-1231645-KCLE/NWS-", "purge \"00300\": not 4 digits");
	BAD2("ZCZC-WXR-TOR-039173+00A0-1231645-KCLE/NWS-", "purge \"00A0\": not 4 digits");
	BAD2("ZCZC-WXR-TOR-039173++0030-1231645-KCLE/NWS-", "purge \"+0030\": not 4 digits");
	BAD2("ZCZC-WXR-TOR-039173+0030", "truncated in the purge time \"0030\"");
}

static void test_issued(void)
{
	/* day 000 is heard from some encoders: kept when received, refused for sending */
	CHECK(parse("ZCZC-WXR-TOR-039173+0030-0001645-KCLE/NWS-", SAME_PARSE_RECEIVED) == 0);
	CHECK(h.issued_day == 0);
	BAD("ZCZC-WXR-TOR-039173+0030-0001645-KCLE/NWS-", SAME_PARSE_STRICT,
	    "issue time \"0001645\": day 000 not in 001..366");
	BAD2("ZCZC-WXR-TOR-039173+0030-3671645-KCLE/NWS-",
	     "issue time \"3671645\": day 367 not in 001..366");
	BAD2("ZCZC-WXR-TOR-039173+0030-9991645-KCLE/NWS-",
	     "issue time \"9991645\": day 999 not in 001..366");
	BAD2("ZCZC-WXR-TOR-039173+0030-1232400-KCLE/NWS-",
	     "issue time \"1232400\": hour 24 not in 00..23");
	BAD2("ZCZC-WXR-TOR-039173+0030-1231660-KCLE/NWS-",
	     "issue time \"1231660\": minute 60 not in 00..59");
	BAD2("ZCZC-WXR-TOR-039173+0030-123164-KCLE/NWS-",
	     "issue time \"123164\": not 7 digits (JJJHHMM)");
	BAD2("ZCZC-WXR-TOR-039173+0030-12316450-KCLE/NWS-",
	     "issue time \"12316450\": not 7 digits (JJJHHMM)");
	BAD2("ZCZC-WXR-TOR-039173+0030-123164X-KCLE/NWS-",
	     "issue time \"123164X\": not 7 digits (JJJHHMM)");
	BAD2("ZCZC-WXR-TOR-039173+0030-1231645", "truncated in the issue time \"1231645\"");
}

static void test_sender(void)
{
	/* a shorter sender is kept as heard, but never sent */
	CHECK(parse("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NW-", SAME_PARSE_RECEIVED) == 0);
	CHECK_STR(h.sender, "KCLE/NW");
	CHECK(parse("ZCZC-EAS-RWT-012057+0030-2780415-WTSP/TV-", SAME_PARSE_RECEIVED) == 0);
	CHECK_STR(h.sender, "WTSP/TV");
	BAD("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NW-", SAME_PARSE_STRICT,
	    "sender \"KCLE/NW\": must be 8 characters");
	BAD("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NW-X", SAME_PARSE_RECEIVED,
	    "sender \"KCLE/NW\": must be 8 characters");
	BAD2("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWSX-",
	     "sender \"KCLE/NWSX\": must be 8 characters");
	BAD2("ZCZC-WXR-TOR-039173+0030-1231645--", "sender \"\": must be 8 characters");
	BAD2("ZCZC-WXR-TOR-039173+0030-1231645-KC-E/NWS-",
	     "reserved character '-' in sender \"KC-E/NWS\"");
	BAD2("ZCZC-WXR-TOR-039173+0030-1231645--CLE/NWS-",
	     "reserved character '-' in sender \"-CLE/NWS\"");
	BAD2("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS", "missing '-' after the sender");
	BAD2("ZCZC-WXR-TOR-039173+0030-1231645-KCLE", "truncated in the sender \"KCLE\"");
	BAD2("ZCZC-WXR-TOR-039173+0030-1231645-", "truncated in the sender \"\"");
	BAD2("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWSXX",
	     "sender \"KCLE/NWSXX\": must be 8 characters");
	BAD2(GOOD "X", "trailing characters after the sender");
	BAD2(GOOD "-", "trailing characters after the sender");
	BAD2(GOOD " ", "trailing characters after the sender");
	BAD2(GOOD GOOD, "trailing characters after the sender");
	BAD2(GOOD "NNNN", "trailing characters after the sender");

	/* Longer than any header, and not because of its locations. */
	char s[600];
	strcpy(s, GOOD);
	memset(s + strlen(s), 'X', 300);
	s[42 + 300] = '\0';
	BAD2(s, "header too long: 342 characters, at most 252");
}

/* Every byte outside 0x20..0x7e, at every position, is refused; so is every truncation. */
static void test_bytes_and_truncation(void)
{
	const char *good = GOOD;
	size_t len = strlen(good);
	char s[64], want[64];
	static const unsigned char bad[] = {0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1f,
	                                    0x7f, 0x80, 0xa0, 0xc3, 0xfe, 0xff};
	for (size_t i = 0; i < len; i++) {
		for (size_t k = 0; k < sizeof bad; k++) {
			memcpy(s, good, len);
			s[i] = (char)bad[k];
			snprintf(want, sizeof want, "non-printable byte 0x%02x at offset %zu",
			         bad[k], i);
			CHECK(same_header_parse(s, len, 0, &h, err, sizeof err) == -1);
			CHECK_STR(err, want);
			CHECK(same_header_parse(s, len, 1, &h, err, sizeof err) == -1);
		}
	}
	/* A NUL counted in LEN is an error like any other control byte. */
	memcpy(s, good, len);
	s[len] = '\0';
	CHECK(same_header_parse(s, len + 1, 0, &h, err, sizeof err) == -1);
	CHECK_STR(err, "non-printable byte 0x00 at offset 42");

	/* Truncated at every length, in both modes, from a heap copy of exactly
	 * that length so that a read past LEN shows under ASan. */
	int all_failed = 1, all_said = 1;
	for (size_t n = 0; n < len; n++) {
		for (int flags = 0; flags <= 1; flags++) {
			char *p = malloc(n ? n : 1);
			memcpy(p, good, n);
			err[0] = '\0';
			if (same_header_parse(p, n, flags, &h, err, sizeof err) != -1)
				all_failed = 0;
			if (!err[0])
				all_said = 0;
			free(p);
		}
	}
	CHECK(all_failed);
	CHECK(all_said);
	char *p = malloc(len);
	memcpy(p, good, len);
	CHECK(same_header_parse(p, len, 1, &h, err, sizeof err) == 0);
	free(p);
}

static void test_names(void)
{
	CHECK_STR(same_originator_name("WXR"), "National Weather Service");
	CHECK_STR(same_originator_name("CIV"), "Civil authorities");
	CHECK_STR(same_originator_name("PEP"), "Primary Entry Point System");
	CHECK_STR(same_originator_name("EAS"), "Broadcast station or cable system");
	CHECK(same_originator_name("XYZ") == NULL);
	CHECK(same_originator_name("") == NULL);
	CHECK(same_originator_name("WX") == NULL);
	CHECK(same_originator_name(NULL) == NULL);

	static const struct {
		const char *code, *name, *sig;
	} ev[] = {
	    {"ADR", "Administrative Message", "statement"},
	    {"AVA", "Avalanche Watch", "watch"},
	    {"AVW", "Avalanche Warning", "warning"},
	    {"BLU", "Blue Alert", "warning"},
	    {"BZW", "Blizzard Warning", "warning"},
	    {"CAE", "Child Abduction Emergency", "emergency"},
	    {"CDW", "Civil Danger Warning", "warning"},
	    {"CEM", "Civil Emergency Message", "warning"},
	    {"CFA", "Coastal Flood Watch", "watch"},
	    {"CFW", "Coastal Flood Warning", "warning"},
	    {"DMO", "Practice/Demo Warning", "test"},
	    {"DSW", "Dust Storm Warning", "warning"},
	    {"EAN", "Emergency Action Notification", "emergency"},
	    {"EAT", "Emergency Action Termination", "statement"},
	    {"EQW", "Earthquake Warning", "warning"},
	    {"EVI", "Evacuation Immediate", "warning"},
	    {"EWW", "Extreme Wind Warning", "warning"},
	    {"FFA", "Flash Flood Watch", "watch"},
	    {"FFS", "Flash Flood Statement", "statement"},
	    {"FFW", "Flash Flood Warning", "warning"},
	    {"FLA", "Flood Watch", "watch"},
	    {"FLS", "Flood Statement", "statement"},
	    {"FLW", "Flood Warning", "warning"},
	    {"FRW", "Fire Warning", "warning"},
	    {"FSW", "Flash Freeze Warning", "warning"},
	    {"FZW", "Freeze Warning", "warning"},
	    {"HLS", "Hurricane Statement", "statement"},
	    {"HMW", "Hazardous Materials Warning", "warning"},
	    {"HUA", "Hurricane Watch", "watch"},
	    {"HUW", "Hurricane Warning", "warning"},
	    {"HWA", "High Wind Watch", "watch"},
	    {"HWW", "High Wind Warning", "warning"},
	    {"LAE", "Local Area Emergency", "emergency"},
	    {"LEW", "Law Enforcement Warning", "warning"},
	    {"MEP", "Missing and Endangered Persons", "statement"},
	    {"NAT", "National Audible Test", "test"},
	    {"NIC", "National Information Center", "statement"},
	    {"NMN", "Network Message Notification", "statement"},
	    {"NPT", "National Periodic Test", "test"},
	    {"NST", "National Silent Test", "test"},
	    {"NUW", "Nuclear Power Plant Warning", "warning"},
	    {"RHW", "Radiological Hazard Warning", "warning"},
	    {"RMT", "Required Monthly Test", "test"},
	    {"RWT", "Required Weekly Test", "test"},
	    {"SMW", "Special Marine Warning", "warning"},
	    {"SPS", "Special Weather Statement", "statement"},
	    {"SPW", "Shelter in Place Warning", "warning"},
	    {"SQW", "Snow Squall Warning", "warning"},
	    {"SSA", "Storm Surge Watch", "watch"},
	    {"SSW", "Storm Surge Warning", "warning"},
	    {"SVA", "Severe Thunderstorm Watch", "watch"},
	    {"SVR", "Severe Thunderstorm Warning", "warning"},
	    {"SVS", "Severe Weather Statement", "statement"},
	    {"TOA", "Tornado Watch", "watch"},
	    {"TOE", "911 Telephone Outage Emergency", "emergency"},
	    {"TOR", "Tornado Warning", "warning"},
	    {"TRA", "Tropical Storm Watch", "watch"},
	    {"TRW", "Tropical Storm Warning", "warning"},
	    {"TSA", "Tsunami Watch", "watch"},
	    {"TSW", "Tsunami Warning", "warning"},
	    {"VOW", "Volcano Warning", "warning"},
	    {"WSA", "Winter Storm Watch", "watch"},
	    {"WSW", "Winter Storm Warning", "warning"},
	};
	for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
		char s[64];
		CHECK_STR(same_event_name(ev[i].code), ev[i].name);
		CHECK_STR(same_event_significance(ev[i].code), ev[i].sig);
		/* Every known code except the retired EAT may be sent. */
		snprintf(s, sizeof s, "ZCZC-WXR-%s-039173+0030-1231645-KCLE/NWS-", ev[i].code);
		CHECK(parse(s, SAME_PARSE_STRICT) == (strcmp(ev[i].code, "EAT") ? 0 : -1));
	}
	CHECK(same_event_name("XYZ") == NULL);
	CHECK(same_event_name("tor") == NULL);
	CHECK(same_event_name("TORX") == NULL);
	CHECK(same_event_name("") == NULL);
	CHECK(same_event_name(NULL) == NULL);
	CHECK_STR(same_event_significance("XYZ"), "unknown");
	CHECK_STR(same_event_significance(""), "unknown");
	CHECK_STR(same_event_significance(NULL), "unknown");

	static const char *parts[] = {"all",  "northwest", "north", "northeast", "west", "central",
	                              "east", "southwest", "south", "southeast"};
	for (int i = 0; i < 10; i++)
		CHECK_STR(same_part_name(i), parts[i]);
	CHECK(same_part_name(-1) == NULL);
	CHECK(same_part_name(10) == NULL);
}

static void times_of(const char *hdr, int64_t now, int64_t want_issued, int want_purge)
{
	int64_t is = 0, ex = 0;
	CHECK(parse(hdr, 0) == 0);
	CHECK(same_header_times(&h, now, &is, &ex) == 0);
	CHECK(is == want_issued);
	CHECK(ex == want_issued + (int64_t)want_purge * 60000);
	if (is != want_issued) {
		char a[40], b[40];
		fprintf(stderr, "  %s at %s: issued %s\n", hdr, eas_rfc3339_ms(now, a, sizeof a),
		        eas_rfc3339_ms(is, b, sizeof b));
	}
}

static void test_times(void)
{
	/* The same year. */
	times_of("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-", at(2026, 5, 3, 16, 46),
	         at(2026, 5, 3, 16, 45), 30);
	/* 2024 is a leap year: day 123 is 2 May. */
	times_of("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-", at(2024, 5, 2, 17, 0),
	         at(2024, 5, 2, 16, 45), 30);
	/* Day 365 heard just after New Year belongs to the year before. */
	times_of("ZCZC-WXR-TOR-039173+0015-3652350-KCLE/NWS-", at(2027, 1, 1, 0, 5),
	         at(2026, 12, 31, 23, 50), 15);
	/* Day 1 heard on 31 December (clock skew) belongs to the year after. */
	times_of("ZCZC-WXR-TOR-039173+0100-0010005-KCLE/NWS-", at(2026, 12, 31, 23, 55),
	         at(2027, 1, 1, 0, 5), 60);
	/* Day 366 exists only in leap years: 2024-12-31, heard on 1 January 2025. */
	times_of("ZCZC-WXR-TOR-039173+0030-3662300-KCLE/NWS-", at(2025, 1, 1, 0, 10),
	         at(2024, 12, 31, 23, 0), 30);
	times_of("ZCZC-WXR-TOR-039173+0030-3662300-KCLE/NWS-", at(2028, 12, 31, 23, 1),
	         at(2028, 12, 31, 23, 0), 30);
	/* Day 365 of a leap year is 30 December; heard on 1 January 2025. */
	times_of("ZCZC-WXR-TOR-039173+0030-3651200-KCLE/NWS-", at(2025, 1, 1, 0, 10),
	         at(2024, 12, 30, 12, 0), 30);
	/* Day 60: 29 February in a leap year, 1 March otherwise. */
	times_of("ZCZC-WXR-TOR-039173+0030-0601200-KCLE/NWS-", at(2024, 3, 1, 0, 0),
	         at(2024, 2, 29, 12, 0), 30);
	times_of("ZCZC-WXR-TOR-039173+0030-0601200-KCLE/NWS-", at(2026, 3, 1, 13, 0),
	         at(2026, 3, 1, 12, 0), 30);
	/* Issued in the past, never in the future (issue 17): day 123 heard on 30 November 2026
	 * is 3 May 2026, not 2027 (the nearest year would be 2027). */
	times_of("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-", at(2026, 11, 30, 12, 0),
	         at(2026, 5, 3, 16, 45), 30);
	/* A recording heard 11 months on still dates to its year. */
	times_of("ZCZC-WXR-TOR-039173+0030-0101200-KCLE/NWS-", at(2026, 12, 20, 0, 0),
	         at(2026, 1, 10, 12, 0), 30);
	/* Up to two days of sender clock ahead is allowed, within a year and across New Year. */
	times_of("ZCZC-WXR-TOR-039173+0030-1241645-KCLE/NWS-", at(2026, 5, 3, 16, 45),
	         at(2026, 5, 4, 16, 45), 30);
	times_of("ZCZC-WXR-TOR-039173+0030-0022300-KCLE/NWS-", at(2026, 12, 31, 23, 1),
	         at(2027, 1, 2, 23, 0), 30);
	/* More than two days ahead is last year's. */
	times_of("ZCZC-WXR-TOR-039173+0030-1261645-KCLE/NWS-", at(2026, 5, 3, 16, 44),
	         at(2025, 5, 6, 16, 45), 30);
	/* Issued 31 December, heard 1 January: the year before. */
	times_of("ZCZC-WXR-TOR-039173+0030-3652359-KCLE/NWS-", at(2027, 1, 1, 0, 30),
	         at(2026, 12, 31, 23, 59), 30);
	/* Expiry across New Year and a long purge. */
	times_of("ZCZC-WXR-TOR-039173+9930-3652300-KCLE/NWS-", at(2026, 12, 31, 23, 0),
	         at(2026, 12, 31, 23, 0), 99 * 60 + 30);
	/* 2000 was a leap year, 2100 will not be. */
	times_of("ZCZC-WXR-TOR-039173+0030-3660000-KCLE/NWS-", at(2000, 12, 31, 1, 0),
	         at(2000, 12, 31, 0, 0), 30);
	int64_t is, ex;
	CHECK(parse("ZCZC-WXR-TOR-039173+0030-3660000-KCLE/NWS-", 0) == 0);
	/* Day 366 only in a leap year among NOW's year and its neighbours, and never more
	 * than the skew ahead. */
	CHECK(same_header_times(&h, at(2100, 6, 1, 0, 0), &is, &ex) == -1);
	CHECK(same_header_times(&h, at(2026, 6, 1, 0, 0), &is, &ex) == -1);
	CHECK(same_header_times(&h, at(2027, 1, 5, 0, 0), &is, &ex) == -1);
	CHECK(same_header_times(&h, at(2025, 6, 1, 0, 0), &is, &ex) == 0);
	CHECK(is == at(2024, 12, 31, 0, 0));
	CHECK(same_header_times(&h, at(2028, 12, 29, 0, 0), &is, &ex) == 0);
	CHECK(is == at(2028, 12, 31, 0, 0));
	CHECK(same_header_times(&h, at(2028, 12, 28, 23, 59), &is, &ex) == -1);

	/* RFC 3339 of the times. */
	char b[40];
	CHECK(parse("ZCZC-WXR-TOR-039173+0015-3652350-KCLE/NWS-", 0) == 0);
	CHECK(same_header_times(&h, at(2027, 1, 1, 0, 5), &is, &ex) == 0);
	CHECK_STR(eas_rfc3339_ms(is, b, sizeof b), "2026-12-31T23:50:00.000Z");
	CHECK_STR(eas_rfc3339_ms(ex, b, sizeof b), "2027-01-01T00:05:00.000Z");
}

static void test_id(void)
{
	char a[17], b[17];
	same_header_id("", a);
	CHECK_STR(a, "cbf29ce484222325"); /* the FNV-1a 64 offset basis */
	same_header_id("a", a);
	CHECK_STR(a, "af63dc4c8601ec8c");
	same_header_id("foobar", a);
	CHECK_STR(a, "85944171f73967e8");
	same_header_id(GOOD, a);
	same_header_id(GOOD, b);
	CHECK_STR(a, b);
	CHECK(strlen(a) == 16 && strspn(a, "0123456789abcdef") == 16);
	same_header_id("ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWT-", b);
	CHECK(strcmp(a, b) != 0);
	/* Same id from the parsed header as from the raw text. */
	CHECK(parse(GOOD, 0) == 0);
	same_header_id(h.raw, b);
	CHECK_STR(a, b);
}

int main(void)
{
	test_valid();
	test_prefix_originator_event();
	test_locations();
	test_purge();
	test_issued();
	test_sender();
	test_bytes_and_truncation();
	test_names();
	test_times();
	test_id();
	return t_done("test_header");
}
