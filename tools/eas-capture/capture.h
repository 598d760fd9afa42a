/* capture.h: the parts of eas-capture shared between its files: options, the PCM sink, sources,
 * the status writer. */
#ifndef EAS_CAPTURE_H
#define EAS_CAPTURE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libavutil/channel_layout.h>
#include <libavutil/samplefmt.h>

#include "signals.h"  /* eas_sig_stop (end cleanly), eas_sig_hup (reconnect / reopen) */
#include "timeutil.h" /* eas_mono_ns, the one monotonic clock */

struct SwrContext;

/* What SOURCE names. */
enum cap_kind {
	CAP_FILE,  /* a local file or playlist of files */
	CAP_STDIN, /* "-" */
	CAP_NET,   /* a URL (or a playlist whose entry is one): live, reconnects forever */
	CAP_ALSA,  /* "alsa:NAME" */
};

struct cap_source;

struct cap_opts {
	const char *input;  /* the SOURCE argument */
	const char *source; /* monitor name, -s */
	enum cap_kind kind;
	const struct cap_source *src; /* the source kind that takes INPUT */
	int rate;                     /* output rate, -r */
	int device_rate;              /* ALSA capture rate, 0 = let the device choose */
	int channels;                 /* ALSA / raw channel count, 0 = default */
	int raw_rate;                 /* --raw RATE, 0 = probe */
	bool realtime, loop, no_reconnect;
	double duration; /* seconds of output, 0 = unlimited */
	double timeout;  /* seconds without audio before exit 3, 0 = never */
	int status_fd;   /* -1 = none */
};

/* Why a source stopped delivering audio (returned by the src_*_run functions). */
enum cap_end {
	END_EOF = 0,  /* the input ended */
	END_ERROR,    /* an error; the message is in the error buffer */
	END_STOP,     /* SIGTERM/SIGINT */
	END_HUP,      /* SIGHUP */
	END_DONE,     /* --duration reached */
	END_EPIPE,    /* stdout closed by the reader */
	END_WRITEERR, /* stdout write failed otherwise */
	END_TIMEOUT,  /* --timeout without audio */
};

/* The PCM sink: converts whatever a source delivers to s16le mono at the output rate and
 * writes it to stdout, paced (--realtime) and limited (--duration). */
struct sink {
	int out_rate;
	bool realtime;
	uint64_t limit; /* output samples allowed in all, 0 = unlimited */

	struct SwrContext *swr;
	enum AVSampleFormat in_fmt;
	AVChannelLayout in_layout;
	int in_rate;

	uint8_t *buf; /* pending output, whole samples */
	size_t len, cap;
	int64_t last_flush_ns;

	_Atomic uint64_t
	    samples_out;       /* samples written to stdout in all (read by the status thread) */
	uint64_t conn_samples; /* samples produced since the last sink_begin() */
	int64_t pace_t0_ns;    /* monotonic time of the first sample of this connection */
	uint64_t pace_s0;      /* samples_out at that time */
	int64_t last_audio_ns; /* monotonic time audio was last produced */
	int64_t timeout_ns;    /* --timeout, 0 = never */
	int err;               /* errno of a failed write */
};

void sink_init(struct sink *s, int out_rate, bool realtime, double duration, double timeout);
/* True when --timeout is set and no audio came for that long. */
bool sink_timed_out(const struct sink *s);
/* Start of a new connection: restart pacing and the connection sample count (not --timeout). */
void sink_begin(struct sink *s);
/* Convert and queue NB samples (planar or interleaved as FMT says) and write when enough is
 * pending.  Returns END_EOF (0) to go on, or END_DONE, END_EPIPE, END_WRITEERR, END_ERROR. */
int sink_push(struct sink *s, const uint8_t *const *data, int nb, enum AVSampleFormat fmt,
              const AVChannelLayout *layout, int rate);
/* Drain the resampler and write everything pending; frees the resampler. Same returns. */
int sink_end(struct sink *s);
void sink_free(struct sink *s);

/* Status lines on --status-fd. */
void status_start(const struct cap_opts *o, struct sink *s);
void status_set(const char *state); /* change state, write a line */
void status_error(const char *msg); /* remember the last error (NULL clears nothing) */
void status_info(const char *format, const char *codec, int rate, int channels);
void status_reconnect(void); /* count one reconnect */
void status_stop(void);      /* final line already written; stop the thread */

/*
 * One kind of audio source.  Each src_*.c defines one (cap_src_NAME) and the table sources[] in
 * eas-capture.c lists it, so a new kind (PulseAudio, JACK, an SDR) is one file and one row.
 */
struct cap_source {
	const char *name; /* "alsa", "libav" */
	/* What INPUT (the SOURCE argument) is when this source takes it (an enum cap_kind), or -1.
	 * The table is tried in order; the first that takes INPUT wins. */
	int (*match)(const char *input);
	/* Options this kind does not allow: -1 with the usage message in MSG, else 0.  May be NULL. */
	int (*check)(const struct cap_opts *o, char *msg, size_t len);
	/* Open the input into *H.  Returns 0, or a negative code with a message in ERR. */
	int (*open)(void **h, const struct cap_opts *o, struct sink *s, char *err, size_t errlen);
	/* Deliver audio into the sink until the input ends, fails or is interrupted; returns an
	 * enum cap_end (END_ERROR with a message in ERR). */
	int (*run)(void *h, struct sink *s, const struct cap_opts *o, char *err, size_t errlen);
	void (*close)(void *h); /* H may be NULL */
};

/* libavformat (src_av.c): files, stdin, URLs, playlists (a .m3u/.pls resolves to its first entry
 * that opens).  Blocking network I/O is interrupted by signals, by a 15 s stall and by the sink's
 * --timeout.  Takes any input, so it is the table's last row. */
extern const struct cap_source cap_src_av;
/* Route libav's log through the project logger at the given -v level. */
void src_av_log_setup(int verbose);

/* ALSA capture (src_alsa.c): "alsa:NAME". */
extern const struct cap_source cap_src_alsa;

#endif
