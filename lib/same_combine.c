/* same_combine.c: the SAME decoder's burst combiner: groups the bursts of one message, sums their
 * soft bits, decides (header or end of message) and reports each message once (no I/O). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "same_decode_int.h"

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

/* Expected error of a character above which its margin is thin (issue 15). */
#define THIN 0.01

/* Expected error of a character, its bits far from both tones counting for little, above which
 * the bursts hardly tell it from another: from three bursts too, it must be confirmed. */
#define ERASED 0.5

/* Expected number of wrong characters (the sum of every character's expected error, and the
 * layout's; same_ml_expected_errors(), which weighs alternatives by the rules senders keep) above
 * which the decoder reports nothing (issue 15).  At the noise level where half the headers fail,
 * 1e-4 without those rules printed 5 wrong in 110,000 of bench/wrong.sh's trials, each put
 * between 1.4e-5 and 1e-4; this bound with the rules 1 in 60,000, put at 2.1e-6 (a county digit
 * whose bit all three bursts leaned the wrong way, in FM-like noise).  A tighter bound would not
 * have refused that one and would lose the hardest header of the public corpus (a 14-location
 * header through Opus at 16 kbit/s, 2.3e-5, as uncertain as the wrong ones were). */
#define HEADER_EXP 3e-5

/* The same bound when strict (--strict), thirty times tighter still. */
#define STRICT_EXP 1e-6

/* Expected error of a burst's own choice of a character below which that burst says clearly that
 * the character is its choice. */
#define CLEAR 0.1

/*
 * Is the character OUT decided at data place P (on a thin margin) confirmed by the N bursts of G
 * selected by MASK?  Two bursts: each decides it alone, clearly.  Three or more: every pair of
 * them decides it (a character that one burst's noise tipped is not what the pairs without that
 * burst decide).  One burst: never.
 */
static bool confirmed(const struct group *g, int mask, int n, const struct decoded *out, int p)
{
	const float *b[MAXGROUP];
	int k = 0, ch = (unsigned char)out->raw[4 + p], best;
	double mu1 = out->mu / n;
	for (int i = 0; i < g->n; i++)
		if (mask >> i & 1)
			b[k++] = g->b[i]->s + 8 * p;
	if (n == 2)
		return same_ml_char_error(out, b, 1, mu1, p, ch, &best) <= THIN &&
		       same_ml_char_error(out, b + 1, 1, mu1, p, ch, &best) <= THIN;
	if (n < 2)
		return false;
	for (int i = 0; i < k; i++)
		for (int j = i + 1; j < k; j++) {
			const float *pair[2] = {b[i], b[j]};
			if (same_ml_char_error(out, pair, 2, mu1, p, ch, &best) >= 1)
				return false; /* decides otherwise */
		}
	return true;
}

/* Does a burst of G left out of MASK (or, of two, one of them) say clearly that a character of
 * OUT is another one? */
static bool contradicted(const struct group *g, int mask, int n, const struct decoded *out)
{
	double mu1 = out->mu / n;
	for (int i = 0; i < g->n; i++) {
		if ((mask >> i & 1) && n != 2)
			continue;
		for (int p = 0; p < out->len - 4; p++) {
			int ch = (unsigned char)out->raw[4 + p], best;
			const float *b = g->b[i]->s + 8 * p;
			if (same_ml_char_error(out, &b, 1, mu1, p, ch, &best) >= 1 &&
			    same_ml_char_error(out, &b, 1, mu1, p, best, &best) <= CLEAR)
				return true;
		}
	}
	return false;
}

/* The expected error of the character of OUT at data place P from the bursts of G selected by
 * MASK (N of them) together, an outlier bit saying little (same_ml_char_error()). */
static double char_error(const struct group *g, int mask, int n, const struct decoded *out, int p)
{
	const float *b[MAXGROUP];
	int k = 0, best;
	for (int i = 0; i < g->n; i++)
		if (mask >> i & 1)
			b[k++] = g->b[i]->s + 8 * p;
	return same_ml_char_error(out, b, k, out->mu / n, p, (unsigned char)out->raw[4 + p], &best);
}

/* Try to decode the bursts of G selected by MASK; 0 on a trustworthy header, -2 on one with a
 * character on a thin margin that no two bursts confirm, -1 on nothing trustworthy. */
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
	if (same_ml_decode(d, comb, MAXBITS, out) < 0)
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
		double mu1 = out->mu / n, tot = 0;
		for (int j = 0; j < nb; j++) {
			float sign = comb[j] > 0 ? 1 : -1; /* the decided bit */
			for (int i = 0; i < g->n; i++)
				if (mask >> i & 1)
					tot += (g->b[i]->s[j] * sign - mu1) *
					       (g->b[i]->s[j] * sign - mu1);
		}
		out->var1 = tot / ((double)nb * n);
		var = fmax(var, 1e-4 * mu1 * mu1);
		out->exp_errors = same_ml_expected_errors(d, out, out->mu / (n * var));
	}
	/* The fewer bursts, the less the structure can vouch for the result. */
	double limit = n >= 3 ? 0.1 : n == 2 ? 0.05 : 0.005;
	if (out->exp_errors > limit || out->misfit > 12)
		return -1;
	if (same_header_parse(out->raw, (size_t)out->len, SAME_PARSE_RECEIVED, &out->header, NULL,
	                      0) < 0)
		return -1;
	/*
	 * A character decided on a thin margin may be a wrong one that still
	 * passes validation (a valid county for the wrong one, another event):
	 * it must be confirmed by the bursts (confirmed()).  The total above is
	 * not enough: it lets one doubtful character through when all the others
	 * are clear.  From three bursts, only when strict (else a character
	 * the three bursts together hardly tell from another, ERASED, must be
	 * confirmed; the bound on the whole below does the rest).
	 */
	/* Nor may a burst left out, or one of two, say clearly that a character is
	 * another one: two clean bursts that differ in one digit do not make either
	 * of them right.  (Of three, two outvote one.) */
	if ((n < g->n || n == 2) && contradicted(g, mask, n, out))
		return -2;
	for (int p = 0; p < out->len - 4; p++) {
		if (p >= 1 && p <= 3) /* the originator: decided as a whole */
			continue;
		double e = char_error(g, mask, n, out, p);
		if ((out->ep[p] <= THIN && e <= THIN) || (n >= 3 && !d->strict && e <= ERASED))
			continue;
		if (!confirmed(g, mask, n, out, p)) {
			out->thin_place = p;
			return -2;
		}
	}
	/* The header as a whole must be all but certain.  At the noise level
	 * where half the headers fail, every header printed has characters on
	 * margins that are thin in total (expected errors 0.01 to 0.1), and
	 * about one in a hundred of them has a character wrong whatever the
	 * bursts vote: the per-character gates above cannot reach none in ten
	 * thousand without this.  The expected errors are those of Gaussian soft
	 * bits, which the coherent ones are (same_soft.c): printed headers had
	 * 8 wrong where 5.5 were expected (bench/wrong.sh's audio at rms 0.75,
	 * 1000 trials), none of the 100 under this bound. */
	if (out->exp_errors > (d->strict ? STRICT_EXP : HEADER_EXP))
		return -2;
	return 0;
}

/* Report RES, decided from the bursts of G selected by USED. */
static void report(struct same_decoder *d, const struct group *g, int used,
                   const struct decoded *res)
{
	struct same_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = SAME_EV_ALERT;
	ev.sample = tick_to_sample(d, g->first_ts - 160 * g->last_T); /* preamble start */
	ev.end = tick_to_sample(d, g->last_end);
	ev.bursts = __builtin_popcount((unsigned)used);
	count_bit_errors(g, used, res->raw, res->len, &ev.bit_errors);
	ev.confidence = exp(-res->exp_errors * 10);
	ev.header = res->header;
	same_push_event(d, &ev);
}

static void finalize_group(struct same_decoder *d, struct group *g)
{
	if (g->n == 0)
		return;
	struct decoded res;
	int full = (1 << g->n) - 1, used = -1, r, doubt = 0;
	char doubtful[SAME_HEADER_MAX + 1];
	/* One burst may be a false sync or another message: try leaving one out, then each alone */
	/* ... but not past a doubt: a burst that contradicts a character must not be left out */
	for (int k = 0; used < 0 && !doubt && k <= 2 * g->n; k++) {
		int mask = k == 0 ? full : k <= g->n ? full & ~(1 << (k - 1)) : 1 << (k - 1 - g->n);
		if ((k >= 1 && k <= g->n && g->n < 3) || (k > g->n && g->n < 2))
			continue;
		if ((r = try_subset(d, g, mask, &res)) == 0)
			used = mask;
		else if (r == -2 && !doubt++)
			memcpy(doubtful, res.raw, (size_t)res.len + 1);
	}
	if (used < 0 && doubt && !g->reported) {
		/* not reported: said for the log (eas-decode -v) */
		struct same_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = SAME_EV_DOUBTFUL;
		ev.sample = tick_to_sample(d, g->first_ts - 160 * g->last_T);
		ev.end = tick_to_sample(d, g->last_end);
		ev.bursts = g->n;
		memcpy(ev.header.raw, doubtful, sizeof doubtful);
		same_push_event(d, &ev);
	}
	if (used >= 0 && !recently_reported(d, res.raw, g->last_ts))
		report(d, g, used, &res);
	if (used >= 0) {
		remember(d, res.raw, g->last_ts);
		d->last_eom_t = -1e18; /* a new message: its end is a new end */
	}
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
		ev.end = tick_to_sample(d, g->last_ts);
		ev.bursts = g->n > 3 ? 3 : g->n; /* each burst is queued once (same_frame.c) */
		same_push_event(d, &ev);
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

/*
 * The latest tick at which the next burst's sync can come after a burst whose
 * data ends at END: the pause (1 s) and a preamble and sync word (160 bits),
 * with the 5 % the rules allow (47 CFR 11.31(a)(1)), plus the bits a sync is
 * held (same_frame.c) and a few for the loop.
 */
static double next_sync_by(double end, double T)
{
	return end + 1.05 * (tick_rate() + 160 * T) + 24 * T;
}

/* Two bursts that agree: report at once when every character of each is decided on a clear
 * margin (the third burst then only confirms), else wait for the third. */
static void try_early(struct same_decoder *d, struct group *g)
{
	struct decoded pair;
	if (!g->b[0]->alone_ok || !g->b[1]->alone_ok || try_subset(d, g, 3, &pair) < 0 ||
	    pair.thin > 1e-3)
		return;
	for (int i = 0; i < 2; i++)
		if (!g->b[i]->alone_ok || strcmp(g->b[i]->alone, pair.raw) != 0)
			return;
	if (!recently_reported(d, pair.raw, g->last_ts))
		report(d, g, 3, &pair);
	remember(d, pair.raw, g->last_ts);
	d->last_eom_t = -1e18;
	g->reported = 1;
}

static void add_eom(struct same_decoder *d, const struct pend *p)
{
	struct burst *b = burst_get(d);
	if (!b)
		return;
	/* end of message: the header bursts before it are complete */
	finalize_group(d, &d->g);
	b->ts = p->ts, b->T = p->T, b->errs = p->errs;
	struct group *g = &d->geom;
	if (g->n == MAXGROUP || (g->n > 0 && p->ts > next_sync_by(g->last_ts, g->last_T)))
		finalize_eom(d, g);
	if (g->n == 0)
		g->first_ts = p->ts, g->best_errs = 99;
	g->b[g->n++] = b;
	g->last_ts = p->ts, g->last_T = p->T, g->last_end = p->ts;
	if (p->errs < g->best_errs)
		g->best_errs = p->errs;
	if (g->n >= 3)
		finalize_eom(d, g);
}

static void add_header(struct same_decoder *d, struct burst *b, int len)
{
	/* a header after an end of message: that end of message is complete */
	finalize_eom(d, &d->geom);
	struct group *g = &d->g;
	if (g->n > 0 && (g->n == MAXGROUP || !same_message(g, b)))
		finalize_group(d, g);
	if (g->n == 0)
		g->first_ts = b->ts, g->reported = 0, g->alone_tried = 0;
	g->b[g->n++] = b;
	g->last_ts = b->ts;
	g->last_T = b->T;
	g->last_len = len;
	g->last_end = b->ts + 8.0 * (len - 4) * b->T;
	if (g->n == 2 && !g->reported)
		try_early(d, g);
	if (g->n >= 3)
		finalize_group(d, g);
}

void same_combine_due(struct same_decoder *d)
{
	while (d->npend > 0) {
		struct pend *p = &d->pend[0];
		if (p->eom) {
			if ((double)d->nt <= p->ts + 2 * K)
				break;
		} else {
			/* a header is due when the longest could have ended, or earlier
			 * when its bits say it may have (same_frame.c) and the decoder
			 * finds a whole header in them */
			bool full = (double)d->nt > p->ts + (MAXBITS + 12) * p->T * 1.04;
			if (!full && !(p->check && p->nb >= p->check))
				break;
			struct burst *b = burst_get(d);
			if (!b)
				break;
			same_frame_take(d, p, b);
			/* this burst alone: its length tells how long to wait for the next */
			struct decoded one;
			int ok = same_ml_decode(d, b->s, MAXBITS, &one) == 0;
			if (!full && !(ok && one.len - 4 <= p->nb / 8)) {
				p->check = 0; /* not yet: the next candidate, or the longest */
				burst_put(d, b);
				break;
			}
			b->alone_ok =
			    ok && one.exp_errors <= 0.005 && one.thin <= 1e-3 && one.misfit <= 12;
			if (b->alone_ok)
				memcpy(b->alone, one.raw, (size_t)one.len + 1);
			memmove(p, p + 1, sizeof *p * (size_t)(d->npend - 1));
			d->npend--;
			add_header(d, b, ok ? one.len : 60);
			continue;
		}
		struct pend q = *p;
		memmove(p, p + 1, sizeof *p * (size_t)(d->npend - 1));
		d->npend--;
		add_eom(d, &q);
	}
}

void same_combine_tick(struct same_decoder *d)
{
	if (d->g.n == 0 && d->geom.n == 0)
		return;
	/* a group is complete when its next burst could no longer come */
	struct group *g = &d->g;
	if (g->n > 0 && d->npend == 0 && !d->have_cand &&
	    (double)d->nt > next_sync_by(g->last_end, g->last_T)) {
		/* a lone burst too thin to decide alone may have lost its neighbour:
		 * wait for the one after (one burst and one pause more) */
		struct decoded one;
		double len = (8.0 * (g->last_len - 4) + 160) * g->last_T;
		if (g->n > 1 || g->reported ||
		    (!g->alone_tried++ && try_subset(d, g, 1, &one) == 0) ||
		    (double)d->nt >
		        next_sync_by(g->last_end, g->last_T) + 1.05 * (tick_rate() + len))
			finalize_group(d, g);
	}
	bool eom_pend = d->have_cand && d->cand.eom;
	for (int i = 0; i < d->npend; i++)
		eom_pend |= d->pend[i].eom;
	if (d->geom.n > 0 && !eom_pend &&
	    (double)d->nt > next_sync_by(d->geom.last_ts, d->geom.last_T))
		finalize_eom(d, &d->geom);
}

void same_combine_finish(struct same_decoder *d)
{
	finalize_group(d, &d->g);
	finalize_eom(d, &d->geom);
}

void same_combine_free(struct same_decoder *d)
{
	for (int i = 0; i < d->g.n; i++)
		free(d->g.b[i]);
	for (int i = 0; i < d->geom.n; i++)
		free(d->geom.b[i]);
	for (int i = 0; i < d->npool; i++)
		free(d->pool[i]);
}
