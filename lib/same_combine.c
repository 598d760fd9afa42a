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
		double mu1 = out->mu / n;
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
		same_push_event(d, &ev);
	}
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

/* How long after its last burst's sync a group waits for another burst. */
static double group_wait(const struct group *g)
{
	double burst = (8.0 * (g->last_len - 4) + 160) * g->last_T;
	return 2 * (burst + 1.1 * tick_rate());
}

void same_combine_burst(struct same_decoder *d, const struct pend *p)
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
	/* a header after an end of message: that end of message is complete */
	finalize_eom(d, &d->geom);
	same_frame_take(d, p, b);
	/* this burst alone: its length tells how long to wait for the next one */
	struct decoded one;
	int len = same_ml_decode(d, b->s, MAXBITS, &one) == 0 ? one.len : 60;
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

void same_combine_tick(struct same_decoder *d)
{
	if (d->g.n > 0 && d->npend == 0 &&
	    (double)d->nt > d->g.last_ts + group_wait(&d->g) + MAXBITS * K)
		finalize_group(d, &d->g);
	if (d->geom.n > 0 && d->npend == 0 && (double)d->nt > d->geom.last_ts + 3.5 * tick_rate())
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
