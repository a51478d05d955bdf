/* Numbers from outside (listing fields, flags, headers) are parsed strictly
 * and bounded here, and sums of sizes are checked: a size is an unsigned
 * 64-bit count end to end, and a sum that would wrap is an error, never a
 * smaller number. */
#ifndef GCSPLAN_UTIL_NUM_H
#define GCSPLAN_UTIL_NUM_H

#include <stddef.h>
#include <stdint.h>

/* s[0..n) as a decimal of 1 or more digits (nothing else: no sign, space or
 * suffix) at most max. Returns 0, or -1 with *out unchanged. */
int gcsplan__parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);

/* As gcsplan__parse_u64, but a value over max gives max (a delay, a count
 * that only needs "at least"). Returns 0, or -1 when s is not digits. */
int gcsplan__parse_u64_sat(const char *s, size_t n, uint64_t max, uint64_t *out);

/* A size: digits and an optional K, M, G or T (either case; powers of 1024).
 * Returns 0, or -1 when malformed or over UINT64_MAX. */
int gcsplan__parse_size(const char *s, size_t n, uint64_t *out);

/* *acc += v. Returns 0, or -1 (and *acc unchanged) when the sum would wrap. */
static inline int gcsplan__add_u64(uint64_t *acc, uint64_t v)
{
    if (v > UINT64_MAX - *acc)
        return -1;
    *acc += v;
    return 0;
}

/* *acc += v, staying at UINT64_MAX instead of wrapping: for statistics
 * (listed bytes, findings' bytes) that nothing is decided on. Sums that
 * limits or plans depend on use gcsplan__add_u64 and fail instead. */
static inline void gcsplan__add_u64_sat(uint64_t *acc, uint64_t v)
{
    *acc = v > UINT64_MAX - *acc ? UINT64_MAX : *acc + v;
}

/* "1.5 GiB"-style, for people: B below 1 KiB, then KiB..EiB with one decimal. */
void gcsplan__human_bytes(char *buf, size_t cap, uint64_t n);

#endif
