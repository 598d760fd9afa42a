/* backoff.h: the one capped exponential backoff of eas-tools (lib/redis' reconnects, eas-publish's
 * PostgreSQL consumer, eas-capture's reconnects).  No I/O, no clock: times are passed in. */
#ifndef EAS_BACKOFF_H
#define EAS_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

/* The delays run base, 2*base, ... up to cap; with jitter (the default) each
 * is shortened by up to a quarter at random, so that many clients of one
 * server do not retry in step. */
struct eas_backoff {
	int base_ms, cap_ms;
	int cur_ms;      /* the next undithered delay */
	int64_t next_ms; /* monotonic time before which no retry is due */
	unsigned seed;
	int failures; /* consecutive failures */
	bool jitter;  /* true after eas_backoff_init(); set false for exact delays */
};

/* Start at BASE_MS (at least 1), doubling up to CAP_MS (at least BASE_MS). */
void eas_backoff_init(struct eas_backoff *b, int base_ms, int cap_ms);
/* Record a failure at NOW_MS (monotonic, eas_mono_ms()); returns the delay chosen, ms. */
int eas_backoff_fail(struct eas_backoff *b, int64_t now_ms);
/* Record a success: the next failure starts again at base. */
void eas_backoff_reset(struct eas_backoff *b);
/* True when a retry is due at NOW_MS. */
bool eas_backoff_due(const struct eas_backoff *b, int64_t now_ms);

#endif
