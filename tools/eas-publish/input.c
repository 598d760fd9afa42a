/* input.c: eas-publish's input side: stdin cut into lines, each checked (lib/lines), copied to
 * stdout, and then spooled (alert, eom) or handed to the Redis consumer (status). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "publish.h"
#include "timeutil.h"

#define READ_CHUNK 65536

struct pub_input {
	const struct pub_opts *o;
	const char *default_source;
	struct eas_spool *sp;
	struct redis_consumer *rc;
	struct spool_report *rep;
	bool quiet;
	char *buf;
	size_t len;
	bool skipping; /* inside an over-long line */
	long lineno;
	struct pub_input_counts n;
};

struct pub_input *pub_input_new(const struct pub_opts *o, const char *default_source,
                                struct eas_spool *sp, struct redis_consumer *rc,
                                struct spool_report *rep)
{
	struct pub_input *in = calloc(1, sizeof *in);
	if (!in)
		return NULL;
	in->buf = malloc(PUB_MAX_LINE + 1);
	if (!in->buf) {
		free(in);
		return NULL;
	}
	in->o = o;
	in->default_source = default_source;
	in->rep = rep;
	in->sp = sp;
	in->rc = rc;
	in->quiet = o->quiet;
	return in;
}

void pub_input_free(struct pub_input *in)
{
	if (!in)
		return;
	free(in->buf);
	free(in);
}

void pub_input_quiet(struct pub_input *in)
{
	in->quiet = true;
}

struct pub_input_counts pub_input_counts(const struct pub_input *in)
{
	return in->n;
}

static void copy_out(const struct pub_input *in, const char *line, size_t len)
{
	if (in->quiet)
		return;
	fwrite(line, 1, len, stdout);
	putchar('\n');
	fflush(stdout);
}

/* Append the record of the alert or eom line LINE (head PL) to the spool. */
static void spool_line(struct pub_input *in, const struct eas_line_head *pl, const char *line,
                       size_t len, long lineno)
{
	char rec_hdr[512];
	int h = pub_record_header(pl, lineno, rec_hdr, sizeof rec_hdr);
	size_t total = (size_t)h + len;
	char *rec = malloc(total);
	if (!rec || h < 0) {
		free(rec);
		log_error("line %ld: out of memory; skipped", lineno);
		in->n.bad++;
		return;
	}
	memcpy(rec, rec_hdr, (size_t)h);
	memcpy(rec + h, line, len);
	/* the JSON may hold raw tabs between tokens, never a newline */
	if (eas_spool_append(in->sp, rec, total) < 0) {
		spool_report_refused(in->rep, pl, lineno, errno, redis_consumer_up(in->rc));
	} else {
		in->n.spooled++;
	}
	free(rec);
}

static void handle_line(struct pub_input *in, char *line, size_t len, long lineno)
{
	char err[300];
	struct eas_line_head pl;
	in->n.lines++;
	while (len && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	int r = eas_line_head(line, len, in->o->source, in->default_source, eas_now_ms(), &pl, err,
	                      sizeof err);
	if (r == EAS_LINE_BAD_JSON) {
		log_error("line %ld: %s; skipped", lineno, err);
		in->n.bad++;
		return;
	}
	copy_out(in, line, len);
	if (r == EAS_LINE_BAD_FIELDS) {
		log_error("line %ld: %s; skipped", lineno, err);
		in->n.bad++;
		return;
	}
	if (pl.type == 'S') {
		redis_consumer_status(in->rc, pl.source, line, len);
		notify_alive(eas_mono_ms()); /* the watchdog is fed by the decoder's status lines */
	} else if (pl.type == 'A' || pl.type == 'E')
		spool_line(in, &pl, line, len, lineno);
}

int pub_input_read(struct pub_input *in)
{
	char chunk[READ_CHUNK];
	ssize_t n = read(0, chunk, sizeof chunk);
	if (n < 0)
		return (errno == EINTR || errno == EAGAIN) ? 0 : -1;
	if (n == 0) {
		if (in->len && !in->skipping)
			handle_line(in, in->buf, in->len, ++in->lineno);
		else if (in->skipping)
			in->lineno++;
		in->len = 0;
		return -1;
	}
	char *p = chunk, *end = chunk + n;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t take = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (!in->skipping && in->len + take > PUB_MAX_LINE) {
			log_error("line %ld: longer than %d bytes; skipped", in->lineno + 1,
			          PUB_MAX_LINE);
			in->n.bad++;
			in->n.lines++;
			in->skipping = true;
			in->len = 0;
		}
		if (!in->skipping) {
			memcpy(in->buf + in->len, p, take);
			in->len += take;
		}
		if (!nl)
			break;
		in->lineno++;
		if (!in->skipping)
			handle_line(in, in->buf, in->len, in->lineno);
		in->skipping = false;
		in->len = 0;
		p = nl + 1;
	}
	return 0;
}
