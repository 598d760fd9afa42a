/* test_redis.c: unit tests of lib/redis (URL and host:port parsing, configuration), lib/backoff and
 * lib/spool (append, cursors, reopen, torn tail, compaction). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "redis.h"
#include "spool.h"
#include "t.h"

static void test_urls(void)
{
	struct eas_redis_addr a;
	char err[256];

	CHECK(eas_redis_parse_url("redis://127.0.0.1:6379", &a, err, sizeof err) == 0);
	CHECK_STR(a.host, "127.0.0.1");
	CHECK(a.port == 6379 && a.db == 0 && !a.is_unix && !a.password[0] && !a.user[0]);

	CHECK(eas_redis_parse_url("redis://redis.example", &a, err, sizeof err) == 0);
	CHECK_STR(a.host, "redis.example");
	CHECK(a.port == 6379);

	CHECK(eas_redis_parse_url("redis://h:7000/3", &a, err, sizeof err) == 0);
	CHECK(a.port == 7000 && a.db == 3);

	CHECK(eas_redis_parse_url("redis://h/", &a, err, sizeof err) == 0);
	CHECK(a.db == 0);

	CHECK(eas_redis_parse_url("redis://:secret@h:1/2", &a, err, sizeof err) == 0);
	CHECK_STR(a.password, "secret");
	CHECK_STR(a.user, "");
	CHECK(a.port == 1 && a.db == 2);

	CHECK(eas_redis_parse_url("redis://alice:p%40ss%3Aw@h", &a, err, sizeof err) == 0);
	CHECK_STR(a.user, "alice");
	CHECK_STR(a.password, "p@ss:w");
	CHECK_STR(a.host, "h");

	/* an '@' in the password must be encoded, but the last '@' ends the userinfo */
	CHECK(eas_redis_parse_url("redis://u:a@b@h:5", &a, err, sizeof err) == 0);
	CHECK_STR(a.password, "a@b");
	CHECK_STR(a.host, "h");
	CHECK(a.port == 5);

	CHECK(eas_redis_parse_url("redis://[::1]:6380/1", &a, err, sizeof err) == 0);
	CHECK_STR(a.host, "::1");
	CHECK(a.port == 6380 && a.db == 1);

	CHECK(eas_redis_parse_url("redis://[::1]", &a, err, sizeof err) == 0);
	CHECK(a.port == 6379);

	CHECK(eas_redis_parse_url("unix:///run/redis/redis.sock", &a, err, sizeof err) == 0);
	CHECK(a.is_unix);
	CHECK_STR(a.path, "/run/redis/redis.sock");
	CHECK(a.db == 0);

	CHECK(eas_redis_parse_url("unix:///tmp/r.sock?db=5", &a, err, sizeof err) == 0);
	CHECK_STR(a.path, "/tmp/r.sock");
	CHECK(a.db == 5);

	CHECK(eas_redis_parse_url("unix://bob:pw@/tmp/r.sock?db=1", &a, err, sizeof err) == 0);
	CHECK_STR(a.user, "bob");
	CHECK_STR(a.password, "pw");
	CHECK_STR(a.path, "/tmp/r.sock");

	CHECK(eas_redis_parse_url("unix:///tmp/r.sock?password=x%20y&db=2", &a, err, sizeof err) ==
	      0);
	CHECK_STR(a.password, "x y");
	CHECK(a.db == 2);

	/* failures, each with a reason */
	const char *bad[] = {
	    "",
	    "http://h",
	    "redis://",
	    "redis://h:0",
	    "redis://h:65536",
	    "redis://h:x",
	    "redis://h/db",
	    "redis://h:6379/-1",
	    "redis://user@h",
	    "redis://[::1",
	    "redis://u:%zz@h",
	    "redis://u:%00@h",
	    "redis://u:%4@h",
	    "unix://",
	    "unix://relative.sock",
	    "unix:///tmp/r.sock?db=x",
	    "unix:///tmp/r.sock?color=red",
	    "unix:///tmp/r.sock?db",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err[0] = '\0';
		int r = eas_redis_parse_url(bad[i], &a, err, sizeof err);
		CHECK(r == -1);
		CHECK(err[0] != '\0');
		if (r != -1)
			fprintf(stderr, "accepted bad URL \"%s\"\n", bad[i]);
	}
	CHECK(eas_redis_parse_url(NULL, &a, NULL, 0) == -1);

	/* a path longer than a sockaddr_un holds */
	char longp[300] = "unix:///";
	memset(longp + 8, 'a', 200);
	longp[208] = '\0';
	CHECK(eas_redis_parse_url(longp, &a, err, sizeof err) == -1);
}

static void test_hostports(void)
{
	struct eas_hostport hp[4];
	char err[256];
	CHECK(eas_redis_parse_hostports("a:1,b,[::1]:3", 26379, hp, 4, err, sizeof err) == 3);
	CHECK_STR(hp[0].host, "a");
	CHECK(hp[0].port == 1);
	CHECK_STR(hp[1].host, "b");
	CHECK(hp[1].port == 26379);
	CHECK_STR(hp[2].host, "::1");
	CHECK(hp[2].port == 3);
	CHECK(eas_redis_parse_hostports("a:1,,b", 1, hp, 4, err, sizeof err) == -1);
	CHECK(eas_redis_parse_hostports("", 1, hp, 4, err, sizeof err) == -1);
	CHECK(eas_redis_parse_hostports("a,b,c,d,e", 1, hp, 4, err, sizeof err) == -1);
	CHECK(eas_redis_parse_hostports("a:99999", 1, hp, 4, err, sizeof err) == -1);
}

static void test_conf(void)
{
	struct eas_redis_conf c;
	char err[256], d[512];
	unsetenv("EAS_REDIS_URL");
	CHECK(eas_redis_conf_init(&c, NULL, NULL, NULL, NULL, err, sizeof err) == 0);
	CHECK_STR(c.addr.host, "127.0.0.1");
	CHECK(c.addr.port == 6379 && c.nsentinel == 0);
	setenv("EAS_REDIS_URL", "redis://envhost:1234/7", 1);
	CHECK(eas_redis_conf_init(&c, NULL, NULL, NULL, "pw", err, sizeof err) == 0);
	CHECK_STR(c.addr.host, "envhost");
	CHECK(c.addr.db == 7);
	CHECK_STR(c.addr.password, "pw");
	eas_redis_describe(&c, d, sizeof d);
	CHECK_STR(d, "redis://envhost:1234/7");
	CHECK(eas_redis_conf_init(&c, "unix:///x.sock", NULL, NULL, NULL, err, sizeof err) == 0);
	CHECK(c.addr.is_unix);
	unsetenv("EAS_REDIS_URL");
	CHECK(eas_redis_conf_init(&c, NULL, "s1:1,s2", "mymaster", NULL, err, sizeof err) == 0);
	CHECK(c.nsentinel == 2 && c.sentinel[1].port == 26379);
	CHECK_STR(c.master, "mymaster");
	eas_redis_describe(&c, d, sizeof d);
	CHECK_STR(d, "sentinel master mymaster via s1:1,s2:26379");
	/* --sentinel without --master and the other way round */
	CHECK(eas_redis_conf_init(&c, NULL, "s1:1", NULL, NULL, err, sizeof err) == -1);
	CHECK(eas_redis_conf_init(&c, NULL, NULL, "m", NULL, err, sizeof err) == -1);
	CHECK(eas_redis_conf_init(&c, "bogus", NULL, NULL, NULL, err, sizeof err) == -1);
}

static void test_backoff(void)
{
	struct eas_backoff b;
	eas_backoff_init(&b, 100, 1000);
	CHECK(eas_backoff_due(&b, 0));
	int prev = 0;
	for (int i = 0; i < 10; i++) {
		int d = eas_backoff_fail(&b, 5000);
		int undithered = 100 << (i < 4 ? i : 4);
		if (undithered > 1000)
			undithered = 1000;
		CHECK(d <= undithered && d >= undithered * 3 / 4);
		CHECK(!eas_backoff_due(&b, 5000 + d - 1));
		CHECK(eas_backoff_due(&b, 5000 + d));
		prev = d;
	}
	CHECK(prev <= 1000 && prev >= 750);
	CHECK(b.failures == 10);
	eas_backoff_reset(&b);
	CHECK(eas_backoff_fail(&b, 0) <= 100);

	/* without jitter, the exact doubling eas-capture logs: 0.5 1 2 4 8 16 30 30 s */
	static const int want[] = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
	eas_backoff_init(&b, 500, 30000);
	b.jitter = false;
	for (int i = 0; i < 8; i++)
		CHECK(eas_backoff_fail(&b, 0) == want[i]);
	eas_backoff_reset(&b);
	CHECK(eas_backoff_fail(&b, 0) == 500);
}

static void test_spool(void)
{
	char dir[] = "/tmp/test_spool.XXXXXX";
	char err[256], buf[256], path[300];
	struct eas_spool s;
	const char *names[] = {"a", "b"};
	CHECK(mkdtemp(dir) != NULL);

	CHECK(eas_spool_open(&s, dir, names, 2, err, sizeof err) == 0);
	CHECK(eas_spool_append(&s, "one", 3) == 0);
	CHECK(eas_spool_append(&s, "two", 3) == 0);
	CHECK(eas_spool_pending_records(&s) == 2);
	CHECK(eas_spool_sync(&s) == 0);
	CHECK(s.logend == 8);
	CHECK(eas_spool_read(&s, 0, buf, sizeof buf) == 8);
	CHECK(!memcmp(buf, "one\ntwo\n", 8));
	eas_spool_set_pos(&s, 0, 4);
	CHECK(eas_spool_pending_bytes(&s) == 8); /* b is still at 0 */

	/* a second opener is refused while the first holds the lock */
	struct eas_spool s2;
	CHECK(eas_spool_open(&s2, dir, names, 2, err, sizeof err) == -1);
	CHECK(strstr(err, "in use") != NULL);
	eas_spool_close(&s);

	/* reopen: cursors come back; a torn tail is cut off */
	snprintf(path, sizeof path, "%s/spool.log", dir);
	int fd = open(path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, "thr", 3) == 3);
	close(fd);
	CHECK(eas_spool_open(&s, dir, names, 2, err, sizeof err) == 0);
	CHECK(s.logend == 8);
	CHECK(eas_spool_pos(&s, 0) == 4 && eas_spool_pos(&s, 1) == 0);
	CHECK(eas_spool_pending_records(&s) == 2);

	/* compaction only when every cursor is at the end */
	CHECK(eas_spool_compact(&s, 1) == 0);
	eas_spool_set_pos(&s, 0, 8);
	eas_spool_set_pos(&s, 1, 8);
	CHECK(eas_spool_compact(&s, 100) == 0); /* below the size threshold */
	CHECK(eas_spool_compact(&s, 1) == 1);
	CHECK(s.logend == s.base && eas_spool_pos(&s, 0) == 8); /* offsets only grow */
	CHECK(eas_spool_pending_bytes(&s) == 0);
	eas_spool_close(&s);

	/* a cursor that is not at a record boundary restarts at 0 */
	CHECK(eas_spool_open(&s, dir, names, 1, err, sizeof err) == 0);
	CHECK(eas_spool_append(&s, "abc", 3) == 0 && eas_spool_append(&s, "def", 3) == 0);
	eas_spool_set_pos(&s, 0, 4);
	eas_spool_close(&s);
	snprintf(path, sizeof path, "%s/a.pos", dir);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, "00000000000000000002\n", 21, 0) == 21);
	close(fd);
	CHECK(eas_spool_open(&s, dir, names, 1, err, sizeof err) == 0);
	CHECK(eas_spool_pos(&s, 0) == 0);
	eas_spool_close(&s);

	/* anonymous spool */
	CHECK(eas_spool_open(&s, NULL, names, 1, err, sizeof err) == 0);
	CHECK(eas_spool_append(&s, "x", 1) == 0 && eas_spool_flush(&s) == 0);
	CHECK(!eas_spool_unsynced(&s));
	CHECK(eas_spool_pending_records(&s) == 1);
	eas_spool_close(&s);

	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	test_urls();
	test_hostports();
	test_conf();
	test_backoff();
	test_spool();
	return t_done("test_redis");
}
