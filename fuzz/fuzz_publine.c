/* fuzz_publine.c: libFuzzer target for the line reader (lib/lines' eas_line_head) and eas-publish's
 * spool records. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
/* the spool record functions are eas-publish's own: built in from its source */
#include "../tools/eas-publish/line.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Check DATA as an input line; an accepted alert or eom line must make a spool
 * record that splits back into the same fields and the same bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1); /* exact size: a read past it shows under ASan */
	if (!line)
		return 0;
	if (size)
		memcpy(line, data, size);
	struct eas_line_head pl;
	char err[300] = "";
	int rc = eas_line_head(line, size, NULL, "fuzz", 1, &pl, err, sizeof err);
	if (rc != EAS_LINE_OK) {
		if ((rc != EAS_LINE_BAD_JSON && rc != EAS_LINE_BAD_FIELDS) || err[0] == '\0')
			abort();
		free(line);
		return 0;
	}
	if (pl.type != 'A' && pl.type != 'E') {
		free(line);
		return 0;
	}
	if (memchr(line, '\n', size)) { /* JSON may hold a raw newline between tokens */
		free(line);
		return 0;
	}
	char hdr[512];
	int h = pub_record_header(&pl, 0, hdr, sizeof hdr);
	if (h <= 0)
		abort();
	char *rec = malloc((size_t)h + size);
	if (!rec)
		abort();
	memcpy(rec, hdr, (size_t)h);
	memcpy(rec + h, line, size);
	struct pub_record r;
	if (pub_record_parse(rec, (size_t)h + size, &r) != 0 || r.type != pl.type ||
	    r.keylen != strlen(pl.key) || memcmp(r.key, pl.key, r.keylen) ||
	    r.sourcelen != strlen(pl.source) || memcmp(r.source, pl.source, r.sourcelen) ||
	    r.time_ms != pl.time_ms || r.expires_ms != pl.expires_ms || r.jsonlen != size ||
	    memcmp(r.json, line, size))
		abort();
	free(rec);
	free(line);
	return 0;
}
