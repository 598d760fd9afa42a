/* ctl.h: eas-ctl's internal interfaces: the command and reply messages (build, parse, sign,
 * verify; no I/O), the handler runner, and the send / listen / source sub-commands. */
#ifndef EAS_CTL_H
#define EAS_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "lines.h"
#include "redis.h"

#define CTL_ID_MAX      64  /* bytes of a command id */
#define CTL_NAME_MAX    63  /* bytes of a source or listener name (two and a colon fit a key) */
#define CTL_CMD_MAX     32  /* bytes of a command name */
#define CTL_SENDER_MAX  128 /* bytes of the sender ("user@host") */
#define CTL_PARAMS_MAX  32  /* parameters per command */
#define CTL_PNAME_MAX   EAS_PAIR_NAME_MAX  /* bytes of a parameter name (32) */
#define CTL_PVAL_MAX    EAS_PAIR_VALUE_MAX /* bytes of a parameter value (1024) */
#define CTL_MESSAGE_MAX 1024               /* bytes of a reply's message */
#define CTL_MSG_MAX     65536 /* bytes of a whole command or reply; longer ones are refused */
#define CTL_KEY_MAX     512   /* bytes of the shared key */
#define CTL_KEY_MIN     16
#define CTL_SIG_HEX     64 /* an HMAC-SHA256 in hex */

/* ---- names (msg.c) ---- */

/* 1 when S is a usable source or listener name: 1..CTL_NAME_MAX bytes of
 * [A-Za-z0-9._-], not starting with '.' or '-' (they become unit and file
 * names).  0 otherwise. */
int ctl_name_ok(const char *s);
/* 1 when S is a usable command id: 1..CTL_ID_MAX bytes of [A-Za-z0-9_-]. */
int ctl_id_ok(const char *s);
/* 1 when S is a usable parameter name: 1..CTL_PNAME_MAX bytes of [A-Za-z0-9_]. */
int ctl_param_name_ok(const char *s);
/* 1 when S is one of the commands of DESIGN.md or "ping". */
int ctl_command_known(const char *s);
/* 1 when command S is about one source (and so needs SOURCE and a seq). */
int ctl_command_has_source(const char *s);

/* ---- messages (msg.c, sign.c) ---- */

/* A parameter of a command is a struct eas_pair (lib/lines): name and value. */

/* A command as sent on the command channel. */
struct ctl_cmd {
	char id[CTL_ID_MAX + 1];
	char command[CTL_CMD_MAX + 1];
	char source[CTL_NAME_MAX + 1]; /* "" when the command has none */
	char sender[CTL_SENDER_MAX + 1];
	char to[CTL_NAME_MAX + 1]; /* "" for every listener */
	int64_t seq;               /* 0 when there is no source */
	int64_t ts_ms;             /* "timestamp", epoch ms */
	int nparams;
	struct eas_pair params[CTL_PARAMS_MAX];
	bool has_sig; /* the message carried a "sig" member */
};

/* A listener's reply on the command's response channel. */
struct ctl_reply {
	char id[CTL_ID_MAX + 1];
	char listener[CTL_NAME_MAX + 1];
	bool success;
	char message[CTL_MESSAGE_MAX + 1];
	int exit_code; /* the handler's exit status, -1 when it did not run or was killed */
	int64_t ts_ms;
	bool has_sig;
};

/* The shared key (NULL / 0 for none: unsigned messages). */
struct ctl_key {
	const unsigned char *key;
	size_t len;
};

/*
 * Write C as one JSON object into J (reset first), signed with KEY when
 * KEY->len > 0 (see ctl_sign).  Returns 0, or -1 when out of memory.
 */
int ctl_cmd_write(const struct ctl_cmd *c, const struct ctl_key *key, struct eas_json *j);
int ctl_reply_write(const struct ctl_reply *r, const struct ctl_key *key, struct eas_json *j);

/*
 * Parse MSG[0..LEN) as a command.  Strict: one JSON object, each member at
 * most once, the known members of the right type and shape (ids, names and
 * parameter names checked as above).  Unknown members are ignored.  Returns 0,
 * or -1 with a one-line reason in ERR; even then C->id holds the command id
 * when the message had a usable one (so that the refusal can be answered).
 */
int ctl_cmd_parse(const char *msg, size_t len, struct ctl_cmd *c, char *err, size_t errlen);
int ctl_reply_parse(const char *msg, size_t len, struct ctl_reply *r, char *err, size_t errlen);

/* Signature states of a message. */
enum ctl_sig { CTL_SIG_OK = 0, CTL_SIG_NONE = 1, CTL_SIG_BAD = 2 };

/*
 * The wire format's signature (see eas-ctl(1), MESSAGES): a signed message
 * is a JSON object whose last member is "sig", and it ends with exactly
 *   ,"sig":"<64 lower-case hex digits>"}
 * The signature is the HMAC-SHA256 (RFC 2104, FIPS 180-4) under the shared
 * key of every byte of the message before that ,"sig": -- the exact bytes
 * sent, so nothing is re-serialised before checking.
 *
 * ctl_sign: J holds an object still open (no closing brace yet); append the
 * "sig" member and close it.  Returns 0, or -1 on OOM or libcrypto failure.
 * ctl_sig_check: CTL_SIG_NONE when MSG does not end as above (unsigned),
 * CTL_SIG_BAD when it does but the HMAC differs (compared in constant time
 * with CRYPTO_memcmp), CTL_SIG_OK when it matches.  No I/O.
 */
int ctl_sign(struct eas_json *j, const struct ctl_key *key);
enum ctl_sig ctl_sig_check(const struct ctl_key *key, const char *msg, size_t len);

/* HMAC-SHA256 of MSG[0..LEN) under KEY as lower-case hex into HEX (65 bytes). 0 or -1. */
int ctl_hmac_hex(const struct ctl_key *key, const char *msg, size_t len, char *hex);

/* A fresh random command id (32 hex digits from getrandom(2)) into ID (33 bytes). 0 or -1. */
int ctl_new_id(char *id);

/* ---- the handler (handler.c) ---- */

struct ctl_run {
	int status;                      /* exit status 0..255, or -1 when killed or not started */
	bool timed_out;                  /* killed after the timeout */
	char first[CTL_MESSAGE_MAX + 1]; /* first line of its output (stdout, then stderr) */
};

/*
 * Run HANDLER for command C (as `HANDLER COMMAND [SOURCE] [NAME=VALUE...]`,
 * with the EAS_CTL_* environment and JSON on stdin) in its own process group.
 * Waits at most TIMEOUT_MS, then kills the group with SIGKILL.  TICK (may be
 * NULL) is called about once a second while waiting.  Fills *R.  Returns 0,
 * or -1 when the handler could not be started (R->first says why).
 */
int ctl_run_handler(const char *handler, const struct ctl_cmd *c, const char *json, size_t jsonlen,
                    int timeout_ms, void (*tick)(void), struct ctl_run *r);

/* ---- the sub-commands (send.c, listen.c, source.c) ---- */

/* What every sub-command shares: options, Redis and key. */
struct ctl_opts {
	struct eas_redis_conf conf;
	struct ctl_key key;
	double timeout_s;         /* send: how long to wait for replies */
	const char *to;           /* send: one listener's name, or NULL */
	bool json;                /* send, source list: JSON output */
	const char *name;         /* listen: this listener's name */
	double handler_timeout_s; /* listen */
	double window_s;          /* listen, send: accepted clock difference */
	const char *exec;         /* listen: the handler */
	const char *prefix;       /* key prefix */
	long rate_hz;             /* source add/update: --rate, 0 when not given */
};

/* Send command COMMAND about SOURCE (may be NULL) with NPARAMS parameters,
 * print the replies.  Returns an exit code (enum eas_exit). */
int ctl_send(const struct ctl_opts *o, const char *command, const char *source,
             const struct eas_pair *params, int nparams);
/* Listen until SIGINT/SIGTERM.  Returns an exit code. */
int ctl_listen(const struct ctl_opts *o);
/* `source ACTION ARGS...`.  Returns an exit code. */
int ctl_source(const struct ctl_opts *o, int argc, char **argv);

/* Run one Redis command on RC; NULL (with the reason logged) on failure or an error reply. */
redisReply *ctl_must(redisContext *rc, int argc, const char **argv);

/* Parse NAME=VALUE into P.  Returns 0, or -1 with a reason in ERR. */
int ctl_param_parse(const char *arg, struct eas_pair *p, char *err, size_t errlen);

#endif
