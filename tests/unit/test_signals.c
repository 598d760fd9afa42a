/* test_signals.c: unit tests of the signal set-up and of spotting a closed standard output
 * (lib/signals.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "signals.h"
#include "t.h"

int main(void)
{
	CHECK(eas_signals_install(false) == 0);
	/* SIGPIPE ignored: a write to a closed pipe fails with EPIPE instead of killing us */
	int fd[2];
	CHECK(pipe(fd) == 0);
	int saved = dup(STDOUT_FILENO);
	CHECK(saved >= 0 && dup2(fd[1], STDOUT_FILENO) == STDOUT_FILENO);
	close(fd[1]);
	/* a reader still there: not gone, whatever errno says apart from EPIPE */
	CHECK(!eas_stdout_gone(0));
	CHECK(!eas_stdout_gone(ENOSPC));
	CHECK(eas_stdout_gone(EPIPE));
	/* the reader went away: gone, also when errno was lost (0) or is another one */
	close(fd[0]);
	CHECK(eas_stdout_gone(0));
	CHECK(eas_stdout_gone(EIO));
	errno = 0;
	CHECK(write(STDOUT_FILENO, "x", 1) == -1 && errno == EPIPE);
	CHECK(dup2(saved, STDOUT_FILENO) == STDOUT_FILENO);
	close(saved);
	/* a regular file (or terminal) as stdout is never "gone" */
	FILE *f = tmpfile();
	CHECK(f != NULL);
	saved = dup(STDOUT_FILENO);
	CHECK(dup2(fileno(f), STDOUT_FILENO) == STDOUT_FILENO);
	bool gone = eas_stdout_gone(0);
	CHECK(dup2(saved, STDOUT_FILENO) == STDOUT_FILENO);
	close(saved);
	fclose(f);
	CHECK(!gone);
	/* SIGTERM sets the stop flag only */
	CHECK(raise(SIGTERM) == 0 && eas_sig_stop == 1);
	return t_done("test_signals");
}
