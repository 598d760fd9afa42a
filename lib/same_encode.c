/* same_encode.c: SAME AFSK modulator: preamble + data bursts, attention tones and silence as s16
 * samples. */
#include "same_encode.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void same_mod_init(struct same_mod *m, unsigned rate, double amplitude)
{
	m->rate = rate ? rate : 1;
	if (!(amplitude >= 0))
		amplitude = 0;
	if (amplitude > 1)
		amplitude = 1;
	m->amplitude = amplitude;
	m->phase = 0;
	m->tphase[0] = m->tphase[1] = 0;
	m->frac = 0;
}

size_t same_mod_samples(const struct same_mod *m, double seconds)
{
	if (!(seconds > 0))
		return 0;
	return (size_t)llround(seconds * m->rate);
}

/* The byte at index I of the burst (preamble, then data). */
static unsigned char burst_byte(const char *data, size_t i)
{
	return i < SAME_PREAMBLE_LEN ? SAME_PREAMBLE_BYTE
	                             : (unsigned char)data[i - SAME_PREAMBLE_LEN];
}

static int16_t to_s16(double v)
{
	long s = lrint(v * 32767.0);
	if (s > 32767)
		s = 32767;
	if (s < -32768)
		s = -32768;
	return (int16_t)s;
}

size_t same_mod_burst(struct same_mod *m, const char *data, size_t len, int16_t *out, size_t cap)
{
	const uint64_t step = (uint64_t)SAME_BAUD_DEN * m->rate; /* per bit, in 1/NUM samples */
	size_t nbytes = SAME_PREAMBLE_LEN + len;
	uint64_t total = (m->frac + step * 8 * (uint64_t)nbytes) / SAME_BAUD_NUM;
	uint64_t frac = m->frac;
	double phase = m->phase;
	const double dmark = SAME_MARK_HZ / m->rate, dspace = SAME_SPACE_HZ / m->rate;
	size_t k = 0;

	if (!out || cap < total)
		return (size_t)total;
	for (size_t i = 0; i < nbytes; i++) {
		unsigned char b = burst_byte(data, i);
		for (int bit = 0; bit < 8; bit++, b >>= 1) {
			double d = (b & 1) ? dmark : dspace;
			uint64_t n;

			frac += step;
			n = frac / SAME_BAUD_NUM;
			frac %= SAME_BAUD_NUM;
			while (n--) {
				out[k++] = to_s16(m->amplitude * sin(2 * M_PI * phase));
				phase += d;
				if (phase >= 1)
					phase -= 1;
			}
		}
	}
	m->frac = frac;
	m->phase = phase;
	return k;
}

size_t same_mod_tone(struct same_mod *m, double f1, double f2, size_t n, int16_t *out, size_t cap)
{
	double d1 = f1 / m->rate, d2 = f2 / m->rate;
	double a = f2 > 0 ? m->amplitude / 2 : m->amplitude;
	double p1 = m->tphase[0], p2 = m->tphase[1];

	if (!out || cap < n)
		return n;
	for (size_t i = 0; i < n; i++) {
		double v = sin(2 * M_PI * p1);
		if (f2 > 0)
			v += sin(2 * M_PI * p2);
		out[i] = to_s16(a * v);
		p1 += d1;
		p1 -= floor(p1);
		p2 += d2;
		p2 -= floor(p2);
	}
	m->tphase[0] = p1;
	m->tphase[1] = p2;
	return n;
}

void same_mod_tone_reset(struct same_mod *m)
{
	m->tphase[0] = m->tphase[1] = 0;
}

size_t same_mod_silence(struct same_mod *m, size_t n, int16_t *out, size_t cap)
{
	(void)m;
	if (!out || cap < n)
		return n;
	for (size_t i = 0; i < n; i++)
		out[i] = 0;
	return n;
}
