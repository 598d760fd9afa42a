/* signals.h: the tools' one signal set-up: SIGINT/SIGTERM ask to stop, SIGHUP to reconnect
 * (or nothing), SIGPIPE is ignored. */
#ifndef EAS_SIGNALS_H
#define EAS_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* Set by the handlers, cleared by nobody but the tool. */
extern volatile sig_atomic_t eas_sig_stop; /* SIGINT or SIGTERM: finish cleanly */
extern volatile sig_atomic_t eas_sig_hup;  /* SIGHUP: reconnect / reopen */

/*
 * Install handlers that only set the flags above.  No SA_RESTART, so a
 * blocking read or sleep returns EINTR and the loop sees the flag.  SIGHUP
 * is caught when WANT_HUP (the tool reconnects or reopens); otherwise it is
 * ignored, so a HUP sent to a whole pipeline (systemctl kill -s HUP, kill
 * -HUP -PGID) never ends a tool that has nothing to reopen (DESIGN.md).
 * SIGPIPE is ignored: a closed pipe shows as EPIPE on the write, which the
 * tool turns into a quiet exit with status 0.  Returns 0, or -1 with errno set.
 */
int eas_signals_install(bool want_hup);

/*
 * Has the reader of standard output gone away (a closed pipe: `| head`)?  ERR is the errno of the
 * failed write or flush when the caller has it (EPIPE says so), or 0.  Otherwise, since errno may
 * be long gone by the time a tool looks at ferror(stdout), the pipe itself is asked: poll() reports
 * POLLERR on a write end whose read end is closed.  True means the tool ends quietly with status 0
 * (DESIGN.md); false means the failed write is a real error, to be said on stderr.
 */
bool eas_stdout_gone(int err);

#endif
