/* optparse.h: whole-string numeric option arguments with a range, for every tool's getopt loop. */
#ifndef EAS_OPTPARSE_H
#define EAS_OPTPARSE_H

/* Parse all of S as a decimal integer in LO..HI into *OUT; 0, or -1 (out untouched). */
int eas_parse_long(const char *s, long lo, long hi, long *out);

/* Parse all of S as a finite number in LO..HI into *OUT; 0, or -1 (out untouched). */
int eas_parse_double(const char *s, double lo, double hi, double *out);

/* Parse all of S as a byte count: decimal digits, optionally followed by K, M
 * or G (powers of 1024), in LO..HI, into *OUT; 0, or -1 (out untouched). */
int eas_parse_size(const char *s, unsigned long long lo, unsigned long long hi,
                   unsigned long long *out);

#endif
