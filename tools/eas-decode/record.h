/* record.h: eas-decode's alert recorder: the audio of each alert, from its first header burst (less
 * a pre-roll) to the end of its EOM, written to a sound file with libsndfile. */
#ifndef EAS_DECODE_RECORD_H
#define EAS_DECODE_RECORD_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

enum rec_format { REC_WAV, REC_FLAC };

/* Why a recording ended. */
enum rec_end {
	REC_EOM,       /* the end of the EOM that followed it */
	REC_LIMIT,     /* --record-max reached */
	REC_INPUT_END, /* the input ended (or eas-decode was asked to stop) first */
	REC_ERROR,     /* a write failed (disk full...); what was written is kept if it can be */
};

struct rec_opts {
	const char *dir;        /* where the files go */
	enum rec_format format; /* WAV or FLAC, 16-bit mono */
	double max_s;           /* the longest recording, seconds (pre-roll included) */
	double pre_s;           /* audio kept before the first header burst, seconds */
	int rate;               /* input rate, Hz: the files' rate */
	const char *source;     /* the monitor's name, part of the file names */
};

/* A recording closed, as rec_next() hands it out. */
struct rec_done {
	char id[17];         /* the alert's id */
	char event[4];       /* its event code */
	char path[PATH_MAX]; /* the final path, "" when no file is left */
	uint64_t start;      /* input position of its first sample */
	uint64_t frames;     /* samples in the file */
	enum rec_end ended_by;
	char error[256]; /* with REC_ERROR or no path: what went wrong */
};

struct recorder;

/*
 * A recorder for O (copied, DIR and SOURCE are kept by pointer).  It keeps the last
 * PRE_S + REC_LOOKBACK_S seconds of input in a ring (the alert is known only once its bursts
 * are decoded, up to about 20 s after they began).  Returns NULL, after logging why, when out of
 * memory or when libsndfile cannot be loaded.  A DIR that
 * is missing or unwritable is not an error here: each recording says so when it fails.
 */
struct recorder *rec_new(const struct rec_opts *o);

/* Free R.  A recording still open (rec_finish() not called) is abandoned: its temporary file is
 * removed, as nothing under a final name may be incomplete. */
void rec_free(struct recorder *r);

/*
 * Input: N samples following those fed before.  Writes what is due to open recordings (each
 * trails the input by a few seconds until its end is known), closes those that are complete.
 */
void rec_feed(struct recorder *r, const int16_t *pcm, size_t n);

/*
 * An alert: its first burst began at input sample SAMPLE, received at TIME_MS (epoch ms), with
 * id ID (16 hex digits) and event code EVENT.  Starts recording from SAMPLE less the pre-roll
 * under a temporary name (DIR/.NAME.part), to be renamed DIR/NAME when complete; NAME is
 * YYYYMMDDTHHMMSSZ-SOURCE-EVENT-ID.wav (or .flac).  Writes the final path to PATH (PATHLEN
 * bytes) and returns 0; returns -1 after logging why when it cannot (unwritable DIR, too many
 * recordings at once).  Never stops decoding.
 */
int rec_start(struct recorder *r, uint64_t sample, int64_t time_ms, const char *id,
              const char *event, char *path, size_t pathlen);

/*
 * An EOM whose first burst began at SAMPLE: every recording of an alert heard before it ends at
 * the end of the EOM (its three bursts, 2.92 s from SAMPLE; 47 CFR 11.31).  The EOM names no
 * alert, so overlapping recordings all end there.
 */
void rec_eom(struct recorder *r, uint64_t sample);

/* End of input: write what is left and close every recording. */
void rec_finish(struct recorder *r);

/* The next closed recording into *D: returns 1, or 0 when there is none. */
int rec_next(struct recorder *r, struct rec_done *d);

/* "eom", "limit", "end of input" or "error". */
const char *rec_end_name(enum rec_end e);

#endif
