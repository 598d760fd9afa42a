/* fuzz_ctl.c: libFuzzer target for eas-ctl's command and reply parsers and its signature check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ctl_key KEY = {(const unsigned char *)"0123456789abcdef0123456789abcdef", 32};

/* DATA as a received command and reply: parsing never fails without a reason, the signature
 * check never reads past the message; an accepted command written again (signed) parses back
 * to the same fields, checks OK, and stops checking OK when one byte changes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctl_cmd c, back;
	struct ctl_reply r;
	char err[256] = "";
	char *msg = malloc(size ? size : 1); /* exact size: a read past it shows under ASan */
	if (!msg)
		return 0;
	if (size)
		memcpy(msg, data, size);
	enum ctl_sig s = ctl_sig_check(&KEY, msg, size);
	if (s != CTL_SIG_OK && s != CTL_SIG_NONE && s != CTL_SIG_BAD)
		abort();
	err[0] = '\0';
	if (ctl_reply_parse(msg, size, &r, err, sizeof err) < 0 && !err[0])
		abort();
	err[0] = '\0';
	int rc = ctl_cmd_parse(msg, size, &c, err, sizeof err);
	free(msg);
	if (rc < 0) {
		if (!err[0])
			abort();
		return 0;
	}
	struct eas_json j;
	eas_json_init(&j);
	c.ts_ms = 1764480000123LL; /* any parsed time: the round trip is about the rest */
	if (ctl_cmd_write(&c, &KEY, &j) < 0)
		abort();
	if (ctl_sig_check(&KEY, j.buf, j.len) != CTL_SIG_OK)
		abort();
	if (ctl_cmd_parse(j.buf, j.len, &back, err, sizeof err) < 0)
		abort();
	if (strcmp(c.id, back.id) || strcmp(c.command, back.command) ||
	    strcmp(c.source, back.source) || strcmp(c.to, back.to) || c.seq != back.seq ||
	    c.nparams != back.nparams || back.ts_ms != c.ts_ms)
		abort();
	for (int i = 0; i < c.nparams; i++)
		if (strcmp(c.params[i].name, back.params[i].name) ||
		    strcmp(c.params[i].value, back.params[i].value))
			abort();
	j.buf[size % (j.len - 2)] ^= 1;
	if (ctl_sig_check(&KEY, j.buf, j.len) == CTL_SIG_OK)
		abort();
	eas_json_free(&j);
	return 0;
}
