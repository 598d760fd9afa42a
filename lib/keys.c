/* keys.c: the station's Redis key layout from a prefix (see keys.h for the table). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

/* The part between the prefix and the name of each per-name key. */
static const char *const infix[EAS_KEY_NKINDS] = {
    [EAS_KEY_SEEN] = "seen:",
    [EAS_KEY_HEARD] = "heard:",
    [EAS_KEY_HEARTBEAT] = "heartbeat:",
    [EAS_KEY_LAST] = "last:",
    [EAS_KEY_RESPONSE] = "audio:response:",
    [EAS_KEY_LISTENER] = "ctl:listener:",
    [EAS_KEY_CMD_SEQ] = "ctl:seq:",
    [EAS_KEY_CMD_APPLIED] = "ctl:applied:",
    [EAS_KEY_CMD_REPLAY] = "ctl:replay:",
};

const char *eas_keys_env_prefix(void)
{
	const char *p = getenv(EAS_KEYS_PREFIX_ENV);
	return p ? p : EAS_KEYS_DEFAULT_PREFIX;
}

int eas_keys_init(struct eas_keys *k, const char *prefix)
{
	int rc = 0;
	if (!prefix)
		prefix = eas_keys_env_prefix();
	if (strlen(prefix) > EAS_KEYS_PREFIX_MAX) {
		prefix = EAS_KEYS_DEFAULT_PREFIX;
		rc = -1;
	}
	snprintf(k->prefix, sizeof k->prefix, "%s", prefix);
	snprintf(k->alerts, sizeof k->alerts, "%salerts", prefix);
	snprintf(k->metrics, sizeof k->metrics, "%smetrics", prefix);
	snprintf(k->metrics_update, sizeof k->metrics_update, "%smetrics:update", prefix);
	snprintf(k->sources, sizeof k->sources, "%ssources", prefix);
	snprintf(k->commands, sizeof k->commands, "%saudio:commands", prefix);
	snprintf(k->cmd_counters, sizeof k->cmd_counters, "%sctl:counters", prefix);
	snprintf(k->alert_counts, sizeof k->alert_counts, "%salerts:counts", prefix);
	return rc;
}

int eas_key_n(const struct eas_keys *k, enum eas_key_kind kind, const char *name, size_t namelen,
              char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	if ((unsigned)kind >= EAS_KEY_NKINDS || namelen == 0 || namelen > EAS_KEYS_NAME_MAX)
		return -1;
	int n = snprintf(buf, len, "%s%s%.*s", k->prefix, infix[kind], (int)namelen, name);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -1;
	}
	return n;
}

int eas_key(const struct eas_keys *k, enum eas_key_kind kind, const char *name, char *buf,
            size_t len)
{
	return eas_key_n(k, kind, name, name ? strlen(name) : 0, buf, len);
}
