/* source.c: the default source name (see source.h). */
#include "source.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

char *eas_source_default(char *buf, size_t len)
{
	char host[256];
	if (gethostname(host, sizeof host) < 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	snprintf(buf, len, "%s", eas_source_check(host) == 0 ? host : "localhost");
	return buf;
}
