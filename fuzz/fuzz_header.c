/* fuzz_header.c: libFuzzer target for the SAME header parser (both modes), the rules of its fields
 * (same_field_usual) and its alert line writer (lib/lines). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "same_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse DATA as a header in both modes; on success write it as JSON and check
 * that the result is consistent with what was parsed. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy, so that a read past SIZE shows under ASan. */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);

	for (int flags = SAME_PARSE_RECEIVED; flags <= SAME_PARSE_STRICT; flags++) {
		struct same_header h;
		char err[128];
		int rc = same_header_parse(text, size, flags, &h, err, sizeof err);
		if (rc != 0) {
			if (rc != -1 || err[0] == '\0')
				abort();
			continue;
		}
		if (strlen(h.raw) != size || memcmp(h.raw, text, size) != 0 || h.nloc < 1 ||
		    h.nloc > SAME_MAX_LOCATIONS || strlen(h.sender) < 1 || strlen(h.sender) > 8 ||
		    (flags == SAME_PARSE_STRICT && strlen(h.sender) != 8) || size > SAME_HEADER_MAX)
			abort();
		/* What STRICT takes, RECEIVED takes too. */
		if (flags == SAME_PARSE_STRICT &&
		    same_header_parse(text, size, SAME_PARSE_RECEIVED, &h, NULL, 0) != 0)
			abort();
		char id[17];
		same_header_id(h.raw, id);
		struct eas_json j;
		eas_json_init(&j);
		/* A receive time derived from the input, to vary the year logic. */
		int64_t now =
		    ((int64_t)h.issued_day * 7919 + size) * 86400000LL % (80LL * 365 * 86400000) +
		    946684800000LL;
		struct eas_line_at at = {"fuzz", now, 1.5};
		eas_line_alert(&j, &h, 3, 0, 1.0, &at);
		if (!j.oom && (j.buf[0] != '{' || j.buf[j.len - 1] != '}' || !strstr(j.buf, id)))
			abort();
		eas_json_free(&j);
	}
	/* Each field's rule on the input's first bytes, read no further than the field's size. */
	for (enum same_field f = SAME_F_EVENT; f <= SAME_F_SENDER; f++) {
		size_t n = same_field_len(f);
		char *t = size >= n ? malloc(n) : NULL;
		if (!t)
			continue;
		memcpy(t, text, n);
		int u = same_field_usual(f, t);
		free(t);
		if (u != 0 && u != 1)
			abort();
	}
	free(text);
	return 0;
}
