/* alerts.h: eas-watch's view of one entry of the alerts stream, its filters, and the hook runner
 * that alerts -f --exec hands entries to. */
#ifndef EAS_WATCH_ALERTS_H
#define EAS_WATCH_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "same_header.h"
#include "watch.h"

#define ALERT_HEARD_MAX 1024 /* bytes of the space-separated list of sources that heard it */

struct watch_alert {
	char stream_id[48];            /* "1764480000000-0" */
	char type;                     /* 'A' alert, 'E' eom, 'O' other */
	char id[72];                   /* the line's id */
	char source[72];               /* first source to hear it (the entry's) */
	char heard[ALERT_HEARD_MAX];   /* every source that heard it, space-separated */
	int64_t time_ms;               /* the line's receive time, 0 unknown */
	int64_t issued_ms, expires_ms; /* 0 unknown */
	char issued[40], expires[40];  /* as in the line */
	bool has_header;               /* raw parsed */
	struct same_header h;
	const char *json; /* the line, in the reply that holds the entry */
	size_t jsonlen;
};

/* Fill *A from stream entry E (an array: id, [field, value, ...]).  Returns 0, or -1 when
 * the entry holds no line.  No I/O. */
int watch_alert_from_entry(const redisReply *e, struct watch_alert *a);

/* True when A passes O's filters (--source, --event, --fips, --active) at NOW_MS. */
bool watch_alert_match(const struct watch_opts *o, const struct watch_alert *a, int64_t now_ms);

/* Fill A->heard from the heard set or seen key (one round trip); -1 on a Redis error. */
int watch_alert_heard(redisContext *c, const struct eas_keys *k, struct watch_alert *a);

/* "Wood County, OH; all of Ohio; ..." for A's locations (county names from lib/fips), into
 * BUF (LEN bytes).  No I/O. */
void watch_alert_counties(const struct watch_alert *a, char *buf, size_t len);

/* True when CODE (PSSCCC) is covered by the --fips list LIST (comma-separated codes, a
 * trailing * matching any rest): an alert for a whole state (CCC 000) or the whole country
 * (000000) covers every county in it, an alert for part P of a county or the whole county
 * (P 0) covers a pattern naming either.  No I/O. */
bool watch_fips_match(const char *list, const char *code);

/* alerts -f --exec: run the hook for every entry from START (a stream id, "$" for new ones)
 * on, through consumer group O->group when set.  Returns the exit code. */
int watch_hook_run(const struct watch_opts *o, const char *start);

#endif
