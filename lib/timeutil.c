/* timeutil.c: RFC 3339 formatting and parsing without the C library's time zone state. */
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t eas_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t eas_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t eas_mono_ms(void)
{
	return eas_mono_ns() / 1000000;
}

/* Howard Hinnant's civil-date algorithms. */
int64_t eas_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void eas_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

char *eas_rfc3339_ms(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int msr = (int)(ms - s * 1000);
	int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
	int sod = (int)(s - days * 86400);
	int64_t y;
	unsigned m, d;
	eas_civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d, sod / 3600,
	         sod / 60 % 60, sod % 60, msr);
	return buf;
}

static int num(const char **p, int digits, int *out)
{
	int v = 0;
	for (int i = 0; i < digits; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

int eas_parse_time(const char *text, int64_t *ms)
{
	const char *p = text;
	int y, mo, d, h = 0, mi = 0, s = 0, frac = 0;

	if (!text || !*text)
		return -1;
	if (strcmp(text, "now") == 0) {
		*ms = eas_now_ms();
		return 0;
	}
	if (strspn(text, "0123456789") == strlen(text) && strlen(text) < 16) {
		*ms = strtoll(text, NULL, 10) * 1000;
		return 0;
	}
	if (num(&p, 4, &y) || *p++ != '-' || num(&p, 2, &mo) || *p++ != '-' || num(&p, 2, &d))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (num(&p, 2, &h) || *p++ != ':' || num(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (num(&p, 2, &s))
				return -1;
			if (*p == '.') {
				int k = 0;
				p++;
				while (isdigit((unsigned char)*p)) {
					if (k < 3)
						frac = frac * 10 + (*p - '0');
					k++;
					p++;
				}
				if (k == 0)
					return -1;
				for (; k < 3; k++)
					frac *= 10;
			}
		}
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (strcmp(p, "+00:00") == 0)
			p += 6;
	}
	if (*p)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return -1;
	static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return -1;
	int64_t days = eas_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*ms = ((days * 86400) + h * 3600 + mi * 60 + s) * 1000 + frac;
	return 0;
}
