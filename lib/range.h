/* range.h: monitoring-plugins (Nagios) threshold ranges ("10", "10:", "~:10", "@10:20") and perfdata
 * values, parsed and formatted without I/O. */
#ifndef EAS_WATCH_RANGE_H
#define EAS_WATCH_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#define WATCH_RANGE_TEXT 48 /* bytes of a range's text, with its NUL */

/*
 * A threshold range, as the Monitoring Plugins Development Guidelines
 * ("Threshold and ranges") define it:
 *   "10"     alert when the value is < 0 or > 10
 *   "10:"    alert when < 10
 *   "~:10"   alert when > 10 (~ is minus infinity)
 *   "10:20"  alert when < 10 or > 20
 *   "@10:20" alert when >= 10 and <= 20 (the leading @ inverts)
 * Bounds are decimal numbers (sign, fraction, exponent allowed); the start
 * must not exceed the end.
 */
struct watch_range {
	bool set;                    /* false: no threshold (never alerts) */
	bool lo_inf;                 /* the start is ~ (minus infinity) */
	bool hi_inf;                 /* no end given: plus infinity */
	bool inside;                 /* "@": alert inside the range */
	double lo, hi;               /* bounds when not infinite */
	char text[WATCH_RANGE_TEXT]; /* the range as given, for perfdata */
};

/*
 * Parse the NUL-terminated TEXT into *R.  Returns 0, or -1 with a one-line
 * reason in ERR (when ERR is not NULL) and *R cleared.  No I/O.
 */
int watch_range_parse(const char *text, struct watch_range *r, char *err, size_t errlen);

/* True when V calls for an alert under R (never for an unset R; NaN always alerts). */
bool watch_range_alert(const struct watch_range *r, double v);

/*
 * Append one perfdata item "'LABEL'=VALUE[UOM];WARN;CRIT;MIN;MAX" to BUF
 * (LEN bytes, NUL-terminated, *USED bytes in use), a space before it when
 * BUF is not empty.  The label is quoted; a ' or = in it becomes _, and
 * control characters are dropped.  VALUE is written with DECIMALS digits
 * after the point (a NaN or infinite VALUE is written U, unknown); UOM is ""
 * or one of s, ms, us, %, B, KB, MB, TB, c (any other is left out).
 * WARN and CRIT are range texts ("" for none, NULL the same); MIN and MAX
 * are written only when HAS_MIN / HAS_MAX.  Grammar and units from the
 * Monitoring Plugins Development Guidelines, "Performance data".
 * Returns 0, or -1 when BUF is full (then BUF is left as it was).
 */
int watch_perf_add(char *buf, size_t len, size_t *used, const char *label, double value,
                   int decimals, const char *uom, const char *warn, const char *crit, bool has_min,
                   double min, bool has_max, double max);

#endif
