/* playlist.h: eas-capture's source names (URL or path) and .m3u / .pls playlists (playlist.c). */
#ifndef EAS_CAPTURE_PLAYLIST_H
#define EAS_CAPTURE_PLAYLIST_H

#include <stdbool.h>

/* Is S a URL ("scheme://...", the scheme letters, digits, '+', '-', '.')? */
bool cap_is_url(const char *s);

/* Is S a URL that is not file:// (a network source: reconnect, stall deadlines)? */
bool cap_is_network_url(const char *s);

/* Does the path part of S (before '?' or '#' of a URL) end in .m3u or .pls (any case)? */
bool cap_is_playlist(const char *s);

/*
 * The entries of playlist TEXT (NUL-terminated; changed in place): m3u (a line each, '#' lines
 * skipped) or pls ("[playlist]" first, or BASE ending in .pls: the FileN= lines).  Relative entries
 * are resolved against BASE, the playlist's own URL or path: "/x" against its scheme://host (a URL)
 * and "x" against its directory.  Returns a NULL-terminated array of malloc'ed strings, with *NENT
 * their count; NULL and 0 when there is none; on running out of memory, the entries so far.
 * Free with cap_list_free().
 */
char **cap_playlist_parse(char *text, const char *base, int *nent);

/* Free what cap_playlist_parse() returned (NULL is fine). */
void cap_list_free(char **v);

#endif
