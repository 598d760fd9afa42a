/* publish.h: eas-publish's internal interfaces: spool records and the PostgreSQL consumer. */
#ifndef EAS_PUBLISH_H
#define EAS_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lines.h"
#include "spool.h"

#define SOURCE_MAX EAS_SOURCE_MAX /* bytes of a source name */
#define KEY_MAX    EAS_ID_MAX     /* bytes of a line's idempotency key */

/*
 * A spool record is "T\tKEY\tSOURCE\tTIME_MS\tISSUED_MS\tEXPIRES_MS\tJSON": the
 * fields of an eas_line_head and then the input line itself.  pub_record_header()
 * writes everything before JSON into BUF and returns its length (or -1).
 */
int pub_record_header(const struct eas_line_head *pl, char *buf, size_t len);

/* A parsed record: pointers into the record's bytes (not NUL-terminated). */
struct pub_record {
	char type;
	const char *key, *source, *json;
	size_t keylen, sourcelen, jsonlen;
	int64_t time_ms, issued_ms, expires_ms;
};

/* Split REC (LEN bytes, no newline).  Returns 0, or -1 when it is damaged. */
int pub_record_parse(const char *rec, size_t len, struct pub_record *r);

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
	"  line          jsonb NOT NULL,\n"                                                        \
	"  recordings    jsonb NOT NULL DEFAULT '{}'\n"                                            \
	")"

#endif
