/* log.c: the one logger of eas-tools (stderr only, levels set by -v). */
#include "log.h"

#include "exitcode.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *progname = "eas";
static int cur_level = EAS_LOG_WARN;

void eas_log_init(const char *argv0)
{
	if (argv0 && *argv0) {
		const char *s = strrchr(argv0, '/');
		progname = s ? s + 1 : argv0;
	}
}

void eas_log_set_level(int level)
{
	cur_level = level < EAS_LOG_ERROR ? EAS_LOG_ERROR : level;
}

int eas_log_get_level(void)
{
	return cur_level;
}

const char *eas_progname(void)
{
	return progname;
}

static void vlog(int level, const char *suffix, const char *fmt, va_list ap)
{
	static const char *names[] = {"", "warning: ", "", "debug: "};
	char buf[1024];

	if (level > cur_level)
		return;
	vsnprintf(buf, sizeof buf, fmt, ap);
	/* One write per message so lines from several tools do not interleave. */
	fprintf(stderr, "%s: %s%s%s%s\n", progname,
	        names[level < 0   ? 0
	              : level > 3 ? 3
	                          : level],
	        buf, suffix ? ": " : "", suffix ? suffix : "");
}

void eas_log(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
}

void eas_log_errno(int level, const char *fmt, ...)
{
	const char *why = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	vlog(level, why, fmt, ap);
	va_end(ap);
}

int eas_usage_hint(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	return EAS_EXIT_USAGE;
}

int eas_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(EAS_LOG_ERROR, NULL, fmt, ap);
	va_end(ap);
	return eas_usage_hint();
}
