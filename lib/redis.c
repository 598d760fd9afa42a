/* redis.c: the one Redis connection helper of eas-tools (URL parsing, AUTH, SELECT, timeouts,
 * Sentinel lookup).  The only part of lib/ besides spool.c that does I/O. */
#include "redis.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "timeutil.h"

static void seterr(char *err, size_t errlen, const char *fmt, const char *a)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a ? a : "");
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode S[0..n) into OUT (size OUTLEN).  Returns 0 or -1. */
static int pct_decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0 || o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static int parse_int(const char *s, size_t n, int lo, int hi, int *out)
{
	if (n == 0 || n > 9)
		return -1;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Parse "[user]:password@" at the start of S (up to END); advance *P past it. */
static int parse_userinfo(const char **p, const char *end, struct eas_redis_addr *a, char *err,
                          size_t errlen)
{
	const char *s = *p;
	const char *at = NULL;
	for (const char *q = s; q < end && *q != '/' && *q != '?'; q++)
		if (*q == '@')
			at = q;
	if (!at)
		return 0;
	const char *colon = memchr(s, ':', (size_t)(at - s));
	if (!colon) {
		/* "user@" alone: a user without a password is of no use to AUTH. */
		seterr(err, errlen, "%s", "credentials must be [user]:password@");
		return -1;
	}
	if (pct_decode(s, (size_t)(colon - s), a->user, sizeof a->user) < 0 ||
	    pct_decode(colon + 1, (size_t)(at - colon - 1), a->password, sizeof a->password) < 0) {
		seterr(err, errlen, "%s", "bad percent-encoding or too long user/password");
		return -1;
	}
	*p = at + 1;
	return 0;
}

/* Parse "?db=N&password=P" query parameters (unix URLs). */
static int parse_query(const char *q, struct eas_redis_addr *a, char *err, size_t errlen)
{
	while (*q) {
		const char *amp = strchr(q, '&');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		const char *eq = memchr(q, '=', n);
		if (!eq) {
			seterr(err, errlen, "query parameter without '=': %s", q);
			return -1;
		}
		size_t kn = (size_t)(eq - q), vn = n - kn - 1;
		if (kn == 2 && !strncmp(q, "db", 2)) {
			if (parse_int(eq + 1, vn, 0, 1000000, &a->db) < 0) {
				seterr(err, errlen, "%s", "db must be a number");
				return -1;
			}
		} else if (kn == 8 && !strncmp(q, "password", 8)) {
			if (pct_decode(eq + 1, vn, a->password, sizeof a->password) < 0) {
				seterr(err, errlen, "%s", "bad password");
				return -1;
			}
		} else if (kn == 4 && !strncmp(q, "user", 4)) {
			if (pct_decode(eq + 1, vn, a->user, sizeof a->user) < 0) {
				seterr(err, errlen, "%s", "bad user");
				return -1;
			}
		} else {
			seterr(err, errlen, "unknown query parameter: %s", q);
			return -1;
		}
		q += n + (amp ? 1 : 0);
	}
	return 0;
}

/* Parse "host[:port]" or "[v6][:port]" in S[0..n). */
static int parse_hostport(const char *s, size_t n, int default_port, char *host, size_t hostlen,
                          int *port, char *err, size_t errlen)
{
	const char *hs = s, *he;
	const char *rest;
	if (n > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb) {
			seterr(err, errlen, "%s", "unterminated [IPv6] address");
			return -1;
		}
		hs = s + 1;
		he = rb;
		rest = rb + 1;
	} else {
		const char *colon = memchr(s, ':', n);
		he = colon ? colon : s + n;
		rest = he;
	}
	size_t hn = (size_t)(he - hs);
	if (hn == 0) {
		seterr(err, errlen, "%s", "empty host");
		return -1;
	}
	if (hn >= hostlen) {
		seterr(err, errlen, "%s", "host name too long");
		return -1;
	}
	for (size_t i = 0; i < hn; i++)
		if (isspace((unsigned char)hs[i]) || hs[i] == '@' || hs[i] == '/') {
			seterr(err, errlen, "%s", "bad character in host");
			return -1;
		}
	memcpy(host, hs, hn);
	host[hn] = '\0';
	*port = default_port;
	size_t rn = (size_t)(s + n - rest);
	if (rn > 0) {
		if (rest[0] != ':' || parse_int(rest + 1, rn - 1, 1, 65535, port) < 0) {
			seterr(err, errlen, "%s", "port must be 1..65535");
			return -1;
		}
	}
	return 0;
}

int eas_redis_parse_url(const char *url, struct eas_redis_addr *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof *a);
	a->port = 6379;
	if (!url || !*url) {
		seterr(err, errlen, "%s", "empty Redis URL");
		return -1;
	}
	const char *end = url + strlen(url);
	if (!strncmp(url, "unix://", 7)) {
		const char *p = url + 7;
		a->is_unix = true;
		if (parse_userinfo(&p, end, a, err, errlen) < 0)
			return -1;
		const char *q = strchr(p, '?');
		size_t pn = q ? (size_t)(q - p) : strlen(p);
		if (pn == 0 || p[0] != '/') {
			seterr(err, errlen, "%s", "unix:// URL needs an absolute socket path");
			return -1;
		}
		if (pn >= sizeof a->path) {
			seterr(err, errlen, "%s", "socket path too long");
			return -1;
		}
		memcpy(a->path, p, pn);
		a->path[pn] = '\0';
		return q ? parse_query(q + 1, a, err, errlen) : 0;
	}
	if (strncmp(url, "redis://", 8) != 0) {
		seterr(err, errlen, "unsupported URL (want redis:// or unix://): %s", url);
		return -1;
	}
	const char *p = url + 8;
	if (parse_userinfo(&p, end, a, err, errlen) < 0)
		return -1;
	const char *slash = strchr(p, '/');
	const char *q = strchr(p, '?');
	const char *hend = slash ? slash : (q ? q : end);
	if (q && slash && q < slash)
		hend = q;
	if (parse_hostport(p, (size_t)(hend - p), 6379, a->host, sizeof a->host, &a->port, err,
	                   errlen) < 0)
		return -1;
	if (hend < end && *hend == '/') {
		const char *ds = hend + 1;
		const char *de = q && q > ds ? q : end;
		if (de > ds && parse_int(ds, (size_t)(de - ds), 0, 1000000, &a->db) < 0) {
			seterr(err, errlen, "%s", "database must be a number: redis://host:port/N");
			return -1;
		}
	}
	if (q)
		return parse_query(q + 1, a, err, errlen);
	return 0;
}

int eas_redis_parse_hostports(const char *list, int default_port, struct eas_hostport *hp, int max,
                              char *err, size_t errlen)
{
	int n = 0;
	const char *s = list;
	if (!s || !*s) {
		seterr(err, errlen, "%s", "empty host:port list");
		return -1;
	}
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (n >= max) {
			seterr(err, errlen, "%s", "too many host:port entries");
			return -1;
		}
		if (parse_hostport(s, len, default_port, hp[n].host, sizeof hp[n].host, &hp[n].port,
		                   err, errlen) < 0)
			return -1;
		n++;
		if (!comma)
			break;
		s = comma + 1;
	}
	return n;
}

int eas_redis_conf_init(struct eas_redis_conf *c, const char *url, const char *sentinels,
                        const char *master, const char *password, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->connect_timeout_ms = 2000;
	c->io_timeout_ms = 5000;
	if (!url || !*url)
		url = getenv("EAS_REDIS_URL");
	if (!url || !*url)
		url = EAS_REDIS_DEFAULT_URL;
	if (eas_redis_parse_url(url, &c->addr, err, errlen) < 0)
		return -1;
	if ((sentinels && *sentinels) != (master && *master)) {
		seterr(err, errlen, "%s", "--sentinel and --master go together");
		return -1;
	}
	if (sentinels && *sentinels) {
		c->nsentinel = eas_redis_parse_hostports(sentinels, 26379, c->sentinel,
		                                         EAS_REDIS_MAX_SENTINEL, err, errlen);
		if (c->nsentinel < 0)
			return -1;
		if (strlen(master) >= sizeof c->master) {
			seterr(err, errlen, "%s", "master name too long");
			return -1;
		}
		strcpy(c->master, master);
	}
	if (password) {
		if (strlen(password) >= sizeof c->addr.password) {
			seterr(err, errlen, "%s", "password too long");
			return -1;
		}
		strcpy(c->addr.password, password);
	}
	return 0;
}

static struct timeval ms_tv(int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	return tv;
}

static void ctx_err(redisContext *rc, const char *what, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", what, rc ? rc->errstr : "out of memory");
}

static redisContext *tcp_connect(const char *host, int port, int cto, int ioto, char *err,
                                 size_t errlen)
{
	char what[300];
	snprintf(what, sizeof what, "%s:%d", host, port);
	redisContext *rc = redisConnectWithTimeout(host, port, ms_tv(cto));
	if (!rc || rc->err) {
		ctx_err(rc, what, err, errlen);
		if (rc)
			redisFree(rc);
		return NULL;
	}
	redisSetTimeout(rc, ms_tv(ioto));
	redisEnableKeepAlive(rc);
	return rc;
}

/* Run one command and check its reply is not an error; returns the reply or NULL. */
static redisReply *must(redisContext *rc, char *err, size_t errlen, const char *what, int argc,
                        const char **argv)
{
	redisReply *r = redisCommandArgv(rc, argc, argv, NULL);
	if (!r) {
		ctx_err(rc, what, err, errlen);
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", what, r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

/* Ask one Sentinel for the master's address. */
static int sentinel_ask(const struct eas_redis_conf *c, const struct eas_hostport *s, char *host,
                        size_t hostlen, int *port, char *err, size_t errlen)
{
	redisContext *rc = tcp_connect(
	    s->host, s->port, c->connect_timeout_ms < 1000 ? c->connect_timeout_ms : 1000,
	    c->io_timeout_ms < 1000 ? c->io_timeout_ms : 1000, err, errlen);
	if (!rc)
		return -1;
	const char *argv[] = {"SENTINEL", "get-master-addr-by-name", c->master};
	redisReply *r = must(rc, err, errlen, "sentinel", 3, argv);
	int ret = -1;
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    r->element[1]->type == REDIS_REPLY_STRING && r->element[0]->len < hostlen) {
		memcpy(host, r->element[0]->str, r->element[0]->len + 1);
		*port = atoi(r->element[1]->str);
		ret = 0;
	} else if (r) {
		if (err && errlen)
			snprintf(err, errlen, "sentinel %s:%d does not know master %s", s->host,
			         s->port, c->master);
	}
	if (r)
		freeReplyObject(r);
	redisFree(rc);
	return ret;
}

/* AUTH and SELECT on a fresh connection. */
static int login(const struct eas_redis_conf *c, redisContext *rc, char *err, size_t errlen)
{
	const struct eas_redis_addr *a = &c->addr;
	redisReply *r;
	if (a->password[0]) {
		if (a->user[0]) {
			const char *argv[] = {"AUTH", a->user, a->password};
			r = must(rc, err, errlen, "AUTH", 3, argv);
		} else {
			const char *argv[] = {"AUTH", a->password};
			r = must(rc, err, errlen, "AUTH", 2, argv);
		}
		if (!r)
			return -1;
		freeReplyObject(r);
	}
	if (a->db) {
		char db[16];
		snprintf(db, sizeof db, "%d", a->db);
		const char *argv[] = {"SELECT", db};
		r = must(rc, err, errlen, "SELECT", 2, argv);
		if (!r)
			return -1;
		freeReplyObject(r);
	}
	return 0;
}

redisContext *eas_redis_connect(const struct eas_redis_conf *c, char *where, size_t wherelen,
                                char *err, size_t errlen)
{
	redisContext *rc = NULL;
	const struct eas_redis_addr *a = &c->addr;
	if (where && wherelen)
		where[0] = '\0';
	if (c->nsentinel == 0) {
		if (a->is_unix) {
			rc = redisConnectUnixWithTimeout(a->path, ms_tv(c->connect_timeout_ms));
			if (!rc || rc->err) {
				ctx_err(rc, a->path, err, errlen);
				if (rc)
					redisFree(rc);
				return NULL;
			}
			redisSetTimeout(rc, ms_tv(c->io_timeout_ms));
			if (where)
				snprintf(where, wherelen, "%s", a->path);
		} else {
			rc = tcp_connect(a->host, a->port, c->connect_timeout_ms, c->io_timeout_ms,
			                 err, errlen);
			if (!rc)
				return NULL;
			if (where)
				snprintf(where, wherelen, "%s:%d", a->host, a->port);
		}
		if (login(c, rc, err, errlen) < 0) {
			redisFree(rc);
			return NULL;
		}
		return rc;
	}

	/* Sentinel: ask each in turn; the first that names a reachable master wins. */
	char lasterr[512] = "no sentinel answered";
	for (int i = 0; i < c->nsentinel; i++) {
		char host[256];
		int port;
		if (sentinel_ask(c, &c->sentinel[i], host, sizeof host, &port, lasterr,
		                 sizeof lasterr) < 0) {
			log_debug("%s", lasterr);
			continue;
		}
		rc = tcp_connect(host, port, c->connect_timeout_ms, c->io_timeout_ms, lasterr,
		                 sizeof lasterr);
		if (!rc)
			continue;
		if (login(c, rc, lasterr, sizeof lasterr) < 0) {
			redisFree(rc);
			rc = NULL;
			continue;
		}
		const char *argv[] = {"ROLE"};
		redisReply *r = must(rc, lasterr, sizeof lasterr, "ROLE", 1, argv);
		bool ok = r && r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
		          r->element[0]->type == REDIS_REPLY_STRING &&
		          !strcmp(r->element[0]->str, "master");
		bool answered = r != NULL;
		if (r)
			freeReplyObject(r);
		if (!ok) {
			if (answered)
				snprintf(lasterr, sizeof lasterr,
				         "%.200s:%d named by sentinel is not a master", host, port);
			redisFree(rc);
			rc = NULL;
			continue;
		}
		if (where)
			snprintf(where, wherelen, "%s:%d", host, port);
		return rc;
	}
	seterr(err, errlen, "%s", lasterr);
	return NULL;
}

int eas_redis_poll_reply(redisContext *rc, int timeout_ms, redisReply **out)
{
	int64_t end = eas_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int done = 0;
	bool polled = false;
	*out = NULL;
	while (!done)
		if (redisBufferWrite(rc, &done) != REDIS_OK)
			return -1;
	for (;;) {
		void *r = NULL;
		if (redisGetReplyFromReader(rc, &r) != REDIS_OK)
			return -1;
		if (r) {
			*out = r;
			return 1;
		}
		int64_t left = timeout_ms < 0 ? -1 : end - eas_mono_ms();
		if (timeout_ms >= 0 && left <= 0) {
			if (polled)
				return 0;
			left = 0; /* one look at the socket all the same */
		}
		polled = true;
		struct pollfd p = {.fd = rc->fd, .events = POLLIN};
		int n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (n < 0)
			return errno == EINTR ? 0 : -1;
		if (n == 0)
			return 0;
		if (redisBufferRead(rc) != REDIS_OK)
			return -1;
	}
}

void eas_redis_describe(const struct eas_redis_conf *c, char *buf, size_t len)
{
	const struct eas_redis_addr *a = &c->addr;
	if (c->nsentinel) {
		size_t o = (size_t)snprintf(buf, len, "sentinel master %s via ", c->master);
		for (int i = 0; i < c->nsentinel && o < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%s:%d", i ? "," : "",
			                      c->sentinel[i].host, c->sentinel[i].port);
	} else if (a->is_unix) {
		snprintf(buf, len, "unix://%s", a->path);
	} else {
		snprintf(buf, len, "redis://%s:%d/%d", a->host, a->port, a->db);
	}
}

int eas_read_secret_file(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077))
		log_warn("%s is readable by others; chmod 600 it", path);
	if (!fgets(buf, (int)len, f)) {
		buf[0] = '\0';
	}
	fclose(f);
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0) {
		seterr(err, errlen, "%s: empty", path);
		return -1;
	}
	return 0;
}
