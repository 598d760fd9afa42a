/* same_decode.c: SAME FSK demodulator, burst combiner and attention-tone detector (no I/O).
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
 * One bit lasts 1.92 ms.  The pipeline:
 *
 *   PCM -> high-pass -> mix with mark and space -> one-bit boxcar (matched
 *   filter) -> energies |Ym|^2, |Ys|^2, kept at 8 "ticks" per bit in a ring
 *   -> symbol-timing loop (Gardner) -> hard bits -> 64-bit sync word search
 *   (last 4 preamble bytes + "ZCZC" or "NNNN")
 *
 * A sync starts a burst.  Once the whole burst is in the ring, its bit timing
 * (phase and clock rate, which may be off by several per cent) is fitted over
 * the burst, and soft bits are taken at the fitted times, normalised by the
 * local power.  Bursts of one message are summed (soft combining of the three
 * bursts, which outperforms bit-wise voting by several dB), then the header is
 * decoded by maximum likelihood over its structure: the number of locations
 * is chosen by the least total cost of all character classes, and each
 * character is the best of the ones legal at its place (digits, letters,
 * the four originators...).  The margins of those choices give the expected
 * number of errors; a header is reported only when that is small and the
 * result passes same_header_parse().  A wrong alert is worse than none.
 */
#include "same_decode.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BAUD      (520.0 + 5.0 / 6.0)
#define F_MARK    (2083.0 + 1.0 / 3.0)
#define F_SPACE   1562.5
#define K         8     /* ticks per bit */
#define RING      20480 /* ticks kept: one whole longest burst and its sync */
#define MAXDATA   248   /* characters after "ZCZC" in the longest header */
#define MAXBITS   (8 * MAXDATA)
#define SYNC_BITS 64
#define MAXPEND   8
#define MAXGROUP  6
#define EVQ       32
#define NRECENT   8

/* Classes of characters legal at a place of the header. */
enum { C_DASH, C_PLUS, C_UPPER, C_DIGIT, C_D05, C_D03, C_D02, C_SENDER, NCLASS };

static const uint64_t SYNC_ZCZC = 0x435A435AABABABABULL; /* AB AB AB AB Z C Z C, LSB first */
static const uint64_t SYNC_NNNN = 0x4E4E4E4EABABABABULL;

struct pend {
	double ts; /* tick of the last sync bit */
	double T;  /* ticks per bit from the loop */
	int eom;
	int errs; /* sync word bit errors */
};

struct burst {
	float s[MAXBITS]; /* soft data bits after the sync word, normalised, clipped */
	double ts, T;
	int errs;
};

struct group {
	int n;
	struct burst *b[MAXGROUP];
	double first_ts, last_ts, last_T;
	int last_len; /* characters decoded (first pass) in the newest burst */
	int best_errs;
};

#define NTB 11 /* tone bins: 853, 960, 1050 each at -2.5 %, 0, +2.5 %; two references */

struct tone_det {
	int dec, phase; /* sum DEC samples into one (a CIC stage): tones are near 1 kHz */
	double acc;
	int block, pos; /* block length in decimated samples */
	double coef[NTB], s1[NTB], s2[NTB];
	int cur;        /* tone type in progress: 0 none, 1 two-tone, 2 1050 */
	int run, miss;  /* detected blocks in the run, missed blocks since */
	uint64_t start; /* sample where the run started */
};

struct same_decoder {
	double fs;
	uint64_t nsamp;
	/* front end */
	double hb[5], hx1, hx2, hy1, hy2;
	double mr, mi, mwr, mwi, sr, si, swr, swi;
	int nbox, rpos;
	float *box; /* 4 per slot: mark re, im, space re, im */
	double sum[4];
	double spt, next_tick; /* samples per tick, sample index of the next tick */
	/* ticks */
	float *tm, *tp;
	uint64_t nt;
	/* timing loop */
	double phi, T, T0;
	float prev;
	uint64_t reg;
	int nbits;
	/* bursts and messages */
	struct pend pend[MAXPEND];
	int npend;
	struct group g, geom;
	struct burst *pool[2 * MAXGROUP + 2];
	int npool;
	/* ML decoding scratch */
	float (*cost)[128];
	float mincost[MAXDATA][NCLASS];
	char argmin[MAXDATA][NCLASS];
	float sum_s[MAXBITS];
	/* recent alerts, to never report one message twice */
	char recent[NRECENT][SAME_HEADER_MAX + 1];
	double recent_t[NRECENT];
	int nrecent;
	double last_eom_t;
	struct tone_det td;
	struct same_event evq[EVQ];
	int evh, evn;
};

/* ---- small helpers ---------------------------------------------------- */

static void push_event(struct same_decoder *d, const struct same_event *ev)
{
	if (d->evn == EVQ) /* full: drop the oldest (the caller is not pulling) */
		d->evh = (d->evh + 1) % EVQ, d->evn--;
	d->evq[(d->evh + d->evn) % EVQ] = *ev;
	d->evn++;
}

static struct burst *burst_get(struct same_decoder *d)
{
	if (d->npool > 0)
		return d->pool[--d->npool];
	return malloc(sizeof(struct burst));
}

static void burst_put(struct same_decoder *d, struct burst *b)
{
	if (d->npool < (int)(sizeof d->pool / sizeof d->pool[0]))
		d->pool[d->npool++] = b;
	else
		free(b);
}

/* Value of a tick series at fractional tick X (linear interpolation). */
static inline float at(const float *v, double x)
{
	if (x < 0)
		return 0;
	uint64_t i = (uint64_t)x;
	float f = (float)(x - (double)i);
	return v[i % RING] * (1 - f) + v[(i + 1) % RING] * f;
}

static bool have(const struct same_decoder *d, double x)
{
	return x >= 0 && (uint64_t)x + 1 < d->nt && d->nt - (uint64_t)x < RING - 1;
}

/* ---- construction ---------------------------------------------------- */

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
	d->cost = malloc(sizeof(float[128]) * MAXDATA);
	if (!d->box || !d->tm || !d->tp || !d->cost) {
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
	d->T0 = d->T = K;
	d->phi = K;
	d->last_eom_t = -1e18;
	/* attention tones: 853, 960, 1050 Hz (a sender's clock may be a few per
	 * cent off) and two reference bins, on the input decimated to ~4 kHz */
	static const double tf[3] = {853, 960, 1050};
	d->td.dec = rate / 4000;
	double fsd = (double)rate / d->td.dec;
	d->td.block = (int)lround(fsd * 0.05);
	for (int i = 0; i < 9; i++)
		d->td.coef[i] = 2 * cos(2 * M_PI * tf[i / 3] * (0.975 + 0.025 * (i % 3)) / fsd);
	d->td.coef[9] = 2 * cos(2 * M_PI * 650 / fsd);
	d->td.coef[10] = 2 * cos(2 * M_PI * 1350 / fsd);
	return d;
}

void same_decoder_free(struct same_decoder *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->g.n; i++)
		free(d->g.b[i]);
	for (int i = 0; i < d->geom.n; i++)
		free(d->geom.b[i]);
	for (int i = 0; i < d->npool; i++)
		free(d->pool[i]);
	free(d->box);
	free(d->tm);
	free(d->tp);
	free(d->cost);
	free(d);
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

/* ---- ML decoding of a header from soft bits ---------------------------- */

/* Allowed characters at one place: a 128-bit set. */
struct cset {
	uint64_t lo, hi;
};

static struct cset cs_range(int a, int b)
{
	struct cset s = {0, 0};
	for (int c = a; c <= b; c++) {
		if (c < 64)
			s.lo |= 1ULL << c;
		else
			s.hi |= 1ULL << (c - 64);
	}
	return s;
}

static bool cs_has(struct cset s, int c)
{
	return c < 64 ? (s.lo >> c) & 1 : (s.hi >> (c - 64)) & 1;
}

static struct cset class_set(int cl)
{
	struct cset s;
	switch (cl) {
	case C_DASH:
		return cs_range('-', '-');
	case C_PLUS:
		return cs_range('+', '+');
	case C_UPPER:
		return cs_range('A', 'Z');
	case C_DIGIT:
		return cs_range('0', '9');
	case C_D05:
		return cs_range('0', '5');
	case C_D03:
		return cs_range('0', '3');
	case C_D02:
		return cs_range('0', '2');
	default:
		s = cs_range(' ', '~');
		s.lo &= ~(1ULL << '-');
		return s;
	}
}

/* Data length (after "ZCZC") of a header with NLOC locations and an SLEN-character sender. */
static int layout_len(int nloc, int slen)
{
	return 23 + 7 * nloc + slen;
}

/* The class of data place P (after "ZCZC") of a header with NLOC locations and
 * an SLEN-character sender; places 1..3 (the originator) are decided jointly. */
static int place_class(int p, int nloc, int slen)
{
	int q = 8 + 7 * nloc; /* place of '+' */
	if (p == 0 || p == 4 || p == 8)
		return C_DASH;
	if (p >= 5 && p <= 7)
		return C_UPPER;
	if (p < q)
		return (p - 9) % 7 == 6 ? C_DASH : C_DIGIT;
	if (p == q)
		return C_PLUS;
	int r = p - q;
	if (r == 3 || r == 11)
		return C_D05; /* purge and issue minutes, tens */
	if (r == 6)
		return C_D03; /* day, hundreds */
	if (r == 9)
		return C_D02; /* hour, tens */
	if (r == 5 || r == 13 || r == 14 + slen)
		return C_DASH;
	if (r <= 12)
		return C_DIGIT;
	return C_SENDER;
}

static const char *const ORIGS[4] = {"EAS", "CIV", "WXR", "PEP"};

/* Fill d->cost[p][c] = sum over the bits of c that disagree with S of 2|S|. */
static void compute_costs(struct same_decoder *d, const float *s, int nplaces)
{
	/* the members of each class, for the minima */
	static const char *const members[NCLASS] = {
	    "-", "+", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "012345", "0123", "012",
	    /* the sender: printable ASCII but '-' (one literal: no concatenation) */
	    " !\"#$%&'()*+,./"
	    "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"};
	for (int p = 0; p < nplaces; p++) {
		const float *b = s + 8 * p;
		float base = 0, lo[16], hi[8];
		for (int k = 0; k < 8; k++)
			base += fabsf(b[k]);
		/* correlation of a byte = that of its low nibble + that of its high one */
		for (int v = 0; v < 16; v++) {
			lo[v] = 0;
			for (int k = 0; k < 4; k++)
				lo[v] += (v >> k) & 1 ? b[k] : -b[k];
		}
		for (int v = 0; v < 8; v++) {
			hi[v] = 0;
			for (int k = 0; k < 4; k++)
				hi[v] += (v >> k) & 1 ? b[4 + k] : -b[4 + k];
		}
		for (int c = 0; c < 128; c++)
			d->cost[p][c] = base - lo[c & 15] - hi[c >> 4];
		for (int cl = 0; cl < NCLASS; cl++) {
			float best = 1e30f;
			for (const char *m = members[cl]; *m; m++)
				if (d->cost[p][(int)*m] < best)
					best = d->cost[p][(int)*m], d->argmin[p][cl] = *m;
			d->mincost[p][cl] = best;
		}
	}
}

static float orig_cost(const struct same_decoder *d, int o)
{
	return d->cost[1][(int)ORIGS[o][0]] + d->cost[2][(int)ORIGS[o][1]] +
	       d->cost[3][(int)ORIGS[o][2]];
}

/*
 * Cost of every layout (NLOC 1..31, SLEN 1..8) that fits in NPLACES places into
 * LC (1e30 for those that do not fit).  The part before the '+' grows by one
 * location at a time and the part after it depends only on where it starts,
 * so all 248 layouts cost a few thousand additions.
 */
static void layout_costs(const struct same_decoder *d, int nplaces, float lc[32][9])
{
	const float(*mc)[NCLASS] = d->mincost;
	float head = 1e30f;
	for (int o = 0; o < 4; o++)
		head = fminf(head, orig_cost(d, o));
	head += mc[0][C_DASH] + mc[4][C_DASH] + mc[5][C_UPPER] + mc[6][C_UPPER] + mc[7][C_UPPER] +
	        mc[8][C_DASH];
	for (int n = 1; n <= 31; n++) {
		int q = 8 + 7 * n; /* the '+' */
		for (int sl = 1; sl <= 8; sl++)
			lc[n][sl] = 1e30f;
		if (q > nplaces)
			continue;
		for (int p = q - 6; p < q; p++) /* this location's digits */
			head += mc[p][C_DIGIT];
		if (layout_len(n, 1) > nplaces)
			continue;
		static const int tail[14] = {C_PLUS,  C_DIGIT, C_DIGIT, C_D05,   C_DIGIT,
		                             C_DASH,  C_D03,   C_DIGIT, C_DIGIT, C_D02,
		                             C_DIGIT, C_D05,   C_DIGIT, C_DASH};
		float t = head;
		for (int r = 0; r < 14; r++)
			t += mc[q + r][tail[r]];
		for (int sl = 1; sl <= 8 && layout_len(n, sl) <= nplaces; sl++) {
			t += mc[q + 13 + sl][C_SENDER];
			lc[n][sl] = t + mc[q + 14 + sl][C_DASH];
		}
		/* the next layout has a '-' where this one has its '+' */
		head += mc[q][C_DASH];
	}
}

struct decoded;
static double expected_errors(const struct same_decoder *d, struct decoded *out, double kappa);

struct decoded {
	char raw[SAME_HEADER_MAX + 1];
	int len;           /* characters in raw */
	double exp_errors; /* expected character errors */
	double misfit;     /* largest log-likelihood of a place's bits being an illegal character */
	double mu;         /* mean decided soft value */
	float lc[32][9];   /* cost of every layout (locations, sender length) */
	int bn, bs, bo;    /* the chosen layout and originator */
	struct same_header header; /* the result parsed, once it is trusted */
};

/*
 * Decode soft bits S (data after "ZCZC", NBITS of them) by ML over the header
 * structure.  Returns 0 with the result, -1 when nothing header-like is there.
 */
static int ml_decode(struct same_decoder *d, const float *s, int nbits, struct decoded *out)
{
	int nplaces = nbits / 8;
	if (nplaces > MAXDATA)
		nplaces = MAXDATA;
	if (nplaces < 38)
		return -1;
	compute_costs(d, s, nplaces);
	float(*lc)[9] = out->lc;
	int bn = 1, bs = 1;
	layout_costs(d, nplaces, lc);
	for (int n = 1; n <= 31; n++)
		for (int sl = 1; sl <= 8; sl++)
			if (lc[n][sl] < lc[bn][bs])
				bn = n, bs = sl;
	if (lc[bn][bs] >= 1e29f)
		return -1;
	int len = layout_len(bn, bs);
	float *v = d->sum_s; /* decided bits times soft values, for the noise estimate */
	char *r = out->raw;
	memcpy(r, "ZCZC", 4);
	int bo = 0;
	float bc = 1e30f;
	for (int o = 0; o < 4; o++)
		if (orig_cost(d, o) < bc)
			bc = orig_cost(d, o), bo = o;
	for (int p = 0; p < len; p++) {
		int ch = p >= 1 && p <= 3 ? ORIGS[bo][p - 1] : d->argmin[p][place_class(p, bn, bs)];
		r[4 + p] = (char)ch;
		for (int k = 0; k < 8; k++)
			v[8 * p + k] = (ch >> k) & 1 ? s[8 * p + k] : -s[8 * p + k];
	}
	r[4 + len] = '\0';
	out->len = 4 + len;
	/* noise estimate: kappa = mu / sigma^2 of the decided soft values */
	double mu = 0, var = 0;
	int nb = 8 * len;
	for (int i = 0; i < nb; i++)
		mu += v[i];
	mu /= nb;
	for (int i = 0; i < nb; i++)
		var += (v[i] - mu) * (v[i] - mu);
	var /= nb;
	if (mu <= 0)
		return -1;
	out->mu = mu;
	out->bn = bn, out->bs = bs, out->bo = bo;
	out->exp_errors = expected_errors(d, out, mu / (var + 1e-6 * mu * mu));
	return 0;
}

/*
 * Expected number of wrong choices in OUT (layout, originator, characters) when
 * the log-likelihood of a choice is KAPPA times minus its cost (Gaussian soft
 * values: kappa = mean / variance).  The union bound over the alternatives.
 * Also sets OUT->misfit.
 */
static double expected_errors(const struct same_decoder *d, struct decoded *out, double kappa)
{
	int bn = out->bn, bs = out->bs, bo = out->bo, len = out->len - 4;
	if (kappa > 1e3 / out->mu)
		kappa = 1e3 / out->mu;
	double e = 0;
	for (int n = 1; n <= 31; n++)
		for (int sl = 1; sl <= 8; sl++)
			if ((n != bn || sl != bs) && out->lc[n][sl] < 1e29f)
				e += exp(-kappa * (out->lc[n][sl] - out->lc[bn][bs]));
	for (int o = 0; o < 4; o++)
		if (o != bo)
			e += exp(-kappa * (orig_cost(d, o) - orig_cost(d, bo)));
	for (int p = 0; p < len; p++) {
		if (p >= 1 && p <= 3)
			continue;
		struct cset set = class_set(place_class(p, bn, bs));
		int ch = (unsigned char)out->raw[4 + p];
		float c0 = d->cost[p][ch];
		for (int c = 32; c < 128; c++)
			if (c != ch && cs_has(set, c))
				e += exp(-kappa * (d->cost[p][c] - c0));
	}
	/* The structure corrects noise, but must not turn a character that was
	 * clearly sent (every burst agrees) into a legal one: cost 0 is the free
	 * byte, so kappa * cost is how much likelier the bits make something
	 * outside the class. */
	double mf = kappa * orig_cost(d, bo);
	for (int p = 0; p < len; p++)
		if (p < 1 || p > 3)
			mf = fmax(mf, kappa * d->cost[p][(unsigned char)out->raw[4 + p]]);
	out->misfit = mf;
	return e;
}

/* ---- bursts ------------------------------------------------------------ */

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
static void take_burst(struct same_decoder *d, const struct pend *p, struct burst *b)
{
	enum { SEG = 32, NSTEP = 8 };
	double a = p->ts, bb = p->T;
	/* least-squares sums of t = A + B j */
	double sw = 0, sj = 0, st = 0, sjj = 0, sjt = 0, ref = 0;
	int nseg = 0;
	for (int j0 = -64; j0 < MAXBITS; j0 += SEG) {
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

static double tick_rate(void)
{
	return BAUD * K;
}

static uint64_t tick_to_sample(const struct same_decoder *d, double t)
{
	/* a tick holds the boxcar over the bit that ends at it */
	double smp = t * d->spt;
	return smp > 0 ? (uint64_t)smp : 0;
}

static void count_bit_errors(const struct group *g, int idx_mask, const char *raw, int len,
                             int *errs)
{
	*errs = 0;
	for (int i = 0; i < g->n; i++) {
		if (!(idx_mask >> i & 1))
			continue;
		for (int p = 4; p < len; p++) {
			int ch = (unsigned char)raw[p];
			for (int k = 0; k < 8; k++) {
				float v = g->b[i]->s[8 * (p - 4) + k];
				if ((v > 0) != ((ch >> k) & 1))
					(*errs)++;
			}
		}
	}
}

static bool recently_reported(struct same_decoder *d, const char *raw, double t)
{
	for (int i = 0; i < d->nrecent; i++)
		if (strcmp(d->recent[i], raw) == 0 && t - d->recent_t[i] < 20 * tick_rate())
			return true;
	return false;
}

static void remember(struct same_decoder *d, const char *raw, double t)
{
	int i = d->nrecent < NRECENT ? d->nrecent++ : 0;
	if (i == 0 && d->nrecent == NRECENT) {
		memmove(d->recent, d->recent + 1, sizeof d->recent[0] * (NRECENT - 1));
		memmove(d->recent_t, d->recent_t + 1, sizeof d->recent_t[0] * (NRECENT - 1));
		i = NRECENT - 1;
	}
	strcpy(d->recent[i], raw);
	d->recent_t[i] = t;
}

/* Try to decode the bursts of G selected by MASK; 0 on a trustworthy header. */
static int try_subset(struct same_decoder *d, struct group *g, int mask, struct decoded *out)
{
	int n = 0;
	float comb[MAXBITS];
	memset(comb, 0, sizeof comb);
	for (int i = 0; i < g->n; i++) {
		if (!(mask >> i & 1))
			continue;
		n++;
		for (int j = 0; j < MAXBITS; j++)
			comb[j] += g->b[i]->s[j];
	}
	if (ml_decode(d, comb, MAXBITS, out) < 0)
		return -1;
	if (n >= 2) {
		/* The bursts' disagreement measures the noise itself, apart from
		 * distortions (echo, codecs) that every burst shares. */
		int nb = 8 * (out->len - 4);
		double var = 0;
		for (int j = 0; j < nb; j++) {
			float m = comb[j] / n;
			for (int i = 0; i < g->n; i++)
				if (mask >> i & 1)
					var += (g->b[i]->s[j] - m) * (g->b[i]->s[j] - m);
		}
		var /= (double)nb * (n - 1);
		double mu1 = out->mu / n;
		var = fmax(var, 1e-4 * mu1 * mu1);
		out->exp_errors = expected_errors(d, out, out->mu / (n * var));
	}
	/* The fewer bursts, the less the structure can vouch for the result. */
	double limit = n >= 3 ? 0.1 : n == 2 ? 0.05 : 0.005;
	if (out->exp_errors > limit || out->misfit > 12)
		return -1;
	if (same_header_parse(out->raw, (size_t)out->len, SAME_PARSE_RECEIVED, &out->header, NULL,
	                      0) < 0)
		return -1;
	return 0;
}

static void finalize_group(struct same_decoder *d, struct group *g)
{
	if (g->n == 0)
		return;
	struct decoded res;
	int full = (1 << g->n) - 1, used = -1;
	if (try_subset(d, g, full, &res) == 0)
		used = full;
	/* One burst may be a false sync or another message: try leaving one out. */
	for (int i = 0; used < 0 && g->n >= 3 && i < g->n; i++)
		if (try_subset(d, g, full & ~(1 << i), &res) == 0)
			used = full & ~(1 << i);
	for (int i = 0; used < 0 && g->n >= 2 && i < g->n; i++)
		if (try_subset(d, g, 1 << i, &res) == 0)
			used = 1 << i;
	if (used >= 0 && !recently_reported(d, res.raw, g->last_ts)) {
		struct same_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = SAME_EV_ALERT;
		ev.sample = tick_to_sample(d, g->first_ts - 160 * g->last_T); /* preamble start */
		ev.bursts = __builtin_popcount((unsigned)used);
		count_bit_errors(g, used, res.raw, res.len, &ev.bit_errors);
		ev.confidence = exp(-res.exp_errors * 10);
		ev.header = res.header;
		push_event(d, &ev);
	}
	if (used >= 0)
		remember(d, res.raw, g->last_ts);
	for (int i = 0; i < g->n; i++)
		burst_put(d, g->b[i]);
	g->n = 0;
}

static void finalize_eom(struct same_decoder *d, struct group *g)
{
	if (g->n == 0)
		return;
	if ((g->n >= 2 || g->best_errs <= 4) && g->first_ts - d->last_eom_t > 10 * tick_rate()) {
		struct same_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = SAME_EV_EOM;
		ev.sample = tick_to_sample(d, g->first_ts - 160 * g->last_T);
		ev.bursts = g->n > 3 ? 3 : g->n;
		push_event(d, &ev);
		d->last_eom_t = g->last_ts;
	}
	for (int i = 0; i < g->n; i++)
		burst_put(d, g->b[i]);
	g->n = 0;
}

/* Does burst B look like the same message as the bursts already in G? */
static bool same_message(const struct group *g, const struct burst *b)
{
	double dot = 0, na = 0, nb = 0;
	int nbits = 8 * (g->last_len > 4 ? g->last_len - 4 : 38);
	if (nbits > MAXBITS)
		nbits = MAXBITS;
	for (int j = 0; j < nbits; j++) {
		float a = 0;
		for (int i = 0; i < g->n; i++)
			a += g->b[i]->s[j];
		dot += a * b->s[j];
		na += a * a;
		nb += b->s[j] * b->s[j];
	}
	return na > 0 && nb > 0 && dot / sqrt(na * nb) > 0.25;
}

static void process_pending(struct same_decoder *d, const struct pend *p)
{
	struct burst *b = burst_get(d);
	if (!b)
		return;
	if (p->eom) {
		/* end of message: the header bursts before it are complete */
		finalize_group(d, &d->g);
		b->ts = p->ts, b->T = p->T, b->errs = p->errs;
		struct group *g = &d->geom;
		if (g->n == MAXGROUP || (g->n > 0 && p->ts - g->last_ts > 3.5 * tick_rate()))
			finalize_eom(d, g);
		if (g->n == 0)
			g->first_ts = p->ts, g->best_errs = 99;
		g->b[g->n++] = b;
		g->last_ts = p->ts, g->last_T = p->T;
		if (p->errs < g->best_errs)
			g->best_errs = p->errs;
		if (g->n >= 3)
			finalize_eom(d, g);
		return;
	}
	take_burst(d, p, b);
	/* this burst alone: its length tells how long to wait for the next one */
	struct decoded one;
	int len = ml_decode(d, b->s, MAXBITS, &one) == 0 ? one.len : 60;
	struct group *g = &d->g;
	if (g->n > 0 && (g->n == MAXGROUP || !same_message(g, b)))
		finalize_group(d, g);
	if (g->n == 0)
		g->first_ts = b->ts;
	g->b[g->n++] = b;
	g->last_ts = b->ts;
	g->last_T = b->T;
	g->last_len = len;
	if (g->n >= 3)
		finalize_group(d, g);
}

/* How long after its last burst's sync a group waits for another burst. */
static double group_wait(const struct group *g)
{
	double burst = (8.0 * (g->last_len - 4) + 160) * g->last_T;
	return 2 * (burst + 1.1 * tick_rate());
}

/* ---- per-tick work: timing loop, sync search, scheduling --------------- */

static void on_bit(struct same_decoder *d, float n, double t)
{
	d->reg = (d->reg >> 1) | ((uint64_t)(n > 0) << 63);
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
	for (int i = 0; i < d->npend; i++)
		if (fabs(d->pend[i].ts - t) < 4 * K)
			return;
	if (d->npend == MAXPEND)
		return;
	struct pend *p = &d->pend[d->npend++];
	p->ts = t;
	p->T = d->T;
	p->eom = en < ez;
	p->errs = e;
}

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
		on_bit(d, n, x);
		d->phi += d->T + 0.15 * e * d->T / 4;
		d->T += 0.004 * e * d->T / 4;
		if (d->T < d->T0 * 0.95)
			d->T = d->T0 * 0.95;
		if (d->T > d->T0 * 1.05)
			d->T = d->T0 * 1.05;
	}
	/* bursts whose whole span is in the ring, in the order they were heard */
	while (d->npend > 0) {
		struct pend *p = &d->pend[0];
		double need = p->eom ? 2 * K : (MAXBITS + 12) * p->T * 1.04;
		if ((double)d->nt <= p->ts + need)
			break;
		struct pend q = *p;
		memmove(p, p + 1, sizeof *p * (size_t)(d->npend - 1));
		d->npend--;
		process_pending(d, &q);
	}
	if (d->g.n > 0 && d->npend == 0 &&
	    (double)d->nt > d->g.last_ts + group_wait(&d->g) + MAXBITS * K)
		finalize_group(d, &d->g);
	if (d->geom.n > 0 && d->npend == 0 && (double)d->nt > d->geom.last_ts + 3.5 * tick_rate())
		finalize_eom(d, &d->geom);
}

/* ---- attention tones --------------------------------------------------- */

static void tone_end(struct same_decoder *d)
{
	struct tone_det *t = &d->td;
	double dur = t->run * (double)(t->block * t->dec) / d->fs;
	if (t->cur && dur >= 2.0) {
		struct same_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = SAME_EV_ATTENTION;
		ev.sample = t->start;
		ev.duration_s = dur;
		ev.tone = t->cur == 1 ? "853+960" : "1050";
		push_event(d, &ev);
	}
	t->cur = 0;
	t->run = 0;
	t->miss = 0;
}

static void tone_block(struct same_decoder *d)
{
	struct tone_det *t = &d->td;
	double pw[NTB], tp[3] = {0, 0, 0};
	for (int i = 0; i < NTB; i++) {
		pw[i] =
		    t->s1[i] * t->s1[i] + t->s2[i] * t->s2[i] - t->coef[i] * t->s1[i] * t->s2[i];
		t->s1[i] = t->s2[i] = 0;
	}
	for (int i = 0; i < 9; i++)
		tp[i / 3] = fmax(tp[i / 3], pw[i]);
	double ref = fmax(pw[9], pw[10]) + 1e-9 * t->block * t->block * t->dec * t->dec;
	int type = 0;
	if (tp[0] > 8 * ref && tp[1] > 8 * ref && tp[0] < 10 * tp[1] && tp[1] < 10 * tp[0] &&
	    tp[2] < 0.25 * fmin(tp[0], tp[1])) /* not the skirts of a strong 1050 Hz */
		type = 1;
	else if (tp[2] > 8 * ref && tp[2] > 8 * (tp[0] + tp[1]))
		type = 2;
	if (type && type == t->cur) {
		t->run += 1 + t->miss;
		t->miss = 0;
	} else if (t->cur && ++t->miss <= 3) {
		/* a short gap: keep the run */
	} else {
		if (t->cur)
			tone_end(d);
		if (type) {
			t->cur = type;
			t->run = 1;
			/* the tone fills at least about half of its first detected block */
			uint64_t back = (uint64_t)(t->block * t->dec) * 3 / 4;
			t->start = d->nsamp > back ? d->nsamp - back : 0;
		}
	}
}

/* ---- feeding ----------------------------------------------------------- */

void same_decoder_feed(struct same_decoder *d, const int16_t *pcm, size_t n)
{
	const double *hb = d->hb;
	for (size_t i = 0; i < n; i++) {
		double x = pcm[i] * (1.0 / 32768);
		double y =
		    hb[0] * x + hb[1] * d->hx1 + hb[2] * d->hx2 - hb[3] * d->hy1 - hb[4] * d->hy2;
		d->hx2 = d->hx1, d->hx1 = x, d->hy2 = d->hy1, d->hy1 = y;

		/* attention tones (Goertzel), on the raw input decimated */
		struct tone_det *t = &d->td;
		t->acc += x;
		if (++t->phase == t->dec) {
			double xd = t->acc;
			t->acc = 0;
			t->phase = 0;
			for (int k = 0; k < NTB; k++) {
				double s0 = xd + t->coef[k] * t->s1[k] - t->s2[k];
				t->s2[k] = t->s1[k];
				t->s1[k] = s0;
			}
			if (++t->pos == t->block) {
				t->pos = 0;
				tone_block(d);
			}
		}

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
		if ((double)d->nsamp >= d->next_tick) {
			d->next_tick += d->spt;
			float em = (float)(d->sum[0] * d->sum[0] + d->sum[1] * d->sum[1]);
			float es = (float)(d->sum[2] * d->sum[2] + d->sum[3] * d->sum[3]);
			d->tm[d->nt % RING] = em - es;
			d->tp[d->nt % RING] = em + es;
			d->nt++;
			on_tick(d);
		}
	}
}

void same_decoder_finish(struct same_decoder *d)
{
	/* pad with silence so every pending burst's span is complete */
	static const int16_t zero[1024];
	double need = 0;
	for (int i = 0; i < d->npend; i++)
		if (d->pend[i].ts + (MAXBITS + 12) * d->pend[i].T * 1.04 > need)
			need = d->pend[i].ts + (MAXBITS + 12) * d->pend[i].T * 1.04;
	uint64_t keep = d->nsamp;
	while (d->npend > 0 && (double)d->nt <= need + 2)
		same_decoder_feed(d, zero, sizeof zero / sizeof zero[0]);
	d->nsamp = keep;
	finalize_group(d, &d->g);
	finalize_eom(d, &d->geom);
	if (d->td.cur)
		tone_end(d);
}
