/* fuzz_playlist.c: libFuzzer target for eas-capture's playlist parser (tools/eas-capture/playlist.c):
 * any bytes as an m3u or pls file against a URL and a path base, every entry read back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "playlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *bases[] = {"http://h:8000/d/l.m3u?x", "/srv/l.pls", "l.m3u"};
	for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
		char *t = malloc(size + 1);
		if (!t)
			return 0;
		memcpy(t, data, size);
		t[size] = '\0';
		int n = 0;
		char **v = cap_playlist_parse(t, bases[b], &n);
		size_t total = 0;
		for (int i = 0; i < n; i++)
			total += strlen(v[i]);
		if (n > 0 && v[n] != NULL)
			abort();
		(void)total;
		cap_list_free(v);
		(void)cap_is_playlist(t);
		(void)cap_is_network_url(t);
		free(t);
	}
	return 0;
}
