/* lines.h: the station's JSON lines, both ways: the one place that names their fields.  Writers for
 * every line type (on lib/json) and a reader that pulls typed top-level fields out of a line
 * through a field table (yajl's event parser, no tree).  DESIGN.md "JSON lines"; eas-decode(1). */
#ifndef EAS_LINES_H
#define EAS_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "same_header.h"

/* Line types: the value of "type". */
#define EAS_LT_ALERT     "alert"
#define EAS_LT_EOM       "eom"
#define EAS_LT_ATTENTION "attention"
#define EAS_LT_STATUS    "status"
#define EAS_LT_CAPTURE   "capture"
#define EAS_LT_RECORDING "recording"

/* Field names that readers look up (the writers below write these and more). */
#define EAS_LF_TYPE       "type"
#define EAS_LF_SOURCE     "source"
#define EAS_LF_TIME       "time"
#define EAS_LF_OFFSET     "offset_s"
#define EAS_LF_ID         "id"
#define EAS_LF_RAW        "raw"
#define EAS_LF_EVENT      "event"
#define EAS_LF_ORIGINATOR "originator"
#define EAS_LF_LOCATIONS  "locations"
#define EAS_LF_CODE       "code" /* of a location */
#define EAS_LF_ISSUED     "issued"
#define EAS_LF_EXPIRES    "expires"
#define EAS_LF_BURSTS     "bursts"
#define EAS_LF_SAMPLES    "samples"
#define EAS_LF_SILENCE    "silence"
#define EAS_LF_CLIPPING   "clipping"
#define EAS_LF_RMS_DBFS   "rms_dbfs"
#define EAS_LF_PEAK_DBFS  "peak_dbfs"
#define EAS_LF_SILENCE_S  "silence_s" /* status: seconds the audio has been quiet so far */
#define EAS_LF_STATE      "state"
/* Added by eas-publish to the status line it keeps in the metrics hash: its spool backlog. */
#define EAS_LF_SPOOL_BYTES "spool_bytes"

/* eas-decode --record: the alert line's "recording" and the recording line's fields. */
#define EAS_LF_RECORDING "recording"
#define EAS_LF_PATH      "path"
#define EAS_LF_DURATION  "duration_s"
#define EAS_LF_ENDED_BY  "ended_by"
#define EAS_LF_ERROR     "error"

/* The command plane (eas-ctl(1), DESIGN.md "Redis"): the members of a command on the commands
 * channel and of a reply on its response channel, and of a source's config in the sources hash. */
#define EAS_CF_ID        "command_id" /* command, reply: the command's unique id */
#define EAS_CF_COMMAND   "command"    /* command: one of EAS_CMD_* */
#define EAS_CF_SOURCE    "source"     /* command: the source it is about (source_* only) */
#define EAS_CF_PARAMS    "params"     /* command: object of string parameters */
#define EAS_CF_SEQ       "seq"        /* command: the source's sequence number (INCR) */
#define EAS_CF_TIMESTAMP "timestamp"  /* command, reply: RFC 3339 UTC with ms */
#define EAS_CF_SENDER    "sender"     /* command: user@host */
#define EAS_CF_TO        "to"         /* command: the one listener meant */
#define EAS_CF_SIG       "sig"        /* command, reply: HMAC-SHA256 hex, the last member */
#define EAS_CF_LISTENER  "listener"   /* reply: the listener's name */
#define EAS_CF_SUCCESS   "success"    /* reply: bool */
#define EAS_CF_MESSAGE   "message"    /* reply: the handler's first line, or the refusal */
#define EAS_CF_EXIT_CODE "exit_code"  /* reply: the handler's exit status, -1 if none */
#define EAS_SCF_NAME     "name"       /* source config: its name */
#define EAS_SCF_INPUT    "input"      /* source config: what eas-capture reads */
#define EAS_SCF_RATE     "rate"       /* source config: sample rate, Hz */
#define EAS_SCF_OPTIONS  "options"    /* source config: object of string options */
/* The commands. */
#define EAS_CMD_SOURCE_START    "source_start"
#define EAS_CMD_SOURCE_STOP     "source_stop"
#define EAS_CMD_SOURCE_ADD      "source_add"
#define EAS_CMD_SOURCE_UPDATE   "source_update"
#define EAS_CMD_SOURCE_DELETE   "source_delete"
#define EAS_CMD_STREAMING_START "streaming_start"
#define EAS_CMD_STREAMING_STOP  "streaming_stop"
#define EAS_CMD_PING            "ping"

#define EAS_SOURCE_MAX 64 /* bytes of a source name */
#define EAS_ID_MAX     64 /* bytes of a line's id (its Redis idempotency key) */

/* ---- writers: each empties J and writes one whole object (no newline) ---- */

/* Where and when a line of eas-decode happened: the fields every one of its lines ends with. */
struct eas_line_at {
	const char *source; /* the monitor's name */
	int64_t time_ms;    /* receive time, epoch ms (written RFC 3339 UTC with ms) */
	double offset_s;    /* position in the input stream, seconds (3 decimals) */
};

/*
 * An alert line: type, raw, originator, originator_name, event, event_name,
 * significance, locations [{code, part, part_name, state, state_name,
 * county}], purge, purge_minutes, issued, expires (absolute UTC, the year
 * inferred from AT->time_ms; null when the day does not exist), sender, id,
 * bursts (1..3), bit_errors, confidence (0..1, 3 decimals), source, time,
 * offset_s.  County names from the Census FIPS list (lib/fips).
 */
void eas_line_alert(struct eas_json *j, const struct same_header *h, int bursts, int bit_errors,
                    double confidence, const struct eas_line_at *at);

/* The same with "recording" after confidence (eas-decode --record): PATH, the final path of the
 * alert's recording, or null when PATH is NULL (it cannot be made). */
void eas_line_alert_recorded(struct eas_json *j, const struct same_header *h, int bursts,
                             int bit_errors, double confidence, const char *path,
                             const struct eas_line_at *at);

/* What eas-decode says of an alert's recording once its file is closed. */
struct eas_line_recording {
	const char *id;       /* the alert's id */
	const char *event;    /* its event code */
	const char *path;     /* the file under its final name, NULL when none is left */
	double duration_s;    /* audio in the file (3 decimals) */
	const char *ended_by; /* "eom", "limit", "end of input" or "error" */
	const char *error;    /* NULL, or what went wrong (written only then) */
};

/* A recording line: type, id, event, path (or null), duration_s, ended_by, [error], source, time
 * and offset_s of the file's first sample. */
void eas_line_recording(struct eas_json *j, const struct eas_line_recording *r,
                        const struct eas_line_at *at);

/* An eom line: type, bursts, source, time, offset_s. */
void eas_line_eom(struct eas_json *j, int bursts, const struct eas_line_at *at);

/* An attention line: type, tone ("853+960" or "1050"), duration_s (2 decimals), source, time,
 * offset_s. */
void eas_line_attention(struct eas_json *j, const char *tone, double duration_s,
                        const struct eas_line_at *at);

/* The audio figures of a status line (lib/levels' report). */
struct eas_line_levels {
	uint64_t samples;           /* samples read so far */
	double rms_dbfs, peak_dbfs; /* 1 decimal; non-finite is written null */
	bool silence, clipping;
	uint64_t clipped_samples;
	double silence_s; /* seconds quieter than the silence threshold up to now, 1 decimal */
};

/* A status line: type, source, time, offset_s, samples, rms_dbfs, peak_dbfs, silence, clipping,
 * clipped_samples, silence_s. */
void eas_line_status(struct eas_json *j, const struct eas_line_levels *lv,
                     const struct eas_line_at *at);

/* What eas-capture says of itself on --status-fd. */
struct eas_line_capture_info {
	int64_t time_ms;
	const char *source, *input; /* monitor name, the input as given */
	const char *state;          /* "connecting", "running", "reconnecting", "stopped", ... */
	uint64_t reconnects;
	uint64_t samples_out; /* written as bytes_out (2 per sample) and seconds_out */
	int rate;             /* output rate, Hz */
	const char *format;   /* container format, NULL or "" while unknown (then the next three
	                         are not written) */
	const char *codec;
	int input_rate, input_channels;
	const char *last_error; /* NULL or "": written null */
};

/* A capture line: type, time, source, input, state, reconnects, bytes_out, seconds_out, rate,
 * [format, codec, input_rate, input_channels], last_error. */
void eas_line_capture(struct eas_json *j, const struct eas_line_capture_info *c);

/* ---- reader (lines_read.c) ---- */

enum eas_field_type {
	EAS_FIELD_STR,   /* a string: copied NUL-terminated into DEST (SIZE bytes) */
	EAS_FIELD_NUM,   /* a number: strtod into *(double *)DEST */
	EAS_FIELD_INT,   /* an integral number within int64_t: *(int64_t *)DEST */
	EAS_FIELD_BOOL,  /* true/false: *(bool *)DEST */
	EAS_FIELD_TIME,  /* an RFC 3339 string (eas_parse_time): *(int64_t *)DEST, epoch ms */
	EAS_FIELD_PAIRS, /* an object whose members are all strings, as name/value pairs into the
	                    struct eas_pairs at DEST, in the order of the line; LEN gets how many.
	                    A pair the rules of eas_line_read() refuse refuses the line. */
};

/* One member of an EAS_FIELD_PAIRS object (a command's "params", a source's "options"). */
#define EAS_PAIR_NAME_MAX  32   /* bytes of a pair's name */
#define EAS_PAIR_VALUE_MAX 1024 /* bytes of a pair's value */
struct eas_pair {
	char name[EAS_PAIR_NAME_MAX + 1];
	char value[EAS_PAIR_VALUE_MAX + 1];
};

/* Where an EAS_FIELD_PAIRS row puts its pairs. */
struct eas_pairs {
	struct eas_pair *pair;            /* MAX rows */
	size_t max;                       /* more members than this refuse the line */
	int (*name_ok)(const char *name); /* NULL, or 1 when NAME is a usable pair name */
};

enum eas_field_state {
	EAS_FIELD_ABSENT = 0, /* not in the line (DEST untouched) */
	EAS_FIELD_OK,         /* found, of the type, and stored in DEST */
	EAS_FIELD_NULL,       /* found with the value null (DEST untouched) */
	EAS_FIELD_BAD,        /* found, but of another type, holding a NUL, too long for DEST,
	                         or (TIME) not a time; DEST untouched */
};

/* One row of a field table: which top-level member to pull out, and where to. */
struct eas_field {
	const char *name; /* member name, e.g. EAS_LF_SOURCE */
	enum eas_field_type type;
	void *dest;
	size_t size;                /* EAS_FIELD_STR: bytes of DEST, NUL included */
	enum eas_field_state state; /* out */
	size_t len;                 /* out when OK: STR, its length; PAIRS, how many pairs */
};

enum { EAS_LINE_OK = 0, EAS_LINE_BAD_JSON = -1, EAS_LINE_BAD_FIELDS = -2 };

/* FLAGS of eas_line_read_flags(). */
#define EAS_LINE_STRICT 1u /* see eas_line_read_flags() */

/*
 * Check that LINE (LEN bytes, no newline needed) is exactly one JSON object
 * (strict RFC 8259, UTF-8 checked) and fill the NF rows of table F with its
 * top-level members of those names (nested ones are not looked at; the last
 * of duplicate members wins).  Numbers longer than 512 characters are BAD.
 * A PAIRS row's object is refused, with the reason, when a member is not a
 * string ("parameter gain is not a string"), its value is longer than
 * EAS_PAIR_VALUE_MAX or holds a NUL, its name is empty, longer than
 * EAS_PAIR_NAME_MAX, holds a NUL or fails NAME_OK ("bad parameter name
 * \"a-b\""), a name comes twice ("parameter gain given twice"), or there are
 * more than MAX members ("more than 32 parameters").
 * Returns EAS_LINE_OK; EAS_LINE_BAD_JSON with a one-line reason in ERR ("bad
 * JSON near byte 12: ...", "not a JSON object"); EAS_LINE_BAD_FIELDS with the
 * reason when refused.  On either failure the rows read before the fault
 * keep what they got (a command's id can still answer its refusal); the
 * others are ABSENT.  No I/O.
 */
int eas_line_read(const char *line, size_t len, struct eas_field *f, int nf, char *err,
                  size_t errlen);

/* The same with FLAGS: 0, or EAS_LINE_STRICT, under which a member of the table that
 * comes twice ("member command given twice") or holds an array, or an object where its row
 * is no PAIRS ("member seq is an array"), refuses the line (EAS_LINE_BAD_FIELDS) at once.
 * eas-ctl reads its signed messages so: one reading of a member, never two. */
int eas_line_read_flags(const char *line, size_t len, struct eas_field *f, int nf, unsigned flags,
                        char *err, size_t errlen);

/* 0 when S is a usable source name: 1..EAS_SOURCE_MAX bytes, no control characters. */
int eas_source_check(const char *s);

/* What a consumer of lines needs to know about one line (eas-publish, eas-watch). */
struct eas_line_head {
	char type;                       /* 'A' alert, 'E' eom, 'R' recording, 'S' status,
	                                    'O' other */
	char key[EAS_ID_MAX + 1];        /* alert: its id; eom: "eom-" + hash of source, time,
	                                    offset; recording: "rec-" + hash of source, alert id,
	                                    path */
	char source[EAS_SOURCE_MAX + 1]; /* who heard it */
	int64_t time_ms;                 /* receive time (the line's "time", else NOW_MS) */
	int64_t issued_ms, expires_ms;   /* alert times, 0 when absent */
};

/*
 * Read and check LINE (LEN bytes) into *H.  The source is FORCE_SOURCE when
 * not NULL, else the line's "source", else DEFAULT_SOURCE.  An alert's key is
 * its "id" (1..EAS_ID_MAX of [A-Za-z0-9._:-]), else same_header_id() of its
 * "raw"; an eom's key is "eom-" and 16 hex digits of the FNV-1a hash of
 * source, "|", time text, "|", offset_s as "%.3f" (it needs "time" or
 * "offset_s"); a recording's is "rec-" and 16 hex digits of the hash of
 * source, "|", its alert's "id" (required), "|", path (else time text).  Returns EAS_LINE_OK; EAS_LINE_BAD_JSON when the line is not a
 * JSON object; EAS_LINE_BAD_FIELDS when it is one but lacks or has invalid
 * fields.  ERR gets a one-line reason.  No I/O.
 */
int eas_line_head(const char *line, size_t len, const char *force_source,
                  const char *default_source, int64_t now_ms, struct eas_line_head *h, char *err,
                  size_t errlen);

#endif
