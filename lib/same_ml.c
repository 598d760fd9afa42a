/* same_ml.c: the SAME decoder's maximum-likelihood header decoder: soft bits in, the most likely
 * legal header out, with the expected number of wrong choices (no I/O). */
#include <math.h>
#include <string.h>

#include "same_decode_int.h"

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
		if (base == 0) { /* not heard (a burst taken as soon as it ended): no cost */
			memset(d->cost[p], 0, sizeof d->cost[p]);
			for (int cl = 0; cl < NCLASS; cl++)
				d->mincost[p][cl] = 0, d->argmin[p][cl] = members[cl][0];
			continue;
		}
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

int same_ml_decode(struct same_decoder *d, const float *s, int nbits, struct decoded *out)
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
	out->var1 = var;
	out->bn = bn, out->bs = bs, out->bo = bo;
	out->exp_errors = same_ml_expected_errors(d, out, mu / (var + 1e-6 * mu * mu));
	return 0;
}

/* Prior odds that a header as sent breaks a rule of same_field_usual() (an event code newer than
 * its table, a place code not in lib/fips, an odd sender character).  An alternative character
 * that would break a rule the decided header keeps counts for this much in the expected errors,
 * one that would mend a rule it breaks for the inverse: of the wrong headers a looser bound
 * printed at the noise level where half the headers fail, 14 of 36 broke one (an unknown county,
 * a small letter in the sender; issue 15). */
#define UNUSUAL 1e-3

/* The field of OUT's layout that data place P (after "ZCZC") belongs to, as same_field_usual()
 * judges it: its first place, with its kind in *F; -1 where no rule applies (a P digit, a dash,
 * the originator, decided as a whole). */
static int field_of(const struct decoded *out, int p, enum same_field *f)
{
	int q = 8 + 7 * out->bn, r = p - q; /* q: the '+' */
	if (p >= 5 && p <= 7)
		return *f = SAME_F_EVENT, 5;
	if (p >= 9 && p < q) {
		int first = 9 + 7 * ((p - 9) / 7);
		return p == first || p - first == 6 ? -1 : (*f = SAME_F_LOCATION, first);
	}
	if (r >= 1 && r <= 4)
		return *f = SAME_F_PURGE, q + 1;
	if (r >= 6 && r <= 12)
		return *f = SAME_F_ISSUED, q + 6;
	if (r >= 14 && r < 14 + out->bs)
		return *f = SAME_F_SENDER, p;
	return -1;
}

/* A place's field as same_field_usual() judges it: where it starts, its kind, its text as
 * decided, and whether the decided header keeps its rule. */
struct rule_at {
	int first, was;
	enum same_field f;
	char t[8];
};

/* The field of data place P of OUT into *R; false where no rule applies. */
static bool rule_at(const struct decoded *out, int p, struct rule_at *r)
{
	r->first = field_of(out, p, &r->f);
	if (r->first < 0)
		return false;
	memcpy(r->t, out->raw + 4 + r->first, same_field_len(r->f));
	r->was = same_field_usual(r->f, r->t);
	return true;
}

/* Prior odds of character C at data place P (in R's field) against the decided one (UNUSUAL). */
static double prior_odds(struct rule_at *r, int p, int c)
{
	char *at = &r->t[p - r->first], keep = *at;
	*at = (char)c;
	int alt = same_field_usual(r->f, r->t);
	*at = keep;
	return alt == r->was ? 1 : alt ? 1 / UNUSUAL : UNUSUAL;
}

/*
 * Expected number of wrong choices in OUT (layout, originator, characters) when
 * the log-likelihood of a choice is KAPPA times minus its cost (Gaussian soft
 * values: kappa = mean / variance), each alternative character weighed by the
 * rules senders keep (prior_odds()).  The union bound over the alternatives.
 * Also sets OUT->misfit.
 */
double same_ml_expected_errors(const struct same_decoder *d, struct decoded *out, double kappa)
{
	int bn = out->bn, bs = out->bs, bo = out->bo, len = out->len - 4;
	if (kappa > 1e3 / out->mu)
		kappa = 1e3 / out->mu;
	out->kappa = kappa;
	double e = 0;
	for (int n = 1; n <= 31; n++)
		for (int sl = 1; sl <= 8; sl++)
			if ((n != bn || sl != bs) && out->lc[n][sl] < 1e29f)
				e += exp(-kappa * (out->lc[n][sl] - out->lc[bn][bs]));
	for (int o = 0; o < 4; o++)
		if (o != bo)
			e += exp(-kappa * (orig_cost(d, o) - orig_cost(d, bo)));
	out->thin = 0;
	out->thin_place = -1;
	out->ep[1] = out->ep[2] = out->ep[3] = 0; /* the originator: counted as a whole */
	for (int p = 0; p < len; p++) {
		if (p >= 1 && p <= 3)
			continue;
		struct cset set = class_set(place_class(p, bn, bs));
		int ch = (unsigned char)out->raw[4 + p];
		float c0 = d->cost[p][ch];
		double ep = 0;
		struct rule_at ra;
		bool ruled = rule_at(out, p, &ra);
		for (int c = 32; c < 128; c++)
			if (c != ch && cs_has(set, c)) {
				double x = exp(-kappa * (d->cost[p][c] - c0));
				ep += x > 0 && ruled ? x * prior_odds(&ra, p, c) : x;
			}
		out->ep[p] = (float)ep;
		if (ep > out->thin)
			out->thin = ep, out->thin_place = p;
		e += ep;
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

/* Share of soft bits that are neither tone's (a click, a dropout, interference over one bit),
 * spread evenly over the soft values' range (-SOFT_MAX..SOFT_MAX, same_soft.c). */
#define OUTLIER 1e-3

/*
 * Log-likelihood ratio of a sent 1 over a sent 0 for soft value S of one burst whose bits are
 * +-MU1 in Gaussian noise of variance VAR, weighed by the chance that S is a bit at all (not an
 * outlier, probability OUTLIER) among values spread by TOTAL (the noise, and distortions that
 * every burst shares: echo, codecs): a value far from both tones says little, where the
 * Gaussian alone would make the nearer one all but certain.
 */
static double bit_llr(double s, double mu1, double var, double total)
{
	double a = (s - mu1) * (s - mu1), b = (s + mu1) * (s + mu1);
	double in = (1 - OUTLIER) * (exp(-a / (2 * total)) + exp(-b / (2 * total))) /
	            (2 * sqrt(2 * M_PI * total));
	return in / (in + OUTLIER / (2 * SOFT_MAX)) * 2 * mu1 * s / var;
}

double same_ml_char_error(const struct decoded *out, const float *const *b, int nb, double mu1,
                          int p, int ch, int *best)
{
	int cl = p >= 1 && p <= 3 ? C_UPPER : place_class(p, out->bn, out->bs);
	struct cset set = class_set(cl);
	double var = mu1 / out->kappa, llr[8], score[128];
	for (int k = 0; k < 8; k++) {
		llr[k] = 0;
		for (int i = 0; i < nb; i++)
			llr[k] += bit_llr(b[i][k], mu1, var, fmax(out->var1, var));
	}
	*best = ch;
	for (int c = 0; c < 128; c++) {
		score[c] = 0; /* log-likelihood of C, but for a constant */
		for (int k = 0; k < 8; k++)
			score[c] += (c >> k) & 1 ? llr[k] / 2 : -llr[k] / 2;
	}
	for (int c = 32; c < 128; c++)
		if (cs_has(set, c) && score[c] > score[*best])
			*best = c;
	double e = 0;
	for (int c = 32; c < 128; c++)
		if (c != ch && cs_has(set, c))
			e += exp(score[c] - score[ch]);
	return e;
}
