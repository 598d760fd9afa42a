/* test_keys.c: unit tests of the Redis key layout (lib/keys.c): the default and a custom prefix. */
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "t.h"

/* The contract as DESIGN.md and eas-publish(1) spell it, for the default prefix. */
static void test_default(void)
{
	struct eas_keys k;
	char b[EAS_KEY_MAX];
	unsetenv(EAS_KEYS_PREFIX_ENV);
	CHECK(eas_keys_init(&k, NULL) == 0);
	CHECK_STR(k.prefix, "eas:");
	CHECK_STR(k.alerts, "eas:alerts");
	CHECK_STR(k.metrics, "eas:metrics");
	CHECK_STR(k.metrics_update, "eas:metrics:update");
	CHECK_STR(k.sources, "eas:sources");
	CHECK_STR(k.commands, "eas:audio:commands");
	CHECK_STR(k.cmd_counters, "eas:ctl:counters");
	CHECK_STR(k.alert_counts, "eas:alerts:counts");
	CHECK(eas_key(&k, EAS_KEY_SEEN, "abc123", b, sizeof b) == 15);
	CHECK_STR(b, "eas:seen:abc123");
	eas_key(&k, EAS_KEY_HEARD, "abc123", b, sizeof b);
	CHECK_STR(b, "eas:heard:abc123");
	eas_key(&k, EAS_KEY_HEARTBEAT, "wxk27", b, sizeof b);
	CHECK_STR(b, "eas:heartbeat:wxk27");
	eas_key(&k, EAS_KEY_LAST, "wxk27", b, sizeof b);
	CHECK_STR(b, "eas:last:wxk27");
	eas_key(&k, EAS_KEY_RESPONSE, "c-1", b, sizeof b);
	CHECK_STR(b, "eas:audio:response:c-1");
	eas_key(&k, EAS_KEY_LISTENER, "box1", b, sizeof b);
	CHECK_STR(b, "eas:ctl:listener:box1");
	eas_key(&k, EAS_KEY_CMD_SEQ, "wxk27", b, sizeof b);
	CHECK_STR(b, "eas:ctl:seq:wxk27");
	eas_key(&k, EAS_KEY_CMD_APPLIED, "wxk27", b, sizeof b);
	CHECK_STR(b, "eas:ctl:applied:wxk27");
	eas_key(&k, EAS_KEY_CMD_REPLAY, "c-1", b, sizeof b);
	CHECK_STR(b, "eas:ctl:replay:c-1");
}

static void test_custom_prefix(void)
{
	struct eas_keys k;
	char b[EAS_KEY_MAX];
	CHECK(eas_keys_init(&k, "st2/") == 0);
	CHECK_STR(k.alerts, "st2/alerts");
	CHECK_STR(k.metrics_update, "st2/metrics:update");
	CHECK_STR(k.commands, "st2/audio:commands");
	/* a name that is not NUL-terminated: only NAMELEN bytes are taken */
	CHECK(eas_key_n(&k, EAS_KEY_SEEN, "abcdef", 3, b, sizeof b) == 12);
	CHECK_STR(b, "st2/seen:abc");

	CHECK(eas_keys_init(&k, "") == 0);
	CHECK_STR(k.alerts, "alerts");
	eas_key(&k, EAS_KEY_HEARTBEAT, "x", b, sizeof b);
	CHECK_STR(b, "heartbeat:x");

	/* the environment is the default of --prefix */
	setenv(EAS_KEYS_PREFIX_ENV, "env:", 1);
	CHECK_STR(eas_keys_env_prefix(), "env:");
	CHECK(eas_keys_init(&k, NULL) == 0);
	CHECK_STR(k.sources, "env:sources");
	unsetenv(EAS_KEYS_PREFIX_ENV);
	CHECK_STR(eas_keys_env_prefix(), "eas:");
}

static void test_limits(void)
{
	struct eas_keys k;
	char b[EAS_KEY_MAX], small[12];
	char longp[EAS_KEYS_PREFIX_MAX + 2], longn[EAS_KEYS_NAME_MAX + 2];
	memset(longp, 'p', sizeof longp - 1);
	longp[sizeof longp - 1] = '\0';
	CHECK(eas_keys_init(&k, longp) < 0);
	CHECK_STR(k.alerts, "eas:alerts");
	longp[EAS_KEYS_PREFIX_MAX] = '\0'; /* exactly the maximum */
	CHECK(eas_keys_init(&k, longp) == 0);
	memset(longn, 'n', sizeof longn - 1);
	longn[sizeof longn - 1] = '\0';
	/* the longest prefix with the longest name and infix fits EAS_KEY_MAX */
	longn[EAS_KEYS_NAME_MAX] = '\0';
	CHECK(eas_key(&k, EAS_KEY_RESPONSE, longn, b, sizeof b) > 0);
	longn[EAS_KEYS_NAME_MAX] = 'n';
	CHECK(eas_key(&k, EAS_KEY_SEEN, longn, b, sizeof b) == -1 && b[0] == '\0');
	CHECK(eas_key(&k, EAS_KEY_SEEN, "", b, sizeof b) == -1);
	CHECK(eas_key(&k, EAS_KEY_SEEN, NULL, b, sizeof b) == -1);
	CHECK(eas_key(&k, EAS_KEY_NKINDS, "x", b, sizeof b) == -1);
	eas_keys_init(&k, "eas:");
	CHECK(eas_key(&k, EAS_KEY_SEEN, "12", small, sizeof small) == 11);
	CHECK(eas_key(&k, EAS_KEY_SEEN, "123", small, sizeof small) == -1 && small[0] == '\0');
}

int main(void)
{
	test_default();
	test_custom_prefix();
	test_limits();
	return t_done("test_keys");
}
