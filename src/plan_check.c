/* The plan checker: proves SPEC section 4's invariants 1, 2, 3 and 5 for a
 * finished plan against a second reading of the listing, with nothing but
 * the compiled job URIs and the matcher.
 *
 * Every job URI must compile and specialise the original URI: a recursive
 * job keeps the bucket and the suffix and extends the prefix; a segmented
 * job keeps each segment, or pins it to a value the original's segment
 * matches, or narrows a H*R segment to yH*R; so it matches nothing the
 * original does not. A literal job names an object the original matches.
 * The literal prefixes of the other jobs (the bytes before their first
 * wildcard) must form a prefix-free set: then at most one of them is a
 * prefix of a given name, and in sorted order it is the greatest prefix not
 * after the name. So each object has at most two candidate jobs
 * (that one, and a literal job of its exact name), and each candidate is
 * asked with gcsplan_pattern_match whether it matches. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcsplan/plan.h"
#include "internal.h"
#include "plan_internal.h"
#include "util/name.h"
#include "util/num.h"

typedef struct seen_job {
    uint64_t objects, bytes, largest, digest;
    char *first, *last;
    size_t first_len, last_len, last_cap;
} seen_job;

struct gcsplan_plan_check {
    gcsplan_allocator alloc;
    gcsplan_planner *pl;
    gcsplan_plan_options limits;
    size_t njobs;
    gcsplan_pattern **pats;
    seen_job *seen;
    size_t *prefix_idx, nprefix;  /* recursive jobs, sorted by prefix */
    size_t *literal_idx, nliteral; /* literal jobs, sorted by name */
    size_t pi, li;                 /* cursors: names come sorted */
    char prev[GCSPLAN_NAME_MAX + 1];
    size_t prev_len;
    int have_prev;
    uint64_t objects, bytes;
    int failed;
};

static int violation(gcsplan_plan_check *c, gcsplan_error *err, const char *fmt, ...)
    GCSPLAN_PRINTF(3, 4);

static int violation(gcsplan_plan_check *c, gcsplan_error *err, const char *fmt, ...)
{
    c->failed = GCSPLAN_ERROR;
    if (err != NULL) {
        gcsplan_error_clear(err);
        err->code = GCSPLAN_ERROR;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return GCSPLAN_ERROR;
}

static int out_of_memory(gcsplan_plan_check *c, gcsplan_error *err)
{
    c->failed = GCSPLAN_ENOMEM;
    return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
}

/* A job index with its sort key beside it: qsort has no context argument,
 * and thread-local state (__thread) is no part of C11 without extensions. */
typedef struct keyed {
    const char *k;
    size_t n;
    size_t idx;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    return gcsplan__name_cmp(x->k, x->n, y->k, y->n);
}

/* Sort idx[0..n) by each job's prefix (by_prefix) or object name. */
static int sort_jobs(gcsplan_plan_check *c, size_t *idx, size_t n, int by_prefix)
{
    keyed *t = gcsplan__malloc(&c->alloc, (n ? n : 1) * sizeof *t);
    if (t == NULL)
        return GCSPLAN_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        t[i].idx = idx[i];
        t[i].k = by_prefix ? gcsplan_pattern_prefix(c->pats[idx[i]], &t[i].n)
                           : gcsplan_pattern_object(c->pats[idx[i]], &t[i].n);
    }
    qsort(t, n, sizeof *t, keyed_cmp);
    for (size_t i = 0; i < n; i++)
        idx[i] = t[i].idx;
    gcsplan__free(&c->alloc, t);
    return 0;
}

int gcsplan_plan_check_new(gcsplan_plan_check **out, gcsplan_planner *pl, gcsplan_error *err)
{
    if (out == NULL || pl == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out or planner is NULL");
    *out = NULL;
    const gcsplan_allocator *a = gcsplan__planner_allocator(pl);
    gcsplan_plan_check *c = gcsplan__malloc(a, sizeof *c);
    if (c == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(c, 0, sizeof *c);
    c->alloc = *a;
    c->pl = pl;
    size_t n = gcsplan_planner_job_count(pl);
    c->njobs = n;
    c->pats = gcsplan__malloc(a, (n + 1) * sizeof *c->pats);
    c->seen = gcsplan__malloc(a, (n + 1) * sizeof *c->seen);
    c->prefix_idx = gcsplan__malloc(a, (n + 1) * sizeof *c->prefix_idx);
    c->literal_idx = gcsplan__malloc(a, (n + 1) * sizeof *c->literal_idx);
    /* Zeroed before anything can fail: the free path reads both arrays. */
    if (c->pats != NULL)
        memset(c->pats, 0, (n + 1) * sizeof *c->pats);
    if (c->seen != NULL)
        memset(c->seen, 0, (n + 1) * sizeof *c->seen);
    if (c->pats == NULL || c->seen == NULL || c->prefix_idx == NULL || c->literal_idx == NULL) {
        gcsplan_plan_check_free(c);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    *out = c;
    return 0;
}

/* The bytes of a segment before and after its one '*', when it has exactly
 * one '*' and no '?'. */
static int one_star(const gcsplan_segment *g, size_t *head, size_t *tail)
{
    size_t stars = 0, at = 0;
    for (size_t k = 0; k < g->len; k++) {
        if (g->text[k] == '?')
            return 0;
        if (g->text[k] == '*') {
            stars++;
            at = k;
        }
    }
    *head = at;
    *tail = g->len - at - 1;
    return stars == 1;
}

/* Does the segmented job only match names the segmented original matches?
 * Segment by segment: the same text; or a literal the original's segment
 * matches; or, for an original H*R, a y*R with y starting with H. */
static int specialises_segments(const gcsplan_pattern *orig, const gcsplan_pattern *job)
{
    size_t n = gcsplan_pattern_segment_count(orig);
    if (gcsplan_pattern_kind_of(orig) != GCSPLAN_PATTERN_SEGMENTED ||
        gcsplan_pattern_segment_count(job) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        gcsplan_segment o, j;
        gcsplan_pattern_segment(orig, i, &o);
        gcsplan_pattern_segment(job, i, &j);
        if (o.len == j.len && memcmp(o.text, j.text, o.len) == 0)
            continue;
        if (j.wildcard == 0 && gcsplan_pattern_match_segment(orig, i, j.text, j.len))
            continue;
        size_t oh, ot, jh, jt;
        if (one_star(&o, &oh, &ot) && one_star(&j, &jh, &jt) && ot == jt &&
            memcmp(o.text + oh + 1, j.text + jh + 1, ot) == 0 && jh >= oh &&
            memcmp(o.text, j.text, oh) == 0)
            continue;
        return 0;
    }
    return 1;
}

/* Compile the jobs and check their shapes, once, before the first object. */
static int prepare(gcsplan_plan_check *c, gcsplan_error *err)
{
    const gcsplan_pattern *orig = gcsplan__planner_pattern(c->pl);
    size_t olen, osuf;
    const char *oprefix = gcsplan_pattern_prefix(orig, &olen);
    const char *osuffix = gcsplan_pattern_suffix(orig, &osuf);
    gcsplan_pattern_options po = GCSPLAN_PATTERN_OPTIONS_INIT;
    po.allocator = &c->alloc;
    for (size_t i = 0; i < c->njobs; i++) {
        const gcsplan_job *j = gcsplan_planner_job(c->pl, i);
        gcsplan_error e;
        int rc = gcsplan_pattern_compile(&c->pats[i], j->uri, j->uri_len, &po, &e);
        if (rc == GCSPLAN_ENOMEM)
            return out_of_memory(c, err);
        if (rc != 0)
            return violation(c, err, "invariant 1: job %zu's URI %s is not valid: %s", i + 1,
                             j->uri, e.message);
        gcsplan_pattern *p = c->pats[i];
        if (strcmp(gcsplan_pattern_bucket(p), gcsplan_pattern_bucket(orig)) != 0)
            return violation(c, err, "invariant 2: job %s names another bucket", j->uri);
        size_t plen, slen;
        const char *prefix = gcsplan_pattern_prefix(p, &plen);
        const char *suffix = gcsplan_pattern_suffix(p, &slen);
        switch (gcsplan_pattern_kind_of(p)) {
        case GCSPLAN_PATTERN_RECURSIVE:
            if (gcsplan_pattern_kind_of(orig) != GCSPLAN_PATTERN_RECURSIVE || slen != osuf ||
                memcmp(suffix, osuffix, slen) != 0 || plen < olen ||
                memcmp(prefix, oprefix, olen) != 0)
                return violation(c, err, "invariant 2: job %s does not specialise %s", j->uri,
                                 gcsplan_pattern_uri(orig));
            c->prefix_idx[c->nprefix++] = i;
            break;
        case GCSPLAN_PATTERN_LITERAL:
            if (!gcsplan_pattern_match(orig, prefix, plen))
                return violation(c, err, "invariant 2: job %s names an object outside %s",
                                 j->uri, gcsplan_pattern_uri(orig));
            c->literal_idx[c->nliteral++] = i;
            break;
        default:
            if (!specialises_segments(orig, p))
                return violation(c, err, "invariant 2: job %s does not specialise %s", j->uri,
                                 gcsplan_pattern_uri(orig));
            c->prefix_idx[c->nprefix++] = i;
            break;
        }
    }
    if (sort_jobs(c, c->prefix_idx, c->nprefix, 1) != 0 ||
        sort_jobs(c, c->literal_idx, c->nliteral, 0) != 0)
        return out_of_memory(c, err); /* sticky: prepare never runs twice */
    for (size_t k = 0; k + 1 < c->nprefix; k++) {
        size_t an, bn;
        const char *as = gcsplan_pattern_prefix(c->pats[c->prefix_idx[k]], &an);
        const char *bs = gcsplan_pattern_prefix(c->pats[c->prefix_idx[k + 1]], &bn);
        if (an <= bn && memcmp(as, bs, an) == 0)
            return violation(c, err, "invariant 2: jobs %s and %s overlap",
                             gcsplan_pattern_uri(c->pats[c->prefix_idx[k]]),
                             gcsplan_pattern_uri(c->pats[c->prefix_idx[k + 1]]));
    }
    for (size_t k = 0; k + 1 < c->nliteral; k++) {
        size_t an, bn;
        const char *as = gcsplan_pattern_object(c->pats[c->literal_idx[k]], &an);
        const char *bs = gcsplan_pattern_object(c->pats[c->literal_idx[k + 1]], &bn);
        if (gcsplan__name_cmp(as, an, bs, bn) == 0)
            return violation(c, err, "invariant 2: two jobs name the object %s", as);
    }
    return 0;
}

static int note(gcsplan_plan_check *c, size_t job, const char *name, size_t len, uint64_t size,
                int64_t generation)
{
    seen_job *s = &c->seen[job];
    if (s->objects == 0)
        s->digest = GCSPLAN_DIGEST_INIT;
    s->digest = gcsplan_digest_object(s->digest, name, len, size, generation);
    if (s->objects == 0) {
        s->first = gcsplan__strndup(&c->alloc, name, len);
        if (s->first == NULL)
            return GCSPLAN_ENOMEM;
        s->first_len = len;
    }
    if (len + 1 > s->last_cap) {
        char *l = gcsplan__realloc(&c->alloc, s->last, len + 1);
        if (l == NULL)
            return GCSPLAN_ENOMEM;
        s->last = l;
        s->last_cap = len + 1;
    }
    memcpy(s->last, name, len);
    s->last[len] = '\0';
    s->last_len = len;
    s->objects++;
    s->bytes += size; /* cannot wrap: a part of c->bytes, which is checked */
    if (size > s->largest)
        s->largest = size;
    return 0;
}

int gcsplan_plan_check_add(gcsplan_plan_check *c, const char *name, size_t len, uint64_t size,
                           int64_t generation, int excluded, gcsplan_error *err)
{
    return gcsplan_plan_check_add_ext(c, name, len, size, generation, excluded, NULL, err);
}

int gcsplan_plan_check_add_ext(gcsplan_plan_check *c, const char *name, size_t len,
                               uint64_t size, int64_t generation, int excluded, size_t *job,
                               gcsplan_error *err)
{
    /* Set before anything can fail: a caller that feeds the job on (the
     * report's summary) never reads a stale index. */
    if (job != NULL)
        *job = GCSPLAN_PLAN_NO_JOB;
    if (c->failed)
        return c->failed;
    if (!c->have_prev && prepare(c, err) != 0)
        return c->failed;
    if (c->have_prev && gcsplan__name_cmp(name, len, c->prev, c->prev_len) <= 0)
        return violation(c, err, "the listing is not in strictly increasing order at '%.200s'",
                         name);
    memcpy(c->prev, name, len);
    c->prev_len = len;
    c->have_prev = 1;

    /* Candidates: the greatest prefix not after the name, and the exact literal. */
    size_t cand[2], nc = 0;
    while (c->pi < c->nprefix) {
        size_t n;
        const char *p = gcsplan_pattern_prefix(c->pats[c->prefix_idx[c->pi]], &n);
        if (gcsplan__name_cmp(p, n, name, len) > 0)
            break;
        c->pi++;
    }
    if (c->pi > 0)
        cand[nc++] = c->prefix_idx[c->pi - 1];
    while (c->li < c->nliteral) {
        size_t n;
        const char *p = gcsplan_pattern_object(c->pats[c->literal_idx[c->li]], &n);
        int r = gcsplan__name_cmp(p, n, name, len);
        if (r > 0)
            break;
        c->li++;
        if (r == 0)
            cand[nc++] = c->literal_idx[c->li - 1];
    }
    size_t hits = 0, hit = 0;
    for (size_t k = 0; k < nc; k++)
        if (gcsplan_pattern_match(c->pats[cand[k]], name, len)) {
            hits++;
            hit = cand[k];
        }
    if (excluded) {
        if (hits > 0)
            return violation(c, err, "invariant 5: job %s matches the excluded object '%.200s'",
                             gcsplan_pattern_uri(c->pats[hit]), name);
        return 0;
    }
    c->objects++;
    if (gcsplan__add_u64(&c->bytes, size) != 0) {
        c->failed = GCSPLAN_ELIMIT;
        return gcsplan__error_set(err, GCSPLAN_ELIMIT,
                                  "the listed objects total more than 2^64-1 bytes");
    }
    if (hits == 0)
        return violation(c, err, "invariant 2: no job matches '%.200s'", name);
    if (hits > 1)
        return violation(c, err, "invariant 2: two jobs match '%.200s'", name);
    if (note(c, hit, name, len, size, generation) != 0)
        return out_of_memory(c, err);
    if (job != NULL)
        *job = hit;
    return 0;
}

int gcsplan_plan_check_finish(gcsplan_plan_check *c, gcsplan_error *err)
{
    if (c->failed)
        return c->failed;
    if (!c->have_prev && prepare(c, err) != 0)
        return c->failed;
    const gcsplan_plan_options *lim = gcsplan__planner_limits(c->pl);
    gcsplan_plan_stats st;
    gcsplan_planner_stats(c->pl, &st);
    if (st.objects != c->objects || st.bytes != c->bytes)
        return violation(c, err, "invariant 2: the plan counts %llu objects, the listing has %llu",
                         (unsigned long long)st.objects, (unsigned long long)c->objects);
    for (size_t i = 0; i < c->njobs; i++) {
        const gcsplan_job *j = gcsplan_planner_job(c->pl, i);
        const seen_job *s = &c->seen[i];
        if (s->objects != j->objects || s->bytes != j->bytes)
            return violation(c, err,
                             "invariant 1: job %s counts %llu objects and %llu bytes, it matches "
                             "%llu and %llu",
                             j->uri, (unsigned long long)j->objects, (unsigned long long)j->bytes,
                             (unsigned long long)s->objects, (unsigned long long)s->bytes);
        if (s->objects == 0)
            return violation(c, err, "invariant 1: job %s matches nothing", j->uri);
        int over = (lim->max_objects && s->objects > lim->max_objects) ||
                   (lim->max_bytes && s->bytes > lim->max_bytes);
        int excused = (j->flags & GCSPLAN_JOB_INSEPARABLE) ||
                      ((j->flags & GCSPLAN_JOB_OVERSIZE) && s->objects == 1);
        if (over && !excused)
            return violation(c, err, "invariant 3: job %s exceeds the limits", j->uri);
        if ((j->flags & GCSPLAN_JOB_OVERSIZE) && s->objects != 1)
            return violation(c, err, "invariant 3: job %s is marked oversize but has %llu objects",
                             j->uri, (unsigned long long)s->objects);
    }
    for (size_t i = 0; i < c->njobs; i++) {
        const seen_job *s = &c->seen[i];
        if (gcsplan__planner_set_job_extent(c->pl, i, s->first, s->first_len, s->last,
                                            s->last_len, s->largest, s->digest) != 0)
            return out_of_memory(c, err);
    }
    return 0;
}

void gcsplan_plan_check_free(gcsplan_plan_check *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; c->pats && i < c->njobs; i++)
        gcsplan_pattern_free(c->pats[i]);
    for (size_t i = 0; c->seen && i < c->njobs; i++) {
        gcsplan__free(&c->alloc, c->seen[i].first);
        gcsplan__free(&c->alloc, c->seen[i].last);
    }
    gcsplan__free(&c->alloc, c->pats);
    gcsplan__free(&c->alloc, c->seen);
    gcsplan__free(&c->alloc, c->prefix_idx);
    gcsplan__free(&c->alloc, c->literal_idx);
    gcsplan__free(&c->alloc, c);
}
