/* status.c: eas-watch status (the state as a table for people, or JSON) and prometheus, and the
 * connection and state read that they, check and html share. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exitcode.h"
#include "json.h"
#include "log.h"
#include "redis.h"
#include "timeutil.h"
#include "watch.h"

redisContext *watch_connect(const struct watch_opts *o, char *err, size_t errlen)
{
	struct eas_redis_conf conf;
	char password[512];
	if (o->password_file &&
	    eas_read_secret_file(o->password_file, password, sizeof password, err, errlen) < 0)
		return NULL;
	if (eas_redis_conf_init(&conf, o->url, NULL, NULL, o->password_file ? password : NULL, err,
	                        errlen) < 0)
		return NULL;
	conf.connect_timeout_ms = conf.io_timeout_ms = (int)(o->timeout_s * 1000);
	return eas_redis_connect(&conf, NULL, 0, err, errlen);
}

void watch_read(const struct watch_opts *o, bool all, struct watch_state *s)
{
	struct watch_query q = {o->sources, o->nsources, o->listeners, o->nlisteners, all, all};
	char err[512];
	int64_t now = eas_now_ms();
	redisContext *c = watch_connect(o, err, sizeof err);
	if (!c) {
		/* an empty state that says why */
		memset(s, 0, sizeof *s);
		s->now_ms = now;
		s->stream_len = -1;
		snprintf(s->err, sizeof s->err, "%.200s", err);
		return;
	}
	watch_state_read(c, &o->keys, &q, now, s);
	redisFree(c);
}

const char *watch_source_state(const struct watch_source *src, int64_t now_ms, double stale_s)
{
	double age = watch_source_age(src, now_ms);
	if (age < 0)
		return "never";
	if (age > stale_s)
		return "stale";
	if (src->silence == 1)
		return "silent";
	if (src->clipping == 1)
		return "clipping";
	return "live";
}

static void json_time_s(struct eas_json *j, const char *key, int64_t s)
{
	char t[32];
	eas_json_key(j, key);
	if (s > 0)
		eas_json_str(j, eas_rfc3339_ms(s * 1000, t, sizeof t));
	else
		eas_json_null(j);
}

static void json_num_or_null(struct eas_json *j, const char *key, double v, int decimals)
{
	eas_json_key(j, key);
	if (isnan(v))
		eas_json_null(j);
	else
		eas_json_num(j, v, decimals);
}

static int status_json(const struct watch_opts *o, const struct watch_state *s)
{
	struct eas_json j;
	char t[32];
	eas_json_init(&j);
	eas_json_obj_begin(&j);
	eas_json_key_str(&j, "time", eas_rfc3339_ms(s->now_ms, t, sizeof t));
	eas_json_key_bool(&j, "redis", s->up);
	if (!s->up)
		eas_json_key_str(&j, "error", s->err);
	eas_json_key(&j, "sources");
	eas_json_arr_begin(&j);
	for (size_t i = 0; i < s->nsrc; i++) {
		const struct watch_source *src = &s->src[i];
		double age = watch_source_age(src, s->now_ms);
		eas_json_obj_begin(&j);
		eas_json_key_str(&j, "source", src->name);
		eas_json_key_bool(&j, "configured", src->configured);
		eas_json_key_str(&j, "state", watch_source_state(src, s->now_ms, o->stale_s));
		json_num_or_null(&j, "heartbeat_age_s", age < 0 ? NAN : age, 1);
		json_num_or_null(&j, "rms_dbfs", src->rms_dbfs, 1);
		json_num_or_null(&j, "peak_dbfs", src->peak_dbfs, 1);
		eas_json_key(&j, "silence");
		src->silence < 0 ? eas_json_null(&j) : eas_json_bool(&j, src->silence);
		eas_json_key(&j, "clipping");
		src->clipping < 0 ? eas_json_null(&j) : eas_json_bool(&j, src->clipping);
		eas_json_key(&j, "spool_bytes");
		src->spool_bytes < 0 ? eas_json_null(&j) : eas_json_int(&j, src->spool_bytes);
		json_time_s(&j, "last_alert", src->last_alert_s);
		eas_json_key(&j, "last_event");
		src->last_alert_s ? eas_json_str(&j, src->last_event) : eas_json_null(&j);
		json_time_s(&j, "last_rwt", src->last_rwt_s);
		eas_json_obj_end(&j);
	}
	eas_json_arr_end(&j);
	eas_json_key(&j, "listeners");
	eas_json_arr_begin(&j);
	for (size_t i = 0; i < s->nlst; i++) {
		eas_json_obj_begin(&j);
		eas_json_key_str(&j, "listener", s->lst[i].name);
		eas_json_key_bool(&j, "alive", s->lst[i].alive);
		eas_json_key_bool(&j, "expected", s->lst[i].expected);
		eas_json_obj_end(&j);
	}
	eas_json_arr_end(&j);
	eas_json_obj_end(&j);
	if (j.oom) {
		log_error("out of memory");
		eas_json_free(&j);
		return EAS_EXIT_FAIL;
	}
	fwrite(j.buf, 1, j.len, stdout);
	putchar('\n');
	eas_json_free(&j);
	return EAS_EXIT_OK;
}

static const char *stamp(int64_t s, char *buf, size_t len)
{
	if (s <= 0)
		return "-";
	char t[32];
	eas_rfc3339_ms(s * 1000, t, sizeof t);
	snprintf(buf, len, "%.16sZ", t); /* 2026-11-22T14:05Z */
	return buf;
}

static int status_table(const struct watch_opts *o, const struct watch_state *s)
{
	if (!s->up) {
		printf("redis: unreachable: %s\n", s->err);
		return EAS_EXIT_OK;
	}
	printf("%-20s %-8s %9s %9s  %-22s %-17s\n", "SOURCE", "STATE", "HEARTBEAT", "RMS dBFS",
	       "LAST ALERT", "LAST RWT");
	for (size_t i = 0; i < s->nsrc; i++) {
		const struct watch_source *src = &s->src[i];
		char ago[32], lvl[16], la[40], lr[40], a[24];
		double age = watch_source_age(src, s->now_ms);
		if (isnan(src->rms_dbfs))
			snprintf(lvl, sizeof lvl, "-");
		else
			snprintf(lvl, sizeof lvl, "%.1f", src->rms_dbfs);
		if (src->last_alert_s)
			snprintf(la, sizeof la, "%s %s", src->last_event,
			         stamp(src->last_alert_s, a, sizeof a));
		else
			snprintf(la, sizeof la, "-");
		printf("%-20s %-8s %9s %9s  %-22s %-17s\n", src->name,
		       watch_source_state(src, s->now_ms, o->stale_s),
		       age < 0 ? "-" : watch_ago(age, ago, sizeof ago), lvl, la,
		       stamp(src->last_rwt_s, lr, sizeof lr));
	}
	for (size_t i = 0; i < s->nlst; i++)
		printf("listener %-20s %s\n", s->lst[i].name,
		       s->lst[i].alive ? "alive" : "liveness key expired");
	return EAS_EXIT_OK;
}

int watch_status(const struct watch_opts *o)
{
	struct watch_state s;
	watch_read(o, true, &s);
	int rc = o->json ? status_json(o, &s) : status_table(o, &s);
	if (rc == EAS_EXIT_OK && !s.up)
		rc = EAS_EXIT_TIMEOUT; /* the table or JSON says why; the code says "no answer" */
	watch_state_free(&s);
	if (fflush(stdout) != 0 || ferror(stdout))
		return EAS_EXIT_FAIL;
	return rc;
}

int watch_prometheus(const struct watch_opts *o)
{
	struct watch_state s;
	watch_read(o, true, &s);
	int rc = EAS_EXIT_OK;
	if (o->textfile) {
		if (watch_prom_textfile(o->textfile, &s, o->stale_s) < 0)
			rc = EAS_EXIT_FAIL;
	} else {
		watch_prom_write(stdout, &s, o->stale_s);
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = EAS_EXIT_FAIL;
	}
	if (!s.up)
		log_warn("redis: %s (exported eas_up 0)", s.err);
	watch_state_free(&s);
	return rc;
}
