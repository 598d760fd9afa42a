/* src_av.c: eas-capture's libavformat/libavcodec sources: files, stdin, network URLs (Icecast,
 * HLS, RTSP...) and .m3u/.pls playlists, decoded frame by frame into the sink. */
#include "capture.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "log.h"
#include "playlist.h"
#include "version.h" /* EAS_VERSION, made by the Makefile */

#define NET_STALL_NS    (15 * 1000000000LL) /* a network read or open that hangs this long fails */
#define PLAYLIST_MAX    (256 * 1024)
#define MAX_BAD_PACKETS 200 /* consecutive undecodable packets before giving up on a connection */

struct src_av {
	AVFormatContext *fmt;
	AVCodecContext *dec;
	AVPacket *pkt;
	AVFrame *frame;
	int stream;
	bool live;
	int64_t deadline_ns; /* network stall deadline, 0 = none */
	bool stalled;        /* the interrupt callback fired for the deadline (sticky) */
	bool gave_up;        /* ... for --timeout */
	bool hup_reopens;    /* SIGHUP ends the connection (network); else it is ignored */
	bool raw;            /* --raw: headerless s16le */
	const char *input;   /* the SOURCE argument, for messages */
	struct sink *sink;
};

/* ---- libav logging through the project logger ---- */

static pthread_mutex_t avlog_mu = PTHREAD_MUTEX_INITIALIZER;
static char avlog_last[512]; /* libav's last error message, kept even when its log is silent */

/* Take (and clear) libav's last error message into BUF; false when there is none. */
static bool avlog_take_error(char *buf, size_t len)
{
	pthread_mutex_lock(&avlog_mu);
	bool have = avlog_last[0] != '\0';
	if (have)
		snprintf(buf, len, "%s", avlog_last);
	avlog_last[0] = '\0';
	pthread_mutex_unlock(&avlog_mu);
	return have;
}

static void avlog_cb(void *avcl, int level, const char *fmt, va_list vl)
{
	static int prefix = 1;
	static char line[1024];
	static size_t len;
	char part[1024];

	if (level <= AV_LOG_ERROR) {
		/* Remembered for why(): libav's errors often say more than the AVERROR code
		 * ("Failed to resolve hostname x: Name or service not known" behind EIO). */
		va_list vc;
		int pfx = 0;
		va_copy(vc, vl);
		pthread_mutex_lock(&avlog_mu);
		av_log_format_line2(NULL, level, fmt, vc, avlog_last, sizeof avlog_last, &pfx);
		avlog_last[strcspn(avlog_last, "\r\n")] = '\0';
		pthread_mutex_unlock(&avlog_mu);
		va_end(vc);
	}
	if (level > av_log_get_level())
		return;
	pthread_mutex_lock(&avlog_mu);
	av_log_format_line2(avcl, level, fmt, vl, part, sizeof part, &prefix);
	size_t n = strlen(part);
	if (len + n >= sizeof line)
		n = sizeof line - 1 - len;
	memcpy(line + len, part, n);
	len += n;
	line[len] = '\0';
	if (len > 0 && (line[len - 1] == '\n' || len == sizeof line - 1)) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		int lv = level <= AV_LOG_ERROR     ? EAS_LOG_WARN
		         : level <= AV_LOG_WARNING ? EAS_LOG_INFO
		                                   : EAS_LOG_DEBUG;
		if (len)
			eas_log(lv, "libav: %s", line);
		len = 0;
	}
	pthread_mutex_unlock(&avlog_mu);
}

void src_av_log_setup(int verbose)
{
	av_log_set_level(verbose <= 0   ? AV_LOG_QUIET
	                 : verbose == 1 ? AV_LOG_WARNING
	                 : verbose == 2 ? AV_LOG_VERBOSE
	                                : AV_LOG_DEBUG);
	av_log_set_callback(avlog_cb);
}

/* ---- classification (playlists: playlist.c) ---- */

/* Read a local file whole (for classification); NULL on failure. */
static char *slurp_local(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(PLAYLIST_MAX + 1);
	size_t n = buf ? fread(buf, 1, PLAYLIST_MAX, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* What kind of source INPUT names: CAP_STDIN, CAP_NET (a URL, or a local playlist whose first
 * entry is one) or CAP_FILE. */
static enum cap_kind src_av_classify(const char *input)
{
	if (strcmp(input, "-") == 0)
		return CAP_STDIN;
	if (cap_is_network_url(input))
		return CAP_NET;
	if (cap_is_playlist(input) && !cap_is_url(input)) {
		char *text = slurp_local(input);
		int n = 0;
		char **v =
		    text && !strstr(text, "#EXT-X-") ? cap_playlist_parse(text, input, &n) : NULL;
		bool net = n > 0 && cap_is_network_url(v[0]);
		cap_list_free(v);
		free(text);
		if (net)
			return CAP_NET;
	}
	return CAP_FILE;
}

/* ---- opening ---- */

static int interrupt_cb(void *opaque)
{
	struct src_av *a = opaque;

	if (eas_sig_stop || (eas_sig_hup && a->hup_reopens))
		return 1;
	if (a->deadline_ns && eas_mono_ns() > a->deadline_ns) {
		a->stalled = true;
		return 1;
	}
	if (a->sink && sink_timed_out(a->sink)) {
		a->gave_up = true;
		return 1;
	}
	return 0;
}

/* Start the stall deadline of a network read.  (A stall is never cleared: libavformat keeps the
 * interrupted I/O context's error and returns it again from later reads.) */
static void arm(struct src_av *a)
{
	a->deadline_ns = a->live ? eas_mono_ns() + NET_STALL_NS : 0;
	pthread_mutex_lock(&avlog_mu); /* an error logged from now on is this call's */
	avlog_last[0] = '\0';
	pthread_mutex_unlock(&avlog_mu);
}

static void av_err(int r, char *buf, size_t len)
{
	char e[AV_ERROR_MAX_STRING_SIZE];
	av_strerror(r, e, sizeof e);
	snprintf(buf, len, "%s", e);
}

/* Reason text for a failed libav call that may have been interrupted. */
static void why(const struct src_av *a, int r, const char *what, const char *url, char *err,
                size_t errlen)
{
	char e[512];

	if (r == AVERROR(EIO) && avlog_take_error(e, sizeof e) && strstr(e, "resolve"))
		; /* "Failed to resolve hostname ...": say so, not "Input/output error" */
	else if (r == AVERROR_EXIT && a->stalled)
		snprintf(e, sizeof e, "no data for %d s", (int)(NET_STALL_NS / 1000000000LL));
	else if (r == AVERROR_EXIT && a->gave_up)
		snprintf(e, sizeof e, "timed out");
	else if (r == AVERROR_EXIT)
		snprintf(e, sizeof e, "interrupted");
	else if (r == AVERROR_INVALIDDATA)
		snprintf(e, sizeof e, "unknown or unsupported format");
	else
		av_err(r, e, sizeof e);
	snprintf(err, errlen, "%s%s%s: %s", what, *what ? " " : "", url, e);
}

/* Read the whole of the playlist at URL through avio (file or network). */
static char *slurp_avio(struct src_av *a, const char *url, char *err, size_t errlen)
{
	AVIOInterruptCB icb = {interrupt_cb, a};
	AVIOContext *pb = NULL;
	AVDictionary *opts = NULL;
	char *buf = NULL;
	int r, len = 0;

	av_dict_set(&opts, "user_agent", "eas-capture/" EAS_VERSION, 0);
	arm(a);
	r = avio_open2(&pb, url, AVIO_FLAG_READ, &icb, &opts);
	av_dict_free(&opts);
	if (r < 0) {
		why(a, r, "cannot open playlist", url, err, errlen);
		return NULL;
	}
	buf = malloc(PLAYLIST_MAX + 1);
	while (buf && len < PLAYLIST_MAX) {
		arm(a);
		r = avio_read(pb, (unsigned char *)buf + len, PLAYLIST_MAX - len);
		if (r <= 0)
			break;
		len += r;
	}
	avio_closep(&pb);
	if (!buf || (r < 0 && r != AVERROR_EOF)) {
		why(a, buf ? r : AVERROR(ENOMEM), "cannot read playlist", url, err, errlen);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static void close_input(struct src_av *a)
{
	avcodec_free_context(&a->dec);
	avformat_close_input(&a->fmt);
}

static int open_one(struct src_av *a, const struct cap_opts *o, const char *url, char *err,
                    size_t errlen)
{
	const AVInputFormat *ifmt = NULL;
	AVDictionary *opts = NULL;
	const AVCodec *codec = NULL;
	char tmp[32];
	int r;

	a->live = cap_is_network_url(url);
	a->fmt = avformat_alloc_context();
	if (!a->fmt)
		return AVERROR(ENOMEM);
	a->fmt->interrupt_callback.callback = interrupt_cb;
	a->fmt->interrupt_callback.opaque = a;
	if (a->live)
		av_dict_set(&opts, "user_agent", "eas-capture/" EAS_VERSION, 0);
	if (o->raw_rate) {
		ifmt = av_find_input_format("s16le");
		snprintf(tmp, sizeof tmp, "%d", o->raw_rate);
		av_dict_set(&opts, "sample_rate", tmp, 0);
		snprintf(tmp, sizeof tmp, "%dc", o->channels > 0 ? o->channels : 1);
		av_dict_set(&opts, "ch_layout", tmp, 0);
	}
	arm(a);
	r = avformat_open_input(&a->fmt, strcmp(url, "-") == 0 ? "pipe:0" : url, ifmt, &opts);
	av_dict_free(&opts);
	if (r < 0) {
		why(a, r, "cannot open", url, err, errlen);
		return r;
	}
	arm(a);
	r = avformat_find_stream_info(a->fmt, NULL);
	if (r < 0) {
		why(a, r, "cannot read", url, err, errlen);
		goto fail;
	}
	r = av_find_best_stream(a->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
	if (r == AVERROR_DECODER_NOT_FOUND) {
		int i = av_find_best_stream(a->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
		snprintf(err, errlen, "%s: no decoder for the %s audio", url,
		         i >= 0 ? avcodec_get_name(a->fmt->streams[i]->codecpar->codec_id) : "?");
		goto fail;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: no audio stream in the %s input", url,
		         a->fmt->iformat->name);
		r = AVERROR_STREAM_NOT_FOUND;
		goto fail;
	}
	a->stream = r;
	for (unsigned i = 0; i < a->fmt->nb_streams; i++)
		if ((int)i != a->stream)
			a->fmt->streams[i]->discard = AVDISCARD_ALL;
	AVStream *st = a->fmt->streams[a->stream];
	a->dec = avcodec_alloc_context3(codec);
	if (!a->dec) {
		r = AVERROR(ENOMEM);
		goto fail_msg;
	}
	r = avcodec_parameters_to_context(a->dec, st->codecpar);
	if (r < 0)
		goto fail_msg;
	a->dec->pkt_timebase = st->time_base;
	r = avcodec_open2(a->dec, codec, NULL);
	if (r < 0)
		goto fail_msg;
	status_info(a->fmt->iformat->name, codec->name, a->dec->sample_rate,
	            a->dec->ch_layout.nb_channels);
	log_info("%s: %s, %s %d Hz %d ch", url, a->fmt->iformat->name, codec->name,
	         a->dec->sample_rate, a->dec->ch_layout.nb_channels);
	return 0;
fail_msg:
	why(a, r, "cannot decode", url, err, errlen);
fail:
	close_input(a);
	return r < 0 ? r : AVERROR(EINVAL);
}

static void src_av_close(struct src_av *a);

static int src_av_open(struct src_av **out, const struct cap_opts *o, struct sink *s, char *err,
                       size_t errlen)
{
	struct src_av *a = calloc(1, sizeof *a);
	int r;

	*out = NULL;
	if (!a || !(a->pkt = av_packet_alloc()) || !(a->frame = av_frame_alloc())) {
		snprintf(err, errlen, "out of memory");
		if (a) {
			av_packet_free(&a->pkt);
			free(a);
		}
		return AVERROR(ENOMEM);
	}
	a->sink = s;
	a->raw = o->raw_rate > 0;
	a->input = o->input;
	a->live = cap_is_network_url(o->input);
	a->hup_reopens = o->kind == CAP_NET;
	if (!o->raw_rate && cap_is_playlist(o->input)) {
		char *text = slurp_avio(a, o->input, err, errlen);
		char **v = NULL;
		int n = 0;
		if (!text) {
			r = AVERROR(EIO);
		} else if (strstr(text, "#EXT-X-")) {
			/* HLS: libavformat plays it itself. */
			free(text);
			r = open_one(a, o, o->input, err, errlen);
			if (r < 0)
				goto fail;
			goto ok;
		} else {
			v = cap_playlist_parse(text, o->input, &n);
			r = AVERROR(EINVAL);
			snprintf(err, errlen, "%s: playlist has no entries", o->input);
		}
		free(text);
		for (int i = 0; i < n; i++) {
			char e[512];
			r = open_one(a, o, v[i], e, sizeof e);
			if (r == 0) {
				log_info("%s: playing entry %d, %s", o->input, i + 1, v[i]);
				break;
			}
			log_warn("%s: entry %d: %s", o->input, i + 1, e);
			snprintf(err, errlen, "%s: no working entry (last: %s)", o->input, e);
			if (r == AVERROR_EXIT)
				break;
		}
		cap_list_free(v);
		if (r < 0)
			goto fail;
	} else {
		r = open_one(a, o, o->input, err, errlen);
		if (r < 0)
			goto fail;
	}
ok:
	*out = a;
	return 0;
fail:
	src_av_close(a);
	return r;
}

static void src_av_close(struct src_av *a)
{
	if (!a)
		return;
	close_input(a);
	av_frame_free(&a->frame);
	av_packet_free(&a->pkt);
	free(a);
}

/* ---- decoding ---- */

/* Pull every frame the decoder has ready into the sink. */
static int receive(struct src_av *a, struct sink *s, char *err, size_t errlen)
{
	for (;;) {
		int r = avcodec_receive_frame(a->dec, a->frame);
		if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
			return END_EOF;
		if (r == AVERROR_INVALIDDATA && a->raw) {
			/* the s16le demuxer's last packet is the odd byte (decode's wording) */
			snprintf(err, errlen,
			         "%s: input ended in the middle of a sample (odd byte count); last "
			         "byte ignored",
			         a->input);
			return END_ERROR;
		}
		if (r < 0) {
			why(a, r, "decoding", a->input, err, errlen);
			return END_ERROR;
		}
		int rate = a->frame->sample_rate > 0 ? a->frame->sample_rate : a->dec->sample_rate;
		int e =
		    sink_push(s, (const uint8_t *const *)a->frame->extended_data,
		              a->frame->nb_samples, a->frame->format, &a->frame->ch_layout, rate);
		av_frame_unref(a->frame);
		if (e != END_EOF)
			return e;
	}
}

static int interrupted(const struct src_av *a)
{
	if (eas_sig_stop)
		return END_STOP;
	if (eas_sig_hup && a->hup_reopens)
		return END_HUP;
	if (a->gave_up)
		return END_TIMEOUT;
	return END_ERROR;
}

static int src_av_run(struct src_av *a, struct sink *s, const struct cap_opts *o, char *err,
                      size_t errlen)
{
	int bad = 0;

	for (;;) {
		if (eas_sig_stop)
			return END_STOP;
		if (eas_sig_hup) {
			if (a->hup_reopens)
				return END_HUP;
			eas_sig_hup = 0;
			log_info("SIGHUP: nothing to reopen for %s", o->input);
		}
		arm(a);
		int r = av_read_frame(a->fmt, a->pkt);
		if (r == AVERROR(EAGAIN)) {
			struct timespec ts = {0, 10000000};
			nanosleep(&ts, NULL);
			continue;
		}
		if (r < 0 && r != AVERROR_EOF) {
			why(a, r, "reading", o->input, err, errlen);
			if (r == AVERROR_EXIT)
				return interrupted(a);
			/* A broken file still hands its last frames to the decoder. */
			avcodec_send_packet(a->dec, NULL);
			int e = receive(a, s, err, errlen);
			return e != END_EOF ? e : END_ERROR;
		}
		if (r == AVERROR_EOF) {
			avcodec_send_packet(a->dec, NULL);
			int e = receive(a, s, err, errlen);
			if (e == END_EOF)
				snprintf(err, errlen, "%s: end of stream", o->input);
			return e;
		}
		if (a->pkt->stream_index != a->stream) {
			av_packet_unref(a->pkt);
			continue;
		}
		r = avcodec_send_packet(a->dec, a->pkt);
		av_packet_unref(a->pkt);
		if (r < 0 && r != AVERROR(EAGAIN)) {
			char e[AV_ERROR_MAX_STRING_SIZE];
			av_err(r, e, sizeof e);
			log_debug("%s: skipping a packet: %s", o->input, e);
			if (++bad >= MAX_BAD_PACKETS) {
				snprintf(err, errlen, "%s: %d undecodable packets in a row (%s)",
				         o->input, bad, e);
				return END_ERROR;
			}
			continue;
		}
		bad = 0;
		int e = receive(a, s, err, errlen);
		if (e != END_EOF)
			return e;
	}
}

/* ---- the table row ---- */

static int av_match(const char *input)
{
	return (int)src_av_classify(input);
}

static int av_check(const struct cap_opts *o, char *msg, size_t len)
{
	if (o->device_rate)
		snprintf(msg, len, "--device-rate applies to ALSA input only");
	else if (o->channels && !o->raw_rate)
		snprintf(msg, len, "--channels applies to ALSA or --raw input only");
	else
		return 0;
	return -1;
}

static int av_open(void **h, const struct cap_opts *o, struct sink *s, char *err, size_t errlen)
{
	struct src_av *a = NULL;
	int r = src_av_open(&a, o, s, err, errlen);
	*h = a;
	return r;
}

static int av_run(void *h, struct sink *s, const struct cap_opts *o, char *err, size_t errlen)
{
	return src_av_run(h, s, o, err, errlen);
}

static void av_close(void *h)
{
	src_av_close(h);
}

const struct cap_source cap_src_av = {"libav", av_match, av_check, av_open, av_run, av_close};
