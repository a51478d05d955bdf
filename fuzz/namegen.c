/* Name generation for the differential fuzzer (see namegen.h). */
#include "namegen.h"

#include <string.h>

/* Room left in an output of NG_NAME_CAP bytes, so that a 4-byte character
 * always fits without a bounds check per byte. */
#define ROOM(n) ((n) + 4 <= NG_NAME_CAP)

void ng_rand_init(ng_rand *r, const unsigned char *data, size_t len,
                  const unsigned char *steer, size_t steer_len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ data[i]) * 1099511628211ull;
    r->state = h | 1;
    r->steer = steer;
    r->steer_len = steer_len;
    r->pos = 0;
}

uint32_t ng_below(ng_rand *r, uint32_t n)
{
    uint64_t x = r->state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    uint64_t v = x * 2685821657736338717ull;
    if (r->steer_len > 0)
        v ^= r->steer[r->pos++ % r->steer_len];
    return (uint32_t)((v >> 32) % n);
}

/* Copy one whole character of the pattern's literal text (not a wildcard)
 * from a random place; 'a' when the pattern has none there. */
static size_t put_pattern_char(ng_rand *r, const unsigned char *pat, size_t plen,
                               unsigned char *out)
{
    if (plen == 0)
        return (out[0] = 'a'), 1;
    size_t i = ng_below(r, (uint32_t)plen);
    while (i > 0 && (pat[i] & 0xC0) == 0x80) /* back to a character start */
        i--;
    if (pat[i] == '*' || pat[i] == '?')
        return (out[0] = 'a'), 1;
    size_t k = 1;
    while (i + k < plen && k < 4 && (pat[i + k] & 0xC0) == 0x80)
        k++;
    memcpy(out, pat + i, k);
    return k;
}

/* One character (or, for the stray kinds, a few bytes that are not UTF-8)
 * of the sort that decides wildcard matches. Writes at most 4 bytes. */
static size_t put_char(ng_rand *r, const unsigned char *pat, size_t plen, unsigned char *out,
                       int slash_often)
{
    static const char small[] = "ab.-_0";
    switch (ng_below(r, slash_often ? 16 : 13)) {
    case 0: case 1: case 2:
        return put_pattern_char(r, pat, plen, out);
    case 3: case 4: case 5:
        return (out[0] = (unsigned char)small[ng_below(r, sizeof small - 1)]), 1;
    case 6:
        return memcpy(out, "\xC3\xA9", 2), 2; /* e-acute */
    case 7:
        return memcpy(out, "\xE2\x82\xAC", 3), 3; /* euro sign */
    case 8:
        return memcpy(out, "\xF0\x9F\x98\x80", 4), 4; /* an emoji, 4 bytes */
    case 9: {
        /* Bytes gcsplan counts one per '?': a lone lead, a continuation, an
         * invalid byte, an encoded surrogate. */
        static const char *const strays[] = { "\xC3", "\x80", "\xFF", "\xED\xA0\x80", "\xF0\x9F" };
        const char *s = strays[ng_below(r, 5)];
        size_t k = strlen(s);
        memcpy(out, s, k);
        return k;
    }
    case 10: {
        static const char ctl[] = { '\0', '\r', '\n', ' ', '*', '?' };
        return (out[0] = (unsigned char)ctl[ng_below(r, sizeof ctl)]), 1;
    }
    case 11:
        return (out[0] = (unsigned char)(0x20 + ng_below(r, 0x5F))), 1;
    default:
        return (out[0] = '/'), 1;
    }
}

/* Fill for a wildcard: usually a few characters, sometimes none, sometimes
 * one character repeated until the name is near the 1024-byte limit. */
static size_t fill(ng_rand *r, const unsigned char *pat, size_t plen, size_t rest,
                   unsigned char *out, size_t n, int recursive)
{
    uint32_t mode = ng_below(r, 16);
    if (mode < 3)
        return n;
    if (mode == 3) {
        size_t target = 1010 + ng_below(r, 30);
        target = target > rest ? target - rest : 0;
        unsigned char c = (unsigned char)(ng_below(r, 2) ? 'a' : pat[ng_below(r, (uint32_t)plen)]);
        if (c == '/' && !recursive)
            c = 'a';
        while (n < target && ROOM(n))
            out[n++] = c;
        return n;
    }
    uint32_t count = 1 + ng_below(r, mode < 12 ? 4 : 24);
    for (uint32_t i = 0; i < count && ROOM(n); i++) {
        size_t k = put_char(r, pat, plen, out + n, recursive);
        /* Inside '*' a '/' makes a name that cannot match: keep it rare. */
        if (!recursive && out[n] == '/' && ng_below(r, 4) != 0)
            out[n] = 'b';
        n += k;
    }
    return n;
}

size_t ng_instantiate(ng_rand *r, const unsigned char *pat, size_t plen, unsigned char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < plen && ROOM(n);) {
        if (pat[i] == '*' && i + 1 < plen && pat[i + 1] == '*') {
            n = fill(r, pat, plen, plen - i, out, n, 1);
            i += 2;
        } else if (pat[i] == '*') {
            n = fill(r, pat, plen, plen - i, out, n, 0);
            i++;
        } else if (pat[i] == '?') {
            /* Usually one character; sometimes none or two, which must not match. */
            uint32_t chars = ng_below(r, 16);
            chars = chars == 0 ? 0 : chars == 1 ? 2 : 1;
            for (uint32_t c = 0; c < chars && ROOM(n); c++)
                n += put_char(r, pat, plen, out + n, 0);
            i++;
        } else if (ng_below(r, 64) == 0) {
            i++; /* drop a literal byte */
        } else {
            out[n++] = pat[i++];
        }
    }
    return n < NG_NAME_CAP ? n : NG_NAME_CAP;
}

size_t ng_mutate(ng_rand *r, unsigned char *buf, size_t len, const unsigned char *pat,
                 size_t plen)
{
    unsigned char ch[4];
    uint32_t edits = 1 + ng_below(r, 3);
    for (uint32_t e = 0; e < edits; e++) {
        size_t at = len ? ng_below(r, (uint32_t)len + 1) : 0;
        switch (ng_below(r, 6)) {
        case 0: { /* insert a character */
            size_t k = put_char(r, pat, plen, ch, 1);
            if (len + k > NG_NAME_CAP)
                break;
            memmove(buf + at + k, buf + at, len - at);
            memcpy(buf + at, ch, k);
            len += k;
            break;
        }
        case 1: /* delete a byte (may split a character) */
            if (at < len) {
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
            }
            break;
        case 2: /* replace a byte */
            if (at < len) {
                put_char(r, pat, plen, ch, 1);
                buf[at] = ch[0];
            }
            break;
        case 3: /* duplicate a byte */
            if (at < len && len < NG_NAME_CAP) {
                memmove(buf + at + 1, buf + at, len - at);
                len++;
            }
            break;
        case 4: /* cut the name after a '/' or at the end of the pattern's prefix */
            while (at < len && buf[at] != '/')
                at++;
            if (at < len)
                len = at + 1;
            break;
        default: /* drop the last byte: end-anchoring and suffixes */
            if (len > 0)
                len--;
            break;
        }
    }
    return len;
}
