/* keys.h: the station's Redis key layout, made once from a prefix: every key and channel name any
 * tool uses comes from here (DESIGN.md "Redis"; the table is also in eas-publish(1)). */
#ifndef EAS_KEYS_H
#define EAS_KEYS_H

#include <stddef.h>

#define EAS_KEYS_DEFAULT_PREFIX "eas:"
#define EAS_KEYS_PREFIX_ENV     "EAS_PREFIX" /* the environment variable --prefix defaults to */
#define EAS_KEYS_PREFIX_MAX     64           /* bytes of a prefix */
#define EAS_KEYS_NAME_MAX       128          /* bytes of an id, source or command id in a key */
/* Bytes of a buffer that holds any key: prefix + longest fixed part + name + NUL. */
#define EAS_KEY_MAX (EAS_KEYS_PREFIX_MAX + 32 + EAS_KEYS_NAME_MAX + 1)

/*
 * The layout for one prefix P (default "eas:").  Fixed names, precomputed:
 *   alerts          P "alerts"          stream (XADD, MAXLEN ~) and pub/sub channel of alert
 *                                       and eom lines; stream field "json" holds the line
 *   metrics         P "metrics"         hash: field per source = its last status line,
 *                                       "_heartbeat" = epoch seconds of the last write
 *   metrics_update  P "metrics:update"  channel poked (message: the source) after each write
 *   sources         P "sources"         hash: source name -> JSON config (eas-ctl)
 *   commands        P "audio:commands"  channel of command JSON (eas-ctl send)
 *   cmd_counters    P "ctl:counters"    hash: "<command>:<result>" -> count (eas-ctl listen)
 *   alert_counts    P "alerts:counts"   hash: event code -> alerts stored (first hearings,
 *                                       eas-publish), a counter that survives stream trimming
 * Per-name keys (see enum eas_key_kind) are formatted by eas_key().
 */
struct eas_keys {
	char prefix[EAS_KEYS_PREFIX_MAX + 1];
	char alerts[EAS_KEY_MAX];
	char metrics[EAS_KEY_MAX];
	char metrics_update[EAS_KEY_MAX];
	char sources[EAS_KEY_MAX];
	char commands[EAS_KEY_MAX];
	char cmd_counters[EAS_KEY_MAX];
	char alert_counts[EAS_KEY_MAX];
};

/* The fields of an entry of the alerts stream (XADD by eas-publish's store script). */
#define EAS_STREAM_F_JSON   "json"   /* the line as received */
#define EAS_STREAM_F_TYPE   "type"   /* "alert" or "eom" */
#define EAS_STREAM_F_ID     "id"     /* the line's key (alert id, "eom-" hash) */
#define EAS_STREAM_F_SOURCE "source" /* the first source to hear it */

/*
 * Fill *K for PREFIX (NUL-terminated, 0..EAS_KEYS_PREFIX_MAX bytes, used as is:
 * "eas:" gives "eas:alerts"; "" gives "alerts").  NULL means
 * eas_keys_env_prefix().  Returns 0, or -1 when the prefix is too long (then
 * *K is filled for the default prefix).  No I/O.
 */
int eas_keys_init(struct eas_keys *k, const char *prefix);

/* $EAS_PREFIX when set, else EAS_KEYS_DEFAULT_PREFIX: the default of every --prefix. */
const char *eas_keys_env_prefix(void);

/* The per-name keys.  The name is an alert id, a source, a command id or a listener name. */
enum eas_key_kind {
	EAS_KEY_SEEN,  /* P "seen:" ID: string, first source to hear alert/eom ID, SET NX PXAT */
	EAS_KEY_HEARD, /* P "heard:" ID: set of every source that heard alert ID (from the
	                  second one on) */
	EAS_KEY_HEARTBEAT, /* P "heartbeat:" SOURCE: string epoch seconds, EX 60, per status line */
	EAS_KEY_LAST,      /* P "last:" SOURCE: hash event code (RWT, TOR, ...) -> epoch seconds
	                      of the last alert of that event, kept past stream trimming */
	EAS_KEY_RESPONSE,  /* P "audio:response:" COMMAND_ID: channel of the reply to a command */
	EAS_KEY_LISTENER,  /* P "ctl:listener:" NAME: string, eas-ctl listen liveness (EX) */
	EAS_KEY_CMD_SEQ,   /* P "ctl:seq:" SOURCE: counter, the next command sequence (INCR) */
	EAS_KEY_CMD_APPLIED, /* P "ctl:applied:" SOURCE: string, the newest seq applied */
	EAS_KEY_CMD_REPLAY,  /* P "ctl:replay:" COMMAND_ID: string, SET NX EX: a command seen */
	EAS_KEY_NKINDS
};

/*
 * Format the KIND key of NAME (NAMELEN bytes, need not be NUL-terminated;
 * 1..EAS_KEYS_NAME_MAX bytes) into BUF (LEN bytes; EAS_KEY_MAX always
 * suffices).  Returns the key's length, or -1 (BUF then holds "") when NAME is
 * empty or too long, KIND is unknown, or BUF too small.  No I/O.
 */
int eas_key_n(const struct eas_keys *k, enum eas_key_kind kind, const char *name, size_t namelen,
              char *buf, size_t len);

/* eas_key_n() of a NUL-terminated NAME. */
int eas_key(const struct eas_keys *k, enum eas_key_kind kind, const char *name, char *buf,
            size_t len);

#endif
