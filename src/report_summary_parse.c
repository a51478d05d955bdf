/* Reading a summary back from its JSON fragment (docs/report.md).
 *
 * The fragment comes from a file someone may have edited, so nothing in it
 * is trusted: every count is bounded before anything is allocated for it,
 * every name is at most an object name long, and the tree must add up, so
 * that the renderer can rely on the same invariants as for a summary it
 * accumulated itself (a folder's figures are its children's, an object is
 * one object, a run merges at least one sibling, paths fit in an object
 * name). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "report_json.h"
#include "report_summary.h"
#include "util/buf.h"
#include "util/num.h"

/* Node strings go into one buffer; at most three names per node. */
#define ARENA_MAX ((size_t)GCSPLAN_SUMMARY_NODES_MAX * 3 * (GCSPLAN_NAME_MAX + 1))

enum { HAVE_KIND = 1, HAVE_NAME = 2, HAVE_OBJECTS = 4, HAVE_BYTES = 8, HAVE_JOBS = 16,
       HAVE_CHILDREN = 32, HAVE_MERGED = 64, HAVE_FIRST = 128, HAVE_LAST = 256 };

/* A node being read; strings as offsets into the arena until the end. */
typedef struct pnode {
    gcsplan_summary_node n;
    size_t name_at, first_at, last_at;
    uint64_t children;
    unsigned have;
    int jobs_seen;            /* numbers read inside "jobs" */
} pnode;

/* An open folder while the preorder is turned back into a tree. */
typedef struct open_folder {
    size_t index;
    uint64_t left;            /* children still to come */
    uint64_t objects, bytes;  /* sums of the children so far */
    size_t jlo, jhi;
    size_t path;              /* bytes of its whole path */
} open_folder;

typedef struct reader {
    gcsplan_summary *s;
    unsigned top;             /* HAVE_* bits of the top level, reused */
    uint64_t version, max_nodes, objects, bytes, jobs;
    int have_version, have_max, have_objects, have_bytes, have_jobs;
    pnode *nodes;
    size_t n_nodes, cap_nodes;
    pnode cur;
    gcsplan__buf arena;
    int hist_seen;            /* numbers read in the current histogram entry */
    uint64_t hist_entry[3];
    int last_bucket;          /* buckets must increase */
    open_folder *stack;
    size_t depth;
} reader;

static int bad(gcsplan__rj *w, const char *what)
{
    return gcsplan__rj_fail(w, GCSPLAN_EINVAL, "%s", what);
}

static int number(gcsplan__rj *w, const char *s, size_t n, uint64_t max, uint64_t *out)
{
    if (gcsplan__parse_u64(s, n, max, out) != 0)
        return bad(w, "a number is not a non-negative integer in range");
    return 0;
}

static int keep_string(reader *r, gcsplan__rj *w, const char *s, size_t n, size_t *at)
{
    if (n > GCSPLAN_NAME_MAX)
        return gcsplan__rj_fail(w, GCSPLAN_ELIMIT, "a name longer than %d bytes",
                                GCSPLAN_NAME_MAX);
    *at = r->arena.len;
    gcsplan__buf_put(&r->arena, s, n);
    gcsplan__buf_putc(&r->arena, '\0');
    if (gcsplan__buf_error(&r->arena))
        return gcsplan__rj_fail(w, gcsplan__buf_error(&r->arena), "names too large");
    return 0;
}

/* A value inside the node map (frames: doc, nodes, node[, jobs]). */
static int node_value(reader *r, gcsplan__rj *w, gcsplan__rj_type t, const char *s, size_t n)
{
    pnode *p = &r->cur;
    if (w->depth == 4) {
        if (!gcsplan__rj_key(w, 2, "jobs") || t != GCSPLAN__RJ_NUMBER)
            return bad(w, "\"jobs\" holds two job numbers");
        uint64_t v;
        if (number(w, s, n, GCSPLAN_REPORT_JOBS_MAX - 1, &v) != 0)
            return w->rc;
        if (p->jobs_seen == 0)
            p->n.job_first = (size_t)v;
        else if (p->jobs_seen == 1)
            p->n.job_last = (size_t)v;
        else
            return bad(w, "\"jobs\" holds two job numbers");
        p->jobs_seen++;
        return 0;
    }
    const char *key = w->frames[2].key;
    if (strcmp(key, "kind") == 0) {
        if (t != GCSPLAN__RJ_STRING)
            return bad(w, "\"kind\" is not a string");
        if (n == 6 && memcmp(s, "folder", 6) == 0)
            p->n.kind = GCSPLAN_SUMMARY_FOLDER;
        else if (n == 6 && memcmp(s, "object", 6) == 0)
            p->n.kind = GCSPLAN_SUMMARY_OBJECT;
        else if (n == 4 && memcmp(s, "more", 4) == 0)
            p->n.kind = GCSPLAN_SUMMARY_MORE;
        else
            return bad(w, "unknown node kind");
        p->have |= HAVE_KIND;
        return 0;
    }
    static const struct { const char *key; unsigned bit; } strs[] = {
        { "name", HAVE_NAME }, { "first", HAVE_FIRST }, { "last", HAVE_LAST } };
    for (size_t k = 0; k < 3; k++) {
        if (strcmp(key, strs[k].key) != 0)
            continue;
        if (t != GCSPLAN__RJ_STRING)
            return bad(w, "a name is not a string");
        size_t *at = k == 0 ? &p->name_at : k == 1 ? &p->first_at : &p->last_at;
        size_t *len = k == 0 ? &p->n.name_len : k == 1 ? &p->n.first_len : &p->n.last_len;
        if (keep_string(r, w, s, n, at) != 0)
            return w->rc;
        *len = n;
        p->have |= strs[k].bit;
        return 0;
    }
    static const struct { const char *key; unsigned bit; } nums[] = {
        { "objects", HAVE_OBJECTS }, { "bytes", HAVE_BYTES }, { "children", HAVE_CHILDREN },
        { "merged", HAVE_MERGED } };
    for (size_t k = 0; k < 4; k++) {
        if (strcmp(key, nums[k].key) != 0)
            continue;
        if (t != GCSPLAN__RJ_NUMBER)
            return bad(w, "a count is not a number");
        uint64_t *v = k == 0 ? &p->n.objects : k == 1 ? &p->n.bytes : k == 2 ? &p->children
                                                                         : &p->n.merged;
        uint64_t max = k == 2 ? GCSPLAN_SUMMARY_NODES_MAX : UINT64_MAX;
        if (number(w, s, n, max, v) != 0)
            return w->rc;
        p->have |= nums[k].bit;
        return 0;
    }
    /* Unknown keys are for later versions: skipped, containers included. */
    return 0;
}

static int ends_with_slash(const char *s, size_t n) { return n > 0 && s[n - 1] == '/'; }

/* The node's own rules, by kind; root says whether it is node 0. */
static int check_node(gcsplan__rj *w, const pnode *p, const char *name, int root)
{
    unsigned h = p->have;
    const unsigned run = HAVE_MERGED | HAVE_FIRST | HAVE_LAST;
    if (!(h & HAVE_KIND) || !(h & HAVE_OBJECTS) || !(h & HAVE_BYTES))
        return bad(w, "a node lacks kind, objects or bytes");
    if ((h & HAVE_JOBS) && p->jobs_seen != 2)
        return bad(w, "\"jobs\" holds two job numbers");
    if (p->n.objects > 0 && (!(h & HAVE_JOBS) || p->n.job_first > p->n.job_last))
        return bad(w, "a node with objects needs a job range [first, last]");
    if (p->n.objects == 0 && (!root || (h & HAVE_JOBS) || p->children != 0))
        return bad(w, "only the root of an empty summary has no objects");
    if (root && p->n.kind != GCSPLAN_SUMMARY_FOLDER)
        return bad(w, "the first node is the root folder");
    switch (p->n.kind) {
    case GCSPLAN_SUMMARY_FOLDER:
        if (!(h & HAVE_NAME) || !(h & HAVE_CHILDREN) || (h & run))
            return bad(w, "a folder has a name and children, nothing of a run");
        if (root ? (p->n.name_len > 0 && !ends_with_slash(name, p->n.name_len))
                 : !ends_with_slash(name, p->n.name_len))
            return bad(w, "a folder's name ends with '/'");
        if (p->children == 0 && p->n.objects > 0)
            return bad(w, "a folder with objects has children");
        break;
    case GCSPLAN_SUMMARY_OBJECT:
        if (!(h & HAVE_NAME) || (h & (run | HAVE_CHILDREN)))
            return bad(w, "an object has a name, no children, nothing of a run");
        if (p->n.objects != 1)
            return bad(w, "an object node is one object");
        if (memchr(name, '/', p->n.name_len) != NULL)
            return bad(w, "an object's name holds no '/'");
        break;
    default:
        if ((h & run) != run || (h & (HAVE_NAME | HAVE_CHILDREN)))
            return bad(w, "a run has merged, first and last, no name or children");
        if (p->n.merged == 0 || p->n.objects < p->n.merged)
            return bad(w, "a run merges at least one sibling, each of at least one object");
        break;
    }
    return 0;
}

static void add_jobs(size_t *lo, size_t *hi, size_t jlo, size_t jhi)
{
    if (jlo == GCSPLAN_SUMMARY_NO_JOB)
        return;
    if (*lo == GCSPLAN_SUMMARY_NO_JOB || jlo < *lo)
        *lo = jlo;
    if (*hi == GCSPLAN_SUMMARY_NO_JOB || jhi > *hi)
        *hi = jhi;
}

/* Close the folders whose children have all come: they must add up. */
static int pop_done(reader *r, gcsplan__rj *w)
{
    while (r->depth > 0 && r->stack[r->depth - 1].left == 0) {
        open_folder *f = &r->stack[--r->depth];
        pnode *p = &r->nodes[f->index];
        if (f->objects != p->n.objects || f->bytes != p->n.bytes || f->jlo != p->n.job_first ||
            f->jhi != p->n.job_last)
            return bad(w, "a folder's objects, bytes or jobs are not its children's");
        /* Its own figures went to its parent when it was placed. */
        p->n.end = r->n_nodes;
    }
    return 0;
}

/* A node map closed: place it in the tree. */
static int node_end(reader *r, gcsplan__rj *w)
{
    pnode *p = &r->cur;
    size_t i = r->n_nodes;
    if (i == GCSPLAN_SUMMARY_NODES_MAX || (r->have_max && i == r->max_nodes))
        return gcsplan__rj_fail(w, GCSPLAN_ELIMIT, "more nodes than max_nodes");
    if (i > 0 && r->depth == 0)
        return bad(w, "nodes after the root's subtree");
    if (!(p->have & HAVE_JOBS))
        p->n.job_first = p->n.job_last = GCSPLAN_SUMMARY_NO_JOB;
    if (check_node(w, p, r->arena.p + p->name_at, i == 0) != 0)
        return w->rc;
    if (i == r->cap_nodes) {
        size_t cap = r->cap_nodes ? r->cap_nodes * 2 : 64;
        pnode *q = gcsplan__realloc(&r->s->alloc, r->nodes, cap * sizeof *q);
        if (q == NULL)
            return gcsplan__rj_fail(w, GCSPLAN_ENOMEM, "out of memory");
        r->nodes = q;
        r->cap_nodes = cap;
    }
    size_t path = p->n.kind == GCSPLAN_SUMMARY_MORE ? 0 : p->n.name_len;
    if (i > 0) {
        open_folder *f = &r->stack[r->depth - 1];
        p->n.parent = f->index;
        p->n.depth = r->depth;
        f->left--;
        if (gcsplan__add_u64(&f->objects, p->n.objects) != 0 ||
            gcsplan__add_u64(&f->bytes, p->n.bytes) != 0)
            return bad(w, "a folder's children add up past 2^64-1");
        add_jobs(&f->jlo, &f->jhi, p->n.job_first, p->n.job_last);
        size_t more = p->n.kind == GCSPLAN_SUMMARY_MORE
                          ? (p->n.first_len > p->n.last_len ? p->n.first_len : p->n.last_len)
                          : p->n.name_len;
        if (more > GCSPLAN_NAME_MAX - f->path)
            return gcsplan__rj_fail(w, GCSPLAN_ELIMIT, "a path longer than %d bytes",
                                    GCSPLAN_NAME_MAX);
        path = f->path + p->n.name_len;
        if (p->n.kind == GCSPLAN_SUMMARY_OBJECT && path == 0)
            return bad(w, "an object with an empty path");
    }
    p->n.end = i + 1;
    r->nodes[i] = *p;
    r->n_nodes++;
    if (p->n.kind == GCSPLAN_SUMMARY_FOLDER && p->children > 0) {
        /* Each open folder's path is longer than its parent's (names are
         * not empty below the root), so the stack is bounded by the name
         * length limit. */
        open_folder *f = &r->stack[r->depth++];
        f->index = i;
        f->left = p->children;
        f->objects = f->bytes = 0;
        f->jlo = f->jhi = GCSPLAN_SUMMARY_NO_JOB;
        f->path = path;
    }
    return pop_done(r, w);
}

static int hist_end(reader *r, gcsplan__rj *w)
{
    if (r->hist_seen != 3)
        return bad(w, "a histogram entry is [class, objects, bytes]");
    uint64_t k = r->hist_entry[0], objects = r->hist_entry[1], bytes = r->hist_entry[2];
    if ((int)k <= r->last_bucket || objects == 0)
        return bad(w, "histogram classes increase and are not empty");
    /* Every size in class k is in [lo, hi]: the bytes must be possible. */
    uint64_t lo = k == 0 ? 0 : (uint64_t)1 << (k - 1);
    uint64_t hi = k == 0 ? 0 : k == 64 ? UINT64_MAX : ((uint64_t)1 << k) - 1;
    if ((lo > 0 && objects > bytes / lo) ||
        (hi == 0 ? bytes != 0 : bytes / hi + (bytes % hi != 0) > objects))
        return bad(w, "a histogram class holds impossible bytes");
    r->last_bucket = (int)k;
    r->s->hist[k].objects = objects;
    r->s->hist[k].bytes = bytes;
    return 0;
}

static int on_event(gcsplan__rj *w, gcsplan__rj_type t, const char *s, size_t n, void *ctx)
{
    reader *r = ctx;
    size_t d = w->depth;
    if (d >= 1 && !w->frames[0].is_map)
        return bad(w, "not a JSON object");
    if (d == 0 || (d == 1 && t == GCSPLAN__RJ_END))
        return t == GCSPLAN__RJ_MAP || t == GCSPLAN__RJ_END ? 0 : bad(w, "not a JSON object");
    if (d == 1 && t == GCSPLAN__RJ_MAP)
        return 0;
    const char *top = w->frames[0].key;
    if (strcmp(top, "nodes") == 0) {
        if (d == 2)
            return t == GCSPLAN__RJ_ARRAY || t == GCSPLAN__RJ_END ? 0
                                                                  : bad(w, "\"nodes\" is an array");
        if (d == 3 && t == GCSPLAN__RJ_MAP) {
            memset(&r->cur, 0, sizeof r->cur);
            return 0;
        }
        if (d == 3 && t == GCSPLAN__RJ_END)
            return node_end(r, w);
        if (d == 3 && t != GCSPLAN__RJ_MAP && w->frames[2].is_map == 0)
            return bad(w, "a node is an object");
        if (d == 4 && gcsplan__rj_key(w, 2, "jobs") && t == GCSPLAN__RJ_ARRAY) {
            if (r->cur.have & HAVE_JOBS)
                return bad(w, "\"jobs\" twice");
            r->cur.have |= HAVE_JOBS;
            return 0;
        }
        if (d == 4 && gcsplan__rj_key(w, 2, "jobs") && t == GCSPLAN__RJ_END)
            return 0;
        if (t == GCSPLAN__RJ_MAP || t == GCSPLAN__RJ_ARRAY || t == GCSPLAN__RJ_END)
            return 0; /* an unknown container in a node: skipped */
        if (d == 3 || (d == 4 && gcsplan__rj_key(w, 2, "jobs")))
            return node_value(r, w, t, s, n);
        return 0;
    }
    if (strcmp(top, "histogram") == 0) {
        if (d == 2)
            return t == GCSPLAN__RJ_ARRAY || t == GCSPLAN__RJ_END ? 0
                                                                  : bad(w, "\"histogram\" is an array");
        if (d == 3 && t == GCSPLAN__RJ_ARRAY) {
            r->hist_seen = 0;
            return 0;
        }
        if (d == 3 && t == GCSPLAN__RJ_END)
            return hist_end(r, w);
        if (d == 3 && t == GCSPLAN__RJ_NUMBER && !w->frames[2].is_map) {
            if (r->hist_seen == 3)
                return bad(w, "a histogram entry is [class, objects, bytes]");
            uint64_t max = r->hist_seen == 0 ? GCSPLAN_SUMMARY_BUCKETS - 1 : UINT64_MAX;
            return number(w, s, n, max, &r->hist_entry[r->hist_seen++]);
        }
        return bad(w, "a histogram entry is [class, objects, bytes]");
    }
    if (d > 1)
        return 0; /* inside an unknown key's value */
    static const char *const keys[] = { "version", "max_nodes", "objects", "bytes", "jobs" };
    for (size_t k = 0; k < 5; k++) {
        if (strcmp(top, keys[k]) != 0)
            continue;
        if (t != GCSPLAN__RJ_NUMBER)
            return bad(w, "a count is not a number");
        uint64_t *v[] = { &r->version, &r->max_nodes, &r->objects, &r->bytes, &r->jobs };
        int *have[] = { &r->have_version, &r->have_max, &r->have_objects, &r->have_bytes,
                        &r->have_jobs };
        if (number(w, s, n, UINT64_MAX, v[k]) != 0)
            return w->rc;
        if (k == 0 && r->version != GCSPLAN_SUMMARY_VERSION)
            return bad(w, "unsupported summary version");
        if (k == 1 && (r->max_nodes < GCSPLAN_SUMMARY_NODES_MIN ||
                       r->max_nodes > GCSPLAN_SUMMARY_NODES_MAX))
            return gcsplan__rj_fail(w, GCSPLAN_ELIMIT, "max_nodes out of range");
        *have[k] = 1;
        return 0;
    }
    return 0;
}

/* Whole-document rules, once everything is read. */
static int check_all(reader *r, gcsplan__rj *w)
{
    if (!r->have_version || !r->have_max || !r->have_objects || !r->have_bytes || !r->have_jobs)
        return bad(w, "version, max_nodes, objects, bytes and jobs are required");
    if (r->n_nodes > r->max_nodes)
        return gcsplan__rj_fail(w, GCSPLAN_ELIMIT, "more nodes than max_nodes");
    if (r->n_nodes == 0 || r->depth != 0)
        return bad(w, "the nodes do not form one whole tree");
    const gcsplan_summary_node *root = &r->nodes[0].n;
    if (root->objects != r->objects || root->bytes != r->bytes)
        return bad(w, "the root's figures are not the totals");
    uint64_t jobs = root->job_last == GCSPLAN_SUMMARY_NO_JOB ? 0 : (uint64_t)root->job_last + 1;
    if (jobs != r->jobs)
        return bad(w, "\"jobs\" is not one past the highest job");
    uint64_t objects = 0, bytes = 0;
    for (unsigned k = 0; k < GCSPLAN_SUMMARY_BUCKETS; k++) {
        objects += r->s->hist[k].objects;
        if (gcsplan__add_u64(&bytes, r->s->hist[k].bytes) != 0 || objects < r->s->hist[k].objects)
            return bad(w, "the histogram does not add up");
    }
    if (objects != r->objects || bytes != r->bytes)
        return bad(w, "the histogram does not add up to the totals");
    return 0;
}

struct gcsplan__summary_reader {
    gcsplan_allocator alloc;
    reader r;
    gcsplan__rj w;
};

int gcsplan__summary_reader_new(gcsplan__summary_reader **out,
                                const gcsplan_summary_options *opts, gcsplan_error *err)
{
    *out = NULL;
    gcsplan_summary *s;
    int rc = gcsplan__summary_alloc(&s, opts, err);
    if (rc != 0)
        return rc;
    gcsplan__summary_reader *sr = gcsplan__malloc(&s->alloc, sizeof *sr);
    if (sr == NULL) {
        gcsplan_summary_free(s);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    memset(sr, 0, sizeof *sr);
    sr->alloc = s->alloc;
    sr->r.s = s;
    sr->r.last_bucket = -1;
    gcsplan__buf_dynamic(&sr->r.arena, &sr->alloc, ARENA_MAX);
    sr->w.fn = on_event;
    sr->w.ctx = &sr->r;
    /* Folders nest at most one per byte of an object name, and the root. */
    sr->r.stack = gcsplan__malloc(&sr->alloc, (GCSPLAN_NAME_MAX + 2) * sizeof *sr->r.stack);
    if (sr->r.stack == NULL) {
        gcsplan__summary_reader_free(sr);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    *out = sr;
    return 0;
}

gcsplan__rj *gcsplan__summary_reader_walker(gcsplan__summary_reader *sr)
{
    return &sr->w;
}

int gcsplan__summary_reader_finish(gcsplan__summary_reader *sr, gcsplan_summary **out,
                                   const char *what, gcsplan_error *err)
{
    *out = NULL;
    reader *r = &sr->r;
    gcsplan__rj w;
    memset(&w, 0, sizeof w);
    if (check_all(r, &w) != 0)
        return gcsplan__error_set(err, w.rc, "%s: %s", what, w.message);
    gcsplan_summary *s = r->s;
    s->nodes = gcsplan__malloc(&s->alloc, r->n_nodes * sizeof *s->nodes);
    s->arena = gcsplan__buf_take(&r->arena);
    if (s->nodes == NULL || s->arena == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n_nodes; i++) {
        pnode *p = &r->nodes[i];
        s->nodes[i] = p->n;
        /* Runs have no name of their own. */
        s->nodes[i].name = p->have & HAVE_NAME ? s->arena + p->name_at : "";
        s->nodes[i].first = p->have & HAVE_FIRST ? s->arena + p->first_at : NULL;
        s->nodes[i].last = p->have & HAVE_LAST ? s->arena + p->last_at : NULL;
    }
    s->n_nodes = r->n_nodes;
    s->max_nodes = (size_t)r->max_nodes;
    s->objects = r->objects;
    s->bytes = r->bytes;
    s->jobs = (size_t)r->jobs;
    s->finished = 1;
    *out = s;
    r->s = NULL;
    return 0;
}

void gcsplan__summary_reader_free(gcsplan__summary_reader *sr)
{
    if (sr == NULL)
        return;
    gcsplan_allocator a = sr->alloc;
    gcsplan__buf_free(&sr->r.arena);
    gcsplan__free(&a, sr->r.nodes);
    gcsplan__free(&a, sr->r.stack);
    gcsplan_summary_free(sr->r.s);
    gcsplan__free(&a, sr);
}

int gcsplan_summary_parse(gcsplan_summary **out, const char *json, size_t len,
                          const gcsplan_summary_options *opts, gcsplan_error *err)
{
    if (out == NULL || (json == NULL && len > 0))
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "no summary pointer or input");
    *out = NULL;
    gcsplan__summary_reader *sr;
    int rc = gcsplan__summary_reader_new(&sr, opts, err);
    if (rc != 0)
        return rc;
    rc = gcsplan__rj_parse(json, len, on_event, &sr->r, "summary", err);
    if (rc == 0)
        rc = gcsplan__summary_reader_finish(sr, out, "summary", err);
    gcsplan__summary_reader_free(sr);
    return rc;
}
