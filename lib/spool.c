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

static void drop_stale_cursors(struct eas_spool *s);

#define POS_LEN 21 /* 20 digits and '\n' */

static int fail(char *err, size_t errlen, const char *what, const char *path)
{
	if (err && errlen)
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return -1;
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
	if (off > s->logend)
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
	uint64_t off = s->logend;
	while (off > 0) {
		size_t n = off < sizeof buf ? (size_t)off : sizeof buf;
		if (pread(s->fd, buf, n, (off_t)(off - n)) != (ssize_t)n)
			return -1;
		for (size_t i = n; i > 0; i--)
			if (buf[i - 1] == '\n') {
				uint64_t keep = off - n + i;
				if (keep != s->logend) {
					if (ftruncate(s->fd, (off_t)keep) < 0)
						return -1;
					s->logend = keep;
				}
				return 0;
			}
		off -= n;
	}
	if (s->logend && ftruncate(s->fd, 0) < 0)
		return -1;
	s->logend = 0;
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
	s->mem_max = EAS_SPOOL_MEMORY_DEFAULT;
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
	s->logend = (uint64_t)st.st_size;
	if (trim_tail(s) < 0)
		return fail(err, errlen, "cannot repair spool.log in", dir);
	s->synced = s->logend;
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

void eas_spool_set_memory(struct eas_spool *s, size_t bytes)
{
	s->mem_max = bytes;
}

/* Allocate s->reserve bytes past the log's end when less than half of that is left. */
static int renew_reserve(struct eas_spool *s)
{
	if (!s->durable || !s->reserve)
		return 0;
	uint64_t size = s->logend - s->base;
	if (s->reserved_to >= size + s->reserve / 2)
		return 0;
	/* after a failure, try again only once the log grew by half the reservation */
	if (s->rerr && size < s->reserve_tried + s->reserve / 2)
		return 0;
	s->reserve_tried = size;
	if (fallocate(s->fd, FALLOC_FL_KEEP_SIZE, (off_t)size, (off_t)s->reserve) < 0) {
		s->rerr = errno;
		return -1;
	}
	s->reserved_to = size + s->reserve;
	s->rerr = 0;
	return 0;
}

int eas_spool_reserve(struct eas_spool *s, uint64_t bytes)
{
	s->reserve = bytes;
	s->reserved_to = s->reserve_tried = 0;
	s->rerr = 0;
	return renew_reserve(s);
}

/* Forget the first N bytes of the memory records. */
static void mem_consume(struct eas_spool *s, size_t n)
{
	memmove(s->wbuf, s->wbuf + n, s->wlen - n);
	s->wlen -= n;
	if (s->wlen == 0 && s->wcap > (1u << 20)) {
		free(s->wbuf);
		s->wbuf = NULL;
		s->wcap = 0;
	}
}

int eas_spool_flush(struct eas_spool *s)
{
	if (!s->wlen)
		return 0;
	if (s->torn) {
		if (ftruncate(s->fd, (off_t)(s->logend - s->base)) < 0)
			return s->werr = errno, -1;
		s->torn = false;
	}
	size_t done = 0;
	int e = 0;
	while (done < s->wlen) {
		ssize_t w = write(s->fd, s->wbuf + done, s->wlen - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			break;
		}
		done += (size_t)w;
	}
	if (e) {
		/* Keep the whole records that got written (e.g. up to ENOSPC), cut
		 * off the rest, and hold it in memory to try again later: the log
		 * only ever holds whole records. */
		size_t keep = done;
		while (keep && s->wbuf[keep - 1] != '\n')
			keep--;
		if (keep != done) {
			if (ftruncate(s->fd, (off_t)(s->logend - s->base + keep)) < 0)
				s->torn = true;
			/* what lay past the cut, a reservation too, is gone */
			s->reserved_to = s->logend - s->base + keep;
		}
		done = keep;
	}
	s->logend += done;
	mem_consume(s, done);
	if (!s->durable)
		s->synced = s->logend;
	if (e) {
		s->werr = e;
		errno = e;
		return -1;
	}
	s->werr = 0;
	renew_reserve(s);
	return 0;
}

int eas_spool_sync(struct eas_spool *s)
{
	int ret = eas_spool_flush(s);
	int e = errno;
	if (s->durable && s->synced != s->logend) {
		if (fdatasync(s->fd) < 0) {
			s->serr = e = errno;
			ret = -1;
		} else {
			s->synced = s->logend;
			s->serr = 0;
		}
	}
	errno = e;
	return ret;
}

/* Drop records every cursor has passed; emptying the log first when it must.
 * MIN_BYTES: see eas_spool_compact. */
static int compact(struct eas_spool *s, uint64_t min_bytes)
{
	uint64_t low = eas_spool_low(s);
	if (low < s->logend)
		return 0; /* a consumer still needs the log */
	if (s->logend == s->base && low == s->logend)
		return 0; /* nothing to drop */
	if (s->logend > s->base) {
		if (s->logend - s->base < min_bytes && low == s->logend && !s->werr)
			return 0;
		if (ftruncate(s->fd, 0) < 0)
			return -1;
		s->base = s->synced = s->logend;
		s->reserved_to = s->reserve_tried = 0;
		s->rerr = 0;
		s->torn = false;
		int ret = 0;
		for (int i = 0; i < s->ncur; i++) {
			if (s->cur[i].fd < 0) {
				s->cur[i].saved = 0;
				continue;
			}
			if (write_pos(s->cur[i].fd, 0) < 0 || fdatasync(s->cur[i].fd) < 0) {
				s->cur[i].saved =
				    UINT64_MAX; /* unknown: rewrite at the next save */
				ret = -1;
			} else {
				s->cur[i].saved = 0;
			}
		}
		if (s->durable) {
			if (fsync(s->fd) < 0)
				ret = -1;
			drop_stale_cursors(s);
		}
		renew_reserve(s);
		if (ret < 0)
			return -1;
	}
	if (low > s->logend) {
		/* records in memory that every consumer has: never to be written */
		mem_consume(s, (size_t)(low - s->logend));
		s->base = s->logend = s->synced = low;
	}
	return 1;
}

int eas_spool_append(struct eas_spool *s, const char *rec, size_t len)
{
	if (s->wlen && s->wlen + len + 1 > s->mem_max) {
		/* over the bound: try the disk again, and drop what is confirmed */
		eas_spool_flush(s);
		compact(s, 0);
		if (s->wlen && s->wlen + len + 1 > s->mem_max) {
			errno = ENOBUFS;
			return -1;
		}
	}
	if (s->wlen + len + 1 > s->wcap) {
		size_t cap = s->wcap ? s->wcap : 65536;
		while (s->wlen + len + 1 > cap)
			cap *= 2;
		char *nb = realloc(s->wbuf, cap);
		if (!nb) {
			errno = ENOMEM;
			return -1;
		}
		s->wbuf = nb;
		s->wcap = cap;
	}
	memcpy(s->wbuf + s->wlen, rec, len);
	s->wlen += len;
	s->wbuf[s->wlen++] = '\n';
	return 0;
}

bool eas_spool_unsynced(const struct eas_spool *s)
{
	return s->wlen || s->synced != s->logend;
}

uint64_t eas_spool_end(const struct eas_spool *s)
{
	return s->logend + s->wlen;
}

ssize_t eas_spool_read(struct eas_spool *s, uint64_t off, char *buf, size_t cap)
{
	if (off < s->base) {
		errno = EINVAL;
		return -1;
	}
	if (off >= s->logend) {
		uint64_t m = off - s->logend;
		if (m >= s->wlen)
			return 0;
		if (cap > s->wlen - m)
			cap = (size_t)(s->wlen - m);
		memcpy(buf, s->wbuf + m, cap);
		return (ssize_t)cap;
	}
	if (cap > s->logend - off)
		cap = (size_t)(s->logend - off);
	for (;;) {
		ssize_t n = pread(s->fd, buf, cap, (off_t)(off - s->base));
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
		uint64_t p = s->cur[i].pos < s->logend ? s->cur[i].pos : s->logend;
		uint64_t f = p - s->base;
		if (s->cur[i].fd < 0 || f == s->cur[i].saved)
			continue;
		if (write_pos(s->cur[i].fd, f) < 0)
			ret = -1;
		else
			s->cur[i].saved = f;
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
	return compact(s, min_bytes);
}

uint64_t eas_spool_low(const struct eas_spool *s)
{
	uint64_t min = eas_spool_end(s);
	for (int i = 0; i < s->ncur; i++)
		if (s->cur[i].pos < min)
			min = s->cur[i].pos;
	return min;
}

uint64_t eas_spool_pending_bytes(const struct eas_spool *s)
{
	return eas_spool_end(s) - eas_spool_low(s);
}

long eas_spool_count(struct eas_spool *s, uint64_t from, uint64_t to)
{
	long count = 0;
	char buf[65536];
	if (from < s->base)
		from = s->base;
	if (to > eas_spool_end(s))
		to = eas_spool_end(s);
	while (from < to) {
		size_t want = to - from < sizeof buf ? (size_t)(to - from) : sizeof buf;
		ssize_t n = eas_spool_read(s, from, buf, want);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			count += buf[i] == '\n';
		from += (uint64_t)n;
	}
	return count;
}

long eas_spool_pending_records(struct eas_spool *s)
{
	return eas_spool_count(s, eas_spool_low(s), eas_spool_end(s));
}
