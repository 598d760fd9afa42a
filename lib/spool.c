/* spool.c: a persistent FIFO of lines with named cursors (see spool.h for the on-disk layout). */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define POS_LEN 21 /* 20 digits and '\n' */

static int fail(char *err, size_t errlen, const char *what, const char *path)
{
	if (err && errlen)
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_pos(int fd, uint64_t pos)
{
	char b[POS_LEN + 1];
	snprintf(b, sizeof b, "%020llu\n", (unsigned long long)pos);
	return pwrite(fd, b, POS_LEN, 0) == POS_LEN ? 0 : -1;
}

/* Is OFF a record boundary of the log? */
static bool boundary(struct eas_spool *s, uint64_t off)
{
	char c;
	if (off == 0)
		return true;
	if (off > s->end)
		return false;
	return pread(s->fd, &c, 1, (off_t)(off - 1)) == 1 && c == '\n';
}

static uint64_t read_pos(struct eas_spool *s, int fd)
{
	char b[POS_LEN + 1];
	ssize_t n = pread(fd, b, POS_LEN, 0);
	if (n != POS_LEN || b[POS_LEN - 1] != '\n')
		return 0;
	uint64_t v = 0;
	for (int i = 0; i < POS_LEN - 1; i++) {
		if (b[i] < '0' || b[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(b[i] - '0');
	}
	return boundary(s, v) ? v : 0;
}

/* Drop a torn last record: keep the file up to its last '\n'. */
static int trim_tail(struct eas_spool *s)
{
	char buf[4096];
	uint64_t off = s->end;
	while (off > 0) {
		size_t n = off < sizeof buf ? (size_t)off : sizeof buf;
		if (pread(s->fd, buf, n, (off_t)(off - n)) != (ssize_t)n)
			return -1;
		for (size_t i = n; i > 0; i--)
			if (buf[i - 1] == '\n') {
				uint64_t keep = off - n + i;
				if (keep != s->end) {
					if (ftruncate(s->fd, (off_t)keep) < 0)
						return -1;
					s->end = keep;
				}
				return 0;
			}
		off -= n;
	}
	if (s->end && ftruncate(s->fd, 0) < 0)
		return -1;
	s->end = 0;
	return 0;
}

static int open_anon(struct eas_spool *s, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	s->fd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s->fd < 0) {
		char path[4096];
		snprintf(path, sizeof path, "%s/eas-spool.XXXXXX", tmp);
		s->fd = mkstemp(path);
		if (s->fd < 0)
			return fail(err, errlen, "cannot create a temporary spool in", tmp);
		unlink(path);
	}
	return 0;
}

int eas_spool_open(struct eas_spool *s, const char *dir, const char *const *names, int n, char *err,
                   size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->fd = s->lockfd = s->dirfd = -1;
	if (n > EAS_SPOOL_MAX_CURSORS) {
		snprintf(err, errlen, "too many spool cursors");
		return -1;
	}
	s->ncur = n;
	for (int i = 0; i < n; i++) {
		snprintf(s->cur[i].name, sizeof s->cur[i].name, "%s", names[i]);
		s->cur[i].fd = -1;
	}
	if (!dir)
		return open_anon(s, err, errlen);

	s->durable = true;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return fail(err, errlen, "cannot create spool directory", dir);
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return fail(err, errlen, "cannot open spool directory", dir);
	s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0)
		return fail(err, errlen, "cannot create lock in", dir);
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			snprintf(err, errlen, "spool %s is in use by another process", dir);
			return -1;
		}
		return fail(err, errlen, "cannot lock", dir);
	}
	s->fd = openat(s->dirfd, "spool.log", O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (s->fd < 0)
		return fail(err, errlen, "cannot open spool.log in", dir);
	struct stat st;
	if (fstat(s->fd, &st) < 0)
		return fail(err, errlen, "cannot stat spool.log in", dir);
	s->end = (uint64_t)st.st_size;
	if (trim_tail(s) < 0)
		return fail(err, errlen, "cannot repair spool.log in", dir);
	s->synced = s->end;
	for (int i = 0; i < n; i++) {
		char file[64];
		snprintf(file, sizeof file, "%s.pos", s->cur[i].name);
		s->cur[i].fd = openat(s->dirfd, file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (s->cur[i].fd < 0)
			return fail(err, errlen, "cannot open cursor in", dir);
		s->cur[i].pos = s->cur[i].saved = read_pos(s, s->cur[i].fd);
	}
	fsync(s->dirfd);
	return 0;
}

void eas_spool_close(struct eas_spool *s)
{
	if (s->fd >= 0) {
		eas_spool_sync(s);
		eas_spool_save(s);
	}
	for (int i = 0; i < s->ncur; i++)
		if (s->cur[i].fd >= 0)
			close(s->cur[i].fd);
	if (s->fd >= 0)
		close(s->fd);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->wbuf);
	memset(s, 0, sizeof *s);
	s->fd = s->lockfd = s->dirfd = -1;
}

int eas_spool_append(struct eas_spool *s, const char *rec, size_t len)
{
	if (s->wlen + len + 1 > s->wcap) {
		size_t cap = s->wcap ? s->wcap : 65536;
		while (s->wlen + len + 1 > cap)
			cap *= 2;
		char *nb = realloc(s->wbuf, cap);
		if (!nb)
			return -1;
		s->wbuf = nb;
		s->wcap = cap;
	}
	memcpy(s->wbuf + s->wlen, rec, len);
	s->wlen += len;
	s->wbuf[s->wlen++] = '\n';
	return 0;
}

int eas_spool_flush(struct eas_spool *s)
{
	if (!s->wlen)
		return 0;
	if (write_all(s->fd, s->wbuf, s->wlen) < 0) {
		/* Cut off what got written (e.g. on ENOSPC) and keep the buffer to
		 * try again later: the log only ever holds whole records. */
		int e = errno;
		if (ftruncate(s->fd, (off_t)s->end) < 0) {
			/* the torn record is dropped on the next open */
		}
		errno = e;
		return -1;
	}
	s->end += s->wlen;
	s->wlen = 0;
	if (s->wcap > (1u << 20)) {
		free(s->wbuf);
		s->wbuf = NULL;
		s->wcap = 0;
	}
	if (!s->durable)
		s->synced = s->end;
	return 0;
}

int eas_spool_sync(struct eas_spool *s)
{
	if (eas_spool_flush(s) < 0)
		return -1;
	if (s->durable && s->synced != s->end) {
		if (fdatasync(s->fd) < 0)
			return -1;
		s->synced = s->end;
	}
	return 0;
}

bool eas_spool_unsynced(const struct eas_spool *s)
{
	return s->wlen || s->synced != s->end;
}

ssize_t eas_spool_read(struct eas_spool *s, uint64_t off, char *buf, size_t cap)
{
	if (off >= s->end)
		return 0;
	if (cap > s->end - off)
		cap = (size_t)(s->end - off);
	for (;;) {
		ssize_t n = pread(s->fd, buf, cap, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		return n;
	}
}

uint64_t eas_spool_pos(const struct eas_spool *s, int i)
{
	return s->cur[i].pos;
}

void eas_spool_set_pos(struct eas_spool *s, int i, uint64_t pos)
{
	s->cur[i].pos = pos;
}

int eas_spool_save(struct eas_spool *s)
{
	int ret = 0;
	for (int i = 0; i < s->ncur; i++) {
		if (s->cur[i].fd < 0 || s->cur[i].pos == s->cur[i].saved)
			continue;
		if (write_pos(s->cur[i].fd, s->cur[i].pos) < 0)
			ret = -1;
		else
			s->cur[i].saved = s->cur[i].pos;
	}
	return ret;
}

/* Remove .pos files of consumers this process does not know. */
static void drop_stale_cursors(struct eas_spool *s)
{
	int fd = dup(s->dirfd);
	if (fd < 0)
		return;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".pos"))
			continue;
		bool known = false;
		for (int i = 0; i < s->ncur; i++)
			if (strlen(s->cur[i].name) == n - 4 &&
			    !strncmp(e->d_name, s->cur[i].name, n - 4))
				known = true;
		if (!known)
			unlinkat(s->dirfd, e->d_name, 0);
	}
	closedir(d);
}

int eas_spool_compact(struct eas_spool *s, uint64_t min_bytes)
{
	if (s->wlen || s->end == 0 || s->end < min_bytes)
		return 0;
	for (int i = 0; i < s->ncur; i++)
		if (s->cur[i].pos != s->end)
			return 0;
	if (ftruncate(s->fd, 0) < 0)
		return -1;
	s->end = s->synced = 0;
	for (int i = 0; i < s->ncur; i++) {
		s->cur[i].pos = 0;
		if (s->cur[i].fd >= 0) {
			if (write_pos(s->cur[i].fd, 0) < 0 || fdatasync(s->cur[i].fd) < 0)
				return -1;
		}
		s->cur[i].saved = 0;
	}
	if (s->durable) {
		if (fsync(s->fd) < 0)
			return -1;
		drop_stale_cursors(s);
	}
	return 1;
}

uint64_t eas_spool_pending_bytes(const struct eas_spool *s)
{
	uint64_t min = s->end + s->wlen;
	for (int i = 0; i < s->ncur; i++)
		if (s->cur[i].pos < min)
			min = s->cur[i].pos;
	return s->end + s->wlen - min;
}

long eas_spool_pending_records(struct eas_spool *s)
{
	uint64_t min = s->end;
	for (int i = 0; i < s->ncur; i++)
		if (s->cur[i].pos < min)
			min = s->cur[i].pos;
	long count = 0;
	char buf[65536];
	while (min < s->end) {
		ssize_t n = eas_spool_read(s, min, buf, sizeof buf);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			count += buf[i] == '\n';
		min += (uint64_t)n;
	}
	for (size_t i = 0; i < s->wlen; i++)
		count += s->wbuf[i] == '\n';
	return count;
}
