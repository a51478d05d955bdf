/* Masking credentials in server text. */
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "util/escape.h"

/* Runs of base64 or hex characters at least this long look like keys. */
#define RUN_MIN 32

static int b64c(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '_' || c == '-' || c == '=';
}

static int urlc(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

static int hexc(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void mark(unsigned char *m, size_t from, size_t to)
{
    memset(m + from, 1, to - from);
}

/* End of a run of url-safe characters (and dots when dots) from i. */
static size_t run_end(const unsigned char *s, size_t n, size_t i, int dots)
{
    while (i < n && (urlc(s[i]) || (dots && s[i] == '.')))
        i++;
    return i;
}

/* Credentials whoever they belong to. */
static void mark_patterns(const unsigned char *s, size_t n, unsigned char *m)
{
    for (size_t i = 0; i < n; i++) {
        size_t e;
        if (n - i >= 5 && memcmp(s + i, "ya29.", 5) == 0) {
            e = run_end(s, n, i + 5, 1);
            mark(m, i, e);
            i = e;
        } else if (n - i >= 3 && memcmp(s + i, "1//", 3) == 0 &&
                   (e = run_end(s, n, i + 3, 0)) - (i + 3) >= 8) {
            mark(m, i, e);
            i = e;
        } else if (n - i >= 3 && memcmp(s + i, "eyJ", 3) == 0 &&
                   (e = run_end(s, n, i + 3, 1)) - (i + 3) >= 8) {
            mark(m, i, e);
            i = e;
        } else if (n - i >= 10 && memcmp(s + i, "-----BEGIN", 10) == 0) {
            /* Through the END line's closing dashes, or to the end of the text. */
            const unsigned char *end = NULL;
            for (size_t k = i + 10; k + 8 <= n && end == NULL; k++)
                if (memcmp(s + k, "-----END", 8) == 0)
                    end = s + k;
            e = n;
            if (end != NULL) {
                size_t k = (size_t)(end - s) + 8;
                while (k < n && s[k] != '-' && s[k] != '\n')
                    k++;
                while (k < n && s[k] == '-')
                    k++;
                e = k;
            }
            mark(m, i, e);
            i = e;
        }
        if (i >= n)
            break;
    }
    /* Long runs that mix digits and both cases (base64 of random bytes
     * nearly always does; names of people's projects rarely), or are hex. */
    for (size_t i = 0; i < n;) {
        if (!b64c(s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        int up = 0, low = 0, dig = 0, hex = 1;
        while (j < n && b64c(s[j])) {
            up |= s[j] >= 'A' && s[j] <= 'Z';
            low |= s[j] >= 'a' && s[j] <= 'z';
            dig |= s[j] >= '0' && s[j] <= '9';
            hex &= hexc(s[j]);
            j++;
        }
        if (j - i >= RUN_MIN && ((up && low && dig) || hex))
            mark(m, i, j);
        i = j;
    }
}

/* --- our own secrets, in every form a server could quote them in --------------------- */

typedef struct grams {
    uint64_t *v;
    size_t n, cap;
    int oom;
} grams;

static void add_form(grams *g, const char *f, size_t n)
{
    if (g->oom || n < GCSPLAN__SECRET_MIN)
        return;
    size_t k = n - GCSPLAN__SECRET_MIN + 1;
    if (g->n + k > g->cap) {
        size_t cap = g->cap ? g->cap : 1024;
        while (cap < g->n + k)
            cap *= 2;
        /* Not realloc: the old block holds pieces of secrets to wipe. */
        uint64_t *v = malloc(cap * sizeof *v);
        if (v == NULL) {
            g->oom = 1;
            return;
        }
        if (g->v != NULL) {
            memcpy(v, g->v, g->n * sizeof *v);
            OPENSSL_cleanse(g->v, g->n * sizeof *v);
            free(g->v);
        }
        g->v = v;
        g->cap = cap;
    }
    /* An 8-byte window is exactly one uint64: no hashing, no collisions. */
    for (size_t i = 0; i < k; i++)
        memcpy(&g->v[g->n++], f + i, sizeof(uint64_t));
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void add_buf(grams *g, gcsplan__buf *b)
{
    add_form(g, b->p, b->len);
    OPENSSL_cleanse(b->p, b->len); /* the forms of a secret are secrets */
    gcsplan__buf_clear(b);
}

static void base64(gcsplan__buf *b, const unsigned char *s, size_t n, int url)
{
    static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *a = url ? safe : std;
    for (size_t i = 0; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        char q[4] = { a[v >> 18], a[v >> 12 & 63], a[v >> 6 & 63], a[v & 63] };
        gcsplan__buf_put(b, q, 4);
    }
}

/* A PEM key is looked for by its base64 body: its armour lines are public
 * words that ordinary messages contain. The forms are written into one
 * scratch block sized for the longest (6 bytes per byte, \u00XX), so that
 * no growing buffer leaves copies of a secret behind; it is wiped after. */
static void add_secret(grams *g, const char *sec)
{
    static const char hexu[] = "0123456789ABCDEF", hexl[] = "0123456789abcdef";
    size_t n = strlen(sec), cap = 6 * n + 16;
    char *scratch = malloc(cap);
    if (scratch == NULL) {
        g->oom = 1;
        return;
    }
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, scratch, cap);
    const char *p = sec;
    if (strncmp(sec, "-----BEGIN", 10) == 0) {
        char *body = malloc(n + 1);
        size_t k = 0;
        for (const char *q = sec; body != NULL && *q; q++) {
            if (*q == '-') { /* skip an armour line */
                while (*q && *q != '\n')
                    q++;
                if (!*q)
                    break;
                continue;
            }
            if (*q != '\n' && *q != '\r')
                body[k++] = *q;
        }
        if (body == NULL) {
            g->oom = 1;
        } else {
            body[k] = '\0';
            add_secret(g, body); /* it starts with no '-': no second round */
            OPENSSL_cleanse(body, k);
            free(body);
        }
        free(scratch);
        return;
    }
    add_form(g, p, n);
    for (int lower = 0; lower < 2; lower++) { /* percent-encoded */
        const char *hex = lower ? hexl : hexu;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (urlc(c) || c == '.' || c == '~') {
                gcsplan__buf_putc(&b, (char)c);
            } else {
                char e[3] = { '%', hex[c >> 4], hex[c & 15] };
                gcsplan__buf_put(&b, e, 3);
            }
        }
        add_buf(g, &b);
    }
    for (int slash = 0; slash < 2; slash++) { /* JSON-escaped, '/' as is and as "\/" */
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c == '"' || c == '\\' || (slash && c == '/')) {
                gcsplan__buf_putc(&b, '\\');
                gcsplan__buf_putc(&b, (char)c);
            } else if (c == '\n') {
                gcsplan__buf_put(&b, "\\n", 2);
            } else if (c < 0x20) {
                char e[6] = { '\\', 'u', '0', '0', hexl[c >> 4], hexl[c & 15] };
                gcsplan__buf_put(&b, e, 6);
            } else {
                gcsplan__buf_putc(&b, (char)c);
            }
        }
        add_buf(g, &b);
    }
    /* base64 of any stretch of the secret starts at one of three alignments */
    for (int url = 0; url < 2; url++)
        for (size_t off = 0; off < 3 && off < n; off++) {
            base64(&b, (const unsigned char *)p + off, n - off, url);
            add_buf(g, &b);
        }
    OPENSSL_cleanse(scratch, cap);
    free(scratch);
}

static int mark_secrets(const unsigned char *s, size_t n, unsigned char *m,
                        const char *const *secrets)
{
    grams g = { NULL, 0, 0, 0 };
    for (const char *const *p = secrets; p != NULL && *p != NULL; p++)
        if (strlen(*p) >= GCSPLAN__SECRET_MIN)
            add_secret(&g, *p);
    if (g.oom) {
        if (g.v != NULL)
            OPENSSL_cleanse(g.v, g.n * sizeof *g.v);
        free(g.v);
        return -1;
    }
    if (g.n > 0) {
        qsort(g.v, g.n, sizeof *g.v, cmp_u64);
        for (size_t i = 0; i + GCSPLAN__SECRET_MIN <= n; i++) {
            uint64_t w;
            memcpy(&w, s + i, sizeof w);
            if (bsearch(&w, g.v, g.n, sizeof *g.v, cmp_u64) != NULL)
                mark(m, i, i + GCSPLAN__SECRET_MIN);
        }
        OPENSSL_cleanse(g.v, g.n * sizeof *g.v);
    }
    free(g.v);
    return 0;
}

/* The mask of s[0..n) into m (n bytes, zeroed). */
static int mask_of(const char *s, size_t n, unsigned char *m, const char *const *secrets)
{
    mark_patterns((const unsigned char *)s, n, m);
    return mark_secrets((const unsigned char *)s, n, m, secrets);
}

int gcsplan__looks_secret(const char *s, size_t n, const char *const *secrets)
{
    if (n > GCSPLAN__SERVER_TEXT_IN_MAX)
        n = GCSPLAN__SERVER_TEXT_IN_MAX;
    unsigned char m[GCSPLAN__SERVER_TEXT_IN_MAX];
    memset(m, 0, n);
    if (mask_of(s, n, m, secrets) != 0)
        return 1; /* cannot tell: assume the worst */
    return memchr(m, 1, n) != NULL;
}

/* Bytes of s[0..n) that fit in max at a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

int gcsplan__server_text(gcsplan__buf *out, const char *s, size_t n, size_t max,
                         const char *const *secrets)
{
    if (n > GCSPLAN__SERVER_TEXT_IN_MAX)
        n = GCSPLAN__SERVER_TEXT_IN_MAX;
    unsigned char m[GCSPLAN__SERVER_TEXT_IN_MAX];
    char flat[GCSPLAN__SERVER_TEXT_IN_MAX + sizeof GCSPLAN__REDACTED];
    memset(m, 0, n);
    if (mask_of(s, n, m, secrets) != 0)
        return -1;
    /* Masked runs become one marker; control characters and white space runs
     * one space; leading and trailing space goes. */
    size_t k = 0;
    for (size_t i = 0; i < n && k < GCSPLAN__SERVER_TEXT_IN_MAX;) {
        if (m[i]) {
            while (i < n && m[i])
                i++;
            memcpy(flat + k, GCSPLAN__REDACTED, sizeof GCSPLAN__REDACTED - 1);
            k += sizeof GCSPLAN__REDACTED - 1;
            continue;
        }
        unsigned char c = (unsigned char)s[i++];
        int space = c < 0x20 || c == 0x7f || c == ' ';
        if (space) {
            if (k > 0 && flat[k - 1] != ' ')
                flat[k++] = ' ';
        } else {
            flat[k++] = (char)c;
        }
    }
    while (k > 0 && flat[k - 1] == ' ')
        k--;
    size_t keep = utf8_cut(flat, k, max);
    /* Escaping can join what was apart: "\xFE" then "CRET-01" reads
     * "ECRET-01", a piece of a secret the server never sent whole. The
     * escaped text is looked at once more for our secrets. */
    size_t cap = 4 * keep + 8;
    char *esc = malloc(cap);
    unsigned char *m2 = malloc(cap);
    if (esc == NULL || m2 == NULL) {
        free(esc);
        free(m2);
        return -1;
    }
    gcsplan__buf e;
    gcsplan__buf_fixed(&e, esc, cap);
    gcsplan__term_str(&e, flat, keep);
    if (keep < k)
        gcsplan__buf_puts(&e, "...");
    memset(m2, 0, e.len);
    int rc = mark_secrets((const unsigned char *)e.p, e.len, m2, secrets);
    for (size_t i = 0; rc == 0 && i < e.len;) {
        size_t j = i;
        while (j < e.len && m2[j] == m2[i])
            j++;
        if (m2[i])
            gcsplan__buf_puts(out, GCSPLAN__REDACTED);
        else
            gcsplan__buf_put(out, e.p + i, j - i);
        i = j;
    }
    free(esc);
    free(m2);
    return rc;
}
