/* pg.c: eas-publish's PostgreSQL consumer: archives spooled alert lines in table eas_alerts, one
 * row per alert id with every source that heard it, in transactions of up to PG_BATCH rows. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "publish.h"
#include "redis.h" /* eas_backoff */

#define PG_BATCH 500
#define PG_BUF   (256 * 1024)

static const char INSERT_SQL[] =
    "INSERT INTO eas_alerts AS a (id, sources, received, last_received, issued, expires,"
    " event, originator, locations, raw, line)"
    " SELECT $1, ARRAY[$2::text], to_timestamp($3::float8 / 1000),"
    " to_timestamp($3::float8 / 1000),"
    " to_timestamp(NULLIF($4::float8, 0) / 1000), to_timestamp(NULLIF($5::float8, 0) / 1000),"
    " j->>'event', j->>'originator',"
    " ARRAY(SELECT l->>'code' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(j->'locations')"
    " = 'array' THEN j->'locations' ELSE '[]'::jsonb END) AS l"
    " WHERE jsonb_typeof(l) = 'object' AND l ? 'code'),"
    " j->>'raw', j FROM (SELECT $6::jsonb AS j) AS s"
    " ON CONFLICT (id) DO UPDATE SET"
    " sources = CASE WHEN EXCLUDED.sources[1] = ANY(a.sources) THEN a.sources"
    " ELSE a.sources || EXCLUDED.sources[1] END,"
    " received = LEAST(a.received, EXCLUDED.received),"
    " last_received = GREATEST(a.last_received, EXCLUDED.last_received)";

struct pg_consumer {
	char *conninfo;
	struct eas_spool *sp;
	int cur;
	PGconn *c;
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

static void drop(struct pg_consumer *p, const char *why)
{
	char msg[300];
	snprintf(msg, sizeof msg, "%s", why ? why : "connection lost");
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	for (char *q = msg; *q; q++)
		if (*q == '\n')
			*q = ' ';
	if (p->c) {
		PQfinish(p->c);
		p->c = NULL;
	}
	int d = eas_backoff_fail(&p->bo, eas_mono_ms());
	if (!p->down_logged) {
		log_warn("postgresql: %s; spooling, retrying with backoff", msg);
		p->down_logged = true;
	} else {
		log_debug("postgresql: %s; next try in %d ms", msg, d);
	}
}

static bool exec_ok(struct pg_consumer *p, const char *sql)
{
	PGresult *r = PQexec(p->c, sql);
	bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (r)
		PQclear(r);
	if (!ok)
		drop(p, PQerrorMessage(p->c));
	return ok;
}

static void connect_pg(struct pg_consumer *p)
{
	const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *vals[] = {"3", "eas-publish", p->conninfo, NULL};
	p->c = PQconnectdbParams(keys, vals, 1);
	if (!p->c || PQstatus(p->c) != CONNECTION_OK) {
		drop(p, p->c ? PQerrorMessage(p->c) : "out of memory");
		return;
	}
	PQsetNoticeProcessor(p->c, quiet_notice, NULL);
	if (!exec_ok(p, "SET statement_timeout = 10000") || !exec_ok(p, PUB_PG_SCHEMA))
		return;
	PGresult *r = PQprepare(p->c, "eas_insert", INSERT_SQL, 6, NULL);
	bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (r)
		PQclear(r);
	if (!ok) {
		drop(p, PQerrorMessage(p->c));
		return;
	}
	eas_backoff_reset(&p->bo);
	uint64_t backlog = p->sp->end - eas_spool_pos(p->sp, p->cur);
	if (p->down_logged || backlog)
		log_warn("postgresql: connected, %" PRIu64 " bytes of spool to archive", backlog);
	else
		log_info("postgresql: connected");
	p->down_logged = false;
}

void pg_consumer_pump(struct pg_consumer *p, int64_t now_ms)
{
	if (!p->c) {
		if (!eas_backoff_due(&p->bo, now_ms))
			return;
		connect_pg(p);
		if (!p->c)
			return;
	}
	uint64_t pos = eas_spool_pos(p->sp, p->cur);
	if (pos >= p->sp->end)
		return;
	ssize_t n = eas_spool_read(p->sp, pos, p->buf, PG_BUF);
	if (n <= 0)
		return;
	size_t off = 0;
	int rows = 0;
	bool in_tx = false;
	while (rows < PG_BATCH) {
		char *nl = memchr(p->buf + off, '\n', (size_t)n - off);
		if (!nl)
			break;
		size_t len = (size_t)(nl - (p->buf + off));
		struct pub_record r;
		if (pub_record_parse(p->buf + off, len, &r) == 0 && r.type == 'A') {
			if (!in_tx) {
				if (!exec_ok(p, "BEGIN"))
					return;
				in_tx = true;
			}
			char id[KEY_MAX + 1], src[SOURCE_MAX + 1], t[24], is[24], ex[24];
			snprintf(id, sizeof id, "%.*s", (int)r.keylen, r.key);
			snprintf(src, sizeof src, "%.*s", (int)r.sourcelen, r.source);
			snprintf(t, sizeof t, "%" PRId64, r.time_ms);
			snprintf(is, sizeof is, "%" PRId64, r.issued_ms);
			snprintf(ex, sizeof ex, "%" PRId64, r.expires_ms);
			/* the JSON is the record's tail: terminate it in place */
			*nl = '\0';
			const char *params[] = {id, src, t, is, ex, r.json};
			PGresult *res =
			    PQexecPrepared(p->c, "eas_insert", 6, params, NULL, NULL, 0);
			bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
			if (res)
				PQclear(res);
			if (!ok) {
				drop(p, PQerrorMessage(p->c));
				return;
			}
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
	if (in_tx && !exec_ok(p, "COMMIT"))
		return;
	p->rows += rows;
	eas_spool_set_pos(p->sp, p->cur, pos + off);
}

bool pg_consumer_up(const struct pg_consumer *p)
{
	return p->c != NULL;
}

int pg_consumer_timeout(const struct pg_consumer *p, int64_t now_ms)
{
	if (p->c)
		return eas_spool_pos(p->sp, p->cur) < p->sp->end ? 0 : 1000;
	int64_t d = p->bo.next_ms - now_ms;
	return d < 0 ? 0 : d > 1000 ? 1000 : (int)d;
}

void pg_consumer_reset(struct pg_consumer *p)
{
	if (p->c) {
		PQfinish(p->c);
		p->c = NULL;
	}
	eas_backoff_reset(&p->bo);
}

long pg_consumer_rows(const struct pg_consumer *p)
{
	return p->rows;
}
