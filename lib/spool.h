/* spool.h: a persistent FIFO of lines on disk with named read cursors, for losing nothing while a
 * server is away (eas-publish's spool).  Like redis.c, one of lib/'s few I/O helpers. */
#ifndef EAS_SPOOL_H
#define EAS_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EAS_SPOOL_MAX_CURSORS 4

/* Default bound of the records held in memory while the log refuses writes. */
#define EAS_SPOOL_MEMORY_DEFAULT (16u << 20)
/* Default space kept allocated past the end of a durable log. */
#define EAS_SPOOL_RESERVE_DEFAULT (16u << 20)

/*
 * Layout of a spool directory:
 *   DIR/lock        flock()ed by the one process using the spool
 *   DIR/spool.log   records appended in order, each one line ending in '\n'
 *   DIR/NAME.pos    per consumer: byte offset in spool.log of its first
 *                   unconfirmed record (20 digits and '\n', rewritten in place)
 * A consumer reads records from its cursor on, and moves the cursor past
 * them once they are safely stored elsewhere.  When every cursor is past the
 * end of the log, the log is truncated (compaction).  A torn last record (a
 * crash in the middle of a write) is dropped on open; a cursor that is
 * unreadable or not at a record boundary restarts at 0, so consumers must be
 * idempotent.  Without a directory the spool is an unlinked temporary file:
 * bounded memory, but nothing survives the process.
 *
 * Offsets seen by callers (cursors, eas_spool_read, eas_spool_end) are
 * logical: they only grow during a process's life, and the log holds the
 * logical range [base, logend); compaction moves base instead of rewinding
 * the offsets.  At open, logical offsets are the log's byte offsets.
 *
 * Records that the log cannot take (a full disk, an I/O error) stay in memory
 * after it, logical range [logend, logend + wlen), readable like the log, up to
 * a bound (eas_spool_set_memory); every flush tries the disk again, writing the
 * whole records that fit.  Records that every consumer has passed are dropped
 * from memory at the next compaction without ever being written.  So a
 * consumer that still works (Redis) keeps receiving records while the disk is
 * full, and only the records no consumer has confirmed wait for the disk.
 */
struct eas_spool {
	int fd, lockfd, dirfd;
	bool durable;
	uint64_t base;   /* logical offset of the log's first byte */
	uint64_t logend; /* logical offset just past the log's last byte */
	uint64_t synced; /* logical offset up to which the log is on stable storage */
	char *wbuf;      /* records not in the log yet: logical [logend, logend + wlen) */
	size_t wlen, wcap;
	size_t mem_max;       /* bound of wlen (but one record always fits) */
	int werr;             /* errno of the last failed write to the log; 0 once one succeeds */
	int serr;             /* errno of the last failed fdatasync; 0 once one succeeds */
	bool torn;            /* the log may hold a partial record past logend (ftruncate failed) */
	uint64_t reserve;     /* bytes to keep allocated past the log's end, 0 none */
	uint64_t reserved_to; /* file offset up to which space was allocated */
	uint64_t reserve_tried; /* file size at the last attempt */
	int rerr;               /* errno of the last failed reservation, 0 after one succeeds */
	int ncur;
	struct {
		char name[32];
		int fd;         /* the .pos file, -1 when not durable */
		uint64_t pos;   /* logical offset of the first unconfirmed record */
		uint64_t saved; /* file offset last written to the .pos file */
	} cur[EAS_SPOOL_MAX_CURSORS];
};

/*
 * Open (creating it if needed) the spool in DIR, or an anonymous one when DIR
 * is NULL, with the consumers NAMES[0..N) (at most EAS_SPOOL_MAX_CURSORS; a
 * name is [a-z0-9_]).  Cursor files of other names are removed at the next
 * compaction.  Fails if another process holds DIR.  Memory bound
 * EAS_SPOOL_MEMORY_DEFAULT, no reservation.  Returns 0, or -1 with a reason in
 * ERR.
 */
int eas_spool_open(struct eas_spool *s, const char *dir, const char *const *names, int n, char *err,
                   size_t errlen);
void eas_spool_close(struct eas_spool *s);

/* Bound the bytes of records held in memory (appended, not yet in the log) to
 * BYTES; one record is always taken however long, so 0 means "one at a time". */
void eas_spool_set_memory(struct eas_spool *s, size_t bytes);

/*
 * Keep BYTES of disk allocated past the end of a durable log, so that another
 * program filling the filesystem cannot take the room records need:
 * fallocate(FALLOC_FL_KEEP_SIZE), which leaves the file's size alone.  Renewed
 * after a flush that used up half of it and after each compaction; after a
 * failure, tried again once the log grew by half of BYTES, or after a
 * compaction.  0
 * turns it off; an anonymous spool never reserves.  Returns 0, or -1 with errno
 * (EOPNOTSUPP where the filesystem cannot, ENOSPC where the room is not there;
 * also kept in s->rerr): the spool works on without the reservation and tries
 * again at the next renewal.
 */
int eas_spool_reserve(struct eas_spool *s, uint64_t bytes);

/* Append one record (LEN bytes, no '\n' inside; the '\n' is added) to the
 * records held in memory.  When that would pass the memory bound, first try
 * to write them to the log and to drop those every consumer has passed.
 * Returns 0, or -1 with errno ENOBUFS (over the bound: the disk refuses, see
 * s->werr) or ENOMEM; then the record was not taken. */
int eas_spool_append(struct eas_spool *s, const char *rec, size_t len);

/* Write the records held in memory to the log, as many whole ones as the disk
 * takes.  Returns 0, or -1 with errno (also in s->werr) when some remain in
 * memory. */
int eas_spool_flush(struct eas_spool *s);

/* Flush, then fdatasync the log when durable and anything in it is unsynced.
 * Returns 0, or -1 with errno when either failed (s->werr, s->serr). */
int eas_spool_sync(struct eas_spool *s);

/* True when records are held in memory or written bytes are not yet on stable storage. */
bool eas_spool_unsynced(const struct eas_spool *s);

/* Logical offset just past the last record, in the log or in memory. */
uint64_t eas_spool_end(const struct eas_spool *s);

/* Read up to CAP bytes at logical offset OFF (OFF >= base): from the log when
 * OFF is in it (never past its end), else from memory.  Returns bytes read, 0
 * at the end, or -1 with errno. */
ssize_t eas_spool_read(struct eas_spool *s, uint64_t off, char *buf, size_t cap);

/* Cursor I of consumer NAMES[I]: get, and set (in memory; see save). */
uint64_t eas_spool_pos(const struct eas_spool *s, int i);
void eas_spool_set_pos(struct eas_spool *s, int i, uint64_t pos);

/* Write changed cursors to their .pos files (no fsync: an older cursor only
 * replays records again).  A cursor in memory is written as the log's end.
 * Returns 0 or -1. */
int eas_spool_save(struct eas_spool *s);

/* When every cursor is past the end of the log, and the log holds at least
 * MIN_BYTES or records in memory are to be dropped or a write failed,
 * truncate the log (durably, cursors with it) and drop from memory the
 * records every cursor has passed.  Returns 1 if it did, 0 if not, -1 on
 * error. */
int eas_spool_compact(struct eas_spool *s, uint64_t min_bytes);

/* Bytes from the slowest cursor to the end, and the records in them. */
uint64_t eas_spool_pending_bytes(const struct eas_spool *s);
long eas_spool_pending_records(struct eas_spool *s);

/* Records in the logical range [FROM, TO) (clamped to what the spool holds). */
long eas_spool_count(struct eas_spool *s, uint64_t from, uint64_t to);

/* The slowest cursor (the end when there are none). */
uint64_t eas_spool_low(const struct eas_spool *s);

#endif
