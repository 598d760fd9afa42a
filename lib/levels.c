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
	/* integer sums over blocks of a fixed length, which the compiler vectorises even at -O2
	 * (its cheapest cost model takes only loops of a known count), then the rest */
	enum { BLK = 16 };
	int64_t s = 0;
	int peak = l->peak;
	uint64_t clip = 0;
	size_t i = 0;
	for (; i + BLK <= n; i += BLK) {
		int64_t bs = 0;
		int32_t bp = 0, bc = 0;
		for (int k = 0; k < BLK; k++) {
			int32_t v = pcm[i + k], a = v < 0 ? -v : v;
			bs += v * v;
			bp = a > bp ? a : bp;
			bc += a >= 32767;
		}
		s += bs;
		peak = bp > peak ? bp : peak;
		clip += (uint64_t)bc;
	}
	for (; i < n; i++) {
		int32_t v = pcm[i], a = v < 0 ? -v : v;
		s += v * v;
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
