/* The URI compiler: checks an import URI against SPEC section 1, explains the
 * first rule it breaks, and builds the compiled pattern the matcher runs. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "pattern_impl.h"
#include "util/utf8.h"

#define SCHEME "gs://"
#define SCHEME_LEN 5
#define BUCKET_MIN 3
#define BUCKET_PLAIN_MAX 63 /* without dots */
#define BUCKET_PART_MAX 63
#define NO_POS SIZE_MAX
#define HINT_ROUNDS 4 /* rules a hint may fix one after another */

/* What a successful scan learned about the URI. */
typedef struct scan {
    size_t bucket_len;
    size_t obj_off, obj_len;
    size_t star2;      /* offset of "**" in the URI, or NO_POS */
    size_t first_wild; /* offset of the first '*' or '?', or NO_POS */
    size_t min_len;
    size_t nslash;
} scan;

static int fail(gcsplan_error *e, int rule, size_t off, size_t len, const char *fmt, ...)
    GCSPLAN_PRINTF(5, 6);

static int fail(gcsplan_error *e, int rule, size_t off, size_t len, const char *fmt, ...)
{
    if (e != NULL) {
        gcsplan_error_clear(e);
        e->code = GCSPLAN_EURI;
        e->rule = rule;
        e->offset = off;
        e->length = len;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof e->message, fmt, ap);
        va_end(ap);
    }
    return GCSPLAN_EURI;
}

static int validate(const char *u, size_t n, gcsplan_error *e, int want_hint, scan *sc);

/* Offer a corrected URI, assembled from up to three byte ranges, only when it
 * fits and is itself valid: a hint that does not compile would mislead. */
static void hint3(gcsplan_error *e, int want_hint, const char *a, size_t alen, const char *b,
                  size_t blen, const char *c, size_t clen)
{
    if (e == NULL || want_hint <= 0 || alen + blen + clen >= sizeof e->hint)
        return;
    /* A hint is a C string: input with a NUL in it cannot have one. */
    if (memchr(a, '\0', alen) || memchr(b, '\0', blen) || memchr(c, '\0', clen))
        return;
    char buf[GCSPLAN_HINT_MAX];
    memcpy(buf, a, alen);
    memcpy(buf + alen, b, blen);
    memcpy(buf + alen + blen, c, clen);
    size_t n = alen + blen + clen;
    buf[n] = '\0';
    /* A URI can break several rules (GS://Bucket/x): the candidate's own hint,
     * already checked, fixes the next one. want_hint counts the rounds left. */
    gcsplan_error next;
    scan sc;
    if (validate(buf, n, &next, want_hint - 1, &sc) == 0)
        memcpy(e->hint, buf, n + 1);
    else if (next.hint[0] != '\0')
        memcpy(e->hint, next.hint, strlen(next.hint) + 1);
}

/* Printable form of one byte for a message. */
static const char *show_byte(char out[8], unsigned char c)
{
    if (c >= 0x21 && c < 0x7f)
        snprintf(out, 8, "'%c'", c);
    else if (c == ' ')
        snprintf(out, 8, "space");
    else
        snprintf(out, 8, "0x%02X", c);
    return out;
}

static int is_lower_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int validate_scheme(const char *u, size_t n, gcsplan_error *e, int want_hint)
{
    static const char *const https[] = {
        "https://storage.googleapis.com/", "https://storage.cloud.google.com/",
        "http://storage.googleapis.com/",
    };
    if (n >= SCHEME_LEN && memcmp(u, SCHEME, SCHEME_LEN) == 0)
        return 0;
    if (n >= SCHEME_LEN && (u[0] == 'g' || u[0] == 'G') && (u[1] == 's' || u[1] == 'S') &&
        memcmp(u + 2, "://", 3) == 0) {
        fail(e, GCSPLAN_RULE_SCHEME, 0, SCHEME_LEN, "the scheme is lowercase 'gs://'");
        hint3(e, want_hint, SCHEME, SCHEME_LEN, u + SCHEME_LEN, n - SCHEME_LEN, "", 0);
        return GCSPLAN_EURI;
    }
    for (size_t i = 0; i < sizeof https / sizeof https[0]; i++) {
        size_t k = strlen(https[i]);
        if (n >= k && memcmp(u, https[i], k) == 0) {
            fail(e, GCSPLAN_RULE_SCHEME, 0, k, "an import URI is a gs:// URI, not an HTTP URL");
            hint3(e, want_hint, SCHEME, SCHEME_LEN, u + k, n - k, "", 0);
            return GCSPLAN_EURI;
        }
    }
    if (n >= 3 && memcmp(u, "gs:", 3) == 0) {
        size_t k = 3;
        while (k < n && (u[k] == '/' || u[k] == '\\'))
            k++;
        fail(e, GCSPLAN_RULE_SCHEME, 0, k, "the scheme is 'gs://', with two slashes");
        hint3(e, want_hint, SCHEME, SCHEME_LEN, u + k, n - k, "", 0);
        return GCSPLAN_EURI;
    }
    const char *sep = NULL;
    for (size_t i = 0; i + 3 <= n; i++)
        if (memcmp(u + i, "://", 3) == 0) {
            sep = u + i;
            break;
        }
    if (sep != NULL) {
        size_t k = (size_t)(sep - u) + 3;
        /* The scheme is shown only when it is plain: a message is one line
         * of text whatever the input holds. */
        int plain = k <= 32;
        for (size_t i = 0; i < k && plain; i++)
            plain = u[i] > 0x20 && u[i] < 0x7f;
        if (!plain)
            return fail(e, GCSPLAN_RULE_SCHEME, 0, k,
                        "unsupported scheme: import URIs start with 'gs://'");
        return fail(e, GCSPLAN_RULE_SCHEME, 0, k,
                    "unsupported scheme '%.*s': import URIs start with 'gs://'", (int)k, u);
    }
    fail(e, GCSPLAN_RULE_SCHEME, 0, n ? 1 : 0, "an import URI starts with 'gs://'");
    hint3(e, want_hint, SCHEME, SCHEME_LEN, u, n, "", 0);
    return GCSPLAN_EURI;
}

static int is_ipv4(const char *b, size_t n)
{
    int parts = 0;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        unsigned v = 0;
        while (j < n && b[j] >= '0' && b[j] <= '9' && j - i < 4)
            v = v * 10 + (unsigned)(b[j++] - '0');
        if (j == i || j - i > 3 || v > 255)
            return 0;
        parts++;
        if (j == n)
            break;
        if (b[j] != '.')
            return 0;
        i = j + 1;
    }
    return parts == 4;
}

static int validate_bucket(const char *u, size_t n, gcsplan_error *e, int want_hint, size_t *blen_out)
{
    const char *b = u + SCHEME_LEN;
    const char *slash = memchr(b, '/', n - SCHEME_LEN);
    size_t blen = slash ? (size_t)(slash - b) : n - SCHEME_LEN;
    const size_t o = SCHEME_LEN;
    char shown[8];

    *blen_out = blen;
    if (blen == 0)
        return fail(e, GCSPLAN_RULE_BUCKET_EMPTY, o, slash ? 1 : 0,
                    "the bucket name is missing after 'gs://'");
    for (size_t i = 0; i < blen; i++)
        if (b[i] == '*' || b[i] == '?')
            return fail(e, GCSPLAN_RULE_BUCKET_WILDCARD, o + i, 1,
                        "wildcards are not allowed in the bucket name");
    int upper_only = 1;
    size_t bad = NO_POS;
    for (size_t i = 0; i < blen; i++) {
        unsigned char c = (unsigned char)b[i];
        if (is_lower_alnum(c) || c == '-' || c == '_' || c == '.')
            continue;
        if (bad == NO_POS)
            bad = i;
        if (!(c >= 'A' && c <= 'Z'))
            upper_only = 0;
    }
    if (bad != NO_POS) {
        unsigned char c = (unsigned char)b[bad];
        size_t len = c >= 0x80 ? gcsplan__utf8_char((const unsigned char *)b + bad, blen - bad) : 1;
        if (upper_only) {
            fail(e, GCSPLAN_RULE_BUCKET_CHAR, o + bad, 1,
                 "bucket names are lowercase: %s is not allowed", show_byte(shown, c));
            if (e != NULL && want_hint && blen < 256) {
                char low[256];
                for (size_t i = 0; i < blen; i++)
                    low[i] = (char)((b[i] >= 'A' && b[i] <= 'Z') ? b[i] + 32 : b[i]);
                hint3(e, want_hint, u, o, low, blen, b + blen, n - o - blen);
            }
            return GCSPLAN_EURI;
        }
        return fail(e, GCSPLAN_RULE_BUCKET_CHAR, o + bad, len,
                    "%s is not allowed in a bucket name (use a-z, 0-9, '-', '_' and '.')",
                    show_byte(shown, c));
    }
    int dots = memchr(b, '.', blen) != NULL;
    if (blen < BUCKET_MIN || blen > GCSPLAN_BUCKET_MAX || (!dots && blen > BUCKET_PLAIN_MAX))
        return fail(e, GCSPLAN_RULE_BUCKET_LENGTH, o, blen,
                    "a bucket name has 3 to 63 characters (up to 222 with dots), not %zu", blen);
    if (!is_lower_alnum((unsigned char)b[0]))
        return fail(e, GCSPLAN_RULE_BUCKET_EDGE, o, 1,
                    "a bucket name starts with a letter or digit");
    if (!is_lower_alnum((unsigned char)b[blen - 1]))
        return fail(e, GCSPLAN_RULE_BUCKET_EDGE, o + blen - 1, 1,
                    "a bucket name ends with a letter or digit");
    if (dots) {
        size_t start = 0;
        for (size_t i = 0; i <= blen; i++) {
            if (i < blen && b[i] != '.')
                continue;
            size_t plen = i - start;
            if (plen == 0)
                return fail(e, GCSPLAN_RULE_BUCKET_PART, o + i, 1,
                            "a bucket name has no empty parts between dots");
            if (plen > BUCKET_PART_MAX)
                return fail(e, GCSPLAN_RULE_BUCKET_PART, o + start, plen,
                            "each dot-separated part of a bucket name has at most 63 "
                            "characters, not %zu", plen);
            start = i + 1;
        }
        if (is_ipv4(b, blen))
            return fail(e, GCSPLAN_RULE_BUCKET_IPV4, o, blen,
                        "a bucket name cannot be an IPv4 address");
    }
    if (blen >= 4 && memcmp(b, "goog", 4) == 0)
        return fail(e, GCSPLAN_RULE_BUCKET_GOOG, o, 4,
                    "a bucket name cannot start with \"goog\"");
    for (size_t i = 0; i + 6 <= blen; i++)
        if (memcmp(b + i, "google", 6) == 0)
            return fail(e, GCSPLAN_RULE_BUCKET_GOOGLE, o + i, 6,
                        "a bucket name cannot contain \"google\"");
    return 0;
}

/* Offset just after the last '/' in u[from, to), or from when there is none. */
static size_t segment_start(const char *u, size_t from, size_t to)
{
    for (size_t i = to; i > from; i--)
        if (u[i - 1] == '/')
            return i;
    return from;
}

static int validate_object(const char *u, size_t n, gcsplan_error *e, int want_hint, scan *sc)
{
    const size_t o = sc->obj_off;
    char shown[8];

    sc->star2 = NO_POS;
    sc->first_wild = NO_POS;
    sc->min_len = 0;
    sc->nslash = 0;
    for (size_t i = o; i < n;) {
        unsigned char c = (unsigned char)u[i];
        if (c == '\r' || c == '\n')
            return fail(e, GCSPLAN_RULE_NEWLINE, i, 1,
                        "object names cannot contain %s", c == '\r' ? "CR" : "LF");
        if (c >= 0x80) {
            size_t k = gcsplan__utf8_seq((const unsigned char *)u + i, n - i);
            if (k == 0)
                return fail(e, GCSPLAN_RULE_UTF8, i, 1, "invalid UTF-8: byte %s",
                            show_byte(shown, c));
            sc->min_len += k;
            i += k;
            continue;
        }
        if (c == '*') {
            size_t r = 1;
            while (i + r < n && u[i + r] == '*')
                r++;
            if (r >= 3) {
                fail(e, GCSPLAN_RULE_TRIPLE_STAR, i, r,
                     "'%.*s' is not a wildcard: use '*' within a segment or '**' at the end",
                     (int)(r > 8 ? 8 : r), "********");
                hint3(e, want_hint, u, i, "**", 2, u + i + r, n - i - r);
                return GCSPLAN_EURI;
            }
            if (r == 2) {
                if (sc->star2 != NO_POS)
                    return fail(e, GCSPLAN_RULE_RECURSIVE_TWICE, i, 2,
                                "'**' may appear only once (first at byte %zu)", sc->star2);
                if (sc->first_wild != NO_POS) {
                    fail(e, GCSPLAN_RULE_RECURSIVE_MIXED, i, 2,
                         "'**' cannot be combined with other wildcards ('%c' at byte %zu)",
                         u[sc->first_wild], sc->first_wild);
                    size_t keep = segment_start(u, o, sc->first_wild);
                    if (memchr(u + i + 2, '/', n - i - 2) == NULL)
                        hint3(e, want_hint, u, keep, "**", 2, u + i + 2, n - i - 2);
                    return GCSPLAN_EURI;
                }
                sc->star2 = i;
                i += 2;
                continue;
            }
        }
        if ((c == '*' || c == '?') && sc->star2 != NO_POS) {
            fail(e, GCSPLAN_RULE_RECURSIVE_MIXED, i, 1,
                 "'%c' cannot be combined with '**' (at byte %zu)", c, sc->star2);
            return GCSPLAN_EURI;
        }
        if (c == '*' || c == '?') {
            if (sc->first_wild == NO_POS)
                sc->first_wild = i;
            sc->min_len += c == '?';
            i++;
            continue;
        }
        if (c == '/' && sc->star2 != NO_POS) {
            fail(e, GCSPLAN_RULE_RECURSIVE_NOT_LAST, i, n - i,
                 "'**' must end the path: only a suffix without '/' may follow it");
            /* "every .dcm below dir" written with a slash after the double star is
             * the double star followed by ".dcm": keep the last segment, minus its stars. */
            size_t last = segment_start(u, i, n);
            size_t strip = last;
            while (strip < n && u[strip] == '*')
                strip++;
            if (strip > last || last == n)
                hint3(e, want_hint, u, sc->star2 + 2, u + strip, n - strip, "", 0);
            return GCSPLAN_EURI;
        }
        sc->nslash += c == '/';
        sc->min_len++;
        i++;
    }
    int literal = sc->star2 == NO_POS && sc->first_wild == NO_POS;
    if (sc->min_len > GCSPLAN_NAME_MAX) {
        if (literal)
            return fail(e, GCSPLAN_RULE_TOO_LONG, o, n - o,
                        "an object name has at most 1024 bytes, this one has %zu", sc->min_len);
        return fail(e, GCSPLAN_RULE_TOO_LONG, o, n - o,
                    "the shortest name this pattern matches has %zu bytes, over the 1024-byte "
                    "limit of object names", sc->min_len);
    }
    if (literal && ((n - o == 1 && u[o] == '.') || (n - o == 2 && u[o] == '.' && u[o + 1] == '.')))
        return fail(e, GCSPLAN_RULE_DOT_NAME, o, n - o,
                    "'.' and '..' are not valid object names");
    return 0;
}

/* Check every rule; on success fill sc. Hints are built only when want_hint > 0. */
static int validate(const char *u, size_t n, gcsplan_error *e, int want_hint, scan *sc)
{
    int rc = validate_scheme(u, n, e, want_hint);
    if (rc == 0)
        rc = validate_bucket(u, n, e, want_hint, &sc->bucket_len);
    if (rc != 0)
        return rc;
    size_t slash = SCHEME_LEN + sc->bucket_len;
    if (slash + 1 >= n) {
        fail(e, GCSPLAN_RULE_OBJECT_EMPTY, n, 0,
             "the object pattern is missing: use gs://%.*s/** for the whole bucket",
             (int)sc->bucket_len, u + SCHEME_LEN);
        hint3(e, want_hint, u, slash, "/**", 3, "", 0);
        return GCSPLAN_EURI;
    }
    sc->obj_off = slash + 1;
    sc->obj_len = n - sc->obj_off;
    return validate_object(u, n, e, want_hint, sc);
}

/* --- warnings ------------------------------------------------------------------------- */

static void warn(gcsplan_pattern *p, int rule, size_t off, size_t len, const char *hint,
                 size_t hint_len, const char *fmt, ...) GCSPLAN_PRINTF(7, 8);

/* Each rule warns at most once, so GP_MAX_WARNINGS always suffices. A warning
 * that cannot be allocated sets p->oom: compiling then fails with
 * GCSPLAN_ENOMEM rather than quietly losing the warning. */
static void warn(gcsplan_pattern *p, int rule, size_t off, size_t len, const char *hint,
                 size_t hint_len, const char *fmt, ...)
{
    if (p->nwarnings == GP_MAX_WARNINGS || p->oom)
        return;
    char msg[GCSPLAN_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *m = gcsplan__strndup(&p->alloc, msg, strlen(msg));
    char *h = NULL;
    scan sc;
    if (hint != NULL && memchr(hint, '\0', hint_len) != NULL)
        hint = NULL; /* not expressible as a C string */
    if (m != NULL && hint != NULL && validate(hint, hint_len, NULL, 0, &sc) == 0 &&
        (h = gcsplan__strndup(&p->alloc, hint, hint_len)) == NULL) {
        gcsplan__free(&p->alloc, m);
        m = NULL;
    }
    if (m == NULL) {
        p->oom = 1;
        return;
    }
    gcsplan_warning *w = &p->warnings[p->nwarnings++];
    w->rule = rule;
    w->offset = off;
    w->length = len;
    w->message = m;
    w->hint = h;
}

static void find_warnings(gcsplan_pattern *p)
{
    const char *u = p->uri;
    const size_t o = p->object_off, n = p->uri_len;
    char buf[GCSPLAN_HINT_MAX];

    if (p->kind == GCSPLAN_PATTERN_LITERAL && u[n - 1] == '/' && n + 3 < sizeof buf) {
        memcpy(buf, u, n);
        memcpy(buf + n, "**", 3);
        warn(p, GCSPLAN_RULE_W_TRAILING_SLASH, n - 1, 1, buf, n + 2,
             "a URI without wildcards names one object: this is the folder placeholder "
             "'%.40s', not its contents", p->object);
    }
    if (p->kind == GCSPLAN_PATTERN_RECURSIVE && p->suffix_len > 0 && u[n - p->suffix_len] != '.') {
        size_t s = n - p->suffix_len;
        int word = 1;
        for (size_t i = s; i < n; i++)
            word &= is_lower_alnum((unsigned char)u[i]) || (u[i] >= 'A' && u[i] <= 'Z');
        memcpy(buf, u, s);
        buf[s] = '.';
        memcpy(buf + s + 1, u + s, p->suffix_len);
        warn(p, GCSPLAN_RULE_W_SUFFIX_NO_DOT, s, p->suffix_len, word ? buf : NULL, n + 1,
             "the suffix after '**' does not start with '.': it matches any name ending "
             "in '%.40s'", u + s);
    }
    if (p->kind == GCSPLAN_PATTERN_RECURSIVE && p->prefix_len > 0 &&
        u[o + p->prefix_len - 1] != '/')
        warn(p, GCSPLAN_RULE_W_PARTIAL_RECURSIVE, o + p->prefix_len, 2, NULL, 0,
             "'**' crosses '/': this also matches names below any folder whose name starts "
             "with '%.*s'", (int)(p->prefix_len - (segment_start(u, o, o + p->prefix_len) - o)),
             u + segment_start(u, o, o + p->prefix_len));
    for (size_t i = o; i < n; i++) {
        if (u[i] == '/' && (i == o || u[i - 1] == '/')) {
            size_t k = 0;
            for (size_t j = 0; j < n; j++)
                if (!(j >= o && u[j] == '/' && (j == o || u[j - 1] == '/')))
                    buf[k++] = u[j];
            warn(p, GCSPLAN_RULE_W_EMPTY_SEGMENT, i, 1, k > o ? buf : NULL, k,
                 "an empty path segment: '%s' matches only names with '%s' in them",
                 i == o ? "leading /" : "//", i == o ? "a leading '/'" : "'//'");
            break;
        }
    }
    for (size_t i = o; i < n; i++) {
        if (u[i] == '[' || u[i] == '{' || u[i] == '\\') {
            warn(p, GCSPLAN_RULE_W_LITERAL_META, i, 1, NULL, 0,
                 "'%c' is an ordinary character here: import URIs have only '*', '**' and '?'",
                 u[i]);
            break;
        }
    }
    if (u[o] == ' ' || u[o] == '\t' || u[n - 1] == ' ' || u[n - 1] == '\t') {
        size_t at = (u[o] == ' ' || u[o] == '\t') ? o : n - 1;
        warn(p, GCSPLAN_RULE_W_SPACE_EDGE, at, 1, NULL, 0,
             "the object pattern %s with white space, which is part of the name",
             at == o ? "starts" : "ends");
    }
}

/* --- building the compiled form ------------------------------------------------------- */

static void build_segments(gcsplan_pattern *p)
{
    const char *obj = p->object;
    size_t start = 0, si = 0, ti = 0;
    p->first_glob = NO_POS;
    p->lit_end = 0;
    for (size_t i = 0; i <= p->object_len; i++) {
        if (i < p->object_len && obj[i] != '/')
            continue;
        gp_seg *s = &p->segs[si];
        s->off = (uint32_t)start;
        s->len = (uint32_t)(i - start);
        s->tok = (uint32_t)ti;
        s->ntok = 0;
        s->min_bytes = 0;
        s->wildcard = 0;
        for (size_t j = start; j < i; j++)
            if (obj[j] == '*' || obj[j] == '?')
                s->wildcard = 1;
        if (s->wildcard && p->kind == GCSPLAN_PATTERN_RECURSIVE)
            s->wildcard = 2;
        if (s->wildcard == 1) {
            for (size_t j = start; j < i;) {
                gp_tok *t = &p->toks[ti++];
                size_t k = j;
                if (obj[j] == '*') {
                    t->kind = GP_TOK_STAR;
                    k++;
                } else if (obj[j] == '?') {
                    while (k < i && obj[k] == '?')
                        k++;
                    t->kind = GP_TOK_ONE;
                    s->min_bytes += (uint32_t)(k - j);
                } else {
                    while (k < i && obj[k] != '*' && obj[k] != '?')
                        k++;
                    t->kind = GP_TOK_LIT;
                    s->min_bytes += (uint32_t)(k - j);
                }
                t->off = (uint32_t)j;
                t->len = (uint32_t)(k - j);
                j = k;
            }
            s->ntok = (uint32_t)(ti - s->tok);
            s->head = s->ntok;
            s->tail = 0;
            for (uint32_t k = 0; k < s->ntok; k++)
                if (p->toks[s->tok + k].kind == GP_TOK_STAR) {
                    if (s->head == s->ntok)
                        s->head = k;
                    s->tail = k + 1;
                }
        } else {
            s->min_bytes = s->len;
        }
        if (s->wildcard && p->first_glob == NO_POS) {
            p->first_glob = si;
            p->lit_end = start;
        }
        si++;
        start = i + 1;
    }
    p->nsegs = si;
    p->ntoks = ti;
    if (p->first_glob == NO_POS) {
        p->first_glob = si;
        p->lit_end = p->object_len;
    }
}

int gcsplan_pattern_compile(gcsplan_pattern **out, const char *uri, size_t len,
                            const gcsplan_pattern_options *opts, gcsplan_error *err)
{
    if (out == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out is NULL");
    *out = NULL;
    if (uri == NULL && len > 0)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "uri is NULL");
    if (opts != NULL && opts->version != GCSPLAN_PATTERN_OPTIONS_VERSION)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "unsupported options version %u",
                                  opts->version);
    const gcsplan_allocator *a = gcsplan__allocator_or_default(opts ? opts->allocator : NULL);

    scan sc;
    int rc = validate(uri ? uri : "", len, err, HINT_ROUNDS, &sc);
    if (rc != 0)
        return rc;

    gcsplan_pattern *p = gcsplan__malloc(a, sizeof *p);
    if (p == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    p->alloc = *a;
    p->uri = gcsplan__strndup(a, uri, len);
    p->bucket = gcsplan__strndup(a, uri + SCHEME_LEN, sc.bucket_len);
    /* Upper bounds: one segment per '/', one token per byte. */
    p->segs = gcsplan__malloc(a, (sc.nslash + 1) * sizeof *p->segs);
    p->toks = gcsplan__malloc(a, sc.obj_len * sizeof *p->toks);
    if (p->uri == NULL || p->bucket == NULL || p->segs == NULL || p->toks == NULL) {
        gcsplan_pattern_free(p);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    p->uri_len = len;
    p->object_off = sc.obj_off;
    p->object = p->uri + sc.obj_off;
    p->object_len = sc.obj_len;
    p->min_len = sc.min_len;
    if (sc.star2 != NO_POS) {
        p->kind = GCSPLAN_PATTERN_RECURSIVE;
        p->prefix_len = sc.star2 - sc.obj_off;
        p->suffix_len = len - sc.star2 - 2;
    } else if (sc.first_wild != NO_POS) {
        p->kind = GCSPLAN_PATTERN_SEGMENTED;
        p->prefix_len = sc.first_wild - sc.obj_off;
        while (p->tail_len < sc.obj_len && uri[len - p->tail_len - 1] != '*' &&
               uri[len - p->tail_len - 1] != '?')
            p->tail_len++;
    } else {
        p->kind = GCSPLAN_PATTERN_LITERAL;
        p->prefix_len = sc.obj_len;
        if (sc.obj_len >= sizeof p->lit_tail)
            memcpy(&p->lit_tail, p->object + sc.obj_len - sizeof p->lit_tail, sizeof p->lit_tail);
    }
    build_segments(p);
    find_warnings(p);
    if (p->oom) {
        gcsplan_pattern_free(p);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    gcsplan_error_clear(err);
    *out = p;
    return 0;
}

void gcsplan_pattern_free(gcsplan_pattern *p)
{
    if (p == NULL)
        return;
    gcsplan_allocator a = p->alloc;
    for (size_t i = 0; i < p->nwarnings; i++) {
        gcsplan__free(&a, (void *)p->warnings[i].message);
        gcsplan__free(&a, (void *)p->warnings[i].hint);
    }
    gcsplan__free(&a, p->toks);
    gcsplan__free(&a, p->segs);
    gcsplan__free(&a, p->bucket);
    gcsplan__free(&a, p->uri);
    gcsplan__free(&a, p);
}

/* --- queries -------------------------------------------------------------------------- */

gcsplan_pattern_kind gcsplan_pattern_kind_of(const gcsplan_pattern *p) { return p->kind; }
const char *gcsplan_pattern_uri(const gcsplan_pattern *p) { return p->uri; }
const char *gcsplan_pattern_bucket(const gcsplan_pattern *p) { return p->bucket; }
size_t gcsplan_pattern_min_length(const gcsplan_pattern *p) { return p->min_len; }
size_t gcsplan_pattern_segment_count(const gcsplan_pattern *p) { return p->nsegs; }
size_t gcsplan_pattern_warning_count(const gcsplan_pattern *p) { return p->nwarnings; }

int gcsplan_pattern_crosses_slash(const gcsplan_pattern *p)
{
    return p->kind == GCSPLAN_PATTERN_RECURSIVE;
}

const char *gcsplan_pattern_object(const gcsplan_pattern *p, size_t *len)
{
    if (len != NULL)
        *len = p->object_len;
    return p->object;
}

const char *gcsplan_pattern_prefix(const gcsplan_pattern *p, size_t *len)
{
    if (len != NULL)
        *len = p->prefix_len;
    return p->object;
}

const char *gcsplan_pattern_suffix(const gcsplan_pattern *p, size_t *len)
{
    if (len != NULL)
        *len = p->suffix_len;
    return p->object + p->object_len - p->suffix_len;
}

int gcsplan_pattern_segment(const gcsplan_pattern *p, size_t i, gcsplan_segment *seg)
{
    if (i >= p->nsegs || seg == NULL)
        return GCSPLAN_EINVAL;
    const gp_seg *s = &p->segs[i];
    seg->text = p->object + s->off;
    seg->len = s->len;
    seg->offset = s->off;
    seg->wildcard = (int)s->wildcard;
    return 0;
}

const gcsplan_warning *gcsplan_pattern_warning(const gcsplan_pattern *p, size_t i)
{
    return i < p->nwarnings ? &p->warnings[i] : NULL;
}
