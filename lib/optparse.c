/* optparse.c: whole-string numeric option arguments with a range. */
#include "optparse.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

int eas_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int eas_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

int eas_parse_size(const char *s, unsigned long long lo, unsigned long long hi,
                   unsigned long long *out)
{
	unsigned long long v = 0, mul = 1;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	switch (*p) {
	case 'k':
	case 'K':
		mul = 1ull << 10;
		p++;
		break;
	case 'm':
	case 'M':
		mul = 1ull << 20;
		p++;
		break;
	case 'g':
	case 'G':
		mul = 1ull << 30;
		p++;
		break;
	default:
		break;
	}
	if (*p || (v && mul > ULLONG_MAX / v) || v * mul < lo || v * mul > hi)
		return -1;
	*out = v * mul;
	return 0;
}
