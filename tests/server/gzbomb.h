/*
 * gzip bombs, streamed: a gzip member whose inflated text is
 * PREFIX + N bytes of 'a' + SUFFIX, for N up to a TiB, without ever holding
 * more than a few KiB compressed.
 *
 * How: one MiB of 'a' is deflated once, by a fresh raw deflate stream ended
 * with Z_FULL_FLUSH, so the block is byte-aligned, non-final and refers to
 * nothing before it; such blocks can follow one another any number of times.
 * Each response deflates its own prefix (plus the remainder of N) the same
 * way, repeats the block, deflates the suffix with Z_FINISH, and ends with the
 * CRC-32 of the whole text, computed with crc32_combine by doubling, and its
 * length mod 2^32. 1 GiB inflated is about 1 MiB on the wire.
 */
#ifndef GCS_TEST_SERVER_GZBOMB_H
#define GCS_TEST_SERVER_GZBOMB_H

#include <stddef.h>
#include <stdint.h>

typedef struct gzbomb gzbomb;

/* Returns NULL when out of memory or when zlib fails. prefix and suffix are
 * copied and must each be at most 4 KiB. */
gzbomb *gzbomb_new(const char *prefix, const char *suffix, uint64_t fill);
/* The compressed length, for Content-Length. */
uint64_t gzbomb_size(const gzbomb *g);
/* The inflated length. */
uint64_t gzbomb_inflated(const gzbomb *g);
/* Copies the compressed bytes at offset pos (sequential or not) into buf;
 * returns how many (0 at the end). */
size_t gzbomb_read(const gzbomb *g, uint64_t pos, char *buf, size_t max);
void gzbomb_free(gzbomb *g);

#endif
