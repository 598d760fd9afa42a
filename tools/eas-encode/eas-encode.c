/* eas-encode.c: writes a SAME alert (header bursts, attention tone, message, EOM) as PCM, WAV or
 * FLAC. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>
#include <sndfile.h>

#include "exitcode.h"
#include "log.h"
#include "optparse.h"
#include "same_encode.h"
#include "same_header.h"
#include "version.h" /* EAS_VERSION, made by the Makefile */

#define AMPLITUDE    0.5 /* -6 dBFS peak */
#define MAX_LOC_ARGS 64  /* more than SAME_MAX_LOCATIONS, so the parser names the error */
#define MSG_FRAMES   4096

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: eas-encode [options] HEADER\n"
	        "       eas-encode [options] --org ORG --event EEE --loc PSSCCC [--loc ...]\n"
	        "                  --purge TTTT [--issued now|JJJHHMM] --sender LLLLLLLL\n"
	        "Write a SAME alert (3 header bursts, attention signal, message, 3 EOM bursts)\n"
	        "as s16le mono PCM on stdout, or as WAV/FLAC with -o.\n"
	        "\n"
	        "  -r, --rate HZ              sample rate, 8000..192000 (default 22050)\n"
	        "  -o, --output FILE          write FILE.wav or FILE.flac instead of raw PCM\n"
	        "      --attention TONE       853+960 (default), 1050 (NWS) or none\n"
	        "      --attention-seconds S  attention signal length, 8..25 (default 8)\n"
	        "  -m, --message FILE         message audio from a sound file (mixed to mono,\n"
	        "                             resampled to the rate)\n"
	        "      --no-eom               stop after the message, without the EOM bursts\n"
	        "      --org ORG              originator: EAS, CIV, WXR, PEP\n"
	        "      --event EEE            event code, e.g. TOR, RWT\n"
	        "      --loc PSSCCC           location code, repeat for up to 31\n"
	        "      --purge TTTT           valid time, HHMM (0015, 0030, 0045, 0100, 0130...)\n"
	        "      --issued now|JJJHHMM   issue time, UTC (default now)\n"
	        "      --sender LLLLLLLL      8-character station id, e.g. KCLE/NWS\n"
	        "  -v, --verbose              more log on stderr (repeat for more)\n"
	        "  -h, --help                 this help\n"
	        "      --version              print the version\n"
	        "\n"
	        "Example: eas-encode 'ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-' | eas-decode\n");
}

/* Where the samples go: raw s16le to a stdio stream, or a sound file. */
struct sink {
	FILE *fp;
	SNDFILE *sf;
	const char *name;
	int epipe;  /* the reader went away */
	int failed; /* a write failed (and was reported, unless epipe) */
};

/* Write N samples; returns 0, or -1 after logging (quietly for a closed pipe). */
static int sink_write(struct sink *s, const int16_t *buf, size_t n)
{
	if (s->sf) {
		sf_count_t w = sf_write_short(s->sf, buf, (sf_count_t)n);
		if (w != (sf_count_t)n) {
			s->failed = 1;
			log_error("%s: write failed: %s", s->name, sf_strerror(s->sf));
			return -1;
		}
		return 0;
	}
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	for (size_t i = 0; i < n; i++) {
		unsigned char b[2] = {(unsigned char)(buf[i] & 0xff),
		                      (unsigned char)((uint16_t)buf[i] >> 8)};
		if (fwrite(b, 1, 2, s->fp) != 2)
			goto fail;
	}
	return 0;
#else
	if (fwrite(buf, sizeof *buf, n, s->fp) == n)
		return 0;
	goto fail;
#endif
fail:
	s->failed = 1;
	if (errno == EPIPE) {
		s->epipe = 1;
		return -1;
	}
	log_error("%s: write failed: %s", s->name, strerror(errno));
	return -1;
}

static int sink_close(struct sink *s)
{
	int rc = 0;

	if (s->sf) {
		if (sf_close(s->sf) != 0) {
			log_error("%s: close failed", s->name);
			rc = -1;
		}
		s->sf = NULL;
	} else if (s->fp) {
		if (fflush(s->fp) != 0 || ferror(s->fp)) {
			if (errno == EPIPE)
				s->epipe = 1;
			else if (!s->failed)
				log_error("%s: write failed: %s", s->name, strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

/* Generator of the alert: one modulator and a work buffer. */
struct gen {
	struct same_mod mod;
	struct sink *out;
	int16_t *buf;
	size_t cap;
};

static int ensure(struct gen *g, size_t n)
{
	if (n <= g->cap)
		return 0;
	int16_t *b = realloc(g->buf, n * sizeof *b);
	if (!b) {
		log_error("out of memory");
		return -1;
	}
	g->buf = b;
	g->cap = n;
	return 0;
}

static int gen_burst(struct gen *g, const char *data)
{
	size_t len = strlen(data), n = same_mod_burst(&g->mod, data, len, NULL, 0);

	if (stop || ensure(g, n) < 0)
		return -1;
	n = same_mod_burst(&g->mod, data, len, g->buf, g->cap);
	return sink_write(g->out, g->buf, n);
}

/* N samples of tones F1+F2 (F1 = 0: silence), in chunks of the buffer. */
static int gen_tone(struct gen *g, double f1, double f2, size_t n)
{
	same_mod_tone_reset(&g->mod);
	while (n > 0) {
		size_t k = n < g->cap ? n : g->cap;
		if (stop)
			return -1;
		if (f1 > 0)
			same_mod_tone(&g->mod, f1, f2, k, g->buf, g->cap);
		else
			same_mod_silence(&g->mod, k, g->buf, g->cap);
		if (sink_write(g->out, g->buf, k) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

static int gen_pause(struct gen *g)
{
	return gen_tone(g, 0, 0, same_mod_samples(&g->mod, 1.0));
}

/* The message file, open and ready to stream at the output rate. */
struct message {
	SNDFILE *sf;
	SF_INFO info;
	const char *name;
	SwrContext *swr; /* NULL when the rates match */
	float *in;       /* MSG_FRAMES * channels */
	float *mono;     /* MSG_FRAMES */
};

static int message_open(struct message *m, const char *name, unsigned rate)
{
	memset(m, 0, sizeof *m);
	m->name = name;
	m->sf = sf_open(name, SFM_READ, &m->info);
	if (!m->sf) {
		log_error("%s: %s", name, sf_strerror(NULL));
		return -1;
	}
	if (m->info.channels < 1 || m->info.samplerate < 1) {
		log_error("%s: no audio", name);
		return -1;
	}
	m->in = malloc(sizeof(float) * MSG_FRAMES * (size_t)m->info.channels);
	m->mono = malloc(sizeof(float) * MSG_FRAMES);
	if (!m->in || !m->mono) {
		log_error("out of memory");
		return -1;
	}
	if ((unsigned)m->info.samplerate != rate) {
		AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
		if (swr_alloc_set_opts2(&m->swr, &mono, AV_SAMPLE_FMT_S16, (int)rate, &mono,
		                        AV_SAMPLE_FMT_FLT, m->info.samplerate, 0, NULL) < 0 ||
		    swr_init(m->swr) < 0) {
			log_error("%s: cannot resample from %d Hz to %u Hz", name,
			          m->info.samplerate, rate);
			return -1;
		}
		log_info("%s: resampling from %d Hz to %u Hz", name, m->info.samplerate, rate);
	}
	return 0;
}

static void message_close(struct message *m)
{
	if (m->sf)
		sf_close(m->sf);
	swr_free(&m->swr);
	free(m->in);
	free(m->mono);
	memset(m, 0, sizeof *m);
}

static int16_t float_s16(float v)
{
	long s = lrintf(v * 32767.0f);
	return (int16_t)(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
}

/* Stream the whole message into G's sink, mixed down and resampled. */
static int gen_message(struct gen *g, struct message *m)
{
	int ch = m->info.channels;

	for (;;) {
		sf_count_t got;
		size_t n;

		if (stop)
			return -1;
		got = sf_readf_float(m->sf, m->in, MSG_FRAMES);
		if (got < 0)
			got = 0;
		for (sf_count_t i = 0; i < got; i++) {
			float s = 0;
			for (int c = 0; c < ch; c++)
				s += m->in[i * ch + c];
			m->mono[i] = s / (float)ch;
		}
		if (m->swr) {
			const uint8_t *inp = (const uint8_t *)m->mono;
			int want = swr_get_out_samples(m->swr, (int)got);
			int outn;
			uint8_t *outp;

			if (want < 0 || ensure(g, (size_t)want + 1) < 0)
				return -1;
			outp = (uint8_t *)g->buf;
			outn = swr_convert(m->swr, &outp, (int)g->cap, got ? &inp : NULL, (int)got);
			if (outn < 0) {
				log_error("%s: resampling failed", m->name);
				return -1;
			}
			n = (size_t)outn;
		} else {
			if (ensure(g, (size_t)got) < 0)
				return -1;
			for (sf_count_t i = 0; i < got; i++)
				g->buf[i] = float_s16(m->mono[i]);
			n = (size_t)got;
		}
		if (n && sink_write(g->out, g->buf, n) < 0)
			return -1;
		if (got == 0 && n == 0)
			break;
	}
	if (sf_error(m->sf)) {
		log_error("%s: read failed: %s", m->name, sf_strerror(m->sf));
		return -1;
	}
	return 0;
}

/* Build "ZCZC-ORG-EEE-LOC-LOC+TTTT-JJJHHMM-SENDER-" from the field options; NULL on error. */
static char *build_header(const char *org, const char *event, char **loc, int nloc,
                          const char *purge, const char *issued, const char *sender)
{
	char now[16];
	size_t len;
	char *h, *p;

	if (!issued || strcmp(issued, "now") == 0) {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		snprintf(now, sizeof now, "%03d%02d%02d", tm.tm_yday + 1, tm.tm_hour, tm.tm_min);
		issued = now;
	}
	len = strlen("ZCZC-") + strlen(org) + 1 + strlen(event) + 1 + strlen(purge) + 1 +
	      strlen(issued) + 1 + strlen(sender) + 2;
	for (int i = 0; i < nloc; i++)
		len += strlen(loc[i]) + 1;
	h = malloc(len);
	if (!h) {
		log_error("out of memory");
		return NULL;
	}
	p = h + sprintf(h, "ZCZC-%s-%s-", org, event);
	for (int i = 0; i < nloc; i++)
		p += sprintf(p, "%s%s", loc[i], i + 1 < nloc ? "-" : "");
	sprintf(p, "+%s-%s-%s-", purge, issued, sender);
	return h;
}

enum {
	OPT_ATTENTION = 256,
	OPT_ATTENTION_SECONDS,
	OPT_NO_EOM,
	OPT_ORG,
	OPT_EVENT,
	OPT_LOC,
	OPT_PURGE,
	OPT_ISSUED,
	OPT_SENDER,
	OPT_VERSION,
};

static const struct option longopts[] = {
    {"rate", required_argument, NULL, 'r'},
    {"output", required_argument, NULL, 'o'},
    {"attention", required_argument, NULL, OPT_ATTENTION},
    {"attention-seconds", required_argument, NULL, OPT_ATTENTION_SECONDS},
    {"message", required_argument, NULL, 'm'},
    {"no-eom", no_argument, NULL, OPT_NO_EOM},
    {"org", required_argument, NULL, OPT_ORG},
    {"event", required_argument, NULL, OPT_EVENT},
    {"loc", required_argument, NULL, OPT_LOC},
    {"purge", required_argument, NULL, OPT_PURGE},
    {"issued", required_argument, NULL, OPT_ISSUED},
    {"sender", required_argument, NULL, OPT_SENDER},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* Output format from the file name's extension: SF_FORMAT_* or 0. */
static int format_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot && strcasecmp(dot, ".wav") == 0)
		return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	if (dot && strcasecmp(dot, ".flac") == 0)
		return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
	return 0;
}

int main(int argc, char **argv)
{
	long rate = 22050;
	double att_f1 = 853, att_f2 = 960, att_s = 8;
	const char *outname = NULL, *msgname = NULL;
	const char *org = NULL, *event = NULL, *purge = NULL, *issued = NULL, *sender = NULL;
	char *loc[MAX_LOC_ARGS];
	int nloc = 0, eom = 1, verbose = 0, fields = 0, c;
	char *header = NULL, err[256];
	struct same_header h;
	struct sink out = {0};
	struct message msg = {0};
	struct gen g = {0};
	struct sigaction sa;
	int rc = EAS_EXIT_FAIL;

	eas_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "r:o:m:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (eas_parse_long(optarg, 8000, 192000, &rate) < 0) {
				log_error(
				    "invalid rate '%s': must be an integer from 8000 to 192000",
				    optarg);
				return EAS_EXIT_USAGE;
			}
			break;
		case 'o':
			outname = optarg;
			break;
		case 'm':
			msgname = optarg;
			break;
		case OPT_ATTENTION:
			if (strcmp(optarg, "853+960") == 0) {
				att_f1 = 853;
				att_f2 = 960;
			} else if (strcmp(optarg, "1050") == 0) {
				att_f1 = 1050;
				att_f2 = 0;
			} else if (strcmp(optarg, "none") == 0) {
				att_f1 = att_f2 = 0;
			} else {
				log_error("invalid --attention '%s': must be 853+960, 1050 or none",
				          optarg);
				return EAS_EXIT_USAGE;
			}
			break;
		case OPT_ATTENTION_SECONDS:
			if (eas_parse_double(optarg, 8, 25, &att_s) < 0) {
				log_error("invalid --attention-seconds '%s': must be a number from "
				          "8 to 25",
				          optarg);
				return EAS_EXIT_USAGE;
			}
			break;
		case OPT_NO_EOM:
			eom = 0;
			break;
		case OPT_ORG:
			org = optarg;
			fields = 1;
			break;
		case OPT_EVENT:
			event = optarg;
			fields = 1;
			break;
		case OPT_LOC:
			if (nloc == MAX_LOC_ARGS) {
				log_error("invalid header: too many locations (at most %d)",
				          SAME_MAX_LOCATIONS);
				return EAS_EXIT_USAGE;
			}
			loc[nloc++] = optarg;
			fields = 1;
			break;
		case OPT_PURGE:
			purge = optarg;
			fields = 1;
			break;
		case OPT_ISSUED:
			issued = optarg;
			fields = 1;
			break;
		case OPT_SENDER:
			sender = optarg;
			fields = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return fflush(stdout) == 0 && !ferror(stdout) ? EAS_EXIT_OK : EAS_EXIT_FAIL;
		case OPT_VERSION:
			printf("eas-encode %s\n", EAS_VERSION);
			return fflush(stdout) == 0 && !ferror(stdout) ? EAS_EXIT_OK : EAS_EXIT_FAIL;
		default:
			usage(stderr);
			return EAS_EXIT_USAGE;
		}
	}
	eas_log_set_level(EAS_LOG_WARN + verbose);

	/* The header: one argument, or built from the field options. */
	if (fields) {
		if (optind < argc) {
			log_error("give either HEADER or the field options (--org, --event, ...), "
			          "not both");
			return EAS_EXIT_USAGE;
		}
		const char *missing = !org      ? "--org"
		                      : !event  ? "--event"
		                      : !nloc   ? "--loc"
		                      : !purge  ? "--purge"
		                      : !sender ? "--sender"
		                                : NULL;
		if (missing) {
			log_error("missing %s: a header built from fields needs --org, --event, "
			          "--loc, --purge and --sender",
			          missing);
			return EAS_EXIT_USAGE;
		}
		header = build_header(org, event, loc, nloc, purge, issued, sender);
		if (!header)
			return EAS_EXIT_FAIL;
	} else {
		if (optind >= argc) {
			log_error("missing HEADER (or --org, --event, --loc, --purge, --sender)");
			usage(stderr);
			return EAS_EXIT_USAGE;
		}
		if (argc - optind > 1) {
			log_error("one HEADER only; quote it if it has spaces");
			return EAS_EXIT_USAGE;
		}
		header = strdup(argv[optind]);
		if (!header) {
			log_error("out of memory");
			return EAS_EXIT_FAIL;
		}
	}
	if (same_header_parse(header, strlen(header), SAME_PARSE_STRICT, &h, err, sizeof err) < 0) {
		log_error("invalid header: %s", err);
		free(header);
		return EAS_EXIT_USAGE;
	}
	log_info("header %s", h.raw);

	/* The output. */
	if (outname && strcmp(outname, "-") != 0) {
		if (!format_of(outname)) {
			log_error("cannot tell the format of '%s': the name must end in .wav or "
			          ".flac",
			          outname);
			free(header);
			return EAS_EXIT_USAGE;
		}
	} else if (isatty(STDOUT_FILENO)) {
		log_error("refusing to write raw PCM to a terminal: redirect or pipe stdout, or "
		          "use -o FILE.wav");
		free(header);
		return EAS_EXIT_USAGE;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (msgname && message_open(&msg, msgname, (unsigned)rate) < 0)
		goto done;

	if (outname && strcmp(outname, "-") != 0) {
		SF_INFO info = {
		    .samplerate = (int)rate, .channels = 1, .format = format_of(outname)};
		out.name = outname;
		out.sf = sf_open(outname, SFM_WRITE, &info);
		if (!out.sf) {
			log_error("%s: %s", outname, sf_strerror(NULL));
			goto done;
		}
	} else {
		out.fp = stdout;
		out.name = "stdout";
	}

	same_mod_init(&g.mod, (unsigned)rate, AMPLITUDE);
	g.out = &out;
	if (ensure(&g, (size_t)rate) < 0)
		goto done;
	for (int i = 0; i < 3; i++)
		if (gen_burst(&g, h.raw) < 0 || gen_pause(&g) < 0)
			goto done;
	if (att_f1 > 0 && gen_tone(&g, att_f1, att_f2, same_mod_samples(&g.mod, att_s)) < 0)
		goto done;
	if (msgname && gen_message(&g, &msg) < 0)
		goto done;
	if (eom) {
		if (gen_pause(&g) < 0)
			goto done;
		for (int i = 0; i < 3; i++)
			if (gen_burst(&g, "NNNN") < 0 || gen_pause(&g) < 0)
				goto done;
	}
	rc = EAS_EXIT_OK;
done:
	if (sink_close(&out) < 0)
		rc = EAS_EXIT_FAIL;
	if (stop && rc != EAS_EXIT_OK)
		log_warn("interrupted: the output is incomplete");
	message_close(&msg);
	free(g.buf);
	free(header);
	return rc;
}
