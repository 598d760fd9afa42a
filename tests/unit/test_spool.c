/* test_spool.c: unit tests of lib/spool when the disk refuses writes (a file size limit stands in
 * for a full disk): records held in memory and read from there, whole records written as far as
 * they fit, the memory bound, confirmed records dropped unwritten, offsets that only grow across
 * compaction, cursors saved as log offsets, and the fallocate reservation. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"
#include "t.h"

static char dir[] = "/tmp/test_spool.XXXXXX";

/* Let files grow to at most BYTES (RLIM_INFINITY: no limit); writes past it fail with EFBIG. */
static void file_limit(rlim_t bytes)
{
	struct rlimit rl;
	getrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = bytes;
	CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
}

static off_t log_size(void)
{
	char path[300];
	struct stat st;
	snprintf(path, sizeof path, "%s/spool.log", dir);
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void read_pos_file(const char *name, char *out, size_t len)
{
	char path[300];
	snprintf(path, sizeof path, "%s/%s.pos", dir, name);
	FILE *f = fopen(path, "r");
	out[0] = '\0';
	if (f) {
		if (!fgets(out, (int)len, f))
			out[0] = '\0';
		fclose(f);
	}
}

static void test_held_in_memory(void)
{
	struct eas_spool s;
	char err[256], buf[64], pos[32];
	const char *names[] = {"r"};
	CHECK(eas_spool_open(&s, dir, names, 1, err, sizeof err) == 0);

	/* the disk takes 24 bytes (a cursor file, 21, must fit): four whole records of 5, the
	 * fifth is held in memory */
	file_limit(24);
	CHECK(eas_spool_append(&s, "aaaa", 4) == 0 && eas_spool_append(&s, "bbbb", 4) == 0);
	CHECK(eas_spool_append(&s, "cccc", 4) == 0 && eas_spool_append(&s, "dddd", 4) == 0);
	CHECK(eas_spool_append(&s, "eeee", 4) == 0);
	CHECK(eas_spool_flush(&s) == -1 && errno == EFBIG && s.werr == EFBIG);
	CHECK(s.logend == 20 && log_size() == 20); /* no torn record in the log */
	CHECK(eas_spool_end(&s) == 25 && s.wlen == 5);
	CHECK(eas_spool_unsynced(&s));
	/* a consumer reads the log, then memory, as one stream */
	CHECK(eas_spool_read(&s, 0, buf, sizeof buf) == 20 &&
	      !memcmp(buf, "aaaa\nbbbb\ncccc\ndddd\n", 20));
	CHECK(eas_spool_read(&s, 20, buf, sizeof buf) == 5 && !memcmp(buf, "eeee\n", 5));
	CHECK(eas_spool_read(&s, 25, buf, sizeof buf) == 0);
	CHECK(eas_spool_count(&s, 0, eas_spool_end(&s)) == 5);
	CHECK(eas_spool_count(&s, s.logend, eas_spool_end(&s)) == 1);
	/* sync writes what fits and fdatasyncs the log */
	CHECK(eas_spool_sync(&s) == -1 && s.synced == 20);

	/* the memory bound: over it, after one more try of the disk, a record is refused */
	eas_spool_set_memory(&s, 8);
	CHECK(eas_spool_append(&s, "ffff", 4) == -1 && errno == ENOBUFS);
	CHECK(eas_spool_end(&s) == 25);

	/* the consumer confirms all (Redis took them): compaction empties the log and drops the
	 * held record without writing it; offsets keep growing */
	eas_spool_set_pos(&s, 0, 25);
	CHECK(eas_spool_compact(&s, 1u << 30) == 1);
	CHECK(s.base == 25 && s.logend == 25 && s.wlen == 0 && log_size() == 0);
	CHECK(eas_spool_pending_bytes(&s) == 0);
	read_pos_file("r", pos, sizeof pos);
	CHECK_STR(pos, "00000000000000000000\n");
	CHECK(eas_spool_append(&s, "ffff", 4) == 0 && eas_spool_flush(&s) == 0 && s.werr == 0);
	CHECK(s.logend == 30 && log_size() == 5);
	CHECK(eas_spool_read(&s, 25, buf, sizeof buf) == 5 && !memcmp(buf, "ffff\n", 5));

	/* full again: held; the cursor moves into memory; saved as the log's end */
	CHECK(eas_spool_append(&s, "gggggggggggggggggggg", 20) == 0 && eas_spool_flush(&s) == -1);
	CHECK(s.logend == 30 && eas_spool_end(&s) == 51 && log_size() == 5);
	eas_spool_set_pos(&s, 0, 30);
	CHECK(eas_spool_save(&s) == 0);
	read_pos_file("r", pos, sizeof pos);
	CHECK_STR(pos, "00000000000000000005\n");

	/* space frees: writing resumes, nothing lost */
	file_limit(RLIM_INFINITY);
	CHECK(eas_spool_sync(&s) == 0 && s.werr == 0 && s.wlen == 0);
	CHECK(s.logend == 51 && log_size() == 26);
	CHECK(eas_spool_pending_records(&s) == 1);
	eas_spool_close(&s);

	/* reopened: logical offsets are the log's offsets again, the cursor is kept */
	CHECK(eas_spool_open(&s, dir, names, 1, err, sizeof err) == 0);
	CHECK(s.base == 0 && s.logend == 26 && eas_spool_pos(&s, 0) == 5);
	CHECK(eas_spool_read(&s, 5, buf, sizeof buf) == 21 && buf[20] == '\n');
	eas_spool_set_pos(&s, 0, 26);
	CHECK(eas_spool_compact(&s, 1) == 1 && log_size() == 0);
	eas_spool_close(&s);
}

static void test_partial_write_of_one_big_record(void)
{
	struct eas_spool s;
	char err[256];
	const char *names[] = {"r"};
	CHECK(eas_spool_open(&s, dir, names, 1, err, sizeof err) == 0);
	/* a record longer than the room is not written in part */
	file_limit(6);
	CHECK(eas_spool_append(&s, "0123456789", 10) == 0);
	CHECK(eas_spool_flush(&s) == -1 && s.logend == 0 && log_size() == 0 && s.wlen == 11);
	/* one record is always taken, whatever the bound */
	eas_spool_set_memory(&s, 0);
	CHECK(eas_spool_append(&s, "x", 1) == -1 && errno == ENOBUFS);
	file_limit(RLIM_INFINITY);
	CHECK(eas_spool_append(&s, "x", 1) == 0); /* the retry of the disk made room */
	CHECK(s.logend == 11 && s.wlen == 2);
	eas_spool_set_pos(&s, 0, 13);
	CHECK(eas_spool_compact(&s, 1) == 1 && s.wlen == 0 && s.base == 13);
	eas_spool_close(&s);
}

static void test_reserve(void)
{
	struct eas_spool s;
	char err[256], path[300];
	const char *names[] = {"r"};
	struct stat st;
	snprintf(path, sizeof path, "%s/spool.log", dir);
	CHECK(eas_spool_open(&s, dir, names, 1, err, sizeof err) == 0);
	int r = eas_spool_reserve(&s, 1 << 20);
	if (r < 0 && (errno == EOPNOTSUPP || errno == ENOSYS)) {
		printf("test_spool: fallocate unsupported on %s, reservation not checked\n", dir);
	} else {
		CHECK(r == 0 && s.rerr == 0);
		/* the space is allocated, the size is the records' */
		CHECK(stat(path, &st) == 0 && st.st_size == 0 && st.st_blocks * 512 >= (1 << 20));
		CHECK(eas_spool_append(&s, "abc", 3) == 0 && eas_spool_sync(&s) == 0);
		CHECK(stat(path, &st) == 0 && st.st_size == 4);
		/* a reservation that cannot be made (a petabyte) */
		CHECK(eas_spool_reserve(&s, 1ull << 50) == -1 && s.rerr != 0);
		/* the spool works without it */
		CHECK(eas_spool_append(&s, "def", 3) == 0 && eas_spool_sync(&s) == 0);
		CHECK(s.logend == 8);
	}
	/* an anonymous spool never reserves */
	struct eas_spool a;
	CHECK(eas_spool_open(&a, NULL, names, 1, err, sizeof err) == 0);
	CHECK(eas_spool_reserve(&a, 1 << 20) == 0 && a.reserved_to == 0);
	eas_spool_close(&a);
	eas_spool_close(&s);
}

int main(void)
{
	signal(SIGXFSZ, SIG_IGN); /* past the file size limit: EFBIG, not a signal */
	CHECK(mkdtemp(dir) != NULL);
	test_held_in_memory();
	test_partial_write_of_one_big_record();
	test_reserve();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	return t_done("test_spool");
}
