/* eas-publish.c: eas-decode's JSON lines into Redis (stream, pub/sub, heartbeat, metrics) and
 * PostgreSQL, through an on-disk spool so that no alert is lost while a server is away.
 *
 * Data flow (one thread, one poll loop):
 *
 *   stdin ─lines─▶ check (lib/lines) ─┬─alert,eom─▶ spool.log ─┬─cursor "redis"─▶ EVALSHA store.lua (pipelined)
 *      input.c                        │                        └─cursor "pg"────▶ INSERT ... ON CONFLICT
 *                                     ├─status───▶ newest per source ───────────▶ EVALSHA store.lua (not spooled)
 *                                     └─every line─▶ stdout (copy, unless -q)
 *                                                              redis_out.c         pg.c
 *
 * Every alert, eom and recording line is appended to the spool before it is sent; a
 * consumer's cursor moves past a line only when the server confirmed it (with
 * --min-replicas, only when WAIT says enough replicas have it).  After a
 * reconnect, a failover or a restart, sending resumes at the cursor, and the
 * Lua script's SET NX on the line's key makes a re-sent line a no-op, so each
 * line lands exactly once, in order.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "notify.h"
#include "optparse.h"
#include "publish.h"
#include "signals.h"
#include "source.h"
#include "timeutil.h"
#include "version.h" /* EAS_VERSION, made by the Makefile */

#define SAVE_EVERY  100 /* ms between cursor saves and spool fsyncs */
#define COMPACT_MIN (4u << 20)

/* Parse optarg, the SIZE of option NAME, into *OUT; -1 after saying what is wrong. */
static int size_opt(const char *name, unsigned long long *out)
{
	if (eas_parse_size(optarg, 0, 1ull << 40, out) == 0)
		return 0;
	log_error("%s: want a size (bytes, or with K, M, G), not %s", name, optarg);
	return -1;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: eas-publish [-s SOURCE] [-u URL] [--sentinel HOST:PORT[,...] --master NAME]\n"
	    "                   [--min-replicas N] [--wait-timeout MS] [--pg CONNINFO]\n"
	    "                   [--spool DIR] [--spool-memory SIZE] [--spool-reserve SIZE]\n"
	    "                   [--drain-timeout S] [--prefix P] [--maxlen N]\n"
	    "                   [--password-file FILE] [-q] [-v]\n"
	    "Reads eas-decode JSON lines on stdin, copies them to stdout, and stores alert, eom\n"
	    "and recording lines in a Redis stream (+ pub/sub, + PostgreSQL with --pg) and status\n"
	    "lines as heartbeat and metrics, spooling to disk while a server is away.\n"
	    "  -s, --source NAME       this monitor's name, 1 to 64 printable characters\n"
	    "                          (default: the line's source, else the host name)\n"
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
	    "      --spool-memory SIZE while the spool disk refuses writes, hold up to SIZE\n"
	    "                          bytes of lines in memory (default 16M; K, M, G)\n"
	    "      --spool-reserve SIZE keep SIZE bytes allocated on the spool's disk for it\n"
	    "                          (fallocate; default 16M, 0 none)\n"
	    "      --drain-timeout S   at end of input, wait up to S seconds for the spool\n"
	    "                          to drain (default 30)\n"
	    "      --prefix P          Redis key prefix (default $EAS_PREFIX, else \"%s\")\n"
	    "      --maxlen N          cap of the stream, MAXLEN ~ N (default 100000)\n"
	    "  -q, --quiet             do not copy the input to stdout\n"
	    "  -v, --verbose           more log on stderr (repeatable)\n"
	    "  -h, --help              this help\n"
	    "      --version           print the version\n"
	    "Exit: 0 all stored (also when the reader of stdout went away), 1 lines remain\n"
	    "spooled, lines not saved or runtime failure, 2 usage.  SIGHUP reconnects.\n",
	    EAS_REDIS_DEFAULT_URL, EAS_KEYS_DEFAULT_PREFIX);
}

enum {
	OPT_SENTINEL = 256,
	OPT_MASTER,
	OPT_MIN_REPLICAS,
	OPT_WAIT_TIMEOUT,
	OPT_PG,
	OPT_SPOOL,
	OPT_SPOOL_MEMORY,
	OPT_SPOOL_RESERVE,
	OPT_DRAIN,
	OPT_PREFIX,
	OPT_PASSWORD_FILE,
	OPT_MAXLEN,
	OPT_VERSION,
};

static const struct option lopts[] = {
    {"source", required_argument, 0, 's'},
    {"redis", required_argument, 0, 'u'},
    {"sentinel", required_argument, 0, OPT_SENTINEL},
    {"master", required_argument, 0, OPT_MASTER},
    {"min-replicas", required_argument, 0, OPT_MIN_REPLICAS},
    {"wait-timeout", required_argument, 0, OPT_WAIT_TIMEOUT},
    {"pg", required_argument, 0, OPT_PG},
    {"spool", required_argument, 0, OPT_SPOOL},
    {"spool-memory", required_argument, 0, OPT_SPOOL_MEMORY},
    {"spool-reserve", required_argument, 0, OPT_SPOOL_RESERVE},
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
/* Parse the command line into *O.  Returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct pub_opts *o)
{
	int c;
	long v;
	while ((c = getopt_long(argc, argv, "s:u:qvh", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->source = optarg;
			break;
		case 'u':
			o->url = optarg;
			break;
		case OPT_SENTINEL:
			o->sentinel = optarg;
			break;
		case OPT_MASTER:
			o->master = optarg;
			break;
		case OPT_MIN_REPLICAS:
			if (eas_parse_long(optarg, 0, 100, &v) < 0)
				return eas_usage_error("--min-replicas: want 0..100, not %s",
				                       optarg);
			o->min_replicas = (int)v;
			break;
		case OPT_WAIT_TIMEOUT:
			if (eas_parse_long(optarg, 1, 600000, &v) < 0)
				return eas_usage_error("--wait-timeout: want 1..600000 ms, not %s",
				                       optarg);
			o->wait_ms = (int)v;
			break;
		case OPT_PG:
			o->pg = optarg;
			break;
		case OPT_SPOOL:
			o->spool = optarg;
			break;
		case OPT_SPOOL_MEMORY:
			if (size_opt("--spool-memory", &o->spool_memory) < 0)
				return EAS_EXIT_USAGE;
			break;
		case OPT_SPOOL_RESERVE:
			if (size_opt("--spool-reserve", &o->spool_reserve) < 0)
				return EAS_EXIT_USAGE;
			break;
		case OPT_DRAIN:
			if (eas_parse_double(optarg, 0, 86400 * 7, &o->drain_s) < 0)
				return eas_usage_error("--drain-timeout: want seconds >= 0, not %s",
				                       optarg);
			break;
		case OPT_PREFIX:
			o->prefix = optarg;
			break;
		case OPT_PASSWORD_FILE:
			o->password_file = optarg;
			break;
		case OPT_MAXLEN:
			if (eas_parse_long(optarg, 1, 1000000000L, &o->maxlen) < 0)
				return eas_usage_error("--maxlen: want a positive number, not %s",
				                       optarg);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			return EAS_EXIT_OK;
		case OPT_VERSION:
			printf("eas-publish %s\n", EAS_VERSION);
			return EAS_EXIT_OK;
		default:
			return eas_usage_hint();
		}
	}
	if (optind < argc)
		return eas_usage_error("unexpected argument: %s", argv[optind]);
	if (o->source && eas_source_check(o->source) < 0)
		return eas_usage_error("invalid source \"%s\": " EAS_SOURCE_RULE, o->source);
	return -1;
}

/* Everything the loop works on. */
struct pub {
	struct pub_opts o;
	struct eas_keys keys;
	struct eas_redis_conf conf;
	char hostname[EAS_SOURCE_MAX + 1];
	struct eas_spool spool;
	struct spool_report rep;
	struct redis_consumer *rc;
	struct pg_consumer *pg;
	struct pub_input *in;
	bool spool_open, eof, out_closed;
	int64_t drain_deadline;
};

/* Set up P from its options: keys, Redis configuration, spool, consumers, input.
 * Returns -1 to go on, else the exit code. */
static int open_all(struct pub *p)
{
	char err[512], password[512];
	if (eas_keys_init(&p->keys, p->o.prefix) < 0) {
		return eas_usage_error("--prefix: at most %d characters", EAS_KEYS_PREFIX_MAX);
	}
	eas_source_default(p->hostname, sizeof p->hostname);
	if (p->o.password_file && eas_read_secret_file(p->o.password_file, password,
	                                               sizeof password, err, sizeof err) < 0) {
		return eas_usage_error("--password-file: %s", err);
	}
	if (eas_redis_conf_init(&p->conf, p->o.url, p->o.sentinel, p->o.master,
	                        p->o.password_file ? password : NULL, err, sizeof err) < 0) {
		return eas_usage_error("redis: %s", err);
	}
	static const char *const names[] = {"redis", "pg"};
	if (eas_spool_open(&p->spool, p->o.spool, names, p->o.pg ? 2 : 1, err, sizeof err) < 0) {
		log_error("spool: %s", err);
		return EAS_EXIT_FAIL;
	}
	p->spool_open = true;
	eas_spool_set_memory(&p->spool, (size_t)p->o.spool_memory);
	if (p->o.spool && eas_spool_reserve(&p->spool, p->o.spool_reserve) < 0)
		log_warn("spool %s: cannot reserve %llu bytes (%s); going on without", p->o.spool,
		         p->o.spool_reserve, strerror(errno));
	spool_report_init(&p->rep, &p->spool, p->o.spool, CUR_REDIS, p->o.pg ? CUR_PG : -1);
	if (p->o.spool && eas_spool_pending_bytes(&p->spool))
		log_warn("spool %s: %ld lines from an earlier run to send", p->o.spool,
		         eas_spool_pending_records(&p->spool));
	if (p->o.pg)
		p->pg = pg_consumer_new(p->o.pg, &p->spool, CUR_PG);
	p->rc = redis_consumer_new(&p->conf, &p->keys, &p->spool, CUR_REDIS, p->o.min_replicas,
	                           p->o.wait_ms, p->o.maxlen);
	p->in = p->rc ? pub_input_new(&p->o, p->hostname, &p->spool, p->rc, &p->rep) : NULL;
	if (!p->in || (p->o.pg && !p->pg)) {
		log_error("out of memory");
		return EAS_EXIT_FAIL;
	}
	return -1;
}

/* End of input (or of the reader of stdout): from now on only the spool drains. */
static void input_ended(struct pub *p)
{
	p->eof = true;
	p->drain_deadline = eas_mono_ms() + (int64_t)(p->o.drain_s * 1000);
}

/* Sync the spool now and then (at once while a server is away), save cursors, compact. */
static void keep_spool(struct pub *p, int64_t now, int64_t *last_save)
{
	bool pg_up = !p->pg || pg_consumer_up(p->pg);
	if (eas_spool_unsynced(&p->spool) &&
	    (!redis_consumer_up(p->rc) || !pg_up || now - *last_save >= SAVE_EVERY || p->eof)) {
		eas_spool_sync(&p->spool); /* a failure is reported here: */
		spool_report_check(&p->rep, redis_consumer_up(p->rc));
	}
	if (now - *last_save >= SAVE_EVERY) {
		eas_spool_save(&p->spool);
		if (eas_spool_compact(&p->spool, COMPACT_MIN) < 0)
			log_error_errno("spool: cannot compact");
		*last_save = now;
	}
}

/* Input is ready: read it, and check stdout and the spool.  Returns -1 to go on, else the exit
 * code. */
static int on_input(struct pub *p)
{
	if (pub_input_read(p->in) < 0)
		input_ended(p);
	if (!p->o.quiet && !p->out_closed && ferror(stdout)) {
		if (!eas_stdout_gone(errno)) {
			log_error_errno("stdout");
			return EAS_EXIT_FAIL;
		}
		/* the reader went away: stop reading, store what we have */
		p->out_closed = true;
		pub_input_quiet(p->in);
		clearerr(stdout);
		input_ended(p);
	}
	/* the disk refusing is no reason to stop: Redis may take the lines */
	eas_spool_flush(&p->spool);
	spool_report_check(&p->rep, redis_consumer_up(p->rc));
	return -1;
}

static int min_timeout(int a, int64_t b)
{
	return b < a ? (b < 0 ? 0 : (int)b) : a;
}

/* The poll loop over stdin and the two consumers, until the input ended and the spool drained
 * (or the drain timeout), or a signal to stop.  Returns the exit code. */
static int run(struct pub *p)
{
	int64_t last_save = eas_mono_ms();
	short r_rev = 0, pg_rev = 0; /* what poll() said of the servers' sockets */
	for (;;) {
		int64_t now = eas_mono_ms();
		if (eas_sig_stop)
			return EAS_EXIT_OK;
		if (eas_sig_hup) {
			eas_sig_hup = 0;
			log_info("SIGHUP: reconnecting");
			redis_consumer_reset(p->rc);
			if (p->pg)
				pg_consumer_reset(p->pg);
		}
		if (p->eof &&
		    ((eas_spool_pending_bytes(&p->spool) == 0 && redis_consumer_idle(p->rc)) ||
		     now >= p->drain_deadline))
			return EAS_EXIT_OK;
		redis_consumer_pump(p->rc, r_rev, now);
		notify_ready(redis_consumer_up(p->rc)); /* READY=1 once connected or spooling */
		if (p->pg)
			pg_consumer_pump(p->pg, pg_rev, now);
		r_rev = pg_rev = 0;
		keep_spool(p, now, &last_save);

		struct pollfd fds[3];
		int nfds = 0, in_i = -1, r_i = -1, pg_i = -1;
		if (!p->eof)
			fds[in_i = nfds++] = (struct pollfd){0, POLLIN, 0};
		if ((fds[nfds].fd = redis_consumer_pollfd(p->rc, &fds[nfds].events)) >= 0)
			r_i = nfds++;
		if (p->pg && (fds[nfds].fd = pg_consumer_pollfd(p->pg, &fds[nfds].events)) >= 0)
			pg_i = nfds++;
		int timeout = min_timeout(SAVE_EVERY, redis_consumer_timeout(p->rc, now));
		if (p->pg)
			timeout = min_timeout(timeout, pg_consumer_timeout(p->pg, now));
		if (p->eof)
			timeout = min_timeout(timeout, p->drain_deadline - now);
		for (int i = 0; i < nfds; i++)
			fds[i].revents = 0;
		if (poll(fds, (nfds_t)nfds, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_error_errno("poll");
			return EAS_EXIT_FAIL;
		}
		if (r_i >= 0)
			r_rev = fds[r_i].revents;
		if (pg_i >= 0)
			pg_rev = fds[pg_i].revents;
		if (in_i >= 0 && (fds[in_i].revents & (POLLIN | POLLHUP | POLLERR))) {
			int rc = on_input(p);
			if (rc >= 0)
				return rc;
		}
	}
}

/* Collect answers on the way, persist the spool, log the totals.  Returns the exit code. */
static int finish(struct pub *p, int rc)
{
	notify_stopping();
	if (!eas_sig_stop)
		redis_consumer_finish(p->rc, 1000);
	eas_spool_sync(&p->spool);
	spool_report_check(&p->rep, redis_consumer_up(p->rc));
	eas_spool_save(&p->spool);
	struct pub_input_counts ni = pub_input_counts(p->in);
	struct redis_counts nr = redis_consumer_counts(p->rc);
	log_info("%ld lines read, %ld bad, %ld alert/eom spooled, %ld stored, %ld duplicate or "
	         "replayed, %ld status",
	         ni.lines, ni.bad, ni.spooled, nr.stored, nr.dup, nr.status);
	if (ni.bad) /* each was reported with its line number as it came */
		log_warn("%ld of %ld input lines were invalid and skipped (not stored)", ni.bad,
		         ni.lines);
	if (p->pg)
		log_info("postgresql: %ld rows written", pg_consumer_rows(p->pg));
	if (spool_report_finish(&p->rep)) {
		if (rc == EAS_EXIT_OK)
			rc = EAS_EXIT_FAIL;
	} else if (eas_spool_pending_bytes(&p->spool) == 0) {
		eas_spool_compact(&p->spool, 1);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (!p->out_closed && !eas_stdout_gone(errno)) {
			log_error_errno("stdout");
			rc = EAS_EXIT_FAIL;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	static struct pub p = {.o = {.wait_ms = 1000,
	                             .drain_s = 30,
	                             .maxlen = 100000,
	                             .spool_memory = EAS_SPOOL_MEMORY_DEFAULT,
	                             .spool_reserve = EAS_SPOOL_RESERVE_DEFAULT}};
	eas_log_init(argv[0]);
	int rc = parse_options(argc, argv, &p.o);
	if (rc >= 0)
		return rc;
	eas_log_set_level(EAS_LOG_WARN + p.o.verbose);
	rc = open_all(&p);
	if (rc < 0) {
		eas_signals_install(true);
		rc = finish(&p, run(&p));
	}
	pub_input_free(p.in);
	if (p.pg)
		pg_consumer_free(p.pg);
	redis_consumer_free(p.rc);
	if (p.spool_open)
		eas_spool_close(&p.spool);
	return rc;
}
