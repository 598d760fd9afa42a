/* same_decode.h: the SAME decoder: s16 PCM in, alerts, end-of-message and attention tones out (no
 * I/O). */
#ifndef EAS_SAME_DECODE_H
#define EAS_SAME_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "same_header.h"

enum same_event_type {
	SAME_EV_ALERT = 1,     /* a header heard, voted and validated */
	SAME_EV_EOM = 2,       /* NNNN end of message */
	SAME_EV_ATTENTION = 3, /* an attention signal ended */
	SAME_EV_DOUBTFUL = 4,  /* a header not reported: a character on a thin margin that no
	                          second burst confirms, or not all but certain
	                          (header.raw only; for the log) */
};

struct same_event {
	enum same_event_type type;
	uint64_t sample;   /* position in the input, in samples, of the event's start (alert:
	                      the first burst's preamble; eom: the first NNNN burst's) */
	uint64_t end;      /* alert, eom: where the last burst heard ends, in samples */
	uint64_t decided;  /* input samples fed when the event was decided: the receive
	                      time of the audio that decided it */
	double duration_s; /* attention: how long the tone lasted */
	const char *tone;  /* attention: "853+960" or "1050" */
	int bursts;        /* alert, eom: how many bursts were heard (1..3) */
	int bit_errors;    /* alert: bits of heard bursts that disagreed with the result */
	double confidence; /* alert: 0..1, from the soft-decision margins */
	struct same_header header; /* alert: the parsed header */
};

struct same_decoder;

/* A decoder for RATE Hz input (8000..192000, others are refused: NULL). */
struct same_decoder *same_decoder_new(int rate);
void same_decoder_free(struct same_decoder *d);

/* Strict (ON 1) or not (0, the default).  A header is reported only when its expected number of
 * wrong characters, its alternatives weighed by the rules senders keep (same_field_usual()), is
 * at most 3e-5 (at the noise level where half the headers fail, 1 wrong in 60,000 of
 * bench/wrong.sh's trials, none when strict; issue 15), or when strict at most 1e-6, and also
 * every character decided on a thin margin from three bursts is decided alike by every pair of
 * them.  Else it is not reported (SAME_EV_DOUBTFUL). */
void same_decoder_set_strict(struct same_decoder *d, int on);

/* Feed N samples.  Events become available through same_decoder_next(). */
void same_decoder_feed(struct same_decoder *d, const int16_t *pcm, size_t n);

/* End of input: decide on everything still pending (bursts, tones). */
void same_decoder_finish(struct same_decoder *d);

/* Pull the next event into *EV; returns 1, or 0 when there is none. */
int same_decoder_next(struct same_decoder *d, struct same_event *ev);

/* Samples fed so far. */
uint64_t same_decoder_samples(const struct same_decoder *d);

#endif
