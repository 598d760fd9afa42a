/* eas-capture.c: any audio source (ALSA, network stream, file, stdin) to a steady s16le mono PCM
 * stream on stdout, reconnecting live sources forever.  Options, signals and the main loop. */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <alsa/asoundlib.h>

#include "backoff.h"
#include "exitcode.h"
#include "log.h"
#include "optparse.h"
#include "source.h"
#include "version.h" /* EAS_VERSION, made by the Makefile */

#define BACKOFF_MIN_MS 500   /* reconnect delays double from this... */
#define BACKOFF_MAX_MS 30000 /* ...up to this, exactly (no jitter: one client per source) */
#define GOOD_RESET_S   60    /* a connection that gave this much audio resets the backoff */

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: eas-capture [options] SOURCE\n"
	        "Read an audio source and write signed 16-bit little-endian mono PCM to stdout.\n"
	        "\n"
	        "SOURCE is one of:\n"
	        "  alsa:NAME            ALSA capture PCM (alsa:hw:1,0, alsa:default, ...)\n"
	        "  http(s)://, rtsp://, ...  network stream (Icecast/SHOUTcast, HLS, RTSP);\n"
	        "                       live: reconnects forever\n"
	        "  FILE                 any file FFmpeg can read (WAV, FLAC, Ogg, MP3, AAC, Opus)\n"
	        "  LIST.m3u, LIST.pls   playlist: its first entry that opens\n"
	        "  -                    standard input (probed, or raw with --raw)\n"
	        "\n"
	        "options:\n"
	        "  -r, --rate HZ        output sample rate, %d..%d (default %d)\n"
	        "  -s, --source NAME    monitor name for status lines, 1 to 64 printable\n"
	        "                       characters (default the host name)\n"
	        "      --device-rate HZ ALSA: capture at this rate (default: nearest to -r)\n"
	        "      --channels N     ALSA / --raw: channel count (default 1, or the device's)\n"
	        "      --raw RATE       input is headerless s16le at RATE Hz (--channels N)\n"
	        "      --realtime       pace file input at real time\n"
	        "      --loop           start a file again at its end\n"
	        "      --duration S     stop after S seconds of output\n"
	        "      --timeout S      exit 3 when no audio came for S seconds\n"
	        "      --no-reconnect   network: give up at the first error or end of stream\n"
	        "      --status-fd N    write JSON status lines to file descriptor N\n"
	        "  -v, --verbose        more log on stderr (repeat for more)\n"
	        "  -h, --help           this help\n"
	        "      --version        print the version\n"
	        "\n"
	        "exit status: 0 end of file, --duration, SIGTERM/SIGINT or stdout closed;\n"
	        "1 runtime failure; 2 usage; 3 --timeout without audio.  SIGHUP reconnects.\n",
	        EAS_RATE_MIN, EAS_RATE_MAX, EAS_RATE_DEFAULT);
}

static bool parse_int(const char *s, long lo, long hi, int *out)
{
	long v;
	if (eas_parse_long(s, lo, hi, &v) < 0)
		return false;
	*out = (int)v;
	return true;
}

/* Seconds: more than 0, at most 1e9. */
static bool parse_seconds(const char *s, double *out)
{
	double v;
	if (eas_parse_double(s, 0, 1e9, &v) < 0 || v <= 0)
		return false;
	*out = v;
	return true;
}

/* Sleep SECONDS unless a signal or --timeout cuts it short. */
static void backoff_sleep(double seconds, const struct sink *s)
{
	int64_t end = eas_mono_ns() + (int64_t)(seconds * 1e9);
	while (!eas_sig_stop && !eas_sig_hup && !sink_timed_out(s)) {
		int64_t left = end - eas_mono_ns();
		if (left <= 0)
			break;
		if (left > 100000000)
			left = 100000000;
		struct timespec ts = {0, (long)left};
		nanosleep(&ts, NULL);
	}
}

static int finish(const char *state, int code)
{
	status_set(state);
	return code;
}

/* The kinds of source, tried in order: the first whose match() takes SOURCE reads it.  libav takes
 * anything, so it comes last. */
static const struct cap_source *const sources[] = {&cap_src_alsa, &cap_src_av};

static int capture(const struct cap_opts *o, struct sink *s)
{
	bool live = o->kind == CAP_NET || o->kind == CAP_ALSA;
	bool retry = (o->kind == CAP_NET && !o->no_reconnect) || o->kind == CAP_ALSA;
	bool opened_once = false;
	struct eas_backoff bo;
	unsigned failures = 0;
	char err[1024] = "";

	eas_backoff_init(&bo, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
	bo.jitter = false;
	status_set("connecting");
	for (bool first = true;; first = false) {
		void *h = NULL;
		int r;

		if (eas_sig_stop)
			return finish("stopped", EAS_EXIT_OK);
		if (sink_timed_out(s)) {
			log_error("%s: no audio for %g s, giving up%s%s", o->input, o->timeout,
			          err[0] ? "; last error: " : "", err);
			status_error("timeout");
			return finish("failed", EAS_EXIT_TIMEOUT);
		}
		if (!first)
			status_reconnect();
		eas_sig_hup = 0;
		err[0] = '\0';
		sink_begin(s);
		r = o->src->open(&h, o, s, err, sizeof err);
		if (r < 0) {
			if (eas_sig_stop)
				return finish("stopped", EAS_EXIT_OK);
			status_error(err);
			if (sink_timed_out(s)) {
				log_error("%s; no audio for %g s, giving up", err, o->timeout);
				return finish("failed", EAS_EXIT_TIMEOUT);
			}
			/* A live URL is retried even at start; an ALSA device must exist at start.
			 */
			if (!retry || (o->kind == CAP_ALSA && !opened_once)) {
				log_error("%s", err);
				return finish("failed", EAS_EXIT_FAIL);
			}
			if (eas_sig_hup)
				continue;
			failures++;
			double delay = eas_backoff_fail(&bo, eas_mono_ms()) / 1000.0;
			log_warn("%s; retrying in %.1f s (attempt %u)", err, delay, failures);
			status_set("reconnecting");
			backoff_sleep(delay, s);
			continue;
		}
		if (failures)
			log_warn("%s: connected again after %u failed attempt%s", o->input,
			         failures, failures == 1 ? "" : "s");
		failures = 0;
		opened_once = true;
		r = o->src->run(h, s, o, err, sizeof err);
		if (r != END_EPIPE && r != END_WRITEERR) {
			int e = sink_end(s);
			if (e != END_EOF && r != END_DONE)
				r = e;
		}
		o->src->close(h);
		if (s->conn_samples >= (uint64_t)GOOD_RESET_S * (uint64_t)o->rate)
			eas_backoff_reset(&bo);

		switch (r) {
		case END_DONE:
		case END_STOP:
			return finish("stopped", EAS_EXIT_OK);
		case END_EPIPE:
			log_info("stdout closed by the reader; stopping");
			return finish("stopped", EAS_EXIT_OK);
		case END_WRITEERR:
			errno = s->err;
			log_error_errno("writing to stdout");
			status_error("writing to stdout failed");
			return finish("failed", EAS_EXIT_FAIL);
		case END_TIMEOUT:
			log_error("%s: no audio for %g s, giving up", o->input, o->timeout);
			status_error("timeout");
			return finish("failed", EAS_EXIT_TIMEOUT);
		case END_HUP:
			log_warn("%s: SIGHUP, reconnecting", o->input);
			status_error("SIGHUP");
			status_set("reconnecting");
			continue;
		case END_EOF:
			if (o->kind == CAP_FILE && o->loop) {
				if (s->conn_samples == 0) {
					log_error("%s: no audio in the file, not looping",
					          o->input);
					return finish("failed", EAS_EXIT_FAIL);
				}
				log_debug("%s: end of file, looping", o->input);
				continue;
			}
			if (!live || o->no_reconnect)
				return finish("eof", EAS_EXIT_OK);
			break; /* a live stream that ended: reconnect */
		default:       /* END_ERROR */
			if (!live || o->no_reconnect) {
				log_error("%s", err[0] ? err : "failed");
				status_error(err);
				return finish("failed", EAS_EXIT_FAIL);
			}
			break;
		}
		status_error(err);
		double delay = eas_backoff_fail(&bo, eas_mono_ms()) / 1000.0;
		log_warn("%s; reconnecting in %.1f s", err[0] ? err : o->input, delay);
		status_set("reconnecting");
		backoff_sleep(delay, s);
	}
}

int main(int argc, char **argv)
{
	enum {
		OPT_DEVICE_RATE = 256,
		OPT_CHANNELS,
		OPT_RAW,
		OPT_REALTIME,
		OPT_LOOP,
		OPT_DURATION,
		OPT_TIMEOUT,
		OPT_NO_RECONNECT,
		OPT_STATUS_FD,
		OPT_VERSION,
	};
	static const struct option longopts[] = {
	    {"rate", required_argument, NULL, 'r'},
	    {"source", required_argument, NULL, 's'},
	    {"device-rate", required_argument, NULL, OPT_DEVICE_RATE},
	    {"channels", required_argument, NULL, OPT_CHANNELS},
	    {"raw", required_argument, NULL, OPT_RAW},
	    {"realtime", no_argument, NULL, OPT_REALTIME},
	    {"loop", no_argument, NULL, OPT_LOOP},
	    {"duration", required_argument, NULL, OPT_DURATION},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"no-reconnect", no_argument, NULL, OPT_NO_RECONNECT},
	    {"status-fd", required_argument, NULL, OPT_STATUS_FD},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {NULL, 0, NULL, 0},
	};
	struct cap_opts o = {.rate = EAS_RATE_DEFAULT, .status_fd = -1};
	char host[EAS_SOURCE_MAX + 1];
	int verbose = 0, c;

	eas_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "r:s:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (eas_parse_rate(optarg, &o.rate) < 0)
				return eas_usage_error("invalid rate \"%s\": " EAS_RATE_RULE,
				                       optarg);
			break;
		case 's':
			if (eas_source_check(optarg) < 0)
				return eas_usage_error("invalid source \"%s\": " EAS_SOURCE_RULE,
				                       optarg);
			o.source = optarg;
			break;
		case OPT_DEVICE_RATE:
			if (!parse_int(optarg, 1000, 768000, &o.device_rate))
				return eas_usage_error(
				    "--device-rate: '%s' is not a rate 1000..768000", optarg);
			break;
		case OPT_CHANNELS:
			if (!parse_int(optarg, 1, 64, &o.channels))
				return eas_usage_error("--channels: '%s' is not a count 1..64",
				                       optarg);
			break;
		case OPT_RAW:
			if (eas_parse_rate(optarg, &o.raw_rate) < 0)
				return eas_usage_error("invalid --raw rate \"%s\": " EAS_RATE_RULE,
				                       optarg);
			break;
		case OPT_REALTIME:
			o.realtime = true;
			break;
		case OPT_LOOP:
			o.loop = true;
			break;
		case OPT_DURATION:
			if (!parse_seconds(optarg, &o.duration))
				return eas_usage_error(
				    "--duration: '%s' is not a positive number of seconds", optarg);
			break;
		case OPT_TIMEOUT:
			if (!parse_seconds(optarg, &o.timeout))
				return eas_usage_error(
				    "--timeout: '%s' is not a positive number of seconds", optarg);
			break;
		case OPT_NO_RECONNECT:
			o.no_reconnect = true;
			break;
		case OPT_STATUS_FD:
			if (!parse_int(optarg, 0, INT_MAX, &o.status_fd))
				return eas_usage_error("--status-fd: '%s' is not a file descriptor",
				                       optarg);
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return fflush(stdout) == 0 && !ferror(stdout) ? EAS_EXIT_OK : EAS_EXIT_FAIL;
		case OPT_VERSION:
			printf("eas-capture %s\n", EAS_VERSION);
			return fflush(stdout) == 0 && !ferror(stdout) ? EAS_EXIT_OK : EAS_EXIT_FAIL;
		default:
			return eas_usage_hint();
		}
	}
	if (optind != argc - 1)
		return eas_usage_error(optind >= argc ? "no SOURCE given%s"
		                                      : "one SOURCE only, not '%s'",
		                       optind >= argc ? "" : argv[optind + 1]);
	o.input = argv[optind];
	if (!*o.input)
		return eas_usage_error("empty SOURCE");

	/* Validate the combination. */
	for (size_t i = 0; !o.src && i < sizeof sources / sizeof sources[0]; i++) {
		int k = sources[i]->match(o.input);
		if (k >= 0) {
			o.kind = (enum cap_kind)k;
			o.src = sources[i];
		}
	}
	char msg[512];
	if (o.src->check && o.src->check(&o, msg, sizeof msg) < 0)
		return eas_usage_error("%s", msg);
	if (o.loop && o.kind != CAP_FILE)
		return eas_usage_error("--loop applies to files only");
	if (o.no_reconnect && o.kind != CAP_NET)
		log_warn("--no-reconnect applies to network sources only; ignored");
	if (o.status_fd >= 0) {
		if (o.status_fd == STDOUT_FILENO || o.status_fd == STDIN_FILENO)
			return eas_usage_error(
			    "--status-fd: %s is not usable (stdout carries the PCM)",
			    o.status_fd == 0 ? "0" : "1");
		if (fcntl(o.status_fd, F_GETFL) == -1) {
			char n[16];
			snprintf(n, sizeof n, "%d", o.status_fd);
			return eas_usage_error("--status-fd: %s is not an open file descriptor", n);
		}
	}
	if (isatty(STDOUT_FILENO)) /* the same rule as eas-encode */
		return eas_usage_error("refusing to write raw PCM to a terminal: redirect or pipe "
		                       "stdout");
	if (!o.source)
		o.source = eas_source_default(host, sizeof host);
	eas_log_set_level(EAS_LOG_WARN + verbose);
	src_av_log_setup(verbose);

	/* Signals: handlers only set flags; no SA_RESTART so blocking reads return EINTR. */
	eas_signals_install(true);

	struct sink s;
	sink_init(&s, o.rate, o.realtime, o.duration, o.timeout);
	status_start(&o, &s);
	int rc = capture(&o, &s);
	status_stop();
	sink_free(&s);
	snd_config_update_free_global();
	if (close(STDOUT_FILENO) != 0 && errno != EPIPE && errno != EINTR && rc == EAS_EXIT_OK) {
		log_error_errno("closing stdout");
		rc = EAS_EXIT_FAIL;
	}
	return rc;
}
