/* fuzz_range.c: libFuzzer target for eas-watch's threshold ranges and perfdata items (lib/range.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse DATA as a range: a refusal must say why and leave the range unset; an accepted range
 * must keep its text, have ordered bounds, and answer alike for the same value twice.  Then
 * the text as a perfdata label must make an item that stays inside the buffer. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct watch_range r;
	char err[200] = "";
	if (watch_range_parse(text, &r, err, sizeof err) < 0) {
		if (r.set || !err[0])
			abort();
	} else {
		if (!r.set || strcmp(r.text, text) != 0)
			abort();
		if (!r.lo_inf && !r.hi_inf && r.lo > r.hi)
			abort();
		double probes[] = {-1e9, -1, 0, 0.5, 1, 10, 1e9, r.lo, r.hi, NAN};
		for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
			if (watch_range_alert(&r, probes[i]) != watch_range_alert(&r, probes[i]))
				abort();
		if (!watch_range_alert(&r, NAN))
			abort();
	}
	char buf[96];
	size_t used = 0;
	buf[0] = '\0';
	int rc = watch_perf_add(buf, sizeof buf, &used, text, size ? (double)data[0] : NAN, 1, "s",
	                        r.set ? r.text : "", "", true, 0, false, 0);
	if (used >= sizeof buf || strlen(buf) != used || (rc < 0 && used != 0))
		abort();
	free(text);
	return 0;
}
