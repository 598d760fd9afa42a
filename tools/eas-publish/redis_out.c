/* redis_out.c: eas-publish's Redis consumer: sends the spool's alert, eom and recording records
 * from its cursor on (EVALSHA of lib/store.lua, pipelined, in batches) and the newest status line
 * of each source, and moves the cursor as the master (and with --min-replicas, WAIT) confirms. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "log.h"
#include "publish.h"
#include "store.h"
#include "timeutil.h"

#define MAX_INFLIGHT 256 /* commands sent and not yet answered */
#define QCAP         (MAX_INFLIGHT + 8)
#define BATCH_MAX    64 /* lines per EVALSHA */
#define RBUF_SIZE    (PUB_MAX_LINE + 65536)
#define SEEN_MIN_MS  3600000LL /* a seen key lives at least an hour after the send */
#define EOM_TTL_MS   86400000LL
#define MAX_SOURCES  64

enum { IF_LINE, IF_STATUS, IF_WAIT };

/* Status lines: newest per source wins, never spooled. */
struct status_slot {
	char source[SOURCE_MAX + 1];
	char *json;
	int64_t epoch;
	bool dirty;
};

/* One EVALSHA of up to BATCH_MAX spooled lines. */
struct batch {
	int n;
	char keys[BATCH_MAX][3][EAS_KEY_MAX]; /* seen, heard, the source's last-event hash */
	char ttl[BATCH_MAX][24];
	char time_s[BATCH_MAX][24]; /* the line's receive time, epoch seconds */
	const char *argv[8 + BATCH_MAX * 9];
	size_t lens[8 + BATCH_MAX * 9];
	struct pub_record rec[BATCH_MAX];
};

struct redis_consumer {
	struct eas_redis_conf conf;
	const struct eas_keys *keys;
	struct eas_spool *sp;
	int cur;
	int min_replicas, wait_ms;
	char maxlen[24];
	char desc[512];
	redisContext *c;
	struct eas_backoff bo;
	char sha[41];     /* of lib/store.lua */
	uint64_t send;    /* spool offset of the next line to send */
	uint64_t applied; /* lines up to here answered by the master */
	uint64_t waited;  /* lines up to here covered by the WAIT sent last */
	bool wait_inflight;
	int64_t wait_due; /* monotonic ms before which no new WAIT is sent */
	bool down_logged;
	struct { /* ring of commands in flight */
		uint8_t kind;
		uint64_t end;
		int64_t sent; /* monotonic ms */
	} q[QCAP];
	unsigned qhead, qlen;
	char *rbuf;
	struct status_slot statuses[MAX_SOURCES];
	struct batch b;
	struct redis_counts n;
};

struct redis_consumer *redis_consumer_new(const struct eas_redis_conf *conf,
                                          const struct eas_keys *keys, struct eas_spool *sp,
                                          int cursor, int min_replicas, int wait_ms, long maxlen)
{
	struct redis_consumer *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->rbuf = malloc(RBUF_SIZE);
	if (!r->rbuf) {
		free(r);
		return NULL;
	}
	r->conf = *conf;
	r->keys = keys;
	r->sp = sp;
	r->cur = cursor;
	r->min_replicas = min_replicas;
	r->wait_ms = wait_ms;
	snprintf(r->maxlen, sizeof r->maxlen, "%ld", maxlen);
	eas_redis_describe(conf, r->desc, sizeof r->desc);
	eas_backoff_init(&r->bo, 50, 2000);
	return r;
}

void redis_consumer_free(struct redis_consumer *r)
{
	if (!r)
		return;
	if (r->c)
		redisFree(r->c);
	for (int i = 0; i < MAX_SOURCES; i++)
		free(r->statuses[i].json);
	free(r->rbuf);
	free(r);
}

/* ---- status lines ---- */

void redis_consumer_status(struct redis_consumer *r, const char *source, const char *line,
                           size_t len)
{
	struct status_slot *s = NULL;
	for (int i = 0; i < MAX_SOURCES; i++) {
		if (r->statuses[i].json && !strcmp(r->statuses[i].source, source)) {
			s = &r->statuses[i];
			break;
		}
		if (!s && !r->statuses[i].json)
			s = &r->statuses[i];
	}
	if (!s) {
		/* more sources than slots: the oldest non-dirty slot goes */
		s = &r->statuses[0];
		for (int i = 0; i < MAX_SOURCES; i++)
			if (!r->statuses[i].dirty) {
				s = &r->statuses[i];
				break;
			}
	}
	char *copy = malloc(len + 1);
	if (!copy) {
		log_error("out of memory for a status line");
		return;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	free(s->json);
	s->json = copy;
	snprintf(s->source, sizeof s->source, "%s", source);
	s->epoch = eas_now_ms() / 1000;
	s->dirty = true;
	r->n.status++;
}

static bool statuses_dirty(const struct redis_consumer *r)
{
	for (int i = 0; i < MAX_SOURCES; i++)
		if (r->statuses[i].json && r->statuses[i].dirty)
			return true;
	return false;
}

/* ---- connection ---- */

static void q_push(struct redis_consumer *r, int kind, uint64_t end)
{
	unsigned i = (r->qhead + r->qlen) % QCAP;
	r->q[i].kind = (uint8_t)kind;
	r->q[i].end = end;
	r->q[i].sent = eas_mono_ms();
	r->qlen++;
}

/* Give up the connection (what was not confirmed is sent again from the cursor) and back off. */
static void drop(struct redis_consumer *r, const char *reason)
{
	char why[300];
	snprintf(why, sizeof why, "%s", reason && *reason ? reason : "connection lost");
	if (r->c) {
		redisFree(r->c);
		r->c = NULL;
	}
	r->qlen = 0;
	r->qhead = 0;
	r->wait_inflight = false;
	uint64_t ack = eas_spool_pos(r->sp, r->cur);
	r->send = r->applied = r->waited = ack;
	int d = eas_backoff_fail(&r->bo, eas_mono_ms());
	if (!r->down_logged) {
		log_warn("redis %s: %s; spooling, retrying with backoff", r->desc, why);
		r->down_logged = true;
	} else {
		log_debug("redis %s: %s; next try in %d ms", r->desc, why, d);
	}
	for (int i = 0; i < MAX_SOURCES; i++)
		if (r->statuses[i].json)
			r->statuses[i].dirty = true;
}

static int load_script(struct redis_consumer *r, const char *body, char *sha)
{
	redisReply *rep = redisCommand(r->c, "SCRIPT LOAD %s", body);
	if (!rep)
		return -1;
	int ok = rep->type == REDIS_REPLY_STRING && rep->len == 40;
	if (ok)
		memcpy(sha, rep->str, 41);
	else if (rep->type == REDIS_REPLY_ERROR)
		log_debug("SCRIPT LOAD: %s", rep->str);
	freeReplyObject(rep);
	return ok ? 0 : -1;
}

static void try_connect(struct redis_consumer *r)
{
	char err[512], where[300];
	r->c = eas_redis_connect(&r->conf, where, sizeof where, err, sizeof err);
	if (!r->c) {
		drop(r, err);
		return;
	}
	if (load_script(r, eas_store_lua, r->sha) < 0) {
		drop(r, r->c->err ? r->c->errstr : "SCRIPT LOAD failed (server loading?)");
		return;
	}
	eas_backoff_reset(&r->bo);
	uint64_t ack = eas_spool_pos(r->sp, r->cur);
	r->send = r->applied = r->waited = ack;
	r->qlen = r->qhead = 0;
	uint64_t backlog = eas_spool_end(r->sp) - ack;
	if (r->down_logged || backlog)
		log_warn("redis: connected to %s%s, %" PRIu64 " bytes of spool to send", where,
		         r->conf.nsentinel ? " (via sentinel)" : "", backlog);
	else
		log_info("redis: connected to %s", where);
	r->down_logged = false;
}

/* ---- sending ---- */

/* Send the status lines that changed.  Each goes into the metrics hash with one member added,
 * this process's spool backlog in bytes (EAS_LF_SPOOL_BYTES), so that a watcher sees a spool
 * backing up (PostgreSQL away, a slow Redis). */
static void send_statuses(struct redis_consumer *r)
{
	char hb[EAS_KEY_MAX], epoch[24], extra[64];
	snprintf(extra, sizeof extra, ",\"%s\":%" PRIu64 "}", EAS_LF_SPOOL_BYTES,
	         eas_spool_pending_bytes(r->sp));
	for (int i = 0; i < MAX_SOURCES && r->qlen < MAX_INFLIGHT; i++) {
		struct status_slot *s = &r->statuses[i];
		if (!s->json || !s->dirty)
			continue;
		/* the line is a JSON object: its last '}' closes it */
		char *end = strrchr(s->json, '}');
		size_t keep = end ? (size_t)(end - s->json) : 0;
		char *json = end ? malloc(keep + sizeof extra) : NULL;
		if (json) {
			memcpy(json, s->json, keep);
			/* "{}" takes no comma before the member */
			snprintf(json + keep, sizeof extra, "%s",
			         memchr(s->json, ':', keep) ? extra : extra + 1);
		}
		eas_key(r->keys, EAS_KEY_HEARTBEAT, s->source, hb, sizeof hb);
		snprintf(epoch, sizeof epoch, "%" PRId64, s->epoch);
		const char *argv[] = {"EVALSHA", r->sha,           "3",
		                      hb,        r->keys->metrics, r->keys->metrics_update,
		                      "status",  s->source,        json ? json : s->json,
		                      epoch};
		redisAppendCommandArgv(r->c, 10, argv, NULL);
		free(json);
		q_push(r, IF_STATUS, 0);
		s->dirty = false;
	}
}

/* Queue the batch in r->b, which ends at spool offset END. */
static void batch_send(struct redis_consumer *r, uint64_t end)
{
	struct batch *b = &r->b;
	int k = 0;
	char nkeys[16];
	if (b->n == 0) {
		/* only damaged records: a PING keeps the answers in step */
		const char *argv[] = {"PING"};
		redisAppendCommandArgv(r->c, 1, argv, NULL);
		q_push(r, IF_LINE, end);
		return;
	}
	snprintf(nkeys, sizeof nkeys, "%d", 2 + 3 * b->n);
#define ARG(p, l) (b->argv[k] = (p), (void)(b->lens[k++] = (l)))
	ARG("EVALSHA", 7);
	ARG(r->sha, 40);
	ARG(nkeys, strlen(nkeys));
	ARG(r->keys->alerts, strlen(r->keys->alerts));
	ARG(r->keys->alert_counts, strlen(r->keys->alert_counts));
	for (int i = 0; i < b->n; i++)
		for (int j = 0; j < 3; j++)
			ARG(b->keys[i][j], strlen(b->keys[i][j]));
	ARG("lines", 5);
	ARG(r->maxlen, strlen(r->maxlen));
	for (int i = 0; i < b->n; i++) {
		const struct pub_record *rec = &b->rec[i];
		ARG(rec->source, rec->sourcelen);
		ARG(rec->json, rec->jsonlen);
		ARG(b->ttl[i], strlen(b->ttl[i]));
		const char *typ = rec->type == 'A'   ? EAS_LT_ALERT
		                  : rec->type == 'R' ? EAS_LT_RECORDING
		                                     : EAS_LT_EOM;
		ARG(typ, strlen(typ));
		ARG(rec->key, rec->keylen);
		ARG(b->time_s[i], strlen(b->time_s[i]));
	}
#undef ARG
	redisAppendCommandArgv(r->c, k, b->argv, b->lens);
	q_push(r, IF_LINE, end);
}

/* Add the record REC (LEN bytes, no newline) at spool offset AT to the batch. */
static void batch_add(struct redis_consumer *r, const char *rec, size_t len, uint64_t at,
                      int64_t now)
{
	struct batch *b = &r->b;
	struct pub_record *p = &b->rec[b->n];
	int pr = pub_record_parse(rec, len, p);
	if (pr < 0) {
		log_error("spool: skipping a %s record at %" PRIu64,
		          pr == -2 ? "newer version's" : "damaged", at);
		return;
	}
	eas_key_n(r->keys, EAS_KEY_SEEN, p->key, p->keylen, b->keys[b->n][0], EAS_KEY_MAX);
	eas_key_n(r->keys, EAS_KEY_HEARD, p->key, p->keylen, b->keys[b->n][1], EAS_KEY_MAX);
	eas_key_n(r->keys, EAS_KEY_LAST, p->source, p->sourcelen, b->keys[b->n][2], EAS_KEY_MAX);
	snprintf(b->time_s[b->n], sizeof b->time_s[b->n], "%" PRId64, p->time_ms / 1000);
	int64_t until = p->type == 'A' ? p->expires_ms : 0;
	int64_t floor = now + (p->type == 'A' ? SEEN_MIN_MS : EOM_TTL_MS);
	if (until < floor)
		until = floor;
	snprintf(b->ttl[b->n], sizeof b->ttl[b->n], "%" PRId64, until);
	b->n++;
}

/* A record longer than the buffer cannot be ours: skip it.  Returns false on a read error. */
static bool skip_oversized(struct redis_consumer *r, ssize_t n)
{
	char *nl = NULL;
	uint64_t o = r->send + (uint64_t)n;
	log_error("spool: oversized record at %" PRIu64 ", skipping", r->send);
	while (!nl && o < eas_spool_end(r->sp)) {
		ssize_t m = eas_spool_read(r->sp, o, r->rbuf, RBUF_SIZE);
		if (m <= 0)
			return false;
		nl = memchr(r->rbuf, '\n', (size_t)m);
		o += nl ? (uint64_t)(nl - r->rbuf) + 1 : (uint64_t)m;
	}
	r->b.n = 0;
	batch_send(r, o);
	r->send = o;
	return true;
}

/* Queue the spooled lines from r->send on, in batches, as many as the window allows. */
static void send_lines(struct redis_consumer *r)
{
	int64_t now = eas_now_ms();
	while (r->qlen < MAX_INFLIGHT - 1 && r->send < eas_spool_end(r->sp)) {
		ssize_t n = eas_spool_read(r->sp, r->send, r->rbuf, RBUF_SIZE);
		if (n <= 0) {
			log_error_errno("spool: cannot read at %" PRIu64, r->send);
			return;
		}
		size_t off = 0;
		while (r->qlen < MAX_INFLIGHT - 1) {
			/* collect a batch of whole records from the buffer */
			r->b.n = 0;
			size_t boff = off;
			while (r->b.n < BATCH_MAX) {
				char *nl = memchr(r->rbuf + off, '\n', (size_t)n - off);
				if (!nl)
					break;
				size_t len = (size_t)(nl - (r->rbuf + off));
				batch_add(r, r->rbuf + off, len, r->send + off, now);
				off += len + 1;
			}
			if (off == boff)
				break;
			batch_send(r, r->send + off);
		}
		if (off == 0) {
			if (!skip_oversized(r, n))
				return;
			continue;
		}
		r->send += off;
	}
}

static void flush_out(struct redis_consumer *r)
{
	int done = 0;
	while (!done) {
		if (redisBufferWrite(r->c, &done) != REDIS_OK) {
			drop(r, r->c->errstr[0] ? r->c->errstr : "write failed");
			return;
		}
	}
}

/* ---- answers ---- */

static bool transient_error(const char *s)
{
	return !strncmp(s, "LOADING", 7) || !strncmp(s, "READONLY", 8) ||
	       !strncmp(s, "NOSCRIPT", 8) || !strncmp(s, "MASTERDOWN", 10) ||
	       !strncmp(s, "BUSY", 4) || !strncmp(s, "TRYAGAIN", 8) ||
	       !strncmp(s, "NOREPLICAS", 10);
}

static void on_reply(struct redis_consumer *r, redisReply *rep)
{
	if (!r->qlen) {
		log_warn("redis: unexpected reply");
		return;
	}
	unsigned kind = r->q[r->qhead].kind;
	uint64_t end = r->q[r->qhead].end;
	r->qhead = (r->qhead + 1) % QCAP;
	r->qlen--;
	if (rep->type == REDIS_REPLY_ERROR) {
		char why[300];
		snprintf(why, sizeof why, "error reply: %.200s", rep->str);
		if (!transient_error(rep->str))
			log_error("redis: %s", rep->str);
		drop(r, why);
		return;
	}
	switch (kind) {
	case IF_LINE:
		r->applied = end;
		for (size_t i = 0; rep->type == REDIS_REPLY_ARRAY && i < rep->elements; i++) {
			if (rep->element[i]->type == REDIS_REPLY_STRING)
				r->n.stored++;
			else
				r->n.dup++;
		}
		if (r->min_replicas == 0)
			eas_spool_set_pos(r->sp, r->cur, end);
		break;
	case IF_WAIT:
		r->wait_inflight = false;
		if (rep->type == REDIS_REPLY_INTEGER && rep->integer >= r->min_replicas) {
			eas_spool_set_pos(r->sp, r->cur, end);
		} else {
			/* not yet on enough replicas: keep the lines, ask again */
			r->waited = eas_spool_pos(r->sp, r->cur);
			r->wait_due = eas_mono_ms() + 100;
			log_debug("WAIT: %lld of %d replicas", rep->integer, r->min_replicas);
		}
		break;
	default:
		break;
	}
}

static void read_replies(struct redis_consumer *r)
{
	if (redisBufferRead(r->c) != REDIS_OK) {
		drop(r, r->c->errstr[0] ? r->c->errstr : "connection lost");
		return;
	}
	for (;;) {
		void *rep = NULL;
		if (redisGetReplyFromReader(r->c, &rep) != REDIS_OK) {
			drop(r, "protocol error");
			return;
		}
		if (!rep)
			return;
		on_reply(r, rep);
		freeReplyObject(rep);
		if (!r->c)
			return;
	}
}

/* ---- the face the poll loop sees ---- */

void redis_consumer_pump(struct redis_consumer *r, short revents, int64_t now)
{
	if (r->c && (revents & (POLLIN | POLLHUP | POLLERR)))
		read_replies(r);
	if (!r->c) {
		if (!eas_backoff_due(&r->bo, now))
			return;
		try_connect(r);
		if (!r->c)
			return;
	}
	/* A server that takes the connection but does not answer (stopped, hung,
	 * cut off by the network) is left like a dead one: the lines stay spooled,
	 * and the next connect (through Sentinel: to the new master) gets them. */
	if (r->qlen) {
		int64_t limit = r->conf.io_timeout_ms;
		if (r->q[r->qhead].kind == IF_WAIT)
			limit += r->wait_ms;
		if (now - r->q[r->qhead].sent > limit) {
			char why[80];
			snprintf(why, sizeof why, "no reply within %" PRId64 " ms", limit);
			drop(r, why);
			return;
		}
	}
	unsigned before = r->qlen;
	send_statuses(r);
	send_lines(r);
	if (r->min_replicas > 0 && !r->wait_inflight && r->waited < r->send && now >= r->wait_due &&
	    r->qlen < MAX_INFLIGHT + 4) {
		char nrep[16], tmo[16];
		snprintf(nrep, sizeof nrep, "%d", r->min_replicas);
		snprintf(tmo, sizeof tmo, "%d", r->wait_ms);
		const char *argv[] = {"WAIT", nrep, tmo};
		redisAppendCommandArgv(r->c, 3, argv, NULL);
		q_push(r, IF_WAIT, r->send);
		r->waited = r->send;
		r->wait_inflight = true;
	}
	if (r->qlen != before)
		flush_out(r);
}

int redis_consumer_pollfd(const struct redis_consumer *r, short *events)
{
	*events = POLLIN;
	return r->c ? r->c->fd : -1;
}

bool redis_consumer_up(const struct redis_consumer *r)
{
	return r->c != NULL;
}

bool redis_consumer_idle(const struct redis_consumer *r)
{
	return !r->c || (r->qlen == 0 && !statuses_dirty(r));
}

int redis_consumer_timeout(const struct redis_consumer *r, int64_t now)
{
	if (r->c)
		return r->qlen < MAX_INFLIGHT - 1 && r->send < eas_spool_end(r->sp) ? 0 : 1000;
	int64_t d = r->bo.next_ms - now;
	return d < 0 ? 0 : d > 1000 ? 1000 : (int)d;
}

void redis_consumer_reset(struct redis_consumer *r)
{
	if (r->c)
		drop(r, "SIGHUP");
	eas_backoff_reset(&r->bo);
}

void redis_consumer_finish(struct redis_consumer *r, int ms)
{
	int64_t until = eas_mono_ms() + ms;
	while (r->c && r->qlen && eas_mono_ms() < until) {
		struct pollfd p = {r->c->fd, POLLIN, 0};
		if (poll(&p, 1, 100) > 0)
			read_replies(r);
	}
}

struct redis_counts redis_consumer_counts(const struct redis_consumer *r)
{
	return r->n;
}
