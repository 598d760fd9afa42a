/* source.h: the monitor's name (-s/--source): the one rule every tool checks it by, and the
 * default (the host name). */
#ifndef EAS_SOURCE_H
#define EAS_SOURCE_H

#include <stddef.h>

/* Bytes of a source name at most: it is part of Redis keys (eas:heartbeat:<source>). */
#define EAS_SOURCE_MAX 64

/* The rule, in words, for messages: "1 to 64 printable characters". */
#define EAS_SOURCE_RULE "1 to 64 printable characters"

/*
 * 0 when S is a usable source name: 1..EAS_SOURCE_MAX bytes, none of them a
 * control character (bytes 0x00..0x1f and 0x7f; UTF-8 is allowed), else -1.
 * The same rule for the -s option of every tool and the "source" field of a
 * line (DESIGN.md, "Common options").
 */
int eas_source_check(const char *s);

/*
 * The default source name: the host name (gethostname(2)), or "localhost"
 * when it is unset or breaks the rule above.  Writes it into BUF (LEN bytes,
 * at least EAS_SOURCE_MAX + 1) and returns BUF.
 */
char *eas_source_default(char *buf, size_t len);

#endif
