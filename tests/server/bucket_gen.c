/*
 * Generated buckets: names come from a template with k numeric fields, each
 * zero-padded to a fixed width and running 1..N_j. Fixed widths make every
 * name the same length with the literals at the same offsets, so byte order
 * of names equals the numeric order of the field tuple, which is the
 * mixed-radix index. Name-of-index and lower_bound are then plain arithmetic
 * and a bucket of any size costs a few hundred bytes.
 */
#include "bucket.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_MAX_FIELDS 8
#define GEN_MAX_WIDTH 18 /* 10^18 still fits the 64-bit arithmetic below */

typedef struct {
    bucket base;
    size_t k;                         /* number of fields */
    char *lit[GEN_MAX_FIELDS + 1];    /* literal before field j; lit[k] is the tail */
    size_t litlen[GEN_MAX_FIELDS + 1];
    unsigned width[GEN_MAX_FIELDS];
    uint64_t n[GEN_MAX_FIELDS];       /* field j runs 1..n[j] */
    uint64_t rest[GEN_MAX_FIELDS + 1];/* rest[j] = n[j] * ... * n[k-1]; rest[k] = 1 */
    uint64_t size_min, size_max;
    content_kind content;
} gen_bucket;

static const uint64_t pow10_tab[] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
    1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
    100000000000ULL, 1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
    1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
    1000000000000000000ULL};

static size_t gb_count(const bucket *b) { return (size_t)((const gen_bucket *)b)->rest[0]; }

static const char *gb_name(const bucket *b, size_t i, char *buf, size_t *len)
{
    const gen_bucket *g = (const gen_bucket *)b;
    size_t p = 0;
    for (size_t j = 0; j <= g->k; j++) {
        memcpy(buf + p, g->lit[j], g->litlen[j]);
        p += g->litlen[j];
        if (j == g->k)
            break;
        uint64_t v = ((uint64_t)i / g->rest[j + 1]) % g->n[j] + 1;
        for (unsigned w = g->width[j]; w > 0; w--) {
            buf[p + w - 1] = (char)('0' + v % 10);
            v /= 10;
        }
        p += g->width[j];
    }
    buf[p] = '\0';
    *len = p;
    return buf;
}

static uint64_t gb_size(const bucket *b, size_t i)
{
    const gen_bucket *g = (const gen_bucket *)b;
    if (g->size_max == g->size_min)
        return g->size_min;
    return g->size_min + srv_mix64(i) % (g->size_max - g->size_min + 1);
}

static content_kind gb_content(const bucket *b, size_t i)
{
    (void)i;
    return ((const gen_bucket *)b)->content;
}

static uint64_t digits_value(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

/* Walks the template against the key. acc is the mixed-radix index of the
 * fields fixed so far; when the key departs from every name with those
 * fields, the answer is either the first name of that group (acc*rest[j]) or
 * the first name after it ((acc+1)*rest[j]). */
static size_t gb_lower_bound(const bucket *b, const char *key, size_t keylen)
{
    const gen_bucket *g = (const gen_bucket *)b;
    const unsigned char *k = (const unsigned char *)key;
    uint64_t acc = 0;
    size_t p = 0;
    for (size_t j = 0;; j++) {
        const unsigned char *lit = (const unsigned char *)g->lit[j];
        for (size_t t = 0; t < g->litlen[j]; t++, p++) {
            if (p == keylen || k[p] < lit[t])
                return (size_t)(acc * g->rest[j]);
            if (k[p] > lit[t])
                return (size_t)((acc + 1) * g->rest[j]);
        }
        if (j == g->k) /* the name equals key[0..p); a longer key sorts after it */
            return (size_t)(p == keylen ? acc : acc + 1);
        if (p == keylen)
            return (size_t)(acc * g->rest[j]);
        size_t w = g->width[j];
        size_t l = keylen - p < w ? keylen - p : w;
        const char *s = key + p;
        size_t q = 0;
        while (q < l && s[q] >= '0' && s[q] <= '9')
            q++;
        uint64_t v;
        if (q == w) {
            v = digits_value(s, w);
            if (v >= 1 && v <= g->n[j]) {
                acc = acc * g->n[j] + (v - 1);
                p += w;
                continue;
            }
        } else if (q == l || (unsigned char)s[q] < '0') {
            /* digits so far, then the smallest completion: zeros */
            v = digits_value(s, q) * pow10_tab[w - q];
        } else {
            /* a byte above '9': every completion of s[0..q) sorts below the key */
            v = (digits_value(s, q) + 1) * pow10_tab[w - q];
        }
        if (v == 0)
            v = 1;
        if (v > g->n[j])
            return (size_t)((acc + 1) * g->rest[j]);
        return (size_t)((acc * g->n[j] + (v - 1)) * g->rest[j + 1]);
    }
}

static void gb_destroy(bucket *b)
{
    gen_bucket *g = (gen_bucket *)b;
    for (size_t j = 0; j <= g->k; j++)
        free(g->lit[j]);
}

static const struct bucket_ops gen_ops = {gb_count, gb_name, gb_size, gb_content,
                                          gb_lower_bound, gb_destroy};

static const char *default_template(size_t k)
{
    switch (k) {
    case 1: return "IM-%d.dcm";
    case 2: return "S%d/IM-%d.dcm";
    case 3: return "studies/S%d/series-%d/IM-%d.dcm";
    case 4: return "p%d/studies/S%d/series-%d/IM-%d.dcm";
    default: return NULL;
    }
}

static unsigned digits_of(uint64_t v)
{
    unsigned d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 18)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    *out = digits_value(s, n);
    return 0;
}

/* Head: COUNTS[,size=N|MIN-MAX][,content=auto|dicom|text|zero] */
static int parse_head(gen_bucket *g, const char *h, size_t hn, char *err, size_t errlen)
{
    size_t i = 0;
    g->size_min = 1000;
    g->size_max = 1000000;
    while (i < hn) {
        size_t e = i;
        while (e < hn && h[e] != ',')
            e++;
        const char *f = h + i;
        size_t fn = e - i;
        if (i == 0) {
            for (size_t a = 0;;) {
                size_t x = a;
                while (x < fn && f[x] != 'x')
                    x++;
                if (g->k == GEN_MAX_FIELDS || parse_u64(f + a, x - a, &g->n[g->k]) ||
                    g->n[g->k] == 0) {
                    snprintf(err, errlen, "counts must be up to %d positive integers joined by 'x'",
                             GEN_MAX_FIELDS);
                    return -1;
                }
                g->k++;
                if (x == fn)
                    break;
                a = x + 1;
            }
        } else if (fn > 5 && !strncmp(f, "size=", 5)) {
            const char *d = memchr(f + 5, '-', fn - 5);
            size_t l1 = d ? (size_t)(d - f - 5) : fn - 5;
            if (parse_u64(f + 5, l1, &g->size_min) ||
                (d ? parse_u64(d + 1, (size_t)(f + fn - d - 1), &g->size_max)
                   : (g->size_max = g->size_min, 0)) ||
                g->size_max < g->size_min) {
                snprintf(err, errlen, "size= takes N or MIN-MAX");
                return -1;
            }
        } else if (fn > 8 && !strncmp(f, "content=", 8)) {
            static const char *names[] = {"auto", "dicom", "text", "zero"};
            size_t c;
            for (c = 0; c < 4; c++)
                if (strlen(names[c]) == fn - 8 && !strncmp(f + 8, names[c], fn - 8))
                    break;
            if (c == 4) {
                snprintf(err, errlen, "content= takes auto, dicom, text or zero");
                return -1;
            }
            g->content = (content_kind)c;
        } else {
            snprintf(err, errlen, "unknown option '%.*s'", (int)fn, f);
            return -1;
        }
        i = e + 1;
    }
    if (g->k == 0) {
        snprintf(err, errlen, "missing counts");
        return -1;
    }
    return 0;
}

static int parse_template(gen_bucket *g, const char *t, char *err, size_t errlen)
{
    sbuf lit;
    sbuf_init(&lit);
    size_t j = 0, total = 0;
    for (const char *p = t;; p++) {
        if (*p == '%' && p[1] == '%') {
            sbuf_putc(&lit, '%');
            p++;
            continue;
        }
        if (*p == '%' || *p == '\0') {
            size_t ln;
            char *s = sbuf_take(&lit, &ln);
            if (!s) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            g->lit[j] = s;
            g->litlen[j] = ln;
            total += ln;
            if (*p == '\0') {
                if (j != g->k) {
                    snprintf(err, errlen, "template has %zu fields, counts give %zu", j, g->k);
                    return -1;
                }
                break;
            }
            if (j == g->k) {
                snprintf(err, errlen, "template has more fields than counts");
                return -1;
            }
            unsigned need = digits_of(g->n[j]), w = 0;
            p++;
            if (*p == '0') {
                while (p[1] >= '0' && p[1] <= '9' && w < 100)
                    w = w * 10 + (unsigned)(*++p - '0');
                p++;
                if (w < need || w > GEN_MAX_WIDTH) {
                    snprintf(err, errlen, "field %zu: width %u cannot hold %llu (max %d)",
                             j + 1, w, (unsigned long long)g->n[j], GEN_MAX_WIDTH);
                    return -1;
                }
            } else {
                w = need;
            }
            if (*p != 'd') {
                snprintf(err, errlen, "template fields are %%d or %%0Wd; use %%%% for '%%'");
                return -1;
            }
            g->width[j] = w;
            total += w;
            j++;
            continue;
        }
        sbuf_putc(&lit, *p);
    }
    sbuf_free(&lit);
    if (total == 0 || total > BUCKET_NAME_MAX) {
        snprintf(err, errlen, "generated names must be 1..%d bytes", BUCKET_NAME_MAX);
        return -1;
    }
    return 0;
}

bucket *bucket_gen_new(const char *id, const char *spec, char *err, size_t errlen)
{
    gen_bucket *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->base.ops = &gen_ops;
    const char *colon = strchr(spec, ':');
    size_t hn = colon ? (size_t)(colon - spec) : strlen(spec);
    if (parse_head(g, spec, hn, err, errlen) != 0)
        goto fail;
    const char *tpl = colon ? colon + 1 : default_template(g->k);
    if (!tpl) {
        snprintf(err, errlen, "no default template for %zu fields; give one", g->k);
        goto fail;
    }
    if (parse_template(g, tpl, err, errlen) != 0)
        goto fail;
    g->rest[g->k] = 1;
    for (size_t j = g->k; j-- > 0;) {
        if (g->rest[j + 1] > (((uint64_t)1 << 62) / g->n[j])) {
            snprintf(err, errlen, "too many objects");
            goto fail;
        }
        g->rest[j] = g->rest[j + 1] * g->n[j];
    }
    g->base.id = strdup(id);
    return &g->base;
fail:
    gb_destroy(&g->base);
    free(g);
    return NULL;
}
