/* same_frame.c: the SAME decoder's burst framing: sync word search on the timing loop's bits, then
 * the bit timing fitted over a whole burst and its soft bits (no I/O). */
#include <math.h>
#include <string.h>

#include "same_decode_int.h"

static const uint64_t SYNC_ZCZC = 0x435A435AABABABABULL; /* AB AB AB AB Z C Z C, LSB first */
static const uint64_t SYNC_NNNN = 0x4E4E4E4EABABABABULL;

/* Sum of |m| over bits J0..J0+N-1 at times A + B j + DELTA. */
static double seg_score(const struct same_decoder *d, double a, double b, int j0, int n,
                        double delta)
{
	double s = 0;
	for (int j = j0; j < j0 + n; j++)
		s += fabsf(at(d->tm, a + b * j + delta));
	return s;
}
/* Soft bits of data bit j = 0.. at t0 + (j + 1) T, normalised by the local power. */
static void soft_bits(const struct same_decoder *d, double t0, double T, float *s, int nb)
{
	static const int W = 8;
	double pw[MAXBITS + 2 * 8];
	for (int j = -W; j < nb + W; j++) {
		double x = t0 + (j + 1) * T;
		pw[j + W] = have(d, x) ? at(d->tp, x) : 0;
	}
	double acc = 0;
	int cnt = 0;
	for (int j = 0; j < 2 * W && j < nb + 2 * W; j++)
		acc += pw[j], cnt++;
	for (int j = 0; j < nb; j++) {
		/* window [j - W, j + W] in pw indices [j, j + 2W] */
		if (j + 2 * W < nb + 2 * W)
			acc += pw[j + 2 * W], cnt++;
		double x = t0 + (j + 1) * T;
		double m = have(d, x) ? at(d->tm, x) : 0;
		double lp = acc / cnt;
		double v = lp > 0 ? m / lp : 0;
		if (v > 1.5)
			v = 1.5;
		if (v < -1.5)
			v = -1.5;
		s[j] = (float)v;
		acc -= pw[j], cnt--;
	}
}

/*
 * Follow the bit timing of the burst synced at P through the ring: segment by
 * segment, find the offset that best centres the strobes on the bits, and fit
 * a line (phase + clock rate) through those offsets by least squares, each
 * segment predicted from the segments before it.  A sender's clock is steady,
 * so a line is the right model; it resists noise far better than a loop.
 * Then take the soft bits at the fitted times into B.
 */
void same_frame_take(struct same_decoder *d, const struct pend *p, struct burst *b)
{
	enum { SEG = 32, NSTEP = 8 };
	double a = p->ts, bb = p->T;
	/* least-squares sums of t = A + B j */
	double sw = 0, sj = 0, st = 0, sjj = 0, sjt = 0, ref = 0;
	int nseg = 0;
	for (int j0 = -64; j0 < MAXBITS; j0 += SEG) {
		/* a header taken as soon as it ends: no further than what has arrived */
		if (a + bb * (j0 + SEG) + 3 >= (double)d->nt)
			break;
		double sc[2 * NSTEP + 1];
		int bi = 0;
		for (int i = 0; i <= 2 * NSTEP; i++) {
			sc[i] = seg_score(d, a, bb, j0, SEG, (i - NSTEP) * 0.25);
			if (sc[i] > sc[bi])
				bi = i;
		}
		double delta = (bi - NSTEP) * 0.25;
		if (bi > 0 && bi < 2 * NSTEP) {
			double den = sc[bi - 1] - 2 * sc[bi] + sc[bi + 1];
			if (den < 0)
				delta += 0.25 * 0.5 * (sc[bi - 1] - sc[bi + 1]) / den;
		}
		if (nseg < 3)
			ref += sc[bi] / 3;
		/* beyond the burst's end the offsets mean nothing: stop following */
		if (nseg >= 3 && sc[bi] < 0.3 * ref)
			break;
		double jc = j0 + SEG / 2.0, t = a + bb * jc + delta;
		sw += 1, sj += jc, st += t, sjj += jc * jc, sjt += jc * t;
		nseg++;
		if (nseg >= 2) {
			double den = sw * sjj - sj * sj;
			double B = (sw * sjt - sj * st) / den;
			if (B > d->T0 * 0.95 && B < d->T0 * 1.05) {
				bb = B;
				a = (st - bb * sj) / sw;
			}
		} else {
			a += delta;
		}
	}
	b->ts = a;
	b->T = bb;
	b->errs = p->errs;
	soft_bits(d, a, bb, b->s, MAXBITS);
}

/*
 * Each burst is queued once.  The sync check tolerates several wrong bits, so
 * one burst matches at more than one place: NNNN one byte early or late is the
 * sync word with 5 bits wrong (AB AB AB AB AB NNN, AB AB AB NNNNN).  A sync is
 * held for HOLD bits, replaced by a better one (fewer wrong bits) found
 * meanwhile, then queued; a sync of the same kind within GUARD bits of a
 * queued one is the same burst again.  Two bursts are at least 1 s apart
 * (47 CFR 11.31(a)(1)), far more than GUARD.
 */
enum { HOLD = 16, GUARD = 160 };

/*
 * Follow the loop's hard bits of a header burst after its sync to see where it
 * can end, so that it is taken then and not when the longest header could have
 * ended (4 s): the first '+' at a place one can be (after 1..31 locations),
 * then a '-' 15..22 places on (after the time, the issue time and a sender of
 * 1..8 characters: the sender is 8 in 47 CFR 11.31(c)), or 22 places on in any
 * case; or the carrier dropping to a quarter of its level.  Each is only a
 * candidate: the header decoder then says whether the burst holds a whole
 * header (same_combine.c).
 */
static void track(struct pend *p, int bit, float pw)
{
	int j = p->nb++;
	if (j < 64)
		p->pref += pw;
	p->prec += (pw - p->prec) * 0.125;
	p->acc |= bit << (j & 7);
	if ((j & 7) != 7)
		return;
	int place = j >> 3, c = p->acc;
	p->acc = 0;
	if (p->plus < 0 && place >= 15 && (place - 8) % 7 == 0 && c == '+')
		p->plus = place;
	int r = p->plus >= 0 ? place - p->plus : 0;
	if (!p->check && ((r >= 15 && r <= 22 && c == '-') || r == 22))
		/* one more character: the timing fit sees the end */
		p->check = 8 * (place + 2) < MAXBITS ? 8 * (place + 2) : MAXBITS;
	if (!p->check && !p->dropped && place >= 37 && p->prec < 0.25 * p->pref / 64) {
		p->dropped = 1;
		p->check = p->nb;
	}
}

static void queue_sync(struct same_decoder *d)
{
	const struct pend *c = &d->cand;
	d->have_cand = 0;
	for (int i = 0; i < d->npend; i++)
		if (fabs(d->pend[i].ts - c->ts) < 4 * K)
			return;
	if (d->npend == MAXPEND)
		return;
	d->pend[d->npend++] = *c;
	d->last_sync[c->eom] = c->ts;
}

void same_frame_flush(struct same_decoder *d)
{
	if (d->have_cand)
		queue_sync(d);
}

void same_frame_bit(struct same_decoder *d, float n, double t)
{
	d->reg = (d->reg >> 1) | ((uint64_t)(n > 0) << 63);
	float pw = at(d->tp, t);
	if (d->have_cand && !d->cand.eom)
		track(&d->cand, n > 0, pw);
	for (int i = 0; i < d->npend; i++)
		if (!d->pend[i].eom && d->pend[i].nb < MAXBITS)
			track(&d->pend[i], n > 0, pw);
	if (d->have_cand && t - d->cand.ts > HOLD * d->T)
		queue_sync(d);
	if (++d->nbits < SYNC_BITS)
		return;
	int ez = __builtin_popcountll(d->reg ^ SYNC_ZCZC);
	int en = __builtin_popcountll(d->reg ^ SYNC_NNNN);
	int e = ez < en ? ez : en;
	if (e > 10)
		return;
	/* the sync word (32 bits) itself must be clean enough too */
	uint64_t diff = d->reg ^ (ez < en ? SYNC_ZCZC : SYNC_NNNN);
	if (__builtin_popcountll(diff >> 32) > 6)
		return;
	int eom = en < ez;
	if (d->have_cand) {
		if (e < d->cand.errs)
			d->have_cand = 0; /* a better one: it replaces the one held */
		else
			return;
	}
	if (t - d->last_sync[eom] < GUARD * d->T)
		return;
	d->cand = (struct pend){.ts = t, .T = d->T, .eom = eom, .errs = e, .plus = -1};
	d->have_cand = 1;
}
