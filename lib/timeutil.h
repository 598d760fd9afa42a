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

/* Parse "now", an integer of epoch seconds, or RFC 3339 / ISO 8601 UTC
 * ("2026-11-22T14:05:09Z", optional ".mmm", optional "Z"/"+00:00", or a
 * space instead of 'T', or a date alone) into epoch milliseconds.
 * Returns 0 on success, -1 when TEXT is not such a time. */
int eas_parse_time(const char *text, int64_t *ms);

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian), and back. */
int64_t eas_days_from_civil(int64_t y, unsigned m, unsigned d);
void eas_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
