/* sink.c: eas-capture's output: downmix and resample with libswresample to s16le mono, pace
 * (--realtime), stop after --duration, and write whole samples to stdout. */
#include "capture.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/error.h>
#include <libswresample/swresample.h>

#include "log.h"

#define FLUSH_BYTES 8192
#define FLUSH_NS    50000000LL /* write at least every 50 ms of wall time */

void sink_init(struct sink *s, int out_rate, bool realtime, double duration, double timeout)
{
	memset(s, 0, sizeof *s);
	s->out_rate = out_rate;
	s->realtime = realtime;
	s->limit = duration > 0 ? (uint64_t)(duration * out_rate + 0.5) : 0;
	if (duration > 0 && s->limit == 0)
		s->limit = 1;
	s->timeout_ns = timeout > 0 ? (int64_t)(timeout * 1e9) : 0;
	s->last_audio_ns = eas_mono_ns();
	s->last_flush_ns = s->last_audio_ns;
	atomic_init(&s->samples_out, 0);
}

bool sink_timed_out(const struct sink *s)
{
	return s->timeout_ns > 0 && eas_mono_ns() - s->last_audio_ns > s->timeout_ns;
}

void sink_begin(struct sink *s)
{
	s->conn_samples = 0;
	s->pace_t0_ns = 0;
}

/* Sleep until the samples already written have had time to play (--realtime). */
static void pace(struct sink *s)
{
	uint64_t out = atomic_load(&s->samples_out);
	if (s->pace_t0_ns == 0) {
		s->pace_t0_ns = eas_mono_ns();
		s->pace_s0 = out;
		return;
	}
	int64_t due = s->pace_t0_ns + (int64_t)((out - s->pace_s0) * 1000000000ULL / s->out_rate);
	struct timespec ts = {.tv_sec = due / 1000000000LL, .tv_nsec = due % 1000000000LL};
	while (!eas_sig_stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* After SIGTERM, a reader that takes nothing for this long is given up on. */
#define STOP_GRACE_NS 1000000000LL

/* Write everything pending.  An interrupted write is resumed so only whole samples go out.
 * After SIGTERM the writes are small and polled, so a reader that has stopped reading cannot
 * hold eas-capture: after STOP_GRACE_NS the rest is dropped at a sample boundary. */
static int flush(struct sink *s)
{
	static int64_t stop_ns;
	size_t off = 0;

	if (s->len == 0)
		return END_EOF;
	if (s->realtime)
		pace(s);
	while (off < s->len) {
		size_t want = s->len - off;
		if (eas_sig_stop) {
			struct pollfd p = {.fd = STDOUT_FILENO, .events = POLLOUT};
			if (stop_ns == 0)
				stop_ns = eas_mono_ns();
			if (off % 2 == 0 && eas_mono_ns() - stop_ns > STOP_GRACE_NS) {
				log_info("stdout is not being read; dropping %zu bytes",
				         s->len - off);
				break;
			}
			if (poll(&p, 1, 100) == 0)
				continue;
			if (want > 4096) /* fits in the pipe when POLLOUT says there is room */
				want = 4096;
		}
		ssize_t n = write(STDOUT_FILENO, s->buf + off, want);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = {.fd = STDOUT_FILENO, .events = POLLOUT};
			poll(&p, 1, 1000);
			continue;
		}
		s->err = n < 0 ? errno : EIO;
		s->len = 0;
		return s->err == EPIPE ? END_EPIPE : END_WRITEERR;
	}
	atomic_fetch_add(&s->samples_out, off / 2);
	s->len = 0;
	s->last_flush_ns = eas_mono_ns();
	return END_EOF;
}

static int reserve(struct sink *s, size_t more)
{
	if (s->len + more <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap : 16384;
	while (cap < s->len + more)
		cap *= 2;
	uint8_t *b = realloc(s->buf, cap);
	if (!b)
		return -1;
	s->buf = b;
	s->cap = cap;
	return 0;
}

/* Queue N converted samples already in the buffer; enforce --duration; write when due. */
static int commit(struct sink *s, int n, bool force)
{
	uint64_t before = atomic_load(&s->samples_out) + (s->len / 2);

	if (n > 0) {
		if (s->conn_samples == 0)
			status_set("playing");
		s->conn_samples += (uint64_t)n;
		s->last_audio_ns = eas_mono_ns();
	}
	s->len += (size_t)n * 2;
	if (s->limit && before + (uint64_t)n >= s->limit) {
		s->len -= (size_t)(before + (uint64_t)n - s->limit) * 2;
		int r = flush(s);
		return r ? r : END_DONE;
	}
	if (force || s->len >= FLUSH_BYTES || eas_mono_ns() - s->last_flush_ns >= FLUSH_NS ||
	    eas_sig_stop)
		return flush(s);
	return END_EOF;
}

static void free_swr(struct sink *s)
{
	swr_free(&s->swr);
	av_channel_layout_uninit(&s->in_layout);
}

/* Convert whatever the resampler still holds (end of a connection). */
static int drain(struct sink *s)
{
	if (!s->swr)
		return END_EOF;
	int want = swr_get_out_samples(s->swr, 0);
	if (want > 0 && reserve(s, (size_t)want * 2) == 0) {
		uint8_t *out = s->buf + s->len;
		int n = swr_convert(s->swr, &out, want, NULL, 0);
		if (n > 0)
			return commit(s, n, false);
	}
	return END_EOF;
}

static int setup(struct sink *s, enum AVSampleFormat fmt, const AVChannelLayout *layout, int rate)
{
	AVChannelLayout in = {0}, mono = AV_CHANNEL_LAYOUT_MONO;
	int r;

	if (layout->order == AV_CHANNEL_ORDER_UNSPEC || layout->nb_channels <= 0)
		av_channel_layout_default(&in, layout->nb_channels > 0 ? layout->nb_channels : 1);
	else if (av_channel_layout_copy(&in, layout) < 0)
		return -1;
	r = swr_alloc_set_opts2(&s->swr, &mono, AV_SAMPLE_FMT_S16, s->out_rate, &in, fmt, rate, 0,
	                        NULL);
	if (r >= 0)
		r = swr_init(s->swr);
	av_channel_layout_uninit(&in);
	if (r < 0) {
		char e[AV_ERROR_MAX_STRING_SIZE];
		av_strerror(r, e, sizeof e);
		log_error("cannot convert %d Hz %d-channel %s audio: %s", rate, layout->nb_channels,
		          av_get_sample_fmt_name(fmt), e);
		swr_free(&s->swr);
		return -1;
	}
	s->in_fmt = fmt;
	s->in_rate = rate;
	av_channel_layout_copy(&s->in_layout, layout);
	log_debug("converting %d Hz %d-channel %s to %d Hz mono s16", rate, layout->nb_channels,
	          av_get_sample_fmt_name(fmt), s->out_rate);
	return 0;
}

int sink_push(struct sink *s, const uint8_t *const *data, int nb, enum AVSampleFormat fmt,
              const AVChannelLayout *layout, int rate)
{
	int r;

	if (nb <= 0)
		return END_EOF;
	if (s->swr && (fmt != s->in_fmt || rate != s->in_rate ||
	               av_channel_layout_compare(layout, &s->in_layout) != 0)) {
		r = drain(s);
		free_swr(s);
		if (r)
			return r;
	}
	if (!s->swr && setup(s, fmt, layout, rate) < 0)
		return END_ERROR;
	int want = swr_get_out_samples(s->swr, nb);
	if (want < 0 || reserve(s, (size_t)want * 2) < 0) {
		log_error("out of memory");
		return END_ERROR;
	}
	uint8_t *out = s->buf + s->len;
	int n = swr_convert(s->swr, &out, want, (const uint8_t **)data, nb);
	if (n < 0) {
		log_error("resampling failed");
		return END_ERROR;
	}
	return commit(s, n, false);
}

int sink_end(struct sink *s)
{
	int r = drain(s);
	free_swr(s);
	if (r)
		return r;
	return flush(s);
}

void sink_free(struct sink *s)
{
	free_swr(s);
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}
