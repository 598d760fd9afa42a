/* src_alsa.c: eas-capture's ALSA source: opens a capture PCM with alsa-lib at what the device
 * offers (or --device-rate / --channels) and hands interleaved frames to the sink. */
#include "capture.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>

#include "log.h"

struct src_alsa {
	snd_pcm_t *pcm;
	enum AVSampleFormat avfmt;
	unsigned rate, channels;
	snd_pcm_uframes_t period;
	size_t frame_bytes;
	uint8_t *buf;
	AVChannelLayout layout;
	const char *name;
};

/* alsa-lib's own messages ("ALSA lib pcm.c:...") go to the project log at debug level. */
static void alsa_log(const char *file, int line, const char *func, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (eas_log_get_level() < EAS_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_debug("alsa-lib %s:%d (%s): %s%s%s", file, line, func, msg, err ? ": " : "",
	          err ? snd_strerror(err) : "");
}

static const struct {
	snd_pcm_format_t alsa;
	enum AVSampleFormat av;
} formats[] = {
    {SND_PCM_FORMAT_S16_LE, AV_SAMPLE_FMT_S16},
    {SND_PCM_FORMAT_S32_LE, AV_SAMPLE_FMT_S32},
    {SND_PCM_FORMAT_FLOAT_LE, AV_SAMPLE_FMT_FLT},
    {SND_PCM_FORMAT_U8, AV_SAMPLE_FMT_U8},
};

static const char *open_hint(int e)
{
	switch (e) {
	case -ENOENT:
	case -ENODEV:
	case -ENXIO:
		return " (no such capture device; `arecord -L` lists them)";
	case -EBUSY:
		return " (another program is using it; dsnoop can share a card)";
	case -EACCES:
	case -EPERM:
		return " (permission denied; is the user in the audio group?)";
	default:
		return "";
	}
}

static void src_alsa_close(struct src_alsa *a);

static int src_alsa_open(struct src_alsa **out, const struct cap_opts *o, char *err, size_t errlen)
{
	snd_pcm_hw_params_t *hw;
	struct src_alsa *a;
	const char *what = "";
	unsigned buffer_us = 500000, period_us = 50000;
	size_t i;
	int r;

	*out = NULL;
	snd_lib_error_set_handler(alsa_log);
	a = calloc(1, sizeof *a);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	a->name = o->input + strlen("alsa:");
	r = snd_pcm_open(&a->pcm, a->name, SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot open capture device: %s%s", o->input,
		         snd_strerror(r), open_hint(r));
		free(a);
		return r;
	}
	snd_pcm_hw_params_alloca(&hw);
	if ((r = snd_pcm_hw_params_any(a->pcm, hw)) < 0) {
		what = "no configuration";
		goto fail;
	}
	/* The device's own rates: libswresample converts, not the ALSA plug layer. */
	snd_pcm_hw_params_set_rate_resample(a->pcm, hw, 0);
	if ((r = snd_pcm_hw_params_set_access(a->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0) {
		what = "interleaved access";
		goto fail;
	}
	r = -EINVAL;
	for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (snd_pcm_hw_params_test_format(a->pcm, hw, formats[i].alsa) == 0) {
			r = snd_pcm_hw_params_set_format(a->pcm, hw, formats[i].alsa);
			break;
		}
	}
	if (r < 0) {
		what = "sample format (none of S16_LE, S32_LE, FLOAT_LE, U8)";
		goto fail;
	}
	a->avfmt = formats[i].av;
	a->channels = o->channels > 0 ? (unsigned)o->channels : 1;
	r = o->channels > 0 ? snd_pcm_hw_params_set_channels(a->pcm, hw, a->channels)
	                    : snd_pcm_hw_params_set_channels_near(a->pcm, hw, &a->channels);
	if (r < 0) {
		what = "channel count (try --channels)";
		goto fail;
	}
	a->rate = o->device_rate > 0 ? (unsigned)o->device_rate : (unsigned)o->rate;
	r = o->device_rate > 0 ? snd_pcm_hw_params_set_rate(a->pcm, hw, a->rate, 0)
	                       : snd_pcm_hw_params_set_rate_near(a->pcm, hw, &a->rate, NULL);
	if (r < 0) {
		what = "sample rate (try --device-rate)";
		goto fail;
	}
	snd_pcm_hw_params_set_buffer_time_near(a->pcm, hw, &buffer_us, NULL);
	snd_pcm_hw_params_set_period_time_near(a->pcm, hw, &period_us, NULL);
	if ((r = snd_pcm_hw_params(a->pcm, hw)) < 0) {
		what = "hardware parameters";
		goto fail;
	}
	snd_pcm_hw_params_get_period_size(hw, &a->period, NULL);
	if (a->period == 0)
		a->period = 1024;
	a->frame_bytes = (size_t)av_get_bytes_per_sample(a->avfmt) * a->channels;
	a->buf = malloc(a->period * a->frame_bytes);
	if (!a->buf) {
		r = -ENOMEM;
		what = "buffer";
		goto fail;
	}
	av_channel_layout_default(&a->layout, (int)a->channels);
	if ((r = snd_pcm_prepare(a->pcm)) < 0 || (r = snd_pcm_start(a->pcm)) < 0) {
		what = "start";
		goto fail;
	}
	status_info("alsa", snd_pcm_format_name(formats[i].alsa), (int)a->rate, (int)a->channels);
	log_info("%s: %s %u Hz %u ch, period %lu frames", o->input,
	         snd_pcm_format_name(formats[i].alsa), a->rate, a->channels,
	         (unsigned long)a->period);
	*out = a;
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot set up capture: %s: %s", o->input, what, snd_strerror(r));
	src_alsa_close(a);
	return r;
}

static void src_alsa_close(struct src_alsa *a)
{
	if (!a)
		return;
	if (a->pcm)
		snd_pcm_close(a->pcm);
	free(a->buf);
	av_channel_layout_uninit(&a->layout);
	free(a);
}

static int src_alsa_run(struct src_alsa *a, struct sink *s, const struct cap_opts *o, char *err,
                        size_t errlen)
{
	for (;;) {
		if (eas_sig_stop)
			return END_STOP;
		if (eas_sig_hup)
			return END_HUP;
		if (sink_timed_out(s)) {
			snprintf(err, errlen, "%s: no audio", o->input);
			return END_TIMEOUT;
		}
		snd_pcm_sframes_t n = snd_pcm_readi(a->pcm, a->buf, a->period);
		if (n == -EAGAIN) {
			/* Waits at most 200 ms so signals and --timeout are noticed. */
			int w = snd_pcm_wait(a->pcm, 200);
			if (w >= 0)
				continue;
			n = w;
		}
		if (n == -EPIPE || n == -ESTRPIPE || n == -EINTR) {
			if (n == -EPIPE)
				log_warn("%s: overrun, samples lost", o->input);
			int r = snd_pcm_recover(a->pcm, (int)n, 1);
			if (r >= 0 && snd_pcm_state(a->pcm) == SND_PCM_STATE_PREPARED)
				r = snd_pcm_start(a->pcm);
			if (r >= 0)
				continue;
			n = r;
		}
		if (n < 0) {
			snprintf(err, errlen, "%s: capture failed: %s", o->input,
			         snd_strerror((int)n));
			return END_ERROR;
		}
		const uint8_t *planes[1] = {a->buf};
		int e = sink_push(s, planes, (int)n, a->avfmt, &a->layout, (int)a->rate);
		if (e != END_EOF)
			return e;
	}
}

/* ---- the table row ---- */

static int alsa_match(const char *input)
{
	return strncmp(input, "alsa:", 5) == 0 ? CAP_ALSA : -1;
}

static int alsa_check(const struct cap_opts *o, char *msg, size_t len)
{
	if (!o->input[5])
		snprintf(msg, len, "'%s': no ALSA PCM name after alsa:", o->input);
	else if (o->raw_rate)
		snprintf(msg, len, "--raw does not apply to ALSA input");
	else
		return 0;
	return -1;
}

static int alsa_open(void **h, const struct cap_opts *o, struct sink *s, char *err, size_t errlen)
{
	struct src_alsa *a = NULL;
	(void)s;
	int r = src_alsa_open(&a, o, err, errlen);
	*h = a;
	return r;
}

static int alsa_run(void *h, struct sink *s, const struct cap_opts *o, char *err, size_t errlen)
{
	return src_alsa_run(h, s, o, err, errlen);
}

static void alsa_close(void *h)
{
	src_alsa_close(h);
}

const struct cap_source cap_src_alsa = {"alsa",    alsa_match, alsa_check,
                                        alsa_open, alsa_run,   alsa_close};
