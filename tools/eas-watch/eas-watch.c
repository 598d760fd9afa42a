/* eas-watch.c: the station's watcher: Nagios-style check, status table, alert tail and per-alert
 * hook, Prometheus export, all read from the Redis that eas-publish and eas-ctl write.  This
 * file is the command line: one getopt over every option, each checked against its subcommand. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "optparse.h"
#include "redis.h"
#include "signals.h"
#include "version.h" /* EAS_VERSION, made by the Makefile */
#include "watch.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: eas-watch check [-s NAME ...] [-w RANGE] [-c RANGE] [--stale S] [--silence S]\n"
	    "                       [--rwt-days D] [--listener NAME ...] [--spool-warn N] "
	    "[--json]\n"
	    "       eas-watch status [-s NAME ...] [--stale S] [--json]\n"
	    "       eas-watch alerts [-f] [--since TIME|ID] [-n N] [--source S] [--event TOR,SVR]\n"
	    "                        [--fips 039173,039*] [--active] [--json]\n"
	    "       eas-watch alerts -f --exec CMD [--group NAME] [--consumer NAME] [filters]\n"
	    "       eas-watch prometheus [-s NAME ...] [--stale S] [--textfile DIR]\n"
	    "       eas-watch html [-s NAME ...] [--stale S] [-n N] [--refresh S]\n"
	    "Common options: [-u URL] [--password-file F] [--prefix P] [-t TIMEOUT] [-v]\n"
	    "Reads what eas-publish and eas-ctl keep in Redis and turns it into checks, tables,\n"
	    "alert tails, per-alert hooks and metrics.\n"
	    "  -u, --redis URL        redis://[user:password@]host[:port][/db] or unix:///path\n"
	    "                         (default $EAS_REDIS_URL, else %s)\n"
	    "      --password-file F  Redis password (first line of F)\n"
	    "      --prefix P         key prefix (default $EAS_PREFIX, else \"eas:\")\n"
	    "  -t, --timeout S        give up on Redis after S seconds (default 10)\n"
	    "  -s, --source NAME      a source to expect (repeatable; default: the sources hash,\n"
	    "                         else every source that ever published); alerts: heard by "
	    "NAME\n"
	    "  -w, --warning RANGE    check: WARNING when a source's RMS level (dBFS) is outside\n"
	    "  -c, --critical RANGE   check: CRITICAL when it is outside (10, 10:, ~:10, @10:20)\n"
	    "      --stale S          a heartbeat older than S seconds is CRITICAL (default 15)\n"
	    "      --silence S        silent longer than S seconds is WARNING (default 60)\n"
	    "      --rwt-days D       no Required Weekly Test heard in D days is WARNING\n"
	    "                         (default 8; 0: never)\n"
	    "      --listener NAME    a control listener to expect alive (repeatable)\n"
	    "      --spool-warn N     a spool backlog of N bytes or more is WARNING (default "
	    "65536)\n"
	    "      --json             check, status, alerts: JSON instead of text\n"
	    "  -f, --follow           alerts: keep reading new ones (reconnecting)\n"
	    "      --since TIME|ID    alerts: from this time (RFC 3339, epoch s) or stream id on\n"
	    "  -n, --count N          alerts, html: at most the N newest past ones (default 20)\n"
	    "      --event LIST       alerts: only these event codes (TOR,SVR)\n"
	    "      --fips LIST        alerts: only for these locations (039173,039*)\n"
	    "      --active           alerts: only those not yet expired\n"
	    "      --exec CMD         alerts -f: run CMD (sh -c) once per alert, fields in EAS_*\n"
	    "                         and the JSON line on stdin\n"
	    "      --group NAME       alerts --exec: a consumer group; acknowledge after CMD exits "
	    "0\n"
	    "      --consumer NAME    alerts --group: this consumer's name (default the host "
	    "name)\n"
	    "      --retry-max S      alerts --exec: retry a failing CMD with backoff for S "
	    "seconds,\n"
	    "                         then report it and move on (default 300)\n"
	    "      --textfile DIR     prometheus: write DIR/%s atomically\n"
	    "      --refresh S        html: the page reloads itself every S seconds (default 30)\n"
	    "  -v, --verbose          more log on stderr\n"
	    "  -h, --help             this help\n"
	    "      --version          print the version\n"
	    "Exit: check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad usage); others: 0 ok,\n"
	    "1 runtime failure, 2 usage, 3 Redis did not answer.\n",
	    EAS_REDIS_DEFAULT_URL, WATCH_PROM_FILE);
}

enum {
	OPT_PASSWORD_FILE = 256,
	OPT_PREFIX,
	OPT_STALE,
	OPT_SILENCE,
	OPT_RWT_DAYS,
	OPT_LISTENER,
	OPT_SPOOL_WARN,
	OPT_JSON,
	OPT_SINCE,
	OPT_EVENT,
	OPT_FIPS,
	OPT_ACTIVE,
	OPT_EXEC,
	OPT_GROUP,
	OPT_CONSUMER,
	OPT_RETRY_MAX,
	OPT_TEXTFILE,
	OPT_REFRESH,
	OPT_VERSION,
};

enum { C_CHECK = 1, C_STATUS = 2, C_ALERTS = 4, C_PROM = 8, C_HTML = 16, C_ALL = 31 };

/* Which subcommands take each option (the common ones: all). */
static int allowed(int opt)
{
	switch (opt) {
	case 'w':
	case 'c':
	case OPT_SILENCE:
	case OPT_RWT_DAYS:
	case OPT_LISTENER:
	case OPT_SPOOL_WARN:
		return C_CHECK;
	case OPT_STALE:
		return C_CHECK | C_STATUS | C_PROM | C_HTML;
	case OPT_JSON:
		return C_CHECK | C_STATUS | C_ALERTS;
	case 'n':
		return C_ALERTS | C_HTML;
	case 'f':
	case OPT_SINCE:
	case OPT_EVENT:
	case OPT_FIPS:
	case OPT_ACTIVE:
	case OPT_EXEC:
	case OPT_GROUP:
	case OPT_CONSUMER:
	case OPT_RETRY_MAX:
		return C_ALERTS;
	case OPT_TEXTFILE:
		return C_PROM;
	case OPT_REFRESH:
		return C_HTML;
	default:
		return C_ALL;
	}
}

static int bad(int cmd, const char *fmt, const char *arg)
{
	eas_log(EAS_LOG_ERROR, fmt, arg);
	eas_usage_hint();
	/* check's bad usage is UNKNOWN, as monitoring plugins say it (also 3 = EAS_EXIT_TIMEOUT
	 * elsewhere, so the others use 2) */
	return cmd == C_CHECK ? EAS_NAGIOS_UNKNOWN : EAS_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"redis", required_argument, 0, 'u'},
	    {"password-file", required_argument, 0, OPT_PASSWORD_FILE},
	    {"prefix", required_argument, 0, OPT_PREFIX},
	    {"timeout", required_argument, 0, 't'},
	    {"source", required_argument, 0, 's'},
	    {"warning", required_argument, 0, 'w'},
	    {"critical", required_argument, 0, 'c'},
	    {"stale", required_argument, 0, OPT_STALE},
	    {"silence", required_argument, 0, OPT_SILENCE},
	    {"rwt-days", required_argument, 0, OPT_RWT_DAYS},
	    {"listener", required_argument, 0, OPT_LISTENER},
	    {"spool-warn", required_argument, 0, OPT_SPOOL_WARN},
	    {"json", no_argument, 0, OPT_JSON},
	    {"follow", no_argument, 0, 'f'},
	    {"since", required_argument, 0, OPT_SINCE},
	    {"count", required_argument, 0, 'n'},
	    {"event", required_argument, 0, OPT_EVENT},
	    {"fips", required_argument, 0, OPT_FIPS},
	    {"active", no_argument, 0, OPT_ACTIVE},
	    {"exec", required_argument, 0, OPT_EXEC},
	    {"group", required_argument, 0, OPT_GROUP},
	    {"consumer", required_argument, 0, OPT_CONSUMER},
	    {"retry-max", required_argument, 0, OPT_RETRY_MAX},
	    {"textfile", required_argument, 0, OPT_TEXTFILE},
	    {"refresh", required_argument, 0, OPT_REFRESH},
	    {"verbose", no_argument, 0, 'v'},
	    {"help", no_argument, 0, 'h'},
	    {"version", no_argument, 0, OPT_VERSION},
	    {0, 0, 0, 0},
	};
	static struct watch_opts o = {
	    .timeout_s = 10,
	    .stale_s = 15,
	    .silence_s = 60,
	    .rwt_days = 8,
	    .spool_warn = 65536,
	    .count = 20,
	    .retry_max_s = 300,
	    .refresh_s = 30,
	};
	eas_log_init(argv[0]);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return EAS_EXIT_OK;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("eas-watch %s\n", EAS_VERSION);
		return EAS_EXIT_OK;
	}
	int cmd = 0;
	if (argc >= 2) {
		static const struct {
			const char *name;
			int cmd;
		} cmds[] = {{"check", C_CHECK},
		            {"status", C_STATUS},
		            {"alerts", C_ALERTS},
		            {"prometheus", C_PROM},
		            {"html", C_HTML}};
		for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
			if (!strcmp(argv[1], cmds[i].name))
				cmd = cmds[i].cmd;
	}
	if (!cmd) {
		if (argc >= 2)
			log_error("unknown subcommand \"%s\"", argv[1]);
		else
			log_error(
			    "a subcommand is needed: check, status, alerts, prometheus or html");
		eas_usage_hint();
		return argc >= 2 && !strcmp(argv[1], "check") ? EAS_NAGIOS_UNKNOWN : EAS_EXIT_USAGE;
	}
	argc--;
	argv++;
	static char self[64]; /* getopt's messages name "eas-watch status", not "status" */
	snprintf(self, sizeof self, "eas-watch %s", argv[0]);
	argv[0] = self;
	char err[300];
	int c, li = -1, verbose = 0;
	while ((c = getopt_long(argc, argv, "u:t:s:w:c:fn:vh", lopts, &li)) != -1) {
		if (c != '?' && !(allowed(c) & cmd)) {
			char name[40];
			if (li >= 0)
				snprintf(name, sizeof name, "--%s", lopts[li].name);
			else
				snprintf(name, sizeof name, "-%c", c);
			return bad(cmd, "option %s does not apply to this subcommand", name);
		}
		li = -1;
		switch (c) {
		case 'u':
			o.url = optarg;
			break;
		case OPT_PASSWORD_FILE:
			o.password_file = optarg;
			break;
		case OPT_PREFIX:
			o.prefix = optarg;
			break;
		case 't':
			if (eas_parse_double(optarg, 0.1, 3600, &o.timeout_s) < 0)
				return bad(cmd, "-t: want seconds from 0.1 to 3600, not %s",
				           optarg);
			break;
		case 's':
			if (o.nsources == WATCH_MAX_ARGS)
				return bad(cmd, "--source: at most 64 (%s)", optarg);
			if (!*optarg || strlen(optarg) > WATCH_NAME_MAX)
				return bad(cmd, "--source: 1..64 bytes, not \"%s\"", optarg);
			o.sources[o.nsources++] = optarg;
			break;
		case 'w':
		case 'c':
			if (watch_range_parse(optarg, c == 'w' ? &o.warn : &o.crit, err,
			                      sizeof err) < 0)
				return bad(cmd, "%s", err);
			break;
		case OPT_STALE:
			if (eas_parse_double(optarg, 1, 86400, &o.stale_s) < 0)
				return bad(cmd, "--stale: want seconds from 1 to 86400, not %s",
				           optarg);
			break;
		case OPT_SILENCE:
			if (eas_parse_double(optarg, 0, 86400 * 7, &o.silence_s) < 0)
				return bad(cmd, "--silence: want seconds >= 0, not %s", optarg);
			break;
		case OPT_RWT_DAYS:
			if (eas_parse_double(optarg, 0, 3660, &o.rwt_days) < 0)
				return bad(cmd, "--rwt-days: want days from 0 to 3660, not %s",
				           optarg);
			break;
		case OPT_LISTENER:
			if (o.nlisteners == WATCH_MAX_ARGS)
				return bad(cmd, "--listener: at most 64 (%s)", optarg);
			if (!*optarg || strlen(optarg) > WATCH_NAME_MAX)
				return bad(cmd, "--listener: 1..64 bytes, not \"%s\"", optarg);
			o.listeners[o.nlisteners++] = optarg;
			break;
		case OPT_SPOOL_WARN:
			if (eas_parse_long(optarg, 1, 1000000000L, &o.spool_warn) < 0)
				return bad(cmd, "--spool-warn: want a positive count, not %s",
				           optarg);
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case 'f':
			o.follow = true;
			break;
		case OPT_SINCE:
			o.since = optarg;
			break;
		case 'n':
			if (eas_parse_long(optarg, 1, 100000, &o.count) < 0)
				return bad(cmd, "--count: want 1..100000, not %s", optarg);
			break;
		case OPT_EVENT:
			o.events = optarg;
			break;
		case OPT_FIPS:
			o.fips = optarg;
			break;
		case OPT_ACTIVE:
			o.active = true;
			break;
		case OPT_EXEC:
			o.exec = optarg;
			break;
		case OPT_GROUP:
			o.group = optarg;
			break;
		case OPT_CONSUMER:
			o.consumer = optarg;
			break;
		case OPT_RETRY_MAX:
			if (eas_parse_double(optarg, 0, 86400 * 7, &o.retry_max_s) < 0)
				return bad(cmd, "--retry-max: want seconds >= 0, not %s", optarg);
			break;
		case OPT_TEXTFILE:
			o.textfile = optarg;
			break;
		case OPT_REFRESH:
			if (eas_parse_double(optarg, 1, 86400, &o.refresh_s) < 0)
				return bad(cmd, "--refresh: want seconds from 1 to 86400, not %s",
				           optarg);
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return EAS_EXIT_OK;
		case OPT_VERSION:
			printf("eas-watch %s\n", EAS_VERSION);
			return EAS_EXIT_OK;
		default: /* getopt said what was wrong */
			eas_usage_hint();
			return cmd == C_CHECK ? EAS_NAGIOS_UNKNOWN : EAS_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return bad(cmd, "unexpected argument: %s", argv[optind]);
	eas_log_set_level(EAS_LOG_WARN + verbose);
	if (eas_keys_init(&o.keys, o.prefix) < 0)
		return bad(cmd, "--prefix: at most 64 bytes: %s", o.prefix);
	if ((o.exec || o.group) && !o.follow)
		return bad(cmd, "%s needs -f", o.exec ? "--exec" : "--group");
	if ((o.group || o.consumer) && !o.exec)
		return bad(cmd, "%s needs --exec", o.group ? "--group" : "--consumer");
	if (o.exec && o.json)
		return bad(cmd, "%s: the hook gets JSON on stdin already", "--json");
	if (eas_signals_install(false) < 0) { /* SIGHUP ignored: nothing to reopen */
		log_error_errno("cannot install signal handlers");
		return cmd == C_CHECK ? EAS_NAGIOS_UNKNOWN : EAS_EXIT_FAIL;
	}
	int rc = cmd == C_CHECK    ? watch_check(&o)
	         : cmd == C_STATUS ? watch_status(&o)
	         : cmd == C_ALERTS ? watch_alerts(&o)
	         : cmd == C_HTML   ? watch_html(&o)
	                           : watch_prometheus(&o);
	/* A reader that went away (| head) ends the output quietly, as in every eas-tools
	 * program; any other failed write is said.  check keeps its Nagios codes. */
	if (cmd != C_CHECK && rc == EAS_EXIT_FAIL && ferror(stdout)) {
		if (eas_stdout_gone(0))
			return EAS_EXIT_OK;
		log_error("cannot write to standard output");
	}
	return rc;
}
