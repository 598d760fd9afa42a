/* same_encode.h: SAME AFSK modulator (47 CFR 11.31): bursts, tones and silence as s16 samples, no
 * I/O.
 *
 * The SAME frame, as eas-encode sends it:
 *
 *   burst = preamble + data
 *     preamble  16 bytes 0xAB (10101011, sent LSB first: 1 1 0 1 0 1 0 1)
 *     data      "ZCZC-ORG-EEE-PSSCCC+TTTT-JJJHHMM-LLLLLLLL-"  or  "NNNN" (EOM)
 *   each byte LSB first, 8 bits, no start/stop bits, no parity.
 *   520 5/6 baud (1.92 ms a bit); bit 1 = mark 2083 1/3 Hz (4 cycles a bit),
 *   bit 0 = space 1562.5 Hz (3 cycles a bit); continuous phase across bits.
 *
 *   |burst|1s|burst|1s|burst|1s|attention 8..25 s|message|1s|EOM|1s|EOM|1s|EOM|1s|
 *
 * Timing is exact at any sample rate: a bit is 6*rate/3125 samples; the
 * fractional part is carried in an integer accumulator from bit to bit (and
 * from one call to the next), never rounded per bit, so N bits always take
 * floor(N*6*rate/3125 + carry) samples and the bit rate does not drift.
 * The phase of the FSK carrier is one accumulator shared by all bursts of an
 * instance, and each tone has its own, so repeated calls join without clicks.
 */
#ifndef EAS_SAME_ENCODE_H
#define EAS_SAME_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#define SAME_BAUD_NUM      3125 /* baud = SAME_BAUD_NUM / SAME_BAUD_DEN = 520.8333 */
#define SAME_BAUD_DEN      6
#define SAME_MARK_HZ       (3125.0 * 4 / 6) /* 2083.333 Hz, bit 1 */
#define SAME_SPACE_HZ      (3125.0 * 3 / 6) /* 1562.5 Hz, bit 0 */
#define SAME_PREAMBLE_BYTE 0xAB
#define SAME_PREAMBLE_LEN  16

/* Modulator state.  Initialise with same_mod_init(); the fields are private. */
struct same_mod {
	unsigned rate;    /* samples per second */
	double amplitude; /* peak, as a fraction of full scale (0..1] */
	double phase;     /* FSK carrier phase, cycles in [0,1) */
	double tphase[2]; /* tone phases, cycles in [0,1) */
	uint64_t frac;    /* bit-timing carry, in 1/SAME_BAUD_NUM samples */
};

/*
 * Set up M for RATE samples per second (8000..192000 is what tools allow;
 * any rate > 0 works) and a peak AMPLITUDE as a fraction of full scale
 * (0.5 = -6 dBFS; clamped to 0..1).  Phases and timing carry start at zero.
 */
void same_mod_init(struct same_mod *m, unsigned rate, double amplitude);

/*
 * Modulate one burst: the 16-byte 0xAB preamble followed by the LEN bytes of
 * DATA (a header or "NNNN"), LSB first.  Returns the number of samples the
 * burst takes from the current state.  If OUT is NULL or CAP is smaller than
 * that, nothing is written and M is unchanged (call with OUT = NULL to size a
 * buffer); otherwise the samples are written to OUT and M advances.
 */
size_t same_mod_burst(struct same_mod *m, const char *data, size_t len, int16_t *out, size_t cap);

/*
 * Write N samples of the sum of sines F1 and F2 Hz (F2 = 0 for one tone),
 * each at half the amplitude when there are two, so the peak stays at the
 * amplitude.  Returns N.  If OUT is NULL or CAP < N nothing is written and M
 * is unchanged.  Consecutive calls continue the tone phases seamlessly, so a
 * long tone can be made in chunks.  same_mod_tone_reset() starts them at 0.
 */
size_t same_mod_tone(struct same_mod *m, double f1, double f2, size_t n, int16_t *out, size_t cap);
void same_mod_tone_reset(struct same_mod *m);

/* Write N zero samples.  Returns N; nothing is written if OUT is NULL or CAP < N. */
size_t same_mod_silence(struct same_mod *m, size_t n, int16_t *out, size_t cap);

/* Samples in SECONDS at M's rate, rounded to the nearest (0 for SECONDS <= 0). */
size_t same_mod_samples(const struct same_mod *m, double seconds);

#endif
