/* test_source.c: unit tests of the source-name rule and default (lib/source.c). */
#include <string.h>

#include "source.h"
#include "t.h"

int main(void)
{
	char buf[EAS_SOURCE_MAX + 1], s65[66];

	CHECK(eas_source_check("kcle-nwr") == 0);
	CHECK(eas_source_check("K\xc3\x89"
	                       "CL 1") == 0); /* UTF-8 and a space */
	CHECK(eas_source_check("") == -1);
	CHECK(eas_source_check("a\tb") == -1);
	CHECK(eas_source_check("a\x1b"
	                       "b") == -1);
	CHECK(eas_source_check("a\x7f") == -1);
	memset(s65, 'x', 65);
	s65[65] = '\0';
	CHECK(eas_source_check(s65) == -1);
	s65[64] = '\0';
	CHECK(eas_source_check(s65) == 0);

	CHECK(eas_source_default(buf, sizeof buf) == buf);
	CHECK(eas_source_check(buf) == 0);
	return t_done("test_source");
}
