/* signals.c: the tools' one signal set-up (see signals.h). */
#include "signals.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t eas_sig_stop;
volatile sig_atomic_t eas_sig_hup;

static void on_stop(int sig)
{
	(void)sig;
	eas_sig_stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	eas_sig_hup = 1;
}

int eas_signals_install(bool want_hup)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = want_hup ? on_hup : SIG_IGN;
	if (sigaction(SIGHUP, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

bool eas_stdout_gone(int err)
{
	if (err == EPIPE)
		return true;
	struct pollfd p = {.fd = STDOUT_FILENO, .events = 0};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}
