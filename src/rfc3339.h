/* RFC 3339 times, as the import journal writes them and as the Cloud
 * Healthcare API writes an operation's createTime and endTime. Calendar
 * arithmetic is done here (days from the civil date), never with gmtime or
 * mktime, so the result does not depend on the time zone or the C library. */
#ifndef GCSPLAN_RFC3339_H
#define GCSPLAN_RFC3339_H

#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SS.mmmZ": 24 characters. */
#define GCSPLAN__RFC3339_MS_LEN 24

/* unix_ms (years 0000 to 9999; outside, clamped to them) as
 * "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least GCSPLAN__RFC3339_MS_LEN + 1
 * bytes). Thread-safe. */
void gcsplan__rfc3339_ms(char *buf, int64_t unix_ms);

/* s[0..n) as an RFC 3339 date-time: YYYY-MM-DD, 'T' (or 't' or ' '),
 * hh:mm:ss, an optional fraction of 1 to 9 digits, and 'Z' (or 'z') or an
 * offset +hh:mm / -hh:mm. A leap second (60) counts as 59. With strict,
 * only what gcsplan__rfc3339_ms writes (3 digits, 'T', 'Z'). Returns 0 with
 * *unix_ms (the fraction cut to milliseconds), or -1. Thread-safe. */
int gcsplan__rfc3339_parse(const char *s, size_t n, int strict, int64_t *unix_ms);

#endif
