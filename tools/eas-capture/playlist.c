/* playlist.c: eas-capture's source names: URL or path, and .m3u / .pls playlists parsed into their
 * entries (a parser: no I/O; fuzz/fuzz_playlist.c). */
#include "playlist.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool cap_is_url(const char *s)
{
	const char *p = s;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return p > s && strncmp(p, "://", 3) == 0;
}

bool cap_is_network_url(const char *s)
{
	return cap_is_url(s) && strncasecmp(s, "file://", 7) != 0;
}

/* Does the path part of S (before '?' or '#') end in EXT (".m3u")? */
static bool has_ext(const char *s, const char *ext)
{
	size_t n = strcspn(s, cap_is_url(s) ? "?#" : ""), e = strlen(ext);
	return n >= e && strncasecmp(s + n - e, ext, e) == 0;
}

bool cap_is_playlist(const char *s)
{
	return has_ext(s, ".m3u") || has_ext(s, ".pls");
}

char **cap_playlist_parse(char *text, const char *base, int *nent)
{
	char **v = NULL;
	int n = 0;
	bool pls = strncasecmp(text, "[playlist]", 10) == 0 || has_ext(base, ".pls");

	*nent = 0;
	for (char *save = NULL, *ln = strtok_r(text, "\r\n", &save); ln;
	     ln = strtok_r(NULL, "\r\n", &save)) {
		while (isspace((unsigned char)*ln))
			ln++;
		size_t l = strlen(ln);
		while (l > 0 && isspace((unsigned char)ln[l - 1]))
			ln[--l] = '\0';
		if (pls) {
			if (strncasecmp(ln, "file", 4) != 0 || !isdigit((unsigned char)ln[4]))
				continue;
			char *eq = strchr(ln, '=');
			if (!eq)
				continue;
			ln = eq + 1;
		} else if (ln[0] == '#') {
			continue;
		}
		if (!*ln)
			continue;
		char *ent;
		if (cap_is_url(ln) || (ln[0] == '/' && !cap_is_url(base))) {
			ent = strdup(ln);
		} else {
			/* Relative: against the scheme://host of BASE for "/x", else its directory.
			 */
			const char *cut;
			if (ln[0] == '/') {
				const char *h = strstr(base, "://") + 3;
				cut = h + strcspn(h, "/?#");
			} else {
				size_t q = strcspn(base, cap_is_url(base) ? "?#" : "");
				cut = base + q;
				while (cut > base && cut[-1] != '/')
					cut--;
			}
			size_t bl = (size_t)(cut - base);
			ent = malloc(bl + strlen(ln) + 1);
			if (ent) {
				memcpy(ent, base, bl);
				strcpy(ent + bl, ln);
			}
		}
		char **nv = realloc(v, sizeof *v * (size_t)(n + 2));
		if (!ent || !nv) {
			free(ent);
			if (nv)
				v = nv;
			break;
		}
		v = nv;
		v[n++] = ent;
		v[n] = NULL;
	}
	*nent = n;
	return v;
}

void cap_list_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}
