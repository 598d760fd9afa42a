/* test_playlist.c: unit tests of eas-capture's source names and playlist parser
 * (tools/eas-capture/playlist.c). */
#include <stdlib.h>
#include <string.h>

#include "playlist.h"
#include "t.h"

/* Parse a copy of TEXT against BASE; the entries joined by '|' into OUT. */
static int parse(const char *text, const char *base, char *out, size_t len)
{
	char *t = strdup(text);
	int n = -1;
	char **v = cap_playlist_parse(t, base, &n);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strncat(out, "|", len - strlen(out) - 1);
		strncat(out, v[i], len - strlen(out) - 1);
	}
	if (n > 0 && v[n] != NULL)
		n = -2; /* not NULL-terminated */
	cap_list_free(v);
	free(t);
	return n;
}

int main(void)
{
	char out[1024];

	CHECK(cap_is_url("http://example.com/a.mp3"));
	CHECK(cap_is_url("rtsp+tcp://h/x"));
	CHECK(!cap_is_url("/var/a.wav"));
	CHECK(!cap_is_url("://x"));
	CHECK(!cap_is_url("a:/b"));
	CHECK(cap_is_network_url("https://h/s"));
	CHECK(!cap_is_network_url("file:///tmp/a.wav"));
	CHECK(!cap_is_network_url("FILE:///tmp/a.wav"));
	CHECK(cap_is_playlist("/srv/radio.M3U"));
	CHECK(cap_is_playlist("http://h/list.pls?sid=1#x"));
	CHECK(!cap_is_playlist("http://h/stream?f=.m3u"));
	CHECK(!cap_is_playlist("/srv/a.m3u8"));

	/* m3u: comments and blank lines skipped, spaces and CR trimmed */
	CHECK(parse("#EXTM3U\r\n#EXTINF:-1,News\r\n  http://a/s1  \r\n\r\nhttp://b/s2\n",
	            "/p/l.m3u", out, sizeof out) == 2);
	CHECK_STR(out, "http://a/s1|http://b/s2");
	/* relative entries: against a URL's directory, its host, a path's directory */
	CHECK(parse("s.mp3\n/root.mp3\n", "http://h:8000/dir/l.m3u?x=1", out, sizeof out) == 2);
	CHECK_STR(out, "http://h:8000/dir/s.mp3|http://h:8000/root.mp3");
	CHECK(parse("a.wav\n/abs/b.wav\n", "/srv/lists/l.m3u", out, sizeof out) == 2);
	CHECK_STR(out, "/srv/lists/a.wav|/abs/b.wav");
	CHECK(parse("a.wav\n", "l.m3u", out, sizeof out) == 1);
	CHECK_STR(out, "a.wav");
	/* pls: only FileN= lines, by its first line or by its name */
	CHECK(parse("[playlist]\nNumberOfEntries=2\nFile1=http://a/1\nTitle1=x\nFile2=http://a/2\n"
	            "Length1=-1\n",
	            "/p/x", out, sizeof out) == 2);
	CHECK_STR(out, "http://a/1|http://a/2");
	CHECK(parse("File1=rel.mp3\nFileX=no\nfile2\n", "http://h/d/l.pls", out, sizeof out) == 1);
	CHECK_STR(out, "http://h/d/rel.mp3");
	/* nothing in it */
	CHECK(parse("#EXTM3U\n# only comments\n", "/p/l.m3u", out, sizeof out) == 0);
	CHECK(parse("", "/p/l.m3u", out, sizeof out) == 0);
	CHECK(parse("[playlist]\nFile1=\n", "/p/l.pls", out, sizeof out) == 0);
	cap_list_free(NULL);
	return t_done("test_playlist");
}
