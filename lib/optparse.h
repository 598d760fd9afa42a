/* optparse.h: whole-string numeric option arguments with a range, and the rate option's
 * default and range, for every tool's getopt loop. */
#ifndef EAS_OPTPARSE_H
#define EAS_OPTPARSE_H

/* The -r/--rate option of every tool (DESIGN.md, "PCM on the pipe"): Hz. */
#define EAS_RATE_DEFAULT 22050
#define EAS_RATE_MIN     8000
#define EAS_RATE_MAX     192000
#define EAS_RATE_RULE    "an integer from 8000 to 192000 Hz" /* for messages */

/*
 * Parse all of S as a decimal integer in LO..HI into *OUT: an optional '-'
 * and ASCII digits, nothing else (no leading space or '+', no "0x5622", no
 * "1e5").  Returns 0, or -1 (*OUT untouched).
 */
int eas_parse_long(const char *s, long lo, long hi, long *out);

/*
 * Parse all of S as a decimal number in LO..HI into *OUT: an optional '-',
 * digits, and an optional '.' with more digits ("2.5", "-50", ".5"); no
 * exponent, hex, "inf"/"nan" or spaces.  Returns 0, or -1 (*OUT untouched).
 */
int eas_parse_double(const char *s, double lo, double hi, double *out);

/* Parse all of S as a byte count: decimal digits, optionally followed by K, M
 * or G (powers of 1024), in LO..HI, into *OUT; 0, or -1 (out untouched). */
int eas_parse_size(const char *s, unsigned long long lo, unsigned long long hi,
                   unsigned long long *out);

/* Parse S as a rate in Hz, EAS_RATE_MIN..EAS_RATE_MAX, decimal integer.  0, or -1. */
int eas_parse_rate(const char *s, int *out);

#endif
