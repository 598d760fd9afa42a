/* levels.c: audio level meter for status lines (RMS, peak, silence, clipping). */
#include "levels.h"

#include <math.h>
#include <string.h>

void eas_levels_init(struct eas_levels *l, int rate, double silence_dbfs, double silence_seconds)
{
	memset(l, 0, sizeof *l);
	l->rate = rate;
	l->silence_dbfs = silence_dbfs;
	l->silence_seconds = silence_seconds;
}

void eas_levels_feed(struct eas_levels *l, const int16_t *pcm, size_t n)
{
	/* integer sums in plain loops, which the compiler vectorises */
	int64_t s = 0;
	int peak = l->peak;
	uint64_t clip = 0;
	for (size_t i = 0; i < n; i++) {
		int v = pcm[i];
		s += v * v;
	}
	for (size_t i = 0; i < n; i++) {
		int a = pcm[i] < 0 ? -pcm[i] : pcm[i];
		peak = a > peak ? a : peak;
		clip += a >= 32767;
	}
	l->sumsq += (double)s;
	l->peak = peak;
	l->n += n;
	l->clipped += clip;
}

static double dbfs(double v)
{
	return v > 0 ? fmax(20 * log10(v / 32768.0), -120.0) : -120.0;
}

void eas_levels_report(struct eas_levels *l, struct eas_level_report *r)
{
	memset(r, 0, sizeof *r);
	r->samples = l->n;
	r->clipped = l->clipped;
	r->rms_dbfs = l->n ? dbfs(sqrt(l->sumsq / (double)l->n)) : -120.0;
	r->peak_dbfs = dbfs(l->peak);
	if (l->n && r->rms_dbfs < l->silence_dbfs)
		l->quiet_samples += l->n;
	else
		l->quiet_samples = 0;
	r->silence =
	    l->quiet_samples > 0 && (double)l->quiet_samples >= l->silence_seconds * l->rate;
	r->quiet_s = l->rate > 0 ? (double)l->quiet_samples / l->rate : 0;
	r->clipping = l->clipped >= 3 && (double)l->clipped >= 1e-4 * (double)l->n;
	l->sumsq = 0;
	l->peak = 0;
	l->n = 0;
	l->clipped = 0;
}
