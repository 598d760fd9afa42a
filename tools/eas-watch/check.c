/* check.c: eas-watch check, the Nagios/monitoring-plugins check: one status line naming what is
 * wrong first, perfdata, detail lines, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "json.h"
#include "log.h"
#include "timeutil.h"
#include "watch.h"

/* The problems of one severity: ", "-joined for the status line, and a JSON array. */
struct msgs {
	char buf[4096];
	size_t len;
	int n;
	struct eas_json arr;
};

static void msgs_init(struct msgs *m)
{
	m->buf[0] = '\0';
	m->len = 0;
	m->n = 0;
	eas_json_reset(&m->arr);
	eas_json_arr_begin(&m->arr);
}

static void msg(struct msgs *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg(struct msgs *m, const char *fmt, ...)
{
	char item[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(item, sizeof item, fmt, ap);
	va_end(ap);
	eas_json_str(&m->arr, item);
	if (m->len < sizeof m->buf - 1)
		m->len += (size_t)snprintf(m->buf + m->len, sizeof m->buf - m->len, "%s%s",
		                           m->n ? ", " : "", item);
	if (m->len > sizeof m->buf - 1)
		m->len = sizeof m->buf - 1;
	m->n++;
}

const char *watch_ago(double s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "never");
	else if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%.0f h", s / 3600);
	else
		snprintf(buf, len, "%.0f d", s / 86400);
	return buf;
}

/* Append to OUT (LEN bytes, *USED in use). */
static void out(char *o, size_t len, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void out(char *o, size_t len, size_t *used, const char *fmt, ...)
{
	if (*used >= len - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
	if (*used > len - 1)
		*used = len - 1;
}

/* The verdict as JSON into J: state, code, summary (the status line without perfdata), and the
 * critical and warning problems one by one. */
static void verdict_json(struct eas_json *j, int code, const char *line, struct msgs *crit,
                         struct msgs *warn)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	const char *bar = strstr(line, " | "), *nl = strchr(line, '\n');
	size_t n = bar ? (size_t)(bar - line) : nl ? (size_t)(nl - line) : strlen(line);
	eas_json_reset(j);
	eas_json_obj_begin(j);
	eas_json_key_str(j, "state", names[code & 3]);
	eas_json_key_int(j, "code", code);
	eas_json_key(j, "summary");
	eas_json_strn(j, line, n);
	eas_json_arr_end(&crit->arr);
	eas_json_arr_end(&warn->arr);
	eas_json_key(j, "critical");
	eas_json_raw(j, crit->arr.oom ? "[]" : crit->arr.buf);
	eas_json_key(j, "warning");
	eas_json_raw(j, warn->arr.oom ? "[]" : warn->arr.buf);
	eas_json_obj_end(j);
}

int watch_check_eval(const struct watch_opts *o, const struct watch_state *s, char *o_buf,
                     size_t len, struct eas_json *j)
{
	size_t used = 0;
	o_buf[0] = '\0';
	static struct msgs crit, warn;
	static bool init;
	if (!init) {
		eas_json_init(&crit.arr);
		eas_json_init(&warn.arr);
		init = true;
	}
	msgs_init(&crit);
	msgs_init(&warn);
	if (!s->up) {
		msg(&crit, "Redis: %s", s->err);
		out(o_buf, len, &used, "EAS CRITICAL - Redis: %s\n", s->err);
		if (j)
			verdict_json(j, EAS_NAGIOS_CRITICAL, o_buf, &crit, &warn);
		return EAS_NAGIOS_CRITICAL;
	}
	static char perf[65536], detail[65536];
	size_t pused = 0, dused = 0;
	perf[0] = detail[0] = '\0';
	int expected = 0, live = 0;
	char stale[24], ago[32], spool_warn[32];
	snprintf(stale, sizeof stale, "%g", o->stale_s);
	snprintf(spool_warn, sizeof spool_warn, "~:%ld", o->spool_warn - 1);
	double now = (double)s->now_ms / 1000;
	for (size_t i = 0; i < s->nsrc; i++) {
		const struct watch_source *src = &s->src[i];
		if (!src->configured)
			continue;
		expected++;
		char label[WATCH_NAME_MAX + 32];
		double age = watch_source_age(src, s->now_ms);
		snprintf(label, sizeof label, "%s heartbeat_age", src->name);
		watch_perf_add(perf, sizeof perf, &pused, label, age < 0 ? NAN : age, 0, "s", "",
		               stale, true, 0, false, 0);
		if (src->has_status && !isnan(src->rms_dbfs)) {
			snprintf(label, sizeof label, "%s rms_dbfs", src->name);
			watch_perf_add(perf, sizeof perf, &pused, label, src->rms_dbfs, 1, "",
			               o->warn.text, o->crit.text, false, 0, true, 0);
		}
		if (src->spool_bytes >= 0) {
			snprintf(label, sizeof label, "%s spool", src->name);
			watch_perf_add(perf, sizeof perf, &pused, label, (double)src->spool_bytes,
			               0, "B", spool_warn, "", true, 0, false, 0);
		}
		if (age < 0) {
			msg(&crit, "%s never published", src->name);
			out(detail, sizeof detail, &dused, "%s: never published\n", src->name);
			continue;
		}
		if (age > o->stale_s) {
			msg(&crit, "%s heartbeat stale (%s)", src->name,
			    watch_ago(age, ago, sizeof ago));
			out(detail, sizeof detail, &dused, "%s: stale, last status %s ago\n",
			    src->name, ago);
			continue;
		}
		live++;
		const char *state = "live";
		if (src->silence == 1 && (isnan(src->silence_s) || src->silence_s > o->silence_s)) {
			if (isnan(src->silence_s))
				msg(&warn, "%s silent", src->name);
			else
				msg(&warn, "%s silent for %s", src->name,
				    watch_ago(src->silence_s, ago, sizeof ago));
			state = "silent";
		}
		if (src->clipping == 1) {
			msg(&warn, "%s clipping", src->name);
			state = "clipping";
		}
		if (!isnan(src->rms_dbfs)) {
			if (watch_range_alert(&o->crit, src->rms_dbfs))
				msg(&crit, "%s level %.1f dBFS outside %s", src->name,
				    src->rms_dbfs, o->crit.text);
			else if (watch_range_alert(&o->warn, src->rms_dbfs))
				msg(&warn, "%s level %.1f dBFS outside %s", src->name,
				    src->rms_dbfs, o->warn.text);
		}
		if (o->rwt_days > 0) {
			if (!src->last_rwt_s)
				msg(&warn, "%s never heard an RWT", src->name);
			else if (now - (double)src->last_rwt_s > o->rwt_days * 86400)
				msg(&warn, "%s no RWT for %s", src->name,
				    watch_ago(now - (double)src->last_rwt_s, ago, sizeof ago));
		}
		if (src->spool_bytes >= o->spool_warn)
			msg(&warn, "%s spool backing up (%lld bytes)", src->name,
			    (long long)src->spool_bytes);
		char rwt[32];
		out(detail, sizeof detail, &dused, "%s: %s, heartbeat %s ago", src->name, state,
		    watch_ago(age, ago, sizeof ago));
		if (!isnan(src->rms_dbfs))
			out(detail, sizeof detail, &dused, ", rms %.1f dBFS", src->rms_dbfs);
		out(detail, sizeof detail, &dused, ", last RWT %s\n",
		    src->last_rwt_s ? eas_rfc3339_ms(src->last_rwt_s * 1000, rwt, sizeof rwt)
		                    : "never");
	}
	for (size_t i = 0; i < s->nlst; i++) {
		const struct watch_listener *l = &s->lst[i];
		if (l->expected && !l->alive)
			msg(&warn, "listener %s not alive", l->name);
		out(detail, sizeof detail, &dused, "listener %s: %s\n", l->name,
		    l->alive ? "alive" : "liveness key expired");
	}
	int code = EAS_NAGIOS_OK;
	if (expected == 0) {
		out(o_buf, len, &used,
		    "EAS UNKNOWN - no sources to check (none given with --source, none in the "
		    "sources hash, none ever published)\n");
		if (j)
			verdict_json(j, EAS_NAGIOS_UNKNOWN, o_buf, &crit, &warn);
		return EAS_NAGIOS_UNKNOWN;
	}
	if (crit.n) {
		code = EAS_NAGIOS_CRITICAL;
		out(o_buf, len, &used, "EAS CRITICAL - %s", crit.buf);
		if (warn.n)
			out(o_buf, len, &used, "; WARNING: %s", warn.buf);
	} else if (warn.n) {
		code = EAS_NAGIOS_WARNING;
		out(o_buf, len, &used, "EAS WARNING - %s", warn.buf);
	} else {
		out(o_buf, len, &used, "EAS OK - %d of %d sources live", live, expected);
	}
	if (s->truncated)
		out(o_buf, len, &used, " (only the first %d sources read)", WATCH_MAX_SOURCES);
	out(o_buf, len, &used, " | %s\n%s", perf, detail);
	if (j)
		verdict_json(j, code, o_buf, &crit, &warn);
	return code;
}

/* -t covers the whole check: past it, the verdict is CRITICAL (Redis not answering). */
static bool alarm_json;
static void on_alarm(int sig)
{
	static const char m[] = "EAS CRITICAL - Redis: no answer within the timeout\n";
	static const char mj[] = "{\"state\":\"CRITICAL\",\"code\":2,\"summary\":\"EAS CRITICAL - "
	                         "Redis: no answer within the timeout\",\"critical\":[\"Redis: no "
	                         "answer within the timeout\"],\"warning\":[]}\n";
	(void)sig;
	if (alarm_json)
		(void)!write(1, mj, sizeof mj - 1);
	else
		(void)!write(1, m, sizeof m - 1);
	_exit(EAS_NAGIOS_CRITICAL);
}

int watch_check(const struct watch_opts *o)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)ceil(o->timeout_s) + 1);
	alarm_json = o->json;
	struct watch_state s;
	watch_read(o, false, &s);
	static char buf[1 << 18];
	struct eas_json j;
	eas_json_init(&j);
	int code = watch_check_eval(o, &s, buf, sizeof buf, o->json ? &j : NULL);
	alarm(0);
	watch_state_free(&s);
	if (o->json && !j.oom)
		printf("%s\n", j.buf);
	else
		fputs(buf, stdout);
	eas_json_free(&j);
	if (fflush(stdout) != 0 || ferror(stdout))
		return EAS_NAGIOS_UNKNOWN;
	return code;
}
