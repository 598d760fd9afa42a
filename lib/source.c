/* source.c: the source-name rule and the default source name (see source.h). */
#include "source.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int eas_source_check(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > EAS_SOURCE_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	return 0;
}

char *eas_source_default(char *buf, size_t len)
{
	char host[256];
	if (gethostname(host, sizeof host) < 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	snprintf(buf, len, "%s", eas_source_check(host) == 0 ? host : "localhost");
	return buf;
}
