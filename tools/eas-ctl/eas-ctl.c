/* eas-ctl.c: the station's command plane: `send` a confirmed, signed, ordered command, `listen`
 * for commands and run a handler, manage the configured audio `source`s.  Options and dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "exitcode.h"
#include "keys.h"
#include "log.h"
#include "optparse.h"
#include "signals.h"
#include "version.h" /* EAS_VERSION, made by the Makefile */

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: eas-ctl [OPTIONS] send COMMAND [SOURCE] [NAME=VALUE ...]\n"
	    "       eas-ctl [OPTIONS] listen --exec HANDLER [--name NAME]\n"
	    "       eas-ctl [OPTIONS] source add|update NAME INPUT [-r HZ] [NAME=VALUE ...]\n"
	    "       eas-ctl [OPTIONS] source delete|start|stop|get NAME\n"
	    "       eas-ctl [OPTIONS] source list\n"
	    "Send commands to a station's audio side and see each one confirmed.\n"
	    "Commands: source_start source_stop source_add source_update source_delete\n"
	    "          streaming_start streaming_stop ping\n"
	    "\n"
	    "  -u, --redis URL          Redis (default $EAS_REDIS_URL, else %s)\n"
	    "      --prefix P           key prefix (default $EAS_PREFIX, else %s)\n"
	    "  -k, --key-file FILE      shared HMAC key (default $EAS_CTL_KEY_FILE); the file\n"
	    "                           must not be readable by group or others\n"
	    "  -t, --timeout S          send: wait this long for replies (default 10)\n"
	    "      --to NAME            send: only listener NAME runs the command\n"
	    "  -j, --json               send: replies as JSON lines; source list: configs\n"
	    "  -n, --name NAME          listen: this listener's name (default the host name)\n"
	    "  -x, --exec HANDLER       listen: program run for each command\n"
	    "      --handler-timeout S  listen: kill the handler after S seconds (default 8)\n"
	    "      --window S           accepted clock difference of signed messages (30)\n"
	    "  -r, --rate HZ            source add/update: the source's sample rate\n"
	    "  -v, --verbose            more log (repeat for debug)\n"
	    "  -h, --help               this help\n"
	    "      --version            version\n"
	    "Exit: 0 every listener succeeded, 1 failure or refusal, 2 usage, 3 no listener or\n"
	    "no reply in time.\n",
	    EAS_REDIS_DEFAULT_URL, EAS_KEYS_DEFAULT_PREFIX);
}

/* Read the key from PATH, refusing a file readable by group or others. */
static int load_key(const char *path, unsigned char *buf, size_t *len)
{
	struct stat st;
	char err[512], line[CTL_KEY_MAX + 2];
	if (stat(path, &st) < 0) {
		log_error_errno("key file %s", path);
		return -1;
	}
	if (st.st_mode & 077) {
		log_error("key file %s is readable by group or others (mode %03o): chmod 600 it",
		          path, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	if (eas_read_secret_file(path, line, sizeof line, err, sizeof err) < 0) {
		log_error("key file %s", err);
		return -1;
	}
	size_t n = strlen(line);
	if (n < CTL_KEY_MIN || n > CTL_KEY_MAX) {
		log_error("key file %s: the key must be %d..%d bytes (try: openssl rand -hex 32)",
		          path, CTL_KEY_MIN, CTL_KEY_MAX);
		return -1;
	}
	memcpy(buf, line, n);
	*len = n;
	return 0;
}

/* OPT's ARG as seconds in LO..HI into *OUT: 0, or the usage error's exit code (2). */
static int seconds(const char *opt, const char *arg, double lo, double hi, double *out)
{
	if (eas_parse_double(arg, lo, hi, out) < 0)
		return eas_usage_error("%s wants seconds in %g..%g, not %s", opt, lo, hi, arg);
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char keybuf[CTL_KEY_MAX];
	static struct eas_pair params[CTL_PARAMS_MAX];
	static char hostname[256];
	enum { O_PREFIX = 256, O_TO, O_HTIMEOUT, O_WINDOW, O_VERSION };
	static const struct option longopts[] = {
	    {"redis", required_argument, NULL, 'u'},
	    {"prefix", required_argument, NULL, O_PREFIX},
	    {"key-file", required_argument, NULL, 'k'},
	    {"timeout", required_argument, NULL, 't'},
	    {"to", required_argument, NULL, O_TO},
	    {"json", no_argument, NULL, 'j'},
	    {"name", required_argument, NULL, 'n'},
	    {"exec", required_argument, NULL, 'x'},
	    {"handler-timeout", required_argument, NULL, O_HTIMEOUT},
	    {"window", required_argument, NULL, O_WINDOW},
	    {"rate", required_argument, NULL, 'r'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, O_VERSION},
	    {NULL, 0, NULL, 0},
	};
	struct ctl_opts o = {.timeout_s = 10, .handler_timeout_s = 8, .window_s = 30};
	const char *url = NULL, *keyfile = getenv("EAS_CTL_KEY_FILE"), *rate = NULL;
	int verbose = 0, c;
	char err[512];

	eas_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "u:k:t:jn:x:r:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			url = optarg;
			break;
		case O_PREFIX:
			o.prefix = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 't':
			if (seconds("--timeout", optarg, 0.01, 86400, &o.timeout_s))
				return EAS_EXIT_USAGE;
			break;
		case O_TO:
			o.to = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'x':
			o.exec = optarg;
			break;
		case O_HTIMEOUT:
			if (seconds("--handler-timeout", optarg, 0.1, 3600, &o.handler_timeout_s))
				return EAS_EXIT_USAGE;
			break;
		case O_WINDOW:
			if (seconds("--window", optarg, 1, 86400, &o.window_s))
				return EAS_EXIT_USAGE;
			break;
		case 'r':
			rate = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return EAS_EXIT_OK;
		case O_VERSION:
			printf("eas-ctl %s\n", EAS_VERSION);
			return EAS_EXIT_OK;
		default:
			return eas_usage_hint();
		}
	}
	eas_log_set_level(EAS_LOG_WARN + verbose);
	if (optind >= argc)
		return eas_usage_error("no sub-command given (send, listen or source)");
	const char *sub = argv[optind++];
	if (strcmp(sub, "send") && strcmp(sub, "listen") && strcmp(sub, "source"))
		return eas_usage_error("unknown sub-command %s (send, listen or source)", sub);
	if (o.prefix && strlen(o.prefix) > EAS_KEYS_PREFIX_MAX)
		return eas_usage_error("--prefix longer than %d bytes", EAS_KEYS_PREFIX_MAX);
	if (o.to && !ctl_name_ok(o.to))
		return eas_usage_error("bad listener name for --to: %s", o.to);
	if (eas_redis_conf_init(&o.conf, url, NULL, NULL, NULL, err, sizeof err) < 0)
		return eas_usage_error("%s", err);
	if (keyfile && *keyfile) {
		if (load_key(keyfile, keybuf, &o.key.len) < 0)
			return EAS_EXIT_USAGE;
		o.key.key = keybuf;
	}
	if (eas_signals_install(!strcmp(sub, "listen")) < 0) {
		log_error("cannot install signal handlers");
		return EAS_EXIT_FAIL;
	}

	if (!strcmp(sub, "listen")) {
		if (optind != argc || !o.exec)
			return eas_usage_error("listen takes --exec HANDLER and no arguments");
		if (!o.name) {
			gethostname(hostname, sizeof hostname - 1);
			o.name = hostname;
		}
		if (!ctl_name_ok(o.name))
			return eas_usage_error(
			    "bad listener name %s (--name): 1..%d of A-Z a-z 0-9 . _ -", o.name,
			    CTL_NAME_MAX);
		return ctl_listen(&o);
	}
	/* The sender fails fast: an unreachable or silent Redis is an error within ~2 s. */
	o.conf.connect_timeout_ms = 1000;
	o.conf.io_timeout_ms = 1000;
	if (!strcmp(sub, "send")) {
		if (optind >= argc)
			return eas_usage_error("send needs a COMMAND");
		const char *command = argv[optind++];
		const char *source = NULL;
		if (optind < argc && !strchr(argv[optind], '='))
			source = argv[optind++];
		int n = 0;
		for (; optind < argc; optind++, n++) {
			if (n >= CTL_PARAMS_MAX ||
			    ctl_param_parse(argv[optind], &params[n], err, sizeof err) < 0)
				return eas_usage_error(
				    "%s", n >= CTL_PARAMS_MAX ? "too many parameters" : err);
		}
		return ctl_send(&o, command, source, params, n);
	}
	if (rate && eas_parse_long(rate, 8000, 48000, &o.rate_hz) < 0)
		return eas_usage_error("--rate wants 8000..48000 Hz, not %s", rate);
	return ctl_source(&o, argc - optind, argv + optind);
}
