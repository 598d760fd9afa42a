/* same_decode_int.h: the SAME decoder's state and the interfaces between its stages (private to
 * lib/same_*.c). */
#ifndef EAS_SAME_DECODE_INT_H
#define EAS_SAME_DECODE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "same_decode.h"

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
#define SOFT_MAX  2.5f /* soft bits lie in -SOFT_MAX..SOFT_MAX (coherent; non-coherent: 1.5) */

/* Classes of characters legal at a place of the header. */
enum { C_DASH, C_PLUS, C_UPPER, C_DIGIT, C_D05, C_D03, C_D02, C_SENDER, NCLASS };

struct pend {
	double ts; /* tick of the last sync bit */
	double T;  /* ticks per bit from the loop */
	int eom;
	int errs; /* sync word bit errors */
	/* where the header ends, from the loop's hard bits and the carrier (same_frame.c) */
	int nb;      /* data bits seen since the sync */
	int acc;     /* the character being assembled */
	int plus;    /* data place of a '+' at a place a '+' can be, or -1 */
	int check;   /* when NB reaches this, the header may have ended: try it (0 none) */
	int dropped; /* the carrier has dropped once */
	double pref; /* sum of the power of the first 64 data bits */
	double prec; /* power of the recent bits (exponential average) */
};

struct burst {
	float s[MAXBITS]; /* soft data bits after the sync word, normalised, clipped */
	double ts, T;
	int errs;
	/* this burst decoded alone (same_combine.c) */
	int alone_ok; /* a header with every character on a clear margin */
	char alone[SAME_HEADER_MAX + 1];
};

struct group {
	int n;
	struct burst *b[MAXGROUP];
	double first_ts, last_ts, last_T;
	double last_end; /* tick where the newest burst's header ends */
	int last_len;    /* characters decoded (first pass) in the newest burst */
	int best_errs;
	int reported;    /* reported early, from two bursts: the rest only confirm */
	int alone_tried; /* a lone burst was tried alone once */
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
	uint64_t fed;  /* samples fed by the caller (not the padding at the end) */
	int finishing; /* same_decoder_finish() pads with silence */
	int strict;    /* same_decoder_set_strict() */
	/* front end */
	double hb[5], hx1, hx2, hy1, hy2;
	double mr, mi, mwr, mwi, sr, si, swr, swi;
	int nbox, rpos;
	float *box; /* 4 per slot: mark re, im, space re, im */
	double sum[4];
	double spt, next_tick; /* samples per tick, sample index of the next tick */
	uint64_t tick_at;      /* the first whole sample index at or past next_tick */
	/* ticks */
	float *tm, *tp;
	float *tz; /* 4 per tick: the boxcar sums, mark re, im, space re, im (coherent soft bits) */
	uint64_t nt;
	/* timing loop */
	double phi, T, T0;
	float prev;
	uint64_t reg;
	int nbits;
	/* bursts and messages */
	struct pend pend[MAXPEND];
	int npend;
	struct pend cand; /* a sync held back while a better-aligned one may follow */
	int have_cand;
	double last_sync[2]; /* tick of the last sync queued: [0] ZCZC, [1] NNNN */
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

/* A header decoded from soft bits by same_ml_decode(). */
struct decoded {
	char raw[SAME_HEADER_MAX + 1];
	int len;           /* characters in raw */
	double exp_errors; /* expected character errors */
	double thin;       /* largest expected error of one character (its margin is thin) */
	int thin_place;    /* the place (after "ZCZC") of that character */
	float ep[MAXDATA]; /* expected error of each character (after "ZCZC") */
	double kappa;      /* log-likelihood per unit of cost (mean / variance of soft bits) */
	double misfit;     /* largest log-likelihood of a place's bits being an illegal character */
	double mu;         /* mean decided soft value */
	double var1;       /* variance of one burst's decided soft values about their mean (noise
	                      and shared distortion; same_ml_decode(): of S as one burst) */
	float lc[32][9];   /* cost of every layout (locations, sender length) */
	int bn, bs, bo;    /* the chosen layout and originator */
	struct same_header header; /* the result parsed, once it is trusted */
};

/* ---- small helpers shared by the stages ------------------------------- */

/* The whole tick *I of fractional tick X (X >= 0) and the fraction past it, 0..1. */
static inline float tick_split(double x, uint64_t *i)
{
	*i = (uint64_t)x;
	return (float)(x - (double)*i);
}

/* Value of a tick series at fractional tick X (linear interpolation; 0 before tick 0). */
static inline float at(const float *v, double x)
{
	if (x < 0)
		return 0;
	uint64_t i;
	float f = tick_split(x, &i);
	return v[i % RING] * (1 - f) + v[(i + 1) % RING] * f;
}

/* The boxcar sums (mark re, im, space re, im) at fractional tick X into Z (linear
 * interpolation; tick 0's before it). */
static inline void at4(const float *tz, double x, float z[4])
{
	uint64_t i = 0;
	float f = x > 0 ? tick_split(x, &i) : 0;
	const float *a = tz + 4 * (i % RING), *b = tz + 4 * ((i + 1) % RING);
	for (int q = 0; q < 4; q++)
		z[q] = a[q] * (1 - f) + b[q] * f;
}

/* Is fractional tick X still in the ring, with its neighbour? */
static inline bool have(const struct same_decoder *d, double x)
{
	return x >= 0 && (uint64_t)x + 1 < d->nt && d->nt - (uint64_t)x < RING - 1;
}

/* Ticks per second. */
static inline double tick_rate(void)
{
	return BAUD * K;
}

/* The input sample at tick T (a tick holds the boxcar over the bit that ends at it). */
static inline uint64_t tick_to_sample(const struct same_decoder *d, double t)
{
	double smp = t * d->spt;
	return smp > 0 ? (uint64_t)smp : 0;
}

/* Queue EV for same_decoder_next() (same_decode.c). */
void same_push_event(struct same_decoder *d, const struct same_event *ev);

/* ---- burst framing (same_frame.c) ---- */

/* One hard bit N at tick T from the timing loop: the sync word search, which queues bursts in
 * d->pend. */
void same_frame_bit(struct same_decoder *d, float n, double t);

/* End of input: queue the sync held back, if any. */
void same_frame_flush(struct same_decoder *d);

/* Fit the bit timing of the burst synced at P through the ring and take its soft bits into B. */
void same_frame_take(struct same_decoder *d, const struct pend *p, struct burst *b);

/* ---- coherent soft bits (same_soft.c) ---- */

/* Coherent soft bits of a burst from its non-coherent ones S (data bits 0..NB-1, taken at ticks
 * X[j + 8], X holding bits -8..NB+7; about +-1 clean), over its first SPAN bits (those heard,
 * fewer where the carrier goes): when they are clearer and agree with S on at least 3 bits in
 * 4, they replace S there (about +-1 clean, within +-SOFT_MAX), the bits after them are scaled
 * alike, and 1 is returned; else S is left and 0 returned (a sender whose phase does not hold). */
int same_soft_coherent(const struct same_decoder *d, const double *x, float *s, int nb, int span);

/* ---- maximum-likelihood header decoder (same_ml.c) ---- */

/* Decode soft bits S (data after "ZCZC", NBITS of them) by ML over the header structure.
 * Returns 0 with the result in OUT, -1 when nothing header-like is there. */
int same_ml_decode(struct same_decoder *d, const float *s, int nbits, struct decoded *out);

/* Expected number of wrong choices in OUT (decoded last by same_ml_decode()) when the
 * log-likelihood of a choice is KAPPA times minus its cost, each alternative character weighed by
 * the rules senders keep (same_field_usual(), UNUSUAL in same_ml.c); sets OUT->misfit. */
double same_ml_expected_errors(const struct same_decoder *d, struct decoded *out, double kappa);

/* The expected error of character CH at data place P (after "ZCZC") from the soft bits of that
 * place in NB bursts (B[i]: 8 soft bits each, normalised: +-MU1 on average), among the characters
 * legal there in the layout of OUT (decoded by same_ml_decode()), at OUT's noise level, a bit far
 * from both tones saying little (an outlier: a click, a dropout); 1 or more when another
 * character is likelier.  *BEST is set to the likeliest. */
double same_ml_char_error(const struct decoded *out, const float *const *b, int nb, double mu1,
                          int p, int ch, int *best);

/* ---- burst combiner (same_combine.c) ---- */

/* The bursts queued in d->pend whose header has ended: take them and combine them with the
 * others of their message. */
void same_combine_due(struct same_decoder *d);

/* Per tick: close the groups that no further burst can join. */
void same_combine_tick(struct same_decoder *d);

/* Decide on a header group and an EOM group now (end of input). */
void same_combine_finish(struct same_decoder *d);

/* Give the bursts held back. */
void same_combine_free(struct same_decoder *d);

/* ---- attention-tone detector (same_tone.c) ---- */

/* Set up T for RATE Hz input. */
void same_tone_init(struct tone_det *t, double rate);

/* A block of decimated samples is complete: detect, and report tones that ended. */
void same_tone_block(struct same_decoder *d);

/* A tone in progress at the end of input: report it. */
void same_tone_finish(struct same_decoder *d);

/* One input sample X (full scale 1) into the tone detector. */
static inline void same_tone_sample(struct same_decoder *d, double x)
{
	struct tone_det *t = &d->td;
	t->acc += x;
	if (++t->phase < t->dec)
		return;
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
		same_tone_block(d);
	}
}

#endif
