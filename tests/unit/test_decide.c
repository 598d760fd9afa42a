/* test_decide.c: unit tests of when and whether the SAME decoder decides (lib/same_combine.c):
 * latency from its own sample counts, and the marginal-character gate (a digit two bursts
 * disagree on, a character on no margin that only another burst can confirm). */
#include "decode_pcm.h"
#include "t.h"

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
 * lost gives nothing, neither header; nor do three such bursts the wrong one.  With a clean burst
 * of the same header beside it (before or after, the third lost; or all three heard), that burst
 * confirms the digit: the alert as sent.  In white noise: without noise the decoder takes a burst's
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

int main(void)
{
	test_latency();
	test_gate();
	test_gate_confirm();
	return t_done("test_decide");
}
