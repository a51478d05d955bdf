/* The lister: one iterator over any source. It matches each candidate
 * against the pattern, drops what the filter excludes, proves the order
 * (strictly increasing names, so nothing is ever yielded twice) and counts. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gcsplan/list.h"
#include "internal.h"
#include "source.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/clock.h"
#include "util/name.h"
#include "util/num.h"

/* The progress budget's defaults (gcsplan_lister_options, version 2). */
#define NO_PROGRESS_BYTES_DEFAULT ((uint64_t)64 << 20)
#define NO_PROGRESS_MS_DEFAULT 60000u

struct gcsplan_lister {
    gcsplan_allocator alloc;
    gcsplan_lister_options opts; /* defaults filled in */
    const gcsplan_pattern *pattern;
    gcsplan__source *src;
    gcsplan__source_env env;
    gcsplan_list_stats stats;
    gcsplan_error err;
    int failed;        /* the sticky error code, or 0 */
    int done;
    gcsplan_object cur;
    char *last;        /* the previous name yielded, for the order check */
    size_t last_len;
    double next_progress;
};

static void fill_defaults(gcsplan_lister_options *o)
{
    if (o->parallel == 0)
        o->parallel = 16;
    if (o->page_size == 0 || o->page_size > 1000)
        o->page_size = 1000;
    if (o->retries < 0)
        o->retries = 8;
    if (o->retry_base_ms == 0)
        o->retry_base_ms = 250;
    if (o->retry_max_ms == 0)
        o->retry_max_ms = 32000;
    if (o->timeout_ms == 0)
        o->timeout_ms = 60000;
    if (o->progress_interval_ms == 0)
        o->progress_interval_ms = 200;
    if (o->no_progress_bytes == 0)
        o->no_progress_bytes = NO_PROGRESS_BYTES_DEFAULT;
    if (o->no_progress_ms == 0)
        o->no_progress_ms = NO_PROGRESS_MS_DEFAULT;
}

/* The caller's options over the defaults: a caller built against version 1
 * passes the shorter struct, and only that much of it may be read. */
static int take_options(gcsplan_lister_options *o, const gcsplan_lister_options *opts,
                        gcsplan_error *err)
{
    gcsplan_lister_options d = GCSPLAN_LISTER_OPTIONS_INIT;
    *o = d;
    if (opts == NULL)
        return 0;
    if (opts->version == 1)
        memcpy(o, opts, offsetof(gcsplan_lister_options, no_progress_bytes));
    else if (opts->version == GCSPLAN_LISTER_OPTIONS_VERSION)
        *o = *opts;
    else
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "unsupported options version %u",
                                  opts->version);
    o->version = GCSPLAN_LISTER_OPTIONS_VERSION;
    return 0;
}

int gcsplan_lister_new(gcsplan_lister **out, const gcsplan_pattern *pattern,
                       const gcsplan_lister_options *opts, gcsplan_error *err)
{
    return gcsplan__lister_new_with(out, pattern, opts, NULL, err);
}

int gcsplan__lister_new_with(gcsplan_lister **out, const gcsplan_pattern *pattern,
                             const gcsplan_lister_options *opts,
                             const gcsplan__lister_hooks *hooks, gcsplan_error *err)
{
    if (out == NULL || pattern == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out or pattern is NULL");
    *out = NULL;
    gcsplan_lister_options o;
    if (take_options(&o, opts, err) != 0)
        return GCSPLAN_EINVAL;
    fill_defaults(&o);
    if (o.source != GCSPLAN_SOURCE_LIVE && o.path == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "an offline source needs a path");
    const gcsplan_allocator *a = gcsplan__allocator_or_default(o.allocator);
    gcsplan_lister *l = gcsplan__malloc(a, sizeof *l);
    if (l == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(l, 0, sizeof *l);
    l->alloc = *a;
    l->opts = o;
    l->opts.allocator = &l->alloc;
    l->pattern = pattern;
    l->env.alloc = &l->alloc;
    l->env.pattern = pattern;
    l->env.opts = &l->opts;
    l->env.stats = &l->stats;
    l->env.err = &l->err;
    if (hooks != NULL) {
        l->env.transport = hooks->transport;
        l->env.auth = hooks->auth;
        l->env.getenv_fn = hooks->getenv_fn;
    }
    l->last = gcsplan__malloc(a, GCSPLAN_NAME_MAX + 1);
    int rc = l->last == NULL ? GCSPLAN_ENOMEM : 0;
    if (rc == 0) {
        switch (o.source) {
        case GCSPLAN_SOURCE_LISTING: rc = gcsplan__source_file_new(&l->src, &l->env); break;
        case GCSPLAN_SOURCE_DIR: rc = gcsplan__source_dir_new(&l->src, &l->env); break;
        default: rc = gcsplan__source_live_new(&l->src, &l->env); break;
        }
    }
    if (rc != 0) {
        if (err != NULL) {
            if (rc == GCSPLAN_ENOMEM && l->err.code == 0)
                gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
            else
                *err = l->err;
        }
        gcsplan_lister_free(l);
        return rc;
    }
    l->next_progress = gcsplan__clock_s() + o.progress_interval_ms / 1000.0;
    *out = l;
    return 0;
}

static int fail(gcsplan_lister *l, int rc)
{
    if (l->err.code == 0)
        gcsplan__error_set(&l->err, rc, "%s", gcsplan_strerror(rc));
    l->failed = rc;
    return rc;
}

/* Names must come strictly increasing: a source that repeats or reorders a
 * name (a retried page yielded twice, say) is a bug, never a result. */
static int in_order(gcsplan_lister *l, const gcsplan_object *o)
{
    if (l->stats.matched + l->stats.excluded == 0)
        return 1;
    return gcsplan__name_cmp(o->name, o->name_len, l->last, l->last_len) > 0;
}

int gcsplan_lister_next(const gcsplan_object **obj, gcsplan_lister *l)
{
    if (obj == NULL || l == NULL)
        return GCSPLAN_EINVAL;
    *obj = NULL;
    if (l->failed)
        return l->failed;
    if (l->done)
        return GCSPLAN_ITEROVER;
    for (;;) {
        if (l->opts.progress != NULL) {
            double t = gcsplan__clock_s();
            if (t >= l->next_progress) {
                l->next_progress = t + l->opts.progress_interval_ms / 1000.0;
                l->opts.progress(&l->stats, l->opts.progress_ctx);
            }
        }
        int rc = l->src->ops->next(l->src, &l->cur);
        if (rc == GCSPLAN_ITEROVER) {
            l->done = 1;
            if (l->opts.progress != NULL)
                l->opts.progress(&l->stats, l->opts.progress_ctx);
            return rc;
        }
        if (rc != 0)
            return fail(l, rc);
        const gcsplan_object *o = &l->cur;
        if (!gcsplan_pattern_match(l->pattern, o->name, o->name_len))
            continue;
        if (!in_order(l, o)) {
            /* Sources check what they are given (a live listing checks the
             * server's order itself): this is a bug of ours. */
            char shown[4 * 200 + 8];
            gcsplan__buf b;
            gcsplan__buf_fixed(&b, shown, sizeof shown);
            gcsplan__term_str(&b, o->name, o->name_len > 200 ? 200 : o->name_len);
            gcsplan__error_set(&l->err, GCSPLAN_ERROR,
                               "internal error: the source yielded '%s' out of order", shown);
            return fail(l, GCSPLAN_ERROR);
        }
        memcpy(l->last, o->name, o->name_len);
        l->last_len = o->name_len;
        /* An exclusion that cannot decide stops the listing: keeping the
         * object would be a silent wrong answer. */
        int ex = gcsplan_filter_test(l->opts.exclude, o->name, o->name_len, &l->err);
        if (ex < 0)
            return fail(l, ex);
        l->cur.excluded = ex;
        if (l->cur.excluded) {
            l->stats.excluded++;
            if (!l->opts.yield_excluded)
                continue;
            *obj = o;
            return 0;
        }
        /* A statistic: listing names does not depend on it, so it stays at
         * 2^64-1 rather than failing a listing of implausible sizes. */
        gcsplan__add_u64_sat(&l->stats.bytes, o->size);
        l->stats.matched++;
        *obj = o;
        return 0;
    }
}

int gcsplan_lister_foreach(gcsplan_lister *l, int (*cb)(const gcsplan_object *, void *),
                           void *payload)
{
    const gcsplan_object *o;
    int rc;
    while ((rc = gcsplan_lister_next(&o, l)) == 0) {
        int stop = cb(o, payload);
        if (stop != 0)
            return stop;
    }
    return rc == GCSPLAN_ITEROVER ? 0 : rc;
}

const gcsplan_error *gcsplan_lister_error(const gcsplan_lister *l)
{
    return &l->err;
}

void gcsplan_lister_stats(const gcsplan_lister *l, gcsplan_list_stats *stats)
{
    *stats = l->stats;
}

static void put_text(void *ctx, const char *text)
{
    gcsplan__buf_puts(ctx, text);
}

size_t gcsplan_lister_explain(const gcsplan_lister *l, char *buf, size_t cap)
{
    gcsplan__buf o;
    gcsplan__buf_fixed(&o, buf, cap);
    l->src->ops->explain(l->src, put_text, &o);
    return gcsplan__buf_total(&o);
}

void gcsplan_lister_free(gcsplan_lister *l)
{
    if (l == NULL)
        return;
    if (l->src != NULL)
        l->src->ops->free(l->src);
    gcsplan__free(&l->alloc, l->last);
    gcsplan__free(&l->alloc, l);
}
