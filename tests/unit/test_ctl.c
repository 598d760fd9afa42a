/* test_ctl.c: unit tests of eas-ctl's messages: names, HMAC (RFC 4231 vector), sign and check
 * over the exact bytes, command and reply round trips, and the parser's refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "t.h"

static const struct ctl_key KEY = {(const unsigned char *)"0123456789abcdef0123456789abcdef", 32};
static const struct ctl_key KEY2 = {(const unsigned char *)"fedcba9876543210fedcba9876543210", 32};

static void test_names(void)
{
	CHECK(ctl_name_ok("fm1"));
	CHECK(ctl_name_ok("WX-2_b.main"));
	CHECK(!ctl_name_ok(""));
	CHECK(!ctl_name_ok("../etc"));
	CHECK(!ctl_name_ok(".hidden"));
	CHECK(!ctl_name_ok("-rf"));
	CHECK(!ctl_name_ok("a b"));
	CHECK(!ctl_name_ok("a:b"));
	CHECK(!ctl_name_ok("a/b"));
	char longname[80];
	memset(longname, 'a', sizeof longname);
	longname[CTL_NAME_MAX] = '\0';
	CHECK(ctl_name_ok(longname));
	longname[CTL_NAME_MAX] = 'a';
	longname[CTL_NAME_MAX + 1] = '\0';
	CHECK(!ctl_name_ok(longname));
	CHECK(ctl_command_known("source_start") && ctl_command_known("ping"));
	CHECK(!ctl_command_known("reboot"));
	CHECK(ctl_command_has_source("source_delete") && !ctl_command_has_source("streaming_stop"));
	struct eas_pair p;
	char err[128];
	CHECK(ctl_param_parse("gain=-3", &p, err, sizeof err) == 0);
	CHECK_STR(p.name, "gain");
	CHECK_STR(p.value, "-3");
	CHECK(ctl_param_parse("url=a=b", &p, err, sizeof err) == 0);
	CHECK_STR(p.value, "a=b");
	CHECK(ctl_param_parse("=x", &p, err, sizeof err) < 0);
	CHECK(ctl_param_parse("noequals", &p, err, sizeof err) < 0);
	CHECK(ctl_param_parse("bad-name=1", &p, err, sizeof err) < 0);
}

static void test_hmac(void)
{
	/* RFC 4231, test case 2 */
	struct ctl_key jefe = {(const unsigned char *)"Jefe", 4};
	char hex[CTL_SIG_HEX + 1];
	const char *data = "what do ya want for nothing?";
	CHECK(ctl_hmac_hex(&jefe, data, strlen(data), hex) == 0);
	CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	char id[33], id2[33];
	CHECK(ctl_new_id(id) == 0 && ctl_new_id(id2) == 0);
	CHECK(strlen(id) == 32 && ctl_id_ok(id) && strcmp(id, id2) != 0);
}

static void fill_cmd(struct ctl_cmd *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->id, "abc123");
	strcpy(c->command, "source_add");
	strcpy(c->source, "fm1");
	strcpy(c->sender, "op@desk");
	strcpy(c->to, "audio1");
	c->seq = 42;
	c->ts_ms = 1764480000123LL;
	c->nparams = 2;
	strcpy(c->params[0].name, "input");
	strcpy(c->params[0].value, "alsa:hw:1 \"quoted\"\n");
	strcpy(c->params[1].name, "rate");
	strcpy(c->params[1].value, "48000");
}

static void test_sign(void)
{
	struct ctl_cmd c, back;
	struct eas_json j;
	char err[256];
	eas_json_init(&j);
	fill_cmd(&c);

	CHECK(ctl_cmd_write(&c, &KEY, &j) == 0);
	CHECK(ctl_sig_check(&KEY, j.buf, j.len) == CTL_SIG_OK);
	CHECK(ctl_sig_check(&KEY2, j.buf, j.len) == CTL_SIG_BAD);
	const char *tail = strstr(j.buf, ",\"sig\":\"");
	CHECK(tail && strlen(tail) == 8 + CTL_SIG_HEX + 2);
	/* the signature is over every byte before ,"sig": */
	char hex[CTL_SIG_HEX + 1];
	CHECK(ctl_hmac_hex(&KEY, j.buf, (size_t)(tail - j.buf), hex) == 0);
	CHECK(!strncmp(tail + 8, hex, CTL_SIG_HEX));
	/* any byte changed, before or in the signature */
	int bad = 0;
	for (size_t i = 0; i < j.len - 2; i++) {
		char *m = strdup(j.buf);
		m[i] = m[i] == 'a' ? 'b' : 'a';
		if (ctl_sig_check(&KEY, m, j.len) == CTL_SIG_OK)
			bad++;
		free(m);
	}
	CHECK(bad == 0);
	/* unsigned: no sig member */
	CHECK(ctl_cmd_write(&c, NULL, &j) == 0);
	CHECK(!strstr(j.buf, "\"sig\""));
	CHECK(ctl_sig_check(&KEY, j.buf, j.len) == CTL_SIG_NONE);
	CHECK(ctl_sig_check(&KEY, "", 0) == CTL_SIG_NONE);
	CHECK(ctl_cmd_parse(j.buf, j.len, &back, err, sizeof err) == 0);
	CHECK(!back.has_sig);

	/* round trip */
	CHECK(ctl_cmd_write(&c, &KEY, &j) == 0);
	CHECK(ctl_cmd_parse(j.buf, j.len, &back, err, sizeof err) == 0);
	CHECK_STR(back.id, "abc123");
	CHECK_STR(back.command, "source_add");
	CHECK_STR(back.source, "fm1");
	CHECK_STR(back.sender, "op@desk");
	CHECK_STR(back.to, "audio1");
	CHECK(back.seq == 42 && back.ts_ms == 1764480000123LL && back.has_sig);
	CHECK(back.nparams == 2);
	CHECK_STR(back.params[0].value, "alsa:hw:1 \"quoted\"\n");
	CHECK_STR(back.params[1].name, "rate");

	struct ctl_reply r = {.success = false, .exit_code = 4, .ts_ms = 1764480000999LL}, rb;
	strcpy(r.id, "abc123");
	strcpy(r.listener, "audio1");
	strcpy(r.message, "no such device");
	CHECK(ctl_reply_write(&r, &KEY, &j) == 0);
	CHECK(ctl_sig_check(&KEY, j.buf, j.len) == CTL_SIG_OK);
	CHECK(ctl_reply_parse(j.buf, j.len, &rb, err, sizeof err) == 0);
	CHECK_STR(rb.listener, "audio1");
	CHECK_STR(rb.message, "no such device");
	CHECK(!rb.success && rb.exit_code == 4 && rb.has_sig);
	eas_json_free(&j);
}

/* Parse S as a command; expect failure whose reason contains WHY, and ID recovered. */
static void refused(const char *s, const char *why, const char *id)
{
	struct ctl_cmd c;
	char err[256] = "";
	int rc = ctl_cmd_parse(s, strlen(s), &c, err, sizeof err);
	CHECK(rc < 0);
	if (!strstr(err, why)) {
		t_fail++;
		fprintf(stderr, "parse of %.60s: \"%s\" lacks \"%s\"\n", s, err, why);
	} else {
		t_pass++;
	}
	CHECK_STR(c.id, id);
}

static void test_parse(void)
{
	refused("", "bad JSON", "");
	refused("not json", "bad JSON", "");
	refused("{\"command_id\":\"a1\",\"command\":", "bad JSON", "a1"); /* still answerable */
	refused("[1]", "not a JSON object", "");
	refused("{}", "missing \"command_id\"", "");
	refused("{\"command_id\":\"../x\",\"command\":\"ping\"}", "bad \"command_id\"", "");
	refused("{\"command_id\":\"a1\"}", "missing \"command\"", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"reboot\"}", "unknown command", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"ping\",\"command\":\"ping\"}",
	        "member command given twice", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"source_start\",\"timestamp\":\"now\"}",
	        "missing \"source\"", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"source_start\",\"source\":\"a/b\"}",
	        "bad source", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"source_start\",\"source\":\"s\"}",
	        "missing \"seq\"", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"source_start\",\"source\":\"s\",\"seq\":1.5}",
	        "bad \"seq\"", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"source_start\",\"source\":\"s\",\"seq\":0}",
	        "bad \"seq\"", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"ping\",\"timestamp\":\"yesterday\"}",
	        "bad \"timestamp\"", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"ping\",\"params\":{\"a\":1}}",
	        "parameter a is not a string", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"ping\",\"params\":{\"a\":{}}}",
	        "parameter a is not a string", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"ping\",\"params\":{\"a-b\":\"1\"}}",
	        "bad parameter name", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"ping\",\"params\":{\"a\":\"1\",\"a\":\"2\"}}",
	        "given twice", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"ping\",\"params\":[]}", "array", "a1");
	refused("{\"command_id\":{},\"command\":\"ping\"}", "is an object", "");
	refused("{\"command_id\":\"a1\",\"command\":\"ping\",\"sig\":5,\"timestamp\":\"now\"}",
	        "bad type of \"sig\"", "a1");
	refused("{\"command_id\":\"a1\",\"command\":\"ping\",\"to\":\"x y\",\"timestamp\":\"now\"}",
	        "bad to", "a1");
	char params[4096] = "{\"command_id\":\"a1\",\"command\":\"ping\",\"params\":{";
	for (int i = 0; i < CTL_PARAMS_MAX + 1; i++)
		snprintf(params + strlen(params), sizeof params - strlen(params), "%s\"p%d\":\"v\"",
		         i ? "," : "", i);
	strcat(params, "}}");
	refused(params, "more than 32 parameters", "a1");
	size_t big = CTL_MSG_MAX + 10;
	char *huge = malloc(big + 1);
	memset(huge, ' ', big);
	huge[big] = '\0';
	memcpy(huge, "{\"command_id\":\"a1\"}", 19);
	refused(huge, "message of", "");
	free(huge);

	struct ctl_cmd c;
	char err[256];
	const char *ok =
	    "{\"command_id\":\"a1\",\"command\":\"streaming_start\",\"extra\":[1,{\"x\":2}],"
	    "\"timestamp\":\"2026-11-30T06:00:00.250Z\"}";
	CHECK(ctl_cmd_parse(ok, strlen(ok), &c, err, sizeof err) == 0);
	CHECK(c.seq == 0 && !c.source[0] && c.nparams == 0);
	struct ctl_reply r;
	const char *rep = "{\"command_id\":\"a1\",\"listener\":\"l\",\"success\":\"yes\"}";
	CHECK(ctl_reply_parse(rep, strlen(rep), &r, err, sizeof err) < 0);
}

int main(void)
{
	test_names();
	test_hmac();
	test_sign();
	test_parse();
	return t_done("test_ctl");
}
