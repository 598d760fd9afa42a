/* test_decode.c: unit tests of the SAME decoder (lib/same_decode.c): encoder-to-decoder round trips
 * at every rate, bursts lost, repeats, tones, noise, chunking, invalid headers. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_pcm.h"
#include "t.h"

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
	return t_done("test_decode");
}
