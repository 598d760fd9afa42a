/* redis.h: the one Redis connection helper of eas-tools: URL parsing, AUTH, SELECT, timeouts and
 * Sentinel master lookup, on top of hiredis (its reconnects use lib/backoff). */
#ifndef EAS_REDIS_H
#define EAS_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#define EAS_REDIS_DEFAULT_URL  "redis://127.0.0.1:6379"
#define EAS_REDIS_MAX_SENTINEL 8

/* Where and how to reach one Redis server (the result of parsing a URL). */
struct eas_redis_addr {
	bool is_unix;       /* unix:///path: path is set, host/port are not */
	char host[256];     /* "127.0.0.1", "::1", "redis.example" (no brackets) */
	int port;           /* 6379 when the URL has none */
	char path[108];     /* unix socket path */
	int db;             /* SELECT index, 0 by default */
	char user[128];     /* ACL user name, "" for none (then AUTH password alone) */
	char password[512]; /* "" for no AUTH */
};

struct eas_hostport {
	char host[256];
	int port;
};

/*
 * Parse URL into *A.  Accepted forms:
 *   redis://[[user]:password@]host[:port][/db]      host may be [IPv6]
 *   unix://[[user]:password@]/path/to.sock[?db=N][&password=P]
 * user and password are percent-decoded.  No I/O.  Returns 0, or -1 with a
 * one-line reason in ERR (when ERR is not NULL).
 */
int eas_redis_parse_url(const char *url, struct eas_redis_addr *a, char *err, size_t errlen);

/*
 * Parse "host:port[,host:port...]" (IPv6 as [::1]:26379; the port defaults to
 * DEFAULT_PORT) into at most MAX entries of HP.  Returns how many, or -1 with
 * a reason in ERR.  No I/O.
 */
int eas_redis_parse_hostports(const char *list, int default_port, struct eas_hostport *hp, int max,
                              char *err, size_t errlen);

/* Everything needed to (re)connect.  Fill with eas_redis_conf_init(). */
struct eas_redis_conf {
	struct eas_redis_addr addr; /* from the URL: db and credentials, and the server
	                               itself when there are no sentinels */
	int nsentinel;
	struct eas_hostport sentinel[EAS_REDIS_MAX_SENTINEL];
	char master[128];       /* Sentinel master name */
	int connect_timeout_ms; /* default 2000 */
	int io_timeout_ms;      /* default 5000: a command not answered by then fails */
};

/*
 * Fill *C from URL (NULL: $EAS_REDIS_URL, else EAS_REDIS_DEFAULT_URL), an
 * optional Sentinel list SENTINELS with master name MASTER (both or neither),
 * and an optional PASSWORD that overrides the URL's (e.g. read from a file).
 * No I/O.  Returns 0, or -1 with a reason in ERR.
 */
int eas_redis_conf_init(struct eas_redis_conf *c, const char *url, const char *sentinels,
                        const char *master, const char *password, char *err, size_t errlen);

/*
 * Connect to the server C describes: through the Sentinels when there are
 * any (asking each in turn for MASTER's address, then checking with ROLE that
 * the server really is a master), else to C->addr.  Then AUTH and SELECT as
 * configured, with C's timeouts on every socket operation.  Returns a
 * connected blocking context, or NULL with a one-line reason in ERR.  The
 * caller frees the context with redisFree().  WHERE (may be NULL) receives
 * "host:port" or the socket path of the server reached.
 */
redisContext *eas_redis_connect(const struct eas_redis_conf *c, char *where, size_t wherelen,
                                char *err, size_t errlen);

/*
 * Wait up to TIMEOUT_MS (0: only what is already there, -1: no limit) for
 * one reply on the blocking context RC: the answer to a command sent with
 * redisAppendCommand*, or a message on a subscribed (Pub/Sub) connection.
 * Unlike redisGetReply(), running out of time leaves RC usable (hiredis
 * gives a context up after its own socket timeout), so a subscriber can wait
 * in slices and do other work between them.  Pending output is written
 * first.  Returns 1 with *OUT set (free it with freeReplyObject()), 0 when
 * nothing came in time or a signal interrupted the wait, -1 when the
 * connection failed (RC->errstr says why: reconnect).
 */
int eas_redis_poll_reply(redisContext *rc, int timeout_ms, redisReply **out);

/* Describe C's target for messages: "redis://host:port/db", "unix:///path",
 * or "sentinel NAME via host:port,...". */
void eas_redis_describe(const struct eas_redis_conf *c, char *buf, size_t len);

/*
 * Read a secret (a password) from the first line of PATH into BUF, without
 * the line end.  Warns through the logger when the file is readable by group
 * or others.  Returns 0, or -1 with a reason in ERR.
 */
int eas_read_secret_file(const char *path, char *buf, size_t len, char *err, size_t errlen);

#endif
