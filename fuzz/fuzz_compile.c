/* Fuzz target: arbitrary bytes as a whole URI to gcsplan_pattern_compile.
 *
 * Beyond "no crash, no leak, no undefined behaviour", it checks what a
 * caller relies on:
 *  - a failure fills the error struct sanely: the code is the return value,
 *    the position lies inside the input, the message is one non-empty line,
 *    the rule has a known name, a hint (a corrected URI) itself compiles,
 *    and the caret rendering of the position is well-formed;
 *  - a success answers every query consistently with the URI's own bytes
 *    (bucket, object, prefix, suffix, segments, warnings), matches its own
 *    object text, and fails cleanly with GCSPLAN_ENOMEM when any one of its
 *    allocations fails. */
#include <stdlib.h>
#include <string.h>

#include "gcsplan/gcsplan.h"
#include "fuzz_target.h"

static int one_line(const char *s, size_t cap)
{
    const char *end = memchr(s, '\0', cap);
    return end != NULL && end > s && memchr(s, '\n', (size_t)(end - s)) == NULL;
}

/* The caret rendering must report the length it writes, like snprintf, and
 * truncate to exactly cap - 1 bytes. */
static void check_caret(const char *in, size_t len, size_t off, size_t n)
{
    size_t need = gcsplan_render_caret(NULL, 0, in, len, off, n, "  ");
    char *buf = malloc(need + 1);
    if (buf == NULL)
        return;
    size_t got = gcsplan_render_caret(buf, need + 1, in, len, off, n, "  ");
    FZ_CHECK(got == need && strlen(buf) == need, "render_caret wrote %zu of %zu bytes", strlen(buf),
          need);
    FZ_CHECK(need >= 2 && buf[need - 1] == '\n', "render_caret output does not end a line");
    size_t small = need / 2;
    if (small > 0) {
        gcsplan_render_caret(buf, small, in, len, off, n, "  ");
        FZ_CHECK(strlen(buf) == small - 1, "render_caret truncation wrote %zu bytes, cap %zu",
              strlen(buf), small);
    }
    free(buf);
}

static void check_hint_compiles(const char *hint, const char *what)
{
    gcsplan_pattern *h = NULL;
    gcsplan_error e;
    int rc = gcsplan_pattern_compile(&h, hint, strlen(hint), NULL, &e);
    if (rc != 0) {
        fz_print_bytes("hint", hint, strlen(hint));
        FZ_CHECK(0, "the hint of %s does not compile: rule %s, '%s'", what,
              gcsplan_rule_name(e.rule), e.message);
    }
    gcsplan_pattern_free(h);
}

static void check_error(const char *in, size_t len, int rc, const gcsplan_pattern *p,
                        const gcsplan_error *err)
{
    FZ_CHECK(p == NULL, "failed compile left *out set");
    FZ_CHECK(rc == GCSPLAN_EURI || rc == GCSPLAN_ELIMIT, "unexpected return code %d", rc);
    FZ_CHECK(err->code == rc, "err.code %d but return %d", err->code, rc);
    FZ_CHECK(err->offset <= len && err->length <= len - err->offset,
          "error span %zu+%zu outside the %zu-byte input", err->offset, err->length, len);
    FZ_CHECK(one_line(err->message, sizeof err->message), "error message empty or not one line");
    FZ_CHECK(memchr(err->hint, '\0', sizeof err->hint) != NULL, "hint not NUL-terminated");
    if (rc == GCSPLAN_EURI) {
        const char *name = gcsplan_rule_name(err->rule);
        FZ_CHECK(err->rule > 0 && !gcsplan_rule_is_warning(err->rule) &&
                  strcmp(name, "unknown") != 0 && strcmp(name, "none") != 0,
              "error with rule %d (%s)", err->rule, name);
    }
    if (err->hint[0] != '\0')
        check_hint_compiles(err->hint, "an error");
    check_caret(in, len, err->offset, err->length);
}

static void check_segments(const gcsplan_pattern *p, const char *object, size_t olen)
{
    size_t count = gcsplan_pattern_segment_count(p), slashes = 0;
    for (size_t i = 0; i < olen; i++)
        slashes += object[i] == '/';
    FZ_CHECK(count == slashes + 1, "%zu segments for %zu slashes", count, slashes);
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        gcsplan_segment s;
        FZ_CHECK(gcsplan_pattern_segment(p, i, &s) == 0, "segment %zu missing", i);
        FZ_CHECK(s.offset == at && s.len <= olen - at && s.text == object + at,
              "segment %zu at %zu+%zu, expected at %zu", i, s.offset, s.len, at);
        FZ_CHECK(memchr(s.text, '/', s.len) == NULL, "segment %zu holds '/'", i);
        FZ_CHECK(i + 1 == count || object[at + s.len] == '/', "segment %zu not ended by '/'", i);
        int dbl = 0, wild = 0;
        for (size_t k = 0; k < s.len; k++) {
            if (s.text[k] == '*' && k + 1 < s.len && s.text[k + 1] == '*')
                dbl = 1;
            wild |= s.text[k] == '*' || s.text[k] == '?';
        }
        int expect = dbl ? 2 : wild ? 1 : 0;
        FZ_CHECK(s.wildcard == expect, "segment %zu wildcard %d, expected %d", i, s.wildcard, expect);
        /* A segment matches its own text: each wildcard can stand for itself. */
        FZ_CHECK(gcsplan_pattern_match_segment(p, i, s.text, s.len),
              "segment %zu does not match its own text", i);
        at += s.len + 1;
    }
    gcsplan_segment s;
    FZ_CHECK(gcsplan_pattern_segment(p, count, &s) == GCSPLAN_EINVAL, "segment past the end");
}

static void check_warnings(const char *in, size_t len, const gcsplan_pattern *p)
{
    size_t n = gcsplan_pattern_warning_count(p);
    for (size_t i = 0; i < n; i++) {
        const gcsplan_warning *w = gcsplan_pattern_warning(p, i);
        FZ_CHECK(w != NULL, "warning %zu missing", i);
        FZ_CHECK(gcsplan_rule_is_warning(w->rule) &&
                  strcmp(gcsplan_rule_name(w->rule), "unknown") != 0,
              "warning %zu has rule %d", i, w->rule);
        FZ_CHECK(w->offset <= len && w->length <= len - w->offset,
              "warning span %zu+%zu outside the %zu-byte input", w->offset, w->length, len);
        FZ_CHECK(w->message != NULL && one_line(w->message, strlen(w->message) + 1),
              "warning %zu message empty or not one line", i);
        if (w->hint != NULL && w->hint[0] != '\0')
            check_hint_compiles(w->hint, "a warning");
        check_caret(in, len, w->offset, w->length);
    }
    FZ_CHECK(gcsplan_pattern_warning(p, n) == NULL, "warning past the end");
}

static void check_pattern(const char *in, size_t len, const gcsplan_pattern *p)
{
    FZ_CHECK(p != NULL, "successful compile returned no pattern");
    FZ_CHECK(memcmp(gcsplan_pattern_uri(p), in, len) == 0 && gcsplan_pattern_uri(p)[len] == '\0',
          "pattern URI differs from the input");
    const char *bucket = gcsplan_pattern_bucket(p);
    size_t blen = strlen(bucket);
    FZ_CHECK(blen >= 3 && len > 6 + blen && memcmp(in, "gs://", 5) == 0 &&
              memcmp(in + 5, bucket, blen) == 0 && in[5 + blen] == '/',
          "bucket '%s' is not the URI's", bucket);
    size_t olen = 0;
    const char *object = gcsplan_pattern_object(p, &olen);
    FZ_CHECK(olen == len - 6 - blen && object != NULL && memcmp(object, in + 6 + blen, olen) == 0,
          "object is not the rest of the URI");

    size_t plen = 0, slen = 0;
    const char *prefix = gcsplan_pattern_prefix(p, &plen);
    const char *suffix = gcsplan_pattern_suffix(p, &slen);
    FZ_CHECK(plen <= olen && memcmp(prefix, object, plen) == 0, "prefix is not a prefix");
    size_t first_wild = 0; /* not strcspn: the object may hold a NUL */
    while (first_wild < olen && object[first_wild] != '*' && object[first_wild] != '?')
        first_wild++;
    FZ_CHECK(plen == first_wild, "prefix length %zu, first wildcard at %zu", plen, first_wild);

    gcsplan_pattern_kind kind = gcsplan_pattern_kind_of(p);
    size_t min = gcsplan_pattern_min_length(p);
    FZ_CHECK(min <= GCSPLAN_NAME_MAX, "minimum length %zu", min);
    switch (kind) {
    case GCSPLAN_PATTERN_LITERAL:
        FZ_CHECK(plen == olen && slen == 0 && min == olen && !gcsplan_pattern_crosses_slash(p),
              "literal pattern queries inconsistent");
        break;
    case GCSPLAN_PATTERN_RECURSIVE:
        FZ_CHECK(plen + 2 + slen == olen && memcmp(object + plen, "**", 2) == 0 &&
                  memcmp(suffix, object + olen - slen, slen) == 0 && min == plen + slen &&
                  gcsplan_pattern_crosses_slash(p),
              "recursive pattern queries inconsistent");
        break;
    case GCSPLAN_PATTERN_SEGMENTED:
        FZ_CHECK(plen < olen && slen == 0 && min <= olen && !gcsplan_pattern_crosses_slash(p),
              "segmented pattern queries inconsistent");
        break;
    default:
        FZ_CHECK(0, "unknown kind %d", (int)kind);
    }
    check_segments(p, object, olen);
    check_warnings(in, len, p);

    /* The object text matches itself when it is a possible object name. */
    int self = olen <= GCSPLAN_NAME_MAX;
    FZ_CHECK(gcsplan_pattern_match(p, object, olen) == self, "the object text %s match itself",
          self ? "does not" : "does");
    FZ_CHECK(!gcsplan_pattern_match(p, "", 0) && !gcsplan_pattern_match(p, ".", 1) &&
              !gcsplan_pattern_match(p, "..", 2),
          "matches an impossible object name");
}

/* An allocator that fails its Nth call, to prove every allocation failure
 * is reported as GCSPLAN_ENOMEM with nothing leaked (ASan's leak check). */
typedef struct failing {
    long fail_at, calls;
} failing;

static void *f_malloc(size_t n, void *ctx)
{
    failing *f = ctx;
    return f->calls++ == f->fail_at ? NULL : malloc(n);
}

static void *f_realloc(void *ptr, size_t n, void *ctx)
{
    failing *f = ctx;
    return f->calls++ == f->fail_at ? NULL : realloc(ptr, n);
}

static void f_free(void *ptr, void *ctx)
{
    (void)ctx;
    free(ptr);
}

static void check_allocation_failures(const char *in, size_t len)
{
    failing f = { -1, 0 };
    gcsplan_allocator a = { f_malloc, f_realloc, f_free, &f };
    gcsplan_pattern_options opts = GCSPLAN_PATTERN_OPTIONS_INIT;
    opts.allocator = &a;
    gcsplan_pattern *p = NULL;
    FZ_CHECK(gcsplan_pattern_compile(&p, in, len, &opts, NULL) == 0,
          "compile with an allocator fails where it succeeded without");
    gcsplan_pattern_free(p);
    long total = f.calls;
    for (long k = 0; k < total; k++) {
        f.fail_at = k;
        f.calls = 0;
        gcsplan_error err;
        p = NULL;
        int rc = gcsplan_pattern_compile(&p, in, len, &opts, &err);
        FZ_CHECK(rc == GCSPLAN_ENOMEM && p == NULL && err.code == GCSPLAN_ENOMEM,
              "allocation %ld of %ld failed: return %d, pattern %p", k, total, rc, (void *)p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes, so ASan sees any read past the end. */
    char *in = malloc(size ? size : 1);
    if (in == NULL)
        return 0;
    memcpy(in, data, size);
    fz_input("uri", data, size);

    gcsplan_pattern *p = NULL;
    gcsplan_error err;
    memset(&err, 0x5A, sizeof err); /* stale bytes must not survive */
    int rc = gcsplan_pattern_compile(&p, in, size, NULL, &err);
    if (rc != 0) {
        check_error(in, size, rc, p, &err);
    } else {
        check_pattern(in, size, p);
        check_allocation_failures(in, size);
    }
    gcsplan_pattern_free(p);
    free(in);
    return 0;
}
