/* encode.h: eas-encode's parts shared between its files: the output sink. */
#ifndef EAS_ENCODE_H
#define EAS_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sndfile.h>

/* Where the samples go: raw s16le to a stdio stream, or a sound file written under a
 * temporary name in the same directory and renamed to NAME once complete, so that an
 * interrupted or failed run never leaves a file that looks whole. */
struct sink {
	FILE *fp;
	SNDFILE *sf;
	const char *name;
	char *tmpname; /* the sound file's name until it is complete */
	int fd;        /* the sound file's descriptor, -1 when none */
	int epipe;     /* the reader went away */
	int failed;    /* a write failed (and was reported, unless epipe or a signal) */
};

/* Write N samples; returns 0, or -1 after logging (quietly for a closed pipe or a signal). */
int sink_write(struct sink *s, const int16_t *buf, size_t n);
/* Open NAME (FORMAT: SF_FORMAT_*, RATE Hz mono) for writing under a temporary name beside
 * it.  Returns 0, or -1 after saying why. */
int sink_open_file(struct sink *s, const char *name, int format, int rate);
/* Finish the output.  COMPLETE: everything was written, so a sound file takes its name;
 * otherwise its temporary file is removed.  Returns 0, or -1 after saying why. */
int sink_close(struct sink *s, bool complete);
/* Output format from NAME's extension (.wav, .flac): SF_FORMAT_* | SF_FORMAT_PCM_16, or 0. */
int format_of(const char *name);

#endif
