/* eas-publish.c: eas-decode's JSON lines into Redis (stream, pub/sub, heartbeat, metrics) and
 * PostgreSQL, through an on-disk spool so that no alert is lost while a server is away.
 *
 * Data flow (one thread, one poll loop):
 *
 *   stdin ──lines──▶ parse/validate ──alert,eom──▶ spool.log ──cursor "redis"──▶ EVALSHA
 * (pipelined) │                    │                           └──────cursor "pg"─────▶ INSERT ...
 * ON CONFLICT └─▶ stdout (copy)    └──status──▶ newest per source ──────────────────▶ EVALSHA (not
 * spooled)
 *
 * Every alert, eom and recording line is appended to the spool before it is sent; a
 * consumer's cursor moves past a line only when the server confirmed it (with
 * --min-replicas, only when WAIT says enough replicas have it).  After a
 * reconnect, a failover or a restart, sending resumes at the cursor, and the
 * Lua script's SET NX on the line's key makes a re-sent line a no-op, so each
 * line lands exactly once, in order.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "keys.h"
#include "log.h"
#include "optparse.h"
#include "publish.h"
#include "redis.h"
#include "signals.h"
#include "spool.h"
#include "store.h"
#include "timeutil.h"

#ifndef EAS_VERSION
#define EAS_VERSION "0.1.0"
#endif

#define MAX_LINE     (128 * 1024) /* longer input lines are reported and skipped */
#define READ_CHUNK   65536
#define MAX_INFLIGHT 256 /* commands sent and not yet answered */
#define BATCH_MAX    64  /* lines per EVALSHA */
#define RBUF_SIZE    (MAX_LINE + 65536)
#define SEEN_MIN_MS  3600000LL /* a seen key lives at least an hour after the send */
#define EOM_TTL_MS   86400000LL
#define MAX_SOURCES  64
#define SAVE_EVERY   100 /* ms between cursor saves and spool fsyncs */
#define COMPACT_MIN  (4u << 20)

/* Options. */
static const char *opt_source;
static bool opt_source_given;
static const char *opt_url;
static const char *opt_sentinel;
static const char *opt_master;
static int opt_min_replicas;
static int opt_wait_ms = 1000;
static const char *opt_pg;
static const char *opt_spool;
static double opt_drain = 30;
static bool opt_quiet;
static const char *opt_prefix; /* NULL: $EAS_PREFIX, else "eas:" */
static struct eas_keys keys;
static const char *opt_password_file;
static long opt_maxlen = 100000;

static char hostname[256];
static struct eas_spool spool;
enum { CUR_REDIS = 0, CUR_PG = 1 };

/* Counters for the closing log line. */
static long n_lines, n_bad, n_spooled, n_stored, n_dup, n_status, n_pg;

/* ---- status lines: newest per source wins, never spooled ---- */

static struct status_slot {
	char source[SOURCE_MAX + 1];
	char *json;
	int64_t epoch;
	bool dirty;
} statuses[MAX_SOURCES];

static void status_put(const char *source, const char *line, size_t len)
{
	struct status_slot *s = NULL;
	for (int i = 0; i < MAX_SOURCES; i++) {
		if (statuses[i].json && !strcmp(statuses[i].source, source)) {
			s = &statuses[i];
			break;
		}
		if (!s && !statuses[i].json)
			s = &statuses[i];
	}
	if (!s) {
		/* more sources than slots: the oldest non-dirty slot goes */
		s = &statuses[0];
		for (int i = 0; i < MAX_SOURCES; i++)
			if (!statuses[i].dirty) {
				s = &statuses[i];
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
	n_status++;
}

static bool statuses_dirty(void)
{
	for (int i = 0; i < MAX_SOURCES; i++)
		if (statuses[i].json && statuses[i].dirty)
			return true;
	return false;
}

/* ---- Redis consumer ---- */

enum { IF_LINE, IF_STATUS, IF_WAIT };

static struct {
	struct eas_redis_conf conf;
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
	/* ring of commands in flight */
	struct {
		uint8_t kind;
		uint64_t end;
		int64_t sent; /* monotonic ms */
	} q[MAX_INFLIGHT + 8];
	unsigned qhead, qlen;
	char *rbuf;
} R;

static void q_push(int kind, uint64_t end)
{
	unsigned i = (R.qhead + R.qlen) % (MAX_INFLIGHT + 8);
	R.q[i].kind = (uint8_t)kind;
	R.q[i].end = end;
	R.q[i].sent = eas_mono_ms();
	R.qlen++;
}

static void redis_drop(const char *reason)
{
	char why[300];
	snprintf(why, sizeof why, "%s", reason && *reason ? reason : "connection lost");
	if (R.c) {
		redisFree(R.c);
		R.c = NULL;
	}
	R.qlen = 0;
	R.qhead = 0;
	R.wait_inflight = false;
	uint64_t ack = eas_spool_pos(&spool, CUR_REDIS);
	R.send = R.applied = R.waited = ack;
	int64_t now = eas_mono_ms();
	int d = eas_backoff_fail(&R.bo, now);
	if (!R.down_logged) {
		log_warn("redis %s: %s; spooling, retrying with backoff", R.desc, why);
		R.down_logged = true;
	} else {
		log_debug("redis %s: %s; next try in %d ms", R.desc, why, d);
	}
	for (int i = 0; i < MAX_SOURCES; i++)
		if (statuses[i].json)
			statuses[i].dirty = true;
}

static int load_script(const char *body, char *sha)
{
	redisReply *r = redisCommand(R.c, "SCRIPT LOAD %s", body);
	if (!r)
		return -1;
	int ok = r->type == REDIS_REPLY_STRING && r->len == 40;
	if (ok)
		memcpy(sha, r->str, 41);
	else if (r->type == REDIS_REPLY_ERROR)
		log_debug("SCRIPT LOAD: %s", r->str);
	freeReplyObject(r);
	return ok ? 0 : -1;
}

static void redis_try_connect(void)
{
	char err[512], where[300];
	R.c = eas_redis_connect(&R.conf, where, sizeof where, err, sizeof err);
	if (!R.c) {
		R.c = NULL;
		redis_drop(err);
		return;
	}
	if (load_script(eas_store_lua, R.sha) < 0) {
		redis_drop(R.c->err ? R.c->errstr : "SCRIPT LOAD failed (server loading?)");
		return;
	}
	eas_backoff_reset(&R.bo);
	uint64_t ack = eas_spool_pos(&spool, CUR_REDIS);
	R.send = R.applied = R.waited = ack;
	R.qlen = R.qhead = 0;
	uint64_t backlog = spool.end - ack;
	if (R.down_logged || backlog)
		log_warn("redis: connected to %s%s, %" PRIu64 " bytes of spool to send", where,
		         R.conf.nsentinel ? " (via sentinel)" : "", backlog);
	else
		log_info("redis: connected to %s", where);
	R.down_logged = false;
}

/* Send the status lines that changed. */
static void send_statuses(void)
{
	char hb[EAS_KEY_MAX], epoch[24];
	for (int i = 0; i < MAX_SOURCES && R.qlen < MAX_INFLIGHT; i++) {
		struct status_slot *s = &statuses[i];
		if (!s->json || !s->dirty)
			continue;
		eas_key(&keys, EAS_KEY_HEARTBEAT, s->source, hb, sizeof hb);
		snprintf(epoch, sizeof epoch, "%" PRId64, s->epoch);
		const char *argv[] = {
		    "EVALSHA",           R.sha,    "3",       hb,      keys.metrics,
		    keys.metrics_update, "status", s->source, s->json, epoch};
		redisAppendCommandArgv(R.c, 10, argv, NULL);
		q_push(IF_STATUS, 0);
		s->dirty = false;
	}
}

/* One EVALSHA of up to BATCH_MAX spooled lines. */
static struct batch {
	int n;
	char keys[BATCH_MAX][2][EAS_KEY_MAX];
	char ttl[BATCH_MAX][24];
	const char *argv[8 + BATCH_MAX * 8];
	size_t lens[8 + BATCH_MAX * 8];
	struct pub_record rec[BATCH_MAX];
} B;

static void batch_send(uint64_t end, const char *maxlen)
{
	int k = 0;
	char nkeys[16];
	if (B.n == 0) {
		/* only damaged records: a PING keeps the answers in step */
		const char *argv[] = {"PING"};
		redisAppendCommandArgv(R.c, 1, argv, NULL);
		q_push(IF_LINE, end);
		return;
	}
	snprintf(nkeys, sizeof nkeys, "%d", 1 + 2 * B.n);
#define ARG(p, l) (B.argv[k] = (p), (void)(B.lens[k++] = (l)))
	ARG("EVALSHA", 7);
	ARG(R.sha, 40);
	ARG(nkeys, strlen(nkeys));
	ARG(keys.alerts, strlen(keys.alerts));
	for (int i = 0; i < B.n; i++) {
		ARG(B.keys[i][0], strlen(B.keys[i][0]));
		ARG(B.keys[i][1], strlen(B.keys[i][1]));
	}
	ARG("lines", 5);
	ARG(maxlen, strlen(maxlen));
	for (int i = 0; i < B.n; i++) {
		const struct pub_record *r = &B.rec[i];
		ARG(r->source, r->sourcelen);
		ARG(r->json, r->jsonlen);
		ARG(B.ttl[i], strlen(B.ttl[i]));
		const char *typ = r->type == 'A'   ? EAS_LT_ALERT
		                  : r->type == 'R' ? EAS_LT_RECORDING
		                                   : EAS_LT_EOM;
		ARG(typ, strlen(typ));
		ARG(r->key, r->keylen);
	}
#undef ARG
	redisAppendCommandArgv(R.c, k, B.argv, B.lens);
	q_push(IF_LINE, end);
}

/* Queue the spooled lines from R.send on, in batches, as many as the window allows. */
static void send_lines(void)
{
	char maxlen[24];
	int64_t now = eas_now_ms();
	snprintf(maxlen, sizeof maxlen, "%ld", opt_maxlen);
	while (R.qlen < MAX_INFLIGHT - 1 && R.send < spool.end) {
		ssize_t n = eas_spool_read(&spool, R.send, R.rbuf, RBUF_SIZE);
		if (n <= 0) {
			log_error("spool: cannot read at %" PRIu64 ": %s", R.send, strerror(errno));
			return;
		}
		size_t off = 0;
		while (R.qlen < MAX_INFLIGHT - 1) {
			/* collect a batch of whole records from the buffer */
			B.n = 0;
			size_t boff = off;
			while (B.n < BATCH_MAX) {
				char *nl = memchr(R.rbuf + off, '\n', (size_t)n - off);
				if (!nl)
					break;
				size_t len = (size_t)(nl - (R.rbuf + off));
				struct pub_record *r = &B.rec[B.n];
				if (pub_record_parse(R.rbuf + off, len, r) < 0) {
					log_error("spool: skipping a damaged record at %" PRIu64,
					          R.send + off);
				} else {
					eas_key_n(&keys, EAS_KEY_SEEN, r->key, r->keylen,
					          B.keys[B.n][0], EAS_KEY_MAX);
					eas_key_n(&keys, EAS_KEY_HEARD, r->key, r->keylen,
					          B.keys[B.n][1], EAS_KEY_MAX);
					int64_t until = r->type == 'A' ? r->expires_ms : 0;
					int64_t floor =
					    now + (r->type == 'A' ? SEEN_MIN_MS : EOM_TTL_MS);
					if (until < floor)
						until = floor;
					snprintf(B.ttl[B.n], sizeof B.ttl[B.n], "%" PRId64, until);
					B.n++;
				}
				off += len + 1;
			}
			if (off == boff)
				break;
			batch_send(R.send + off, maxlen);
		}
		if (off == 0) {
			/* a record longer than the buffer cannot be ours: skip it */
			char *nl = NULL;
			uint64_t o = R.send + (uint64_t)n;
			log_error("spool: oversized record at %" PRIu64 ", skipping", R.send);
			while (!nl && o < spool.end) {
				ssize_t m = eas_spool_read(&spool, o, R.rbuf, RBUF_SIZE);
				if (m <= 0)
					return;
				nl = memchr(R.rbuf, '\n', (size_t)m);
				o += nl ? (uint64_t)(nl - R.rbuf) + 1 : (uint64_t)m;
			}
			B.n = 0;
			batch_send(o, maxlen);
			R.send = o;
			continue;
		}
		R.send += off;
	}
}

static void redis_flush_out(void)
{
	int done = 0;
	while (!done) {
		if (redisBufferWrite(R.c, &done) != REDIS_OK) {
			redis_drop(R.c->errstr[0] ? R.c->errstr : "write failed");
			return;
		}
	}
}

static void redis_pump(int64_t now)
{
	if (!R.c) {
		if (!eas_backoff_due(&R.bo, now))
			return;
		redis_try_connect();
		if (!R.c)
			return;
	}
	/* A server that takes the connection but does not answer (stopped, hung,
	 * cut off by the network) is left like a dead one: the lines stay spooled,
	 * and the next connect (through Sentinel: to the new master) gets them. */
	if (R.qlen) {
		int64_t limit = R.conf.io_timeout_ms;
		if (R.q[R.qhead].kind == IF_WAIT)
			limit += opt_wait_ms;
		if (now - R.q[R.qhead].sent > limit) {
			char why[80];
			snprintf(why, sizeof why, "no reply within %" PRId64 " ms", limit);
			redis_drop(why);
			return;
		}
	}
	unsigned before = R.qlen;
	send_statuses();
	send_lines();
	if (opt_min_replicas > 0 && !R.wait_inflight && R.waited < R.send && now >= R.wait_due &&
	    R.qlen < MAX_INFLIGHT + 4) {
		char nrep[16], tmo[16];
		snprintf(nrep, sizeof nrep, "%d", opt_min_replicas);
		snprintf(tmo, sizeof tmo, "%d", opt_wait_ms);
		const char *argv[] = {"WAIT", nrep, tmo};
		redisAppendCommandArgv(R.c, 3, argv, NULL);
		q_push(IF_WAIT, R.send);
		R.waited = R.send;
		R.wait_inflight = true;
	}
	if (R.qlen != before)
		redis_flush_out();
}

static bool transient_error(const char *s)
{
	return !strncmp(s, "LOADING", 7) || !strncmp(s, "READONLY", 8) ||
	       !strncmp(s, "NOSCRIPT", 8) || !strncmp(s, "MASTERDOWN", 10) ||
	       !strncmp(s, "BUSY", 4) || !strncmp(s, "TRYAGAIN", 8) ||
	       !strncmp(s, "NOREPLICAS", 10);
}

static void redis_reply(redisReply *r)
{
	if (!R.qlen) {
		log_warn("redis: unexpected reply");
		return;
	}
	unsigned kind = R.q[R.qhead].kind;
	uint64_t end = R.q[R.qhead].end;
	R.qhead = (R.qhead + 1) % (MAX_INFLIGHT + 8);
	R.qlen--;
	if (r->type == REDIS_REPLY_ERROR) {
		char why[300];
		snprintf(why, sizeof why, "error reply: %.200s", r->str);
		if (!transient_error(r->str))
			log_error("redis: %s", r->str);
		redis_drop(why);
		return;
	}
	switch (kind) {
	case IF_LINE:
		R.applied = end;
		for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
			if (r->element[i]->type == REDIS_REPLY_STRING)
				n_stored++;
			else
				n_dup++;
		}
		if (opt_min_replicas == 0)
			eas_spool_set_pos(&spool, CUR_REDIS, end);
		break;
	case IF_WAIT:
		R.wait_inflight = false;
		if (r->type == REDIS_REPLY_INTEGER && r->integer >= opt_min_replicas) {
			eas_spool_set_pos(&spool, CUR_REDIS, end);
		} else {
			/* not yet on enough replicas: keep the lines, ask again */
			R.waited = eas_spool_pos(&spool, CUR_REDIS);
			R.wait_due = eas_mono_ms() + 100;
			log_debug("WAIT: %lld of %d replicas", r->integer, opt_min_replicas);
		}
		break;
	default:
		break;
	}
}

static void redis_read(void)
{
	if (redisBufferRead(R.c) != REDIS_OK) {
		redis_drop(R.c->errstr[0] ? R.c->errstr : "connection lost");
		return;
	}
	for (;;) {
		void *rep = NULL;
		if (redisGetReplyFromReader(R.c, &rep) != REDIS_OK) {
			redis_drop("protocol error");
			return;
		}
		if (!rep)
			return;
		redis_reply(rep);
		freeReplyObject(rep);
		if (!R.c)
			return;
	}
}

/* ---- input ---- */

static void copy_out(const char *line, size_t len)
{
	if (opt_quiet)
		return;
	fwrite(line, 1, len, stdout);
	putchar('\n');
	fflush(stdout);
}

static bool out_closed;

static void handle_line(char *line, size_t len, long lineno)
{
	char err[300], rec_hdr[512];
	struct eas_line_head pl;
	n_lines++;
	while (len && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	int r = eas_line_head(line, len, opt_source_given ? opt_source : NULL, hostname,
	                      eas_now_ms(), &pl, err, sizeof err);
	if (r == EAS_LINE_BAD_JSON) {
		log_error("line %ld: %s; skipped", lineno, err);
		n_bad++;
		return;
	}
	copy_out(line, len);
	if (r == EAS_LINE_BAD_FIELDS) {
		log_error("line %ld: %s; skipped", lineno, err);
		n_bad++;
		return;
	}
	if (pl.type == 'S') {
		status_put(pl.source, line, len);
		return;
	}
	if (pl.type != 'A' && pl.type != 'E' && pl.type != 'R')
		return;
	int h = pub_record_header(&pl, rec_hdr, sizeof rec_hdr);
	size_t total = (size_t)h + len;
	char *rec = malloc(total);
	if (!rec || h < 0) {
		free(rec);
		log_error("line %ld: out of memory; skipped", lineno);
		n_bad++;
		return;
	}
	memcpy(rec, rec_hdr, (size_t)h);
	memcpy(rec + h, line, len);
	/* the JSON may hold raw tabs between tokens, never a newline */
	if (eas_spool_append(&spool, rec, total) < 0) {
		log_error("line %ld: out of memory; skipped", lineno);
		n_bad++;
	} else {
		n_spooled++;
	}
	free(rec);
}

static struct {
	char *buf;
	size_t len;
	bool skipping; /* inside an over-long line */
	long lineno;
	bool eof;
} in;

/* Read what stdin has; handle whole lines.  Returns 0, or -1 at end of input. */
static int read_input(void)
{
	char chunk[READ_CHUNK];
	ssize_t n = read(0, chunk, sizeof chunk);
	if (n < 0)
		return (errno == EINTR || errno == EAGAIN) ? 0 : -1;
	if (n == 0) {
		if (in.len && !in.skipping)
			handle_line(in.buf, in.len, ++in.lineno);
		else if (in.skipping)
			in.lineno++;
		in.len = 0;
		return -1;
	}
	char *p = chunk, *end = chunk + n;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t take = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (!in.skipping && in.len + take > MAX_LINE) {
			log_error("line %ld: longer than %d bytes; skipped", in.lineno + 1,
			          MAX_LINE);
			n_bad++;
			n_lines++;
			in.skipping = true;
			in.len = 0;
		}
		if (!in.skipping) {
			memcpy(in.buf + in.len, p, take);
			in.len += take;
		}
		if (!nl)
			break;
		in.lineno++;
		if (!in.skipping)
			handle_line(in.buf, in.len, in.lineno);
		in.skipping = false;
		in.len = 0;
		p = nl + 1;
	}
	return 0;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: eas-publish [-s SOURCE] [-u URL] [--sentinel HOST:PORT[,...] --master NAME]\n"
	    "                   [--min-replicas N] [--pg CONNINFO] [--spool DIR]\n"
	    "                   [--drain-timeout S] [--prefix P] [--password-file FILE] [-q] [-v]\n"
	    "Reads eas-decode JSON lines on stdin, copies them to stdout, and stores alert, eom\n"
	    "and recording lines in a Redis stream (+ pub/sub, + PostgreSQL with --pg) and status "
	    "lines\n"
	    "as heartbeat and metrics, spooling to disk while a server is away.\n"
	    "  -s, --source NAME       this monitor's name (default: the line's source, else\n"
	    "                          the host name)\n"
	    "  -u, --redis URL         redis://[user:password@]host[:port][/db] or\n"
	    "                          unix:///path.sock[?db=N] (default $EAS_REDIS_URL, else\n"
	    "                          %s)\n"
	    "      --password-file F   Redis password (first line of F), overrides the URL's\n"
	    "      --sentinel LIST     find the master through these Sentinels (host:port,...)\n"
	    "      --master NAME       the Sentinel master name\n"
	    "      --min-replicas N    a line counts as stored only once N replicas have it\n"
	    "      --wait-timeout MS   WAIT timeout for --min-replicas (default 1000)\n"
	    "      --pg CONNINFO       also archive alerts in PostgreSQL (table eas_alerts)\n"
	    "      --spool DIR         durable spool directory (default: a temporary file,\n"
	    "                          lost at exit)\n"
	    "      --drain-timeout S   at end of input, wait up to S seconds for the spool\n"
	    "                          to drain (default 30)\n"
	    "      --prefix P          Redis key prefix (default $EAS_PREFIX, else \"%s\")\n"
	    "      --maxlen N          cap of the stream, MAXLEN ~ N (default 100000)\n"
	    "  -q, --quiet             do not copy the input to stdout\n"
	    "  -v, --verbose           more log on stderr (repeatable)\n"
	    "  -h, --help              this help\n"
	    "      --version           print the version\n"
	    "Exit: 0 all stored, 1 lines remain spooled or runtime failure, 2 usage.\n",
	    EAS_REDIS_DEFAULT_URL, EAS_KEYS_DEFAULT_PREFIX);
}

enum {
	OPT_SENTINEL = 256,
	OPT_MASTER,
	OPT_MIN_REPLICAS,
	OPT_WAIT_TIMEOUT,
	OPT_PG,
	OPT_SPOOL,
	OPT_DRAIN,
	OPT_PREFIX,
	OPT_PASSWORD_FILE,
	OPT_MAXLEN,
	OPT_VERSION,
};

/* Are all consumers at the end of the spool? */
static bool drained(void)
{
	return eas_spool_pending_bytes(&spool) == 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"source", required_argument, 0, 's'},
	    {"redis", required_argument, 0, 'u'},
	    {"sentinel", required_argument, 0, OPT_SENTINEL},
	    {"master", required_argument, 0, OPT_MASTER},
	    {"min-replicas", required_argument, 0, OPT_MIN_REPLICAS},
	    {"wait-timeout", required_argument, 0, OPT_WAIT_TIMEOUT},
	    {"pg", required_argument, 0, OPT_PG},
	    {"spool", required_argument, 0, OPT_SPOOL},
	    {"drain-timeout", required_argument, 0, OPT_DRAIN},
	    {"prefix", required_argument, 0, OPT_PREFIX},
	    {"password-file", required_argument, 0, OPT_PASSWORD_FILE},
	    {"maxlen", required_argument, 0, OPT_MAXLEN},
	    {"quiet", no_argument, 0, 'q'},
	    {"verbose", no_argument, 0, 'v'},
	    {"help", no_argument, 0, 'h'},
	    {"version", no_argument, 0, OPT_VERSION},
	    {0, 0, 0, 0},
	};
	int c, verbose = 0;
	long v;
	eas_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "s:u:qvh", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			opt_source = optarg;
			opt_source_given = true;
			break;
		case 'u':
			opt_url = optarg;
			break;
		case OPT_SENTINEL:
			opt_sentinel = optarg;
			break;
		case OPT_MASTER:
			opt_master = optarg;
			break;
		case OPT_MIN_REPLICAS:
			if (eas_parse_long(optarg, 0, 100, &v) < 0) {
				log_error("--min-replicas: want 0..100, not %s", optarg);
				return EAS_EXIT_USAGE;
			}
			opt_min_replicas = (int)v;
			break;
		case OPT_WAIT_TIMEOUT:
			if (eas_parse_long(optarg, 1, 600000, &v) < 0) {
				log_error("--wait-timeout: want 1..600000 ms, not %s", optarg);
				return EAS_EXIT_USAGE;
			}
			opt_wait_ms = (int)v;
			break;
		case OPT_PG:
			opt_pg = optarg;
			break;
		case OPT_SPOOL:
			opt_spool = optarg;
			break;
		case OPT_DRAIN:
			if (eas_parse_double(optarg, 0, 86400 * 7, &opt_drain) < 0) {
				log_error("--drain-timeout: want seconds >= 0, not %s", optarg);
				return EAS_EXIT_USAGE;
			}
			break;
		case OPT_PREFIX:
			opt_prefix = optarg;
			break;
		case OPT_PASSWORD_FILE:
			opt_password_file = optarg;
			break;
		case OPT_MAXLEN:
			if (eas_parse_long(optarg, 1, 1000000000L, &opt_maxlen) < 0) {
				log_error("--maxlen: want a positive number, not %s", optarg);
				return EAS_EXIT_USAGE;
			}
			break;
		case 'q':
			opt_quiet = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return EAS_EXIT_OK;
		case OPT_VERSION:
			printf("eas-publish %s\n", EAS_VERSION);
			return EAS_EXIT_OK;
		default:
			usage(stderr);
			return EAS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument: %s", argv[optind]);
		usage(stderr);
		return EAS_EXIT_USAGE;
	}
	eas_log_set_level(EAS_LOG_WARN + verbose);
	if (opt_source_given && eas_source_check(opt_source) < 0) {
		log_error("--source: 1..%d printable characters, not \"%s\"", SOURCE_MAX,
		          opt_source);
		return EAS_EXIT_USAGE;
	}
	if (eas_keys_init(&keys, opt_prefix) < 0) {
		log_error("--prefix: at most %d characters", EAS_KEYS_PREFIX_MAX);
		return EAS_EXIT_USAGE;
	}
	if (gethostname(hostname, sizeof hostname - 1) < 0 || !hostname[0] ||
	    eas_source_check(hostname) < 0)
		snprintf(hostname, sizeof hostname, "localhost");

	char err[512], password[512];
	if (opt_password_file && eas_read_secret_file(opt_password_file, password, sizeof password,
	                                              err, sizeof err) < 0) {
		log_error("--password-file: %s", err);
		return EAS_EXIT_USAGE;
	}
	if (eas_redis_conf_init(&R.conf, opt_url, opt_sentinel, opt_master,
	                        opt_password_file ? password : NULL, err, sizeof err) < 0) {
		log_error("redis: %s", err);
		return EAS_EXIT_USAGE;
	}
	eas_redis_describe(&R.conf, R.desc, sizeof R.desc);
	eas_backoff_init(&R.bo, 50, 2000);

	static const char *const names[] = {"redis", "pg"};
	if (eas_spool_open(&spool, opt_spool, names, opt_pg ? 2 : 1, err, sizeof err) < 0) {
		log_error("spool: %s", err);
		return EAS_EXIT_FAIL;
	}
	if (opt_spool && !drained())
		log_warn("spool %s: %ld lines from an earlier run to send", opt_spool,
		         eas_spool_pending_records(&spool));
	struct pg_consumer *pg = NULL;
	if (opt_pg)
		pg = pg_consumer_new(opt_pg, &spool, CUR_PG);

	R.rbuf = malloc(RBUF_SIZE);
	in.buf = malloc(MAX_LINE + 1);
	if (!R.rbuf || !in.buf) {
		log_error("out of memory");
		return EAS_EXIT_FAIL;
	}

	eas_signals_install(true);

	int64_t last_save = eas_mono_ms(), drain_deadline = 0;
	short pg_rev = 0; /* what poll() said of PostgreSQL's socket */
	int rc = EAS_EXIT_OK;
	for (;;) {
		int64_t now = eas_mono_ms();
		if (eas_sig_stop)
			break;
		if (eas_sig_hup) {
			eas_sig_hup = 0;
			log_info("SIGHUP: reconnecting");
			if (R.c)
				redis_drop("SIGHUP");
			eas_backoff_reset(&R.bo);
			if (pg)
				pg_consumer_reset(pg);
		}
		if (in.eof) {
			if (drained() && (!R.c || (R.qlen == 0 && !statuses_dirty())))
				break;
			if (now >= drain_deadline)
				break;
		}
		redis_pump(now);
		if (pg) {
			pg_consumer_pump(pg, pg_rev, now);
			pg_rev = 0;
		}

		bool redis_up = R.c != NULL;
		bool pg_up = !pg || pg_consumer_up(pg);
		if (eas_spool_unsynced(&spool) &&
		    (!redis_up || !pg_up || now - last_save >= SAVE_EVERY || in.eof)) {
			if (eas_spool_sync(&spool) < 0)
				log_error("spool: cannot sync: %s", strerror(errno));
		}
		if (now - last_save >= SAVE_EVERY) {
			eas_spool_save(&spool);
			if (eas_spool_compact(&spool, COMPACT_MIN) < 0)
				log_error("spool: cannot compact: %s", strerror(errno));
			last_save = now;
		}

		struct pollfd fds[3];
		int nfds = 0, in_i = -1, r_i = -1, pg_i = -1;
		if (!in.eof) {
			fds[nfds].fd = 0;
			fds[nfds].events = POLLIN;
			in_i = nfds++;
		}
		if (R.c) {
			fds[nfds].fd = R.c->fd;
			fds[nfds].events = POLLIN;
			r_i = nfds++;
		}
		if (pg) {
			fds[nfds].fd = pg_consumer_pollfd(pg, &fds[nfds].events);
			if (fds[nfds].fd >= 0)
				pg_i = nfds++;
		}
		int timeout = SAVE_EVERY;
		if (R.c && R.qlen < MAX_INFLIGHT - 1 && R.send < spool.end)
			timeout = 0;
		if (!R.c) {
			int64_t d = R.bo.next_ms - now;
			if (d < timeout)
				timeout = d < 0 ? 0 : (int)d;
		}
		if (pg) {
			int d = pg_consumer_timeout(pg, now);
			if (d < timeout)
				timeout = d;
		}
		if (in.eof) {
			int64_t d = drain_deadline - now;
			if (d < timeout)
				timeout = d < 0 ? 0 : (int)d;
		}
		int pr = poll(fds, (nfds_t)nfds, timeout);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll: %s", strerror(errno));
			rc = EAS_EXIT_FAIL;
			break;
		}
		if (pg_i >= 0)
			pg_rev = fds[pg_i].revents;
		if (r_i >= 0 && (fds[r_i].revents & (POLLIN | POLLHUP | POLLERR)) && R.c)
			redis_read();
		if (in_i >= 0 && (fds[in_i].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (read_input() < 0) {
				in.eof = true;
				drain_deadline = eas_mono_ms() + (int64_t)(opt_drain * 1000);
			}
			if (!opt_quiet && ferror(stdout)) {
				if (errno == EPIPE) {
					/* the reader went away: stop reading, store what we have */
					out_closed = true;
					opt_quiet = true;
					clearerr(stdout);
					in.eof = true;
					drain_deadline =
					    eas_mono_ms() + (int64_t)(opt_drain * 1000);
				} else {
					log_error("stdout: %s", strerror(errno));
					rc = EAS_EXIT_FAIL;
					break;
				}
			}
			if (eas_spool_flush(&spool) < 0) {
				log_error("spool: cannot write: %s", strerror(errno));
				rc = EAS_EXIT_FAIL;
				break;
			}
		}
	}

	/* Finish: collect answers already on the way, persist the cursors. */
	if (R.c && R.qlen && !eas_sig_stop) {
		int64_t until = eas_mono_ms() + 1000;
		while (R.c && R.qlen && eas_mono_ms() < until) {
			struct pollfd p = {R.c->fd, POLLIN, 0};
			if (poll(&p, 1, 100) > 0)
				redis_read();
		}
	}
	if (eas_spool_flush(&spool) < 0 || eas_spool_sync(&spool) < 0) {
		log_error("spool: cannot write: %s", strerror(errno));
		rc = EAS_EXIT_FAIL;
	}
	eas_spool_save(&spool);
	long left = drained() ? 0 : eas_spool_pending_records(&spool);
	log_info("%ld lines read, %ld bad, %ld alert/eom spooled, %ld stored, %ld duplicate or "
	         "replayed, %ld status",
	         n_lines, n_bad, n_spooled, n_stored, n_dup, n_status);
	if (pg)
		log_info("postgresql: %ld rows written", pg_consumer_rows(pg));
	if (left) {
		if (opt_spool)
			log_warn("%ld lines remain spooled in %s for the next run", left,
			         opt_spool);
		else
			log_error("%ld lines were not stored (no --spool: they are lost)", left);
		if (rc == EAS_EXIT_OK)
			rc = EAS_EXIT_FAIL;
	} else if (drained()) {
		eas_spool_compact(&spool, 1);
	}
	if (pg)
		pg_consumer_free(pg);
	if (R.c)
		redisFree(R.c);
	eas_spool_close(&spool);
	for (int i = 0; i < MAX_SOURCES; i++)
		free(statuses[i].json);
	free(R.rbuf);
	free(in.buf);
	(void)n_pg;
	(void)out_closed;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE && !out_closed) {
			log_error("stdout: %s", strerror(errno));
			rc = EAS_EXIT_FAIL;
		}
	}
	return rc;
}
