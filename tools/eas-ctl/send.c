/* send.c: eas-ctl send: subscribe to the reply channel, allocate the source's seq, publish one
 * command, and wait for as many verified replies as listeners received it. */
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "exitcode.h"
#include "keys.h"
#include "log.h"
#include "signals.h"
#include "timeutil.h"

#define MAX_REPLIES 64 /* listeners told apart (more are counted, not de-duplicated) */

/* "user@host" of whoever runs this. */
static void whoami(char *buf, size_t len)
{
	char host[256] = "localhost";
	const struct passwd *pw = getpwuid(getuid());
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	/* truncated to fit the field, as a log line would be */
	snprintf(buf, len, "%.40s@%.80s", pw ? pw->pw_name : "?", host);
}

redisReply *ctl_must(redisContext *rc, int argc, const char **argv)
{
	redisReply *r = redisCommandArgv(rc, argc, argv, NULL);
	if (!r) {
		/* a socket timeout shows as EAGAIN: say what it means */
		log_error("Redis: %s: %s%s", argv[0], rc->errstr,
		          strstr(rc->errstr, "temporarily unavailable") ? " (no answer in time)"
		                                                        : "");
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_error("Redis: %s: %s", argv[0], r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

struct wait {
	const struct ctl_opts *o;
	const char *id;
	int expect, got, failed, forged;
	char seen[MAX_REPLIES][CTL_NAME_MAX + 1];
};

/* Check one message from the reply channel; print it when it is a genuine new reply. */
static void on_reply(struct wait *w, const char *msg, size_t len)
{
	struct ctl_reply r;
	char err[256];
	if (ctl_reply_parse(msg, len, &r, err, sizeof err) < 0) {
		log_warn("refused a reply: %s", err);
		w->forged++;
		return;
	}
	if (w->o->key.len) {
		enum ctl_sig s = ctl_sig_check(&w->o->key, msg, len);
		double off = (double)(eas_now_ms() - r.ts_ms) / 1000.0;
		const char *why = s == CTL_SIG_NONE && !r.has_sig                 ? "unsigned"
		                  : s != CTL_SIG_OK                               ? "bad signature"
		                  : off > w->o->window_s || off < -w->o->window_s ? "stale"
		                                                                  : NULL;
		if (why) {
			log_warn("refused a reply from %s: %s", r.listener, why);
			w->forged++;
			return;
		}
	}
	if (strcmp(r.id, w->id) != 0) {
		log_warn("refused a reply from %s: it answers command %s", r.listener, r.id);
		w->forged++;
		return;
	}
	if (w->o->to && strcmp(r.listener, w->o->to) != 0) {
		log_warn("ignored a reply from %s: the command was for %s", r.listener, w->o->to);
		return;
	}
	for (int i = 0; i < w->got && i < MAX_REPLIES; i++)
		if (!strcmp(w->seen[i], r.listener)) {
			log_warn("ignored a second reply from %s", r.listener);
			return;
		}
	if (w->got < MAX_REPLIES)
		strcpy(w->seen[w->got], r.listener);
	w->got++;
	if (!r.success)
		w->failed++;
	if (w->o->json) {
		fwrite(msg, 1, len, stdout);
		putchar('\n');
	} else if (r.success) {
		printf("%s: ok%s%s\n", r.listener, r.message[0] ? ": " : "", r.message);
	} else {
		printf("%s: failed", r.listener);
		if (r.exit_code >= 0)
			printf(" (exit %d)", r.exit_code);
		printf("%s%s\n", r.message[0] ? ": " : "", r.message);
	}
	fflush(stdout);
}

int ctl_send(const struct ctl_opts *o, const char *command, const char *source,
             const struct eas_pair *params, int nparams)
{
	static struct ctl_cmd c;
	struct eas_keys keys;
	char err[512], desc[512], chan[EAS_KEY_MAX], key[EAS_KEY_MAX];
	int rc = EAS_EXIT_FAIL;
	memset(&c, 0, sizeof c);
	if (!ctl_command_known(command)) {
		return eas_usage_error("unknown command %s", command);
	}
	if (ctl_command_has_source(command) != (source != NULL)) {
		return eas_usage_error("%s %s", command,
		                       source ? "takes no SOURCE"
		                              : "needs a SOURCE (the source's name)");
	}
	if (source && !ctl_name_ok(source)) {
		return eas_usage_error(
		    "bad source name %s: 1..%d of A-Z a-z 0-9 . _ -, not starting with . or -",
		    source, CTL_NAME_MAX);
	}
	if (nparams > CTL_PARAMS_MAX) {
		return eas_usage_error("more than %d parameters", CTL_PARAMS_MAX);
	}
	eas_keys_init(&keys, o->prefix);
	eas_redis_describe(&o->conf, desc, sizeof desc);

	/* Two connections: the reply channel is subscribed before the command goes out. */
	redisContext *pub = eas_redis_connect(&o->conf, NULL, 0, err, sizeof err);
	redisContext *sub = pub ? eas_redis_connect(&o->conf, NULL, 0, err, sizeof err) : NULL;
	struct eas_json j;
	eas_json_init(&j);
	if (!sub) {
		log_error("cannot reach Redis %s: %s", desc, err);
		goto out;
	}
	if (ctl_new_id(c.id) < 0) {
		log_error("no random id from libcrypto");
		goto out;
	}
	eas_key(&keys, EAS_KEY_RESPONSE, c.id, chan, sizeof chan);
	const char *sargv[] = {"SUBSCRIBE", chan};
	redisReply *r = ctl_must(sub, 2, sargv);
	if (!r)
		goto out;
	freeReplyObject(r);

	snprintf(c.command, sizeof c.command, "%s", command);
	if (source) {
		snprintf(c.source, sizeof c.source, "%s", source);
		eas_key(&keys, EAS_KEY_CMD_SEQ, source, key, sizeof key);
		const char *iargv[] = {"INCR", key};
		if (!(r = ctl_must(pub, 2, iargv)))
			goto out;
		c.seq = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
		freeReplyObject(r);
	}
	c.nparams = nparams;
	memcpy(c.params, params, sizeof *params * (size_t)nparams);
	c.ts_ms = eas_now_ms();
	whoami(c.sender, sizeof c.sender);
	if (o->to)
		snprintf(c.to, sizeof c.to, "%s", o->to);
	if (ctl_cmd_write(&c, &o->key, &j) < 0) {
		log_error("cannot build the command (out of memory?)");
		goto out;
	}
	const char *pargv[] = {"PUBLISH", keys.commands, j.buf};
	if (!(r = ctl_must(pub, 3, pargv)))
		goto out;
	long long n = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
	freeReplyObject(r);
	log_debug("sent %s (%zu bytes) to %lld listeners: %s", c.id, j.len, n, j.buf);
	if (n == 0) {
		log_error("no listener on %s at %s: nobody received %s", keys.commands, desc,
		          command);
		rc = EAS_EXIT_TIMEOUT;
		goto out;
	}

	struct wait w = {.o = o, .id = c.id, .expect = o->to ? 1 : (int)n};
	int64_t deadline = eas_mono_ms() + (int64_t)(o->timeout_s * 1000);
	/* As many answers as receivers, genuine or not, end the wait: a refused one is not
	 * waited out (the exit is 1 then, never 0). */
	while (w.got + w.forged < w.expect && !eas_sig_stop) {
		int64_t left = deadline - eas_mono_ms();
		if (left <= 0)
			break;
		redisReply *m = NULL;
		int got = eas_redis_poll_reply(sub, (int)left, &m);
		if (got < 0) {
			log_error("lost Redis %s while waiting for replies: %s", desc, sub->errstr);
			goto out;
		}
		if (got == 0)
			continue;
		if (m->type == REDIS_REPLY_ARRAY && m->elements == 3 &&
		    m->element[0]->type == REDIS_REPLY_STRING &&
		    !strcmp(m->element[0]->str, "message") &&
		    m->element[2]->type == REDIS_REPLY_STRING)
			on_reply(&w, m->element[2]->str, m->element[2]->len);
		freeReplyObject(m);
	}
	if (w.got < w.expect) {
		if (w.forged)
			log_error("%d genuine of %d replies to %s %s: refused %d", w.got, w.expect,
			          command, c.id, w.forged);
		else
			log_error("%d of %d replies to %s %s within %g s", w.got, w.expect, command,
			          c.id, o->timeout_s);
		rc = w.forged || w.failed ? EAS_EXIT_FAIL : EAS_EXIT_TIMEOUT;
	} else {
		rc = w.failed ? EAS_EXIT_FAIL : EAS_EXIT_OK;
	}
out:
	if (pub)
		redisFree(pub);
	if (sub)
		redisFree(sub);
	eas_json_free(&j);
	return rc;
}
