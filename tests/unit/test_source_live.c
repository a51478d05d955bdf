/* The live lister over a scripted Cloud Storage: every strategy (get, one
 * listing, walk, flat, split into ranges) at several page sizes and degrees
 * of parallelism, pages delivered in any chunking and in any order, faults
 * retried, the one refresh after a 401 -- each result compared with the
 * ground truth -- and a server that breaks the rules: entries out of order
 * or repeated, page tokens that repeat or cycle, endless empty pages, pages
 * over maxResults, names with NUL, silence. Also gcsplan_lister_foreach. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth.h"
#include "gcsplan/gcsplan.h"
#include "scripted.h"
#include "source.h"
#include "test_support.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/escape.h"
#include "util/name.h"

#define ENDPOINT "http://127.0.0.1:9"

/* ---- a scripted Cloud Storage ----------------------------------------------------- */

enum {
    HOSTILE_NONE,
    HOSTILE_OUT_OF_ORDER,   /* items of a page swapped */
    HOSTILE_REPEAT_LAST,    /* a page starts again with the previous page's last item */
    HOSTILE_SAME_TOKEN,     /* nextPageToken is the token just sent */
    HOSTILE_CYCLE,          /* empty pages with tokens c1 c2 c3 c1 c2 ... */
    HOSTILE_EMPTY_FOREVER,  /* empty pages with fresh tokens, without end */
    HOSTILE_TOO_MANY,       /* one entry more than maxResults */
    HOSTILE_NUL_NAME,       /* a name with \u0000 */
    HOSTILE_OUTSIDE,        /* an item outside the prefix asked for */
    HOSTILE_SILENT,         /* no answer at all */
    HOSTILE_ALWAYS_503,
    HOSTILE_WRONG_GET       /* objects.get answers with another object */
};

typedef struct gcs {
    char **names;
    uint64_t *sizes;
    size_t n;
    int hostile;
    double fault_rate;      /* 503 / 429 / broken / cut / malformed, each attempt */
    uint64_t rng;
    size_t chunk;           /* 0: random pieces of 1..97 bytes */
    const char *accept;     /* required Authorization, or NULL */
    const char *accept_later; /* required instead once `later_from` requests were served */
    size_t later_from, served;
    size_t lists, gets, faults, pages_served;
} gcs;

static uint64_t rnd(gcs *g)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return g->rng;
}

static int starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static size_t lower_bound(const gcs *g, const char *key)
{
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (gcsplan__name_cmp(g->names[mid], strlen(g->names[mid]), key, strlen(key)) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void item_json(gcsplan__buf *b, const char *name, size_t len, uint64_t size)
{
    gcsplan__buf_puts(b, "{\"kind\":\"storage#object\",\"name\":");
    gcsplan__json_str(b, name, len);
    gcsplan__buf_printf(b, ",\"metadata\":{\"name\":\"decoy\",\"size\":\"1\"},\"size\":\"%llu\"}",
                        (unsigned long long)size);
}

static void list_page(gcs *g, const char *url, gcsplan__buf *b)
{
    char prefix[2048] = "", start[2048] = "", end[2048] = "", token[64] = "", max[16] = "";
    char delim[8] = "";
    script_query(url, "prefix", prefix, sizeof prefix);
    script_query(url, "startOffset", start, sizeof start);
    int has_end = script_query(url, "endOffset", end, sizeof end);
    int has_token = script_query(url, "pageToken", token, sizeof token);
    script_query(url, "delimiter", delim, sizeof delim);
    script_query(url, "maxResults", max, sizeof max);
    size_t cap = (size_t)strtoul(max, NULL, 10);
    gcsplan__buf_puts(b, "{\"kind\":\"storage#objects\"");
    if (g->hostile == HOSTILE_CYCLE || g->hostile == HOSTILE_EMPTY_FOREVER ||
        g->hostile == HOSTILE_SAME_TOKEN) {
        unsigned long t = has_token ? strtoul(token + 1, NULL, 10) : 0;
        if (g->hostile == HOSTILE_SAME_TOKEN && has_token)
            gcsplan__buf_printf(b, ",\"nextPageToken\":\"%s\"}", token);
        else if (g->hostile == HOSTILE_CYCLE)
            gcsplan__buf_printf(b, ",\"nextPageToken\":\"c%lu\"}", (t + 1) % 3);
        else
            gcsplan__buf_printf(b, ",\"nextPageToken\":\"e%lu\"}", t + 1);
        return;
    }
    size_t i = lower_bound(g, prefix);
    if (start[0] && lower_bound(g, start) > i)
        i = lower_bound(g, start);
    if (has_token)
        i = (size_t)strtoul(token, NULL, 10);
    if (g->hostile == HOSTILE_REPEAT_LAST && has_token && i > 0)
        i--;
    size_t count = 0, first_item = 1;
    gcsplan__buf items, prefixes;
    gcsplan__buf_dynamic(&items, NULL, 1 << 24);
    gcsplan__buf_dynamic(&prefixes, NULL, 1 << 24);
    size_t idx[1100], nidx = 0;
    size_t limit = cap + (g->hostile == HOSTILE_TOO_MANY);
    while (i < g->n && count < limit && starts(g->names[i], prefix) &&
           !(has_end && gcsplan__name_cmp(g->names[i], strlen(g->names[i]), end, strlen(end)) >= 0)) {
        const char *nm = g->names[i];
        const char *slash = delim[0] ? strchr(nm + strlen(prefix), '/') : NULL;
        if (slash != NULL) {
            size_t plen = (size_t)(slash - nm) + 1;
            gcsplan__buf_puts(&prefixes, prefixes.len ? "," : "");
            gcsplan__json_str(&prefixes, nm, plen);
            count++;
            char p[2048];
            memcpy(p, nm, plen);
            p[plen] = '\0';
            while (i < g->n && starts(g->names[i], p))
                i++;
            continue;
        }
        idx[nidx++] = i;
        count++;
        i++;
    }
    if (g->hostile == HOSTILE_OUT_OF_ORDER && nidx >= 2) {
        size_t t = idx[0];
        idx[0] = idx[1];
        idx[1] = t;
    }
    for (size_t k = 0; k < nidx; k++) {
        gcsplan__buf_puts(&items, first_item ? "" : ",");
        first_item = 0;
        const char *nm = g->names[idx[k]];
        if (g->hostile == HOSTILE_NUL_NAME && k == 0)
            gcsplan__buf_puts(&items, "{\"name\":\"bad\\u0000name\",\"size\":\"1\"}");
        else if (g->hostile == HOSTILE_OUTSIDE && k == 0)
            item_json(&items, "zzz/outside", 11, 1);
        else
            item_json(&items, nm, strlen(nm), g->sizes[idx[k]]);
    }
    if (items.len)
        gcsplan__buf_printf(b, ",\"items\":[%s]", items.p);
    if (prefixes.len)
        gcsplan__buf_printf(b, ",\"prefixes\":[%s]", prefixes.p);
    if (i < g->n && starts(g->names[i], prefix) &&
        !(has_end && gcsplan__name_cmp(g->names[i], strlen(g->names[i]), end, strlen(end)) >= 0))
        gcsplan__buf_printf(b, ",\"nextPageToken\":\"%zu\"", i);
    gcsplan__buf_puts(b, "}");
    gcsplan__buf_free(&items);
    gcsplan__buf_free(&prefixes);
}

static int url_decode(const char *in, char *out, size_t cap)
{
    size_t k = 0;
    for (; *in && *in != '?' && k + 1 < cap; in++) {
        if (*in == '%') {
            unsigned v;
            if (sscanf(in + 1, "%2x", &v) != 1)
                return -1;
            out[k++] = (char)v;
            in += 2;
        } else {
            out[k++] = *in;
        }
    }
    out[k] = '\0';
    return 0;
}

static void serve(void *ctx, const script_request *req, script_reply *out)
{
    gcs *g = ctx;
    memset(out, 0, sizeof *out);
    if (g->hostile == HOSTILE_SILENT) {
        out->stall = 1;
        return;
    }
    const char *accept = g->accept_later != NULL && g->served >= g->later_from ? g->accept_later
                                                                                : g->accept;
    g->served++;
    if (accept != NULL) {
        const char *h = script_header(req, "Authorization");
        if (h == NULL || strcmp(h, accept) != 0) {
            out->status = 401;
            out->body = "{\"error\":{\"code\":401,\"message\":\"Invalid Credentials\"}}";
            return;
        }
    }
    if (g->hostile == HOSTILE_ALWAYS_503) {
        out->status = 503;
        out->body = "{\"error\":{\"code\":503,\"message\":\"Backend Error\"}}";
        return;
    }
    int fault = g->fault_rate > 0 && (double)(rnd(g) % 10000) / 10000.0 < g->fault_rate;
    if (fault) {
        g->faults++;
        switch (rnd(g) % 4) {
        case 0: out->status = 503; strcpy(out->retry_after, "0"); return;
        case 1: out->status = 429; return;
        case 2: out->status = 0; return; /* broken connection */
        default: break; /* a cut body, below */
        }
    }
    gcsplan__buf b;
    gcsplan__buf_dynamic(&b, NULL, 1 << 26);
    const char *path = strstr(req->url, "/storage/v1/b/");
    assert_non_null(path);
    const char *o = strstr(path, "/o");
    if (o[2] == '/') {
        char name[4096];
        assert_int_equal(url_decode(o + 3, name, sizeof name), 0);
        g->gets++;
        size_t i = lower_bound(g, name);
        if (i < g->n && strcmp(g->names[i], name) == 0) {
            if (g->hostile == HOSTILE_WRONG_GET)
                item_json(&b, "other", 5, 1);
            else
                item_json(&b, name, strlen(name), g->sizes[i]);
            out->status = 200;
        } else {
            gcsplan__buf_puts(&b, "{\"error\":{\"code\":404,\"message\":\"No such object\"}}");
            out->status = 404;
        }
    } else {
        g->lists++;
        list_page(g, req->url, &b);
        out->status = 200;
        g->pages_served++;
    }
    out->owned = gcsplan__buf_take(&b);
    out->body = out->owned;
    out->len = strlen(out->owned);
    out->chunk = g->chunk ? g->chunk : 1 + rnd(g) % 97;
    if (fault)
        out->cut = out->len / 2 + 1;
}

/* A bucket of studies/S%02d/series-%d/IM-%03d.dcm and a few odd names. */
static void make_bucket(gcs *g, int studies, int series, int images)
{
    static const char *const odd[] = {
        "a b/c d.dcm", "hash#1/x.dcm", "percent%2F/x.dcm", "plus+sign/x.dcm", "q?mark/x.dcm",
        "star*/x.dcm", "studies/", "studies/S00/", "x", "\xe6\x97\xa5\xe6\x9c\xac/x.dcm",
    };
    memset(g, 0, sizeof *g);
    size_t cap = (size_t)studies * series * images + 16;
    g->names = calloc(cap, sizeof *g->names);
    g->sizes = calloc(cap, sizeof *g->sizes);
    for (int s = 0; s < studies; s++)
        for (int r = 0; r < series; r++)
            for (int i = 0; i < images; i++) {
                char nm[64];
                snprintf(nm, sizeof nm, "studies/S%02d/series-%d/IM-%03d.dcm", s, r, i);
                g->names[g->n] = strdup(nm);
                g->sizes[g->n++] = (uint64_t)(s * 1000 + r * 100 + i);
            }
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        g->names[g->n] = strdup(odd[i]);
        g->sizes[g->n++] = 7;
    }
    /* Sorted as Cloud Storage sorts: bytes. */
    for (size_t i = 1; i < g->n; i++)
        for (size_t j = i; j > 0 && strcmp(g->names[j - 1], g->names[j]) > 0; j--) {
            char *t = g->names[j];
            g->names[j] = g->names[j - 1];
            g->names[j - 1] = t;
        }
    g->rng = 0x2545F4914F6CDD1Dull;
}

static void free_bucket(gcs *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->names[i]);
    free(g->names);
    free(g->sizes);
}

/* ---- listing -------------------------------------------------------------------- */

typedef struct run {
    int rc;
    gcsplan_error err;
    gcsplan_list_stats st;
    gcsplan__buf out;      /* "name size\n" per object */
    size_t objects;
} run;

static gcsplan_lister_options opts(unsigned parallel, unsigned page, gcsplan_strategy strategy)
{
    gcsplan_lister_options o = GCSPLAN_LISTER_OPTIONS_INIT;
    o.endpoint = ENDPOINT;
    o.parallel = parallel;
    o.page_size = page;
    o.strategy = strategy;
    o.retries = 3;
    o.retry_base_ms = 1;
    o.retry_max_ms = 2;
    return o;
}

static run list(gcs *g, const char *uri, const gcsplan_lister_options *o, uint64_t seed,
                gcsplan__auth *auth)
{
    run r;
    memset(&r, 0, sizeof r);
    gcsplan__buf_dynamic(&r.out, NULL, 1 << 26);
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, NULL), 0);
    script_transport *st = script_new(serve, g, seed);
    gcsplan__lister_hooks h = { script_base(st), auth, NULL };
    gcsplan_lister *l = NULL;
    r.rc = gcsplan__lister_new_with(&l, p, o, &h, &r.err);
    if (r.rc == 0) {
        const gcsplan_object *obj;
        while ((r.rc = gcsplan_lister_next(&obj, l)) == 0) {
            gcsplan__buf_printf(&r.out, "%s %llu\n", obj->name, (unsigned long long)obj->size);
            r.objects++;
        }
        r.err = *gcsplan_lister_error(l);
        gcsplan_lister_stats(l, &r.st);
    }
    gcsplan_lister_free(l);
    assert_int_equal(script_pending(st), 0); /* nothing left in flight */
    script_free(st);
    gcsplan_pattern_free(p);
    return r;
}

/* What the URI matches among the bucket's names. */
static char *truth(const gcs *g, const char *uri)
{
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, NULL), 0);
    gcsplan__buf b;
    gcsplan__buf_dynamic(&b, NULL, 1 << 26);
    for (size_t i = 0; i < g->n; i++)
        if (gcsplan_pattern_match(p, g->names[i], strlen(g->names[i])))
            gcsplan__buf_printf(&b, "%s %llu\n", g->names[i], (unsigned long long)g->sizes[i]);
    gcsplan_pattern_free(p);
    return gcsplan__buf_take(&b);
}

static size_t truth_count(const gcs *g, const char *uri)
{
    char *t = truth(g, uri);
    size_t n = 0;
    for (const char *c = t; *c; c++)
        n += *c == '\n';
    free(t);
    return n;
}

static void expect_truth(gcs *g, const char *uri, const gcsplan_lister_options *o, uint64_t seed)
{
    run r = list(g, uri, o, seed, NULL);
    if (r.rc != GCSPLAN_ITEROVER)
        fail_msg("%s (parallel %u, page %u, strategy %d): %s", uri, o->parallel, o->page_size,
                 o->strategy, r.err.message);
    char *want = truth(g, uri);
    if (strcmp(want, r.out.p) != 0)
        fail_msg("%s (parallel %u, page %u, strategy %d): the listing differs from the truth",
                 uri, o->parallel, o->page_size, o->strategy);
    free(want);
    gcsplan__buf_free(&r.out);
}

static const char *const uris[] = {
    "gs://bkt/studies/**.dcm",
    "gs://bkt/**",
    "gs://bkt/studies/S0?/*/IM-00?.dcm",
    "gs://bkt/studies/*/series-2/*",
    "gs://bkt/studies/S03/series-1/*.dcm",
    "gs://bkt/studies/S03/series-1/IM-007.dcm",
    "gs://bkt/studies/S03/series-1/IM-999.dcm",
    "gs://bkt/*/x.dcm",
    "gs://bkt/\xe6\x97\xa5\xe6\x9c\xac/*",
    "gs://bkt/studies/*",
};

static void test_every_strategy(void **state)
{
    (void)state;
    gcs g;
    make_bucket(&g, 12, 4, 25);
    static const unsigned parallel[] = { 1, 3, 16 };
    static const unsigned page[] = { 1, 7, 1000 };
    static const gcsplan_strategy strat[] = { GCSPLAN_STRATEGY_AUTO, GCSPLAN_STRATEGY_FLAT,
                                              GCSPLAN_STRATEGY_WALK };
    uint64_t seed = 1;
    for (size_t u = 0; u < sizeof uris / sizeof uris[0]; u++)
        for (size_t a = 0; a < 3; a++)
            for (size_t b = 0; b < 3; b++)
                for (size_t c = 0; c < 3; c++) {
                    if (page[b] == 1 && parallel[a] == 16 && c > 0)
                        continue; /* the same paths as auto, a hundred times slower */
                    gcsplan_lister_options o = opts(parallel[a], page[b], strat[c]);
                    g.chunk = 0;
                    expect_truth(&g, uris[u], &o, seed++);
                }
    free_bucket(&g);
}

static void test_faults_are_retried(void **state)
{
    (void)state;
    gcs g;
    make_bucket(&g, 10, 3, 20);
    g.fault_rate = 0.3;
    for (size_t u = 0; u < sizeof uris / sizeof uris[0]; u++) {
        gcsplan_lister_options o = opts(4, 9, GCSPLAN_STRATEGY_AUTO);
        o.retries = 30;
        expect_truth(&g, uris[u], &o, u + 1);
    }
    assert_true(g.faults > 50);
    free_bucket(&g);
}

static void test_budget_exhausted(void **state)
{
    (void)state;
    gcs g;
    make_bucket(&g, 2, 2, 2);
    g.hostile = HOSTILE_ALWAYS_503;
    gcsplan_lister_options o = opts(4, 10, GCSPLAN_STRATEGY_FLAT);
    o.retries = 2;
    run r = list(&g, "gs://bkt/studies/**", &o, 1, NULL);
    assert_int_equal(r.rc, GCSPLAN_ESOURCE);
    assert_int_equal(r.err.http_status, 503);
    assert_string_equal(r.err.message, "giving up after 3 attempts: HTTP 503: Backend Error");
    gcsplan__buf_free(&r.out);
    free_bucket(&g);
}

/* A server that breaks the rules: a source error naming the server, never
 * an internal error, never a wrong listing. */
static void expect_refusal(int hostile, const char *uri, unsigned page, const char *says)
{
    gcs g;
    make_bucket(&g, 6, 3, 10);
    g.hostile = hostile;
    gcsplan_lister_options o = opts(3, page, GCSPLAN_STRATEGY_FLAT);
    o.no_progress_bytes = 64 * 1024;
    uint64_t t0 = gcsplan__clock_ms();
    run r = list(&g, uri, &o, 7, NULL);
    if (r.rc != GCSPLAN_ESOURCE || strstr(r.err.message, says) == NULL)
        fail_msg("hostile %d: rc %d, '%s' lacks '%s'", hostile, r.rc, r.err.message, says);
    assert_non_null(strstr(r.err.message, "the server at " ENDPOINT));
    assert_null(strstr(r.err.message, "internal error"));
    assert_true(gcsplan__clock_ms() - t0 < 20000);
    gcsplan__buf_free(&r.out);
    free_bucket(&g);
}

static void test_hostile_servers(void **state)
{
    (void)state;
    expect_refusal(HOSTILE_OUT_OF_ORDER, "gs://bkt/studies/**", 7, "out of order");
    expect_refusal(HOSTILE_REPEAT_LAST, "gs://bkt/studies/**", 7, "out of order");
    expect_refusal(HOSTILE_SAME_TOKEN, "gs://bkt/studies/**", 7, "sent a page token again");
    expect_refusal(HOSTILE_CYCLE, "gs://bkt/studies/**", 7, "sent a page token again");
    expect_refusal(HOSTILE_EMPTY_FOREVER, "gs://bkt/studies/**", 7,
                   "without a new object or directory");
    expect_refusal(HOSTILE_TOO_MANY, "gs://bkt/studies/**", 7, "more than the 7 entries");
    expect_refusal(HOSTILE_OUTSIDE, "gs://bkt/studies/**", 7, "outside the prefix");
    expect_refusal(HOSTILE_WRONG_GET, "gs://bkt/studies/S01/series-1/IM-003.dcm", 7,
                   "answered objects.get");
    /* The walk's directories are checked too. */
    gcs g;
    make_bucket(&g, 6, 3, 10);
    g.hostile = HOSTILE_REPEAT_LAST;
    gcsplan_lister_options o = opts(2, 2, GCSPLAN_STRATEGY_WALK);
    run r = list(&g, "gs://bkt/studies/*/series-?/*.dcm", &o, 3, NULL);
    assert_int_equal(r.rc, GCSPLAN_ESOURCE);
    assert_non_null(strstr(r.err.message, "out of order"));
    gcsplan__buf_free(&r.out);
    free_bucket(&g);
}

static void test_nul_in_name(void **state)
{
    (void)state;
    gcs g;
    make_bucket(&g, 2, 2, 5);
    g.hostile = HOSTILE_NUL_NAME;
    gcsplan_lister_options o = opts(2, 100, GCSPLAN_STRATEGY_FLAT);
    o.retries = 2;
    run r = list(&g, "gs://bkt/studies/**", &o, 1, NULL);
    assert_int_equal(r.rc, GCSPLAN_ESOURCE);
    assert_string_equal(r.err.message,
                        "giving up after 3 attempts: truncated or malformed body (malformed "
                        "listing page: an item name contains a NUL character)");
    assert_int_equal(r.objects, 0);
    gcsplan__buf_free(&r.out);
    free_bucket(&g);
}

static void test_progress_budget_time(void **state)
{
    (void)state;
    gcs g;
    make_bucket(&g, 2, 2, 2);
    /* Silence: the default would give up after a minute; 700 ms here. */
    g.hostile = HOSTILE_SILENT;
    gcsplan_lister_options o = opts(4, 10, GCSPLAN_STRATEGY_AUTO);
    o.no_progress_ms = 700;
    uint64_t t0 = gcsplan__clock_ms();
    run r = list(&g, "gs://bkt/studies/*/*/*.dcm", &o, 1, NULL);
    uint64_t dt = gcsplan__clock_ms() - t0;
    assert_int_equal(r.rc, GCSPLAN_ESOURCE);
    assert_non_null(strstr(r.err.message, "no new object or directory from the server at " ENDPOINT));
    assert_true(dt >= 690 && dt < 5000);
    gcsplan__buf_free(&r.out);
    /* Endless empty pages with fresh tokens: the time budget ends them too. */
    g.hostile = HOSTILE_EMPTY_FOREVER;
    o.no_progress_bytes = UINT64_MAX;
    t0 = gcsplan__clock_ms();
    r = list(&g, "gs://bkt/studies/**", &o, 1, NULL);
    dt = gcsplan__clock_ms() - t0;
    assert_int_equal(r.rc, GCSPLAN_ESOURCE);
    assert_true(dt >= 690 && dt < 5000);
    gcsplan__buf_free(&r.out);
    free_bucket(&g);
}

/* ---- the one refresh after a 401 ------------------------------------------------------ */

static int tokens_issued;
static char token_body[64];

static void token_endpoint(void *ctx, const script_request *req, script_reply *out)
{
    (void)ctx, (void)req;
    memset(out, 0, sizeof *out);
    snprintf(token_body, sizeof token_body, "{\"access_token\":\"ya29.t%d\"}", ++tokens_issued);
    out->status = 200;
    out->body = token_body;
}

static const char *token_env(const char *name)
{
    static char path[128];
    static const char key[] = "{\"type\":\"authorized_user\",\"client_id\":\"c\","
                              "\"client_secret\":\"s-123456\",\"refresh_token\":\"1//r-1234567890\"}";
    if (strcmp(name, "GOOGLE_APPLICATION_CREDENTIALS") != 0)
        return NULL;
    if (path[0] == '\0')
        snprintf(path, sizeof path, "%s", test_temp_file(key, strlen(key)));
    return path;
}

static void test_refresh_after_401(void **state)
{
    (void)state;
    gcs g;
    make_bucket(&g, 5, 2, 20);
    /* The first token works for a while, then expires under requests in
     * flight: each of them is refused with it. */
    g.accept = "Bearer ya29.t1";
    g.accept_later = "Bearer ya29.t2";
    g.later_from = 4;
    script_transport *tok = script_new(token_endpoint, NULL, 1);
    gcsplan__auth_config ac;
    memset(&ac, 0, sizeof ac);
    ac.getenv_fn = token_env;
    ac.transport = script_base(tok);
    gcsplan__auth *au;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &ac, NULL), 0);
    tokens_issued = 0;
    gcsplan_lister_options o = opts(8, 7, GCSPLAN_STRATEGY_WALK);
    o.endpoint = NULL; /* Google's: credentials go out (to the script) */
    o.retries = 0;     /* the refresh is not a retry */
    run r = list(&g, "gs://bkt/studies/*/*/*.dcm", &o, 5, au);
    if (r.rc != GCSPLAN_ITEROVER)
        fail_msg("%s", r.err.message);
    char *want = truth(&g, "gs://bkt/studies/*/*/*.dcm");
    assert_string_equal(want, r.out.p);
    free(want);
    /* Several requests were refused with the same old token: one refresh. */
    assert_int_equal(tokens_issued, 2);
    gcsplan__buf_free(&r.out);
    gcsplan__auth_free(au);
    script_free(tok);
    free_bucket(&g);
}

/* ---- foreach --------------------------------------------------------------------------- */

typedef struct tally {
    size_t n;
    size_t stop_at;
    uint64_t bytes;
} tally;

static int count_cb(const gcsplan_object *o, void *payload)
{
    tally *t = payload;
    t->n++;
    t->bytes += o->size;
    return t->n == t->stop_at ? 42 : 0;
}

static void test_foreach(void **state)
{
    (void)state;
    gcs g;
    make_bucket(&g, 4, 2, 10);
    gcsplan_pattern *p;
    const char *uri = "gs://bkt/studies/**";
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, NULL), 0);
    gcsplan_lister_options o = opts(3, 7, GCSPLAN_STRATEGY_AUTO);
    for (int round = 0; round < 3; round++) {
        o.parallel = round == 2 ? 1 : 3; /* no sample requests: the failure comes in foreach */
        script_transport *st = script_new(serve, &g, 9);
        gcsplan__lister_hooks h = { script_base(st), NULL, NULL };
        g.hostile = round == 2 ? HOSTILE_ALWAYS_503 : HOSTILE_NONE;
        gcsplan_lister *l;
        gcsplan_error err;
        int rc = gcsplan__lister_new_with(&l, p, &o, &h, &err);
        {
            assert_int_equal(rc, 0);
            tally t = { 0, round == 1 ? 11 : 0, 0 };
            rc = gcsplan_lister_foreach(l, count_cb, &t);
            if (round == 0) {
                assert_int_equal(rc, 0);
                assert_int_equal(t.n, truth_count(&g, uri));
                gcsplan_list_stats s;
                gcsplan_lister_stats(l, &s);
                assert_int_equal(s.matched, t.n);
                assert_int_equal(s.bytes, t.bytes);
            } else if (round == 1) {
                /* The callback's nonzero stops it and is returned; the rest
                 * can still be read. */
                assert_int_equal(rc, 42);
                assert_int_equal(t.n, 11);
                t.stop_at = 0;
                assert_int_equal(gcsplan_lister_foreach(l, count_cb, &t), 0);
                assert_int_equal(t.n, truth_count(&g, uri));
            } else {
                assert_int_equal(rc, GCSPLAN_ESOURCE);
                assert_int_equal(gcsplan_lister_error(l)->code, GCSPLAN_ESOURCE);
            }
            gcsplan_lister_free(l);
        }
        script_free(st);
    }
    gcsplan_pattern_free(p);
    free_bucket(&g);
}

/* Version 1 options (without the progress budget) are still accepted. */
static void test_options_version_1(void **state)
{
    (void)state;
    gcs g;
    make_bucket(&g, 2, 2, 3);
    struct v1 { char bytes[offsetof(gcsplan_lister_options, no_progress_bytes)]; } *old;
    gcsplan_lister_options o = opts(2, 5, GCSPLAN_STRATEGY_AUTO);
    o.version = 1;
    old = malloc(sizeof *old); /* exactly the version 1 size: ASan sees any read past it */
    memcpy(old, &o, sizeof *old);
    run r = list(&g, "gs://bkt/studies/**", (const gcsplan_lister_options *)(void *)old, 1, NULL);
    assert_int_equal(r.rc, GCSPLAN_ITEROVER);
    assert_int_equal(r.objects, truth_count(&g, "gs://bkt/studies/**"));
    gcsplan__buf_free(&r.out);
    free(old);
    o.version = 3;
    r = list(&g, "gs://bkt/studies/**", &o, 1, NULL);
    assert_int_equal(r.rc, GCSPLAN_EINVAL);
    gcsplan__buf_free(&r.out);
    free_bucket(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_strategy),
        cmocka_unit_test(test_faults_are_retried),
        cmocka_unit_test(test_budget_exhausted),
        cmocka_unit_test(test_hostile_servers),
        cmocka_unit_test(test_nul_in_name),
        cmocka_unit_test(test_progress_budget_time),
        cmocka_unit_test(test_refresh_after_401),
        cmocka_unit_test(test_foreach),
        cmocka_unit_test(test_options_version_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
