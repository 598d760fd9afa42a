/* record.c: eas-decode's alert recorder: a ring of recent input, and one sound file per alert
 * written from it (libsndfile), under a temporary name until it is complete. */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dlfcn.h>
#include <sndfile.h>

#include "log.h"

/*
 * libsndfile is loaded when a recorder is made, not linked: with its codecs (FLAC, Vorbis, Opus,
 * MPEG) it costs 1.3 MB of resident memory at start-up, a third of what eas-decode may use
 * (bench/decode.sh holds it to 4 MiB), for a feature most monitors do not turn on.
 */
static struct {
	SNDFILE *(*open_fd)(int fd, int mode, SF_INFO *info, int close_desc);
	sf_count_t (*writef_short)(SNDFILE *sf, const short *ptr, sf_count_t frames);
	int (*close)(SNDFILE *sf);
	const char *(*strerror)(SNDFILE *sf);
	const char *(*error_number)(int errnum);
} sf;

#define SNDFILE_SONAME "libsndfile.so.1"

/* Load libsndfile once; -1 after logging why it cannot be. */
static int sf_load(void)
{
	static void *h;
	if (h)
		return 0;
	h = dlopen(SNDFILE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		log_error("cannot record: %s (install libsndfile1)", dlerror());
		return -1;
	}
	*(void **)&sf.open_fd = dlsym(h, "sf_open_fd");
	*(void **)&sf.writef_short = dlsym(h, "sf_writef_short");
	*(void **)&sf.close = dlsym(h, "sf_close");
	*(void **)&sf.strerror = dlsym(h, "sf_strerror");
	*(void **)&sf.error_number = dlsym(h, "sf_error_number");
	if (!sf.open_fd || !sf.writef_short || !sf.close || !sf.strerror || !sf.error_number) {
		log_error("cannot record: %s lacks a function eas-decode needs", SNDFILE_SONAME);
		dlclose(h);
		h = NULL;
		return -1;
	}
	return 0;
}

/* How long after its first burst an alert may be reported: three bursts of the longest header
 * with their gaps, then the decoder's wait for a missing burst (same_decode.c). */
#define REC_LOOKBACK_S 30.0
/* How far a recording trails the input while its end is unknown: an EOM is reported at most
 * about 3.5 s after its last burst, and must not find the file already past its end. */
#define REC_DELAY_S 4.0
/* The EOM: three bursts of 16 preamble bytes and NNNN (160 bits at 520 5/6 baud), 1 s apart. */
#define REC_EOM_S (3 * 160 / (520.0 + 5.0 / 6.0) + 2 * 1.0)
#define REC_SLOTS 4 /* recordings open at once */
#define NO_END    UINT64_MAX

struct rec {
	bool open;
	SNDFILE *sf;
	char tmp[PATH_MAX], final[PATH_MAX];
	char base[160]; /* the final name less directory, -N and extension */
	int n;          /* its -N (1: none) */
	char id[17], event[4];
	uint64_t alert; /* the alert's first burst */
	uint64_t start, pos, limit_end, eom_end;
};

struct recorder {
	struct rec_opts o;
	int16_t *ring;
	uint64_t cap, total, delay;
	struct rec rec[REC_SLOTS];
	struct rec_done done[2 * REC_SLOTS];
	int ndone, donepos;
};

const char *rec_end_name(enum rec_end e)
{
	switch (e) {
	case REC_EOM:
		return "eom";
	case REC_LIMIT:
		return "limit";
	case REC_INPUT_END:
		return "end of input";
	case REC_ERROR:
		break;
	}
	return "error";
}

struct recorder *rec_new(const struct rec_opts *o)
{
	if (sf_load() < 0)
		return NULL;
	struct recorder *r = calloc(1, sizeof *r);
	if (!r) {
		log_error("out of memory");
		return NULL;
	}
	r->o = *o;
	r->cap = (uint64_t)ceil((o->pre_s + REC_LOOKBACK_S) * o->rate);
	r->delay = (uint64_t)llround(REC_DELAY_S * o->rate);
	r->ring = malloc(sizeof *r->ring * r->cap);
	if (!r->ring) {
		log_error("out of memory");
		free(r);
		return NULL;
	}
	return r;
}

/* libsndfile's message S as ours: "System error : No space left on device." -> "No space left on
 * device". */
static void sf_message(char *out, size_t n, const char *s)
{
	static const char sys[] = "System error : ";
	if (!s)
		s = "unknown error";
	if (!strncmp(s, sys, sizeof sys - 1))
		s += sizeof sys - 1;
	snprintf(out, n, "%s", s);
	size_t k = strlen(out);
	while (k && (out[k - 1] == '.' || out[k - 1] == '\n' || out[k - 1] == ' '))
		out[--k] = '\0';
}

/* Letters, digits, '.', '_' and '-' of S (others become '_'), at most N - 1 of them. */
static void name_part(char *out, size_t n, const char *s)
{
	size_t i = 0;
	for (; s && *s && i + 1 < n; s++)
		out[i++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		                   (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'
		               ? *s
		               : '_';
	out[i] = '\0';
	if (i == 0 && n > 1)
		out[0] = '_', out[1] = '\0';
}

/* DIR/NAME[-N].EXT into FINAL and DIR/.NAME[-N].EXT.part into TMP; -1 when too long. */
static int make_names(const struct recorder *r, const char *base, int n, char *final, char *tmp)
{
	const char *ext = r->o.format == REC_FLAC ? "flac" : "wav";
	char sfx[16] = "";
	if (n > 1)
		snprintf(sfx, sizeof sfx, "-%d", n);
	int a = snprintf(final, PATH_MAX, "%s/%s%s.%s", r->o.dir, base, sfx, ext);
	int b = snprintf(tmp, PATH_MAX, "%s/.%s%s.%s.part", r->o.dir, base, sfx, ext);
	return a < 0 || b < 0 || a >= PATH_MAX || b >= PATH_MAX ? -1 : 0;
}

int rec_start(struct recorder *r, uint64_t sample, int64_t time_ms, const char *id,
              const char *event, char *path, size_t pathlen)
{
	struct rec *c = NULL;
	for (int i = 0; i < REC_SLOTS && !c; i++)
		if (!r->rec[i].open)
			c = &r->rec[i];
	if (!c) {
		log_error("cannot record alert %s: %d recordings are open already", id, REC_SLOTS);
		return -1;
	}
	memset(c, 0, sizeof *c);
	char when[32], src[65], ev[4];
	time_t t = (time_t)(time_ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm))
		snprintf(when, sizeof when, "%lld", (long long)(time_ms / 1000));
	name_part(src, sizeof src, r->o.source);
	name_part(ev, sizeof ev, event);
	snprintf(c->base, sizeof c->base, "%s-%s-%s-%s", when, src, ev, id);

	int fd = -1, err = 0;
	for (c->n = 1; c->n < 100 && fd < 0; c->n++) {
		if (make_names(r, c->base, c->n, c->final, c->tmp) < 0) {
			err = ENAMETOOLONG;
			break;
		}
		if (access(c->final, F_OK) == 0)
			continue;
		fd = open(c->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		err = errno;
		if (fd < 0 && err != EEXIST)
			break;
	}
	if (fd < 0) {
		log_error("cannot record alert %s: cannot create %s: %s", id, c->tmp,
		          strerror(err));
		return -1;
	}
	c->n--; /* the loop stepped past the name it took */
	SF_INFO info = {.samplerate = r->o.rate,
	                .channels = 1,
	                .format = (r->o.format == REC_FLAC ? SF_FORMAT_FLAC : SF_FORMAT_WAV) |
	                          SF_FORMAT_PCM_16};
	c->sf = sf.open_fd(fd, SFM_WRITE, &info, SF_TRUE);
	if (!c->sf) {
		char msg[200];
		sf_message(msg, sizeof msg, sf.strerror(NULL));
		log_error("cannot record alert %s: %s: %s", id, c->tmp, msg);
		close(fd);
		unlink(c->tmp);
		return -1;
	}
	uint64_t pre = (uint64_t)llround(r->o.pre_s * r->o.rate);
	uint64_t oldest = r->total > r->cap ? r->total - r->cap : 0;
	c->alert = sample;
	c->start = sample > pre ? sample - pre : 0;
	if (c->start < oldest) {
		log_warn("recording of alert %s starts %.1f s late: the ring holds no more", id,
		         (double)(oldest - c->start) / r->o.rate);
		c->start = oldest;
	}
	c->pos = c->start;
	c->limit_end = c->start + (uint64_t)llround(r->o.max_s * r->o.rate);
	c->eom_end = NO_END;
	snprintf(c->id, sizeof c->id, "%s", id);
	snprintf(c->event, sizeof c->event, "%s", event);
	c->open = true;
	snprintf(path, pathlen, "%s", c->final);
	log_info("recording alert %s to %s", id, c->tmp);
	return 0;
}

void rec_eom(struct recorder *r, uint64_t sample)
{
	uint64_t end = sample + (uint64_t)llround(REC_EOM_S * r->o.rate);
	for (int i = 0; i < REC_SLOTS; i++) {
		struct rec *c = &r->rec[i];
		if (c->open && c->eom_end == NO_END && c->alert < sample)
			c->eom_end = end;
	}
}

/* Rename C's file to its final name without replacing another; tries -2, -3... on a clash. */
static int finish_name(struct recorder *r, struct rec *c, char *err, size_t errlen)
{
	char tmp2[PATH_MAX];
	for (int n = c->n; n < 100; n++) {
		if (n > c->n && make_names(r, c->base, n, c->final, tmp2) < 0)
			break;
		if (renameat2(AT_FDCWD, c->tmp, AT_FDCWD, c->final, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno == EINVAL || errno == ENOSYS) {
			/* a file system without RENAME_NOREPLACE: look, then rename */
			if (access(c->final, F_OK) == 0)
				continue;
			if (rename(c->tmp, c->final) == 0)
				return 0;
		}
		if (errno != EEXIST && errno != EINVAL && errno != ENOSYS)
			break;
	}
	snprintf(err, errlen, "cannot rename to the final name: %s", strerror(errno));
	log_error_errno("recording of alert %s: cannot rename %s to %s", c->id, c->tmp, c->final);
	return -1;
}

/* Close C's file, rename it (or remove it) and queue what happened. */
static void rec_close(struct recorder *r, struct rec *c, enum rec_end why, const char *werr)
{
	if (r->ndone == 2 * REC_SLOTS) { /* not drained: the oldest is lost (never, as used) */
		r->donepos = (r->donepos + 1) % (2 * REC_SLOTS);
		r->ndone--;
	}
	struct rec_done *d = &r->done[(r->donepos + r->ndone) % (2 * REC_SLOTS)];
	memset(d, 0, sizeof *d);
	snprintf(d->id, sizeof d->id, "%s", c->id);
	snprintf(d->event, sizeof d->event, "%s", c->event);
	d->start = c->start;
	d->frames = c->pos - c->start;
	d->ended_by = why;
	if (werr)
		snprintf(d->error, sizeof d->error, "%s", werr);
	int e = sf.close(c->sf);
	c->sf = NULL;
	if (e != 0 && !werr) {
		d->ended_by = REC_ERROR;
		char msg[200];
		sf_message(msg, sizeof msg, sf.error_number(e));
		snprintf(d->error, sizeof d->error, "closing the file: %s", msg);
	}
	char rerr[sizeof d->error];
	if (d->frames == 0 && d->ended_by == REC_ERROR) {
		unlink(c->tmp);
	} else if (finish_name(r, c, rerr, sizeof rerr) == 0) {
		snprintf(d->path, sizeof d->path, "%s", c->final);
	} else {
		unlink(c->tmp);
		if (!d->error[0])
			snprintf(d->error, sizeof d->error, "%s", rerr);
	}
	if (d->ended_by == REC_ERROR || !d->path[0])
		log_error("recording of alert %s stopped: %s; %s%s (decoding goes on)", c->id,
		          d->error, d->path[0] ? "what was written is kept in " : "no file is left",
		          d->path);
	else
		log_info("recorded alert %s: %s, %.3f s, ended by %s", c->id, d->path,
		         (double)d->frames / r->o.rate, rec_end_name(why));
	c->open = false;
	r->ndone++;
}

/* Write C's samples up to TARGET from the ring; on a failed write, close C (REC_ERROR) and
 * return -1. */
static int write_to(struct recorder *r, struct rec *c, uint64_t target)
{
	while (c->pos < target) {
		uint64_t idx = c->pos % r->cap;
		uint64_t n = target - c->pos;
		if (n > r->cap - idx)
			n = r->cap - idx;
		sf_count_t w = sf.writef_short(c->sf, r->ring + idx, (sf_count_t)n);
		if (w > 0)
			c->pos += (uint64_t)w;
		if (w != (sf_count_t)n) {
			char msg[200];
			sf_message(msg, sizeof msg, sf.strerror(c->sf));
			log_error("recording of alert %s: writing %s: %s", c->id, c->tmp, msg);
			rec_close(r, c, REC_ERROR, msg);
			return -1;
		}
	}
	return 0;
}

static uint64_t end_of(const struct rec *c)
{
	return c->eom_end < c->limit_end ? c->eom_end : c->limit_end;
}

/* Write what is due to every open recording and close the complete ones; FINAL: all of it. */
static void pump(struct recorder *r, bool final)
{
	for (int i = 0; i < REC_SLOTS; i++) {
		struct rec *c = &r->rec[i];
		if (!c->open)
			continue;
		uint64_t end = end_of(c);
		uint64_t target = end < r->total ? end : r->total;
		if (!final && c->eom_end == NO_END) {
			uint64_t lag = r->total > r->delay ? r->total - r->delay : 0;
			if (lag < target)
				target = lag;
		}
		if (write_to(r, c, target) < 0)
			continue;
		if (c->pos >= end)
			rec_close(r, c, c->eom_end <= c->limit_end ? REC_EOM : REC_LIMIT, NULL);
		else if (final)
			rec_close(r, c, REC_INPUT_END, NULL);
	}
}

void rec_feed(struct recorder *r, const int16_t *pcm, size_t n)
{
	while (n > 0) {
		uint64_t idx = r->total % r->cap;
		size_t k = n;
		if (k > r->cap - idx)
			k = (size_t)(r->cap - idx);
		if (k > r->cap / 4)
			k = (size_t)(r->cap / 4);
		/* never let the ring overtake a recording: what K samples will overwrite is written
		 * first, even ahead of the delay (only an alert reported very late gets here) */
		uint64_t lost = r->total + k > r->cap ? r->total + k - r->cap : 0;
		for (int i = 0; i < REC_SLOTS; i++) {
			struct rec *c = &r->rec[i];
			if (c->open && c->pos < lost) {
				uint64_t end = end_of(c);
				write_to(r, c, lost < end ? lost : end);
			}
		}
		memcpy(r->ring + idx, pcm, k * sizeof *pcm);
		r->total += k;
		pcm += k;
		n -= k;
		pump(r, false);
	}
}

void rec_finish(struct recorder *r)
{
	pump(r, true);
}

int rec_next(struct recorder *r, struct rec_done *d)
{
	if (r->ndone == 0)
		return 0;
	*d = r->done[r->donepos];
	r->donepos = (r->donepos + 1) % (2 * REC_SLOTS);
	r->ndone--;
	return 1;
}

void rec_free(struct recorder *r)
{
	if (!r)
		return;
	for (int i = 0; i < REC_SLOTS; i++)
		if (r->rec[i].open) {
			sf.close(r->rec[i].sf);
			unlink(r->rec[i].tmp);
		}
	free(r->ring);
	free(r);
}
