/* test_decode.c: unit tests of the SAME decoder (lib/same_decode.c): encoder-to-decoder round trips
 * at every rate, bursts lost, repeats, tones, noise, chunking, invalid headers. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "same_decode.h"
#include "same_encode.h"
#include "t.h"

static const int rates[] = {8000, 11025, 16000, 22050, 44100, 48000};
#define NRATES (sizeof rates / sizeof rates[0])

static const char *hdr = "ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-";
static const char *hdr2 = "ZCZC-CIV-EVI-039035-039093+0100-1231700-WXYZ/FMX-";

/* A growing buffer of samples, and the modulator that writes them. */
struct pcm {
	struct same_mod m;
	int16_t *s;
	size_t n, cap;
};

static void pcm_init(struct pcm *p, int rate)
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

static void add_burst(struct pcm *p, const char *data)
{
	size_t k = same_mod_burst(&p->m, data, strlen(data), NULL, 0);
	p->n += same_mod_burst(&p->m, data, strlen(data), pcm_room(p, k), k);
}

/* As long as a burst of DATA, but silent. */
static void add_burst_gap(struct pcm *p, const char *data)
{
	size_t k = same_mod_burst(&p->m, data, strlen(data), NULL, 0);
	p->n += same_mod_silence(&p->m, k, pcm_room(p, k), k);
}

static void add_silence(struct pcm *p, double seconds)
{
	size_t k = same_mod_samples(&p->m, seconds);
	p->n += same_mod_silence(&p->m, k, pcm_room(p, k), k);
}

static void add_tone(struct pcm *p, double f1, double f2, double seconds)
{
	size_t k = same_mod_samples(&p->m, seconds);
	same_mod_tone_reset(&p->m);
	p->n += same_mod_tone(&p->m, f1, f2, k, pcm_room(p, k), k);
}

/* White noise, uniform, peak AMP of full scale, from a fixed-seed LCG. */
static void add_noise(struct pcm *p, double seconds, double amp)
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
static void add_header(struct pcm *p, const char *h, unsigned mask)
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
static void add_eom(struct pcm *p)
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
static int decode(int rate, const struct pcm *p, size_t chunk, struct result *r)
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

static int count(const struct result *r, enum same_event_type t)
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

/* The whole message at every rate: one alert as sent, three bursts, no errors, one EOM. */
static void test_round_trip(void)
{
	for (size_t i = 0; i < NRATES; i++) {
		struct pcm p;
		struct result r;
		pcm_init(&p, rates[i]);
		add_silence(&p, 0.5);
		add_header(&p, hdr, 7);
		add_tone(&p, 853, 960, 8);
		add_silence(&p, 1);
		add_eom(&p);
		CHECK(decode(rates[i], &p, 0, &r) == 0);
		CHECK(count(&r, SAME_EV_ALERT) == 1);
		const struct same_event *a = nth(&r, SAME_EV_ALERT, 0);
		if (a) {
			CHECK_STR(a->header.raw, hdr);
			CHECK(a->bursts ==
			      2); /* decided from two clean bursts; the third confirms */
			CHECK(a->bit_errors == 0);
			CHECK(a->confidence > 0.5 && a->confidence <= 1);
			/* the alert starts at the first burst, 0.5 s in */
			CHECK(fabs((double)a->sample / rates[i] - 0.5) < 0.02);
		} else
			fprintf(stderr, "no alert at %d Hz\n", rates[i]);
		CHECK(count(&r, SAME_EV_EOM) == 1);
		const struct same_event *e = nth(&r, SAME_EV_EOM, 0);
		CHECK(e && e->bursts == 3 && e->end > e->sample && e->decided >= e->end);
		/* the first EOM burst starts 0.5 + 3 * (burst + 1 s) in */
		double eom_s = 0.5 + 3 * ((16 + strlen(hdr)) * 8 * 6.0 / 3125 + 1) + 8 + 1;
		CHECK(e && fabs((double)e->sample / rates[i] - eom_s) < 0.02);
		CHECK(count(&r, SAME_EV_ATTENTION) == 1);
		free(p.s);
	}
}

/* 31 locations: the longest header, 252 characters. */
static void long_header(char *h, size_t cap);

static void test_long_header(void)
{
	char h[SAME_HEADER_MAX + 1];
	long_header(h, sizeof h);
	CHECK(strlen(h) == 252);
	for (size_t i = 0; i < NRATES; i += 3) {
		struct pcm p;
		struct result r;
		pcm_init(&p, rates[i]);
		add_header(&p, h, 7);
		add_eom(&p);
		decode(rates[i], &p, 0, &r);
		CHECK(count(&r, SAME_EV_ALERT) == 1);
		const struct same_event *a = nth(&r, SAME_EV_ALERT, 0);
		CHECK(a && strcmp(a->header.raw, h) == 0);
		CHECK(a && a->header.nloc == 31 && a->bursts == 2 && a->bit_errors == 0);
		free(p.s);
	}
}

/* Two different alerts back to back: two alerts, in the order sent. */
static void test_two_alerts(void)
{
	struct pcm p;
	struct result r;
	pcm_init(&p, 22050);
	add_header(&p, hdr, 7);
	add_eom(&p);
	add_header(&p, hdr2, 7);
	add_eom(&p);
	decode(22050, &p, 0, &r);
	CHECK(count(&r, SAME_EV_ALERT) == 2);
	const struct same_event *a = nth(&r, SAME_EV_ALERT, 0), *b = nth(&r, SAME_EV_ALERT, 1);
	CHECK(a && strcmp(a->header.raw, hdr) == 0);
	CHECK(b && strcmp(b->header.raw, hdr2) == 0);
	CHECK(a && b && a->sample < b->sample);
	CHECK(count(&r, SAME_EV_EOM) == 2);
	free(p.s);
}

/* The same alert again 3 minutes later is a new alert (a repeat on air). */
static void test_repeat_later(void)
{
	struct pcm p;
	struct result r;
	pcm_init(&p, 8000);
	add_header(&p, hdr, 7);
	add_eom(&p);
	add_silence(&p, 180);
	add_header(&p, hdr, 7);
	add_eom(&p);
	decode(8000, &p, 0, &r);
	CHECK(count(&r, SAME_EV_ALERT) == 2);
	const struct same_event *a = nth(&r, SAME_EV_ALERT, 0), *b = nth(&r, SAME_EV_ALERT, 1);
	CHECK(a && b && (double)(b->sample - a->sample) / 8000 > 180);
	CHECK(count(&r, SAME_EV_EOM) == 2);
	free(p.s);
}

/* One burst of three lost: still decoded, whichever one is lost: from the two heard, or from
 * the first alone when it is clean and the second does not come in time. */
static void test_lost_burst(void)
{
	static const unsigned masks[] = {6, 5, 3};
	static const int used[] = {2, 1, 2};
	for (size_t k = 0; k < 3; k++) {
		struct pcm p;
		struct result r;
		pcm_init(&p, 22050);
		add_header(&p, hdr, masks[k]);
		add_eom(&p);
		decode(22050, &p, 0, &r);
		CHECK(count(&r, SAME_EV_ALERT) == 1);
		const struct same_event *a = nth(&r, SAME_EV_ALERT, 0);
		CHECK(a && strcmp(a->header.raw, hdr) == 0);
		CHECK(a && a->bursts == used[k]);
		if (a && a->bursts != used[k])
			fprintf(stderr, "mask %u: bursts %d\n", masks[k], a->bursts);
		free(p.s);
	}
}

/* Silence and white noise alone: nothing at all. */
static void test_nothing(void)
{
	for (size_t i = 0; i < NRATES; i++) {
		struct pcm p;
		struct result r;
		pcm_init(&p, rates[i]);
		add_silence(&p, 5);
		add_noise(&p, 20, 0.5);
		add_silence(&p, 2);
		add_noise(&p, 10, 1.0);
		decode(rates[i], &p, 0, &r);
		CHECK(r.n == 0);
		if (r.n)
			fprintf(stderr, "%d Hz: %d events from noise, first type %d\n", rates[i],
			        r.n, r.ev[0].type);
		free(p.s);
	}
}

/* Attention tones alone: one event each, the right tone and length. */
static void test_attention(void)
{
	static const struct {
		double f1, f2, s;
		const char *name;
	} tones[] = {{853, 960, 8, "853+960"}, {1050, 0, 10, "1050"}};
	for (size_t i = 0; i < NRATES; i++)
		for (size_t t = 0; t < 2; t++) {
			struct pcm p;
			struct result r;
			pcm_init(&p, rates[i]);
			add_silence(&p, 1);
			add_tone(&p, tones[t].f1, tones[t].f2, tones[t].s);
			add_silence(&p, 2);
			decode(rates[i], &p, 0, &r);
			CHECK(r.n == 1);
			const struct same_event *a = nth(&r, SAME_EV_ATTENTION, 0);
			CHECK(a && a->tone && strcmp(a->tone, tones[t].name) == 0);
			if (a && a->tone && strcmp(a->tone, tones[t].name) != 0)
				fprintf(stderr, "%d Hz: sent %s, heard %s\n", rates[i],
				        tones[t].name, a->tone);
			CHECK(a && fabs(a->duration_s - tones[t].s) <= 0.5);
			CHECK(a && fabs((double)a->sample / rates[i] - 1) <= 0.5);
			if (a && fabs(a->duration_s - tones[t].s) > 0.5)
				fprintf(stderr, "%d Hz %s: duration %.2f\n", rates[i],
				        tones[t].name, a->duration_s);
			free(p.s);
		}
}

static int same_events(const struct result *a, const struct result *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++) {
		const struct same_event *x = &a->ev[i], *y = &b->ev[i];
		if (x->type != y->type || x->sample != y->sample || x->bursts != y->bursts ||
		    x->bit_errors != y->bit_errors)
			return 0;
		if (x->type == SAME_EV_ALERT && strcmp(x->header.raw, y->header.raw) != 0)
			return 0;
		if (x->type == SAME_EV_ATTENTION &&
		    (strcmp(x->tone, y->tone) != 0 || fabs(x->duration_s - y->duration_s) > 1e-9))
			return 0;
	}
	return 1;
}

/* Feeding in odd pieces gives exactly what one big feed gives. */
static void test_chunks(void)
{
	static const size_t chunks[] = {1, 7, 4093};
	struct pcm p;
	struct result whole, r;
	pcm_init(&p, 11025);
	add_silence(&p, 0.3);
	add_header(&p, hdr, 7);
	add_tone(&p, 1050, 0, 9);
	add_silence(&p, 1);
	add_eom(&p);
	decode(11025, &p, 0, &whole);
	CHECK(count(&whole, SAME_EV_ALERT) == 1);
	CHECK(count(&whole, SAME_EV_ATTENTION) == 1);
	CHECK(count(&whole, SAME_EV_EOM) == 1);
	for (size_t k = 0; k < 3; k++) {
		decode(11025, &p, chunks[k], &r);
		CHECK(same_events(&whole, &r));
		if (!same_events(&whole, &r))
			fprintf(stderr, "chunk %zu: %d events, whole: %d\n", chunks[k], r.n,
			        whole.n);
	}
	free(p.s);
}

/* Headers that fail validation are never reported, even when sent perfectly. */
static void test_invalid(void)
{
	static const char *bad[] = {
	    "ZCZC-XYZ-TOR-039173+0030-1231645-KCLE/NWS-", /* unknown originator */
	    "ZCZC-WXR-TOR-039173+0030-9991645-KCLE/NWS-", /* day 999 */
	    "ZCZC-WXR-TOR-039173+0030-1232645-KCLE/NWS-", /* hour 26 */
	    "ZCZC-WXR-TOR-039173+0090-1231645-KCLE/NWS-", /* purge minutes 90 */
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		struct pcm p;
		struct result r;
		pcm_init(&p, 22050);
		add_header(&p, bad[k], 7);
		add_eom(&p);
		decode(22050, &p, 0, &r);
		if (k == 2)
			CHECK(count(&r, SAME_EV_ALERT) == 0);
		else
			CHECK(count(&r, SAME_EV_ALERT) == 0);
		for (int i = 0; i < r.n; i++)
			if (r.ev[i].type == SAME_EV_ALERT)
				fprintf(stderr, "sent %s, reported %s\n", bad[k],
				        r.ev[i].header.raw);
		CHECK(count(&r, SAME_EV_EOM) == 1);
		free(p.s);
	}
}

/* An end of message sent as K NNNN bursts (1 s apart), then 3 s of silence or noise: one eom,
 * "bursts" K (each burst counted once, though the sync search matches NNNN one byte early and
 * late too), starting at the first NNNN burst; the same with the first NNNN burst lost and a new
 * header 1 s after the last one. */
static void test_eom_bursts(void)
{
	for (size_t i = 0; i < NRATES; i++)
		for (int k = 1; k <= 3; k++)
			for (int noise = 0; noise < 2; noise++) {
				struct pcm p;
				struct result r;
				pcm_init(&p, rates[i]);
				add_silence(&p, 0.5);
				add_header(&p, hdr, 7);
				add_tone(&p, 853, 960, 8);
				double eom_s = (double)p.n / rates[i];
				for (int b = 0; b < k; b++) {
					add_burst(&p, "NNNN");
					add_silence(&p, 1);
				}
				if (noise)
					add_noise(&p, 3, 0.03);
				else
					add_silence(&p, 3);
				decode(rates[i], &p, 0, &r);
				CHECK(count(&r, SAME_EV_ALERT) == 1);
				CHECK(count(&r, SAME_EV_EOM) == 1);
				const struct same_event *e = nth(&r, SAME_EV_EOM, 0);
				CHECK(e && e->bursts == k);
				CHECK(e && fabs((double)e->sample / rates[i] - eom_s) < 0.01);
				if (e && e->bursts != k)
					fprintf(stderr,
					        "%d Hz, %d NNNN sent, noise %d: bursts %d\n",
					        rates[i], k, noise, e->bursts);
				free(p.s);
			}
	for (size_t i = 0; i < NRATES; i++) {
		struct pcm p;
		struct result r;
		pcm_init(&p, rates[i]);
		add_header(&p, hdr, 7);
		add_burst_gap(&p, "NNNN");
		add_silence(&p, 1);
		double eom_s = (double)p.n / rates[i];
		for (int b = 0; b < 2; b++) {
			add_burst(&p, "NNNN");
			add_silence(&p, 1);
		}
		add_header(&p, hdr2, 7);
		decode(rates[i], &p, 0, &r);
		CHECK(r.n == 3);
		CHECK(r.n >= 1 && r.ev[0].type == SAME_EV_ALERT);
		CHECK(r.n >= 2 && r.ev[1].type == SAME_EV_EOM && r.ev[1].bursts == 2);
		CHECK(r.n >= 2 && fabs((double)r.ev[1].sample / rates[i] - eom_s) < 0.01);
		CHECK(r.n >= 3 && r.ev[2].type == SAME_EV_ALERT &&
		      strcmp(r.ev[2].header.raw, hdr2) == 0);
		free(p.s);
	}
}

/* A header sent as K bursts (the others lost) is decided from K bursts, each counted once (two
 * at most: two clean bursts decide). */
static void test_header_bursts(void)
{
	for (size_t i = 0; i < NRATES; i += 2)
		for (unsigned mask = 1; mask < 8; mask = mask * 2 + 1) {
			struct pcm p;
			struct result r;
			pcm_init(&p, rates[i]);
			add_silence(&p, 0.5);
			add_header(&p, hdr, mask);
			add_silence(&p, 5);
			decode(rates[i], &p, 0, &r);
			CHECK(count(&r, SAME_EV_ALERT) == 1);
			const struct same_event *a = nth(&r, SAME_EV_ALERT, 0);
			int k = __builtin_popcount(mask) < 2 ? __builtin_popcount(mask) : 2;
			CHECK(a && a->bursts == k);
			if (a && a->bursts != k)
				fprintf(stderr, "%d Hz, mask %u: bursts %d\n", rates[i], mask,
				        a->bursts);
			free(p.s);
		}
}

/* The longest header: 31 locations, 252 characters, into H. */
static void long_header(char *h, size_t cap)
{
	size_t n = (size_t)snprintf(h, cap, "ZCZC-CIV-EVI");
	for (int i = 0; i < 31; i++)
		n += (size_t)snprintf(h + n, cap - n, "-039%03d", 2 * i + 1);
	snprintf(h + n, cap - n, "+0600-0010000-WXYZ/FMX-");
}

/*
 * Latency, from the decoder's own sample counts (the "decided" sample of each event against the
 * end of the burst that decided it), at 8000..48000 Hz, short and long headers:
 * - three clean bursts, or the first two: decided at most 50 ms after the second burst ends;
 * - the first burst lost: at most 50 ms after the third;
 * - only the first heard: at most 0.3 s after a second would have ended (1 s pause, +5 %), and
 *   not before a second one's sync word could have come;
 * - an eom of three bursts: at most 0.1 s after the third; of one: once a second can no
 *   longer come, never before.
 */
static void test_latency(void)
{
	static const int lrates[] = {8000, 22050, 48000};
	static const unsigned masks[4] = {7, 3, 6, 1};
	char lh[SAME_HEADER_MAX + 1];
	long_header(lh, sizeof lh);
	const char *hs[2] = {hdr, lh};
	for (size_t i = 0; i < 3; i++)
		for (int h = 0; h < 2; h++)
			for (int c = 0; c < 4; c++) {
				int rate = lrates[i];
				struct pcm p;
				struct result r;
				size_t end[3];
				pcm_init(&p, rate);
				add_silence(&p, 0.5);
				for (int b = 0; b < 3; b++) {
					if (masks[c] >> b & 1)
						add_burst(&p, hs[h]);
					else
						add_burst_gap(&p, hs[h]);
					end[b] = p.n;
					add_silence(&p, 1);
				}
				add_silence(&p, 4);
				decode(rate, &p, 0, &r);
				const struct same_event *a = nth(&r, SAME_EV_ALERT, 0);
				CHECK(count(&r, SAME_EV_ALERT) == 1);
				CHECK(a && strcmp(a->header.raw, hs[h]) == 0);
				if (!a) {
					free(p.s);
					continue;
				}
				double late, bound = 0.05;
				if (c <= 1)
					late = ((double)a->decided - end[1]) / rate;
				else if (c == 2)
					late = ((double)a->decided - end[2]) / rate;
				else /* after a second would have ended */
					late = ((double)a->decided - end[0]) / rate -
					       1.05 * ((double)(end[1] - end[0]) / rate),
					bound = 0.3;
				int used = c == 3 ? 1 : 2;
				CHECK(late >= (c == 3 ? -4.0 : -0.5) && late <= bound);
				/* a lone burst: not before a second one's sync could have come */
				CHECK(c != 3 ||
				      (double)(a->decided - end[0]) / rate > 1 + 160 / 520.83);
				CHECK(a->bursts == used);
				CHECK(a->end <= end[c == 2   ? 2
				                    : c == 3 ? 0
				                             : 1] &&
				      a->end + rate / 50 >= end[c == 2   ? 2
				                                : c == 3 ? 0
				                                         : 1]);
				if (late < (c == 3 ? -4.0 : -0.5) || late > bound ||
				    a->bursts != used)
					fprintf(
					    stderr,
					    "%d Hz, %zu chars, case %d: %.3f s late, %d bursts\n",
					    rate, strlen(hs[h]), c, late, a->bursts);
				free(p.s);
			}
	for (size_t i = 0; i < 3; i++)
		for (int k = 1; k <= 3; k += 2) {
			int rate = lrates[i];
			struct pcm p;
			struct result r;
			size_t end = 0;
			pcm_init(&p, rate);
			add_header(&p, hdr, 7);
			for (int b = 0; b < k; b++) {
				add_burst(&p, "NNNN");
				end = p.n;
				add_silence(&p, 1);
			}
			add_silence(&p, 3);
			decode(rate, &p, 0, &r);
			const struct same_event *e = nth(&r, SAME_EV_EOM, 0);
			CHECK(e && e->bursts == k);
			double late = e ? ((double)e->decided - end) / rate : 99;
			/* one burst: decided once a second one (1.05 s + 0.32 s) could not come */
			double lo = k == 3 ? 0 : 1.3, hi = k == 3 ? 0.1 : 1.5;
			CHECK(late >= lo && late <= hi);
			CHECK(e && e->end <= end && e->end + rate / 100 >= end);
			if (late < lo || late > hi)
				fprintf(stderr, "%d Hz, eom of %d: %.3f s late\n", rate, k, late);
			free(p.s);
		}
}

/* The marginal-character gate: two clean bursts that differ in one location digit (a valid code
 * either way; the third lost) must not give either header: one is wrong.  Not reported, but said
 * as SAME_EV_DOUBTFUL for the log.  With the same digit in both, the alert as usual. */
static void test_gate(void)
{
	static const char *a = "ZCZC-WXR-FFW-029095+0300-1881530-KEAX/NWS-";
	static const char *b = "ZCZC-WXR-FFW-029094+0300-1881530-KEAX/NWS-";
	for (size_t i = 0; i < NRATES; i++)
		for (int same = 0; same < 2; same++) {
			struct pcm p;
			struct result r;
			pcm_init(&p, rates[i]);
			add_silence(&p, 0.5);
			add_burst(&p, a);
			add_silence(&p, 1);
			add_burst(&p, same ? a : b);
			add_silence(&p, 1);
			add_burst_gap(&p, a);
			add_silence(&p, 3);
			decode(rates[i], &p, 0, &r);
			if (same) {
				CHECK(count(&r, SAME_EV_ALERT) == 1);
				CHECK(count(&r, SAME_EV_DOUBTFUL) == 0);
			} else {
				CHECK(count(&r, SAME_EV_ALERT) == 0);
				CHECK(count(&r, SAME_EV_DOUBTFUL) == 1);
				const struct same_event *e = nth(&r, SAME_EV_DOUBTFUL, 0);
				CHECK(e && (strcmp(e->header.raw, a) == 0 ||
				            strcmp(e->header.raw, b) == 0));
				for (int k = 0; k < r.n; k++)
					if (r.ev[k].type == SAME_EV_ALERT)
						fprintf(stderr, "%d Hz: reported %s\n", rates[i],
						        r.ev[k].header.raw);
			}
			free(p.s);
		}
}

/* A burst of H with bit BIT of its character at index AT (of H) silenced: that character is
 * decided on no margin at all between the two that differ in that bit. */
static void add_burst_erased(struct pcm *p, int rate, const char *h, size_t at, int bit)
{
	size_t start = p->n;
	uint64_t frac = p->m.frac; /* the modulator's bit timing: where bit k starts */
	add_burst(p, h);
	uint64_t step = (uint64_t)SAME_BAUD_DEN * (uint64_t)rate,
	         k = 8 * (SAME_PREAMBLE_LEN + at) + bit;
	for (uint64_t i = (frac + k * step) / SAME_BAUD_NUM;
	     i < (frac + (k + 1) * step) / SAME_BAUD_NUM; i++)
		p->s[start + i] = 0;
}

/* White noise as add_noise()'s, peak AMP of full scale, added to every sample of P. */
static void mix_noise(struct pcm *p, double amp)
{
	static uint32_t x = 4321;
	for (size_t i = 0; i < p->n; i++) {
		x = x * 1664525u + 1013904223u;
		double v = p->s[i] + ((double)(x >> 8) / (1 << 24) * 2 - 1) * amp * 32767;
		p->s[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
	}
}

/* The marginal-character gate, with no burst to confirm: a burst with the last digit of its
 * location on no margin (bit 0 silenced: 3 or 2, a valid code either way) and the other bursts
 * lost gives nothing, neither header; nor do three such bursts the wrong one.  With a clean burst of the same
 * header beside it (before or after, the third lost; or all three heard), that burst confirms
 * the digit: the alert as sent.  In white noise: without noise the decoder takes a burst's
 * slightest lean for a clear choice. */
static void test_gate_confirm(void)
{
	static const char *a = "ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-";
	/* the bursts, in order: 0 lost, 1 marginal, 2 clean */
	static const int cases[][3] = {{1, 0, 0}, {1, 1, 1}, {1, 2, 0}, {2, 1, 0}, {1, 2, 2}};
	for (size_t i = 0; i < NRATES; i++)
		for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
			struct pcm p;
			struct result r;
			int rate = rates[i], confirmed = c > 1;
			pcm_init(&p, rate);
			add_silence(&p, 0.5);
			for (int k = 0; k < 3; k++) {
				if (cases[c][k] == 1)
					add_burst_erased(&p, rate, a, 18, 0);
				else if (cases[c][k] == 2)
					add_burst(&p, a);
				else
					add_burst_gap(&p, a);
				add_silence(&p, 1);
			}
			add_silence(&p, 3);
			mix_noise(&p, 0.2);
			decode(rate, &p, 0, &r);
			const struct same_event *e = nth(&r, SAME_EV_ALERT, 0);
			if (c == 1 && e && strcmp(e->header.raw, a) == 0)
				confirmed = 1; /* what is left of the bit leans to the one sent */
			CHECK(count(&r, SAME_EV_ALERT) == confirmed);
			if (count(&r, SAME_EV_ALERT) != confirmed)
				fprintf(stderr, "%d Hz, case %zu: %d alerts, %d doubtful\n", rate,
				        c, count(&r, SAME_EV_ALERT), count(&r, SAME_EV_DOUBTFUL));
			CHECK(!confirmed || (e && strcmp(e->header.raw, a) == 0));
			for (int k = 0; k < r.n; k++)
				if (r.ev[k].type == SAME_EV_ALERT && (!confirmed || k > 0))
					fprintf(stderr, "%d Hz, case %zu: reported %s\n", rate, c,
					        r.ev[k].header.raw);
			free(p.s);
		}
}

static void test_rates(void)
{
	struct same_decoder *d;
	CHECK(same_decoder_new(7999) == NULL);
	CHECK(same_decoder_new(192001) == NULL);
	CHECK(same_decoder_new(0) == NULL);
	CHECK(same_decoder_new(-8000) == NULL);
	CHECK((d = same_decoder_new(8000)) != NULL);
	same_decoder_free(d);
	CHECK((d = same_decoder_new(192000)) != NULL);
	same_decoder_free(d);
}

int main(void)
{
	test_rates();
	test_round_trip();
	test_long_header();
	test_two_alerts();
	test_repeat_later();
	test_lost_burst();
	test_nothing();
	test_attention();
	test_chunks();
	test_invalid();
	test_eom_bursts();
	test_header_bursts();
	test_latency();
	test_gate();
	test_gate_confirm();
	return t_done("test_decode");
}
