/* log.h: the one logger of eas-tools: leveled messages to stderr, prefixed with the program name.
 */
#ifndef EAS_LOG_H
#define EAS_LOG_H

enum eas_log_level {
	EAS_LOG_ERROR = 0,
	EAS_LOG_WARN = 1,
	EAS_LOG_INFO = 2,
	EAS_LOG_DEBUG = 3,
};

/* Set the program name shown before every message (basename of argv[0]). */
void eas_log_init(const char *argv0);

/* Messages above LEVEL are dropped.  Default EAS_LOG_WARN; each -v adds one. */
void eas_log_set_level(int level);
int eas_log_get_level(void);

/* Print "prog: [level: ]message\n" to stderr when LEVEL is enabled. */
void eas_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) eas_log(EAS_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  eas_log(EAS_LOG_WARN, __VA_ARGS__)
#define log_info(...)  eas_log(EAS_LOG_INFO, __VA_ARGS__)
#define log_debug(...) eas_log(EAS_LOG_DEBUG, __VA_ARGS__)

/* As eas_log(), with ": " and strerror(errno) appended (errno as it was on entry), so a
 * failed system call is reported as "prog: cannot open F: No such file or directory". */
void eas_log_errno(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error_errno(...) eas_log_errno(EAS_LOG_ERROR, __VA_ARGS__)
#define log_warn_errno(...)  eas_log_errno(EAS_LOG_WARN, __VA_ARGS__)

/*
 * The one usage error of every tool: prints "prog: MESSAGE" and then
 * "Try 'prog --help' for more information." on stderr, and returns
 * EAS_EXIT_USAGE (2) for main() to return.  FMT is printf-like.
 */
int eas_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The hint alone, for getopt's own messages (unknown option, missing argument): returns
 * EAS_EXIT_USAGE after printing "Try 'prog --help' for more information.". */
int eas_usage_hint(void);

/* The program name given to eas_log_init(). */
const char *eas_progname(void);

#endif
