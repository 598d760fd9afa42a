/* hook.c: eas-watch alerts -f --exec: runs a command once per alert, fields in EAS_* variables and
 * the JSON line on stdin; with --group through a Redis consumer group, acknowledging an alert only
 * after the command exits 0, so every alert is handled at least once, in order, across crashes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "backoff.h"
#include "exitcode.h"
#include "log.h"
#include "redis.h"
#include "signals.h"
#include "timeutil.h"

#define BATCH      100   /* entries per read */
#define RETRY_BASE 200   /* ms: first retry of a failing hook, doubling ... */
#define RETRY_CAP  30000 /* ... up to this */

static struct {
	const struct watch_opts *o;
	redisContext *c;
	char consumer[128];
	char last[64]; /* without a group: the newest entry handled */
	long handled, failed, skipped, redelivered;
} H;

static void set(const char *name, const char *v)
{
	setenv(name, v ? v : "", 1);
}

/* In the child: the alert's fields into the environment. */
static void environment(const struct watch_alert *a, bool redelivered)
{
	char buf[4096];
	set("EAS_ID", a->id);
	set("EAS_STREAM_ID", a->stream_id);
	set("EAS_TYPE", a->type == 'A' ? "alert" : a->type == 'E' ? "eom" : "other");
	set("EAS_SOURCE", a->source);
	set("EAS_SOURCES", a->heard);
	set("EAS_TIME", a->time_ms ? eas_rfc3339_ms(a->time_ms, buf, sizeof buf) : "");
	set("EAS_ISSUED", a->issued);
	set("EAS_EXPIRES", a->expires);
	set("EAS_REDELIVERED", redelivered ? "1" : "0");
	if (!a->has_header)
		return;
	const struct same_header *h = &a->h;
	set("EAS_RAW", h->raw);
	set("EAS_ORIGINATOR", h->originator);
	set("EAS_ORIGINATOR_NAME", same_originator_name(h->originator));
	set("EAS_EVENT", h->event);
	set("EAS_EVENT_NAME", same_event_name(h->event));
	set("EAS_SIGNIFICANCE", same_event_significance(h->event));
	set("EAS_SENDER", h->sender);
	set("EAS_PURGE", h->purge);
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < h->nloc; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? " " : "",
		                         h->loc[i].code);
	set("EAS_LOCATIONS", buf);
	watch_alert_counties(a, buf, sizeof buf);
	set("EAS_COUNTIES", buf);
}

/* Run the hook once for A; its exit status (0..255), 128+N for a signal, -1 when it could not
 * be started. */
static int run_once(const struct watch_alert *a, bool redelivered)
{
	int p[2];
	if (pipe(p) < 0) {
		log_error_errno("pipe");
		return -1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		log_error_errno("fork");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		if (p[0] != 0) {
			dup2(p[0], 0);
			close(p[0]);
		}
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		environment(a, redelivered);
		execl("/bin/sh", "sh", "-c", H.o->exec, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	/* the line on stdin; a hook that does not read it is fine (EPIPE, SIGPIPE ignored) */
	const char *s = a->json;
	size_t left = a->jsonlen;
	while (left) {
		ssize_t w = write(p[1], s, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		s += w;
		left -= (size_t)w;
	}
	if (!left)
		(void)!write(p[1], "\n", 1);
	close(p[1]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !eas_sig_stop)
		;
}

/* Run the hook for A until it exits 0, retrying with backoff for --retry-max seconds.
 * Returns 0 when handled or given up (reported), -1 when stopped by a signal first. */
static int handle(const struct watch_alert *a, bool redelivered)
{
	int64_t start = eas_mono_ms(), delay = RETRY_BASE;
	for (int tries = 1;; tries++) {
		int rc = run_once(a, redelivered);
		if (rc == 0) {
			H.handled++;
			return 0;
		}
		int64_t now = eas_mono_ms();
		if (now + delay - start > (int64_t)(H.o->retry_max_s * 1000)) {
			log_error(
			    "hook failed %d time%s on alert %s (%s, last exit %d) over %.0f s; "
			    "giving up on it",
			    tries, tries == 1 ? "" : "s", a->id, a->stream_id, rc,
			    (double)(now - start) / 1000);
			H.failed++;
			return 0;
		}
		log_warn("hook exited %d on alert %s (%s), try %d; retrying in %.1f s", rc, a->id,
		         a->stream_id, tries, (double)delay / 1000);
		sleep_ms((int)delay);
		if (eas_sig_stop)
			return -1;
		redelivered = true;
		delay = delay * 2 > RETRY_CAP ? RETRY_CAP : delay * 2;
	}
}

static int ack(const char *id)
{
	if (!H.o->group)
		return 0;
	redisReply *r = redisCommand(H.c, "XACK %s %s %s", H.o->keys.alerts, H.o->group, id);
	int ok = r && r->type == REDIS_REPLY_INTEGER;
	freeReplyObject(r);
	return ok ? 0 : -1;
}

/* Handle the entries of one read reply, in order.  -1 on a Redis error or a stop. */
static int entries(const redisReply *r, bool redelivered, char *cursor, size_t curlen)
{
	int64_t now = eas_now_ms();
	for (size_t s = 0; r->type == REDIS_REPLY_ARRAY && s < r->elements; s++) {
		const redisReply *list = r->element[s]->element[1];
		for (size_t i = 0; list->type == REDIS_REPLY_ARRAY && i < list->elements; i++) {
			const redisReply *e = list->element[i];
			if (eas_sig_stop)
				return -1;
			const char *sid = e->element[0]->str;
			struct watch_alert a;
			if (e->elements != 2 || e->element[1]->type != REDIS_REPLY_ARRAY) {
				log_error("entry %s is gone from the stream (trimmed); skipped",
				          sid);
			} else if (watch_alert_from_entry(e, &a) < 0) {
				log_error("entry %s holds no readable line; skipped", sid);
			} else {
				if (watch_alert_heard(H.c, &H.o->keys, &a) < 0)
					return -1;
				if (!watch_alert_match(H.o, &a, now) || a.type != 'A') {
					H.skipped++;
				} else {
					if (redelivered)
						H.redelivered++;
					if (handle(&a, redelivered) < 0)
						return -1;
				}
			}
			if (ack(sid) < 0)
				return -1;
			snprintf(cursor, curlen, "%s", sid);
		}
	}
	return 0;
}

/* Connect and set up: the group (created at START when new), or START resolved to an id. */
static int setup(const char *start)
{
	char err[300];
	H.c = watch_connect(H.o, err, sizeof err);
	if (!H.c) {
		log_debug("redis: %s", err);
		return -1;
	}
	redisReply *r;
	if (H.o->group) {
		r = redisCommand(H.c, "XGROUP CREATE %s %s %s MKSTREAM", H.o->keys.alerts,
		                 H.o->group, start);
		int ok = r && (r->type == REDIS_REPLY_STATUS ||
		               (r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "BUSYGROUP", 9)));
		if (r && r->type == REDIS_REPLY_STATUS)
			log_info("created consumer group %s at %s", H.o->group, start);
		freeReplyObject(r);
		return ok ? 0 : -1;
	}
	if (H.last[0])
		return 0;
	if (strcmp(start, "$")) {
		snprintf(H.last, sizeof H.last, "%s", start);
		return 0;
	}
	r = redisCommand(H.c, "XREVRANGE %s + - COUNT 1", H.o->keys.alerts);
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(r);
		return -1;
	}
	snprintf(H.last, sizeof H.last, "%s", r->elements ? r->element[0]->element[0]->str : "0");
	freeReplyObject(r);
	return 0;
}

/* One session on a connection: with a group, this consumer's pending entries first (delivered
 * before a crash, never acknowledged), then new ones.  Returns when Redis fails or on a stop. */
static void session(void)
{
	int block = H.o->timeout_s >= 2 ? 1000 : (int)(H.o->timeout_s * 400);
	char cursor[64] = "0";
	bool pending = H.o->group != NULL;
	while (!eas_sig_stop) {
		char cnt[16], blk[16];
		snprintf(cnt, sizeof cnt, "%d", BATCH);
		snprintf(blk, sizeof blk, "%d", block);
		const char *g = H.o->group, *k = H.o->keys.alerts;
		const char *pend[] = {"XREADGROUP", "GROUP",   g, H.consumer, "COUNT",
		                      cnt,          "STREAMS", k, cursor};
		const char *news[] = {"XREADGROUP", "GROUP", g,         H.consumer, "COUNT", cnt,
		                      "BLOCK",      blk,     "STREAMS", k,          ">"};
		const char *plain[] = {"XREAD", "COUNT", cnt, "BLOCK", blk, "STREAMS", k, H.last};
		redisReply *r;
		if (!g)
			r = redisCommandArgv(H.c, 8, plain, NULL);
		else if (pending)
			r = redisCommandArgv(H.c, 9, pend, NULL);
		else
			r = redisCommandArgv(H.c, 11, news, NULL);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			log_warn("redis: %s; reconnecting",
			         r ? r->str : (H.c->errstr[0] ? H.c->errstr : "no reply"));
			freeReplyObject(r);
			return;
		}
		size_t n = 0;
		for (size_t s = 0; r->type == REDIS_REPLY_ARRAY && s < r->elements; s++)
			n += r->element[s]->element[1]->elements;
		if (pending && n)
			log_info("%zu alerts delivered before and never acknowledged: again", n);
		int rc = entries(r, pending, pending ? cursor : H.last,
		                 pending ? sizeof cursor : sizeof H.last);
		freeReplyObject(r);
		if (rc < 0)
			return;
		if (pending && n == 0)
			pending = false;
	}
}

int watch_hook_run(const struct watch_opts *o, const char *start)
{
	H.o = o;
	if (o->consumer)
		snprintf(H.consumer, sizeof H.consumer, "%s", o->consumer);
	else if (gethostname(H.consumer, sizeof H.consumer - 1) < 0 || !H.consumer[0])
		snprintf(H.consumer, sizeof H.consumer, "eas-watch");
	struct eas_backoff bo;
	eas_backoff_init(&bo, 100, 5000);
	bool down = false;
	while (!eas_sig_stop) {
		if (setup(start) < 0) {
			if (!down)
				log_warn("redis: cannot reach it or set up the group; retrying");
			down = true;
			if (H.c) {
				redisFree(H.c);
				H.c = NULL;
			}
			sleep_ms(eas_backoff_fail(&bo, eas_mono_ms()));
			continue;
		}
		if (down)
			log_warn("redis: connected again");
		down = false;
		eas_backoff_reset(&bo);
		session();
		redisFree(H.c);
		H.c = NULL;
	}
	log_info("%ld alerts handled (%ld again after a restart or failure), %ld given up, %ld "
	         "skipped by the filters",
	         H.handled, H.redelivered, H.failed, H.skipped);
	return EAS_EXIT_OK;
}
