/* An independent model of SPEC section 1's object patterns, for the
 * differential fuzzer.
 *
 * It reads the raw object-pattern bytes itself and never looks at gcsplan's
 * compiled form: ora_analyze() decides validity by the SPEC's rules, and
 * ora_regex translates the pattern to an anchored PCRE2 regex ('?' -> [^/] in
 * UTF mode, '*' -> [^/]*, '**' -> .* with DOTALL, everything else escaped
 * byte by byte). Two models written apart agreeing on millions of names is
 * the evidence; a shared helper would share its bugs. */
#ifndef GCSPLAN_FUZZ_ORACLE_H
#define GCSPLAN_FUZZ_ORACLE_H

#include <stddef.h>

enum { ORA_LITERAL = 1, ORA_RECURSIVE = 2, ORA_SEGMENTED = 3 };

typedef struct ora_pattern {
    int valid;
    const char *why;   /* why it is invalid, for messages; NULL when valid */
    int kind;          /* ORA_*; meaningful when valid */
    size_t min_len;    /* bytes of the shortest name it can match */
    size_t prefix_len; /* bytes before the first wildcard */
} ora_pattern;

/* Length of the well-formed UTF-8 sequence at s (n > 0 bytes available), or
 * 0 when there is none (overlong, surrogate, above U+10FFFF, truncated). */
size_t ora_utf8_seq(const unsigned char *s, size_t n);

/* Nonzero when s[0, n) is entirely well-formed UTF-8. */
int ora_utf8_valid(const unsigned char *s, size_t n);

/* Decide validity, kind, minimum length and literal prefix of an object
 * pattern (the URI after "gs://BUCKET/"). */
void ora_analyze(ora_pattern *o, const unsigned char *pat, size_t len);

/* Nonzero when name could be a Cloud Storage object name at all: 1..1024
 * bytes, not "." or "..". The matcher never matches anything else. */
int ora_name_valid(const unsigned char *name, size_t len);

typedef struct ora_regex ora_regex;

/* Translate a pattern that ora_analyze() found valid. NULL when PCRE2
 * refuses it or memory runs out (a bug in the translation: callers abort). */
ora_regex *ora_regex_new(const unsigned char *pat, size_t len, char *why, size_t why_cap);

void ora_regex_free(ora_regex *r);

/* 1 when the model says name matches, 0 when not, -1 when the model cannot
 * tell (PCRE2 ran out of its match budget, or the name holds bytes that are
 * not UTF-8 and cannot be represented: see ora_regex.c). */
int ora_regex_match(ora_regex *r, const unsigned char *name, size_t len);

#endif
