/* same_header.c: SAME header parsing and validation (47 CFR 11.31), code names, times and JSON. */
#include "same_header.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fips.h"
#include "timeutil.h"

/*
 * A header, as 47 CFR 11.31(c) lays it out (every field fixed-width, '-' the
 * separator, '+' before the purge time):
 *
 *   ZCZC-ORG-EEE-PSSCCC(-PSSCCC){0,30}+TTTT-JJJHHMM-LLLLLLLL-
 *
 * 42 characters with one location, 7 more for each further location, at
 * most 31 locations: 252 characters.
 */

enum significance { SIG_WARNING, SIG_WATCH, SIG_ADVISORY, SIG_STATEMENT, SIG_TEST, SIG_EMERGENCY };

static const char *const sig_names[] = {
    [SIG_WARNING] = "warning",     [SIG_WATCH] = "watch", [SIG_ADVISORY] = "advisory",
    [SIG_STATEMENT] = "statement", [SIG_TEST] = "test",   [SIG_EMERGENCY] = "emergency",
};

struct event {
	char code[4];
	const char *name;
	unsigned char sig;
	unsigned char sendable; /* valid for SAME_PARSE_STRICT (not legacy) */
};

/*
 * The event codes of 47 CFR 11.31(e) as amended (through the 2024 addition
 * of MEP), plus the NWR-only codes FSW and FZW and the retired EAT, which can
 * still be heard but are not sent.  Sorted by code for bsearch.
 */
static const struct event events[] = {
    {"ADR", "Administrative Message", SIG_STATEMENT, 1},
    {"AVA", "Avalanche Watch", SIG_WATCH, 1},
    {"AVW", "Avalanche Warning", SIG_WARNING, 1},
    {"BLU", "Blue Alert", SIG_WARNING, 1},
    {"BZW", "Blizzard Warning", SIG_WARNING, 1},
    {"CAE", "Child Abduction Emergency", SIG_EMERGENCY, 1},
    {"CDW", "Civil Danger Warning", SIG_WARNING, 1},
    {"CEM", "Civil Emergency Message", SIG_WARNING, 1},
    {"CFA", "Coastal Flood Watch", SIG_WATCH, 1},
    {"CFW", "Coastal Flood Warning", SIG_WARNING, 1},
    {"DMO", "Practice/Demo Warning", SIG_TEST, 1},
    {"DSW", "Dust Storm Warning", SIG_WARNING, 1},
    {"EAN", "Emergency Action Notification", SIG_EMERGENCY, 1},
    {"EAT", "Emergency Action Termination", SIG_STATEMENT, 0},
    {"EQW", "Earthquake Warning", SIG_WARNING, 1},
    {"EVI", "Evacuation Immediate", SIG_WARNING, 1},
    {"EWW", "Extreme Wind Warning", SIG_WARNING, 1},
    {"FFA", "Flash Flood Watch", SIG_WATCH, 1},
    {"FFS", "Flash Flood Statement", SIG_STATEMENT, 1},
    {"FFW", "Flash Flood Warning", SIG_WARNING, 1},
    {"FLA", "Flood Watch", SIG_WATCH, 1},
    {"FLS", "Flood Statement", SIG_STATEMENT, 1},
    {"FLW", "Flood Warning", SIG_WARNING, 1},
    {"FRW", "Fire Warning", SIG_WARNING, 1},
    {"FSW", "Flash Freeze Warning", SIG_WARNING, 1},
    {"FZW", "Freeze Warning", SIG_WARNING, 1},
    {"HLS", "Hurricane Statement", SIG_STATEMENT, 1},
    {"HMW", "Hazardous Materials Warning", SIG_WARNING, 1},
    {"HUA", "Hurricane Watch", SIG_WATCH, 1},
    {"HUW", "Hurricane Warning", SIG_WARNING, 1},
    {"HWA", "High Wind Watch", SIG_WATCH, 1},
    {"HWW", "High Wind Warning", SIG_WARNING, 1},
    {"LAE", "Local Area Emergency", SIG_EMERGENCY, 1},
    {"LEW", "Law Enforcement Warning", SIG_WARNING, 1},
    {"MEP", "Missing and Endangered Persons", SIG_STATEMENT, 1},
    {"NAT", "National Audible Test", SIG_TEST, 1},
    {"NIC", "National Information Center", SIG_STATEMENT, 1},
    {"NMN", "Network Message Notification", SIG_STATEMENT, 1},
    {"NPT", "National Periodic Test", SIG_TEST, 1},
    {"NST", "National Silent Test", SIG_TEST, 1},
    {"NUW", "Nuclear Power Plant Warning", SIG_WARNING, 1},
    {"RHW", "Radiological Hazard Warning", SIG_WARNING, 1},
    {"RMT", "Required Monthly Test", SIG_TEST, 1},
    {"RWT", "Required Weekly Test", SIG_TEST, 1},
    {"SMW", "Special Marine Warning", SIG_WARNING, 1},
    {"SPS", "Special Weather Statement", SIG_STATEMENT, 1},
    {"SPW", "Shelter in Place Warning", SIG_WARNING, 1},
    {"SQW", "Snow Squall Warning", SIG_WARNING, 1},
    {"SSA", "Storm Surge Watch", SIG_WATCH, 1},
    {"SSW", "Storm Surge Warning", SIG_WARNING, 1},
    {"SVA", "Severe Thunderstorm Watch", SIG_WATCH, 1},
    {"SVR", "Severe Thunderstorm Warning", SIG_WARNING, 1},
    {"SVS", "Severe Weather Statement", SIG_STATEMENT, 1},
    {"TOA", "Tornado Watch", SIG_WATCH, 1},
    {"TOE", "911 Telephone Outage Emergency", SIG_EMERGENCY, 1},
    {"TOR", "Tornado Warning", SIG_WARNING, 1},
    {"TRA", "Tropical Storm Watch", SIG_WATCH, 1},
    {"TRW", "Tropical Storm Warning", SIG_WARNING, 1},
    {"TSA", "Tsunami Watch", SIG_WATCH, 1},
    {"TSW", "Tsunami Warning", SIG_WARNING, 1},
    {"VOW", "Volcano Warning", SIG_WARNING, 1},
    {"WSA", "Winter Storm Watch", SIG_WATCH, 1},
    {"WSW", "Winter Storm Warning", SIG_WARNING, 1},
};

static const struct {
	char code[4];
	const char *name;
} originators[] = {
    {"EAS", "Broadcast station or cable system"},
    {"CIV", "Civil authorities"},
    {"WXR", "National Weather Service"},
    {"PEP", "Primary Entry Point System"},
};

static const char *const part_names[10] = {
    "all",     "northwest", "north",     "northeast", "west",
    "central", "east",      "southwest", "south",     "southeast",
};

static int event_cmp(const void *key, const void *elt)
{
	return strcmp(key, ((const struct event *)elt)->code);
}

static const struct event *find_event(const char *code)
{
	if (!code || strlen(code) != 3)
		return NULL;
	return bsearch(code, events, sizeof events / sizeof events[0], sizeof events[0], event_cmp);
}

const char *same_originator_name(const char *org)
{
	if (!org)
		return NULL;
	for (size_t i = 0; i < sizeof originators / sizeof originators[0]; i++)
		if (strcmp(org, originators[i].code) == 0)
			return originators[i].name;
	return NULL;
}

const char *same_event_name(const char *event)
{
	const struct event *e = find_event(event);
	return e ? e->name : NULL;
}

const char *same_event_significance(const char *event)
{
	const struct event *e = find_event(event);
	return e ? sig_names[e->sig] : "unknown";
}

const char *same_part_name(int part)
{
	return part >= 0 && part <= 9 ? part_names[part] : NULL;
}

/* --- parsing --- */

struct cursor {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
};

static int fail(struct cursor *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct cursor *c, const char *fmt, ...)
{
	if (c->err && c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Take the field at the cursor up to (not including) the first byte in STOPS.
 * Sets *F, *N and *STOP (the terminating byte) and moves past the terminator;
 * returns -1 when the input ends before any terminator.
 */
static int take(struct cursor *c, const char *stops, const char **f, size_t *n, char *stop)
{
	size_t i = c->pos;
	while (i < c->len && !strchr(stops, c->s[i]))
		i++;
	*f = c->s + c->pos;
	*n = i - c->pos;
	if (i >= c->len)
		return -1;
	*stop = c->s[i];
	c->pos = i + 1;
	return 0;
}

static int all_digits(const char *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (f[i] < '0' || f[i] > '9')
			return 0;
	return 1;
}

static int all_upper(const char *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (f[i] < 'A' || f[i] > 'Z')
			return 0;
	return 1;
}

static int num(const char *f, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (f[i] - '0');
	return v;
}

/* Field text for a message: at most 40 characters, so one bad field cannot swamp it. */
#define Q(n)    ((int)((n) > 40 ? 40 : (n)))
#define DOTS(n) ((n) > 40 ? "..." : "")

/* A STRICT purge: 15-minute steps to one hour, 30-minute steps beyond. */
static int legal_purge(int hh, int mm)
{
	int minutes = hh * 60 + mm;
	if (minutes == 0 || mm > 59)
		return 0;
	if (minutes <= 60)
		return mm % 15 == 0;
	return mm == 0 || mm == 30;
}

size_t same_field_len(enum same_field f)
{
	static const size_t len[] = {3, 6, 4, 7, 1}; /* by enum same_field */
	return (unsigned)f <= SAME_F_SENDER ? len[f] : 0;
}

int same_field_usual(enum same_field f, const char *t)
{
	char ev[4];
	if (!same_field_len(f) ||
	    (f != SAME_F_EVENT && f != SAME_F_SENDER && !all_digits(t, same_field_len(f))))
		return 0;
	switch (f) {
	case SAME_F_EVENT:
		memcpy(ev, t, 3);
		ev[3] = '\0';
		return find_event(ev) != NULL;
	case SAME_F_LOCATION:
		if (num(t + 3, 3) == 0) /* the whole state; 00: the whole country ("US") */
			return eas_fips_state_abbr(num(t + 1, 2)) != NULL;
		return eas_fips_county(num(t + 1, 2), num(t + 3, 3)) != NULL;
	case SAME_F_PURGE:
		return legal_purge(num(t, 2), num(t + 2, 2));
	case SAME_F_ISSUED:
		return num(t, 3) >= 1 && num(t, 3) <= 366 && num(t + 3, 2) <= 23 &&
		       num(t + 5, 2) <= 59;
	case SAME_F_SENDER:
		return (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
		       (*t && strchr(" /().", *t));
	}
	return 0;
}

int same_header_parse(const char *text, size_t len, int flags, struct same_header *out, char *err,
                      size_t errlen)
{
	struct cursor c = {text, len, 0, err, errlen};
	struct same_header h;
	const char *f;
	size_t n;
	char stop = 0;
	int strict = flags & SAME_PARSE_STRICT;

	if (err && errlen)
		err[0] = '\0';
	if (!text)
		return fail(&c, "no header");
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)text[i];
		if (b < 0x20 || b > 0x7e)
			return fail(&c, "non-printable byte 0x%02x at offset %zu", b, i);
	}
	if (len < 5 || memcmp(text, "ZCZC-", 5) != 0)
		return fail(&c, "missing \"ZCZC-\" prefix");
	if (len > SAME_HEADER_MAX) {
		/* Say "more than 31 locations" when that is why it is long: the
		 * dashes before the '+' are "ZCZC-", "ORG-", "EEE-" and one
		 * between each two locations. */
		const char *plus = memchr(text, '+', len);
		size_t dashes = 0;
		for (const char *p = text; plus && p < plus; p++)
			dashes += *p == '-';
		if (plus && dashes > SAME_MAX_LOCATIONS + 2)
			return fail(&c, "more than %d locations", SAME_MAX_LOCATIONS);
		return fail(&c, "header too long: %zu characters, at most %d", len,
		            SAME_HEADER_MAX);
	}
	memset(&h, 0, sizeof h);
	memcpy(h.raw, text, len);
	h.raw[len] = '\0';
	c.pos = 5;

	/* ORG */
	if (take(&c, "-", &f, &n, &stop))
		return fail(&c, "truncated in the originator \"%.*s\"", Q(n), f);
	if (n != 3 || !all_upper(f, 3)) {
		if (n == 3)
			return fail(&c, "unknown originator \"%.*s\"", 3, f);
		return fail(&c, "originator \"%.*s%s\": not 3 letters", Q(n), f, DOTS(n));
	}
	memcpy(h.originator, f, 3);
	if (!same_originator_name(h.originator))
		return fail(&c, "unknown originator \"%s\"", h.originator);

	/* EEE */
	if (take(&c, "-", &f, &n, &stop))
		return fail(&c, "truncated in the event \"%.*s\"", Q(n), f);
	if (n != 3 || !all_upper(f, 3))
		return fail(&c, "event \"%.*s%s\": not 3 uppercase letters", Q(n), f, DOTS(n));
	memcpy(h.event, f, 3);
	if (strict) {
		const struct event *e = find_event(h.event);
		if (!e)
			return fail(&c, "unknown event \"%s\"", h.event);
		if (!e->sendable)
			return fail(&c, "event \"%s\": retired code, not for sending", h.event);
	}

	/* PSSCCC(-PSSCCC)* + */
	do {
		if (h.nloc == SAME_MAX_LOCATIONS)
			return fail(&c, "more than %d locations", SAME_MAX_LOCATIONS);
		if (take(&c, "-+", &f, &n, &stop))
			return fail(&c, "truncated in location %d \"%.*s\"", h.nloc + 1, Q(n), f);
		if (n != 6 || !all_digits(f, 6))
			return fail(&c, "location %d \"%.*s%s\": not 6 digits", h.nloc + 1, Q(n), f,
			            DOTS(n));
		struct same_location *l = &h.loc[h.nloc++];
		memcpy(l->code, f, 6);
		l->part = num(f, 1);
		l->state = num(f + 1, 2);
		l->county = num(f + 3, 3);
	} while (stop == '-');

	/* +TTTT- */
	if (take(&c, "-", &f, &n, &stop))
		return fail(&c, "truncated in the purge time \"%.*s\"", Q(n), f);
	if (n != 4 || !all_digits(f, 4))
		return fail(&c, "purge \"%.*s%s\": not 4 digits", Q(n), f, DOTS(n));
	int ph = num(f, 2), pm = num(f + 2, 2);
	if (strict && !legal_purge(ph, pm))
		return fail(&c, "purge \"%.4s\": not a legal duration", f);
	if (pm > 59)
		return fail(&c, "purge \"%.4s\": minutes %02d not in 00..59", f, pm);
	memcpy(h.purge, f, 4);
	h.purge_minutes = ph * 60 + pm;

	/* JJJHHMM- */
	if (take(&c, "-", &f, &n, &stop))
		return fail(&c, "truncated in the issue time \"%.*s\"", Q(n), f);
	if (n != 7 || !all_digits(f, 7))
		return fail(&c, "issue time \"%.*s%s\": not 7 digits (JJJHHMM)", Q(n), f, DOTS(n));
	h.issued_day = num(f, 3);
	h.issued_hour = num(f + 3, 2);
	h.issued_minute = num(f + 5, 2);
	/* Day 000 is not a date, but some encoders send it (a received header
	 * keeps it, its times are then null); sending needs a real day. */
	if (h.issued_day > 366 || (h.issued_day < 1 && (flags & SAME_PARSE_STRICT)))
		return fail(&c, "issue time \"%.7s\": day %03d not in 001..366", f, h.issued_day);
	if (h.issued_hour > 23)
		return fail(&c, "issue time \"%.7s\": hour %02d not in 00..23", f, h.issued_hour);
	if (h.issued_minute > 59)
		return fail(&c, "issue time \"%.7s\": minute %02d not in 00..59", f,
		            h.issued_minute);

	/* LLLLLLLL- and nothing after */
	f = c.s + c.pos;
	n = c.len - c.pos;
	if (n >= 9 && f[8] == '-') {
		if (memchr(f, '-', 8))
			return fail(&c, "reserved character '-' in sender \"%.8s\"", f);
		if (n > 9)
			return fail(&c, "trailing characters after the sender");
		memcpy(h.sender, f, 8);
	} else {
		const char *dash = memchr(f, '-', n);
		size_t sn = dash ? (size_t)(dash - f) : n;
		/* Received headers from some encoders carry a shorter sender
		 * ("WTSP/TV-"): keep it as heard; sending needs all 8. */
		if (dash && sn >= 1 && sn < 8 && !(flags & SAME_PARSE_STRICT) && sn + 1 == n) {
			memcpy(h.sender, f, sn);
			h.sender[sn] = '\0';
			*out = h;
			return 0;
		}
		if (!dash && sn == 8)
			return fail(&c, "missing '-' after the sender");
		if (!dash && sn < 8)
			return fail(&c, "truncated in the sender \"%.*s\"", Q(sn), f);
		return fail(&c, "sender \"%.*s%s\": must be 8 characters", Q(sn), f, DOTS(sn));
	}
	*out = h;
	return 0;
}

/* --- times, id, JSON --- */

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int same_header_times(const struct same_header *h, int64_t now_ms, int64_t *issued_ms,
                      int64_t *expires_ms)
{
	int64_t now_days = now_ms >= 0 ? now_ms / 86400000 : (now_ms - 86399999) / 86400000;
	int64_t year, best = 0;
	unsigned m, d;
	bool found = false;

	if (h->issued_day < 1 || h->issued_day > 366 || h->issued_hour < 0 || h->issued_hour > 23 ||
	    h->issued_minute < 0 || h->issued_minute > 59)
		return -1;
	eas_civil_from_days(now_days, &year, &m, &d);
	/* Newest first: the first candidate not beyond the allowed skew is the latest such date.
	 * Only this year's neighbours: a day 366 with no leap year among them has no date. */
	for (int64_t y = year + 1; y >= year - 1 && !found; y--) {
		if (h->issued_day == 366 && !is_leap(y))
			continue;
		int64_t days = eas_days_from_civil(y, 1, 1) + h->issued_day - 1;
		int64_t t = days * 86400000 + (int64_t)h->issued_hour * 3600000 +
		            (int64_t)h->issued_minute * 60000;
		if (t <= now_ms + SAME_ISSUE_SKEW_MS) {
			best = t;
			found = true;
		}
	}
	if (!found)
		return -1;
	if (issued_ms)
		*issued_ms = best;
	if (expires_ms)
		*expires_ms = best + (int64_t)h->purge_minutes * 60000;
	return 0;
}

void same_header_id(const char *raw, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t x = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
		x ^= *p;
		x *= 1099511628211ULL;
	}
	for (int i = 15; i >= 0; i--) {
		out[i] = hex[x & 15];
		x >>= 4;
	}
	out[16] = '\0';
}
