/* Object names for the differential fuzzer, made from the pattern under test.
 *
 * Random names almost never match a pattern, and a differential test that
 * only ever sees "no" on both sides proves little. So names are mostly
 * instances of the pattern itself: wildcards filled with text that is
 * likely to matter (pieces of the pattern's own literals, '/', multi-byte
 * and broken UTF-8, nothing at all, lengths around 1024 bytes), then
 * sometimes mutated so that they nearly match.
 *
 * Choices come from a small PRNG mixed with the fuzzer's own bytes, so the
 * fuzzer can steer them and every input replays exactly. */
#ifndef GCSPLAN_FUZZ_NAMEGEN_H
#define GCSPLAN_FUZZ_NAMEGEN_H

#include <stddef.h>
#include <stdint.h>

/* Names may exceed the 1024-byte object-name limit so that the limit itself
 * is tested. */
#define NG_NAME_CAP 1100

typedef struct ng_rand {
    uint64_t state;
    const unsigned char *steer; /* fuzzer bytes mixed into each choice */
    size_t steer_len, pos;
} ng_rand;

/* Seed from all of data (so every input byte changes the names) and steer
 * each draw with steer[0, steer_len), cyclically. */
void ng_rand_init(ng_rand *r, const unsigned char *data, size_t len,
                  const unsigned char *steer, size_t steer_len);

/* A number in [0, n); n > 0. */
uint32_t ng_below(ng_rand *r, uint32_t n);

/* Write an instance of the object pattern pat into out (NG_NAME_CAP bytes)
 * and return its length. The instance may or may not match. */
size_t ng_instantiate(ng_rand *r, const unsigned char *pat, size_t plen, unsigned char *out);

/* Apply one to three small edits (insert, delete, replace, duplicate a byte
 * or a character, cut at a '/') to buf[0, len) in place; returns the new
 * length, at most NG_NAME_CAP. */
size_t ng_mutate(ng_rand *r, unsigned char *buf, size_t len, const unsigned char *pat,
                 size_t plen);

#endif
