/* sink.c: where eas-encode's samples go: raw s16le on stdout, or a WAV/FLAC file written under
 * a temporary name and renamed once complete. */
#include "encode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "signals.h"

/* Write N samples; returns 0, or -1 after logging (quietly for a closed pipe). */
int sink_write(struct sink *s, const int16_t *buf, size_t n)
{
	if (s->sf) {
		sf_count_t w = sf_write_short(s->sf, buf, (sf_count_t)n);
		if (w != (sf_count_t)n) {
			s->failed = 1;
			log_error("%s: write failed: %s", s->name, sf_strerror(s->sf));
			return -1;
		}
		return 0;
	}
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	for (size_t i = 0; i < n; i++) {
		unsigned char b[2] = {(unsigned char)(buf[i] & 0xff),
		                      (unsigned char)((uint16_t)buf[i] >> 8)};
		if (fwrite(b, 1, 2, s->fp) != 2)
			goto fail;
	}
	return 0;
#else
	if (fwrite(buf, sizeof *buf, n, s->fp) == n)
		return 0;
	goto fail;
#endif
fail:
	s->failed = 1;
	if (errno == EPIPE) {
		s->epipe = 1;
		return -1;
	}
	if (errno == EINTR && eas_sig_stop)
		return -1;
	log_error_errno("%s: write failed", s->name);
	return -1;
}

/* Open FILE.wav or FILE.flac (FORMAT: SF_FORMAT_*) for writing under a temporary name
 * beside it.  Returns 0, or -1 after saying why. */
int sink_open_file(struct sink *s, const char *name, int format, int rate)
{
	struct stat st;
	const char *slash = strrchr(name, '/');
	int dirlen = slash ? (int)(slash - name) + 1 : 0;

	s->name = name;
	if (stat(name, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_error("cannot write %s: it is a directory", name);
		return -1;
	}
	if (asprintf(&s->tmpname, "%.*s.%s.XXXXXX", dirlen, name, name + dirlen) < 0) {
		s->tmpname = NULL;
		log_error("out of memory");
		return -1;
	}
	int fd = mkstemp(s->tmpname);
	if (fd < 0) {
		log_error_errno("cannot create %s (in %.*s)", name, dirlen ? dirlen : 1,
		                dirlen ? name : ".");
		free(s->tmpname);
		s->tmpname = NULL;
		return -1;
	}
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask); /* as open(2) would have made it */
	SF_INFO info = {.samplerate = rate, .channels = 1, .format = format};
	s->fd = fd;
	s->sf = sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);
	if (!s->sf) {
		log_error("cannot write %s: libsndfile refused the format (%s)", name,
		          sf_strerror(NULL));
		return -1;
	}
	return 0;
}

/* Finish the output.  COMPLETE: everything was written, so a sound file takes its name;
 * otherwise its temporary file is removed.  Returns 0, or -1 after saying why. */
int sink_close(struct sink *s, bool complete)
{
	int rc = 0;

	if (s->sf) {
		if (sf_close(s->sf) != 0) {
			log_error("%s: close failed", s->name);
			rc = -1;
		}
		s->sf = NULL;
	}
	if (s->fd >= 0) {
		if (close(s->fd) < 0 && rc == 0) {
			log_error_errno("%s: close failed", s->name);
			rc = -1;
		}
		s->fd = -1;
	} else if (s->fp) {
		if (fflush(s->fp) != 0 || ferror(s->fp)) {
			if (errno == EPIPE)
				s->epipe = 1;
			else if (!s->failed && !eas_sig_stop)
				log_error_errno("%s: write failed", s->name);
			rc = -1;
		}
	}
	if (s->tmpname) {
		if (complete && rc == 0 && rename(s->tmpname, s->name) < 0) {
			log_error_errno("cannot rename %s to %s", s->tmpname, s->name);
			rc = -1;
		}
		if (!complete || rc < 0)
			unlink(s->tmpname);
		free(s->tmpname);
		s->tmpname = NULL;
	}
	return rc;
}

/* Output format from the file name's extension: SF_FORMAT_* or 0. */
int format_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot && strcasecmp(dot, ".wav") == 0)
		return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	if (dot && strcasecmp(dot, ".flac") == 0)
		return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
	return 0;
}
