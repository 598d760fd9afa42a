/* same_frame.c: the SAME decoder's burst framing: sync word search on the timing loop's bits, then
 * the bit timing over a whole burst (a line, or a wandering clock followed) and its soft bits (no
 * I/O). */
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
/* Soft bits of data bits j = 0..NB-1 at ticks X[j + 8] (X holds bits -8..NB+7), normalised by the
 * local power. */
static void soft_bits(const struct same_decoder *d, const double *x, float *s, int nb)
{
	enum { W = 8 };
	double pw[MAXBITS + 2 * W];
	for (int j = -W; j < nb + W; j++)
		pw[j + W] = have(d, x[j + W]) ? at(d->tp, x[j + W]) : 0;
	double acc = 0;
	int cnt = 0;
	for (int j = 0; j < 2 * W && j < nb + 2 * W; j++)
		acc += pw[j], cnt++;
	for (int j = 0; j < nb; j++) {
		/* window [j - W, j + W] in pw indices [j, j + 2W] */
		if (j + 2 * W < nb + 2 * W)
			acc += pw[j + 2 * W], cnt++;
		double m = have(d, x[j + W]) ? at(d->tm, x[j + W]) : 0;
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
 * Follow a wandering clock through the burst synced at tick A0 with clock
 * rate B0 (ticks per bit): a Kalman filter over blocks of NB bits, whose
 * state is the time of the block's centre and the clock rate (a random walk:
 * wow and flutter up to a few per cent at a few Hz), measured in each block by
 * the offset that best centres the strobes on the bits (its sharpness sets
 * the weight: a run of equal bits says little), then smoothed backwards
 * (Rauch-Tung-Striebel), so that each bit's time uses the blocks after it as
 * well as those before.  When the offsets stray from their predictions more
 * than the model allows (noise, mean normalised innovation above 1.5), the
 * track is made again with the measurements weighted down by that much, so
 * that it does not follow the noise.  A tracking loop that looks both ways: blocks are
 * short enough to follow 2 % at 2 Hz without slipping a bit.  The times X of
 * data bits -8..MAXBITS+7 are the smoothed block times joined piece by piece.
 */
static void follow(const struct same_decoder *d, double a0, double b0, double *x)
{
	enum { NB = 8, NBLK = (MAXBITS + 80) / NB, S = 8, W = 8 };
	static const double QB = 0.02 * 0.02, QT = 0.05 * 0.05, R0 = 0.5;
	double mf[NBLK][2], pf[NBLK][3], mp[NBLK][2], pp[NBLK][3], ic[NBLK];
	double rs = 1; /* measurements noisier than R0 says: R scaled */
	int n = 0;
	for (int pass = 0; pass < 2; pass++) {
		double t = a0 + b0 * (-64 + (NB - 1) / 2.0), B = b0;
		double p00 = 4, p01 = 0, p11 = 0.04 * b0 * 0.04 * b0;
		double ref = 0, cref = 0, recent = 0, nis = 0;
		n = 0;
		for (int i0 = -64; i0 < MAXBITS + 8 && n < NBLK; i0 += NB) {
			double c = i0 + (NB - 1) / 2.0;
			if (n > 0) { /* predict: the rate carries the time on, both drift */
				t += NB * B;
				p00 += 2 * NB * p01 + NB * NB * p11 + QT;
				p01 += NB * p11;
				p11 += QB;
			}
			mp[n][0] = t, mp[n][1] = B, pp[n][0] = p00, pp[n][1] = p01, pp[n][2] = p11;
			if (t + B * (NB / 2.0) + S * 0.5 + 2 >= (double)d->nt)
				break;
			/* measure: the offset of the best strobes, within half a bit */
			double sc[2 * S + 1];
			int bi = 0;
			for (int q = 0; q <= 2 * S; q++) {
				sc[q] = 0;
				for (int i = i0; i < i0 + NB; i++)
					sc[q] += fabsf(at(d->tm, t + B * (i - c) + (q - S) * 0.5));
				if (sc[q] > sc[bi])
					bi = q;
			}
			double delta = (bi - S) * 0.5, curv = 0;
			if (bi > 0 && bi < 2 * S) {
				double den = sc[bi - 1] - 2 * sc[bi] + sc[bi + 1];
				if (den < 0)
					delta += 0.5 * 0.5 * (sc[bi - 1] - sc[bi + 1]) / den,
					    curv = -den;
			}
			if (n < 8)
				ref += sc[bi] / 8, cref += curv / 8;
			recent = n ? 0.7 * recent + 0.3 * sc[bi] : sc[bi];
			/* past the burst's end the offsets mean nothing */
			if (n >= 8 && recent < 0.3 * ref)
				break;
			double R = rs * R0;
			if (n >= 8)
				R *= cref / (curv > cref / 50 ? curv : cref / 50);
			/* update */
			double s_ = p00 + R, k0 = p00 / s_, k1 = p01 / s_;
			if (n >= 8)
				nis += delta * delta / s_;
			t += k0 * delta, B += k1 * delta;
			p11 -= k1 * p01, p01 -= k0 * p01, p00 -= k0 * p00;
			mf[n][0] = t, mf[n][1] = B, pf[n][0] = p00, pf[n][1] = p01, pf[n][2] = p11;
			ic[n] = c;
			n++;
		}
		/* the offsets stray from the predictions more than R0 and QB allow:
		 * noise, which the track must not follow: once again, R scaled */
		nis = n > 8 ? nis / (n - 8) : 0;
		if (pass == 0 && nis > 1.5)
			rs = nis < 16 ? nis : 16;
		else
			break;
	}
	/* smooth backwards */
	for (int k = n - 2; k >= 0; k--) {
		/* C = Pf F' Pp(k+1)^-1, F = [1 NB; 0 1] */
		double f00 = pf[k][0] + NB * pf[k][1], f01 = pf[k][1];
		double f10 = pf[k][1] + NB * pf[k][2], f11 = pf[k][2];
		double a = pp[k + 1][0], b = pp[k + 1][1], e = pp[k + 1][2], det = a * e - b * b;
		if (!(det > 0))
			continue;
		double i00 = e / det, i01 = -b / det, i11 = a / det;
		double c00 = f00 * i00 + f01 * i01, c01 = f00 * i01 + f01 * i11;
		double c10 = f10 * i00 + f11 * i01, c11 = f10 * i01 + f11 * i11;
		double d0 = mf[k + 1][0] - mp[k + 1][0], d1 = mf[k + 1][1] - mp[k + 1][1];
		mf[k][0] += c00 * d0 + c01 * d1;
		mf[k][1] += c10 * d0 + c11 * d1;
	}
	int k = 0;
	for (int j = -W; j < MAXBITS + W; j++) {
		double i = j + 1; /* the line's bit index of data bit j */
		if (n == 0) {
			x[j + W] = a0 + b0 * i;
			continue;
		}
		while (k + 1 < n && ic[k + 1] <= i)
			k++;
		if (k + 1 < n && i >= ic[k])
			x[j + W] = mf[k][0] + (mf[k + 1][0] - mf[k][0]) * (i - ic[k]) / NB;
		else
			x[j + W] = mf[k][0] + mf[k][1] * (i - ic[k]);
	}
}

/*
 * Follow the bit timing of the burst synced at P through the ring: segment by
 * segment, find the offset that best centres the strobes on the bits, and fit
 * a line (phase + clock rate) through those offsets by least squares, each
 * segment predicted from the segments before it.  A sender's clock is steady,
 * so a line is the right model; it resists noise far better than a loop.
 * But the speed of a recording may wander within a burst (wow and flutter of
 * tape and turntable transfers, drifting sound-card or stream clocks): when a
 * segment lands more than a tick off the line, or the offsets stray from it
 * smoothly, more than noise would, the timing is followed through the burst
 * again by a tracking loop that looks both ways (follow()), and its bits are
 * taken instead of the line's when they are clearly stronger: the mean of
 * their normalised magnitudes over the burst must exceed the line's by what
 * noise alone could give (on a steady clock the two differ by less than
 * 0.1 % on clean audio, by up to 2 % where the mean is 0.7, 8 % where it is
 * 0.5), while on a wandering clock the line loses 2 to 20 %.
 * The soft bits at the chosen times go into B.
 */
void same_frame_take(struct same_decoder *d, const struct pend *p, struct burst *b)
{
	enum { SEG = 32, NSTEP = 8, WSTEP = 16, MAXSEG = (MAXBITS + 64) / SEG + 1, W = 8 };
	static const double LAMBDA = 0.6; /* forgetting per segment when following */
	double a = p->ts, bb = p->T;
	/* least-squares sums of t = A + B j: over all segments, and forgetting */
	double sw = 0, sj = 0, st = 0, sjj = 0, sjt = 0, ref = 0;
	double fw = 0, fj = 0, ft = 0, fjj = 0, fjt = 0;
	double segj[MAXSEG], segt[MAXSEG];
	int nseg = 0, wow = 0, cut = 0;
	double last = 0;
	for (int j0 = -64; j0 < MAXBITS && nseg < MAXSEG; j0 += SEG) {
		/* a header taken as soon as it ends: no further than what has arrived */
		if (a + bb * (j0 + SEG) + 3 >= (double)d->nt) {
			cut = 1;
			break;
		}
		/* following a wandering clock: a wider search */
		int ns = wow || nseg >= 3 ? WSTEP : NSTEP;
		double sc[2 * WSTEP + 1];
		int bi = 0;
		for (int i = 0; i <= 2 * ns; i++) {
			sc[i] = seg_score(d, a, bb, j0, SEG, (i - ns) * 0.25);
			if (sc[i] > sc[bi])
				bi = i;
		}
		double delta = (bi - ns) * 0.25;
		if (bi > 0 && bi < 2 * ns) {
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
		/* two segments in a row well off the same way: the clock wanders */
		if (nseg >= 4 && ((fabs(delta) > 0.75 && delta * last > 0 && fabs(last) > 0.75) ||
		                  fabs(delta) > 1.5))
			wow = 1;
		last = delta;
		segj[nseg] = jc, segt[nseg] = t;
		sw += 1, sj += jc, st += t, sjj += jc * jc, sjt += jc * t;
		fw = LAMBDA * fw + 1, fj = LAMBDA * fj + jc, ft = LAMBDA * ft + t;
		fjj = LAMBDA * fjj + jc * jc, fjt = LAMBDA * fjt + jc * t;
		nseg++;
		if (nseg >= 2) {
			double w_ = wow ? fw : sw, j_ = wow ? fj : sj, t_ = wow ? ft : st;
			double jj = wow ? fjj : sjj, jt = wow ? fjt : sjt;
			double den = w_ * jj - j_ * j_;
			double B = den > 0 ? (w_ * jt - j_ * t_) / den : 0;
			if (B > d->T0 * 0.95 && B < d->T0 * 1.05) {
				bb = B;
				a = (t_ - bb * j_) / w_;
			}
		} else {
			a += delta;
		}
	}
	/* the line through all segments, and how far the segments stray from it */
	double A = a, Bl = bb;
	if (nseg >= 2) {
		double den = sw * sjj - sj * sj, B = (sw * sjt - sj * st) / den;
		if (B > d->T0 * 0.95 && B < d->T0 * 1.05)
			Bl = B, A = (st - B * sj) / sw;
	}
	/* follow the clock when the segments stray from the line smoothly (a wandering
	 * clock), not at random (noise) */
	double r2 = 0, r11 = 0, prev = 0;
	for (int k = 0; k < nseg; k++) {
		double e = segt[k] - A - Bl * segj[k];
		r2 += e * e;
		if (k > 0)
			r11 += e * prev;
		prev = e;
	}
	wow = wow || (nseg >= 6 && r2 / nseg > 0.3 * 0.3 && r11 > 0.5 * r2);
	b->ts = A;
	b->T = Bl;
	b->errs = p->errs;
	double x[MAXBITS + 2 * W];
	for (int j = -W; j < MAXBITS + W; j++)
		x[j + W] = A + (j + 1) * Bl;
	soft_bits(d, x, b->s, MAXBITS);
	int span = nseg > 0 ? (int)(segj[nseg - 1] + SEG / 2.0) : 0;
	if (span > MAXBITS)
		span = MAXBITS;
	if (wow) {
		float s2[MAXBITS];
		double x2[MAXBITS + 2 * W];
		follow(d, p->ts, p->T, x2);
		soft_bits(d, x2, s2, MAXBITS);
		double m1 = 0, m2 = 0;
		for (int j = 0; j < span; j++)
			m1 += fabsf(b->s[j]), m2 += fabsf(s2[j]);
		double need = 1.005 + 0.2 * fmax(0, 0.9 - m2 / (span > 0 ? span : 1));
		if (m2 > m1 * need) {
			memcpy(b->s, s2, sizeof s2);
			memcpy(x, x2, sizeof x2);
		}
	}
	/* cut short by what has arrived: the burst goes on to there */
	while (cut && span < MAXBITS && have(d, x[span + W]))
		span++;
	same_soft_coherent(d, x, b->s, MAXBITS, span);
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
