/* spool.h: a persistent FIFO of lines on disk with named read cursors, for losing nothing while a
 * server is away (eas-publish's spool).  Like redis.c, one of lib/'s few I/O helpers. */
#ifndef EAS_SPOOL_H
#define EAS_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EAS_SPOOL_MAX_CURSORS 4

/*
 * Layout of a spool directory:
 *   DIR/lock        flock()ed by the one process using the spool
 *   DIR/spool.log   records appended in order, each one line ending in '\n'
 *   DIR/NAME.pos    per consumer: byte offset of its first unconfirmed record
 *                   (20 digits and '\n', rewritten in place)
 * A consumer reads records from its cursor on, and moves the cursor past
 * them once they are safely stored elsewhere.  When every cursor reaches the
 * end the log is truncated (compaction).  A torn last record (a crash in the
 * middle of a write) is dropped on open; a cursor that is unreadable or not at
 * a record boundary restarts at 0, so consumers must be idempotent.
 * Without a directory the spool is an unlinked temporary file: bounded memory,
 * but nothing survives the process.
 */
struct eas_spool {
	int fd, lockfd, dirfd;
	bool durable;
	uint64_t end;    /* bytes written to the file (visible to readers) */
	uint64_t synced; /* bytes known to be on stable storage */
	char *wbuf;      /* appended, not yet written */
	size_t wlen, wcap;
	int ncur;
	struct {
		char name[32];
		int fd;         /* the .pos file, -1 when not durable */
		uint64_t pos;   /* first unconfirmed byte */
		uint64_t saved; /* pos last written to the .pos file */
	} cur[EAS_SPOOL_MAX_CURSORS];
};

/*
 * Open (creating it if needed) the spool in DIR, or an anonymous one when DIR
 * is NULL, with the consumers NAMES[0..N) (at most EAS_SPOOL_MAX_CURSORS; a
 * name is [a-z0-9_]).  Cursor files of other names are removed at the next
 * compaction.  Fails if another process holds DIR.  Returns 0, or -1 with a
 * reason in ERR.
 */
int eas_spool_open(struct eas_spool *s, const char *dir, const char *const *names, int n, char *err,
                   size_t errlen);
void eas_spool_close(struct eas_spool *s);

/* Append one record (LEN bytes, no '\n' inside; the '\n' is added) to the
 * write buffer.  Returns 0 or -1 (out of memory). */
int eas_spool_append(struct eas_spool *s, const char *rec, size_t len);

/* Write the buffer to the file so readers see it.  Returns 0 or -1 (errno). */
int eas_spool_flush(struct eas_spool *s);

/* Flush, then fdatasync when durable and anything is unsynced.  Returns 0 or -1. */
int eas_spool_sync(struct eas_spool *s);

/* True when written bytes are not yet on stable storage. */
bool eas_spool_unsynced(const struct eas_spool *s);

/* Read up to CAP bytes at OFF (not past the end).  Returns bytes read, or -1. */
ssize_t eas_spool_read(struct eas_spool *s, uint64_t off, char *buf, size_t cap);

/* Cursor I of consumer NAMES[I]: get, and set (in memory; see save). */
uint64_t eas_spool_pos(const struct eas_spool *s, int i);
void eas_spool_set_pos(struct eas_spool *s, int i, uint64_t pos);

/* Write changed cursors to their .pos files (no fsync: an older cursor only
 * replays records again).  Returns 0 or -1. */
int eas_spool_save(struct eas_spool *s);

/* When every cursor is at the end and the log holds at least MIN_BYTES,
 * truncate it and reset the cursors, durably.  Returns 1 if it did, 0 if not,
 * -1 on error. */
int eas_spool_compact(struct eas_spool *s, uint64_t min_bytes);

/* Bytes from the slowest cursor to the end, and the records in them. */
uint64_t eas_spool_pending_bytes(const struct eas_spool *s);
long eas_spool_pending_records(struct eas_spool *s);

#endif
