/* publish.h: eas-publish's internal interfaces: options, input, spool records, and the Redis and
 * PostgreSQL consumers. */
#ifndef EAS_PUBLISH_H
#define EAS_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "lines.h"
#include "redis.h"
#include "spool.h"

#define SOURCE_MAX   EAS_SOURCE_MAX /* bytes of a source name */
#define KEY_MAX      EAS_ID_MAX     /* bytes of a line's idempotency key */
#define PUB_MAX_LINE (128 * 1024)   /* longer input lines are reported and skipped */

enum { CUR_REDIS = 0, CUR_PG = 1 }; /* the spool's cursors */

/* The command line. */
struct pub_opts {
	const char *source; /* -s: forced on every line, NULL: the line's, else the host name */
	const char *url, *sentinel, *master, *password_file;
	int min_replicas, wait_ms;
	const char *pg, *spool;
	double drain_s;
	bool quiet;
	const char *prefix; /* NULL: $EAS_PREFIX, else "eas:" */
	long maxlen;
	int verbose;
	unsigned long long spool_memory, spool_reserve; /* --spool-memory, --spool-reserve */
};

/* ---- input (input.c): stdin's lines, checked, into the spool or the Redis consumer ---- */

struct redis_consumer;
struct pub_input;
/* Read stdin (fd 0) with the options O; alert and eom lines go to SP, status lines to RC.
 * DEFAULT_SOURCE names lines without one.  NULL when out of memory. */
struct spool_report;
struct pub_input *pub_input_new(const struct pub_opts *o, const char *default_source,
                                struct eas_spool *sp, struct redis_consumer *rc,
                                struct spool_report *rep);
/* Read what stdin has (one read(2)) and handle its whole lines: copy each to
 * stdout unless quiet, spool alert and eom lines, hand status lines to the
 * Redis consumer.  Returns 0, or -1 at end of input (the last unterminated
 * line handled). */
int pub_input_read(struct pub_input *in);
/* Stop copying lines to stdout (its reader went away). */
void pub_input_quiet(struct pub_input *in);
struct pub_input_counts {
	long lines, bad, spooled;
};
struct pub_input_counts pub_input_counts(const struct pub_input *in);
void pub_input_free(struct pub_input *in);

/* ---- the Redis consumer (redis_out.c) ---- */

/* Sends the spool's records from cursor CURSOR on, and the newest status line
 * of each source, to the server CONF names (keys from KEYS), with
 * MIN_REPLICAS/WAIT_MS as --min-replicas/--wait-timeout and the stream capped
 * at MAXLEN.  Never blocks, except in connecting (CONF's connect timeout).
 * NULL when out of memory. */
struct redis_consumer *redis_consumer_new(const struct eas_redis_conf *conf,
                                          const struct eas_keys *keys, struct eas_spool *sp,
                                          int cursor, int min_replicas, int wait_ms, long maxlen);
/* Keep LINE (LEN bytes), SOURCE's newest status line, to be sent next. */
void redis_consumer_status(struct redis_consumer *r, const char *source, const char *line,
                           size_t len);
/* Do what can be done now: read answers when REVENTS (what poll() said of
 * redis_consumer_pollfd() since the last call, 0 if not polled) says so,
 * connect when due, leave a server that does not answer within the I/O
 * timeout, send what the window allows, and move the cursor as answers come. */
void redis_consumer_pump(struct redis_consumer *r, short revents, int64_t now_ms);
/* The socket to poll and in *EVENTS what for, or -1 when not connected. */
int redis_consumer_pollfd(const struct redis_consumer *r, short *events);
bool redis_consumer_up(const struct redis_consumer *r);
/* True when nothing is in flight and no status line waits (or not connected). */
bool redis_consumer_idle(const struct redis_consumer *r);
/* Milliseconds (0..1000) until the consumer wants to run again without I/O. */
int redis_consumer_timeout(const struct redis_consumer *r, int64_t now_ms);
/* Drop the connection and retry at once (SIGHUP). */
void redis_consumer_reset(struct redis_consumer *r);
/* Collect answers already on the way, for up to MS milliseconds (at exit). */
void redis_consumer_finish(struct redis_consumer *r, int ms);
struct redis_counts {
	long stored, dup, status;
};
struct redis_counts redis_consumer_counts(const struct redis_consumer *r);
void redis_consumer_free(struct redis_consumer *r);

/*
 * A spool record is one line, versioned so that a newer eas-publish replays
 * what an older one spooled:
 *   version 1 (written now): "1\tT\tKEY\tSOURCE\tTIME_MS\tISSUED_MS\tEXPIRES_MS\tLINE\tJSON"
 *   version 0 (before 0.2):  "T\tKEY\tSOURCE\tTIME_MS\tISSUED_MS\tEXPIRES_MS\tJSON"
 * T is A (alert) or E (eom); the fields of an eas_line_head; LINE the input line
 * number in the run that spooled it (for messages); JSON the input line itself.
 * A later version adds fields after LINE and bumps the number; a record of a
 * version this binary does not know is reported and skipped.
 * pub_record_header() writes everything before JSON, in the current version,
 * into BUF and returns its length (or -1).
 */
#define PUB_RECORD_VERSION 1
int pub_record_header(const struct eas_line_head *pl, long line, char *buf, size_t len);

/* A parsed record: pointers into the record's bytes (not NUL-terminated). */
struct pub_record {
	int version; /* 0 or 1 */
	char type;
	const char *key, *source, *json;
	size_t keylen, sourcelen, jsonlen;
	int64_t time_ms, issued_ms, expires_ms;
	long line; /* 0 in version 0 */
};

/* Split REC (LEN bytes, no newline) of any known version.  Returns 0, -1 when
 * it is damaged, -2 when it is of a version this binary does not know. */
int pub_record_parse(const char *rec, size_t len, struct pub_record *r);

/* Input line numbers, kept as ascending ranges, for messages. */
struct line_list {
	long (*r)[2];
	size_t n, cap;
	long count;
	bool lost_track; /* out of memory for the list */
};

/* What eas-publish says about its spool (spool_report.c). */
struct spool_report {
	struct eas_spool *sp;
	const char *dir; /* for messages */
	bool durable;
	int cur_redis, cur_pg; /* cursor numbers, cur_pg -1 without --pg */
	bool disk_bad;         /* the last write failed */
	long n_episodes;       /* times the disk started refusing */
	int first_err, last_serr;
	uint64_t named_to; /* held lines up to this offset were named */
	long held_now;     /* lines in memory only, for messages */
	struct line_list refused, unsaved;
};
/* Start reporting on SP (opened on DIR, NULL for a temporary file). */
void spool_report_init(struct spool_report *w, struct eas_spool *sp, const char *dir, int cur_redis,
                       int cur_pg);
/* After a write or sync of the spool: say when the disk starts or stops refusing
 * writes, and while it refuses and Redis is down (REDIS_UP false) name on
 * stderr, at once and each once, every line held in memory only. */
void spool_report_check(struct spool_report *w, bool redis_up);
/* The spool did not take line PL, input line LINE (ERR: ENOBUFS over the
 * memory bound, ENOMEM): name it on stderr as not saved and count it. */
void spool_report_refused(struct spool_report *w, const struct eas_line_head *pl, long line,
                          int err, bool redis_up);
/* At exit, after the last sync: log how many lines remain on disk for the next
 * run, and which lines were not saved at all (held in memory only, or refused)
 * or not archived in PostgreSQL.  Returns 1 when any line is not where it
 * should be (exit 1), else 0. */
int spool_report_finish(struct spool_report *w);

/* The PostgreSQL consumer: archives the spool's alert records from cursor
 * CURSOR on into table eas_alerts (created if missing).  It never blocks: it
 * uses libpq's non-blocking connect and pipeline mode, and the caller polls
 * its socket (pg_consumer_pollfd) along with its own. */
struct pg_consumer;
struct pg_consumer *pg_consumer_new(const char *conninfo, struct eas_spool *sp, int cursor);
/* Do what can be done now without waiting: connect when due (a connection not
 * made within 5 s is given up), send the next batch (BEGIN, INSERTs, COMMIT),
 * collect answers, and move the cursor once a COMMIT succeeded.  On any error
 * or a server silent for 30 s, drop the connection and back off; the batch is
 * sent again from the cursor.  REVENTS: what poll() said of the socket from
 * pg_consumer_pollfd() since the last call, 0 if it was not polled.  Call it on
 * every turn of the loop (at least when the socket is ready or
 * pg_consumer_timeout() has run out).  May block only in a DNS lookup of a host
 * name in the connection string (hostaddr= or a socket directory avoid it). */
void pg_consumer_pump(struct pg_consumer *p, short revents, int64_t now_ms);
/* The socket to poll and in *EVENTS what for (POLLIN, POLLOUT), or -1 when
 * there is none (no connection): then only the timeout matters. */
int pg_consumer_pollfd(const struct pg_consumer *p, short *events);
/* True when connected and set up (even while a batch is in flight). */
bool pg_consumer_up(const struct pg_consumer *p);
/* Milliseconds (0..1000) until the consumer wants to run again without I/O. */
int pg_consumer_timeout(const struct pg_consumer *p, int64_t now_ms);
/* Drop the connection and retry at once (SIGHUP). */
void pg_consumer_reset(struct pg_consumer *p);
long pg_consumer_rows(const struct pg_consumer *p);
void pg_consumer_free(struct pg_consumer *p);

/* The table: also printed in the man page. */
#define PUB_PG_SCHEMA                                                                              \
	"CREATE TABLE IF NOT EXISTS eas_alerts (\n"                                                \
	"  id            text PRIMARY KEY,\n"                                                      \
	"  sources       text[] NOT NULL,\n"                                                       \
	"  received      timestamptz NOT NULL,\n"                                                  \
	"  last_received timestamptz NOT NULL,\n"                                                  \
	"  issued        timestamptz,\n"                                                           \
	"  expires       timestamptz,\n"                                                           \
	"  event         text,\n"                                                                  \
	"  originator    text,\n"                                                                  \
	"  locations     text[] NOT NULL DEFAULT '{}',\n"                                          \
	"  raw           text,\n"                                                                  \
	"  line          jsonb NOT NULL\n"                                                         \
	")"

#endif
