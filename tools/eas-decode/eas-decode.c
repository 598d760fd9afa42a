/* eas-decode: s16le mono PCM in, SAME alerts, end-of-message, attention tones and audio status out
 * as JSON lines. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "levels.h"
#include "lines.h"
#include "log.h"
#include "optparse.h"
#include "record.h"
#include "same_decode.h"
#include "signals.h"
#include "source.h"
#include "timeutil.h"
#include "version.h" /* EAS_VERSION, made by the Makefile */

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: eas-decode [-r RATE] [-s SOURCE] [--raw] [--strict] [--now TIME]\n"
	    "                  [--status-interval S] [--silence-threshold DBFS] "
	    "[--silence-duration S]\n"
	    "                  [--record DIR [--record-format wav|flac] [--record-max S]\n"
	    "                  [--record-pre S]] [-v] [FILE]\n"
	    "Decode SAME (EAS) alerts from signed 16-bit little-endian mono PCM in FILE or stdin.\n"
	    "\n"
	    "  -r, --rate HZ              input sample rate, 8000..192000 (default 22050)\n"
	    "  -s, --source NAME          monitor name in every line, 1 to 64 printable\n"
	    "                             characters (default the host name)\n"
	    "      --raw                  print headers and NNNN as plain lines, as multimon-ng "
	    "does\n"
	    "      --strict               a header's expected wrong characters at most 1e-6\n"
	    "                             (default 3e-5), and every pair of three bursts\n"
	    "                             must decide a character on a thin margin alike\n"
	    "      --now TIME             receive time of the input's start (RFC 3339 such as\n"
	    "                             2026-11-22T14:05:00Z or ...+02:00, epoch seconds or\n"
	    "                             \"now\"); times are then taken from the input\n"
	    "      --status-interval S    a status line every S seconds of audio (default 5, 0 "
	    "off)\n"
	    "      --silence-threshold DB RMS below which audio is quiet (default -50 dBFS)\n"
	    "      --silence-duration S   quiet this long is reported as silence (default 10)\n"
	    "      --record DIR           keep each alert's audio, header to EOM, in DIR\n"
	    "      --record-format FMT    wav (default) or flac, 16-bit at the input rate\n"
	    "      --record-max S         the longest recording, 1..3600 s (default 240)\n"
	    "      --record-pre S         audio kept before the first burst, 0..10 s "
	    "(default 1)\n"
	    "  -v, --verbose              more log on stderr (repeat for more)\n"
	    "  -h, --help                 this help\n"
	    "      --version              print the version\n"
	    "\n"
	    "exit status: 0 done (also when the reader of stdout went away), 1 runtime\n"
	    "failure, 2 usage.  SIGHUP is ignored; SIGINT and SIGTERM end it cleanly.\n");
}

struct opts {
	int rate;
	const char *source;
	int raw;
	int strict;
	int have_now;
	int64_t now_ms;
	double status_interval;
	double silence_db, silence_s;
	struct rec_opts rec; /* rec.dir NULL: no recording */
};

/* Samples read so far: the wall clock's receive time is that of the last one. */
static uint64_t total_read;

/* Receive time of the sample at POS: the input clock with --now, else the wall clock (less the
 * audio read since POS). */
static int64_t event_time(const struct opts *o, uint64_t pos)
{
	if (o->have_now)
		return o->now_ms + (int64_t)llround(pos * 1000.0 / o->rate);
	uint64_t since = total_read > pos ? total_read - pos : 0;
	return eas_now_ms() - (int64_t)llround(since * 1000.0 / o->rate);
}

static int write_errno; /* errno of the write that failed */

/* Write one line; returns -1 when stdout is gone. */
static int emit(const char *s, size_t n)
{
	if (fwrite(s, 1, n, stdout) != n || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		write_errno = errno;
		return -1;
	}
	return 0;
}

/* Where the event at POS was heard, and when the audio at AT (that decided it) was received. */
static struct eas_line_at line_at(const struct opts *o, uint64_t pos, uint64_t at)
{
	return (struct eas_line_at){o->source, event_time(o, at), (double)pos / o->rate};
}

/* An event line.  With a recorder, an alert starts a recording (its line gains "recording",
 * the final path, or null when it cannot be made) and an EOM ends the open ones. */
static int emit_event(const struct opts *o, const struct same_event *ev, struct recorder *rec,
                      struct eas_json *j)
{
	char path[PATH_MAX], id[17];
	int recorded = -1;
	if (rec && ev->type == SAME_EV_ALERT) {
		same_header_id(ev->header.raw, id);
		recorded = rec_start(rec, ev->sample, event_time(o, ev->sample), id,
		                     ev->header.event, path, sizeof path);
	} else if (rec && ev->type == SAME_EV_EOM) {
		rec_eom(rec, ev->sample);
	}
	if (o->raw) {
		if (ev->type == SAME_EV_ALERT)
			return emit(ev->header.raw, strlen(ev->header.raw));
		if (ev->type == SAME_EV_EOM)
			return emit("NNNN", 4);
		return 0;
	}
	/* time: when the audio that decided the event was received */
	struct eas_line_at at =
	    line_at(o, ev->sample, ev->type == SAME_EV_ATTENTION ? ev->sample : ev->decided);
	switch (ev->type) {
	case SAME_EV_ALERT:
		if (rec)
			eas_line_alert_recorded(j, &ev->header, ev->bursts, ev->bit_errors,
			                        ev->confidence, recorded == 0 ? path : NULL, &at);
		else
			eas_line_alert(j, &ev->header, ev->bursts, ev->bit_errors, ev->confidence,
			               &at);
		break;
	case SAME_EV_EOM:
		eas_line_eom(j, ev->bursts, &at);
		break;
	case SAME_EV_ATTENTION:
		eas_line_attention(j, ev->tone, ev->duration_s, &at);
		break;
	case SAME_EV_DOUBTFUL: /* logged, not written: report() */
	default:
		return 0;
	}
	if (j->oom) {
		log_error("out of memory");
		return -1;
	}
	return emit(j->buf, j->len);
}

/* The line of a closed recording: which alert, where, how long, why it ended. */
static int emit_recording(const struct opts *o, const struct rec_done *d, struct eas_json *j)
{
	if (o->raw)
		return 0;
	/* the time of the file's first sample (event_time allows for the audio read since) */
	struct eas_line_at at = line_at(o, d->start, d->start);
	struct eas_line_recording r = {.id = d->id,
	                               .event = d->event,
	                               .path = d->path[0] ? d->path : NULL,
	                               .duration_s = (double)d->frames / o->rate,
	                               .ended_by = rec_end_name(d->ended_by),
	                               .error = d->error[0] ? d->error : NULL};
	eas_line_recording(j, &r, &at);
	if (j->oom) {
		log_error("out of memory");
		return -1;
	}
	return emit(j->buf, j->len);
}

/* Print the lines of every recording closed since the last call. */
static int emit_recordings(const struct opts *o, struct recorder *rec, struct eas_json *j)
{
	struct rec_done d;
	int gone = 0;
	while (rec && rec_next(rec, &d))
		if (!gone)
			gone = emit_recording(o, &d, j) < 0;
	return gone ? -1 : 0;
}

static int emit_status(const struct opts *o, struct eas_levels *lv, uint64_t pos,
                       struct eas_json *j)
{
	struct eas_level_report r;
	eas_levels_report(lv, &r);
	if (o->raw)
		return 0;
	struct eas_line_at at = line_at(o, pos, pos);
	struct eas_line_levels l = {pos,        r.rms_dbfs, r.peak_dbfs, r.silence,
	                            r.clipping, r.clipped,  r.quiet_s};
	eas_line_status(j, &l, &at);
	return emit(j->buf, j->len);
}

/* Write EV, or log it when it is not for the output; -1 when stdout is gone. */
static int report(const struct opts *o, const struct same_event *ev, struct recorder *rec,
                  struct eas_json *j)
{
	if (ev->type == SAME_EV_DOUBTFUL) {
		log_info("not reported (a character on a thin margin that the bursts do not "
		         "confirm, or not all but certain): %s",
		         ev->header.raw);
		return 0;
	}
	return emit_event(o, ev, rec, j);
}

enum {
	OPT_RAW = 256,
	OPT_STRICT,
	OPT_NOW,
	OPT_STATUS,
	OPT_SIL_DB,
	OPT_SIL_S,
	OPT_RECORD,
	OPT_REC_FORMAT,
	OPT_REC_MAX,
	OPT_REC_PRE,
	OPT_VERSION
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"rate", required_argument, NULL, 'r'},
	    {"source", required_argument, NULL, 's'},
	    {"raw", no_argument, NULL, OPT_RAW},
	    {"strict", no_argument, NULL, OPT_STRICT},
	    {"now", required_argument, NULL, OPT_NOW},
	    {"status-interval", required_argument, NULL, OPT_STATUS},
	    {"silence-threshold", required_argument, NULL, OPT_SIL_DB},
	    {"silence-duration", required_argument, NULL, OPT_SIL_S},
	    {"record", required_argument, NULL, OPT_RECORD},
	    {"record-format", required_argument, NULL, OPT_REC_FORMAT},
	    {"record-max", required_argument, NULL, OPT_REC_MAX},
	    {"record-pre", required_argument, NULL, OPT_REC_PRE},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {NULL, 0, NULL, 0},
	};
	struct opts o = {.rate = EAS_RATE_DEFAULT,
	                 .status_interval = 5,
	                 .silence_db = -50,
	                 .silence_s = 10,
	                 .rec = {.format = REC_WAV, .max_s = 240, .pre_s = 1}};
	const char *rec_only = NULL; /* a --record-* option given */
	static char host[EAS_SOURCE_MAX + 1];
	int c, verbose = EAS_LOG_WARN;

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
		case OPT_RAW:
			o.raw = 1;
			break;
		case OPT_STRICT:
			o.strict = 1;
			break;
		case OPT_NOW:
			if (eas_parse_time(optarg, &o.now_ms) < 0)
				return eas_usage_error(
				    "invalid --now \"%s\": an RFC 3339 date and time up to the "
				    "year 9999 (2026-11-22T14:05:00Z, "
				    "2026-11-22T16:05:00.5+02:00), "
				    "epoch seconds or \"now\"",
				    optarg);
			o.have_now = 1;
			break;
		case OPT_STATUS:
			if (eas_parse_double(optarg, 0, 86400, &o.status_interval) < 0)
				return eas_usage_error("invalid --status-interval \"%s\": seconds "
				                       "from 0 (off) to 86400",
				                       optarg);
			break;
		case OPT_SIL_DB:
			if (eas_parse_double(optarg, -120, 0, &o.silence_db) < 0)
				return eas_usage_error(
				    "invalid --silence-threshold \"%s\": dBFS from -120 to 0",
				    optarg);
			break;
		case OPT_SIL_S:
			if (eas_parse_double(optarg, 0, 86400, &o.silence_s) < 0)
				return eas_usage_error(
				    "invalid --silence-duration \"%s\": seconds from 0 to 86400",
				    optarg);
			break;
		case OPT_RECORD:
			if (!*optarg || strlen(optarg) > PATH_MAX - 200)
				return eas_usage_error("invalid --record \"%s\": a directory name, "
				                       "at most %d bytes",
				                       optarg, PATH_MAX - 200);
			o.rec.dir = optarg;
			break;
		case OPT_REC_FORMAT:
			if (!strcmp(optarg, "wav"))
				o.rec.format = REC_WAV;
			else if (!strcmp(optarg, "flac"))
				o.rec.format = REC_FLAC;
			else
				return eas_usage_error(
				    "invalid --record-format \"%s\": wav or flac", optarg);
			rec_only = "--record-format";
			break;
		case OPT_REC_MAX:
			if (eas_parse_double(optarg, 1, 3600, &o.rec.max_s) < 0)
				return eas_usage_error(
				    "invalid --record-max \"%s\": seconds from 1 to 3600", optarg);
			rec_only = "--record-max";
			break;
		case OPT_REC_PRE:
			if (eas_parse_double(optarg, 0, 10, &o.rec.pre_s) < 0)
				return eas_usage_error(
				    "invalid --record-pre \"%s\": seconds from 0 to 10", optarg);
			rec_only = "--record-pre";
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return EAS_EXIT_OK;
		case OPT_VERSION:
			printf("eas-decode %s\n", EAS_VERSION);
			return EAS_EXIT_OK;
		default:
			return eas_usage_hint();
		}
	}
	eas_log_set_level(verbose);
	if (argc - optind > 1)
		return eas_usage_error("too many arguments: one FILE at most");
	if (rec_only && !o.rec.dir)
		return eas_usage_error("%s needs --record DIR", rec_only);
	if (o.rec.pre_s >= o.rec.max_s)
		return eas_usage_error("--record-pre %g must be shorter than --record-max %g",
		                       o.rec.pre_s, o.rec.max_s);
	if (!o.source)
		o.source = eas_source_default(host, sizeof host);
	if (o.rec.dir && access(o.rec.dir, W_OK | X_OK) < 0)
		log_error("--record %s: %s; alerts will not be recorded until it is fixed "
		          "(decoding goes on)",
		          o.rec.dir, strerror(errno));

	const char *path = optind < argc ? argv[optind] : "-";
	FILE *in = stdin;
	if (strcmp(path, "-") != 0 && !(in = fopen(path, "rb"))) {
		log_error_errno("cannot open %s", path);
		return EAS_EXIT_FAIL;
	}
	if (in == stdin && isatty(STDIN_FILENO))
		log_warn("reading PCM from a terminal; pipe eas-capture or a file in");

	eas_signals_install(false); /* SIGHUP: nothing to reopen, ignored */

	struct same_decoder *dec = same_decoder_new(o.rate);
	if (!dec) {
		log_error("out of memory");
		return EAS_EXIT_FAIL;
	}
	same_decoder_set_strict(dec, o.strict);
	struct recorder *rec = NULL;
	if (o.rec.dir) {
		o.rec.rate = o.rate;
		o.rec.source = o.source;
		if (!(rec = rec_new(&o.rec))) {
			same_decoder_free(dec);
			return EAS_EXIT_FAIL;
		}
	}
	struct eas_levels lv;
	eas_levels_init(&lv, o.rate, o.silence_db, o.silence_s);
	uint64_t status_every = (uint64_t)llround(o.status_interval * o.rate),
	         next_status = status_every;
	struct eas_json j;
	eas_json_init(&j);

	unsigned char buf[8192 + 1];
	int16_t pcm[4096];
	size_t carry = 0;
	uint64_t total = 0;
	int rc = EAS_EXIT_OK, gone = 0;
	struct same_event ev;

	int fd = fileno(in), rerr = 0;
	while (!eas_sig_stop && !gone) {
		/* what has arrived, not a full buffer: an alert is printed when decided */
		ssize_t got = read(fd, buf + carry, sizeof buf - 1 - carry);
		if (got < 0 && errno == EINTR && !eas_sig_stop)
			continue;
		if (got < 0)
			rerr = errno;
		if (got <= 0)
			break;
		size_t have = carry + (size_t)got, ns = have / 2;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(pcm, buf, ns * 2);
#else
		for (size_t i = 0; i < ns; i++)
			pcm[i] = (int16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
#endif
		carry = have & 1;
		if (carry)
			buf[0] = buf[have - 1];
		/* feed in pieces that end on status boundaries */
		size_t off = 0;
		while (off < ns && !gone) {
			size_t k = ns - off;
			if (status_every && total + k > next_status)
				k = (size_t)(next_status - total);
			same_decoder_feed(dec, pcm + off, k);
			eas_levels_feed(&lv, pcm + off, k);
			if (rec)
				rec_feed(rec, pcm + off, k);
			total += k;
			total_read = total;
			off += k;
			while (!gone && same_decoder_next(dec, &ev))
				gone = report(&o, &ev, rec, &j) < 0;
			if (!gone)
				gone = emit_recordings(&o, rec, &j) < 0;
			if (status_every && total == next_status && !gone) {
				gone = emit_status(&o, &lv, total, &j) < 0;
				next_status += status_every;
			}
		}
	}
	if (rerr && !eas_sig_stop) {
		errno = rerr;
		log_error_errno("read error on %s", path);
		rc = EAS_EXIT_FAIL;
	}
	if (!gone) {
		same_decoder_finish(dec);
		while (!gone && same_decoder_next(dec, &ev))
			gone = report(&o, &ev, rec, &j) < 0;
		if (rec)
			rec_finish(rec);
		if (!gone)
			gone = emit_recordings(&o, rec, &j) < 0;
		if (!gone && status_every && lv.n > 0)
			gone = emit_status(&o, &lv, total, &j) < 0;
	}
	if (total == 0 && !carry && !eas_sig_stop && rc == EAS_EXIT_OK)
		log_warn("empty input: no samples read");
	if (carry && !eas_sig_stop) {
		log_error(
		    "input ended in the middle of a sample (odd byte count); last byte ignored");
		rc = EAS_EXIT_FAIL;
	}
	if (rec) {
		rec_finish(rec); /* a closed pipe: the files are complete all the same */
		rec_free(rec);
	}
	same_decoder_free(dec);
	eas_json_free(&j);
	if (in != stdin)
		fclose(in);
	if (!gone && (ferror(stdout) || fflush(stdout) == EOF))
		write_errno = errno;
	if (gone || write_errno) {
		/* a closed pipe downstream ends us quietly, with status 0 (DESIGN.md) */
		if (eas_stdout_gone(write_errno))
			return rc;
		errno = write_errno;
		log_error_errno("write error");
		return EAS_EXIT_FAIL;
	}
	return rc;
}
