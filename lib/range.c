/* range.c: monitoring-plugins threshold ranges and perfdata items, parsed and formatted without
 * I/O (see range.h). */
#include "range.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse all of S (N bytes) as a finite decimal number into *V. */
static int number(const char *s, size_t n, double *v)
{
	char tmp[WATCH_RANGE_TEXT], *end;
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* strtod also takes "inf", "nan", hex and leading blanks: a range has none of them */
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789+-.eE", tmp[i]))
			return -1;
	errno = 0;
	double d = strtod(tmp, &end);
	if (errno || end != tmp + n || !isfinite(d))
		return -1;
	*v = d;
	return 0;
}

static int fail(struct watch_range *r, char *err, size_t errlen, const char *text, const char *why)
{
	memset(r, 0, sizeof *r);
	if (err && errlen)
		snprintf(err, errlen, "range \"%.40s\": %s", text, why);
	return -1;
}

int watch_range_parse(const char *text, struct watch_range *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	size_t n = strlen(text);
	if (n == 0)
		return fail(r, err, errlen, text, "empty");
	if (n >= WATCH_RANGE_TEXT)
		return fail(r, err, errlen, text, "too long");
	const char *p = text, *end = text + n;
	if (*p == '@') {
		r->inside = true;
		p++;
	}
	const char *colon = memchr(p, ':', (size_t)(end - p));
	if (!colon) {
		/* "N": 0..N */
		if (number(p, (size_t)(end - p), &r->hi) < 0)
			return fail(r, err, errlen, text, "not a number");
		r->lo = 0;
	} else {
		if (colon - p == 1 && *p == '~') {
			r->lo_inf = true;
		} else if (colon == p) {
			r->lo = 0; /* ":10" is 0..10, as check_range() reads it */
		} else if (number(p, (size_t)(colon - p), &r->lo) < 0) {
			return fail(r, err, errlen, text, "start is not a number or ~");
		}
		if (colon + 1 == end)
			r->hi_inf = true;
		else if (number(colon + 1, (size_t)(end - colon - 1), &r->hi) < 0)
			return fail(r, err, errlen, text, "end is not a number");
	}
	if (!r->lo_inf && !r->hi_inf && r->lo > r->hi)
		return fail(r, err, errlen, text, "start is greater than end");
	memcpy(r->text, text, n + 1);
	r->set = true;
	return 0;
}

bool watch_range_alert(const struct watch_range *r, double v)
{
	if (!r->set)
		return false;
	if (isnan(v))
		return true;
	bool in = (r->lo_inf || v >= r->lo) && (r->hi_inf || v <= r->hi);
	return r->inside ? in : !in;
}

static bool uom_ok(const char *u)
{
	static const char *const ok[] = {"", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (!strcmp(u, ok[i]))
			return true;
	return false;
}

int watch_perf_add(char *buf, size_t len, size_t *used, const char *label, double value,
                   int decimals, const char *uom, const char *warn, const char *crit, bool has_min,
                   double min, bool has_max, double max)
{
	char lab[200], mn[40] = "", mx[40] = "";
	size_t k = 0;
	for (const char *s = label; *s && k < sizeof lab - 1; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			continue;
		lab[k++] = (c == '\'' || c == '=') ? '_' : (char)c;
	}
	lab[k] = '\0';
	if (!uom || !uom_ok(uom))
		uom = "";
	if (has_min)
		snprintf(mn, sizeof mn, "%g", min);
	if (has_max)
		snprintf(mx, sizeof mx, "%g", max);
	size_t u = *used;
	if (u >= len)
		return -1;
	char val[64];
	if (isfinite(value))
		snprintf(val, sizeof val, "%.*f%s", decimals < 0 ? 0 : decimals, value, uom);
	else
		snprintf(val, sizeof val, "U"); /* "the actual value couldn't be determined" */
	int w = snprintf(buf + u, len - u, "%s'%s'=%s;%s;%s;%s;%s", u ? " " : "", lab, val,
	                 warn ? warn : "", crit ? crit : "", mn, mx);
	if (w < 0 || (size_t)w >= len - u) {
		buf[u] = '\0';
		return -1;
	}
	*used = u + (size_t)w;
	return 0;
}
