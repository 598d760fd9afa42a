/* same_soft.c: the SAME decoder's coherent soft bits: each tone's phase followed through a burst
 * from the bits already decided, and every bit measured against it (no I/O). */
#include <complex.h>
#include <math.h>
#include <string.h>

#include "same_decode_int.h"

/*
 * SAME is FSK with modulation index 1 (47 CFR 11.31(a)(1): 520 5/6 baud, mark 4 cycles per bit,
 * space 3), sent with a continuous phase: at every bit boundary the carrier's phase is the same
 * whatever the bits, so in the mixer's frame (same_decode.c) the boxcar sum of every mark bit has
 * the same phase, and every space bit its own.  The non-coherent soft bit |Zm|^2 - |Zs|^2 throws
 * that away; measuring each bit against a reference for each tone, averaged over the bits around
 * it, keeps only the noise in phase with the tone (half of it) and sums linearly over bursts:
 * about 2 dB more.  A sender whose clock or tones are off (by per cents, or tens of Hz) turns
 * the references by up to a radian or more per bit, a wandering clock by a varying amount, and a
 * channel (echo, codecs) gives the two tones their own phases and gains: each tone's reference
 * and its turn per bit are estimated apart, from the bits near by.
 */

/* Bits each side of a bit over which a tone's reference is averaged (W), its turn per bit (WR),
 * and the references' power that scales the soft bits (WP). */
enum { W = 16, WR = 64, WP = 64 };

/* Share of the bits on which the coherent and non-coherent decisions must agree for the coherent
 * ones to be taken: at least 0.85 where a burst can be decoded at all when the phase is
 * continuous, about 0.6 when it is not (a sender whose every bit starts at a random phase). */
#define AGREE 0.75

/* Clarity (clarity()) of the non-coherent bits above which they are all but certain: the mean
 * magnitude 7 standard deviations from 0 (white noise: about 6 dB SNR at 22050 Hz and above). */
#define CERTAIN 50

/* Passes: the first decides by the non-coherent bits, the next by the coherent ones. */
enum { PASSES = 2 };

typedef float complex cf;

/* The phase of tone T's reference at every bit, as the unit complex U[0..N-1] that turns it
 * back: its turn per bit from the products of the bits of that tone one bit apart, then, that
 * known, 4 and 16 apart (16 times finer), each summed over WR bits either side of the middle of
 * each block of B bits, and summed bit by bit. */
static void turns(cf z[2][MAXBITS], const float *dec, int n, int t, cf *u)
{
	static const int lags[3] = {1, 4, 16};
	enum { B = 8 };
	cf pre[MAXBITS + 1];
	float w[MAXBITS / B + 1];
	int nblk = (n + B - 1) / B;
	for (int k = 0; k < nblk; k++)
		w[k] = 0;
	for (int l = 0; l < 3; l++) {
		int D = lags[l];
		pre[0] = 0;
		for (int k = 0; k < n; k++) {
			cf p = 0;
			if (k >= D && (dec[k] > 0) == (t == 0) && (dec[k - D] > 0) == (t == 0))
				p = z[t][k] * conjf(z[t][k - D]);
			pre[k + 1] = pre[k] + p;
		}
		for (int k = 0; k < nblk; k++) {
			int j = k * B + B / 2;
			int a = j - WR > 0 ? j - WR : 0, b = j + WR < n ? j + WR : n;
			cf sum = pre[b] - pre[a];
			/* what the turn known so far leaves over D bits */
			if (sum != 0)
				w[k] += cargf(sum * cexpf(-I * w[k] * (float)D)) / (float)D;
		}
	}
	/* the reference's phase path: the turns summed */
	cf v = 1;
	for (int k = 0; k < nblk; k++) {
		cf step = cexpf(-I * w[k]);
		v /= cabsf(v);
		for (int j = k * B; j < k * B + B && j < n; j++)
			u[j] = v, v *= step;
	}
}

/* Coherent soft bits of data bits 0..N-1 from the sums Z[0] (mark) and Z[1] (space), turned back
 * by U[0] and U[1] (turns()), deciding the references by the signs of DEC, into OUT. */
static void coherent(cf z[2][MAXBITS], cf u[2][MAXBITS], const float *dec, int n, float *out)
{
	cf pre[2][MAXBITS + 1];
	int cnt[2][MAXBITS + 1];
	for (int t = 0; t < 2; t++) {
		pre[t][0] = 0, cnt[t][0] = 0;
		for (int k = 0; k < n; k++) {
			int on = (dec[k] > 0) == (t == 0);
			pre[t][k + 1] = pre[t][k] + (on ? z[t][k] * u[t][k] : 0);
			cnt[t][k + 1] = cnt[t][k] + on;
		}
	}
	cf r[2][MAXBITS];
	float pw[MAXBITS + 1];
	pw[0] = 0;
	for (int j = 0; j < n; j++) {
		int a = j - W > 0 ? j - W : 0, b = j + W + 1 < n ? j + W + 1 : n;
		for (int t = 0; t < 2; t++) {
			/* the bits about J, but J itself, brought to J's phase */
			int on = (dec[j] > 0) == (t == 0), c = cnt[t][b] - cnt[t][a] - on;
			cf acc = pre[t][b] - pre[t][a] - (on ? z[t][j] * u[t][j] : 0);
			r[t][j] = c ? acc * conjf(u[t][j]) / (float)c : 0;
		}
		pw[j + 1] =
		    pw[j] +
		    (crealf(r[0][j] * conjf(r[0][j])) + crealf(r[1][j] * conjf(r[1][j]))) / 2;
	}
	for (int j = 0; j < n; j++) {
		int a = j - WP > 0 ? j - WP : 0, b = j + WP + 1 < n ? j + WP + 1 : n;
		float em = crealf(r[0][j] * conjf(r[0][j])), es = crealf(r[1][j] * conjf(r[1][j]));
		float num = crealf(z[0][j] * conjf(r[0][j])) - crealf(z[1][j] * conjf(r[1][j])) -
		            (em - es) / 2;
		float den = (pw[b] - pw[a]) / (float)(b - a);
		float v = den > 0 ? num / den : 0;
		out[j] = v > SOFT_MAX ? SOFT_MAX : v < -SOFT_MAX ? -SOFT_MAX : v;
	}
}

/* How clearly soft bits S[0..N-1] are decided: the square of their mean magnitude over the
 * variance of the magnitude. */
static double clarity(const float *s, int n)
{
	double m = 0, q = 0;
	for (int j = 0; j < n; j++)
		m += fabsf(s[j]), q += s[j] * s[j];
	m /= n, q /= n;
	return q - m * m > 0 ? m * m / (q - m * m) : 1e9;
}

/* The power of bit J in Z (both tones). */
static float power(cf z[2][MAXBITS], int j)
{
	return crealf(z[0][j] * conjf(z[0][j]) + z[1][j] * conjf(z[1][j]));
}

int same_soft_coherent(const struct same_decoder *d, const double *x, float *s, int nb, int span)
{
	enum { OFF = 8 };
	if (span > nb)
		span = nb;
	if (span < 64)
		return 0;
	/* the bits already all but certain (a strong signal): nothing to gain */
	double qn = clarity(s, span);
	if (qn > CERTAIN)
		return 0;
	cf z[2][MAXBITS];
	for (int j = 0; j < span; j++) {
		float q[4] = {0, 0, 0, 0};
		if (have(d, x[j + OFF]))
			at4(d->tz, x[j + OFF], q);
		z[0][j] = q[0] + q[1] * I;
		z[1][j] = q[2] + q[3] * I;
	}
	/* the carrier gone (the burst has ended): those bits would spoil the references */
	double ref = 0;
	for (int j = 0; j < 64; j++)
		ref += power(z, j) / 64;
	double e = 0;
	for (int j = 0; j < span; j++) {
		e += power(z, j) - (j >= 16 ? power(z, j - 16) : 0);
		if (j >= 79 && e < 0.4 * 16 * ref) {
			span = j - 8;
			break;
		}
	}
	while (span > 64 && power(z, span - 1) < 0.3 * ref)
		span--;
	float c[MAXBITS], dec[MAXBITS];
	cf u[2][MAXBITS];
	memcpy(dec, s, sizeof(float) * (size_t)span);
	turns(z, dec, span, 0, u[0]);
	turns(z, dec, span, 1, u[1]);
	for (int pass = 0; pass < PASSES; pass++) {
		coherent(z, u, dec, span, c);
		memcpy(dec, c, sizeof(float) * (size_t)span);
	}
	double qc = clarity(c, span);
	int agree = 0;
	for (int j = 0; j < span; j++)
		agree += (s[j] > 0) == (c[j] > 0);
	if (!(qc > qn) || agree < AGREE * span)
		return 0;
	/* the bits after the span (the burst has ended: noise), at the coherent ones' scale */
	double mn = 0, mc = 0;
	for (int j = 0; j < span; j++)
		mn += fabsf(s[j]), mc += fabsf(c[j]);
	float g = mn > 0 ? (float)(mc / mn) : 1;
	for (int j = span; j < nb; j++)
		s[j] = fminf(SOFT_MAX, fmaxf(-SOFT_MAX, s[j] * g));
	memcpy(s, c, sizeof(float) * (size_t)span);
	return 1;
}
