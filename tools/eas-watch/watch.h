/* watch.h: eas-watch's internal interfaces: the options every subcommand shares, the Redis
 * connection, and one entry point per subcommand (check, status, alerts, prometheus, html). */
#ifndef EAS_WATCH_H
#define EAS_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <hiredis/hiredis.h>

#include "json.h"
#include "keys.h"
#include "range.h"
#include "state.h"

#define WATCH_MAX_ARGS  64               /* --source / --listener given at most */
#define WATCH_PROM_FILE "eas-watch.prom" /* the --textfile file name */

struct watch_opts {
	const char *url, *password_file, *prefix;
	double timeout_s; /* -t: connect, every command, and the whole check */
	const char *sources[WATCH_MAX_ARGS];
	int nsources;
	const char *listeners[WATCH_MAX_ARGS];
	int nlisteners;
	/* check */
	struct watch_range warn, crit; /* on each source's RMS level, dBFS */
	double stale_s, silence_s, rwt_days;
	long spool_warn; /* spool backlog in bytes that warns */
	/* status, alerts */
	bool json;
	/* alerts */
	bool follow, active;
	const char *since, *events, *fips;
	long count;
	const char *exec, *group, *consumer;
	double retry_max_s; /* hook: give up on one alert after retrying this long */
	/* prometheus */
	const char *textfile;
	/* html */
	double refresh_s; /* the page refreshes itself every this many seconds */
	struct eas_keys keys;
};

/* Connect as O says (URL, password file, timeouts from -t).  NULL with a reason in ERR. */
redisContext *watch_connect(const struct watch_opts *o, char *err, size_t errlen);

/* Read the state O asks about (its --source and --listener names); ALL for status and
 * prometheus: also the counters and every live listener.  Connects, reads, disconnects;
 * S->up says whether Redis answered. */
void watch_read(const struct watch_opts *o, bool all, struct watch_state *s);

/* The subcommands; each returns the process exit code. */
int watch_check(const struct watch_opts *o);
int watch_status(const struct watch_opts *o);
int watch_alerts(const struct watch_opts *o);
int watch_prometheus(const struct watch_opts *o);
int watch_html(const struct watch_opts *o);

/* check's verdict, without I/O: the Nagios code (0..3) and, in OUT (LEN bytes), the status
 * line with its perfdata and the detail lines, every line ending in a newline; and when J is
 * not NULL, the same as one JSON object in J (state, code, summary, critical [], warning []). */
int watch_check_eval(const struct watch_opts *o, const struct watch_state *s, char *out, size_t len,
                     struct eas_json *j);

/* prometheus: the exposition of S to F; and written atomically (temp file, fsync, rename)
 * as DIR/WATCH_PROM_FILE.  STALE_S: the age beyond which a source counts as down. */
void watch_prom_write(FILE *f, const struct watch_state *s, double stale_s);
int watch_prom_textfile(const char *dir, const struct watch_state *s, double stale_s);

/* "3 s", "4 min", "2 h", "9 d" for a duration in seconds, into BUF. */
const char *watch_ago(double s, char *buf, size_t len);

#endif
