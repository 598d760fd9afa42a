/* timeutil.h: clocks and time helpers shared by the tools: wall clock, monotonic clock, RFC 3339
 * UTC with milliseconds, parsing. */
#ifndef EAS_TIMEUTIL_H
#define EAS_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch, now (CLOCK_REALTIME). */
int64_t eas_now_ms(void);

/* Monotonic time (CLOCK_MONOTONIC): the one clock for timeouts, backoff and pacing. */
int64_t eas_mono_ms(void);
int64_t eas_mono_ns(void);

/* Format MS as "2026-11-22T14:05:09.123Z" into BUF (at least 25 bytes). Returns BUF. */
char *eas_rfc3339_ms(int64_t ms, char *buf, size_t len);

/*
 * Parse TEXT into epoch milliseconds (*MS).  Accepted:
 *  - "now" (the wall clock);
 *  - decimal epoch seconds, 0 up to 253402300799 (9999-12-31T23:59:59Z);
 *  - an RFC 3339 date-time: "2026-11-22T14:05:09Z", "2026-11-22T16:05:09.5+02:00",
 *    any number of fraction digits (kept to the millisecond), 't'/'z' in lower case,
 *    a space for 'T' (RFC 3339, 5.6 note), seconds 60 (a leap second, as :00 of the
 *    next minute).  Two relaxations: the seconds may be left out ("14:05"), and a time
 *    with no offset is UTC.
 * Refused (-1, *MS untouched): a date alone, an offset beyond +-23:59, a date that does
 * not exist, anything past 9999-12-31T23:59:59.999Z, and any other text.
 */
int eas_parse_time(const char *text, int64_t *ms);

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian), and back. */
int64_t eas_days_from_civil(int64_t y, unsigned m, unsigned d);
void eas_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
