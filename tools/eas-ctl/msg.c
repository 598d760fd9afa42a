/* msg.c: eas-ctl's command and reply messages: names, writing (lib/json) and strict parsing
 * (lib/lines' field table).  No I/O. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "lines.h"
#include "timeutil.h"

/* ---- names ---- */

static const char *const commands[] = {
    EAS_CMD_SOURCE_START,  EAS_CMD_SOURCE_STOP,     EAS_CMD_SOURCE_ADD,     EAS_CMD_SOURCE_UPDATE,
    EAS_CMD_SOURCE_DELETE, EAS_CMD_STREAMING_START, EAS_CMD_STREAMING_STOP, EAS_CMD_PING};
static const char *const source_commands[] = {EAS_CMD_SOURCE_START, EAS_CMD_SOURCE_STOP,
                                              EAS_CMD_SOURCE_ADD, EAS_CMD_SOURCE_UPDATE,
                                              EAS_CMD_SOURCE_DELETE};

int ctl_command_known(const char *s)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(s, commands[i]))
			return 1;
	return 0;
}

int ctl_command_has_source(const char *s)
{
	for (size_t i = 0; i < sizeof source_commands / sizeof source_commands[0]; i++)
		if (!strcmp(s, source_commands[i]))
			return 1;
	return 0;
}

static int charset_ok(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c && strchr(extra, c))))
			return 0;
	}
	return 1;
}

int ctl_name_ok(const char *s)
{
	return charset_ok(s, CTL_NAME_MAX, "._-") && s[0] != '.' && s[0] != '-';
}

int ctl_id_ok(const char *s)
{
	return charset_ok(s, CTL_ID_MAX, "_-");
}

int ctl_param_name_ok(const char *s)
{
	return charset_ok(s, CTL_PNAME_MAX, "_");
}

int ctl_param_parse(const char *arg, struct eas_pair *p, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : 0;
	if (!eq || n == 0 || n > CTL_PNAME_MAX) {
		snprintf(err, errlen, "not NAME=VALUE: %.64s", arg);
		return -1;
	}
	memcpy(p->name, arg, n);
	p->name[n] = '\0';
	if (!ctl_param_name_ok(p->name)) {
		snprintf(err, errlen, "parameter name must be [A-Za-z0-9_]: %.64s", arg);
		return -1;
	}
	if (strlen(eq + 1) > CTL_PVAL_MAX) {
		snprintf(err, errlen, "value of %s longer than %d bytes", p->name, CTL_PVAL_MAX);
		return -1;
	}
	strcpy(p->value, eq + 1);
	return 0;
}

/* ---- writing ---- */

static int finish(struct eas_json *j, const struct ctl_key *key)
{
	if (key && key->len)
		return ctl_sign(j, key);
	eas_json_obj_end(j);
	return j->oom ? -1 : 0;
}

int ctl_cmd_write(const struct ctl_cmd *c, const struct ctl_key *key, struct eas_json *j)
{
	char ts[32];
	eas_json_reset(j);
	eas_json_obj_begin(j);
	eas_json_key_str(j, EAS_CF_ID, c->id);
	eas_json_key_str(j, EAS_CF_COMMAND, c->command);
	if (c->source[0])
		eas_json_key_str(j, EAS_CF_SOURCE, c->source);
	eas_json_key(j, EAS_CF_PARAMS);
	eas_json_obj_begin(j);
	for (int i = 0; i < c->nparams; i++)
		eas_json_key_str(j, c->params[i].name, c->params[i].value);
	eas_json_obj_end(j);
	eas_json_key_int(j, EAS_CF_SEQ, c->seq);
	eas_json_key_str(j, EAS_CF_TIMESTAMP, eas_rfc3339_ms(c->ts_ms, ts, sizeof ts));
	eas_json_key_str(j, EAS_CF_SENDER, c->sender);
	if (c->to[0])
		eas_json_key_str(j, EAS_CF_TO, c->to);
	return finish(j, key);
}

int ctl_reply_write(const struct ctl_reply *r, const struct ctl_key *key, struct eas_json *j)
{
	char ts[32];
	eas_json_reset(j);
	eas_json_obj_begin(j);
	eas_json_key_str(j, EAS_CF_ID, r->id);
	eas_json_key_str(j, EAS_CF_LISTENER, r->listener);
	eas_json_key_bool(j, EAS_CF_SUCCESS, r->success);
	eas_json_key_str(j, EAS_CF_MESSAGE, r->message);
	eas_json_key_int(j, EAS_CF_EXIT_CODE, r->exit_code);
	eas_json_key_str(j, EAS_CF_TIMESTAMP, eas_rfc3339_ms(r->ts_ms, ts, sizeof ts));
	return finish(j, key);
}

/* ---- parsing (lib/lines' field table) ---- */

/* A string member as read, before its own checks: up to CTL_MESSAGE_MAX bytes. */
typedef char sval[CTL_MESSAGE_MAX + 1];

/* Row F of a message's table. */
static void row(struct eas_field *f, const char *name, enum eas_field_type type, void *dest,
                size_t size)
{
	*f = (struct eas_field){.name = name, .type = type, .dest = dest, .size = size};
}

/* Read MSG (LEN bytes) through the NF rows of F, strictly (each member at most once, no stray
 * objects or arrays); 0, or -1 with ERR set. */
static int read_msg(const char *msg, size_t len, struct eas_field *f, int nf, char *err,
                    size_t errlen)
{
	if (len > CTL_MSG_MAX) {
		snprintf(err, errlen, "message of %zu bytes (at most %d)", len, CTL_MSG_MAX);
		for (int i = 0; i < nf; i++)
			f[i].state = EAS_FIELD_ABSENT;
		return -1;
	}
	return eas_line_read_flags(msg, len, f, nf, EAS_LINE_STRICT, err, errlen) == EAS_LINE_OK
	           ? 0
	           : -1;
}

/* Row F's string, or NULL when absent, null, not a string or too long. */
static const char *str(const struct eas_field *f)
{
	return f->state == EAS_FIELD_OK ? f->dest : NULL;
}

/* Row F (EAS_FIELD_INT) in LO..HI into *OUT; 0 or -1. */
static int integer(const struct eas_field *f, int64_t lo, int64_t hi, int64_t *out)
{
	if (f->state != EAS_FIELD_OK)
		return -1;
	int64_t v = *(const int64_t *)f->dest;
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Copy string row F (required or not) of at most MAX bytes passing OK into OUT. */
static int get_str(const struct eas_field *f, bool required, size_t max, int (*ok)(const char *),
                   char *out, char *err, size_t errlen)
{
	out[0] = '\0';
	if (f->state == EAS_FIELD_ABSENT && !required)
		return 0;
	const char *v = str(f);
	if (!v) {
		snprintf(err, errlen, "%s \"%s\"",
		         f->state == EAS_FIELD_ABSENT ? "missing" : "bad type of", f->name);
		return -1;
	}
	if (strlen(v) > max || (ok && !ok(v))) {
		snprintf(err, errlen, "bad %s \"%.64s\"", f->name, v);
		return -1;
	}
	strcpy(out, v);
	return 0;
}

/* Row F (EAS_FIELD_TIME) into *MS; 0 or -1. */
static int get_time(const struct eas_field *f, int64_t *ms, char *err, size_t errlen)
{
	if (f->state != EAS_FIELD_OK) {
		snprintf(err, errlen, "%s \"%s\" (want RFC 3339 UTC)",
		         f->state == EAS_FIELD_ABSENT ? "missing" : "bad", f->name);
		return -1;
	}
	*ms = *(const int64_t *)f->dest;
	return 0;
}

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

enum { C_ID, C_COMMAND, C_SOURCE, C_PARAMS, C_SEQ, C_TS, C_SENDER, C_TO, C_SIG, C_N };

int ctl_cmd_parse(const char *msg, size_t len, struct ctl_cmd *c, char *err, size_t errlen)
{
	sval id, command, source, sender, to, sig;
	int64_t seq = 0, ts = 0;
	struct eas_field f[C_N];
	memset(c, 0, sizeof *c);
	row(&f[C_ID], EAS_CF_ID, EAS_FIELD_STR, id, sizeof id);
	row(&f[C_COMMAND], EAS_CF_COMMAND, EAS_FIELD_STR, command, sizeof command);
	row(&f[C_SOURCE], EAS_CF_SOURCE, EAS_FIELD_STR, source, sizeof source);
	struct eas_pairs params = {c->params, CTL_PARAMS_MAX, ctl_param_name_ok};
	row(&f[C_PARAMS], EAS_CF_PARAMS, EAS_FIELD_PAIRS, &params, 0);
	row(&f[C_SEQ], EAS_CF_SEQ, EAS_FIELD_INT, &seq, 0);
	row(&f[C_TS], EAS_CF_TIMESTAMP, EAS_FIELD_TIME, &ts, 0);
	row(&f[C_SENDER], EAS_CF_SENDER, EAS_FIELD_STR, sender, sizeof sender);
	row(&f[C_TO], EAS_CF_TO, EAS_FIELD_STR, to, sizeof to);
	row(&f[C_SIG], EAS_CF_SIG, EAS_FIELD_STR, sig, sizeof sig);
	int ret = read_msg(msg, len, f, C_N, err, errlen);
	/* The id first: with it a refusal can be answered. */
	if (str(&f[C_ID]) && ctl_id_ok(id))
		strcpy(c->id, id);
	if (ret < 0)
		return -1;
	c->has_sig = f[C_SIG].state != EAS_FIELD_ABSENT;
	if (!c->id[0]) {
		snprintf(err, errlen, "%s \"%s\"",
		         f[C_ID].state == EAS_FIELD_ABSENT ? "missing" : "bad", EAS_CF_ID);
		return -1;
	}
	if (get_str(&f[C_COMMAND], true, CTL_CMD_MAX, NULL, c->command, err, errlen) < 0)
		return -1;
	if (!ctl_command_known(c->command)) {
		snprintf(err, errlen, "unknown command \"%.32s\"", c->command);
		return -1;
	}
	bool need_source = ctl_command_has_source(c->command);
	if (get_str(&f[C_SOURCE], need_source, CTL_NAME_MAX, ctl_name_ok, c->source, err, errlen) <
	    0)
		return -1;
	if (f[C_PARAMS].state != EAS_FIELD_ABSENT && f[C_PARAMS].state != EAS_FIELD_OK) {
		snprintf(err, errlen, "bad type of \"%s\"", EAS_CF_PARAMS);
		return -1;
	}
	c->nparams = (int)f[C_PARAMS].len;
	if (f[C_SEQ].state == EAS_FIELD_ABSENT && !need_source) {
		c->seq = 0;
	} else if (integer(&f[C_SEQ], need_source ? 1 : 0, INT64_MAX, &c->seq) < 0) {
		snprintf(err, errlen, "%s \"%s\"",
		         f[C_SEQ].state == EAS_FIELD_ABSENT ? "missing" : "bad", EAS_CF_SEQ);
		return -1;
	}
	if (get_time(&f[C_TS], &c->ts_ms, err, errlen) < 0)
		return -1;
	if (get_str(&f[C_SENDER], false, CTL_SENDER_MAX, printable, c->sender, err, errlen) < 0 ||
	    get_str(&f[C_TO], false, CTL_NAME_MAX, ctl_name_ok, c->to, err, errlen) < 0)
		return -1;
	if (c->has_sig && !str(&f[C_SIG])) {
		snprintf(err, errlen, "bad type of \"%s\"", EAS_CF_SIG);
		return -1;
	}
	return 0;
}

enum { R_ID, R_LISTENER, R_SUCCESS, R_MESSAGE, R_EXIT, R_TS, R_SIG, R_N };

int ctl_reply_parse(const char *msg, size_t len, struct ctl_reply *r, char *err, size_t errlen)
{
	sval id, listener, message, sig;
	int64_t code = 0;
	struct eas_field f[R_N];
	memset(r, 0, sizeof *r);
	row(&f[R_ID], EAS_CF_ID, EAS_FIELD_STR, id, sizeof id);
	row(&f[R_LISTENER], EAS_CF_LISTENER, EAS_FIELD_STR, listener, sizeof listener);
	row(&f[R_SUCCESS], EAS_CF_SUCCESS, EAS_FIELD_BOOL, &r->success, 0);
	row(&f[R_MESSAGE], EAS_CF_MESSAGE, EAS_FIELD_STR, message, sizeof message);
	row(&f[R_EXIT], EAS_CF_EXIT_CODE, EAS_FIELD_INT, &code, 0);
	row(&f[R_TS], EAS_CF_TIMESTAMP, EAS_FIELD_TIME, &r->ts_ms, 0);
	row(&f[R_SIG], EAS_CF_SIG, EAS_FIELD_STR, sig, sizeof sig);
	if (read_msg(msg, len, f, R_N, err, errlen) < 0)
		return -1;
	if (get_str(&f[R_ID], true, CTL_ID_MAX, ctl_id_ok, r->id, err, errlen) < 0 ||
	    get_str(&f[R_LISTENER], true, CTL_NAME_MAX, ctl_name_ok, r->listener, err, errlen) <
	        0 ||
	    get_str(&f[R_MESSAGE], true, CTL_MESSAGE_MAX, NULL, r->message, err, errlen) < 0 ||
	    get_time(&f[R_TS], &r->ts_ms, err, errlen) < 0)
		return -1;
	if (f[R_SUCCESS].state != EAS_FIELD_OK) {
		snprintf(err, errlen, "missing or bad \"%s\"", EAS_CF_SUCCESS);
		return -1;
	}
	if (integer(&f[R_EXIT], -1, 255, &code) < 0) {
		snprintf(err, errlen, "missing or bad \"%s\"", EAS_CF_EXIT_CODE);
		return -1;
	}
	r->exit_code = (int)code;
	r->has_sig = f[R_SIG].state != EAS_FIELD_ABSENT;
	return 0;
}
