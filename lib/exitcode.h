/* exitcode.h: the exit codes every eas-tools program uses (see DESIGN.md). */
#ifndef EAS_EXITCODE_H
#define EAS_EXITCODE_H

enum eas_exit {
	EAS_EXIT_OK = 0,      /* success */
	EAS_EXIT_FAIL = 1,    /* runtime failure */
	EAS_EXIT_USAGE = 2,   /* bad usage or invalid argument */
	EAS_EXIT_TIMEOUT = 3, /* timeout, no answer */
};

/* Nagios plugin convention, used by eas-watch status checks. */
enum eas_nagios {
	EAS_NAGIOS_OK = 0,
	EAS_NAGIOS_WARNING = 1,
	EAS_NAGIOS_CRITICAL = 2,
	EAS_NAGIOS_UNKNOWN = 3,
};

#endif
