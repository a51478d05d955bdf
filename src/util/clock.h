/* A monotonic clock, the date, and an interruption-proof sleep, for deadlines, backoff,
 * progress lines and rates. Wall-clock time never steers a timeout: it jumps. */
#ifndef GCSPLAN_UTIL_CLOCK_H
#define GCSPLAN_UTIL_CLOCK_H

#include <stdint.h>

/* Seconds since an arbitrary point, from CLOCK_MONOTONIC. Thread-safe. */
double gcsplan__clock_s(void);

/* Milliseconds since the same point. Thread-safe. */
uint64_t gcsplan__clock_ms(void);

/* Milliseconds since 1970 (CLOCK_REALTIME): for what people read as a
 * date (journal records, a report's time), never for a deadline. */
int64_t gcsplan__wall_ms(void);

/* Sleep ms milliseconds, resuming after a signal interrupts the wait. */
void gcsplan__sleep_ms(uint64_t ms);

#endif
