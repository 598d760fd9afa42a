/* html.c: eas-watch html, the dashboard page: active alerts first, every source's state, recent
 * alerts; complete and self-contained (inline CSS, no JavaScript, refreshes itself), everything
 * from Redis HTML-escaped, reads bounded.  The CGI scripts in cgi/ serve it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "exitcode.h"
#include "log.h"
#include "redis.h"
#include "signals.h"
#include "timeutil.h"
#include "watch.h"

#define SCAN_ENTRIES                                                                               \
	1000          /* newest stream entries read for active and recent alerts: an alert
                             active but older than these is not shown */
#define MAX_SHOWN 200 /* active alerts shown at most */

/* Write S with &, <, >, " and ' escaped: safe in text and in quoted attributes. */
static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* "4 min ago" and the absolute UTC time beside it, for epoch milliseconds MS. */
static void when(FILE *f, int64_t ms, int64_t now_ms)
{
	char t[32], ago[32];
	eas_rfc3339_ms(ms, t, sizeof t);
	fprintf(f, "<time datetime=\"%s\">%s ago <small>(%.10s %.5s UTC)</small></time>", t,
	        watch_ago((double)(now_ms - ms) / 1000, ago, sizeof ago), t, t + 11);
}

static const char CSS[] =
    "body{font:16px/1.4 system-ui,sans-serif;margin:0;background:#f4f4f4;color:#111}"
    "header,section,footer{padding:.6em 1em}"
    "h1{font-size:1.5em;margin:0}h2{font-size:1.25em;margin:.2em 0 .5em}"
    ".asof{margin:.2em 0;color:#444}"
    ".pagestale{position:fixed;top:0;left:0;right:0;margin:0;visibility:hidden;"
    "background:#b00020;color:#fff;padding:.6em 1em;font-weight:bold;"
    "animation:pagestale 1s step-end var(--stale-after) forwards}"
    "@keyframes pagestale{to{visibility:visible}}"
    ".down{background:#b00020;color:#fff;font-size:1.3em}"
    ".calm{background:#1b5e20;color:#fff;padding:.6em;font-size:1.3em;font-weight:bold}"
    ".alert{border-left:.6em solid #b00020;background:#fff;margin:.5em 0;padding:.5em .8em}"
    ".alert h3{margin:0;font-size:1.5em}.alert .left{font-size:1.2em;font-weight:bold}"
    ".sig-warning,.sig-emergency{border-color:#b00020}.sig-watch{border-color:#e65100}"
    ".sig-advisory,.sig-statement{border-color:#f9a825}.sig-test{border-color:#1565c0}"
    ".alert .code{font-size:.7em;color:#555}"
    "table{border-collapse:collapse;width:100%;background:#fff}.scroll{overflow-x:auto}"
    "th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #ddd;vertical-align:top}"
    ".badge{display:inline-block;min-width:5.5em;text-align:center;font-weight:bold;"
    "padding:.1em .4em;border-radius:.3em;color:#fff}"
    ".st-live{background:#1b5e20}.st-silent,.st-clipping{background:#e65100}"
    ".st-stale{background:#b00020}.st-never{background:#4a148c}"
    "small{color:#555}footer{color:#555;font-size:.9em}.name{white-space:nowrap}"
    "@media (max-width:640px){.wide{display:none}body{font-size:15px}}";

/* One alert of the scanned entries: where it is and what orders it (32 bytes, so that a scan
 * of 1,000 entries does not touch megabytes of full alert structs). */
struct pick {
	size_t idx;
	int64_t expires_ms, time_ms;
};

static int cmp_newest(const void *a, const void *b)
{
	int64_t x = ((const struct pick *)a)->time_ms, y = ((const struct pick *)b)->time_ms;
	return x < y ? 1 : x > y ? -1 : 0;
}

static int cmp_expiry(const void *a, const void *b)
{
	int64_t x = ((const struct pick *)a)->expires_ms, y = ((const struct pick *)b)->expires_ms;
	return x < y ? -1 : x > y;
}

/* Fill the heard lists of the N alerts in A with one pipelined round trip. */
static void heard_all(redisContext *c, const struct eas_keys *k, struct watch_alert **a, size_t n)
{
	char key[EAS_KEY_MAX];
	for (size_t i = 0; i < n; i++) {
		if (eas_key(k, EAS_KEY_HEARD, a[i]->id[0] ? a[i]->id : "-", key, sizeof key) < 0)
			snprintf(key, sizeof key, "%s", k->prefix);
		redisAppendCommand(c, "SMEMBERS %s", key);
	}
	for (size_t i = 0; i < n; i++) {
		redisReply *r = NULL;
		if (redisGetReply(c, (void **)&r) != REDIS_OK || !r)
			return;
		size_t used = 0;
		for (size_t m = 0; r->type == REDIS_REPLY_ARRAY && m < r->elements; m++) {
			const redisReply *e = r->element[m];
			if (e->type != REDIS_REPLY_STRING || used + e->len + 2 > sizeof a[i]->heard)
				continue;
			used += (size_t)snprintf(a[i]->heard + used, sizeof a[i]->heard - used,
			                         "%s%s", used ? " " : "", e->str);
		}
		freeReplyObject(r);
	}
}

static void alert_article(FILE *f, const struct watch_alert *a, int64_t now_ms)
{
	char where[2048], left[32];
	const char *name = a->has_header ? same_event_name(a->h.event) : NULL;
	const char *sig = a->has_header ? same_event_significance(a->h.event) : "unknown";
	fprintf(f, "<article class=\"alert sig-%s\" data-id=\"", sig);
	esc(f, a->id);
	fputs("\"><h3>", f);
	esc(f, name ? name : "Unknown event");
	if (a->has_header) {
		fputs(" <span class=\"code\">", f);
		esc(f, a->h.event);
		fputs("</span>", f);
	}
	fputs("</h3>\n<p class=\"where\">", f);
	if (a->has_header) {
		watch_alert_counties(a, where, sizeof where);
		esc(f, where);
	}
	fprintf(f, "</p>\n<p class=\"left\">%s left, until ",
	        watch_ago((double)(a->expires_ms - now_ms) / 1000, left, sizeof left));
	char t[32];
	eas_rfc3339_ms(a->expires_ms, t, sizeof t);
	fprintf(f, "<time datetime=\"%s\">%.5s UTC</time></p>\n<p class=\"meta\">", t, t + 11);
	if (a->has_header) {
		const char *org = same_originator_name(a->h.originator);
		fputs("from ", f);
		esc(f, org ? org : a->h.originator);
		fputs(" (", f);
		esc(f, a->h.sender);
		fputs(") &middot; ", f);
	}
	fputs("heard by ", f);
	esc(f, a->heard);
	fputs(" &middot; ", f);
	when(f, a->time_ms ? a->time_ms : now_ms, now_ms);
	fputs("</p></article>\n", f);
}

static void sources_table(FILE *f, const struct watch_opts *o, const struct watch_state *s)
{
	int live = 0, expected = 0;
	for (size_t i = 0; i < s->nsrc; i++) {
		expected += s->src[i].configured;
		live += s->src[i].configured &&
		        !strcmp(watch_source_state(&s->src[i], s->now_ms, o->stale_s), "live");
	}
	fprintf(f,
	        "<section id=\"sources\"><h2>Monitors: %d of %d live</h2>\n<div "
	        "class=\"scroll\"><table>\n<thead><tr>"
	        "<th>Source</th><th>State</th><th>Level</th><th>Heartbeat</th>"
	        "<th class=\"wide\">Last alert</th><th>Last RWT</th></tr></thead>\n<tbody>\n",
	        live, expected);
	for (size_t i = 0; i < s->nsrc; i++) {
		const struct watch_source *src = &s->src[i];
		const char *st = watch_source_state(src, s->now_ms, o->stale_s);
		double age = watch_source_age(src, s->now_ms);
		fprintf(f, "<tr data-state=\"%s\"><td class=\"name\">", st);
		esc(f, src->name);
		fprintf(f, "</td><td><span class=\"badge st-%s\">%s</span></td><td>", st,
		        !strcmp(st, "never") ? "never heard" : st);
		if (!isnan(src->rms_dbfs))
			fprintf(f, "%.1f dBFS", src->rms_dbfs);
		else
			fputs("&ndash;", f);
		fputs("</td><td>", f);
		if (age >= 0)
			when(f, s->now_ms - (int64_t)(age * 1000), s->now_ms);
		else
			fputs("never", f);
		fputs("</td><td class=\"wide\">", f);
		if (src->last_alert_s) {
			esc(f, src->last_event);
			fputc(' ', f);
			when(f, src->last_alert_s * 1000, s->now_ms);
		} else {
			fputs("&ndash;", f);
		}
		fputs("</td><td>", f);
		if (src->last_rwt_s)
			when(f, src->last_rwt_s * 1000, s->now_ms);
		else
			fputs("never", f);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div></section>\n", f);
}

static void recent_table(FILE *f, struct watch_alert *const *a, size_t n, int64_t now_ms)
{
	fputs("<section id=\"recent\"><h2>Recent alerts</h2>\n", f);
	if (!n) {
		fputs("<p>None heard.</p></section>\n", f);
		return;
	}
	fputs("<div "
	      "class=\"scroll\"><table><thead><tr><th>Heard</th><th>Event</th><th>Where</"
	      "th><th>Expires</th>"
	      "<th class=\"wide\">Heard by</th></tr></thead>\n<tbody>\n",
	      f);
	char where[2048], t[32];
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><td>", f);
		when(f, a[i]->time_ms ? a[i]->time_ms : now_ms, now_ms);
		fputs("</td><td>", f);
		const char *name = a[i]->has_header ? same_event_name(a[i]->h.event) : NULL;
		esc(f, name ? name : a[i]->has_header ? a[i]->h.event : "?");
		fputs("</td><td>", f);
		if (a[i]->has_header) {
			watch_alert_counties(a[i], where, sizeof where);
			esc(f, where);
		}
		fputs("</td><td>", f);
		if (a[i]->expires_ms) {
			eas_rfc3339_ms(a[i]->expires_ms, t, sizeof t);
			fprintf(f, "%s <small>(%.10s %.5s UTC)</small>",
			        a[i]->expires_ms > now_ms ? "active" : "expired", t, t + 11);
		}
		fputs("</td><td class=\"wide\">", f);
		esc(f, a[i]->heard);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div></section>\n", f);
}

int watch_html(const struct watch_opts *o)
{
	struct watch_state s;
	watch_read(o, false, &s);
	int64_t now = s.now_ms;
	char t[32], err[300];
	eas_rfc3339_ms(now, t, sizeof t);
	/* the alerts: the newest SCAN_ENTRIES entries, one read */
	redisReply *r = NULL;
	redisContext *c = s.up ? watch_connect(o, err, sizeof err) : NULL;
	if (c)
		r = redisCommand(c, "XREVRANGE %s + - COUNT %d", o->keys.alerts, SCAN_ENTRIES);
	if (s.up && (!r || r->type != REDIS_REPLY_ARRAY)) {
		s.up = false;
		snprintf(s.err, sizeof s.err, "%.200s", c ? c->errstr : err);
	}
	size_t n = r && r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
	struct pick *pact = malloc((n ? n : 1) * sizeof *pact);
	struct pick *prec = malloc((size_t)o->count * sizeof *prec);
	size_t nact = 0, nrec = 0;
	static struct watch_alert scratch;
	for (size_t i = 0; pact && prec && i < n; i++) {
		if (watch_alert_from_entry(r->element[i], &scratch) < 0 || scratch.type != 'A')
			continue;
		struct pick p = {i, scratch.expires_ms, scratch.time_ms};
		if (p.expires_ms > now)
			pact[nact++] = p;
		if (nrec < (size_t)o->count)
			prec[nrec++] = p;
	}
	/* the most urgent first, at most MAX_SHOWN of them drawn; the recent newest first */
	if (pact)
		qsort(pact, nact, sizeof *pact, cmp_expiry);
	if (prec)
		qsort(prec, nrec, sizeof *prec, cmp_newest);
	size_t shown = nact < MAX_SHOWN ? nact : MAX_SHOWN;
	struct watch_alert *full = malloc((shown + nrec + 1) * sizeof *full);
	struct watch_alert **active = malloc((shown + 1) * sizeof *active);
	struct watch_alert **recent = malloc((nrec + 1) * sizeof *recent);
	if (!full || !active || !recent)
		shown = nrec = 0;
	for (size_t i = 0; i < shown; i++) {
		active[i] = &full[i];
		watch_alert_from_entry(r->element[pact[i].idx], active[i]);
	}
	for (size_t i = 0; i < nrec; i++) {
		recent[i] = &full[shown + i];
		watch_alert_from_entry(r->element[prec[i].idx], recent[i]);
	}
	if (c) {
		heard_all(c, &o->keys, active, shown);
		heard_all(c, &o->keys, recent, nrec);
	}

	FILE *f = stdout;
	fprintf(f,
	        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	        "<meta http-equiv=\"refresh\" content=\"%.0f\">\n<title>%sEAS station</title>\n"
	        "<style>:root{--stale-after:%.0fs}%s</style></head>\n<body>\n",
	        o->refresh_s,
	        !s.up  ? "DOWN - "
	        : nact ? "ALERT - "
	               : "",
	        o->refresh_s * 3, CSS);
	fprintf(f,
	        "<header><h1>EAS station</h1><p class=\"asof\">As of <time id=\"asof\" "
	        "datetime=\"%s\">%.10s %.8s UTC</time>, refreshed every %.0f s</p>\n"
	        "<p class=\"pagestale\" id=\"pagestale\">This page is more than %.0f s old: it has "
	        "stopped refreshing.</p></header>\n",
	        t, t, t + 11, o->refresh_s, o->refresh_s * 3);
	if (!s.up) {
		fputs("<section id=\"redis-down\" class=\"down\"><h2>Redis cannot be reached</h2>"
		      "<p>",
		      f);
		esc(f, s.err);
		fputs("</p><p>Nothing below is known: the monitors may be hearing alerts that this "
		      "page cannot show.</p></section>\n",
		      f);
	} else {
		fprintf(f, "<section id=\"active\"><h2>Active alerts: %zu</h2>\n", nact);
		if (!nact)
			fputs("<p class=\"calm\">No active alerts</p>\n", f);
		if (shown < nact)
			fprintf(f, "<p>The %zu expiring soonest:</p>\n", shown);
		for (size_t i = 0; i < shown; i++)
			alert_article(f, active[i], now);
		fputs("</section>\n", f);
		sources_table(f, o, &s);
		recent_table(f, recent, nrec, now);
	}
	fputs("<footer>eas-watch html &middot; states: live (heard within the stale limit), "
	      "silent, clipping, stale (no status lately), never heard</footer>\n</body></html>\n",
	      f);
	int rc = s.up ? EAS_EXIT_OK : EAS_EXIT_TIMEOUT;
	if (fflush(f) != 0 || ferror(f))
		rc = EAS_EXIT_FAIL;
	freeReplyObject(r);
	if (c)
		redisFree(c);
	free(pact);
	free(prec);
	free(full);
	free(active);
	free(recent);
	watch_state_free(&s);
	return rc;
}
