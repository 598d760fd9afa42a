/* levels.h: audio level meter for status lines: RMS and peak dBFS, silence and clipping (no I/O).
 */
#ifndef EAS_LEVELS_H
#define EAS_LEVELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eas_levels {
	/* settings */
	double silence_dbfs;    /* below this RMS an interval is quiet (default -50) */
	double silence_seconds; /* quiet this long means silence (default 10) */
	int rate;
	/* the current interval */
	double sumsq;
	int peak;
	uint64_t n, clipped;
	/* across intervals */
	uint64_t quiet_samples; /* consecutive samples in quiet intervals */
};

struct eas_level_report {
	double rms_dbfs, peak_dbfs; /* -inf reported as -120 */
	bool silence, clipping;
	uint64_t samples, clipped;
	double quiet_s; /* seconds of consecutive quiet intervals up to this one (0 when loud) */
};

/* Start a meter for RATE Hz with the given silence threshold and duration. */
void eas_levels_init(struct eas_levels *l, int rate, double silence_dbfs, double silence_seconds);

/* Account N samples to the current interval. */
void eas_levels_feed(struct eas_levels *l, const int16_t *pcm, size_t n);

/* Close the current interval: its figures into *R, and start the next one.
 * Clipping means at least 0.01 % of the interval's samples (and at least 3) at full scale. */
void eas_levels_report(struct eas_levels *l, struct eas_level_report *r);

#endif
