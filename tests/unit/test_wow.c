/* test_wow.c: unit tests of the SAME decoder on audio whose speed wanders within a burst (wow and
 * flutter of tape and turntable transfers, drifting sound-card and stream clocks), made here from
 * the library's own encoder: the longest header must decode exactly (issue 15, part 3). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "same_decode.h"
#include "same_encode.h"
#include "t.h"

#define OVER 4 /* the encoder runs at OVER times the output rate; the warp interpolates it */

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return p;
}

/* The longest header: 31 locations, 252 characters, into H. */
static void long_header(char *h, size_t cap)
{
	size_t n = (size_t)snprintf(h, cap, "ZCZC-WXR-SVR");
	for (int i = 0; i < 31; i++)
		n += (size_t)snprintf(h + n, cap - n, "-0%02d%03d", 1 + (7 * i) % 56, 2 * i + 1);
	snprintf(h + n, cap - n, "+0100-0402251-KXYZ/NWS-");
}

/* Three bursts of H, 1 s apart, 0.5 s of silence before and 2 s after, at RATE: *N samples. */
static int16_t *message(const char *h, int rate, size_t *n)
{
	struct same_mod m;
	same_mod_init(&m, (unsigned)rate, 0.5);
	size_t lead = same_mod_samples(&m, 0.5), gap = same_mod_samples(&m, 1);
	size_t burst = same_mod_burst(&m, h, strlen(h), NULL, 0) + 2; /* carry: one more at most */
	size_t cap = lead + 3 * (burst + gap) + gap, k = 0;
	int16_t *s = xmalloc(cap * sizeof *s);
	k += same_mod_silence(&m, lead, s + k, cap - k);
	for (int i = 0; i < 3; i++) {
		k += same_mod_burst(&m, h, strlen(h), s + k, cap - k);
		k += same_mod_silence(&m, gap, s + k, cap - k);
	}
	k += same_mod_silence(&m, gap, s + k, cap - k);
	*n = k;
	return s;
}

/* A uniform deviate in [0, 1) from the state X (a fixed-seed LCG). */
static double uniform(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return (*x >> 8) / 16777216.0;
}

/*
 * The speed, one value per output sample (N of them) at RATE: 1 + A sin(2 pi F t + PH) when F > 0;
 * when F is 0, a random wander of A rms: white noise through two one-pole low-passes at 0.5 Hz
 * (as bench/wow.sh makes it), seeded by PH.
 */
static double *speed(size_t n, int rate, double a, double f, double ph)
{
	double *v = xmalloc(n * sizeof *v);
	if (f > 0) {
		for (size_t i = 0; i < n; i++)
			v[i] = 1 + a * sin(2 * M_PI * f * (double)i / rate + ph);
		return v;
	}
	uint32_t x = 2026u + (uint32_t)(ph * 1000); /* PH seeds the wander */
	double k = 2 * M_PI * 0.5 / rate, y1 = 0, y2 = 0, mean = 0, var = 0;
	for (size_t i = 0; i < n; i++) {
		/* a normal deviate from the sum of 12 uniforms */
		double g = -6;
		for (int q = 0; q < 12; q++)
			g += uniform(&x);
		y1 += k * (g - y1);
		y2 += k * (y1 - y2);
		v[i] = y2;
		mean += y2;
	}
	mean /= (double)n;
	for (size_t i = 0; i < n; i++)
		var += (v[i] - mean) * (v[i] - mean);
	double sd = sqrt(var / (double)n);
	for (size_t i = 0; i < n; i++)
		v[i] = 1 + a * (v[i] - mean) / sd;
	return v;
}

/*
 * Header H played at a speed that wanders (A, F, PH as speed()), at RATE: the message is encoded
 * at OVER times RATE, and output sample i reads it at the content time reached by then (the sum
 * of the speeds), by linear interpolation.  Returns *N samples.
 */
static int16_t *wow_message(const char *h, int rate, double a, double f, double ph, size_t *n)
{
	size_t ns;
	int16_t *src = message(h, OVER * rate, &ns);
	size_t cap = (size_t)((double)ns / OVER / (1 - 3 * a)) + 1;
	double *sp = speed(cap, rate, a, f, ph);
	int16_t *out = xmalloc(cap * sizeof *out);
	double pos = 0; /* in source samples */
	size_t k = 0;
	while (k < cap && pos + 1 < (double)ns) {
		size_t i = (size_t)pos;
		double fr = pos - (double)i;
		out[k] = (int16_t)lrint(src[i] * (1 - fr) + src[i + 1] * fr);
		pos += OVER * sp[k];
		k++;
	}
	free(src);
	free(sp);
	*n = k;
	return out;
}

/* The headers decoded from S (N samples at RATE), one per line into OUT. */
static int decode(const int16_t *s, size_t n, int rate, char *out, size_t cap)
{
	struct same_decoder *d = same_decoder_new(rate);
	struct same_event ev;
	int alerts = 0;
	size_t len = 0;
	out[0] = 0;
	if (!d)
		return -1;
	for (size_t off = 0; off < n; off += 4096) {
		same_decoder_feed(d, s + off, n - off < 4096 ? n - off : 4096);
		while (same_decoder_next(d, &ev))
			if (ev.type == SAME_EV_ALERT && len + strlen(ev.header.raw) + 2 < cap) {
				len +=
				    (size_t)snprintf(out + len, cap - len, "%s\n", ev.header.raw);
				alerts++;
			}
	}
	same_decoder_finish(d);
	while (same_decoder_next(d, &ev))
		if (ev.type == SAME_EV_ALERT && len + strlen(ev.header.raw) + 2 < cap) {
			len += (size_t)snprintf(out + len, cap - len, "%s\n", ev.header.raw);
			alerts++;
		}
	same_decoder_free(d);
	return alerts;
}

/* The longest header at RATE, speed modulated by A at F Hz (0: random wander of A rms), at
 * several phases of the modulation: exactly that header, once, each time. */
static void check_wow(int rate, double a, double f)
{
	char h[SAME_HEADER_MAX + 1], want[SAME_HEADER_MAX + 2], got[4 * SAME_HEADER_MAX];
	long_header(h, sizeof h);
	snprintf(want, sizeof want, "%s\n", h);
	for (int i = 0; i < 3; i++) {
		size_t n;
		int16_t *s = wow_message(h, rate, a, f, 2.1 * i, &n);
		int alerts = decode(s, n, rate, got, sizeof got);
		CHECK(alerts == 1);
		CHECK_STR(got, want);
		if (alerts != 1 || strcmp(got, want) != 0)
			fprintf(stderr, "wow %.1f %% at %.1f Hz, %d Hz, phase %d: %d alerts\n",
			        100 * a, f, rate, i, alerts);
		free(s);
	}
}

int main(void)
{
	check_wow(22050, 0.01, 1.0); /* 1 % at 1 Hz: turntable wow */
	check_wow(22050, 0.01, 2.0); /* 1 % at 2 Hz */
	check_wow(22050, 0.005, 0);  /* random wander, 0.5 % rms */
	check_wow(8000, 0.01, 1.0);  /* the lowest rate */
	check_wow(48000, 0.005, 0);  /* a sound card's rate */
	return t_done("test_wow");
}
