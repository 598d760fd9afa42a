/* prom.c: eas-watch prometheus: the station's state in the Prometheus text exposition format
 * (0.0.4), on stdout or atomically into a node_exporter textfile directory. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "watch.h"

/* A label value with \, " and newline escaped, as the exposition format wants. */
static void label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void num(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else
		fprintf(f, "%.10g", v);
}

/* One sample NAME{source="SRC"} V. */
static void src_sample(FILE *f, const char *name, const char *src, double v)
{
	fprintf(f, "%s{source=\"", name);
	label(f, src);
	fputs("\"} ", f);
	num(f, v);
	fputc('\n', f);
}

/* Write the exposition of S to F.  STALE_S: the age beyond which a source is down. */
void watch_prom_write(FILE *f, const struct watch_state *s, double stale_s)
{
	const double now = (double)s->now_ms / 1000;
	head(f, "eas_up", "gauge", "1 when Redis answered eas-watch, else 0.");
	fprintf(f, "eas_up %d\n", s->up ? 1 : 0);
	if (!s->up)
		return;

	head(f, "eas_source_up", "gauge",
	     "1 when the source's last status is at most the stale age old, else 0.");
	for (size_t i = 0; i < s->nsrc; i++) {
		double age = watch_source_age(&s->src[i], s->now_ms);
		src_sample(f, "eas_source_up", s->src[i].name, age >= 0 && age <= stale_s);
	}
	head(f, "eas_source_configured", "gauge",
	     "1 when the source is expected (--source or the sources hash), 0 when only seen.");
	for (size_t i = 0; i < s->nsrc; i++)
		src_sample(f, "eas_source_configured", s->src[i].name, s->src[i].configured);
	head(f, "eas_source_heartbeat_age_seconds", "gauge",
	     "Seconds since the source's last status line.");
	for (size_t i = 0; i < s->nsrc; i++) {
		double age = watch_source_age(&s->src[i], s->now_ms);
		if (age >= 0)
			src_sample(f, "eas_source_heartbeat_age_seconds", s->src[i].name, age);
	}
	head(f, "eas_source_last_status_timestamp_seconds", "gauge",
	     "Unix time of the source's last status line.");
	for (size_t i = 0; i < s->nsrc; i++) {
		double age = watch_source_age(&s->src[i], s->now_ms);
		if (age >= 0)
			src_sample(f, "eas_source_last_status_timestamp_seconds", s->src[i].name,
			           floor(now - age));
	}
	static const struct {
		const char *name, *help;
		size_t off;
	} levels[] = {
	    {"eas_source_rms_dbfs", "RMS audio level of the last status interval, dBFS.",
	     offsetof(struct watch_source, rms_dbfs)},
	    {"eas_source_peak_dbfs", "Peak audio level of the last status interval, dBFS.",
	     offsetof(struct watch_source, peak_dbfs)},
	};
	for (size_t l = 0; l < 2; l++) {
		head(f, levels[l].name, "gauge", levels[l].help);
		for (size_t i = 0; i < s->nsrc; i++) {
			double v = *(const double *)((const char *)&s->src[i] + levels[l].off);
			if (s->src[i].has_status && !isnan(v))
				src_sample(f, levels[l].name, s->src[i].name, v);
		}
	}
	head(f, "eas_source_silence", "gauge", "1 when the source's last status reports silence.");
	for (size_t i = 0; i < s->nsrc; i++)
		if (s->src[i].silence >= 0)
			src_sample(f, "eas_source_silence", s->src[i].name, s->src[i].silence);
	head(f, "eas_source_clipping", "gauge",
	     "1 when the source's last status reports clipping.");
	for (size_t i = 0; i < s->nsrc; i++)
		if (s->src[i].clipping >= 0)
			src_sample(f, "eas_source_clipping", s->src[i].name, s->src[i].clipping);
	head(f, "eas_source_spool_bytes", "gauge",
	     "Bytes waiting in the source's eas-publish spool, as last reported.");
	for (size_t i = 0; i < s->nsrc; i++)
		if (s->src[i].spool_bytes >= 0)
			src_sample(f, "eas_source_spool_bytes", s->src[i].name,
			           (double)s->src[i].spool_bytes);
	head(f, "eas_source_last_alert_timestamp_seconds", "gauge",
	     "Unix time the source last heard an alert.");
	for (size_t i = 0; i < s->nsrc; i++)
		if (s->src[i].last_alert_s > 0)
			src_sample(f, "eas_source_last_alert_timestamp_seconds", s->src[i].name,
			           (double)s->src[i].last_alert_s);
	head(f, "eas_source_last_rwt_timestamp_seconds", "gauge",
	     "Unix time the source last heard a Required Weekly Test.");
	for (size_t i = 0; i < s->nsrc; i++)
		if (s->src[i].last_rwt_s > 0)
			src_sample(f, "eas_source_last_rwt_timestamp_seconds", s->src[i].name,
			           (double)s->src[i].last_rwt_s);
	head(f, "eas_source_last_event_timestamp_seconds", "gauge",
	     "Unix time the source last heard an alert of the event code.");
	for (size_t i = 0; i < s->nsrc; i++)
		for (int e = 0; e < s->src[i].nevents; e++) {
			fputs("eas_source_last_event_timestamp_seconds{source=\"", f);
			label(f, s->src[i].name);
			fputs("\",event=\"", f);
			label(f, s->src[i].ev[e].code);
			fprintf(f, "\"} %" PRId64 "\n", s->src[i].ev[e].s);
		}

	head(f, "eas_listener_up", "gauge", "1 when the control listener's liveness key exists.");
	for (size_t i = 0; i < s->nlst; i++) {
		fputs("eas_listener_up{listener=\"", f);
		label(f, s->lst[i].name);
		fprintf(f, "\"} %d\n", s->lst[i].alive ? 1 : 0);
	}
	if (s->stream_len >= 0) {
		head(f, "eas_alerts_stream_entries", "gauge",
		     "Alert and eom entries in the alerts stream (capped).");
		fprintf(f, "eas_alerts_stream_entries %" PRId64 "\n", s->stream_len);
	}
	head(f, "eas_alerts_total", "counter", "Alerts stored (first hearings), by event code.");
	for (size_t i = 0; i < s->nalert_counts; i++) {
		fputs("eas_alerts_total{event=\"", f);
		label(f, s->alert_counts[i].name);
		fprintf(f, "\"} %" PRId64 "\n", s->alert_counts[i].n);
	}
	head(f, "eas_control_commands_total", "counter",
	     "Control commands handled by eas-ctl listeners, by command and result.");
	for (size_t i = 0; i < s->ncmd_counts; i++) {
		const char *n = s->cmd_counts[i].name, *colon = strrchr(n, ':');
		fputs("eas_control_commands_total{command=\"", f);
		if (colon) {
			char cmd[80];
			snprintf(cmd, sizeof cmd, "%.*s", (int)(colon - n), n);
			label(f, cmd);
		} else {
			label(f, n);
		}
		fputs("\",result=\"", f);
		label(f, colon ? colon + 1 : "");
		fprintf(f, "\"} %" PRId64 "\n", s->cmd_counts[i].n);
	}
}

int watch_prom_textfile(const char *dir, const struct watch_state *s, double stale_s)
{
	char path[4096], tmp[4096];
	snprintf(path, sizeof path, "%s/%s", dir, WATCH_PROM_FILE);
	if (snprintf(tmp, sizeof tmp, "%s/.%s.%ld", dir, WATCH_PROM_FILE, (long)getpid()) >=
	    (int)sizeof tmp) {
		log_error("--textfile: path too long");
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error_errno("%s", tmp);
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		log_error_errno("%s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	watch_prom_write(f, s, stale_s);
	int bad = fflush(f) != 0 || ferror(f) || fsync(fd) != 0;
	int err = errno;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	if (bad || rename(tmp, path) != 0) {
		log_error("%s: %s", bad ? tmp : path, strerror(bad ? err : errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
