/* UTF-8 decoding as the matcher and the URI compiler need it. */
#ifndef GCSPLAN_UTF8_H
#define GCSPLAN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length in bytes of the well-formed UTF-8 sequence at s (n bytes available),
 * or 0 when the bytes there are not one (overlong forms, surrogates and code
 * points above U+10FFFF are not well-formed). */
static inline size_t gcsplan__utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0; /* overlong */
        if (c == 0xF4 && s[1] >= 0x90)
            return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

/* Bytes one character takes at s: a well-formed sequence, or else one byte.
 * This is what '?' consumes. n must be at least 1. */
static inline size_t gcsplan__utf8_char(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t k = gcsplan__utf8_seq(s, n);
    return k ? k : 1;
}

/* The code point of the k-byte sequence at s, which gcsplan__utf8_seq
 * found well-formed (or, for k == 1, any byte). */
static inline uint32_t gcsplan__utf8_code_point(const unsigned char *s, size_t k)
{
    switch (k) {
    case 1: return s[0];
    case 2: return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    case 3: return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    default:
        return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
               (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    }
}

#endif
