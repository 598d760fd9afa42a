/* decode_pcm.h: helpers of the decoder's unit tests (test_decode.c, test_decide.c): a growing
 * buffer of samples from the SAME modulator (bursts, silence, tones, noise) and a decoder run over
 * it that keeps its events. */
#ifndef EAS_TEST_DECODE_PCM_H
#define EAS_TEST_DECODE_PCM_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "same_decode.h"
#include "same_encode.h"

static const int rates[] = {8000, 11025, 16000, 22050, 44100, 48000};
#define NRATES (sizeof rates / sizeof rates[0])

static const char *const hdr = "ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-";
static const char *const hdr2 = "ZCZC-CIV-EVI-039035-039093+0100-1231700-WXYZ/FMX-";

/* A growing buffer of samples, and the modulator that writes them. */
struct pcm {
	struct same_mod m;
	int16_t *s;
	size_t n, cap;
};

static inline void pcm_init(struct pcm *p, int rate)
{
	same_mod_init(&p->m, (unsigned)rate, 0.5);
	p->s = NULL;
	p->n = p->cap = 0;
}

static int16_t *pcm_room(struct pcm *p, size_t k)
{
	if (p->n + k > p->cap) {
		size_t cap = p->cap ? p->cap : 65536;
		while (cap < p->n + k)
			cap *= 2;
		int16_t *s = realloc(p->s, cap * sizeof *s);
		if (!s) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		p->s = s;
		p->cap = cap;
	}
	return p->s + p->n;
}

static inline void add_burst(struct pcm *p, const char *data)
{
	size_t k = same_mod_burst(&p->m, data, strlen(data), NULL, 0);
	p->n += same_mod_burst(&p->m, data, strlen(data), pcm_room(p, k), k);
}

/* As long as a burst of DATA, but silent. */
static inline void add_burst_gap(struct pcm *p, const char *data)
{
	size_t k = same_mod_burst(&p->m, data, strlen(data), NULL, 0);
	p->n += same_mod_silence(&p->m, k, pcm_room(p, k), k);
}

static inline void add_silence(struct pcm *p, double seconds)
{
	size_t k = same_mod_samples(&p->m, seconds);
	p->n += same_mod_silence(&p->m, k, pcm_room(p, k), k);
}

static inline void add_tone(struct pcm *p, double f1, double f2, double seconds)
{
	size_t k = same_mod_samples(&p->m, seconds);
	same_mod_tone_reset(&p->m);
	p->n += same_mod_tone(&p->m, f1, f2, k, pcm_room(p, k), k);
}

/* White noise, uniform, peak AMP of full scale, from a fixed-seed LCG. */
static inline void add_noise(struct pcm *p, double seconds, double amp)
{
	static uint32_t x = 12345;
	size_t k = same_mod_samples(&p->m, seconds);
	int16_t *o = pcm_room(p, k);
	for (size_t i = 0; i < k; i++) {
		x = x * 1664525u + 1013904223u;
		o[i] = (int16_t)(((double)(x >> 8) / (1 << 24) * 2 - 1) * amp * 32767);
	}
	p->n += k;
}

/* Three header bursts (those whose bit is set in MASK; the others are silent), 1 s apart,
 * then 1 s of silence. */
static inline void add_header(struct pcm *p, const char *h, unsigned mask)
{
	for (int i = 0; i < 3; i++) {
		if (mask & (1u << i))
			add_burst(p, h);
		else
			add_burst_gap(p, h);
		add_silence(p, 1);
	}
}

/* Three EOM bursts with 1 s of silence after each. */
static inline void add_eom(struct pcm *p)
{
	for (int i = 0; i < 3; i++) {
		add_burst(p, "NNNN");
		add_silence(p, 1);
	}
}

#define MAXEV 16

struct result {
	int n;
	struct same_event ev[MAXEV];
};

/* Decode P's samples at RATE, fed CHUNK samples at a time (0 = all at once). */
static inline int decode(int rate, const struct pcm *p, size_t chunk, struct result *r)
{
	struct same_decoder *d = same_decoder_new(rate);
	struct same_event ev;

	r->n = 0;
	if (!d)
		return -1;
	if (!chunk)
		chunk = p->n ? p->n : 1;
	for (size_t off = 0; off < p->n; off += chunk) {
		size_t k = p->n - off < chunk ? p->n - off : chunk;
		same_decoder_feed(d, p->s + off, k);
		while (same_decoder_next(d, &ev))
			if (r->n < MAXEV)
				r->ev[r->n++] = ev;
	}
	same_decoder_finish(d);
	while (same_decoder_next(d, &ev))
		if (r->n < MAXEV)
			r->ev[r->n++] = ev;
	same_decoder_free(d);
	return 0;
}

static inline int count(const struct result *r, enum same_event_type t)
{
	int c = 0;
	for (int i = 0; i < r->n; i++)
		c += r->ev[i].type == t;
	return c;
}

/* The Ith event of type T, or NULL. */
static const struct same_event *nth(const struct result *r, enum same_event_type t, int i)
{
	for (int k = 0; k < r->n; k++)
		if (r->ev[k].type == t && i-- == 0)
			return &r->ev[k];
	return NULL;
}

/* The longest header: 31 locations, 252 characters, into H. */
static inline void long_header(char *h, size_t cap)
{
	size_t n = (size_t)snprintf(h, cap, "ZCZC-CIV-EVI");
	for (int i = 0; i < 31; i++)
		n += (size_t)snprintf(h + n, cap - n, "-039%03d", 2 * i + 1);
	snprintf(h + n, cap - n, "+0600-0010000-WXYZ/FMX-");
}

#endif
