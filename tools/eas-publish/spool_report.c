/* spool_report.c: what eas-publish says about its spool: the disk refusing writes and taking them
 * again, the lines neither the disk nor Redis holds (named at once), and at exit an exact count of
 * what remains on disk and what was not saved. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "publish.h"

void spool_report_init(struct spool_report *w, struct eas_spool *sp, const char *dir, int cur_redis,
                       int cur_pg)
{
	memset(w, 0, sizeof *w);
	w->sp = sp;
	w->dir = dir ? dir : "(temporary file)";
	w->durable = dir != NULL;
	w->cur_redis = cur_redis;
	w->cur_pg = cur_pg;
	w->named_to = eas_spool_end(sp);
}

/* Add line number N (ascending) to the list L. */
static void lines_add(struct line_list *l, long n)
{
	l->count++;
	if (l->n && l->r[l->n - 1][1] + 1 == n) {
		l->r[l->n - 1][1] = n;
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		long(*nr)[2] = realloc(l->r, cap * sizeof *nr);
		if (!nr) {
			l->lost_track = true;
			return;
		}
		l->r = nr;
		l->cap = cap;
	}
	l->r[l->n][0] = l->r[l->n][1] = n;
	l->n++;
}

/* "5, 9-12, 40" of list L into BUF (cut with "..." when long). */
static const char *lines_str(const struct line_list *l, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < l->n && o + 40 < len; i++) {
		int k = l->r[i][0] == l->r[i][1]
		            ? snprintf(buf + o, len - o, "%s%ld", i ? ", " : "", l->r[i][0])
		            : snprintf(buf + o, len - o, "%s%ld-%ld", i ? ", " : "", l->r[i][0],
		                       l->r[i][1]);
		o += (size_t)k;
		if (i + 1 < l->n && o + 40 >= len)
			snprintf(buf + o, len - o, ", ...");
	}
	if (l->lost_track && o + 40 < len)
		snprintf(buf + o, len - o, "%s(more, out of memory to list them)", o ? ", " : "");
	return buf;
}

static const char *type_name(char t)
{
	return t == 'A' ? "alert" : "eom";
}

/*
 * Call F on every record of the spool in the logical range [FROM, TO) (its
 * own copy: F may keep nothing).  Returns the offset reached.
 */
static uint64_t each_record(struct eas_spool *sp, uint64_t from, uint64_t to,
                            void (*f)(struct spool_report *, const struct pub_record *),
                            struct spool_report *w)
{
	static char buf[256 * 1024];
	while (from < to) {
		ssize_t n = eas_spool_read(sp, from, buf, sizeof buf);
		if (n <= 0)
			break;
		size_t off = 0;
		char *nl;
		while (from + off < to && (nl = memchr(buf + off, '\n', (size_t)n - off))) {
			struct pub_record r;
			size_t len = (size_t)(nl - (buf + off));
			if (pub_record_parse(buf + off, len, &r) == 0)
				f(w, &r);
			off += len + 1;
		}
		if (off == 0)
			break; /* a record longer than the buffer: not one of ours */
		from += off;
	}
	return from;
}

static void name_held(struct spool_report *w, const struct pub_record *r)
{
	w->held_now++;
	log_error("line %ld (%s %.*s from %.*s): the spool disk refuses it (%s) and Redis is "
	          "down: held in memory only (%ld lines now, %zu of %zu bytes)",
	          r->line, type_name(r->type), (int)r->keylen, r->key, (int)r->sourcelen, r->source,
	          strerror(w->sp->werr), w->held_now, w->sp->wlen, w->sp->mem_max);
}

void spool_report_check(struct spool_report *w, bool redis_up)
{
	struct eas_spool *sp = w->sp;
	if (sp->werr && !w->disk_bad) {
		w->disk_bad = true;
		w->n_episodes++;
		w->first_err = w->first_err ? w->first_err : sp->werr;
		log_error(
		    "spool %s: cannot write: %s; %ld lines held in memory (at most %zu bytes) "
		    "until the disk or Redis takes them; lost if eas-publish stops before",
		    w->dir, strerror(sp->werr), eas_spool_count(sp, sp->logend, eas_spool_end(sp)),
		    sp->mem_max);
	} else if (!sp->werr && w->disk_bad) {
		w->disk_bad = false;
		log_warn("spool %s: writing again; lines held in memory are on disk now", w->dir);
	}
	if (sp->serr != w->last_serr) {
		if (sp->serr)
			log_error("spool %s: cannot sync: %s", w->dir, strerror(sp->serr));
		w->last_serr = sp->serr;
	}
	if (sp->werr && !redis_up) {
		/* neither can take these: name each line once, at once */
		uint64_t from = w->named_to, rpos = eas_spool_pos(sp, w->cur_redis);
		if (from < rpos)
			from = rpos;
		if (from < sp->logend)
			from = sp->logend;
		uint64_t held = rpos > sp->logend ? rpos : sp->logend;
		w->held_now = eas_spool_count(sp, held, from);
		w->named_to = each_record(sp, from, eas_spool_end(sp), name_held, w);
	}
	/* while Redis is up, lines in memory are on their way there: named only if
	 * Redis goes away before it confirmed them */
}

void spool_report_refused(struct spool_report *w, const struct eas_line_head *pl, long line,
                          int err, bool redis_up)
{
	char why[200];
	if (err == ENOBUFS)
		snprintf(why, sizeof why,
		         "the spool disk refuses writes (%s), Redis %s, and memory holds %zu bytes "
		         "(--spool-memory %zu)",
		         strerror(w->sp->werr ? w->sp->werr : ENOSPC),
		         redis_up ? "has not yet confirmed them" : "is down", w->sp->wlen,
		         w->sp->mem_max);
	else
		snprintf(why, sizeof why, "%s", strerror(err));
	log_error("line %ld (%s %s from %s): NOT SAVED: %s", line, type_name(pl->type), pl->key,
	          pl->source, why);
	lines_add(&w->refused, line);
}

static void add_unsaved(struct spool_report *w, const struct pub_record *r)
{
	lines_add(&w->unsaved, r->line);
}

int spool_report_finish(struct spool_report *w)
{
	struct eas_spool *sp = w->sp;
	char list[1024];
	uint64_t rpos = eas_spool_pos(sp, w->cur_redis);
	uint64_t low = eas_spool_low(sp), end = eas_spool_end(sp);
	int bad = 0;

	/* on disk, for the next run (a durable spool whose last sync worked) */
	long on_disk = eas_spool_count(sp, low, sp->logend);
	if (on_disk && w->durable) {
		if (sp->synced == sp->logend)
			log_warn("%ld lines remain spooled in %s for the next run", on_disk,
			         w->dir);
		else
			log_error(
			    "%ld lines remain in %s for the next run, but the last sync failed "
			    "(%s): they may not be on disk",
			    on_disk, w->dir, strerror(sp->serr));
		bad = 1;
	}
	/* not on disk and not in Redis: memory only, lost now */
	uint64_t from = rpos > sp->logend ? rpos : sp->logend;
	if (!w->durable)
		from = rpos;
	each_record(sp, from, end, add_unsaved, w);
	if (w->unsaved.count || w->refused.count) {
		if (w->unsaved.count && w->durable)
			log_error(
			    "%ld lines were NOT SAVED (in memory at exit: the spool disk refused "
			    "them and Redis did not confirm them): lines %s",
			    w->unsaved.count, lines_str(&w->unsaved, list, sizeof list));
		else if (w->unsaved.count)
			log_error("%ld lines were not stored (no --spool: they are lost): lines %s",
			          w->unsaved.count, lines_str(&w->unsaved, list, sizeof list));
		if (w->refused.count)
			log_error(
			    "%ld lines were NOT SAVED (refused when memory was full): lines %s",
			    w->refused.count, lines_str(&w->refused, list, sizeof list));
		log_error("%ld lines in all were not saved", w->unsaved.count + w->refused.count);
		bad = 1;
	}
	/* in Redis, but PostgreSQL never got them from the spool */
	if (w->cur_pg >= 0) {
		uint64_t ppos = eas_spool_pos(sp, w->cur_pg);
		uint64_t pfrom = ppos > sp->logend || !w->durable ? ppos : sp->logend;
		uint64_t pto = rpos > pfrom ? rpos : pfrom;
		long pg_missed = eas_spool_count(sp, pfrom, pto);
		if (pg_missed) {
			log_error("%ld lines are in Redis but were not archived in PostgreSQL "
			          "(%s)",
			          pg_missed,
			          w->durable ? "the spool disk refused them" : "no --spool");
			bad = 1;
		}
	}
	if (!bad && w->n_episodes)
		log_warn("spool %s: the disk refused writes %ld time(s) (%s); every line was "
		         "stored in Redis all the same",
		         w->dir, w->n_episodes, strerror(w->first_err));
	free(w->unsaved.r);
	free(w->refused.r);
	return bad;
}
