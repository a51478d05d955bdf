/* The SPEC model behind the differential fuzzer: validity rules read straight
 * from SPEC section 1, and a PCRE2 translation of the wildcards. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "oracle.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 1024

/* PCRE2's backtracking budget. Many-star patterns against long names can
 * need more; then the DFA matcher, which does not backtrack, decides. */
#define MATCH_LIMIT 50000u
#define DFA_WORKSPACE 4096

/* Names with bytes outside UTF-8 are mapped into the top of plane 16 so the
 * UTF-mode regex can still judge them (see ora_regex_match). */
#define STRAY_BASE 0x10FF00u
#define STRAY_LOW (STRAY_BASE + 0x80u)

size_t ora_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char b = s[0];
    size_t k;
    unsigned long cp;
    if (b < 0x80)
        return 1;
    if ((b & 0xE0) == 0xC0) {
        k = 2;
        cp = b & 0x1Fu;
    } else if ((b & 0xF0) == 0xE0) {
        k = 3;
        cp = b & 0x0Fu;
    } else if ((b & 0xF8) == 0xF0) {
        k = 4;
        cp = b & 0x07u;
    } else {
        return 0; /* a continuation byte or 0xF8..0xFF */
    }
    if (n < k)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    /* Decode first, then judge the code point: the shortest-form rule is
     * easier to state on the value than on lead-byte ranges. */
    static const unsigned long min_for_len[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < min_for_len[k] || cp > 0x10FFFFul || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return k;
}

int ora_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = ora_utf8_seq(s + i, n - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

int ora_name_valid(const unsigned char *name, size_t len)
{
    if (len == 0 || len > NAME_MAX_BYTES)
        return 0;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    return 1;
}

static int invalid(ora_pattern *o, const char *why)
{
    o->valid = 0;
    o->why = why;
    return 0;
}

void ora_analyze(ora_pattern *o, const unsigned char *pat, size_t len)
{
    memset(o, 0, sizeof *o);
    if (len == 0) {
        invalid(o, "empty object pattern");
        return;
    }
    if (!ora_utf8_valid(pat, len)) {
        invalid(o, "not UTF-8");
        return;
    }
    size_t singles = 0, questions = 0, doubles = 0, double_at = 0;
    size_t first_wild = len;
    for (size_t i = 0; i < len;) {
        if (pat[i] == '\r' || pat[i] == '\n') {
            invalid(o, "CR or LF");
            return;
        }
        if (pat[i] == '?') {
            questions++;
            if (first_wild == len)
                first_wild = i;
            i++;
            continue;
        }
        if (pat[i] != '*') {
            i++;
            continue;
        }
        size_t run = 0;
        while (i + run < len && pat[i + run] == '*')
            run++;
        if (first_wild == len)
            first_wild = i;
        if (run >= 3) {
            invalid(o, "three or more stars in a row");
            return;
        }
        if (run == 2) {
            doubles++;
            double_at = i;
        } else {
            singles++;
        }
        i += run;
    }
    if (doubles > 1) {
        invalid(o, "'**' twice");
        return;
    }
    if (doubles == 1) {
        if (singles > 0 || questions > 0) {
            invalid(o, "'**' with another wildcard");
            return;
        }
        if (memchr(pat + double_at + 2, '/', len - double_at - 2) != NULL) {
            invalid(o, "'/' after '**'");
            return;
        }
        o->kind = ORA_RECURSIVE;
        o->min_len = len - 2;
    } else if (singles + questions > 0) {
        o->kind = ORA_SEGMENTED;
        /* Each '?' takes at least one byte, each '*' none. */
        o->min_len = len - singles;
    } else {
        o->kind = ORA_LITERAL;
        o->min_len = len;
        if ((len == 1 && pat[0] == '.') || (len == 2 && pat[0] == '.' && pat[1] == '.')) {
            invalid(o, "literal '.' or '..'");
            return;
        }
    }
    if (o->min_len > NAME_MAX_BYTES) {
        invalid(o, "shortest match longer than 1024 bytes");
        return;
    }
    o->prefix_len = first_wild;
    o->valid = 1;
}

struct ora_regex {
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    int strays_ok; /* the pattern holds no code point the stray mapping uses */
    unsigned char mapped[NAME_MAX_BYTES * 4];
    int dfa_ws[DFA_WORKSPACE];
};

/* Append one pattern byte as a regex atom that means exactly that byte.
 * ASCII letters and digits stand for themselves; other ASCII punctuation is
 * backslash-escaped (always literal in PCRE2); control bytes and space go as
 * \x{..}; bytes of multi-byte characters are copied (they are never regex
 * syntax). \Q..\E is avoided because the pattern may itself contain "\E". */
static size_t put_literal(char *out, unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c > 0x20 && c < 0x7F) {
        out[0] = '\\';
        out[1] = (char)c;
        return 2;
    }
    return (size_t)sprintf(out, "\\x{%02x}", c);
}

static int holds_stray_code_points(const unsigned char *pat, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t k = ora_utf8_seq(pat + i, len - i);
        if (k == 4) {
            unsigned long cp = ((pat[i] & 0x07ul) << 18) | ((pat[i + 1] & 0x3Ful) << 12) |
                               ((pat[i + 2] & 0x3Ful) << 6) | (pat[i + 3] & 0x3Ful);
            if (cp >= STRAY_LOW)
                return 1;
        }
        i += k ? k : 1;
    }
    return 0;
}

ora_regex *ora_regex_new(const unsigned char *pat, size_t len, char *why, size_t why_cap)
{
    /* Worst case per byte is "\x{hh}" (6) or "[^/]*" (5); plus the anchors. */
    char *src = malloc(len * 6 + 16);
    ora_regex *r = calloc(1, sizeof *r);
    if (src == NULL || r == NULL) {
        snprintf(why, why_cap, "out of memory");
        goto fail;
    }
    size_t n = 0;
    memcpy(src, "\\A(?:", 5);
    n = 5;
    for (size_t i = 0; i < len;) {
        if (pat[i] == '*' && i + 1 < len && pat[i + 1] == '*') {
            memcpy(src + n, ".*", 2);
            n += 2;
            i += 2;
        } else if (pat[i] == '*') {
            memcpy(src + n, "[^/]*", 5);
            n += 5;
            i++;
        } else if (pat[i] == '?') {
            memcpy(src + n, "[^/]", 4);
            n += 4;
            i++;
        } else {
            n += put_literal(src + n, pat[i]);
            i++;
        }
    }
    memcpy(src + n, ")\\z", 3);
    n += 3;

    int errcode;
    PCRE2_SIZE erroff;
    r->code = pcre2_compile((PCRE2_SPTR)src, n, PCRE2_UTF | PCRE2_DOTALL, &errcode, &erroff, NULL);
    if (r->code == NULL) {
        char msg[128];
        pcre2_get_error_message(errcode, (PCRE2_UCHAR *)msg, sizeof msg);
        snprintf(why, why_cap, "pcre2_compile: %s at %zu of %.*s", msg, (size_t)erroff, (int)n,
                 src);
        goto fail;
    }
    /* JIT only for speed; the interpreter gives the same answers when the
     * JIT is unavailable. */
    (void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
    r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
    r->mctx = pcre2_match_context_create(NULL);
    if (r->md == NULL || r->mctx == NULL) {
        snprintf(why, why_cap, "out of memory");
        goto fail;
    }
    pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
    r->strays_ok = !holds_stray_code_points(pat, len);
    free(src);
    return r;
fail:
    free(src);
    ora_regex_free(r);
    return NULL;
}

void ora_regex_free(ora_regex *r)
{
    if (r == NULL)
        return;
    pcre2_match_context_free(r->mctx);
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->code);
    free(r);
}

/* gcsplan counts a byte that does not start a well-formed UTF-8 sequence as
 * one character (one '?'). PCRE2 in UTF mode cannot see such bytes, so each
 * is replaced by its own code point U+10FF80..U+10FFFF: still one character,
 * never '/', and never equal to pattern text unless the pattern itself holds
 * those code points (then the name is left out: -1). Well-formed sequences
 * are copied, so literal pattern text matches exactly where it did. */
static size_t map_strays(unsigned char *out, const unsigned char *name, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t k = ora_utf8_seq(name + i, len - i);
        if (k > 0) {
            memcpy(out + n, name + i, k);
            n += k;
            i += k;
            continue;
        }
        unsigned long cp = STRAY_BASE | name[i];
        out[n++] = (unsigned char)(0xF0 | (cp >> 18));
        out[n++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        out[n++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[n++] = (unsigned char)(0x80 | (cp & 0x3F));
        i++;
    }
    return n;
}

int ora_regex_match(ora_regex *r, const unsigned char *name, size_t len)
{
    if (!ora_name_valid(name, len))
        return 0;
    const unsigned char *subject = name;
    size_t slen = len;
    if (!ora_utf8_valid(name, len)) {
        if (!r->strays_ok)
            return -1;
        slen = map_strays(r->mapped, name, len);
        subject = r->mapped;
    }
    int rc = pcre2_match(r->code, subject, slen, 0, 0, r->md, r->mctx);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT)
        rc = pcre2_dfa_match(r->code, subject, slen, 0, 0, r->md, NULL, r->dfa_ws,
                             DFA_WORKSPACE);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    return -1;
}
