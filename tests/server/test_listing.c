/*
 * Unit tests of the listing semantics without HTTP: generated-bucket order
 * and seeking against a sorted in-memory copy, paging against a brute-force
 * model of objects.list, tokens, matchGlob and the fields selector.
 */
#include "bucket.h"
#include "fields.h"
#include "glob.h"
#include "listing.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* A file bucket holding names (sizes = index), through a temporary file. */
static bucket *file_bucket_of(const char *const *names, size_t n)
{
    char path[] = "/tmp/gcs-ts-unit.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < n; i++) {
        b.len = 0;
        sbuf_puts(&b, "{\"name\":");
        sbuf_json_str(&b, names[i], strlen(names[i]));
        sbuf_puts(&b, ",\"size\":\"");
        sbuf_u64(&b, i);
        sbuf_puts(&b, "\"}\n");
        fwrite(b.data, 1, b.len, f);
    }
    sbuf_free(&b);
    fclose(f);
    char err[256];
    bucket *bk = bucket_file_load("t", path, err, sizeof err);
    unlink(path);
    assert_non_null(bk);
    return bk;
}

/* A file bucket with the same names as a generated one. */
static bucket *copy_of(const bucket *g)
{
    size_t n = bucket_count(g);
    char **names = calloc(n, sizeof *names);
    char buf[BUCKET_NAME_MAX + 1];
    for (size_t i = 0; i < n; i++) {
        size_t len;
        names[i] = strdup(bucket_name(g, i, buf, &len));
    }
    bucket *f = file_bucket_of((const char *const *)names, n);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return f;
}

static bucket *gen(const char *spec)
{
    char err[256];
    bucket *b = bucket_gen_new("g", spec, err, sizeof err);
    if (!b)
        fail_msg("%s: %s", spec, err);
    return b;
}

static void test_gen_order_and_seek(void **state)
{
    (void)state;
    static const char *specs[] = {"3x4x12", "12:x%d", "2x11:a/%03d/b%d.dcm", "5x3:%d%d",
                                  "2x3:z-%d/y%%/%02d", "1x1x1"};
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
        bucket *g = gen(specs[s]);
        bucket *f = copy_of(g);
        size_t n = bucket_count(g);
        assert_int_equal(bucket_count(f), n);
        char b1[BUCKET_NAME_MAX + 1], b2[BUCKET_NAME_MAX + 1], key[BUCKET_NAME_MAX + 2];
        for (size_t i = 0; i < n; i++) {
            size_t l1, l2;
            const char *a = bucket_name(g, i, b1, &l1);
            const char *c = bucket_name(f, i, b2, &l2);
            assert_int_equal(srv_bytes_cmp(a, l1, c, l2), 0); /* already sorted */
            /* every prefix of every name, and neighbours of it */
            for (size_t k = 0; k <= l1; k++) {
                memcpy(key, a, k);
                for (int d = -1; d <= 1; d++) {
                    size_t kl = k;
                    if (k > 0 && d != 0)
                        key[k - 1] = (char)((unsigned char)a[k - 1] + d);
                    else if (d != 0)
                        continue;
                    assert_int_equal(bucket_lower_bound(g, key, kl),
                                     bucket_lower_bound(f, key, kl));
                    key[k > 0 ? k - 1 : 0] = k > 0 ? a[k - 1] : key[0];
                }
                key[k] = '\xff';
                assert_int_equal(bucket_lower_bound(g, key, k + 1), bucket_lower_bound(f, key, k + 1));
                key[k] = ':';
                assert_int_equal(bucket_lower_bound(g, key, k + 1), bucket_lower_bound(f, key, k + 1));
            }
        }
        /* random keys over the bytes that matter */
        static const char alpha[] = "0123456789/-.aSIMdcxyz%:\xff";
        unsigned long long r = 42;
        for (int t = 0; t < 20000; t++) {
            size_t kl = (size_t)(srv_mix64(r++) % 24);
            for (size_t k = 0; k < kl; k++)
                key[k] = alpha[srv_mix64(r++) % (sizeof alpha - 1)];
            assert_int_equal(bucket_lower_bound(g, key, kl), bucket_lower_bound(f, key, kl));
        }
        bucket_free(f);
        bucket_free(g);
    }
}

static void test_gen_large_seek(void **state)
{
    (void)state;
    bucket *g = gen("10000x10x100");
    assert_int_equal(bucket_count(g), 10000000);
    char buf[BUCKET_NAME_MAX + 1];
    size_t len;
    const char *last = bucket_name(g, 9999999, buf, &len);
    assert_string_equal(last, "studies/S10000/series-10/IM-100.dcm");
    for (size_t i = 0; i < 10000000; i += 999983) {
        const char *name = bucket_name(g, i, buf, &len);
        assert_int_equal(bucket_lower_bound(g, name, len), i);
        assert_int_equal(bucket_find(g, name, len), i);
    }
    assert_int_equal(bucket_lower_bound(g, "studies/S00020/", 15), 19 * 1000);
    bucket_free(g);
}

static void test_gen_bad_specs(void **state)
{
    (void)state;
    static const char *bad[] = {"", "0x3", "3x", "axb", "100:%01d", "3x3:%d", "3:%d%d",
                                "3:%s", "1x2x3x4x5", "3,size=9-1", "3,color=red"};
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bucket *b = bucket_gen_new("g", bad[i], err, sizeof err);
        if (b)
            fail_msg("accepted bad spec '%s'", bad[i]);
    }
}

/* ---- brute-force model of objects.list ---------------------------------- */

typedef struct {
    const char *prefix, *delimiter, *start, *end, *glob;
    int itd;
} query;

/* All entries of a listing, items as "I name" and prefixes as "P name",
 * concatenated over pages; returns the number of pages. */
static size_t run_pages(const bucket *b, const query *q, size_t max, sbuf *out)
{
    char token[LIST_TOKEN_MAX] = "";
    size_t pages = 0;
    for (;;) {
        list_params p = {q->prefix, q->delimiter, q->start, q->end, q->glob, q->itd, max, 0,
                         token[0] ? token : NULL};
        list_page pg = {0};
        char err[256];
        assert_int_equal(listing_run(b, &p, &pg, err, sizeof err), 0);
        /* only an item+prefix pair may overflow a page, and only a page of 1 */
        assert_true(pg.n_items + pg.n_prefixes <= (max > 1 ? max : 2));
        pages++;
        char buf[BUCKET_NAME_MAX + 1];
        for (size_t i = 0; i < pg.n_prefixes; i++) {
            sbuf_puts(out, "P ");
            sbuf_puts(out, pg.prefixes[i]);
            sbuf_putc(out, '\n');
        }
        for (size_t i = 0; i < pg.n_items; i++) {
            size_t len;
            const char *name = bucket_name(b, pg.items[i], buf, &len);
            sbuf_puts(out, "I ");
            sbuf_put(out, name, len);
            sbuf_putc(out, '\n');
        }
        if (!pg.next_token) {
            list_page_free(&pg);
            return pages;
        }
        assert_true(strlen(pg.next_token) < sizeof token);
        strcpy(token, pg.next_token);
        list_page_free(&pg);
        assert_true(pages < 100000);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The same entries as run_pages gives, but page by page they come as
 * prefixes then items; the model emits them sorted by line, and so does the
 * comparison below. */
static char *sorted_lines(sbuf *s)
{
    sbuf_putc(s, '\0');
    size_t n = 0;
    for (size_t i = 0; i < s->len; i++)
        n += s->data[i] == '\n';
    char **lines = calloc(n + 1, sizeof *lines);
    size_t k = 0;
    for (char *p = s->data, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
        *nl = '\0';
        lines[k++] = p;
    }
    qsort(lines, k, sizeof *lines, cmp_str);
    sbuf o;
    sbuf_init(&o);
    for (size_t i = 0; i < k; i++) {
        sbuf_puts(&o, lines[i]);
        sbuf_putc(&o, '\n');
    }
    free(lines);
    return sbuf_take(&o, NULL);
}

static char *model(const char *const *names, size_t n, const query *q)
{
    sbuf o;
    sbuf_init(&o);
    const char *pre = q->prefix ? q->prefix : "";
    const char *del = q->delimiter && *q->delimiter ? q->delimiter : NULL;
    char **sorted = calloc(n, sizeof *sorted);
    memcpy(sorted, names, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    char last_prefix[BUCKET_NAME_MAX + 1] = "";
    for (size_t i = 0; i < n; i++) {
        const char *s = sorted[i];
        if (strncmp(s, pre, strlen(pre)) || (q->start && strcmp(s, q->start) < 0) ||
            (q->end && strcmp(s, q->end) >= 0) ||
            (q->glob && !glob_match(q->glob, s, strlen(s))))
            continue;
        const char *d = del ? strstr(s + strlen(pre), del) : NULL;
        if (d) {
            size_t pn = (size_t)(d - s) + strlen(del);
            if (strlen(last_prefix) != pn || strncmp(last_prefix, s, pn)) {
                memcpy(last_prefix, s, pn);
                last_prefix[pn] = '\0';
                sbuf_puts(&o, "P ");
                sbuf_puts(&o, last_prefix);
                sbuf_putc(&o, '\n');
            }
            if (!(q->itd && pn == strlen(s)))
                continue;
        }
        sbuf_puts(&o, "I ");
        sbuf_puts(&o, s);
        sbuf_putc(&o, '\n');
    }
    free(sorted);
    char *r = sorted_lines(&o);
    sbuf_free(&o);
    return r;
}

static const char *const tree[] = {
    "a", "a/", "a/b", "a/b/", "a/b/c", "a/b/c/d", "a/bb", "a/c/", "a/c/x", "a-b/x", "a0",
    "b/1/2/3", "b/1/2/4", "b/10", "b/2", "b//x", "b//", "c\xc3\xa9/d", "c\xc3\xa9/e/f",
    "dd", "dd/", "dd/x", "dd/y/", "dd/y/z", "e/f\xf4\x8f\xbf\xbf/g", "e/f\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf", "e/g",
};

static void test_paging_matches_model(void **state)
{
    (void)state;
    size_t n = sizeof tree / sizeof tree[0];
    bucket *b = file_bucket_of(tree, n);
    static const char *prefixes[] = {NULL, "a", "a/", "b/", "b/1", "dd/", "e/f", "zz"};
    static const char *delims[] = {NULL, "/", "b", "//"};
    static const char *starts[] = {NULL, "a/b", "b/10", "dd"};
    static const char *ends[] = {NULL, "a/c", "b/2", "e"};
    static const char *globs[] = {NULL, "**/x", "a/*", "{a,dd}/**"};
    size_t combos = 0;
    for (size_t pi = 0; pi < 8; pi++)
        for (size_t di = 0; di < 4; di++)
            for (size_t si = 0; si < 4; si++)
                for (size_t ei = 0; ei < 4; ei++)
                    for (size_t gi = 0; gi < 4; gi++)
                        for (int itd = 0; itd < 2; itd++) {
                            query q = {prefixes[pi], delims[di], starts[si], ends[ei],
                                       globs[gi], itd};
                            char *want = model(tree, n, &q);
                            for (size_t max = 1; max <= 5; max += 2) {
                                sbuf got;
                                sbuf_init(&got);
                                run_pages(b, &q, max, &got);
                                char *g = sorted_lines(&got);
                                if (strcmp(want, g))
                                    fail_msg("prefix=%s delim=%s start=%s end=%s glob=%s "
                                             "itd=%d max=%zu\nwant:\n%sgot:\n%s",
                                             q.prefix, q.delimiter, q.start, q.end, q.glob,
                                             itd, max, want, g);
                                free(g);
                                sbuf_free(&got);
                            }
                            free(want);
                            combos++;
                        }
    assert_int_equal(combos, 8 * 4 * 4 * 4 * 4 * 2);
    bucket_free(b);
}

/* Delimiter collapse across page boundaries: a prefix is never repeated on a
 * later page, and a page of 1 is a prefix or an item. */
static void test_collapse_at_page_boundary(void **state)
{
    (void)state;
    bucket *g = gen("3x4x5");
    query q = {"studies/", "/", NULL, NULL, NULL, 0};
    sbuf got;
    sbuf_init(&got);
    size_t pages = run_pages(g, &q, 1, &got);
    assert_int_equal(pages, 3);
    sbuf_putc(&got, '\0');
    assert_string_equal(got.data, "P studies/S1/\nP studies/S2/\nP studies/S3/\n");
    sbuf_free(&got);
    /* includeTrailingDelimiter: the object "dd/" is both a prefix and an item */
    bucket *b = file_bucket_of(tree, sizeof tree / sizeof tree[0]);
    query t = {"dd", "/", NULL, NULL, NULL, 1};
    list_params p = {t.prefix, t.delimiter, NULL, NULL, NULL, 1, 3, 0, NULL};
    list_page pg = {0};
    char err[128];
    assert_int_equal(listing_run(b, &p, &pg, err, sizeof err), 0);
    assert_int_equal(pg.n_items, 2); /* "dd" and "dd/" */
    assert_int_equal(pg.n_prefixes, 1);
    assert_string_equal(pg.prefixes[0], "dd/");
    assert_null(pg.next_token);
    list_page_free(&pg);
    /* with room for 2, the pair does not fit after "dd" */
    p.max_results = 2;
    assert_int_equal(listing_run(b, &p, &pg, err, sizeof err), 0);
    assert_int_equal(pg.n_items, 1);
    assert_non_null(pg.next_token);
    list_page_free(&pg);
    /* a page of 1 holds the pair rather than never progressing */
    p.max_results = 1;
    query u = t;
    sbuf pairs;
    sbuf_init(&pairs);
    assert_int_equal(run_pages(b, &u, 1, &pairs), 2);
    sbuf_free(&pairs);
    list_page_free(&pg);
    bucket_free(b);
    bucket_free(g);
}

static void test_offsets_with_prefix(void **state)
{
    (void)state;
    bucket *g = gen("3x4x5");
    /* startOffset before the prefix and endOffset after it change nothing */
    list_params p = {"studies/S2/", NULL, "a", "z", NULL, 0, 1000, 0, NULL};
    list_page pg = {0};
    char err[128], buf[BUCKET_NAME_MAX + 1];
    size_t len;
    assert_int_equal(listing_run(g, &p, &pg, err, sizeof err), 0);
    assert_int_equal(pg.n_items, 20);
    list_page_free(&pg);
    /* inside the prefix they cut it */
    p.start_offset = "studies/S2/series-2/IM-3";
    p.end_offset = "studies/S2/series-3/IM-2.dcm";
    assert_int_equal(listing_run(g, &p, &pg, err, sizeof err), 0);
    assert_int_equal(pg.n_items, 3 + 1);
    assert_string_equal(bucket_name(g, pg.items[0], buf, &len), "studies/S2/series-2/IM-3.dcm");
    assert_string_equal(bucket_name(g, pg.items[3], buf, &len), "studies/S2/series-3/IM-1.dcm");
    list_page_free(&pg);
    /* an endOffset before startOffset lists nothing */
    p.end_offset = "studies/S2/series-1";
    assert_int_equal(listing_run(g, &p, &pg, err, sizeof err), 0);
    assert_int_equal(pg.n_items, 0);
    assert_null(pg.next_token);
    list_page_free(&pg);
    bucket_free(g);
}

static void test_tokens(void **state)
{
    (void)state;
    static const char *keys[] = {"", "a", "studies/S1/", "\xff\xfe", "caf\xc3\xa9 #?%+*/x"};
    char tok[LIST_TOKEN_MAX], key[BUCKET_NAME_MAX + 1];
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        listing_token_encode(keys[i], strlen(keys[i]), tok);
        long n = listing_token_decode(tok, key, sizeof key);
        assert_int_equal(n, (long)strlen(keys[i]));
        assert_memory_equal(key, keys[i], (size_t)n);
    }
    char big[BUCKET_NAME_MAX];
    memset(big, 'x', sizeof big);
    listing_token_encode(big, sizeof big, tok);
    assert_int_equal(listing_token_decode(tok, key, sizeof key), (long)sizeof big);
    static const char *bad[] = {"", "!!!!", "YQ==", "S", "AEE="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(listing_token_decode(bad[i], key, sizeof key), -1);
    /* a bad token is a 400 */
    bucket *g = gen("2x2");
    list_params p = {NULL, NULL, NULL, NULL, NULL, 0, 10, 0, "not a token"};
    list_page pg = {0};
    char err[128];
    assert_int_equal(listing_run(g, &p, &pg, err, sizeof err), -1);
    bucket_free(g);
}

static void test_glob(void **state)
{
    (void)state;
    static const struct {
        const char *glob, *name;
        int match;
    } t[] = {
        {"*.dcm", "a.dcm", 1}, {"*.dcm", "d/a.dcm", 0}, {"**.dcm", "d/e/a.dcm", 1},
        {"**/*.dcm", "a.dcm", 1}, {"a/**/b", "a/b", 1}, {"a/**/b", "a/x/y/b", 1},
        {"a/**/b", "ab", 0}, {"?", "\xc3\xa9", 1}, {"??", "\xc3\xa9", 0}, {"?", "/", 0},
        {"[abc]x", "bx", 1}, {"[abc]x", "dx", 0}, {"[!abc]x", "dx", 1}, {"[a-c]", "b", 1},
        {"{a,bb}/x", "bb/x", 1}, {"{a,bb}/x", "b/x", 0}, {"f{o,{x,y}}", "fy", 1},
        {"\\*", "*", 1}, {"\\*", "a", 0}, {"", "", 1}, {"*", "", 1}, {"a*b*c", "aXbYbc", 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_int_equal(glob_check(t[i].glob), 0);
        if (glob_match(t[i].glob, t[i].name, strlen(t[i].name)) != t[i].match)
            fail_msg("glob '%s' on '%s' should give %d", t[i].glob, t[i].name, t[i].match);
    }
    assert_int_equal(glob_check("[abc"), -1);
    assert_int_equal(glob_check("{a,b"), -1);
    assert_int_equal(glob_check("a\\"), -1);
}

static void test_fields(void **state)
{
    (void)state;
    fmask *m = fmask_parse("kind,items(name,size,generation),prefixes,nextPageToken");
    assert_non_null(m);
    assert_ptr_equal(fmask_get(m, "kind"), &FMASK_ALL);
    const fmask *it = fmask_get(m, "items");
    assert_non_null(it);
    assert_true(it != &FMASK_ALL);
    assert_ptr_equal(fmask_get(it, "name"), &FMASK_ALL);
    assert_null(fmask_get(it, "metadata"));
    assert_null(fmask_get(m, "selfLink"));
    fmask_free(m);
    m = fmask_parse("prefixes,items/name,items/size,nextPageToken");
    assert_non_null(m);
    it = fmask_get(m, "items");
    assert_non_null(fmask_get(it, "size"));
    assert_null(fmask_get(it, "bucket"));
    fmask_free(m);
    m = fmask_parse("items(metadata/name)");
    const fmask *md = fmask_get(fmask_get(m, "items"), "metadata");
    assert_non_null(md);
    assert_non_null(fmask_get(md, "name"));
    assert_null(fmask_get(md, "size"));
    fmask_free(m);
    assert_null(fmask_parse("items("));
    assert_null(fmask_parse("a,,b"));
    assert_null(fmask_parse("a)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gen_order_and_seek),
        cmocka_unit_test(test_gen_large_seek),
        cmocka_unit_test(test_gen_bad_specs),
        cmocka_unit_test(test_paging_matches_model),
        cmocka_unit_test(test_collapse_at_page_boundary),
        cmocka_unit_test(test_offsets_with_prefix),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_glob),
        cmocka_unit_test(test_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
