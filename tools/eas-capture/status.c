/* status.c: eas-capture's --status-fd: one JSON line at every change of state and every 5 s,
 * written by a small thread so that a blocked source read does not stop the heartbeat. */
#include "capture.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lines.h"
#include "log.h"
#include "timeutil.h"

#define STATUS_INTERVAL_S 5

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running, quit;
	int fd;
	const struct cap_opts *o;
	struct sink *sink;
	const char *state;
	char last_error[512];
	char format[64], codec[64];
	int in_rate, in_channels;
	unsigned long reconnects;
	struct eas_json j;
} st = {.mu = PTHREAD_MUTEX_INITIALIZER, .fd = -1, .state = "connecting"};

/* Called with the mutex held. */
static void write_line(void)
{
	uint64_t samples;

	if (st.fd < 0)
		return;
	samples = atomic_load(&st.sink->samples_out);
	struct eas_line_capture_info c = {
	    .time_ms = eas_now_ms(),
	    .source = st.o->source,
	    .input = st.o->input,
	    .state = st.state,
	    .reconnects = st.reconnects,
	    .samples_out = samples,
	    .rate = st.o->rate,
	    .format = st.format,
	    .codec = st.codec,
	    .input_rate = st.in_rate,
	    .input_channels = st.in_channels,
	    .last_error = st.last_error,
	};
	eas_line_capture(&st.j, &c);
	if (st.j.oom)
		return;
	/* One write per line, so a reader never sees half a line. */
	struct iovec iov[2] = {{st.j.buf, st.j.len}, {"\n", 1}};
	size_t total = st.j.len + 1;
	for (;;) {
		ssize_t n = writev(st.fd, iov, 2);
		if (n >= 0 && (size_t)n == total)
			return;
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) { /* short write to a pipe: finish it plainly */
			size_t off = (size_t)n;
			while (off < st.j.len) {
				ssize_t m = write(st.fd, st.j.buf + off, st.j.len - off);
				if (m <= 0 && errno != EINTR)
					break;
				off += m > 0 ? (size_t)m : 0;
			}
			if (off >= st.j.len && write(st.fd, "\n", 1) == 1)
				return;
		}
		if (n < 0)
			log_warn_errno("status fd %d: no more status lines", st.fd);
		else
			log_warn("status fd %d: no more status lines: short write", st.fd);
		st.fd = -1;
		return;
	}
}

static void *heartbeat(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&st.mu);
	while (!st.quit) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += STATUS_INTERVAL_S;
		int r = 0;
		while (!st.quit && r != ETIMEDOUT)
			r = pthread_cond_timedwait(&st.cv, &st.mu, &ts);
		if (!st.quit)
			write_line();
	}
	pthread_mutex_unlock(&st.mu);
	return NULL;
}

void status_start(const struct cap_opts *o, struct sink *s)
{
	pthread_condattr_t ca;
	sigset_t all, old;

	st.o = o;
	st.sink = s;
	st.fd = o->status_fd;
	eas_json_init(&st.j);
	if (st.fd < 0)
		return;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st.cv, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals go to the main thread, whose blocking calls they must interrupt. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&st.thread, NULL, heartbeat, NULL) == 0)
		st.running = true;
	else
		log_warn("cannot start the status thread; status lines only at changes of state");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void status_set(const char *state)
{
	pthread_mutex_lock(&st.mu);
	st.state = state;
	write_line();
	if (st.running)
		pthread_cond_signal(&st.cv); /* restart the 5 s interval */
	pthread_mutex_unlock(&st.mu);
}

void status_error(const char *msg)
{
	pthread_mutex_lock(&st.mu);
	snprintf(st.last_error, sizeof st.last_error, "%s", msg ? msg : "");
	pthread_mutex_unlock(&st.mu);
}

void status_info(const char *format, const char *codec, int rate, int channels)
{
	pthread_mutex_lock(&st.mu);
	snprintf(st.format, sizeof st.format, "%s", format ? format : "");
	snprintf(st.codec, sizeof st.codec, "%s", codec ? codec : "");
	st.in_rate = rate;
	st.in_channels = channels;
	pthread_mutex_unlock(&st.mu);
}

void status_reconnect(void)
{
	pthread_mutex_lock(&st.mu);
	st.reconnects++;
	pthread_mutex_unlock(&st.mu);
}

void status_stop(void)
{
	if (st.running) {
		pthread_mutex_lock(&st.mu);
		st.quit = true;
		pthread_cond_signal(&st.cv);
		pthread_mutex_unlock(&st.mu);
		pthread_join(st.thread, NULL);
		st.running = false;
		pthread_cond_destroy(&st.cv);
	}
	eas_json_free(&st.j);
}
