/* listen.c: eas-ctl listen: subscribe to the command channel, check each command (shape, address,
 * signature, age, replay, order), run the handler one command at a time, reply, count; keep a
 * liveness key; survive Redis going away. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "exitcode.h"
#include "backoff.h"
#include "keys.h"
#include "lines.h"
#include "log.h"
#include "signals.h"
#include "timeutil.h"

#define LIVE_TTL_S     30
#define LIVE_EVERY_MS  10000
#define BACKOFF_BASE   100
#define BACKOFF_CAP    5000
#define REPLAY_MIN_TTL 60 /* seconds a command id is remembered at least */

/* The replay and order check in one round trip.
 * KEYS[1]: replay key or "" (no key: unsigned listener); KEYS[2]: applied key or "".
 * ARGV[1]: replay TTL seconds; ARGV[2]: the command's seq.
 * Returns -1 when the id was seen before, the applied seq when the command's is
 * not newer (superseded), else 0 after recording the seq as applied. */
static const char SCRIPT_CHECK[] =
    "if KEYS[1] ~= '' and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then\n"
    "  return -1\n"
    "end\n"
    "if KEYS[2] ~= '' then\n"
    "  local cur = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
    "  if tonumber(ARGV[2]) <= cur then return cur end\n"
    "  redis.call('SET', KEYS[2], ARGV[2])\n"
    "end\n"
    "return 0\n";

static struct {
	const struct ctl_opts *o;
	struct eas_keys keys;
	char desc[512];
	redisContext *sub, *cmd;
	struct eas_backoff bo;
	int64_t next_live;
	bool was_up, down_logged;
	struct eas_json j;
	long n_cmds;
} L;

static void drop(const char *why)
{
	if (L.sub || L.cmd) {
		log_warn("lost Redis %s: %s; reconnecting", L.desc, why);
		L.down_logged = true;
	}
	if (L.sub)
		redisFree(L.sub);
	if (L.cmd)
		redisFree(L.cmd);
	L.sub = L.cmd = NULL;
	eas_backoff_fail(&L.bo, eas_mono_ms());
}

/* Run one command on the command connection; NULL (and the connection dropped) on failure. */
static redisReply *cmd(int argc, const char **argv)
{
	if (!L.cmd)
		return NULL;
	redisReply *r = redisCommandArgv(L.cmd, argc, argv, NULL);
	if (!r) {
		drop(L.cmd->errstr);
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_error("Redis: %s: %s", argv[0], r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

static void liveness(void)
{
	char key[EAS_KEY_MAX], now[32];
	eas_key(&L.keys, EAS_KEY_LISTENER, L.o->name, key, sizeof key);
	snprintf(now, sizeof now, "%" PRId64, eas_now_ms() / 1000);
	const char *argv[] = {"SET", key, now, "EX", "30"};
	redisReply *r = cmd(5, argv);
	if (r)
		freeReplyObject(r);
	L.next_live = eas_mono_ms() + LIVE_EVERY_MS;
}

static void tick(void)
{
	if (eas_mono_ms() >= L.next_live)
		liveness();
}

static int connect_both(void)
{
	char err[512];
	L.sub = eas_redis_connect(&L.o->conf, NULL, 0, err, sizeof err);
	if (L.sub)
		L.cmd = eas_redis_connect(&L.o->conf, NULL, 0, err, sizeof err);
	if (!L.sub || !L.cmd) {
		if (!L.down_logged)
			log_warn("cannot reach Redis %s: %s; retrying", L.desc, err);
		L.down_logged = true;
		if (L.sub)
			redisFree(L.sub);
		L.sub = NULL;
		eas_backoff_fail(&L.bo, eas_mono_ms());
		return -1;
	}
	const char *argv[] = {"SUBSCRIBE", L.keys.commands};
	redisReply *r = redisCommandArgv(L.sub, 2, argv, NULL);
	bool ok = r && r->type == REDIS_REPLY_ARRAY;
	if (r)
		freeReplyObject(r);
	if (!ok) {
		drop(r ? "SUBSCRIBE refused" : L.sub->errstr);
		return -1;
	}
	if (L.was_up)
		log_warn("reconnected to Redis %s, listening again on %s", L.desc, L.keys.commands);
	else
		log_info("listening on %s at Redis %s as %s", L.keys.commands, L.desc, L.o->name);
	L.was_up = true;
	L.down_logged = false;
	eas_backoff_reset(&L.bo);
	liveness();
	return 0;
}

/* Publish reply R to command ID's response channel and count COMMAND:RESULT. */
static void reply(struct ctl_reply *r, const char *command, const char *result)
{
	char chan[EAS_KEY_MAX], field[CTL_CMD_MAX + 16];
	r->ts_ms = eas_now_ms();
	snprintf(r->listener, sizeof r->listener, "%s", L.o->name);
	snprintf(field, sizeof field, "%s:%s", command, result);
	if (L.cmd) {
		const char *argv[] = {"HINCRBY", L.keys.cmd_counters, field, "1"};
		redisReply *x = cmd(4, argv);
		if (x)
			freeReplyObject(x);
	}
	if (!r->id[0] || eas_key(&L.keys, EAS_KEY_RESPONSE, r->id, chan, sizeof chan) < 0)
		return;
	if (ctl_reply_write(r, &L.o->key, &L.j) < 0) {
		log_error("out of memory for a reply");
		return;
	}
	const char *argv[] = {"PUBLISH", chan, L.j.buf};
	redisReply *x = cmd(3, argv);
	if (x)
		freeReplyObject(x);
}

static void refuse(struct ctl_reply *r, const char *command, const char *result, const char *why,
                   const char *what)
{
	snprintf(r->message, sizeof r->message, "%s", why);
	r->success = false;
	r->exit_code = -1;
	log_warn("refused %s: %s", what, why);
	reply(r, command, result);
}

/* Replay and order check (SCRIPT_CHECK): -1 replayed, >0 superseded by that seq, 0 go,
 * -2 Redis failed. */
static long long check_fresh(const struct ctl_cmd *c)
{
	char rkey[EAS_KEY_MAX] = "", akey[EAS_KEY_MAX] = "", name[2 * CTL_ID_MAX + 2];
	char ttl[32], seq[32];
	if (L.o->key.len) {
		snprintf(name, sizeof name, "%s:%s", L.o->name, c->id);
		eas_key(&L.keys, EAS_KEY_CMD_REPLAY, name, rkey, sizeof rkey);
	}
	if (c->source[0]) {
		snprintf(name, sizeof name, "%s:%s", L.o->name, c->source);
		eas_key(&L.keys, EAS_KEY_CMD_APPLIED, name, akey, sizeof akey);
	}
	if (!rkey[0] && !akey[0])
		return 0;
	long w = (long)(2 * L.o->window_s) + 1;
	snprintf(ttl, sizeof ttl, "%ld", w < REPLAY_MIN_TTL ? REPLAY_MIN_TTL : w);
	snprintf(seq, sizeof seq, "%" PRId64, c->seq);
	const char *argv[] = {"EVAL", SCRIPT_CHECK, "2", rkey, akey, ttl, seq};
	redisReply *r = cmd(7, argv);
	if (!r)
		return -2;
	long long v = r->type == REDIS_REPLY_INTEGER ? r->integer : -2;
	freeReplyObject(r);
	return v;
}

static void on_command(const char *msg, size_t len)
{
	static struct ctl_cmd c;
	struct ctl_reply r;
	char err[256], what[CTL_CMD_MAX + CTL_NAME_MAX + CTL_ID_MAX + 16];
	memset(&r, 0, sizeof r);
	L.n_cmds++;
	if (ctl_cmd_parse(msg, len, &c, err, sizeof err) < 0) {
		char why[300];
		snprintf(r.id, sizeof r.id, "%s", c.id);
		snprintf(why, sizeof why, "malformed command: %s", err);
		snprintf(what, sizeof what, "%s%s%zu bytes%s", c.id, c.id[0] ? ", " : "", len,
		         c.id[0] ? "" : ", no id to answer");
		refuse(&r, "invalid", "refused", why, what);
		return;
	}
	snprintf(r.id, sizeof r.id, "%s", c.id);
	snprintf(what, sizeof what, "%s%s%s (%s)", c.command, c.source[0] ? " " : "", c.source,
	         c.id);
	if (c.to[0] && strcmp(c.to, L.o->name) != 0) {
		log_debug("%s is for %s, not us", what, c.to);
		return;
	}
	if (L.o->key.len) {
		enum ctl_sig s = ctl_sig_check(&L.o->key, msg, len);
		if (s != CTL_SIG_OK) {
			refuse(&r, c.command, "refused",
			       s == CTL_SIG_NONE && !c.has_sig ? "unsigned command refused"
			                                       : "bad signature",
			       what);
			return;
		}
		double off = (double)(eas_now_ms() - c.ts_ms) / 1000.0;
		if (off > L.o->window_s || off < -L.o->window_s) {
			char why[128];
			snprintf(why, sizeof why,
			         "stale command: timestamp %.1f s off (window %g s)", off,
			         L.o->window_s);
			refuse(&r, c.command, "refused", why, what);
			return;
		}
	}
	long long fresh = check_fresh(&c);
	if (fresh == -2) {
		log_error("%s: Redis failed during the replay and order check; not run", what);
		return;
	}
	if (fresh == -1) {
		refuse(&r, c.command, "refused", "replayed command (id already seen)", what);
		return;
	}
	if (fresh > 0) {
		char why[160];
		snprintf(why, sizeof why, "superseded: seq %" PRId64 " of %s, %lld already applied",
		         c.seq, c.source, fresh);
		refuse(&r, c.command, "superseded", why, what);
		return;
	}
	if (!strcmp(c.command, EAS_CMD_PING)) {
		r.success = true;
		snprintf(r.message, sizeof r.message, "pong");
		reply(&r, c.command, "ok");
		return;
	}
	struct ctl_run run;
	int64_t t0 = eas_mono_ms();
	ctl_run_handler(L.o->exec, &c, msg, len, (int)(L.o->handler_timeout_s * 1000), tick, &run);
	r.success = run.status == 0;
	r.exit_code = run.status;
	snprintf(r.message, sizeof r.message, "%s", run.first);
	log_info("%s seq %" PRId64 " from %s: %s in %" PRId64 " ms: %s", what, c.seq,
	         c.sender[0] ? c.sender : "?", r.success ? "ok" : "failed", eas_mono_ms() - t0,
	         r.message);
	reply(&r, c.command, r.success ? "ok" : run.timed_out ? "timeout" : "failed");
}

/* A message on the subscribed connection: ["message", channel, payload]. */
static void on_push(redisReply *m)
{
	if (m->type != REDIS_REPLY_ARRAY || m->elements != 3 ||
	    m->element[0]->type != REDIS_REPLY_STRING || strcmp(m->element[0]->str, "message") ||
	    m->element[2]->type != REDIS_REPLY_STRING)
		return;
	on_command(m->element[2]->str, m->element[2]->len);
}

int ctl_listen(const struct ctl_opts *o)
{
	memset(&L, 0, sizeof L);
	L.o = o;
	eas_keys_init(&L.keys, o->prefix);
	eas_json_init(&L.j);
	eas_redis_describe(&o->conf, L.desc, sizeof L.desc);
	eas_backoff_init(&L.bo, BACKOFF_BASE, BACKOFF_CAP);
	if (!o->key.len)
		log_warn("no --key-file: commands are not signed, and anyone who can reach Redis "
		         "can command this listener");
	while (!eas_sig_stop) {
		if (eas_sig_hup && L.sub) {
			eas_sig_hup = 0;
			drop("SIGHUP");
			eas_backoff_reset(&L.bo);
		}
		if (!L.sub) {
			int64_t now = eas_mono_ms();
			if (!eas_backoff_due(&L.bo, now)) {
				int64_t d = L.bo.next_ms - now;
				usleep((useconds_t)(d > 200 ? 200 : d) * 1000);
				continue;
			}
			connect_both();
			continue;
		}
		tick();
		if (!L.sub)
			continue;
		int64_t wait = L.next_live - eas_mono_ms();
		redisReply *m = NULL;
		int got = eas_redis_poll_reply(L.sub,
		                               wait < 0      ? 0
		                               : wait > 1000 ? 1000
		                                             : (int)wait,
		                               &m);
		if (got < 0) {
			drop(L.sub->errstr[0] ? L.sub->errstr : "connection lost");
			continue;
		}
		if (got > 0) {
			on_push(m);
			freeReplyObject(m);
		}
	}
	if (L.cmd) {
		char key[EAS_KEY_MAX];
		eas_key(&L.keys, EAS_KEY_LISTENER, o->name, key, sizeof key);
		const char *argv[] = {"DEL", key};
		redisReply *r = cmd(2, argv);
		if (r)
			freeReplyObject(r);
	}
	if (L.sub)
		redisFree(L.sub);
	if (L.cmd)
		redisFree(L.cmd);
	eas_json_free(&L.j);
	log_info("stopped after %ld commands", L.n_cmds);
	return EAS_EXIT_OK;
}
