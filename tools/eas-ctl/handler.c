/* handler.c: runs eas-ctl listen's handler for one command: arguments, EAS_CTL_* environment and
 * JSON on stdin, first line of output kept, the whole process group killed after a timeout. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "timeutil.h"

#define OUT_KEEP 4096 /* bytes of output kept to find the first line */

/* In the child: environment, arguments, exec.  Never returns. */
static void child(const char *handler, const struct ctl_cmd *c, int in_fd, int out_fd)
{
	char seq[32], name[CTL_PNAME_MAX + 32];
	setpgid(0, 0);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(127);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	snprintf(seq, sizeof seq, "%" PRId64, c->seq);
	unsetenv("EAS_CTL_KEY_FILE"); /* the handler needs no key */
	setenv("EAS_CTL_COMMAND", c->command, 1);
	setenv("EAS_CTL_SOURCE", c->source, 1);
	setenv("EAS_CTL_SEQ", seq, 1);
	setenv("EAS_CTL_ID", c->id, 1);
	setenv("EAS_CTL_SENDER", c->sender, 1);
	char *argv[CTL_PARAMS_MAX + 4];
	int n = 0;
	argv[n++] = (char *)handler;
	argv[n++] = (char *)c->command;
	if (c->source[0])
		argv[n++] = (char *)c->source;
	for (int i = 0; i < c->nparams; i++) {
		snprintf(name, sizeof name, "EAS_CTL_PARAM_%s", c->params[i].name);
		for (char *p = name; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		setenv(name, c->params[i].value, 1);
		size_t len = strlen(c->params[i].name) + strlen(c->params[i].value) + 2;
		char *arg = malloc(len);
		if (!arg)
			_exit(127);
		snprintf(arg, len, "%s=%s", c->params[i].name, c->params[i].value);
		argv[n++] = arg;
	}
	argv[n] = NULL;
	execvp(handler, argv);
	dprintf(1, "cannot run %s: %s\n", handler, strerror(errno));
	_exit(127);
}

/* The first non-empty line of BUF[0..N) into OUT, without control characters. */
static void first_line(const char *buf, size_t n, char *out, size_t outlen)
{
	size_t i = 0, o = 0;
	while (i < n && (buf[i] == '\n' || buf[i] == '\r' || buf[i] == ' '))
		i++;
	for (; i < n && buf[i] != '\n' && o + 1 < outlen; i++)
		if ((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f)
			out[o++] = buf[i];
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

int ctl_run_handler(const char *handler, const struct ctl_cmd *c, const char *json, size_t jsonlen,
                    int timeout_ms, void (*tick)(void), struct ctl_run *r)
{
	int in[2], out[2];
	memset(r, 0, sizeof *r);
	r->status = -1;
	if (pipe2(in, O_CLOEXEC) < 0) {
		snprintf(r->first, sizeof r->first, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		snprintf(r->first, sizeof r->first, "pipe: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(r->first, sizeof r->first, "fork: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (pid == 0)
		child(handler, c, in[0], out[1]);
	setpgid(pid, pid); /* also in the parent, so the kill below never misses */
	close(in[0]);
	close(out[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);

	char buf[OUT_KEEP];
	size_t got = 0, sent = 0;
	int64_t deadline = eas_mono_ms() + timeout_ms, next_tick = eas_mono_ms() + 1000;
	int infd = in[1], outfd = out[0];
	bool exited = false;
	int wst = 0;
	for (;;) {
		if (!exited && waitpid(pid, &wst, WNOHANG) == pid) {
			exited = true;
			/* What it left running may hold the output open: read on briefly. */
			if (deadline > eas_mono_ms() + 100)
				deadline = eas_mono_ms() + 100;
		}
		if (outfd < 0 && exited)
			break;
		int64_t now = eas_mono_ms();
		if (now >= deadline) {
			r->timed_out = !exited;
			break;
		}
		if (tick && now >= next_tick) {
			tick();
			next_tick = now + 1000;
		}
		struct pollfd p[2];
		int np = 0;
		if (outfd >= 0)
			p[np++] = (struct pollfd){.fd = outfd, .events = POLLIN};
		if (infd >= 0)
			p[np++] = (struct pollfd){.fd = infd, .events = POLLOUT};
		int64_t wait = deadline - now;
		if (wait > 50)
			wait = 50; /* short naps: the child's exit is noticed by waitpid */
		if (np == 0) {
			usleep(1000); /* output closed: the exit is due any moment */
			continue;
		}
		if (poll(p, (nfds_t)np, (int)wait) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < np; i++) {
			if (p[i].fd == outfd && (p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
				char tmp[4096];
				ssize_t k = read(outfd, tmp, sizeof tmp);
				if (k > 0) {
					size_t keep = (size_t)k < sizeof buf - got
					                  ? (size_t)k
					                  : sizeof buf - got;
					memcpy(buf + got, tmp, keep);
					got += keep;
				} else if (k == 0 || errno != EAGAIN) {
					close(outfd);
					outfd = -1;
				}
			} else if (p[i].fd == infd &&
			           (p[i].revents & (POLLOUT | POLLERR | POLLHUP))) {
				ssize_t k = write(infd, json + sent, jsonlen - sent);
				if (k > 0)
					sent += (size_t)k;
				if (k < 0 || sent == jsonlen) {
					if (sent == jsonlen && write(infd, "\n", 1) < 0)
						log_debug("handler did not read its input");
					close(infd);
					infd = -1;
				}
			}
		}
	}
	/* Out of time: the handler's whole process group goes. */
	if (!exited) {
		kill(-pid, SIGKILL);
		waitpid(pid, &wst, 0);
	}
	if (infd >= 0)
		close(infd);
	if (outfd >= 0)
		close(outfd);
	first_line(buf, got, r->first, sizeof r->first);
	if (r->timed_out)
		r->status = -1;
	else if (WIFEXITED(wst))
		r->status = WEXITSTATUS(wst);
	else
		r->status = -1;
	if (!r->first[0] || r->timed_out) {
		if (r->timed_out)
			snprintf(r->first, sizeof r->first, "handler killed after %d.%d s",
			         timeout_ms / 1000, timeout_ms % 1000 / 100);
		else if (WIFSIGNALED(wst))
			snprintf(r->first, sizeof r->first, "handler killed by signal %d",
			         WTERMSIG(wst));
		else if (r->status != 0)
			snprintf(r->first, sizeof r->first, "handler exited with status %d",
			         r->status);
	}
	return 0;
}
