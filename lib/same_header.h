/* same_header.h: SAME header (ZCZC-ORG-EEE-PSSCCC...+TTTT-JJJHHMM-LLLLLLLL-) parsing, validation
 * and names. */
#ifndef EAS_SAME_HEADER_H
#define EAS_SAME_HEADER_H

#include <stddef.h>
#include <stdint.h>

#define SAME_MAX_LOCATIONS 31
#define SAME_HEADER_MAX    252 /* 35 + 7 * 31 characters */

struct same_location {
	char code[7]; /* "039173" */
	int part;     /* P digit, 0..9 */
	int state;    /* SS, 0..99 (0 = the whole country) */
	int county;   /* CCC, 0..999 (0 = the whole state) */
};

struct same_header {
	char raw[SAME_HEADER_MAX + 1]; /* the whole header, NUL-terminated */
	char originator[4];            /* "WXR" */
	char event[4];                 /* "TOR" */
	int nloc;                      /* 1..31 */
	struct same_location loc[SAME_MAX_LOCATIONS];
	char purge[5];     /* "0030" */
	int purge_minutes; /* 30 */
	int issued_day;    /* JJJ, 1..366 */
	int issued_hour;   /* HH, 0..23 */
	int issued_minute; /* MM, 0..59 */
	char sender[9];    /* "KCLE/NWS", always 8 characters */
};

/* Flags for same_header_parse(). */
enum {
	/* As received from the air: any 3-letter event code, purge any HHMM with MM < 60. */
	SAME_PARSE_RECEIVED = 0,
	/* For sending: the originator and event must be known and the purge a legal
	 * duration (15-minute steps up to an hour, 30-minute steps beyond). */
	SAME_PARSE_STRICT = 1,
};

/*
 * Parse and validate TEXT (LEN bytes, no NUL needed) as a complete SAME header,
 * "ZCZC-" through the '-' after the sender.  Nothing may follow the final '-'.
 * On success fills *H and returns 0.  On failure returns -1 and writes a
 * one-line reason naming the field and what is wrong into ERR (if ERR is not
 * NULL), e.g. "location 2 \"03917X\": not 6 digits".  Never reads past LEN.
 */
int same_header_parse(const char *text, size_t len, int flags, struct same_header *h, char *err,
                      size_t errlen);

/* Full name of an originator code ("WXR" -> "National Weather Service"), NULL if unknown. */
const char *same_originator_name(const char *org);

/* Full name of an event code ("TOR" -> "Tornado Warning"), NULL if unknown. */
const char *same_event_name(const char *event);

/* "warning", "watch", "advisory", "statement", "test", "emergency" or "unknown". */
const char *same_event_significance(const char *event);

/* Meaning of the P digit: 0 "all", 1 "northwest", ... 9 "southeast"; NULL outside 0..9. */
const char *same_part_name(int part);

/* The fields same_field_usual() judges. */
enum same_field {
	SAME_F_EVENT,    /* EEE */
	SAME_F_LOCATION, /* PSSCCC */
	SAME_F_PURGE,    /* TTTT (HHMM) */
	SAME_F_ISSUED,   /* JJJHHMM */
	SAME_F_SENDER,   /* one character of LLLLLLLL */
};

/*
 * Is TEXT (the field's characters, no NUL needed: 3, 6, 4, 7 or 1 of them) what a sender that
 * follows the rules sends in field F?  The rules: an event code the table here knows (47 CFR
 * 11.31(e), NWSI 10-1712); a location whose SSCCC is a place of lib/fips (Census and NWS files,
 * data/PROVENANCE.md), a state's 000, or 000000 (the P digit is free); a purge in 15-minute steps
 * to an hour and 30-minute steps beyond (47 CFR 11.31(c)); an issue time with day 1..366 (000,
 * which some encoders send, is no date), hour 0..23, minute 0..59; a sender character that is a
 * capital, a digit, a space, '/', '(', ')' or '.'.  Received headers may break these rules
 * (same_header_parse() takes them); the decoder trusts a marginal header less when it does
 * (same_ml.c).
 */
int same_field_usual(enum same_field f, const char *text);

/* The number of characters same_field_usual() reads of field F: 3, 6, 4, 7 or 1; 0 for no field. */
size_t same_field_len(enum same_field f);

/* How far after the receive time an issue time may be: sender clocks run ahead. */
#define SAME_ISSUE_SKEW_MS (2 * 86400000LL)

/*
 * Absolute issue and expiry times (epoch ms, UTC) of H received at NOW_MS.
 * The header has a day of the year but no year.  Alerts are not issued in the
 * future (beyond clock skew): a header heard long after its issue time is a
 * recording or a relay.  So the issue time is the latest date with that day,
 * hour and minute that is at most SAME_ISSUE_SKEW_MS after NOW_MS: day 123
 * heard on 30 November 2026 is 3 May 2026; day 365 heard on 1 January is the
 * 31 December before; day 1 at 00:05 heard at 23:55 on 31 December (a sender
 * clock a little ahead) is the next day.  Candidates are in NOW's year and its
 * two neighbours.  Returns 0, or -1 when the fields are out of range or no
 * candidate fits (day 366 with no leap year among them).
 */
int same_header_times(const struct same_header *h, int64_t now_ms, int64_t *issued_ms,
                      int64_t *expires_ms);

/* Stable id of a raw header: 16 lowercase hex digits of its 64-bit FNV-1a hash. */
void same_header_id(const char *raw, char out[17]);

#endif
