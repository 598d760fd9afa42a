/* ctl_loop.c: eas-ctl's send path timed inside one process: N calls of ctl_send (the code
 * `eas-ctl send` runs after its options are read), each from its start to the confirmed reply,
 * so that what a process start costs on this machine is left out.  Used by bench/ctl.sh.
 *
 * Usage: ctl_loop URL N COMMAND [SOURCE] [KEYFILE]   (KEYFILE "" or absent: unsigned)
 * Prints "median_ms p99_ms max_ms" on stdout; exits 1 if any send did not return 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "timeutil.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static unsigned char key[CTL_KEY_MAX + 2];
	char err[512], line[CTL_KEY_MAX + 2];
	if (argc < 4) {
		fprintf(stderr, "usage: ctl_loop URL N COMMAND [SOURCE] [KEYFILE]\n");
		return 2;
	}
	eas_log_init("ctl_loop");
	struct ctl_opts o = {.timeout_s = 10, .window_s = 30}; /* eas-ctl's defaults */
	if (eas_redis_conf_init(&o.conf, argv[1], NULL, NULL, NULL, err, sizeof err) < 0) {
		fprintf(stderr, "ctl_loop: %s\n", err);
		return 2;
	}
	o.conf.connect_timeout_ms = 1000; /* as eas-ctl send */
	o.conf.io_timeout_ms = 1000;
	int n = atoi(argv[2]);
	const char *command = argv[3];
	const char *source = argc > 4 && argv[4][0] ? argv[4] : NULL;
	if (argc > 5 && argv[5][0]) {
		if (eas_read_secret_file(argv[5], line, sizeof line, err, sizeof err) < 0) {
			fprintf(stderr, "ctl_loop: %s\n", err);
			return 2;
		}
		o.key.len = strlen(line);
		memcpy(key, line, o.key.len);
		o.key.key = key;
	}
	/* The replies ctl_send prints go to /dev/null; the figures to the original stdout. */
	FILE *out = fdopen(dup(1), "w");
	if (n < 1 || !out || !freopen("/dev/null", "w", stdout))
		return 2;
	double *t = calloc((size_t)n, sizeof *t);
	if (!t)
		return 2;
	for (int i = 0; i < n; i++) {
		int64_t t0 = eas_mono_ns();
		int rc = ctl_send(&o, command, source, NULL, 0);
		t[i] = (double)(eas_mono_ns() - t0) / 1e6;
		if (rc != 0) {
			fprintf(stderr, "ctl_loop: send %d exited %d\n", i, rc);
			return 1;
		}
	}
	qsort(t, (size_t)n, sizeof *t, cmp);
	fprintf(out, "%.3f %.3f %.3f\n", t[n / 2], t[n * 99 / 100 < n ? n * 99 / 100 : n - 1],
	        t[n - 1]);
	free(t);
	return fclose(out) == 0 ? 0 : 1;
}
