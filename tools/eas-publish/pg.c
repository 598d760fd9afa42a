/* pg.c: eas-publish's PostgreSQL consumer: archives spooled alert lines in table eas_alerts, one
 * row per alert id with every source that heard it, in transactions of up to PG_BATCH rows, through
 * libpq's non-blocking API so that a slow or silent server never holds up the poll loop. */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "backoff.h"
#include "log.h"
#include "publish.h"
#include "timeutil.h"

#define PG_BATCH      500
#define PG_BUF        (256 * 1024)
#define PG_CONNECT_MS 5000  /* a connection (TCP, TLS, startup, auth) must be made in this time */
#define PG_ANSWER_MS  30000 /* a pipeline in flight must make progress in this time */

/* The line's fields are named by lib/lines (EAS_LF_*). */
static const char INSERT_SQL[] =
    "INSERT INTO eas_alerts AS a (id, sources, received, last_received, issued, expires,"
    " event, originator, locations, raw, line)"
    " SELECT $1, ARRAY[$2::text], to_timestamp($3::float8 / 1000),"
    " to_timestamp($3::float8 / 1000),"
    " to_timestamp(NULLIF($4::float8, 0) / 1000), to_timestamp(NULLIF($5::float8, 0) / 1000),"
    " j->>'" EAS_LF_EVENT "', j->>'" EAS_LF_ORIGINATOR "',"
    " ARRAY(SELECT l->>'" EAS_LF_CODE "' FROM jsonb_array_elements(CASE WHEN"
    " jsonb_typeof(j->'" EAS_LF_LOCATIONS "') = 'array' THEN j->'" EAS_LF_LOCATIONS "'"
    " ELSE '[]'::jsonb END) AS l"
    " WHERE jsonb_typeof(l) = 'object' AND l ? '" EAS_LF_CODE "'),"
    " j->>'" EAS_LF_RAW "', j FROM (SELECT $6::jsonb AS j) AS s"
    " ON CONFLICT (id) DO UPDATE SET"
    " sources = CASE WHEN EXCLUDED.sources[1] = ANY(a.sources) THEN a.sources"
    " ELSE a.sources || EXCLUDED.sources[1] END,"
    " received = LEAST(a.received, EXCLUDED.received),"
    " last_received = GREATEST(a.last_received, EXCLUDED.last_received)";

/*
 * States.  Each exchange with the server is one pipeline ended by a Sync:
 * after connecting, SET + CREATE TABLE + PREPARE (ST_SETUP); then, per batch,
 * BEGIN + one INSERT per alert + COMMIT (ST_BATCH).  Nothing waits: commands
 * are queued in libpq's buffer and flushed as the socket takes them, answers
 * are collected as they arrive, and the main loop polls the socket.
 */
enum pg_state {
	ST_DOWN,       /* no connection: waiting for the backoff */
	ST_CONNECTING, /* PQconnectPoll in progress */
	ST_SETUP,      /* connected, the setup pipeline in flight */
	ST_IDLE,       /* ready for the next batch */
	ST_BATCH,      /* a batch pipeline in flight */
};

struct pg_consumer {
	char *conninfo;
	struct eas_spool *sp;
	int cur;
	PGconn *c;
	enum pg_state st;
	PostgresPollingStatusType want; /* ST_CONNECTING: what PQconnectPoll waits for */
	bool flushing;                  /* output queued that the socket has not taken yet */
	int64_t deadline;               /* connect, or next answer, due by then */
	int pending;                    /* commands of the pipeline not answered yet */
	int batch_rows;                 /* rows of the batch in flight */
	uint64_t batch_end;             /* the cursor once it is committed */
	struct eas_backoff bo;
	bool down_logged;
	long rows;
	char *buf;
};

static void quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("postgresql: %s", msg);
}

struct pg_consumer *pg_consumer_new(const char *conninfo, struct eas_spool *sp, int cursor)
{
	struct pg_consumer *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->conninfo = strdup(conninfo);
	p->buf = malloc(PG_BUF);
	if (!p->conninfo || !p->buf) {
		pg_consumer_free(p);
		return NULL;
	}
	p->sp = sp;
	p->cur = cursor;
	p->st = ST_DOWN;
	eas_backoff_init(&p->bo, 100, 5000);
	return p;
}

void pg_consumer_free(struct pg_consumer *p)
{
	if (!p)
		return;
	if (p->c)
		PQfinish(p->c);
	free(p->conninfo);
	free(p->buf);
	free(p);
}

static void close_conn(struct pg_consumer *p)
{
	if (p->c) {
		PQfinish(p->c);
		p->c = NULL;
	}
	p->st = ST_DOWN;
	p->flushing = false;
	p->pending = 0;
}

/* Give up the connection (an unconfirmed batch is sent again later) and back off. */
static void drop(struct pg_consumer *p, const char *why)
{
	char msg[300];
	snprintf(msg, sizeof msg, "%s", why && *why ? why : "connection lost");
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	for (char *q = msg; *q; q++)
		if (*q == '\n' || *q == '\t')
			*q = ' ';
	close_conn(p);
	int d = eas_backoff_fail(&p->bo, eas_mono_ms());
	if (!p->down_logged) {
		log_warn("postgresql: %s; spooling, retrying with backoff", msg);
		p->down_logged = true;
	} else {
		log_debug("postgresql: %s; next try in %d ms", msg, d);
	}
}

static void drop_conn_error(struct pg_consumer *p)
{
	drop(p, PQerrorMessage(p->c));
}

/* Hand queued output to the socket as far as it takes it.  False when dropped. */
static bool flush_out(struct pg_consumer *p)
{
	int r = PQflush(p->c);
	if (r < 0) {
		drop_conn_error(p);
		return false;
	}
	p->flushing = r == 1;
	return true;
}

/* Queue a command without parameters. */
static bool send_simple(struct pg_consumer *p, const char *sql)
{
	if (!PQsendQueryParams(p->c, sql, 0, NULL, NULL, NULL, NULL, 0)) {
		drop_conn_error(p);
		return false;
	}
	p->pending++;
	return true;
}

/* End the pipeline with a Sync, start its clock and push it out. */
static bool send_sync(struct pg_consumer *p, int64_t now_ms)
{
	if (!PQpipelineSync(p->c)) {
		drop_conn_error(p);
		return false;
	}
	p->deadline = now_ms + PG_ANSWER_MS;
	return flush_out(p);
}

static void start_connect(struct pg_consumer *p, int64_t now_ms)
{
	/* connect_timeout only bounds blocking connects: PG_CONNECT_MS bounds this one */
	const char *keys[] = {"application_name", "dbname", NULL};
	const char *vals[] = {"eas-publish", p->conninfo, NULL};
	p->c = PQconnectStartParams(keys, vals, 1);
	if (!p->c) {
		drop(p, "out of memory");
		return;
	}
	if (PQstatus(p->c) == CONNECTION_BAD) {
		drop_conn_error(p);
		return;
	}
	PQsetNoticeProcessor(p->c, quiet_notice, NULL);
	p->st = ST_CONNECTING;
	p->want = PGRES_POLLING_WRITING; /* as libpq says to begin */
	p->deadline = now_ms + PG_CONNECT_MS;
}

/* Connected: switch to non-blocking pipeline mode and queue the setup. */
static void start_setup(struct pg_consumer *p, int64_t now_ms)
{
	if (PQsetnonblocking(p->c, 1) != 0 || !PQenterPipelineMode(p->c)) {
		drop_conn_error(p);
		return;
	}
	p->st = ST_SETUP;
	p->pending = 0;
	if (!send_simple(p, "SET statement_timeout = 10000") || !send_simple(p, PUB_PG_SCHEMA))
		return;
	if (!PQsendPrepare(p->c, "eas_insert", INSERT_SQL, 6, NULL)) {
		drop_conn_error(p);
		return;
	}
	p->pending++;
	send_sync(p, now_ms);
}

/* Advance the connection attempt when its socket is ready, or give it up when late. */
static void step_connect(struct pg_consumer *p, short revents, int64_t now_ms)
{
	short need = p->want == PGRES_POLLING_READING ? POLLIN : POLLOUT;
	/* PQconnectPoll must only be called once the socket is ready as asked */
	if (revents & (need | POLLERR | POLLHUP)) {
		p->want = PQconnectPoll(p->c);
		if (p->want == PGRES_POLLING_FAILED) {
			drop_conn_error(p);
			return;
		}
		if (p->want == PGRES_POLLING_OK) {
			start_setup(p, now_ms);
			return;
		}
	}
	if (now_ms >= p->deadline) {
		char why[80];
		snprintf(why, sizeof why, "no connection within %d s", PG_CONNECT_MS / 1000);
		drop(p, why);
	}
}

/*
 * Queue the next batch: BEGIN, one INSERT per alert record from the cursor on
 * (at most PG_BATCH, at most PG_BUF bytes), COMMIT.  Records that are not
 * alerts are passed over; a range without alerts moves the cursor at once.
 */
static void start_batch(struct pg_consumer *p, int64_t now_ms)
{
	uint64_t pos = eas_spool_pos(p->sp, p->cur);
	if (pos >= eas_spool_end(p->sp))
		return;
	ssize_t n = eas_spool_read(p->sp, pos, p->buf, PG_BUF);
	if (n <= 0)
		return;
	size_t off = 0;
	int rows = 0;
	p->pending = 0;
	while (rows < PG_BATCH) {
		char *nl = memchr(p->buf + off, '\n', (size_t)n - off);
		if (!nl)
			break;
		size_t len = (size_t)(nl - (p->buf + off));
		struct pub_record r;
		if (pub_record_parse(p->buf + off, len, &r) == 0 && r.type == 'A') {
			if (rows == 0 && !send_simple(p, "BEGIN"))
				return;
			char id[KEY_MAX + 1], src[SOURCE_MAX + 1], t[24], is[24], ex[24];
			snprintf(id, sizeof id, "%.*s", (int)r.keylen, r.key);
			snprintf(src, sizeof src, "%.*s", (int)r.sourcelen, r.source);
			snprintf(t, sizeof t, "%" PRId64, r.time_ms);
			snprintf(is, sizeof is, "%" PRId64, r.issued_ms);
			snprintf(ex, sizeof ex, "%" PRId64, r.expires_ms);
			/* the JSON is the record's tail: terminate it in place (libpq copies it) */
			*nl = '\0';
			const char *params[] = {id, src, t, is, ex, r.json};
			if (!PQsendQueryPrepared(p->c, "eas_insert", 6, params, NULL, NULL, 0)) {
				drop_conn_error(p);
				return;
			}
			p->pending++;
			rows++;
		}
		off += len + 1;
	}
	if (off == 0) {
		/* a record longer than the buffer is not one of ours */
		log_error("postgresql: oversized spool record at %" PRIu64 ", skipping", pos);
		eas_spool_set_pos(p->sp, p->cur, pos + (uint64_t)n);
		return;
	}
	if (rows == 0) {
		eas_spool_set_pos(p->sp, p->cur, pos + off);
		return;
	}
	if (!send_simple(p, "COMMIT"))
		return;
	p->st = ST_BATCH;
	p->batch_rows = rows;
	p->batch_end = pos + off;
	send_sync(p, now_ms);
}

/* The pipeline in flight was answered in full, every command with success. */
static void pipeline_done(struct pg_consumer *p)
{
	if (p->st == ST_SETUP) {
		eas_backoff_reset(&p->bo);
		uint64_t backlog = eas_spool_end(p->sp) - eas_spool_pos(p->sp, p->cur);
		if (p->down_logged || backlog)
			log_warn("postgresql: connected, %" PRIu64 " bytes of spool to archive",
			         backlog);
		else
			log_info("postgresql: connected");
		p->down_logged = false;
	} else {
		/* COMMIT succeeded: only now does the cursor move */
		p->rows += p->batch_rows;
		eas_spool_set_pos(p->sp, p->cur, p->batch_end);
	}
	p->st = ST_IDLE;
}

/* Take every answer that has fully arrived, without waiting for more. */
static void collect(struct pg_consumer *p, int64_t now_ms)
{
	int nulls = 0;
	while ((p->st == ST_SETUP || p->st == ST_BATCH) && !PQisBusy(p->c)) {
		PGresult *r = PQgetResult(p->c);
		if (!r) {
			/* the end of one command's results; twice in a row: nothing ready */
			if (PQstatus(p->c) == CONNECTION_BAD) {
				drop_conn_error(p);
				return;
			}
			if (++nulls > 1)
				return;
			continue;
		}
		nulls = 0;
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			if (p->pending != 0) {
				drop(p, "pipeline ended early");
				return;
			}
			pipeline_done(p);
			return;
		}
		if (s != PGRES_COMMAND_OK) {
			const char *e = PQresultErrorMessage(r);
			drop(p, *e ? e : PQerrorMessage(p->c));
			PQclear(r);
			return;
		}
		/* the batch's last command is its COMMIT: a COMMIT that rolled back says so */
		bool bad_commit =
		    p->st == ST_BATCH && p->pending == 1 && strcmp(PQcmdStatus(r), "COMMIT") != 0;
		PQclear(r);
		if (bad_commit) {
			drop(p, "COMMIT did not commit");
			return;
		}
		p->pending--;
		p->deadline = now_ms + PG_ANSWER_MS;
	}
}

void pg_consumer_pump(struct pg_consumer *p, short revents, int64_t now_ms)
{
	if (p->st == ST_DOWN) {
		if (eas_backoff_due(&p->bo, now_ms))
			start_connect(p, now_ms);
		return;
	}
	if (p->st == ST_CONNECTING) {
		step_connect(p, revents, now_ms);
		if (p->st != ST_SETUP)
			return;
		revents = 0;
	}
	if ((revents & (POLLIN | POLLERR | POLLHUP)) && !PQconsumeInput(p->c)) {
		drop_conn_error(p);
		return;
	}
	if (p->flushing && !flush_out(p))
		return;
	collect(p, now_ms);
	if (p->st == ST_DOWN)
		return;
	if (PQstatus(p->c) == CONNECTION_BAD) {
		drop_conn_error(p);
		return;
	}
	if (p->st == ST_IDLE) {
		start_batch(p, now_ms);
	} else if (now_ms >= p->deadline) {
		char why[80];
		snprintf(why, sizeof why, "no answer within %d s", PG_ANSWER_MS / 1000);
		drop(p, why);
	}
}

int pg_consumer_pollfd(const struct pg_consumer *p, short *events)
{
	*events = 0;
	if (p->st == ST_DOWN)
		return -1;
	int fd = PQsocket(p->c);
	if (fd < 0)
		return -1;
	if (p->st == ST_CONNECTING)
		*events = p->want == PGRES_POLLING_READING ? POLLIN : POLLOUT;
	else
		*events = (short)(POLLIN | (p->flushing ? POLLOUT : 0));
	return fd;
}

bool pg_consumer_up(const struct pg_consumer *p)
{
	return p->st == ST_IDLE || p->st == ST_BATCH;
}

int pg_consumer_timeout(const struct pg_consumer *p, int64_t now_ms)
{
	int64_t d;
	switch (p->st) {
	case ST_DOWN:
		d = p->bo.next_ms - now_ms;
		break;
	case ST_IDLE:
		return eas_spool_pos(p->sp, p->cur) < eas_spool_end(p->sp) ? 0 : 1000;
	default:
		d = p->deadline - now_ms;
		break;
	}
	return d < 0 ? 0 : d > 1000 ? 1000 : (int)d;
}

void pg_consumer_reset(struct pg_consumer *p)
{
	close_conn(p);
	eas_backoff_reset(&p->bo);
}

long pg_consumer_rows(const struct pg_consumer *p)
{
	return p->rows;
}
