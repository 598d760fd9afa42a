/* backoff.c: capped exponential backoff with optional jitter (see backoff.h). */
#include <stdint.h>
#include <string.h>

#include "backoff.h"

void eas_backoff_init(struct eas_backoff *b, int base_ms, int cap_ms)
{
	memset(b, 0, sizeof *b);
	b->base_ms = base_ms > 0 ? base_ms : 1;
	b->cap_ms = cap_ms >= b->base_ms ? cap_ms : b->base_ms;
	b->cur_ms = b->base_ms;
	b->seed = (unsigned)(uintptr_t)b ^ 0x9e3779b9u;
	b->jitter = true;
}

int eas_backoff_fail(struct eas_backoff *b, int64_t now_ms)
{
	int d = b->cur_ms;
	if (b->jitter) {
		b->seed = b->seed * 1103515245u + 12345u;
		int jitter = d / 4 ? (int)((b->seed >> 8) % (unsigned)(d / 4 + 1)) : 0;
		d -= jitter;
	}
	b->next_ms = now_ms + d;
	b->failures++;
	b->cur_ms = b->cur_ms > b->cap_ms / 2 ? b->cap_ms : b->cur_ms * 2;
	return d;
}

void eas_backoff_reset(struct eas_backoff *b)
{
	b->cur_ms = b->base_ms;
	b->next_ms = 0;
	b->failures = 0;
}

bool eas_backoff_due(const struct eas_backoff *b, int64_t now_ms)
{
	return now_ms >= b->next_ms;
}
