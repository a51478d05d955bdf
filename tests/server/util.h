/*
 * Small shared helpers of the test server: a growable byte buffer with JSON
 * string escaping, base64, percent-encoding and a 64-bit mixing hash.
 *
 * Everything that derives "random looking" per-object metadata or fault
 * decisions goes through srv_hash64/srv_mix64 so that the whole server is
 * deterministic for a given seed and input.
 */
#ifndef GCS_TEST_SERVER_UTIL_H
#define GCS_TEST_SERVER_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* A response page is about 1 MB; anything far beyond that is a bug. */
#define SBUF_MAX ((size_t)256 * 1024 * 1024)

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* sticky: set when an allocation failed or SBUF_MAX was hit */
} sbuf;

void sbuf_init(sbuf *b);
void sbuf_free(sbuf *b);
/* Hands the bytes to the caller (malloc'ed, NUL-terminated) and resets b. */
char *sbuf_take(sbuf *b, size_t *len);
void sbuf_put(sbuf *b, const void *p, size_t n);
void sbuf_puts(sbuf *b, const char *s);
void sbuf_putc(sbuf *b, char c);
void sbuf_u64(sbuf *b, uint64_t v);
/* Writes a JSON string literal, quotes included, escaping as RFC 8259 asks. */
void sbuf_json_str(sbuf *b, const char *s, size_t n);
/* Writes `"v"`: the JSON API sends 64-bit integers as decimal strings. */
void sbuf_json_u64str(sbuf *b, uint64_t v);
/* Percent-encodes everything but RFC 3986 unreserved characters. */
void sbuf_pct(sbuf *b, const char *s, size_t n);
void sbuf_base64(sbuf *b, const unsigned char *p, size_t n);

/* Decodes standard or URL-safe base64 (padding optional) into out (cap bytes).
 * Returns the decoded length or -1 when the input is not base64. */
long srv_base64_decode(const char *s, size_t n, unsigned char *out, size_t cap);

uint64_t srv_mix64(uint64_t x);
uint64_t srv_hash64(const void *p, size_t n, uint64_t seed);

/* Byte-wise comparison of two length-delimited strings (memcmp order, the
 * order Cloud Storage lists names in). */
int srv_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
