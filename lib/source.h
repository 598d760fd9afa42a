/* source.h: the monitor's name (-s/--source): the rule in words, and the default (the host
 * name).  The rule itself, eas_source_check() and EAS_SOURCE_MAX, is a line field's and lives
 * in lines.h. */
#ifndef EAS_SOURCE_H
#define EAS_SOURCE_H

#include <stddef.h>

#include "lines.h" /* EAS_SOURCE_MAX, eas_source_check() */

/* The rule, in words, for messages: "1 to 64 printable characters". */
#define EAS_SOURCE_RULE "1 to 64 printable characters"

/*
 * The default source name: the host name (gethostname(2)), or "localhost"
 * when it is unset or breaks the rule above.  Writes it into BUF (LEN bytes,
 * at least EAS_SOURCE_MAX + 1) and returns BUF.
 */
char *eas_source_default(char *buf, size_t len);

#endif
