/* same_decode.c: the SAME decoder's front end and timing loop, and its public interface (no I/O).
 *
 * The SAME frame (47 CFR 11.31), 520 5/6 baud, continuous-phase FSK,
 * mark (1) 2083 1/3 Hz, space (0) 1562.5 Hz, bytes sent LSB first:
 *
 *   | preamble 16 x 0xAB | Z C Z C - ORG - EEE - PSSCCC(-PSSCCC)* + TTTT - JJJHHMM - LLLLLLLL - |
 *   |<------ 0.246 s ---->|<-------------- 35 + 7 N characters, 0.54 .. 3.87 s --------------->|
 *
 *   burst 1 | 1 s | burst 2 | 1 s | burst 3 | attention tone 8..25 s | message |
 *   | NNNN x3 with preamble, 1 s apart (end of message)
 *
 * One bit lasts 1.92 ms.  The pipeline, by stage and file:
 *
 *   same_decode.c  PCM -> high-pass -> mix with mark and space -> one-bit
 *                  boxcar (matched filter) -> energies |Ym|^2, |Ys|^2, kept at
 *                  8 "ticks" per bit in a ring -> symbol-timing loop (Gardner)
 *                  -> hard bits
 *   same_frame.c   64-bit sync word search (last 4 preamble bytes + "ZCZC" or
 *                  "NNNN"), each burst once; where its header can end; its bit
 *                  timing over the burst (a line fitted, or a tracking loop
 *                  smoothed both ways when the clock wanders) and its soft bits
 *   same_soft.c    those soft bits made coherent: each tone's phase followed
 *                  through the burst (the ring keeps the complex sums too)
 *   same_ml.c      maximum-likelihood header decoder over the structure
 *   same_combine.c bursts of one message grouped, summed and decided; EOM
 *   same_tone.c    attention-tone detector (Goertzel)
 *
 * A sync starts a burst.  As soon as its header has ended (the hard bits show
 * where it can, and the decoder finds a whole header in what has arrived), its
 * bit timing (phase and clock rate, which may be off by several per cent) is
 * fitted over the burst, and soft bits are taken at the fitted times,
 * normalised by the local power: each bit against a phase reference per tone
 * (coherent) when the sender's phase holds, else the tones' energies compared.
 * Bursts of one message are summed (soft
 * combining of the three bursts, which outperforms bit-wise voting by several
 * dB), then the header is decoded by maximum likelihood over its structure:
 * the number of locations is chosen by the least total cost of all character
 * classes, and each character is the best of the ones legal at its place
 * (digits, letters, the four originators...).  The margins of those choices
 * give the expected number of errors (alternatives weighed by the rules
 * senders keep); a header is reported only when that is at most 3e-5, no
 * character is on a thin margin that the bursts do not confirm, and
 * the result passes same_header_parse().  A wrong alert is worse than none.
 * Two clean bursts that agree decide at once; a group of fewer than three
 * closes when the next burst could no longer come.
 */
#include "same_decode_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- events ------------------------------------------------------------ */

void same_push_event(struct same_decoder *d, const struct same_event *ev)
{
	if (d->evn == EVQ) /* full: drop the oldest (the caller is not pulling) */
		d->evh = (d->evh + 1) % EVQ, d->evn--;
	d->evq[(d->evh + d->evn) % EVQ] = *ev;
	d->evq[(d->evh + d->evn) % EVQ].decided = d->nsamp < d->fed ? d->nsamp : d->fed;
	d->evn++;
}
/* ---- construction ---------------------------------------------------- */
/* The least whole number at or above X >= 0 (ceil() without the library call). */
static inline uint64_t whole_at_or_past(double x)
{
	uint64_t i = (uint64_t)x;
	return (double)i < x ? i + 1 : i;
}

struct same_decoder *same_decoder_new(int rate)
{
	if (rate < 8000 || rate > 192000)
		return NULL;
	struct same_decoder *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->fs = rate;
	d->nbox = (int)lround(rate / BAUD);
	d->box = calloc((size_t)d->nbox * 4, sizeof(float));
	d->tm = calloc(RING, sizeof(float));
	d->tp = calloc(RING, sizeof(float));
	d->tz = calloc((size_t)RING * 4, sizeof(float));
	d->cost = malloc(sizeof(float[128]) * MAXDATA);
	if (!d->box || !d->tm || !d->tp || !d->tz || !d->cost) {
		same_decoder_free(d);
		return NULL;
	}
	/* 2nd-order Butterworth high-pass at 500 Hz: removes hum and rumble. */
	double w = tan(M_PI * 500.0 / rate), q = sqrt(2.0), n = 1 / (1 + q * w + w * w);
	d->hb[0] = n, d->hb[1] = -2 * n, d->hb[2] = n;
	d->hb[3] = 2 * (w * w - 1) * n, d->hb[4] = (1 - q * w + w * w) * n;
	d->mr = 1, d->mi = 0, d->mwr = cos(2 * M_PI * F_MARK / rate),
	d->mwi = -sin(2 * M_PI * F_MARK / rate);
	d->sr = 1, d->si = 0, d->swr = cos(2 * M_PI * F_SPACE / rate),
	d->swi = -sin(2 * M_PI * F_SPACE / rate);
	d->spt = rate / (BAUD * K);
	d->next_tick = d->spt;
	d->tick_at = whole_at_or_past(d->next_tick);
	d->T0 = d->T = K;
	d->phi = K;
	d->last_eom_t = -1e18;
	d->last_sync[0] = d->last_sync[1] = -1e18;
	same_tone_init(&d->td, rate);
	return d;
}

void same_decoder_free(struct same_decoder *d)
{
	if (!d)
		return;
	same_combine_free(d);
	free(d->box);
	free(d->tm);
	free(d->tp);
	free(d->tz);
	free(d->cost);
	free(d);
}

void same_decoder_set_strict(struct same_decoder *d, int on)
{
	d->strict = on != 0;
}

uint64_t same_decoder_samples(const struct same_decoder *d)
{
	return d->nsamp;
}

int same_decoder_next(struct same_decoder *d, struct same_event *ev)
{
	if (d->evn == 0)
		return 0;
	*ev = d->evq[d->evh];
	d->evh = (d->evh + 1) % EVQ;
	d->evn--;
	return 1;
}

/* ---- per tick: timing loop, then the bursts and groups that are due ---- */

static void on_tick(struct same_decoder *d)
{
	/* timing loop: strobe at phi, Gardner error from the mid point */
	while (d->phi + 1 < (double)d->nt) {
		double x = d->phi;
		float m = at(d->tm, x), p = at(d->tp, x);
		float mm = at(d->tm, x - d->T / 2), pm = at(d->tp, x - d->T / 2);
		float n = p > 0 ? m / p : 0;
		float nm = pm > 0 ? mm / pm : 0;
		float e = nm * (d->prev - n);
		d->prev = n;
		same_frame_bit(d, n, x);
		d->phi += d->T + 0.15 * e * d->T / 4;
		d->T += 0.004 * e * d->T / 4;
		if (d->T < d->T0 * 0.95)
			d->T = d->T0 * 0.95;
		if (d->T > d->T0 * 1.05)
			d->T = d->T0 * 1.05;
	}
	/* bursts whose header has ended, in the order they were heard */
	if (d->npend > 0)
		same_combine_due(d);
	same_combine_tick(d);
}

/* ---- feeding ----------------------------------------------------------- */

void same_decoder_feed(struct same_decoder *d, const int16_t *pcm, size_t n)
{
	if (!d->finishing)
		d->fed += n;
	const double *hb = d->hb;
	for (size_t i = 0; i < n; i++) {
		double x = pcm[i] * (1.0 / 32768);
		double y =
		    hb[0] * x + hb[1] * d->hx1 + hb[2] * d->hx2 - hb[3] * d->hy1 - hb[4] * d->hy2;
		d->hx2 = d->hx1, d->hx1 = x, d->hy2 = d->hy1, d->hy1 = y;

		/* attention tones (Goertzel), on the raw input decimated */
		same_tone_sample(d, x);

		/* mix to base band and integrate over one bit */
		double a = y * d->mr, b = y * d->mi, c = y * d->sr, e = y * d->si;
		double r;
		r = d->mr * d->mwr - d->mi * d->mwi, d->mi = d->mr * d->mwi + d->mi * d->mwr,
		d->mr = r;
		r = d->sr * d->swr - d->si * d->swi, d->si = d->sr * d->swi + d->si * d->swr,
		d->sr = r;
		float *slot = d->box + 4 * d->rpos;
		d->sum[0] += a - slot[0];
		d->sum[1] += b - slot[1];
		d->sum[2] += c - slot[2];
		d->sum[3] += e - slot[3];
		slot[0] = (float)a, slot[1] = (float)b, slot[2] = (float)c, slot[3] = (float)e;
		if (++d->rpos == d->nbox)
			d->rpos = 0;
		d->nsamp++;
		if ((d->nsamp & 4095) == 0) {
			/* renormalise the oscillators, refresh the sums (no drift) */
			double g = 1 / sqrt(d->mr * d->mr + d->mi * d->mi);
			d->mr *= g, d->mi *= g;
			g = 1 / sqrt(d->sr * d->sr + d->si * d->si);
			d->sr *= g, d->si *= g;
			memset(d->sum, 0, sizeof d->sum);
			for (int k = 0; k < d->nbox; k++)
				for (int q = 0; q < 4; q++)
					d->sum[q] += d->box[4 * k + q];
		}
		if (d->nsamp >= d->tick_at) {
			d->next_tick += d->spt;
			d->tick_at = whole_at_or_past(d->next_tick);
			float em = (float)(d->sum[0] * d->sum[0] + d->sum[1] * d->sum[1]);
			float es = (float)(d->sum[2] * d->sum[2] + d->sum[3] * d->sum[3]);
			d->tm[d->nt % RING] = em - es;
			d->tp[d->nt % RING] = em + es;
			float *z = d->tz + 4 * (d->nt % RING);
			z[0] = (float)d->sum[0], z[1] = (float)d->sum[1];
			z[2] = (float)d->sum[2], z[3] = (float)d->sum[3];
			d->nt++;
			on_tick(d);
		}
	}
}

void same_decoder_finish(struct same_decoder *d)
{
	/* pad with silence so every pending burst's span is complete */
	static const int16_t zero[1024];
	same_frame_flush(d);
	double need = 0;
	for (int i = 0; i < d->npend; i++)
		if (d->pend[i].ts + (MAXBITS + 12) * d->pend[i].T * 1.04 > need)
			need = d->pend[i].ts + (MAXBITS + 12) * d->pend[i].T * 1.04;
	uint64_t keep = d->nsamp;
	d->finishing = 1;
	while (d->npend > 0 && (double)d->nt <= need + 2)
		same_decoder_feed(d, zero, sizeof zero / sizeof zero[0]);
	d->nsamp = keep;
	same_combine_finish(d);
	if (d->td.cur)
		same_tone_finish(d);
}
