/* The prefix summary accumulator.
 *
 * Names come sorted, so the names below any prefix are consecutive: a
 * folder, once the names leave it, is never entered again. The tree is kept
 * as it grows, with the folders of the current name open (a stack) and
 * everything else closed and final. A closed node's totals are complete, so
 * it can be merged: into a MORE run of consecutive siblings, which keeps the
 * first and last names merged and the sum of their objects, bytes and jobs.
 *
 * Memory is bounded by merging: when the live nodes exceed twice the budget
 * (plus the open path), the smallest closed subtrees (by bytes, then objects,
 * shallower first, then older) are merged until 1.5 times the budget is met, and
 * the largest key merged becomes a threshold: later objects at or under it
 * are merged as soon as they come, most without ever taking a node. So a node
 * merged stays merged, the tree keeps the big subtrees wherever they are,
 * and the result depends only on the input. finish() cuts to the budget,
 * then folds chains of single-folder folders into one node ("a/b/c/"). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "report_summary.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/name.h"
#include "util/num.h"

#define NIL UINT32_MAX

typedef struct wnode {
    uint32_t parent, first, last, prev, next; /* tree links; NIL when none */
    uint32_t depth;
    uint32_t fidx;           /* finish: its index in the preorder */
    uint8_t kind;            /* gcsplan_summary_kind */
    uint8_t open;            /* a folder of the current name */
    uint8_t dead;            /* on the free list */
    char *name;              /* FOLDER, OBJECT: its part of the path */
    size_t name_len, name_cap;
    char *mfirst, *mlast;    /* MORE: first and last merged sibling */
    size_t mfirst_len, mfirst_cap, mlast_len, mlast_cap;
    uint64_t objects, bytes, merged;
    size_t jlo, jhi;         /* jlo > jhi: no job yet */
    uint64_t seq;            /* creation order: the last tie-break */
} wnode;

struct gcsplan__summary_work {
    wnode *pool;
    uint32_t pool_len, pool_cap, free_head;
    size_t live;             /* nodes in the tree, MORE runs included */
    uint32_t root;
    /* The open folders of the previous name: stack[0] is the root, and
     * plen[i] is the length of folder i's whole path. */
    uint32_t stack[GCSPLAN_NAME_MAX + 2];
    size_t plen[GCSPLAN_NAME_MAX + 2];
    size_t depth;
    char prev[GCSPLAN_NAME_MAX];
    size_t prev_len;
    int have_prev;
    int have_thr;
    uint64_t thr_bytes, thr_objects;
    uint64_t seq;
    uint32_t *cand;          /* compaction's scratch, pool_cap entries */
};

static const gcsplan_allocator *A(const gcsplan_summary *s) { return &s->alloc; }

unsigned gcsplan__summary_bucket_of(uint64_t size)
{
    unsigned k = 0;
    while (size != 0) {
        size >>= 1;
        k++;
    }
    return k;
}

/* --- the node pool --------------------------------------------------------------------- */

static uint32_t node_new(gcsplan_summary *s, gcsplan_summary_kind kind)
{
    gcsplan__summary_work *w = s->work;
    uint32_t i;
    if (w->free_head != NIL) {
        i = w->free_head;
        w->free_head = w->pool[i].next;
    } else {
        if (w->pool_len == w->pool_cap) {
            /* The pool never needs more than the trigger of compact()
             * allows, so it grows a few times and then stays. */
            uint32_t cap = w->pool_cap ? w->pool_cap * 2 : 256;
            wnode *p = gcsplan__realloc(A(s), w->pool, (size_t)cap * sizeof *p);
            if (p == NULL)
                return NIL;
            w->pool = p;
            uint32_t *c = gcsplan__realloc(A(s), w->cand, (size_t)cap * sizeof *c);
            if (c == NULL)
                return NIL;
            w->cand = c;
            w->pool_cap = cap;
        }
        i = w->pool_len++;
    }
    wnode *n = &w->pool[i];
    memset(n, 0, sizeof *n);
    n->parent = n->first = n->last = n->prev = n->next = NIL;
    n->kind = (uint8_t)kind;
    n->jlo = SIZE_MAX;
    n->seq = w->seq++;
    w->live++;
    return i;
}

static void node_free(gcsplan_summary *s, uint32_t i)
{
    gcsplan__summary_work *w = s->work;
    wnode *n = &w->pool[i];
    gcsplan__free(A(s), n->name);
    gcsplan__free(A(s), n->mfirst);
    gcsplan__free(A(s), n->mlast);
    n->name = n->mfirst = n->mlast = NULL;
    n->dead = 1;
    n->next = w->free_head;
    w->free_head = i;
    w->live--;
}

/* Copy s[0..n) into *p, growing it; 0 or -1. */
static int set_str(gcsplan_summary *s, char **p, size_t *len, size_t *cap, const char *src,
                   size_t n)
{
    if (*p == NULL || *cap < n + 1) {
        size_t want = n + 1 < 32 ? 32 : n + 1;
        char *q = gcsplan__realloc(A(s), *p, want);
        if (q == NULL)
            return -1;
        *p = q;
        *cap = want;
    }
    memcpy(*p, src, n);
    (*p)[n] = '\0';
    *len = n;
    return 0;
}

static void append_child(gcsplan__summary_work *w, uint32_t parent, uint32_t c)
{
    wnode *p = &w->pool[parent], *n = &w->pool[c];
    n->parent = parent;
    n->depth = p->depth + 1;
    n->prev = p->last;
    if (p->last != NIL)
        w->pool[p->last].next = c;
    else
        p->first = c;
    p->last = c;
}

static void unlink_child(gcsplan__summary_work *w, uint32_t c)
{
    wnode *n = &w->pool[c], *p = &w->pool[n->parent];
    if (n->prev != NIL)
        w->pool[n->prev].next = n->next;
    else
        p->first = n->next;
    if (n->next != NIL)
        w->pool[n->next].prev = n->prev;
    else
        p->last = n->prev;
}

/* Free everything below x, leaving x childless. */
static void free_below(gcsplan_summary *s, uint32_t x)
{
    gcsplan__summary_work *w = s->work;
    uint32_t n = w->pool[x].first;
    while (n != NIL) {
        if (w->pool[n].first != NIL) {
            n = w->pool[n].first;
            continue;
        }
        /* n is a leaf and its parent's first child: free it, go on with its
         * next sibling, or with the parent once it has no children left. */
        uint32_t next = w->pool[n].next, par = w->pool[n].parent;
        w->pool[par].first = next;
        if (next != NIL)
            w->pool[next].prev = NIL;
        else
            w->pool[par].last = NIL;
        node_free(s, n);
        n = next != NIL ? next : (par == x ? NIL : par);
    }
}

static void add_jobs(size_t *lo, size_t *hi, size_t jlo, size_t jhi)
{
    if (jlo > jhi)
        return;
    if (jlo < *lo)
        *lo = jlo;
    if (*lo > *hi || jhi > *hi)
        *hi = jhi;
}

/* a's key against b's: bytes, objects, depth (shallower first), age. */
static int key_cmp(const wnode *a, const wnode *b)
{
    if (a->bytes != b->bytes)
        return a->bytes < b->bytes ? -1 : 1;
    if (a->objects != b->objects)
        return a->objects < b->objects ? -1 : 1;
    if (a->depth != b->depth)
        return a->depth < b->depth ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int under_thr(const gcsplan__summary_work *w, uint64_t bytes, uint64_t objects)
{
    return w->have_thr &&
           (bytes < w->thr_bytes || (bytes == w->thr_bytes && objects <= w->thr_objects));
}

static void raise_thr(gcsplan__summary_work *w, const wnode *n)
{
    if (!under_thr(w, n->bytes, n->objects)) {
        w->have_thr = 1;
        w->thr_bytes = n->bytes;
        w->thr_objects = n->objects;
    }
}

/* The last name a sibling shows in a run. */
static const char *run_last(const wnode *n, size_t *len)
{
    *len = n->kind == GCSPLAN_SUMMARY_MORE ? n->mlast_len : n->name_len;
    return n->kind == GCSPLAN_SUMMARY_MORE ? n->mlast : n->name;
}

/* Fold the totals of src (a node or a run) into the run r. */
static void run_absorb(wnode *r, const wnode *src)
{
    r->merged += src->kind == GCSPLAN_SUMMARY_MORE ? src->merged : 1;
    r->objects += src->objects;
    r->bytes += src->bytes;
    add_jobs(&r->jlo, &r->jhi, src->jlo, src->jhi);
}

/* A run and a node belong to the same one job: joining them keeps the run
 * one colour on the page. */
static int same_job(const wnode *a, const wnode *b)
{
    return a->jlo == a->jhi && b->jlo == b->jhi && a->jlo == b->jlo;
}

/* Merge the closed node x (not a run, not the root) into a run of its
 * siblings: the one before it, the one after it, or a new one in its
 * place. Two runs that x separated become one. With strict set, x joins a
 * neighbouring run only when both are of the same one job, so runs follow
 * the jobs' boundaries where the budget allows. 0 or -1 (no memory). */
static int merge(gcsplan_summary *s, uint32_t x, int strict)
{
    gcsplan__summary_work *w = s->work;
    free_below(s, x);
    wnode *n = &w->pool[x];
    uint32_t ps = n->prev, ns = n->next;
    int prev_run = ps != NIL && w->pool[ps].kind == GCSPLAN_SUMMARY_MORE &&
                   (!strict || same_job(&w->pool[ps], n));
    int next_run = ns != NIL && w->pool[ns].kind == GCSPLAN_SUMMARY_MORE &&
                   (!strict || same_job(&w->pool[ns], n));
    if (prev_run) {
        wnode *r = &w->pool[ps];
        if (set_str(s, &r->mlast, &r->mlast_len, &r->mlast_cap, n->name, n->name_len) != 0)
            return -1;
        run_absorb(r, n);
        unlink_child(w, x);
        node_free(s, x);
        if (next_run) {
            wnode *q = &w->pool[ns];
            size_t ql;
            const char *qs = run_last(q, &ql);
            if (set_str(s, &r->mlast, &r->mlast_len, &r->mlast_cap, qs, ql) != 0)
                return -1;
            run_absorb(r, q);
            unlink_child(w, ns);
            node_free(s, ns);
        }
        return 0;
    }
    if (next_run) {
        wnode *r = &w->pool[ns];
        if (set_str(s, &r->mfirst, &r->mfirst_len, &r->mfirst_cap, n->name, n->name_len) != 0)
            return -1;
        run_absorb(r, n);
        unlink_child(w, x);
        node_free(s, x);
        return 0;
    }
    /* A run of one, in x's own place: the name moves to the run's first. */
    if (set_str(s, &n->mlast, &n->mlast_len, &n->mlast_cap, n->name, n->name_len) != 0)
        return -1;
    n->mfirst = n->name;
    n->mfirst_len = n->name_len;
    n->mfirst_cap = n->name_cap;
    n->name = NULL;
    n->name_len = n->name_cap = 0;
    n->kind = GCSPLAN_SUMMARY_MORE;
    n->merged = 1;
    return 0;
}

static int cand_cmp_ctx(const void *a, const void *b, const wnode *pool)
{
    return key_cmp(&pool[*(const uint32_t *)a], &pool[*(const uint32_t *)b]);
}

/* qsort has no context argument; compactions of different summaries on
 * different threads each see their own pool. */
static _Thread_local const wnode *sort_pool;
static int cand_cmp(const void *a, const void *b) { return cand_cmp_ctx(a, b, sort_pool); }

/* Join the run r with the run right after it. */
static int join_next(gcsplan_summary *s, uint32_t r)
{
    gcsplan__summary_work *w = s->work;
    wnode *a = &w->pool[r];
    uint32_t b = a->next;
    size_t ql;
    const char *qs = run_last(&w->pool[b], &ql);
    if (set_str(s, &a->mlast, &a->mlast_len, &a->mlast_cap, qs, ql) != 0)
        return -1;
    run_absorb(a, &w->pool[b]);
    unlink_child(w, b);
    node_free(s, b);
    return 0;
}

/* Merge the smallest closed subtrees until at most target nodes live:
 * first keeping runs within one job each, then, if that is not enough,
 * across jobs, and last joining neighbouring runs. The last pass always
 * reaches the target unless open folders alone exceed it. */
static int compact(gcsplan_summary *s, size_t target)
{
    gcsplan__summary_work *w = s->work;
    size_t n = 0;
    for (uint32_t i = 0; i < w->pool_len; i++) {
        const wnode *x = &w->pool[i];
        if (!x->dead && !x->open && i != w->root && x->kind != GCSPLAN_SUMMARY_MORE)
            w->cand[n++] = i;
    }
    sort_pool = w->pool;
    qsort(w->cand, n, sizeof *w->cand, cand_cmp);
    for (int strict = 1; strict >= 0; strict--) {
        for (size_t k = 0; k < n && w->live > target; k++) {
            uint32_t x = w->cand[k];
            /* Merging frees nodes but takes none, so a dead candidate was
             * below one merged before it; a run is one merged already. */
            if (w->pool[x].dead || w->pool[x].kind == GCSPLAN_SUMMARY_MORE)
                continue;
            raise_thr(w, &w->pool[x]);
            if (merge(s, x, strict) != 0)
                return -1;
        }
    }
    for (uint32_t i = 0; i < w->pool_len && w->live > target; i++) {
        while (!w->pool[i].dead && w->pool[i].kind == GCSPLAN_SUMMARY_MORE &&
               w->pool[i].next != NIL && w->pool[w->pool[i].next].kind == GCSPLAN_SUMMARY_MORE &&
               w->live > target)
            if (join_next(s, i) != 0)
                return -1;
    }
    return 0;
}

static int maybe_compact(gcsplan_summary *s)
{
    gcsplan__summary_work *w = s->work;
    /* The open path cannot be merged, and a compaction may leave a run
     * beside each open folder: both are allowed for, so a compaction always
     * makes room and never runs twice in a row for nothing. */
    size_t open = w->depth + 1;
    if (w->live <= 2 * s->max_nodes + 2 * open)
        return 0;
    /* Down to more than the budget: the threshold stays lower, so fewer
     * later nodes are merged on sight, and finish() makes the final cut
     * from a fuller tree. */
    return compact(s, s->max_nodes + s->max_nodes / 2 + open);
}

/* --- accumulating ------------------------------------------------------------------------ */

static int fail(gcsplan_summary *s, gcsplan_error *err, int code, const char *msg)
{
    if (code == GCSPLAN_ENOMEM)
        s->failed = 1;
    return gcsplan__error_set(err, code, "%s", msg);
}

int gcsplan__summary_alloc(gcsplan_summary **out, const gcsplan_summary_options *opts,
                           gcsplan_error *err)
{
    *out = NULL;
    if (opts != NULL && opts->version != GCSPLAN_SUMMARY_OPTIONS_VERSION)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "unknown summary options version %u",
                                  opts->version);
    size_t max = opts != NULL && opts->max_nodes ? opts->max_nodes : GCSPLAN_SUMMARY_NODES_DEFAULT;
    if (max < GCSPLAN_SUMMARY_NODES_MIN || max > GCSPLAN_SUMMARY_NODES_MAX)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "max_nodes %zu is outside %d..%d", max,
                                  GCSPLAN_SUMMARY_NODES_MIN, GCSPLAN_SUMMARY_NODES_MAX);
    const gcsplan_allocator *a = gcsplan__allocator_or_default(opts ? opts->allocator : NULL);
    gcsplan_summary *s = gcsplan__malloc(a, sizeof *s);
    if (s == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(s, 0, sizeof *s);
    s->alloc = *a;
    s->max_nodes = max;
    *out = s;
    return 0;
}

int gcsplan_summary_new(gcsplan_summary **out, const gcsplan_summary_options *opts,
                        gcsplan_error *err)
{
    if (out == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "no summary pointer");
    gcsplan_summary *s;
    int rc = gcsplan__summary_alloc(&s, opts, err);
    if (rc != 0)
        return rc;
    gcsplan__summary_work *w = gcsplan__malloc(A(s), sizeof *w);
    if (w == NULL) {
        gcsplan_summary_free(s);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    memset(w, 0, sizeof *w);
    w->free_head = NIL;
    s->work = w;
    w->root = node_new(s, GCSPLAN_SUMMARY_FOLDER);
    if (w->root == NIL) {
        gcsplan_summary_free(s);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    w->pool[w->root].open = 1;
    w->stack[0] = w->root;
    w->plen[0] = 0;
    w->depth = 0;
    *out = s;
    return 0;
}

/* A closed node's totals go to its parent. A small object is merged at
 * once; a folder waits for the next compaction, which weighs it against
 * everything else, so the threshold (which only grows) does not take
 * folders that a fuller tree at the end would have kept. */
static int closed(gcsplan_summary *s, uint32_t x)
{
    gcsplan__summary_work *w = s->work;
    wnode *n = &w->pool[x], *p = &w->pool[n->parent];
    p->objects += n->objects;
    p->bytes += n->bytes;
    add_jobs(&p->jlo, &p->jhi, n->jlo, n->jhi);
    if (n->kind == GCSPLAN_SUMMARY_OBJECT && under_thr(w, n->bytes, n->objects))
        return merge(s, x, 1);
    return 0;
}

static int close_top(gcsplan_summary *s)
{
    gcsplan__summary_work *w = s->work;
    uint32_t x = w->stack[w->depth--];
    w->pool[x].open = 0;
    return closed(s, x);
}

/* One object as a leaf of the open folder on top. A small object joins the
 * run that ends the folder, taking no node of its own. */
static int add_leaf(gcsplan_summary *s, const char *part, size_t n, uint64_t size, size_t job)
{
    gcsplan__summary_work *w = s->work;
    uint32_t top = w->stack[w->depth];
    wnode *p = &w->pool[top];
    if (under_thr(w, size, 1) && p->last != NIL && w->pool[p->last].kind == GCSPLAN_SUMMARY_MORE &&
        w->pool[p->last].jlo == job && w->pool[p->last].jhi == job) {
        wnode *r = &w->pool[p->last];
        if (set_str(s, &r->mlast, &r->mlast_len, &r->mlast_cap, part, n) != 0)
            return -1;
        r->merged++;
        r->objects++;
        r->bytes += size;
        add_jobs(&r->jlo, &r->jhi, job, job);
        p->objects++;
        p->bytes += size;
        add_jobs(&p->jlo, &p->jhi, job, job);
        return 0;
    }
    uint32_t x = node_new(s, GCSPLAN_SUMMARY_OBJECT);
    if (x == NIL)
        return -1;
    wnode *l = &w->pool[x];
    if (set_str(s, &l->name, &l->name_len, &l->name_cap, part, n) != 0) {
        node_free(s, x);
        return -1;
    }
    l->objects = 1;
    l->bytes = size;
    l->jlo = l->jhi = job;
    append_child(w, top, x);
    return closed(s, x);
}

int gcsplan_summary_add(gcsplan_summary *s, const char *name, size_t len, uint64_t size,
                        size_t job, gcsplan_error *err)
{
    if (s == NULL || s->work == NULL || s->failed)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "summary finished or failed");
    gcsplan__summary_work *w = s->work;
    if (name == NULL || len == 0 || len > GCSPLAN_NAME_MAX)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "object name of %zu bytes", len);
    if (job >= GCSPLAN_REPORT_JOBS_MAX)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "job index %zu over the limit", job);
    if (w->have_prev && gcsplan__name_cmp(w->prev, w->prev_len, name, len) >= 0)
        return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                  "object names must come in strictly increasing order");
    uint64_t total = s->bytes;
    if (gcsplan__add_u64(&total, size) != 0)
        return gcsplan__error_set(err, GCSPLAN_ELIMIT, "total size over 2^64-1 bytes");

    /* Close the folders the new name leaves: those whose path is not a
     * prefix of what the two names share. */
    size_t common = 0;
    if (w->have_prev) {
        size_t m = w->prev_len < len ? w->prev_len : len;
        while (common < m && w->prev[common] == name[common])
            common++;
    }
    while (w->depth > 0 && w->plen[w->depth] > common)
        if (close_top(s) != 0)
            return fail(s, err, GCSPLAN_ENOMEM, "out of memory");
    /* Open the folders of the new name below the deepest one still open. */
    size_t at = w->plen[w->depth];
    for (size_t k = at; k < len; k++) {
        if (name[k] != '/')
            continue;
        uint32_t x = node_new(s, GCSPLAN_SUMMARY_FOLDER);
        if (x == NIL)
            return fail(s, err, GCSPLAN_ENOMEM, "out of memory");
        wnode *f = &w->pool[x];
        if (set_str(s, &f->name, &f->name_len, &f->name_cap, name + at, k + 1 - at) != 0) {
            node_free(s, x);
            return fail(s, err, GCSPLAN_ENOMEM, "out of memory");
        }
        f->open = 1;
        append_child(w, w->stack[w->depth], x);
        w->stack[++w->depth] = x;
        w->plen[w->depth] = k + 1;
        at = k + 1;
    }
    /* The rest is the object's own part; "" for a name ending in '/'. */
    if (add_leaf(s, name + at, len - at, size, job) != 0)
        return fail(s, err, GCSPLAN_ENOMEM, "out of memory");

    memcpy(w->prev, name, len);
    w->prev_len = len;
    w->have_prev = 1;
    s->objects++;
    s->bytes = total;
    if (job + 1 > s->jobs)
        s->jobs = job + 1;
    gcsplan_summary_bucket *b = &s->hist[gcsplan__summary_bucket_of(size)];
    b->objects++;
    b->bytes += size;
    if (maybe_compact(s) != 0)
        return fail(s, err, GCSPLAN_ENOMEM, "out of memory");
    return 0;
}

/* --- finishing --------------------------------------------------------------------------- */

/* A folder whose only child is a folder becomes one node: "a/" + "b/". */
static int fold_chains(gcsplan_summary *s)
{
    gcsplan__summary_work *w = s->work;
    for (uint32_t i = 0; i < w->pool_len; i++) {
        wnode *x = &w->pool[i];
        if (x->dead || x->kind != GCSPLAN_SUMMARY_FOLDER)
            continue;
        while (x->first != NIL && x->first == x->last &&
               w->pool[x->first].kind == GCSPLAN_SUMMARY_FOLDER) {
            uint32_t c = x->first;
            wnode *cn = &w->pool[c];
            size_t n = x->name_len + cn->name_len;
            if (x->name_cap < n + 1) {
                char *q = gcsplan__realloc(A(s), x->name, n + 1);
                if (q == NULL)
                    return -1;
                x->name = q;
                x->name_cap = n + 1;
            }
            memcpy(x->name + x->name_len, cn->name, cn->name_len);
            x->name[n] = '\0';
            x->name_len = n;
            x->first = cn->first;
            x->last = cn->last;
            for (uint32_t g = cn->first; g != NIL; g = w->pool[g].next)
                w->pool[g].parent = i;
            cn->first = cn->last = NIL;
            node_free(s, c);
        }
    }
    return 0;
}

/* Number the tree in preorder into s->nodes, strings into one arena. */
static int build(gcsplan_summary *s)
{
    gcsplan__summary_work *w = s->work;
    size_t count = 0, bytes = 0;
    for (uint32_t i = 0; i < w->pool_len; i++) {
        const wnode *x = &w->pool[i];
        if (x->dead)
            continue;
        count++;
        bytes += x->name_len + 1 + x->mfirst_len + 1 + x->mlast_len + 1;
    }
    s->nodes = gcsplan__malloc(A(s), count * sizeof *s->nodes);
    s->arena = gcsplan__malloc(A(s), bytes);
    if (s->nodes == NULL || s->arena == NULL)
        return -1;
    size_t k = 0, at = 0;
    uint32_t n = w->root;
    for (;;) {
        wnode *x = &w->pool[n];
        x->fidx = (uint32_t)k;
        gcsplan_summary_node *o = &s->nodes[k++];
        memset(o, 0, sizeof *o);
        o->kind = (gcsplan_summary_kind)x->kind;
        o->parent = n == w->root ? 0 : w->pool[x->parent].fidx;
        o->depth = n == w->root ? 0 : s->nodes[o->parent].depth + 1;
        o->objects = x->objects;
        o->bytes = x->bytes;
        o->job_first = x->jlo <= x->jhi ? x->jlo : GCSPLAN_SUMMARY_NO_JOB;
        o->job_last = x->jlo <= x->jhi ? x->jhi : GCSPLAN_SUMMARY_NO_JOB;
        o->merged = x->merged;
        o->name = memcpy(s->arena + at, x->name ? x->name : "", x->name_len);
        o->name_len = x->name_len;
        s->arena[at + x->name_len] = '\0';
        at += x->name_len + 1;
        if (x->kind == GCSPLAN_SUMMARY_MORE) {
            o->first = memcpy(s->arena + at, x->mfirst, x->mfirst_len);
            o->first_len = x->mfirst_len;
            s->arena[at + x->mfirst_len] = '\0';
            at += x->mfirst_len + 1;
            o->last = memcpy(s->arena + at, x->mlast, x->mlast_len);
            o->last_len = x->mlast_len;
            s->arena[at + x->mlast_len] = '\0';
            at += x->mlast_len + 1;
        }
        if (x->first != NIL) {
            n = x->first;
            continue;
        }
        for (;;) {
            s->nodes[w->pool[n].fidx].end = k;
            if (n == w->root)
                goto done;
            if (w->pool[n].next != NIL) {
                n = w->pool[n].next;
                break;
            }
            n = w->pool[n].parent;
        }
    }
done:
    s->n_nodes = k;
    return 0;
}

static void work_free(gcsplan_summary *s)
{
    gcsplan__summary_work *w = s->work;
    if (w == NULL)
        return;
    for (uint32_t i = 0; i < w->pool_len; i++) {
        if (!w->pool[i].dead) {
            gcsplan__free(A(s), w->pool[i].name);
            gcsplan__free(A(s), w->pool[i].mfirst);
            gcsplan__free(A(s), w->pool[i].mlast);
        }
    }
    gcsplan__free(A(s), w->pool);
    gcsplan__free(A(s), w->cand);
    gcsplan__free(A(s), w);
    s->work = NULL;
}

int gcsplan_summary_finish(gcsplan_summary *s, gcsplan_error *err)
{
    if (s == NULL || s->work == NULL || s->failed)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "summary finished or failed");
    gcsplan__summary_work *w = s->work;
    while (w->depth > 0)
        if (close_top(s) != 0)
            return fail(s, err, GCSPLAN_ENOMEM, "out of memory");
    w->pool[w->root].open = 0;
    /* Chains first, so that the budget counts the nodes the page shows. */
    if (fold_chains(s) != 0 || compact(s, s->max_nodes) != 0 || fold_chains(s) != 0 ||
        build(s) != 0) {
        gcsplan__free(A(s), s->nodes);
        gcsplan__free(A(s), s->arena);
        s->nodes = NULL;
        s->arena = NULL;
        return fail(s, err, GCSPLAN_ENOMEM, "out of memory");
    }
    work_free(s);
    s->finished = 1;
    return 0;
}

/* --- queries ----------------------------------------------------------------------------- */

size_t gcsplan_summary_node_count(const gcsplan_summary *s)
{
    return s != NULL && s->finished ? s->n_nodes : 0;
}

const gcsplan_summary_node *gcsplan_summary_node_at(const gcsplan_summary *s, size_t i)
{
    return s != NULL && s->finished && i < s->n_nodes ? &s->nodes[i] : NULL;
}

const gcsplan_summary_bucket *gcsplan_summary_histogram(const gcsplan_summary *s)
{
    return s->hist;
}

void gcsplan_summary_totals_get(const gcsplan_summary *s, gcsplan_summary_totals *t)
{
    t->objects = s->objects;
    t->bytes = s->bytes;
    t->max_nodes = s->max_nodes;
    t->jobs = s->jobs;
}

void gcsplan_summary_free(gcsplan_summary *s)
{
    if (s == NULL)
        return;
    work_free(s);
    gcsplan__free(A(s), s->nodes);
    gcsplan__free(A(s), s->arena);
    gcsplan__free(A(s), s);
}

/* --- JSON -------------------------------------------------------------------------------- */

/* Text is built in a capped buffer and handed to write() in pieces of about
 * this size: few calls, little memory. */
#define FLUSH_AT 65536

typedef struct jout {
    gcsplan__buf b;
    gcsplan_write_fn write;
    void *ctx;
    int stopped;
} jout;

static void jflush(jout *o, int force)
{
    if (o->stopped || gcsplan__buf_error(&o->b) || (!force && o->b.len < FLUSH_AT))
        return;
    if (o->b.len > 0 && o->write(o->b.p, o->b.len, o->ctx) != 0)
        o->stopped = 1;
    gcsplan__buf_clear(&o->b);
}

static void jkey_u64(jout *o, const char *key, uint64_t v)
{
    gcsplan__buf_printf(&o->b, ",\"%s\":", key);
    gcsplan__buf_u64(&o->b, v);
}

int gcsplan_summary_write_json(const gcsplan_summary *s, gcsplan_write_fn write, void *ctx,
                               gcsplan_error *err)
{
    if (s == NULL || !s->finished || write == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "summary not finished");
    jout o = { .write = write, .ctx = ctx };
    /* Room for a flush's worth plus one node (three names, escaped). */
    gcsplan__buf_dynamic(&o.b, &s->alloc, FLUSH_AT + 16 * (GCSPLAN_NAME_MAX + 64));
    gcsplan__buf_printf(&o.b, "{\"version\":%d", GCSPLAN_SUMMARY_VERSION);
    jkey_u64(&o, "max_nodes", s->max_nodes);
    jkey_u64(&o, "objects", s->objects);
    jkey_u64(&o, "bytes", s->bytes);
    jkey_u64(&o, "jobs", s->jobs);
    gcsplan__buf_puts(&o.b, ",\"histogram\":[");
    int first = 1;
    for (unsigned k = 0; k < GCSPLAN_SUMMARY_BUCKETS; k++) {
        if (s->hist[k].objects == 0)
            continue;
        gcsplan__buf_printf(&o.b, "%s[%u,", first ? "" : ",", k);
        gcsplan__buf_u64(&o.b, s->hist[k].objects);
        gcsplan__buf_putc(&o.b, ',');
        gcsplan__buf_u64(&o.b, s->hist[k].bytes);
        gcsplan__buf_putc(&o.b, ']');
        first = 0;
    }
    gcsplan__buf_puts(&o.b, "],\"nodes\":[");
    static const char *const kinds[] = { "", "folder", "object", "more" };
    for (size_t i = 0; i < s->n_nodes; i++) {
        const gcsplan_summary_node *n = &s->nodes[i];
        gcsplan__buf_printf(&o.b, "%s{\"kind\":\"%s\"", i ? "," : "", kinds[n->kind]);
        if (n->kind == GCSPLAN_SUMMARY_MORE) {
            jkey_u64(&o, "merged", n->merged);
            gcsplan__buf_puts(&o.b, ",\"first\":");
            gcsplan__json_str(&o.b, n->first, n->first_len);
            gcsplan__buf_puts(&o.b, ",\"last\":");
            gcsplan__json_str(&o.b, n->last, n->last_len);
        } else {
            gcsplan__buf_puts(&o.b, ",\"name\":");
            gcsplan__json_str(&o.b, n->name, n->name_len);
        }
        jkey_u64(&o, "objects", n->objects);
        jkey_u64(&o, "bytes", n->bytes);
        if (n->job_first != GCSPLAN_SUMMARY_NO_JOB) {
            gcsplan__buf_puts(&o.b, ",\"jobs\":[");
            gcsplan__buf_u64(&o.b, n->job_first);
            gcsplan__buf_putc(&o.b, ',');
            gcsplan__buf_u64(&o.b, n->job_last);
            gcsplan__buf_putc(&o.b, ']');
        }
        if (n->kind == GCSPLAN_SUMMARY_FOLDER) {
            size_t children = 0;
            for (size_t c = i + 1; c < n->end; c = s->nodes[c].end)
                children++;
            jkey_u64(&o, "children", children);
        }
        gcsplan__buf_putc(&o.b, '}');
        jflush(&o, 0);
    }
    gcsplan__buf_puts(&o.b, "]}");
    jflush(&o, 1);
    int rc = 0;
    if (gcsplan__buf_error(&o.b))
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    else if (o.stopped)
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "writing the summary failed");
    gcsplan__buf_free(&o.b);
    return rc;
}
