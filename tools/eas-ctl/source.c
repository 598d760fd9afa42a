/* source.c: eas-ctl source: the operator's interface to the configured audio sources (one JSON
 * config per source in the sources hash): write the config, then send the matching command. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "exitcode.h"
#include "lines.h"
#include "keys.h"
#include "log.h"
#include "signals.h"

/* The config of a source: {"name":..,"input":..,"rate":HZ,"options":{NAME:VALUE,...}}. */
static int config_write(const char *name, const char *input, long rate, const struct eas_pair *p,
                        int n, struct eas_json *j)
{
	eas_json_reset(j);
	eas_json_obj_begin(j);
	eas_json_key_str(j, EAS_SCF_NAME, name);
	eas_json_key_str(j, EAS_SCF_INPUT, input);
	if (rate)
		eas_json_key_int(j, EAS_SCF_RATE, rate);
	eas_json_key(j, EAS_SCF_OPTIONS);
	eas_json_obj_begin(j);
	for (int i = 0; i < n; i++)
		eas_json_key_str(j, p[i].name, p[i].value);
	eas_json_obj_end(j);
	eas_json_obj_end(j);
	return j->oom ? -1 : 0;
}

/* The exit code once a listing is on stdout: 0, also when its reader went away (a closed pipe
 * ends it quietly, as in every eas-tools program); 1 with the reason when it cannot be written. */
static int out_status(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return EAS_EXIT_OK;
	if (eas_stdout_gone(errno))
		return EAS_EXIT_OK;
	log_error_errno("cannot write the listing");
	return EAS_EXIT_FAIL;
}

/* `source list`: a table for people, or each config as a JSON line. */
static int list(const struct ctl_opts *o, redisContext *rc, const char *hash)
{
	const char *argv[] = {"HGETALL", hash};
	redisReply *r = ctl_must(rc, 2, argv);
	if (!r)
		return EAS_EXIT_FAIL;
	if (!o->json)
		printf("%-24s %6s  %s\n", "NAME", "RATE", "INPUT");
	/* HGETALL has no order: print by name (a handful of sources, a simple selection). */
	size_t n = r->type == REDIS_REPLY_ARRAY ? r->elements / 2 : 0;
	const char *last = "";
	for (size_t k = 0; k < n; k++) {
		size_t best = n;
		for (size_t i = 0; i < n; i++) {
			const char *nm = r->element[2 * i]->str;
			if (strcmp(nm, last) > 0 &&
			    (best == n || strcmp(nm, r->element[2 * best]->str) < 0))
				best = i;
		}
		if (best == n)
			break;
		last = r->element[2 * best]->str;
		const char *cfg = r->element[2 * best + 1]->str;
		if (o->json) {
			printf("%s\n", cfg);
			continue;
		}
		char err[128], input[CTL_PVAL_MAX + 1], hz[24] = "-";
		int64_t rate = 0;
		struct eas_field f[] = {
		    {.name = EAS_SCF_INPUT,
		     .type = EAS_FIELD_STR,
		     .dest = input,
		     .size = sizeof input},
		    {.name = EAS_SCF_RATE, .type = EAS_FIELD_INT, .dest = &rate},
		};
		if (eas_line_read(cfg, strlen(cfg), f, 2, err, sizeof err) != EAS_LINE_OK ||
		    f[0].state != EAS_FIELD_OK)
			snprintf(input, sizeof input, "(unreadable config)");
		if (f[1].state == EAS_FIELD_OK)
			snprintf(hz, sizeof hz, "%" PRId64, rate);
		printf("%-24s %6s  %s\n", last, hz, input);
	}
	freeReplyObject(r);
	return out_status();
}

int ctl_source(const struct ctl_opts *o, int argc, char **argv)
{
	static struct eas_pair params[CTL_PARAMS_MAX];
	struct eas_keys keys;
	char err[512], desc[512];
	if (argc < 1) {
		return eas_usage_error(
		    "source wants add, update, delete, start, stop, list or get");
	}
	const char *act = argv[0];
	bool is_list = !strcmp(act, "list"), is_set = !strcmp(act, "add") || !strcmp(act, "update");
	bool known = is_list || is_set || !strcmp(act, "delete") || !strcmp(act, "start") ||
	             !strcmp(act, "stop") || !strcmp(act, "get");
	if (!known) {
		return eas_usage_error("unknown source action %s", act);
	}
	if (is_list ? argc != 1 : is_set ? argc < 3 : argc != 2) {
		return eas_usage_error("usage: source %s%s", act,
		                       is_list  ? ""
		                       : is_set ? " NAME INPUT [-r HZ] [NAME=VALUE ...]"
		                                : " NAME");
	}
	const char *name = is_list ? NULL : argv[1];
	if (name && !ctl_name_ok(name)) {
		return eas_usage_error(
		    "bad source name %s: 1..%d of A-Z a-z 0-9 . _ -, not starting with . or -",
		    name, CTL_NAME_MAX);
	}
	int n = 0;
	if (is_set) {
		/* The command's parameters: input, rate, then the options. */
		snprintf(params[n].name, sizeof params[n].name, "%s", EAS_SCF_INPUT);
		if (strlen(argv[2]) > CTL_PVAL_MAX) {
			return eas_usage_error("INPUT longer than %d bytes", CTL_PVAL_MAX);
		}
		snprintf(params[n++].value, sizeof params[0].value, "%s", argv[2]);
		if (o->rate_hz) {
			snprintf(params[n].name, sizeof params[n].name, "%s", EAS_SCF_RATE);
			snprintf(params[n++].value, sizeof params[0].value, "%ld", o->rate_hz);
		}
		for (int i = 3; i < argc; i++, n++) {
			if (n >= CTL_PARAMS_MAX ||
			    ctl_param_parse(argv[i], &params[n], err, sizeof err) < 0) {
				return eas_usage_error(
				    "%s", n >= CTL_PARAMS_MAX ? "too many options" : err);
			}
			if (!strcmp(params[n].name, EAS_SCF_INPUT) ||
			    !strcmp(params[n].name, EAS_SCF_RATE)) {
				return eas_usage_error(
				    "give %s as INPUT or --rate, not as an option", params[n].name);
			}
		}
	}

	eas_keys_init(&keys, o->prefix);
	eas_redis_describe(&o->conf, desc, sizeof desc);
	redisContext *rc = eas_redis_connect(&o->conf, NULL, 0, err, sizeof err);
	if (!rc) {
		log_error("cannot reach Redis %s: %s", desc, err);
		return EAS_EXIT_FAIL;
	}
	if (is_list) {
		int ret = list(o, rc, keys.sources);
		redisFree(rc);
		return ret;
	}

	struct eas_json j;
	eas_json_init(&j);
	int ret = EAS_EXIT_FAIL;
	redisReply *r = NULL;
	const char *why = NULL;
	if (!strcmp(act, "get")) {
		const char *a[] = {"HGET", keys.sources, name};
		if ((r = ctl_must(rc, 3, a)) && r->type == REDIS_REPLY_STRING) {
			printf("%s\n", r->str);
			ret = out_status();
		} else if (r) {
			why = "no such source";
		}
		goto out;
	}
	if (is_set) {
		if (config_write(name, params[0].value, o->rate_hz, params + (o->rate_hz ? 2 : 1),
		                 n - (o->rate_hz ? 2 : 1), &j) < 0) {
			log_error("out of memory");
			goto out;
		}
		bool add = !strcmp(act, "add");
		if (!add) {
			const char *e[] = {"HEXISTS", keys.sources, name};
			if (!(r = ctl_must(rc, 3, e)))
				goto out;
			if (r->integer == 0) {
				why = "no such source (add it first)";
				goto out;
			}
			freeReplyObject(r);
		}
		const char *a[] = {add ? "HSETNX" : "HSET", keys.sources, name, j.buf};
		if (!(r = ctl_must(rc, 4, a)))
			goto out;
		if (add && r->integer == 0) {
			why = "exists already (use source update)";
			goto out;
		}
	} else if (!strcmp(act, "delete")) {
		const char *a[] = {"HDEL", keys.sources, name};
		if (!(r = ctl_must(rc, 3, a)))
			goto out;
		if (r->integer == 0) {
			why = "no such source";
			goto out;
		}
	} else {
		const char *a[] = {"HEXISTS", keys.sources, name};
		if (!(r = ctl_must(rc, 3, a)))
			goto out;
		if (r->integer == 0) {
			why = "no such source";
			goto out;
		}
	}
	freeReplyObject(r);
	r = NULL;
	redisFree(rc);
	rc = NULL;
	const char *command = is_set ? (act[0] == 'a' ? EAS_CMD_SOURCE_ADD : EAS_CMD_SOURCE_UPDATE)
	                      : !strcmp(act, "delete") ? EAS_CMD_SOURCE_DELETE
	                      : !strcmp(act, "start")  ? EAS_CMD_SOURCE_START
	                                               : EAS_CMD_SOURCE_STOP;
	ret = ctl_send(o, command, name, params, n);
out:
	if (why)
		log_error("source %s: %s", name, why);
	if (r)
		freeReplyObject(r);
	if (rc)
		redisFree(rc);
	eas_json_free(&j);
	return ret;
}
