/* msg.c: eas-ctl's command and reply messages: names, writing (lib/json) and strict parsing
 * (yajl's event parser).  No I/O. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl_parse.h>

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

int ctl_param_parse(const char *arg, struct ctl_param *p, char *err, size_t errlen)
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

/* ---- parsing ---- */

enum { K_ABSENT = 0, K_STRING, K_NUMBER, K_BOOL, K_NULL, K_OBJECT, K_OTHER };

#define VAL_MAX CTL_MESSAGE_MAX

struct field {
	const char *name;
	char kind;
	bool toolong, b;
	size_t len;
	char val[VAL_MAX + 1];
};

struct scan {
	int depth;
	int cur; /* top-level member whose value comes next, -1 for one we ignore */
	int nf;
	struct field *f;
	int params;            /* index of the params member, or -1 */
	bool in_params;        /* inside the params object (depth 2) */
	struct ctl_param *par; /* where params go (NULL: none expected) */
	int npar;
	char err[160];
};

static int fail(struct scan *s, const char *fmt, const char *a)
{
	if (!s->err[0])
		snprintf(s->err, sizeof s->err, fmt, a);
	return 0; /* stops yajl */
}

static int value(struct scan *s, int kind, const void *v, size_t len, bool b)
{
	if (s->depth == 0)
		return fail(s, "%snot a JSON object", "");
	if (s->in_params && s->depth == 2) {
		if (kind != K_STRING)
			return fail(s, "parameter %s is not a string", s->par[s->npar].name);
		if (len > CTL_PVAL_MAX || memchr(v, 0, len))
			return fail(s, "parameter %s too long or holds a NUL",
			            s->par[s->npar].name);
		memcpy(s->par[s->npar].value, v, len);
		s->par[s->npar].value[len] = '\0';
		s->npar++;
		return 1;
	}
	if (s->depth != 1 || s->cur < 0)
		return 1;
	struct field *f = &s->f[s->cur];
	s->cur = -1;
	f->kind = (char)kind;
	f->b = b;
	f->toolong = len > VAL_MAX || (v && memchr(v, 0, len));
	f->len = f->toolong ? 0 : len;
	if (!f->toolong && v)
		memcpy(f->val, v, len);
	f->val[f->len] = '\0';
	return 1;
}

static int cb_null(void *ctx)
{
	return value(ctx, K_NULL, NULL, 0, false);
}

static int cb_boolean(void *ctx, int b)
{
	return value(ctx, K_BOOL, NULL, 0, b != 0);
}

static int cb_number(void *ctx, const char *v, size_t len)
{
	return value(ctx, K_NUMBER, v, len, false);
}

static int cb_string(void *ctx, const unsigned char *v, size_t len)
{
	return value(ctx, K_STRING, v, len, false);
}

static int cb_start_map(void *ctx)
{
	struct scan *s = ctx;
	if (s->depth == 1 && s->cur >= 0 && s->cur == s->params) {
		s->f[s->cur].kind = K_OBJECT;
		s->cur = -1;
		s->in_params = true;
	} else if (s->depth == 2 && s->in_params) {
		return fail(s, "parameter %s is not a string", s->par[s->npar].name);
	} else if (s->depth == 1 && s->cur >= 0) {
		return fail(s, "member %s is an object", s->f[s->cur].name);
	}
	s->depth++;
	return 1;
}

static int cb_start_array(void *ctx)
{
	struct scan *s = ctx;
	if (s->depth == 0)
		return fail(s, "%snot a JSON object", "");
	if (s->in_params && s->depth == 2)
		return fail(s, "parameter %s is not a string", s->par[s->npar].name);
	if (s->depth == 1 && s->cur >= 0)
		return fail(s, "member %s is an array", s->f[s->cur].name);
	s->depth++;
	return 1;
}

static int cb_end(void *ctx)
{
	struct scan *s = ctx;
	s->depth--;
	if (s->depth == 1)
		s->in_params = false;
	return 1;
}

static int cb_map_key(void *ctx, const unsigned char *k, size_t len)
{
	struct scan *s = ctx;
	char name[CTL_PNAME_MAX + 1];
	if (s->in_params && s->depth == 2) {
		if (s->npar >= CTL_PARAMS_MAX)
			return fail(s, "more than %s parameters", "32");
		if (len > CTL_PNAME_MAX)
			return fail(s, "%sparameter name too long", "");
		memcpy(name, k, len);
		name[len] = '\0';
		if (!ctl_param_name_ok(name))
			return fail(s, "bad parameter name \"%s\"", name);
		for (int i = 0; i < s->npar; i++)
			if (!strcmp(s->par[i].name, name))
				return fail(s, "parameter %s given twice", name);
		strcpy(s->par[s->npar].name, name);
		return 1;
	}
	if (s->depth != 1)
		return 1;
	s->cur = -1;
	for (int i = 0; i < s->nf; i++)
		if (strlen(s->f[i].name) == len && !memcmp(s->f[i].name, k, len)) {
			if (s->f[i].kind != K_ABSENT)
				return fail(s, "member %s given twice", s->f[i].name);
			s->f[i].kind = K_OTHER; /* seen; the value sets the kind */
			s->cur = i;
			break;
		}
	return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

/* Run yajl over MSG with S; returns 0 or -1 with ERR set. */
static int scan_run(struct scan *s, const char *msg, size_t len, char *err, size_t errlen)
{
	if (len > CTL_MSG_MAX) {
		snprintf(err, errlen, "message of %zu bytes (at most %d)", len, CTL_MSG_MAX);
		return -1;
	}
	yajl_handle h = yajl_alloc(&callbacks, NULL, s);
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yajl_status st = yajl_parse(h, (const unsigned char *)msg, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	int ret = 0;
	if (st != yajl_status_ok) {
		if (s->err[0]) {
			snprintf(err, errlen, "%s", s->err);
		} else {
			unsigned char *m = yajl_get_error(h, 0, NULL, 0);
			size_t n = m ? strlen((char *)m) : 0;
			while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
				n--;
			snprintf(err, errlen, "not JSON (near byte %zu: %.*s)",
			         yajl_get_bytes_consumed(h) + 1, (int)n, m ? (char *)m : "error");
			if (m)
				yajl_free_error(h, m);
		}
		ret = -1;
	}
	yajl_free(h);
	return ret;
}

/* Field I as a string, or NULL when absent, not a string or too long. */
static const char *str(const struct field *f)
{
	return f->kind == K_STRING && !f->toolong ? f->val : NULL;
}

/* Field F as an integer in LO..HI; 0 or -1. */
static int integer(const struct field *f, int64_t lo, int64_t hi, int64_t *out)
{
	if (f->kind != K_NUMBER || f->toolong || strpbrk(f->val, ".eE"))
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(f->val, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Copy string field F (required or not) of at most MAX bytes passing OK into OUT. */
static int get_str(const struct field *f, bool required, size_t max, int (*ok)(const char *),
                   char *out, char *err, size_t errlen)
{
	out[0] = '\0';
	if (f->kind == K_ABSENT && !required)
		return 0;
	const char *v = str(f);
	if (!v) {
		snprintf(err, errlen, "%s \"%s\"", f->kind == K_ABSENT ? "missing" : "bad type of",
		         f->name);
		return -1;
	}
	if (strlen(v) > max || (ok && !ok(v))) {
		snprintf(err, errlen, "bad %s \"%.64s\"", f->name, v);
		return -1;
	}
	strcpy(out, v);
	return 0;
}

static int get_time(const struct field *f, int64_t *ms, char *err, size_t errlen)
{
	const char *v = str(f);
	if (!v || eas_parse_time(v, ms) < 0) {
		snprintf(err, errlen, "%s \"%s\" (want RFC 3339 UTC)",
		         f->kind == K_ABSENT ? "missing" : "bad", f->name);
		return -1;
	}
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
	static const char *const names[C_N] = {EAS_CF_ID,     EAS_CF_COMMAND, EAS_CF_SOURCE,
	                                       EAS_CF_PARAMS, EAS_CF_SEQ,     EAS_CF_TIMESTAMP,
	                                       EAS_CF_SENDER, EAS_CF_TO,      EAS_CF_SIG};
	struct field f[C_N];
	struct scan s = {.cur = -1, .nf = C_N, .f = f, .params = C_PARAMS, .par = c->params};
	memset(c, 0, sizeof *c);
	for (int i = 0; i < C_N; i++) {
		f[i].name = names[i];
		f[i].kind = K_ABSENT;
	}
	int ret = scan_run(&s, msg, len, err, errlen);
	/* The id first: with it a refusal can be answered. */
	if (str(&f[C_ID]) && ctl_id_ok(f[C_ID].val))
		strcpy(c->id, f[C_ID].val);
	if (ret < 0)
		return -1;
	c->nparams = s.npar;
	c->has_sig = f[C_SIG].kind != K_ABSENT;
	if (!c->id[0]) {
		snprintf(err, errlen, "%s \"%s\"", f[C_ID].kind == K_ABSENT ? "missing" : "bad",
		         EAS_CF_ID);
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
	if (f[C_PARAMS].kind != K_ABSENT && f[C_PARAMS].kind != K_OBJECT) {
		snprintf(err, errlen, "bad type of \"%s\"", EAS_CF_PARAMS);
		return -1;
	}
	if (f[C_SEQ].kind == K_ABSENT && !need_source) {
		c->seq = 0;
	} else if (integer(&f[C_SEQ], need_source ? 1 : 0, INT64_MAX, &c->seq) < 0) {
		snprintf(err, errlen, "%s \"%s\"", f[C_SEQ].kind == K_ABSENT ? "missing" : "bad",
		         EAS_CF_SEQ);
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
	static const char *const names[R_N] = {EAS_CF_ID,      EAS_CF_LISTENER,  EAS_CF_SUCCESS,
	                                       EAS_CF_MESSAGE, EAS_CF_EXIT_CODE, EAS_CF_TIMESTAMP,
	                                       EAS_CF_SIG};
	struct field f[R_N];
	struct scan s = {.cur = -1, .nf = R_N, .f = f, .params = -1};
	memset(r, 0, sizeof *r);
	for (int i = 0; i < R_N; i++) {
		f[i].name = names[i];
		f[i].kind = K_ABSENT;
	}
	if (scan_run(&s, msg, len, err, errlen) < 0)
		return -1;
	int64_t code;
	if (get_str(&f[R_ID], true, CTL_ID_MAX, ctl_id_ok, r->id, err, errlen) < 0 ||
	    get_str(&f[R_LISTENER], true, CTL_NAME_MAX, ctl_name_ok, r->listener, err, errlen) <
	        0 ||
	    get_str(&f[R_MESSAGE], true, CTL_MESSAGE_MAX, NULL, r->message, err, errlen) < 0 ||
	    get_time(&f[R_TS], &r->ts_ms, err, errlen) < 0)
		return -1;
	if (f[R_SUCCESS].kind != K_BOOL) {
		snprintf(err, errlen, "missing or bad \"%s\"", EAS_CF_SUCCESS);
		return -1;
	}
	r->success = f[R_SUCCESS].b;
	if (integer(&f[R_EXIT], -1, 255, &code) < 0) {
		snprintf(err, errlen, "missing or bad \"%s\"", EAS_CF_EXIT_CODE);
		return -1;
	}
	r->exit_code = (int)code;
	r->has_sig = f[R_SIG].kind != K_ABSENT;
	return 0;
}
