/* The planner: split the objects a PREFIX**SUFFIX URI matches into jobs.
 *
 * The names form a trie by character (UTF-8 code point; a byte that starts
 * no valid sequence is a character of its own). At each node x, the job
 * J(x) = x**SUFFIX matches the names below x that are at least
 * |x|+|SUFFIX| bytes long; the shorter ones below x ("short names", U(x))
 * need a literal job each. The best plan made of such prefix cuts is a
 * dynamic programme over the trie:
 *
 *     take(x)  = 1 + |U(x)|                      when J(x) fits the limits,
 *                                                 is writable and matches no
 *                                                 excluded object
 *     split(x) = sum of best(child) + [x is a name: its literal job]
 *     best(x)  = min(take(x), split(x))
 *
 * The names arrive sorted, so the trie is never built: only the path of the
 * current name is held, one frame per character, and a frame is decided
 * when the names leave its subtree. Jobs of a subtree that is still open
 * wait on a stack; taking a node drops what its children had planned.
 *
 * Names holding '*', '?', CR, LF or bytes that are not UTF-8 cannot be
 * written into a URI. Such a name w can only be matched by J(x) for an x
 * before its first such byte and not past |w|-|SUFFIX|: the deepest such
 * node is "forced" to take, over the limits if need be (an inseparable job).
 *
 * docs/planner.md has the proofs and the worst cases. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcsplan/plan.h"
#include "internal.h"
#include "plan_internal.h"
#include "util/name.h"
#include "util/num.h"
#include "util/utf8.h"

#define INF (UINT64_MAX / 4) /* a job count no plan reaches */
/* No limit: every count and size (up to 2^64-1, a total too) is within it.
 * Not INF, which sizes of 2^62 and more would exceed. */
#define UNLIMITED UINT64_MAX
#define FRAMES_MAX (GCSPLAN_NAME_MAX + 2)
#define ARENA_MAX ((size_t)1 << 34) /* bytes of job text held at once */

/* Job shapes: x**SUFFIX; x followed by the pattern's segments from one
 * on (x ends with '/'); x*R narrowing the last segment H*R; the original
 * URI; one object's name. */
enum { PJ_PREFIX = 1, PJ_LITERAL = 2, PJ_PINNED = 3, PJ_NARROW = 4, PJ_ROOT = 5 };

typedef struct pjob {
    int kind;
    unsigned int flags;
    uint64_t objects, bytes;
    size_t off, len; /* x, or the name, in the arena */
    size_t seg;      /* PJ_PINNED: the first segment that follows x */
} pjob;

typedef struct short_name {
    size_t len;      /* name length */
    uint64_t size;
    size_t off;      /* the name, in the short arena */
    int writable;    /* can be a literal URI */
} short_name;

typedef struct frame {
    size_t len;           /* |x| */
    int kind;             /* the shape J(x) has (PJ_*), 0 when x cannot be a job */
    size_t slen;          /* names shorter than |x|+slen are not matched by J(x) */
    size_t seg;           /* PJ_PINNED: the segment after x; else the segment x is in */
    size_t seg_start;     /* where that segment starts in the name */
    uint64_t cnt, bytes;  /* matched names below x, short ones included */
    size_t obst;          /* longest excluded name below x, plus one; 0 when none */
    int forced, is_name, name_writable, unwritable;
    size_t job_mark, arena_mark, short_mark;
    uint64_t best_children, greedy_children;
} frame;

typedef struct growbuf {
    char *p;
    size_t len, cap;
} growbuf;

struct gcsplan_planner {
    gcsplan_allocator alloc;
    const gcsplan_pattern *pat;
    uint64_t max_objects, max_bytes;  /* UNLIMITED when not given */
    const char *prefix, *suffix;
    size_t plen, slen;
    int literal;                      /* a literal pattern: one job at most */
    int segmented;
    size_t nsegs, first_glob;         /* segmented: segments, the first with a wildcard */
    const char *object;               /* the object pattern */
    size_t *seg_off;                  /* segmented: where each segment starts in it */
    int narrow;                       /* the last segment is H*R: one '*', no '?' */
    size_t head_len;                  /* |H| */
    const char *rest;                 /* R */
    size_t rest_len;
    frame frames[FRAMES_MAX];
    size_t nframes;
    char cur[GCSPLAN_NAME_MAX + 1];   /* the last name added */
    size_t cur_len;
    int have_cur;
    pjob *jobs;
    size_t njobs, jobs_cap;
    growbuf arena;                    /* job texts, stack discipline */
    short_name *shorts;
    size_t nshorts, shorts_cap;
    growbuf short_arena;
    gcsplan_plan_stats stats;
    int failed;
    gcsplan_error err;
    /* after finish */
    gcsplan_job *out;
    char *uris;
    char **extent_names;              /* per job: its first and last name, as the checker
                                         recorded them; owned here, so the jobs outlive the
                                         checker (plan.h) */
    uint64_t best_root, greedy_root;
    gcsplan_plan_options limits;
};

/* --- small containers ------------------------------------------------------------------ */

static int buf_push(const gcsplan_allocator *a, growbuf *b, const char *s, size_t n, size_t *off)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > ARENA_MAX)
            return GCSPLAN_ELIMIT;
        char *p = gcsplan__realloc(a, b->p, cap);
        if (p == NULL)
            return GCSPLAN_ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    *off = b->len;
    b->len += n;
    return 0;
}

static int job_push(gcsplan_planner *pl, int kind, const char *text, size_t len, uint64_t objects,
                    uint64_t bytes, unsigned int flags, size_t seg)
{
    if (pl->njobs == pl->jobs_cap) {
        size_t cap = pl->jobs_cap ? pl->jobs_cap * 2 : 256;
        pjob *j = gcsplan__realloc(&pl->alloc, pl->jobs, cap * sizeof *j);
        if (j == NULL)
            return GCSPLAN_ENOMEM;
        pl->jobs = j;
        pl->jobs_cap = cap;
    }
    pjob *j = &pl->jobs[pl->njobs];
    int rc = buf_push(&pl->alloc, &pl->arena, text, len, &j->off);
    if (rc != 0)
        return rc;
    j->kind = kind;
    j->seg = seg;
    j->len = len;
    j->objects = objects;
    j->bytes = bytes;
    j->flags = flags;
    pl->njobs++;
    return 0;
}

static int fail(gcsplan_planner *pl, int code, const char *fmt, ...) GCSPLAN_PRINTF(3, 4);

static int fail(gcsplan_planner *pl, int code, const char *fmt, ...)
{
    if (pl->failed)
        return pl->failed;
    gcsplan_error_clear(&pl->err);
    pl->err.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pl->err.message, sizeof pl->err.message, fmt, ap);
    va_end(ap);
    pl->failed = code;
    return code;
}

/* The planner's error into the caller's err; returns code. */
static int failed(const gcsplan_planner *pl, gcsplan_error *err, int code)
{
    if (err != NULL)
        *err = pl->err;
    return code;
}

/* A byte that cannot stand in the literal part of a URI, at s[i]: the
 * length of the character there, 0 when it is writable. */
static int unwritable_char(const unsigned char *s, size_t n, size_t *clen)
{
    unsigned char c = s[0];
    *clen = gcsplan__utf8_char(s, n);
    if (c == '*' || c == '?' || c == '\r' || c == '\n')
        return 1;
    return c >= 0x80 && gcsplan__utf8_seq(s, n) == 0;
}

/* --- the trie walk --------------------------------------------------------------------- */

/* Does J(x) match an excluded object below x? Those at least |x|+slen long. */
static int blocked(const frame *f)
{
    return f->obst > 0 && f->obst - 1 >= f->len + f->slen;
}

static int fits(const frame *f, uint64_t cnt, uint64_t bytes, const gcsplan_planner *pl)
{
    if (f->kind == 0 || f->unwritable || f->len + f->slen > GCSPLAN_NAME_MAX || blocked(f))
        return 0;
    return cnt <= pl->max_objects && bytes <= pl->max_bytes;
}

/* Keep, above f's mark, only the names that are short for f: |m| < |x|+slen. */
static void keep_short(gcsplan_planner *pl, const frame *f)
{
    size_t keep = f->short_mark;
    size_t w = keep < pl->nshorts ? pl->shorts[keep].off : pl->short_arena.len;
    for (size_t i = f->short_mark; i < pl->nshorts; i++) {
        short_name sn = pl->shorts[i];
        if (sn.len >= f->len + f->slen)
            continue;
        memmove(pl->short_arena.p + w, pl->short_arena.p + sn.off, sn.len);
        sn.off = w;
        w += sn.len;
        pl->shorts[keep++] = sn;
    }
    pl->nshorts = keep;
    pl->short_arena.len = w;
}

/* Decide the deepest frame and fold it into its parent. */
static int close_frame(gcsplan_planner *pl)
{
    frame *f = &pl->frames[pl->nframes - 1];
    keep_short(pl, f);
    /* U(x): the short names above the frame's mark (children already dropped
     * the ones that are not short for x). */
    uint64_t ucnt = 0, ubytes = 0;
    int u_writable = 1;
    for (size_t i = f->short_mark; i < pl->nshorts; i++) {
        ucnt++;
        ubytes += pl->shorts[i].size;
        u_writable &= pl->shorts[i].writable;
    }
    uint64_t ccnt = f->cnt - ucnt, cbytes = f->bytes - ubytes;
    int ok = fits(f, ccnt, cbytes, pl);
    uint64_t take = (ok || f->forced) && u_writable ? (ccnt > 0) + ucnt : INF;
    uint64_t split = f->best_children + (f->is_name ? (f->name_writable ? 1 : INF) : 0);
    if (split > INF)
        split = INF;
    uint64_t best;
    int taking;
    if (f->forced) {
        taking = 1;
        best = take;
        if (blocked(f))
            return fail(pl, GCSPLAN_EPLAN,
                        "an excluded object cannot be kept out of the job for '%.*s': names below "
                        "it hold '*', '?' or bytes no URI can name",
                        (int)f->len, pl->cur);
    } else {
        taking = take != INF && take <= split;
        best = taking ? take : split;
    }
    uint64_t greedy = (ok || f->forced) ? take : f->greedy_children + (f->is_name ? 1 : 0);
    if (taking && best != INF) {
        pl->njobs = f->job_mark;
        pl->arena.len = f->arena_mark;
        int rc = 0;
        if (ccnt > 0)
            rc = job_push(pl, f->kind, pl->cur, f->len, ccnt, cbytes,
                          ok ? 0 : GCSPLAN_JOB_INSEPARABLE, f->seg);
        for (size_t i = f->short_mark; i < pl->nshorts && rc == 0; i++) {
            const short_name *s = &pl->shorts[i];
            rc = job_push(pl, PJ_LITERAL, pl->short_arena.p + s->off, s->len, 1, s->size,
                          s->size > pl->max_bytes ? GCSPLAN_JOB_OVERSIZE : 0, 0);
        }
        if (rc != 0)
            return fail(pl, rc, "%s", gcsplan_strerror(rc));
    }
    pl->nframes--;
    if (pl->nframes == 0) {
        pl->best_root = best;
        pl->greedy_root = greedy;
        return 0;
    }
    frame *parent = &pl->frames[pl->nframes - 1];
    parent->cnt += f->cnt;
    parent->bytes += f->bytes;
    if (f->obst > parent->obst)
        parent->obst = f->obst;
    parent->best_children = parent->best_children + best > INF ? INF : parent->best_children + best;
    parent->greedy_children += greedy;
    /* Names that are short for the child but not for the parent leave the
     * short list: they are the parent's ordinary names. */
    keep_short(pl, parent);
    return 0;
}

/* Enter the frame of x = name[0, len): what shape J(x) has, if any. */
static void open_frame(gcsplan_planner *pl, const char *name, size_t len, int unwritable)
{
    const frame *parent = pl->nframes ? &pl->frames[pl->nframes - 1] : NULL;
    frame *f = &pl->frames[pl->nframes++];
    memset(f, 0, sizeof *f);
    f->len = len;
    f->unwritable = unwritable;
    f->job_mark = pl->njobs;
    f->arena_mark = pl->arena.len;
    f->short_mark = pl->nshorts;
    if (parent == NULL) { /* the root: the original URI itself */
        f->kind = pl->literal ? 0 : pl->segmented ? PJ_ROOT : PJ_PREFIX;
        f->slen = pl->segmented ? 0 : pl->slen;
        if (pl->segmented) {
            f->seg = 0;
            for (size_t i = 0; i < len; i++)
                if (name[i] == '/') {
                    f->seg++;
                    f->seg_start = i + 1;
                }
        }
        return;
    }
    if (!pl->segmented) {
        f->kind = PJ_PREFIX;
        f->slen = pl->slen;
        return;
    }
    /* Segmented: x pins the segments it holds whole. */
    f->seg = parent->seg;
    f->seg_start = parent->seg_start;
    if (name[len - 1] == '/') {
        f->seg++;
        f->seg_start = len;
        if (f->seg < pl->nsegs && f->seg > pl->first_glob)
            f->kind = PJ_PINNED; /* x, then the pattern's segments from f->seg on */
    } else if (f->seg + 1 == pl->nsegs && pl->narrow && len - f->seg_start >= pl->head_len) {
        f->kind = PJ_NARROW; /* x*R: the last segment narrowed to a longer head */
        f->slen = pl->rest_len;
    }
}

int gcsplan_planner_new(gcsplan_planner **out, const gcsplan_pattern *pattern,
                        const gcsplan_plan_options *opts, gcsplan_error *err)
{
    if (out == NULL || pattern == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out or pattern is NULL");
    *out = NULL;
    gcsplan_plan_options o = GCSPLAN_PLAN_OPTIONS_INIT;
    if (opts != NULL) {
        if (opts->version != GCSPLAN_PLAN_OPTIONS_VERSION)
            return gcsplan__error_set(err, GCSPLAN_EINVAL, "unsupported options version %u",
                                      opts->version);
        o = *opts;
    }
    gcsplan_pattern_kind kind = gcsplan_pattern_kind_of(pattern);
    const gcsplan_allocator *a = gcsplan__allocator_or_default(o.allocator);
    gcsplan_planner *pl = gcsplan__malloc(a, sizeof *pl);
    if (pl == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(pl, 0, sizeof *pl);
    pl->alloc = *a;
    pl->pat = pattern;
    pl->limits = o;
    pl->max_objects = o.max_objects ? o.max_objects : UNLIMITED;
    pl->max_bytes = o.max_bytes ? o.max_bytes : UNLIMITED;
    pl->literal = kind == GCSPLAN_PATTERN_LITERAL;
    pl->prefix = gcsplan_pattern_prefix(pattern, &pl->plen);
    pl->suffix = gcsplan_pattern_suffix(pattern, &pl->slen);
    pl->segmented = kind == GCSPLAN_PATTERN_SEGMENTED;
    if (pl->segmented) {
        size_t olen;
        pl->object = gcsplan_pattern_object(pattern, &olen);
        pl->nsegs = gcsplan_pattern_segment_count(pattern);
        pl->seg_off = gcsplan__malloc(a, pl->nsegs * sizeof *pl->seg_off);
        if (pl->seg_off == NULL) {
            gcsplan_planner_free(pl);
            return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
        }
        pl->first_glob = pl->nsegs;
        gcsplan_segment seg;
        for (size_t i = 0; i < pl->nsegs; i++) {
            gcsplan_pattern_segment(pattern, i, &seg);
            pl->seg_off[i] = seg.offset;
            if (seg.wildcard && pl->first_glob == pl->nsegs)
                pl->first_glob = i;
        }
        /* The last segment H*R can be narrowed to xH*R like a prefix cut. */
        size_t stars = 0, ones = 0, at = 0;
        for (size_t k = 0; k < seg.len; k++) {
            stars += seg.text[k] == '*';
            ones += seg.text[k] == '?';
            if (seg.text[k] == '*')
                at = k;
        }
        if (stars == 1 && ones == 0) {
            pl->narrow = 1;
            pl->head_len = at;
            pl->rest = seg.text + at + 1;
            pl->rest_len = seg.len - at - 1;
        }
    }
    open_frame(pl, pl->prefix, pl->plen, 0);
    *out = pl;
    return 0;
}

int gcsplan_planner_add(gcsplan_planner *pl, const char *name, size_t len, uint64_t size,
                        int excluded, gcsplan_error *err)
{
    if (pl->failed) {
        if (err)
            *err = pl->err;
        return pl->failed;
    }
    if (!gcsplan_pattern_match(pl->pat, name, len))
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "'%.200s' is not matched by the URI", name);
    if (pl->have_cur) {
        if (gcsplan__name_cmp(name, len, pl->cur, pl->cur_len) <= 0)
            return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                      "'%.200s' comes after '%.200s': names must be strictly "
                                      "increasing", name, pl->cur);
    }
    /* Leave the frames that are not prefixes of the new name. */
    size_t lcp = 0;
    if (pl->have_cur)
        while (lcp < len && lcp < pl->cur_len && name[lcp] == pl->cur[lcp])
            lcp++;
    while (pl->nframes > 1 && pl->frames[pl->nframes - 1].len > lcp) {
        if (close_frame(pl) != 0)
            break;
    }
    if (pl->failed) {
        if (err)
            *err = pl->err;
        return pl->failed;
    }
    memcpy(pl->cur, name, len);
    pl->cur[len] = '\0';
    pl->cur_len = len;
    pl->have_cur = 1;
    /* Enter a frame at each character boundary past the deepest kept one. */
    const unsigned char *s = (const unsigned char *)name;
    size_t pos = pl->frames[pl->nframes - 1].len;
    int bad = pl->frames[pl->nframes - 1].unwritable;
    size_t first_bad = bad ? 0 : SIZE_MAX;
    /* Where is the first unwritable character of the name, past the prefix? */
    for (size_t i = pl->plen; i < len;) {
        size_t k;
        if (unwritable_char(s + i, len - i, &k)) {
            first_bad = i;
            break;
        }
        i += k;
    }
    while (pos < len) {
        size_t k;
        int u = unwritable_char(s + pos, len - pos, &k);
        pos += k;
        open_frame(pl, name, pos, bad || u || first_bad < pos);
        bad = bad || u;
    }
    frame *f = &pl->frames[pl->nframes - 1];
    if (excluded) {
        if (len + 1 > f->obst)
            f->obst = len + 1;
        pl->stats.excluded++;
        return 0;
    }
    /* Every other sum of sizes (a frame's, a job's, the short names') adds
     * up a subset of these objects, so it cannot wrap when this one does
     * not: one check covers them all. */
    if (gcsplan__add_u64(&pl->stats.bytes, size) != 0)
        return failed(pl, err, fail(pl, GCSPLAN_ELIMIT,
                                    "the matched objects total more than 2^64-1 bytes"));
    pl->stats.objects++;
    f->cnt++;
    f->bytes += size;
    f->is_name = 1;
    f->name_writable = first_bad == SIZE_MAX;
    if (pl->literal)
        return 0;
    /* The literal job a split would give this name; taking x drops it. */
    if (f->name_writable) {
        int rc = job_push(pl, PJ_LITERAL, name, len, 1, size,
                          size > pl->max_bytes ? GCSPLAN_JOB_OVERSIZE : 0, 0);
        if (rc != 0)
            return failed(pl, err, fail(pl, rc, "%s", gcsplan_strerror(rc)));
    }
    if (pl->slen > 0 || pl->rest_len > 0) {
        if (pl->nshorts == pl->shorts_cap) {
            size_t cap = pl->shorts_cap ? pl->shorts_cap * 2 : 64;
            short_name *n = gcsplan__realloc(&pl->alloc, pl->shorts, cap * sizeof *n);
            if (n == NULL)
                return failed(pl, err, fail(pl, GCSPLAN_ENOMEM, "out of memory"));
            pl->shorts = n;
            pl->shorts_cap = cap;
        }
        short_name *sn = &pl->shorts[pl->nshorts];
        int rc = buf_push(&pl->alloc, &pl->short_arena, name, len, &sn->off);
        if (rc != 0)
            return failed(pl, err, fail(pl, rc, "%s", gcsplan_strerror(rc)));
        sn->len = len;
        sn->size = size;
        sn->writable = first_bad == SIZE_MAX;
        pl->nshorts++;
    }
    if (first_bad != SIZE_MAX) {
        /* Only a J(x) with x before the first bad byte, for which the name
         * is not short, can match it: the deepest such node must take. */
        for (size_t i = pl->nframes; i-- > 0;) {
            const frame *g = &pl->frames[i];
            if ((g->kind != 0 || i == 0) && g->len <= first_bad && g->len + g->slen <= len) {
                pl->frames[i].forced = 1;
                break;
            }
        }
    }
    return 0;
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return b == 0 || b == UNLIMITED ? (a > 0) : a / b + (a % b != 0);
}

int gcsplan_planner_finish(gcsplan_planner *pl, gcsplan_error *err)
{
    while (!pl->failed && pl->nframes > 0)
        close_frame(pl);
    if (!pl->failed && pl->literal) {
        pl->njobs = 0;
        if (pl->stats.objects > 0 &&
            job_push(pl, PJ_LITERAL, pl->prefix, pl->plen, 1, pl->stats.bytes,
                     pl->stats.bytes > pl->max_bytes ? GCSPLAN_JOB_OVERSIZE : 0, 0) != 0)
            fail(pl, GCSPLAN_ENOMEM, "out of memory");
        pl->greedy_root = pl->njobs;
    }
    if (pl->failed) {
        if (err)
            *err = pl->err;
        return pl->failed;
    }
    /* The URIs, and the public view of each job. */
    const char *bucket = gcsplan_pattern_bucket(pl->pat);
    size_t blen = strlen(bucket), total = 0;
    size_t olen;
    const char *object = gcsplan_pattern_object(pl->pat, &olen);
    for (size_t i = 0; i < pl->njobs; i++)
        total += 5 + blen + 1 + pl->jobs[i].len + olen + 3;
    pl->uris = gcsplan__malloc(&pl->alloc, total ? total : 1);
    pl->out = gcsplan__malloc(&pl->alloc, (pl->njobs ? pl->njobs : 1) * sizeof *pl->out);
    if (pl->uris == NULL || pl->out == NULL) {
        fail(pl, GCSPLAN_ENOMEM, "out of memory");
        if (err)
            *err = pl->err;
        return GCSPLAN_ENOMEM;
    }
    char *u = pl->uris;
    for (size_t i = 0; i < pl->njobs; i++) {
        const pjob *j = &pl->jobs[i];
        gcsplan_job *o = &pl->out[i];
        const char *x = pl->arena.p + j->off, *tail = "", *glue = "";
        size_t tail_len = 0;
        switch (j->kind) {
        case PJ_PREFIX: glue = "**"; tail = pl->suffix; tail_len = pl->slen; break;
        case PJ_PINNED: tail = object + pl->seg_off[j->seg]; tail_len = olen - pl->seg_off[j->seg]; break;
        case PJ_NARROW: glue = "*"; tail = pl->rest; tail_len = pl->rest_len; break;
        case PJ_ROOT: x = object; tail = ""; break;
        default: break;
        }
        size_t xlen = j->kind == PJ_ROOT ? olen : j->len;
        int n = snprintf(u, total - (size_t)(u - pl->uris), "gs://%s/%.*s%s%.*s", bucket,
                         (int)xlen, x, glue, (int)tail_len, tail);
        memset(o, 0, sizeof *o);
        o->uri = u;
        o->uri_len = (size_t)n;
        o->objects = j->objects;
        o->bytes = j->bytes;
        o->flags = j->flags;
        o->first = o->last = "";
        u += n + 1;
        pl->stats.oversize += (j->flags & GCSPLAN_JOB_OVERSIZE) != 0;
        pl->stats.inseparable += (j->flags & GCSPLAN_JOB_INSEPARABLE) != 0;
    }
    pl->stats.jobs = pl->njobs;
    pl->stats.prefix_cut = pl->greedy_root;
    uint64_t lb1 = ceil_div(pl->stats.objects, pl->max_objects);
    uint64_t lb2 = ceil_div(pl->stats.bytes, pl->max_bytes);
    pl->stats.lower_bound = lb1 > lb2 ? lb1 : lb2;
    if (pl->stats.objects == 0)
        pl->stats.lower_bound = 0;
    return 0;
}

size_t gcsplan_planner_job_count(const gcsplan_planner *pl)
{
    return pl->out ? pl->njobs : 0;
}

const gcsplan_job *gcsplan_planner_job(const gcsplan_planner *pl, size_t i)
{
    return pl->out && i < pl->njobs ? &pl->out[i] : NULL;
}

void gcsplan_planner_stats(const gcsplan_planner *pl, gcsplan_plan_stats *stats)
{
    *stats = pl->stats;
}

/* For the checker (plan_check.c). */
const gcsplan_pattern *gcsplan__planner_pattern(const gcsplan_planner *pl)
{
    return pl->pat;
}

const gcsplan_plan_options *gcsplan__planner_limits(const gcsplan_planner *pl)
{
    return &pl->limits;
}

const gcsplan_allocator *gcsplan__planner_allocator(const gcsplan_planner *pl)
{
    return &pl->alloc;
}

int gcsplan__planner_set_job_extent(gcsplan_planner *pl, size_t i, const char *first,
                                    size_t first_len, const char *last, size_t last_len,
                                    uint64_t largest, uint64_t digest)
{
    if (pl->extent_names == NULL) {
        size_t n = pl->njobs ? pl->njobs : 1;
        pl->extent_names = gcsplan__malloc(&pl->alloc, 2 * n * sizeof *pl->extent_names);
        if (pl->extent_names == NULL)
            return GCSPLAN_ENOMEM;
        memset(pl->extent_names, 0, 2 * n * sizeof *pl->extent_names);
    }
    char *f = gcsplan__strndup(&pl->alloc, first, first_len);
    char *l = f ? gcsplan__strndup(&pl->alloc, last, last_len) : NULL;
    if (l == NULL) {
        gcsplan__free(&pl->alloc, f);
        return GCSPLAN_ENOMEM;
    }
    /* A second check of the same plan replaces what the first recorded. */
    gcsplan__free(&pl->alloc, pl->extent_names[2 * i]);
    gcsplan__free(&pl->alloc, pl->extent_names[2 * i + 1]);
    pl->extent_names[2 * i] = f;
    pl->extent_names[2 * i + 1] = l;
    pl->out[i].first = f;
    pl->out[i].last = l;
    pl->out[i].largest = largest;
    pl->out[i].digest = digest;
    return 0;
}

uint64_t gcsplan_digest_object(uint64_t digest, const char *name, size_t len, uint64_t size,
                               int64_t generation)
{
    char tail[64];
    int n = snprintf(tail, sizeof tail, "%c%llu%c%lld\n", 0, (unsigned long long)size, 0,
                     (long long)generation);
    for (size_t i = 0; i < len; i++)
        digest = (digest ^ (unsigned char)name[i]) * 0x100000001b3ull;
    for (int i = 0; i < n; i++)
        digest = (digest ^ (unsigned char)tail[i]) * 0x100000001b3ull;
    return digest;
}

void gcsplan_planner_free(gcsplan_planner *pl)
{
    if (pl == NULL)
        return;
    gcsplan__free(&pl->alloc, pl->jobs);
    gcsplan__free(&pl->alloc, pl->arena.p);
    gcsplan__free(&pl->alloc, pl->shorts);
    gcsplan__free(&pl->alloc, pl->short_arena.p);
    gcsplan__free(&pl->alloc, pl->out);
    gcsplan__free(&pl->alloc, pl->uris);
    for (size_t i = 0; pl->extent_names != NULL && i < 2 * pl->njobs; i++)
        gcsplan__free(&pl->alloc, pl->extent_names[i]);
    gcsplan__free(&pl->alloc, pl->extent_names);
    gcsplan__free(&pl->alloc, pl->seg_off);
    gcsplan__free(&pl->alloc, pl);
}
