/* state.h: the station's state as eas-watch reads it from Redis in one bounded pass: every source
 * (heartbeat, last status, last alert and RWT) and listener, for check, status, prometheus and
 * html alike. */
#ifndef EAS_WATCH_STATE_H
#define EAS_WATCH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "keys.h"

#define WATCH_NAME_MAX    64   /* bytes of a source or listener name (as eas-publish allows) */
#define WATCH_MAX_SOURCES 4096 /* sources read at most: more are reported, not read */
#define WATCH_MAX_EVENTS  24   /* event codes kept per source (newest first) */
#define WATCH_MAX_LISTEN  256  /* listeners read at most */
#define WATCH_MAX_COUNTS  128  /* entries of a counter hash read at most */

/* One event code and when a source last heard it (from the per-source "last" hash). */
struct watch_event {
	char code[8]; /* "RWT", "TOR" */
	int64_t s;    /* epoch seconds */
};

struct watch_source {
	char name[WATCH_NAME_MAX + 1];
	bool configured;     /* named by --source or in the sources hash */
	bool has_hb;         /* the heartbeat key exists (it lives 60 s after a status line) */
	int64_t hb_s;        /* its value: epoch seconds of the last status line */
	bool has_status;     /* the metrics hash holds a status line of this source */
	int64_t status_ms;   /* that line's "time", 0 when it has none */
	double rms_dbfs;     /* NAN when unknown */
	double peak_dbfs;    /* NAN when unknown */
	int silence;         /* -1 unknown, 0, 1 */
	double silence_s;    /* how long silent (the line's silence_s), NAN when unknown */
	int clipping;        /* -1 unknown, 0, 1 */
	int64_t spool_bytes; /* eas-publish's spool backlog (the line's spool_bytes), -1 unknown */
	int nevents;
	struct watch_event ev[WATCH_MAX_EVENTS]; /* newest first */
	int64_t last_alert_s;                    /* newest of ev[], 0 when none */
	char last_event[8];                      /* its code */
	int64_t last_rwt_s; /* when RWT was last heard, 0 when never (kept by eas-publish) */
};

struct watch_listener {
	char name[WATCH_NAME_MAX + 1];
	bool expected; /* named by --listener */
	bool alive;    /* its liveness key exists */
	int64_t ttl_s; /* seconds the key has left, -1 none */
};

struct watch_count {
	char name[80]; /* "TOR", or "source_start:ok" */
	int64_t n;
};

/* What to read.  SOURCES/LISTENERS: names the caller expects (may be empty). */
struct watch_query {
	const char *const *sources;
	int nsources;
	const char *const *listeners;
	int nlisteners;
	bool counts;         /* also read the alert and command counters (prometheus) */
	bool scan_listeners; /* also find live listeners not named, with a bounded SCAN */
};

struct watch_state {
	int64_t now_ms; /* wall clock when the read began */
	bool up;        /* Redis answered */
	char err[256];  /* why not, when !up */
	bool truncated; /* more sources than WATCH_MAX_SOURCES */
	size_t nsrc;
	struct watch_source *src; /* sorted by name */
	size_t nlst;
	struct watch_listener *lst;
	size_t nalert_counts;
	struct watch_count alert_counts[WATCH_MAX_COUNTS]; /* alerts stored, by event */
	size_t ncmd_counts;
	struct watch_count cmd_counts[WATCH_MAX_COUNTS]; /* control commands, "name:result" */
	int64_t stream_len; /* entries in the alerts stream, -1 unknown */
};

/*
 * Read the state through C (connected, with its timeouts set) under the key
 * layout K: the expected sources (Q->sources, else the sources hash, else
 * every source in the metrics hash), each one's heartbeat, last status line
 * and last-event hash, all in one pipeline per step; the listeners (expected
 * ones, and with Q->scan_listeners the live keys a SCAN of at most 64 rounds
 * finds); with Q->counts the counters.
 * NOW_MS is the wall clock.  Fills *S (free with watch_state_free).  A Redis
 * error or timeout sets S->up false with a reason in S->err and returns -1;
 * what was read before stays.  Memory is bounded by WATCH_MAX_* .
 */
int watch_state_read(redisContext *c, const struct eas_keys *k, const struct watch_query *q,
                     int64_t now_ms, struct watch_state *s);

void watch_state_free(struct watch_state *s);

/* Seconds since SRC's last status (heartbeat key, else its last status line's time), or -1
 * when it never published. */
double watch_source_age(const struct watch_source *src, int64_t now_ms);

/* SRC's state in a word: "never" (no status ever), "stale" (older than STALE_S), "silent",
 * "clipping" or "live". */
const char *watch_source_state(const struct watch_source *src, int64_t now_ms, double stale_s);

/*
 * Fill SRC's status fields from a status line JSON (LEN bytes), as the metrics
 * hash holds it (eas-decode's "status": time, rms_dbfs, peak_dbfs, silence,
 * silence_s, clipping; eas-publish adds spool_bytes).
 * Unknown or missing fields stay unknown.  Returns 0, or -1 when JSON is not
 * an object.  No I/O.
 */
int watch_source_status(struct watch_source *src, const char *json, size_t len);

#endif
