/* The treemap of the summary: where the bytes are, and which job holds them.
 *
 * Squarified layout (Bruls, Huizing and van Wijk, 2000), nested by prefix:
 * each folder's rectangle holds its children, largest first, laid in rows
 * along the shorter side, each row grown while that makes its worst aspect
 * ratio no worse. Area is bytes; the fill of a leaf is its job's colour, or
 * a hatch when its objects belong to several jobs. A folder keeps a strip
 * at its top for its name when there is room. The order of children (bytes
 * down, then name order) and all the arithmetic depend only on the summary,
 * so the same summary draws the same picture.
 *
 * Every drawn node is focusable (a link to its job's row, or tabindex) and
 * carries an SVG <title>: the path, figures and job, shown on hover with
 * scripts off and read by screen readers. The table beside it lists every
 * node with the same figures. Coordinates are written with one decimal. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "report_internal.h"
#include "report_summary.h"

#define MAP_W 960.0
#define MAP_H 640.0
/* A folder's name strip and padding, and the sizes that make them worth it. */
#define HEADER 15.0
#define PAD 2.0
/* Average advance of a character of the 11px label font, for cutting. */
#define CHAR_W 6.4

typedef struct tm_ctx {
    const gcsplan_report *r;
    const gcsplan_summary *s;
    rp_out *o;
    size_t *scratch;          /* children being laid out, one slice per level */
    size_t top;
    char base[GCSPLAN_URI_MAX + 1]; /* "gs://bucket/" from the plan's URI */
    size_t base_len;
    char *path;               /* the path of the node being drawn */
    size_t path_len;
} tm_ctx;

static const gcsplan_summary_node *N(const tm_ctx *c, size_t i)
{
    return &c->s->nodes[i];
}

/* Job numbers as people see them: from 1. */
static void jobs_text(tm_ctx *c, const gcsplan_summary_node *n)
{
    rp_out *o = c->o;
    if (n->job_first == GCSPLAN_SUMMARY_NO_JOB)
        return;
    if (n->job_first == n->job_last) {
        gcsplan__ro_raw(o, "job ");
        gcsplan__ro_count(o, (uint64_t)n->job_first + 1);
        if (n->job_first < c->r->n_jobs) {
            gcsplan__ro_raw(o, ": ");
            gcsplan__ro_str(o, &c->r->jobs[n->job_first].uri);
        }
        return;
    }
    gcsplan__ro_raw(o, "jobs ");
    gcsplan__ro_count(o, (uint64_t)n->job_first + 1);
    gcsplan__ro_raw(o, "\xE2\x80\x93"); /* en dash */
    gcsplan__ro_count(o, (uint64_t)n->job_last + 1);
    gcsplan__ro_raw(o, " (several jobs)");
}

/* What a node is called on the page: its path part, or for a run the names
 * it spans. */
static void node_label(tm_ctx *c, const gcsplan_summary_node *n, size_t max)
{
    rp_out *o = c->o;
    if (n->kind == GCSPLAN_SUMMARY_MORE) {
        gcsplan__ro_raw(o, "(");
        gcsplan__ro_count(o, n->merged);
        gcsplan__ro_raw(o, " more)");
        return;
    }
    if (n == c->s->nodes) {
        /* The root: the bucket and the prefix every name shares. */
        gcsplan__ro_text_cut(o, c->base, c->base_len, max);
        if (c->base_len < max)
            gcsplan__ro_text_cut(o, n->name, n->name_len, max - c->base_len);
    } else if (n->name_len == 0)
        gcsplan__ro_raw(o, "(folder object)");
    else
        gcsplan__ro_text_cut(o, n->name, n->name_len, max);
}

/* A run by the siblings it spans: "a/ … k/ (11 more)", or "a/ (1 more)". */
static void run_span(rp_out *o, const gcsplan_summary_node *n)
{
    gcsplan__ro_text(o, n->first, n->first_len);
    if (n->merged > 1) {
        gcsplan__ro_raw(o, " \xE2\x80\xA6 ");
        gcsplan__ro_text(o, n->last, n->last_len);
    }
    gcsplan__ro_raw(o, " (");
    gcsplan__ro_count(o, n->merged);
    gcsplan__ro_raw(o, " more)");
}

static void title(tm_ctx *c, const gcsplan_summary_node *n)
{
    rp_out *o = c->o;
    gcsplan__ro_raw(o, "<title>");
    gcsplan__ro_text(o, c->base, c->base_len);
    gcsplan__ro_text(o, c->path, c->path_len);
    if (n->kind == GCSPLAN_SUMMARY_MORE) {
        run_span(o, n);
    } else if (n->kind == GCSPLAN_SUMMARY_OBJECT && n->name_len == 0) {
        gcsplan__ro_raw(o, " (the folder's own object)");
    }
    gcsplan__ro_raw(o, "\n");
    gcsplan__ro_count(o, n->objects);
    gcsplan__ro_raw(o, n->objects == 1 ? " object, " : " objects, ");
    gcsplan__ro_bytes(o, n->bytes);
    gcsplan__ro_raw(o, " (");
    gcsplan__ro_count(o, n->bytes);
    gcsplan__ro_raw(o, " bytes)\n");
    jobs_text(c, n);
    gcsplan__ro_raw(o, "</title>");
}

static void label(tm_ctx *c, const gcsplan_summary_node *n, double x, double y, double w)
{
    if (w < 6 + 3 * CHAR_W)
        return; /* not even three characters */
    size_t max = (size_t)((w - 6) / CHAR_W);
    gcsplan__ro_raw(c->o, "<text x=\"");
    gcsplan__ro_dec(c->o, x + 3);
    gcsplan__ro_raw(c->o, "\" y=\"");
    gcsplan__ro_dec(c->o, y + 11);
    gcsplan__ro_raw(c->o, "\">");
    node_label(c, n, max);
    gcsplan__ro_raw(c->o, "</text>");
}

/* One node: a folder frame (children drawn after it, on top), or a leaf
 * filled by its job. */
static void draw(tm_ctx *c, size_t i, double x, double y, double w, double h, int leaf)
{
    const gcsplan_summary_node *n = N(c, i);
    rp_out *o = c->o;
    int one_job = n->job_first == n->job_last && n->job_first != GCSPLAN_SUMMARY_NO_JOB;
    if (!leaf || !one_job) {
        gcsplan__ro_raw(o, "<g class=\"node\" tabindex=\"0\">");
    } else {
        gcsplan__ro_raw(o, "<a class=\"node\" href=\"#job-");
        gcsplan__ro_u64(o, (uint64_t)n->job_first + 1);
        gcsplan__ro_raw(o, "\">");
    }
    title(c, n);
    gcsplan__ro_rect(o, NULL, x, y, w, h);
    if (!leaf) {
        gcsplan__ro_raw(o, " class=\"fd\"/>");
    } else if (one_job) {
        gcsplan__ro_raw(o, " fill=\"");
        gcsplan__ro_raw(o, gcsplan__rp_job_colour(n->job_first));
        gcsplan__ro_raw(o, "\"/>");
    } else {
        gcsplan__ro_raw(o, " fill=\"url(#several)\"/>");
    }
    if (h >= 14 && (leaf || h >= HEADER + 4))
        label(c, n, x, y, w);
    gcsplan__ro_raw(o, leaf && one_job ? "</a>" : "</g>");
    gcsplan__ro_flush(o, 0);
}

static void layout(tm_ctx *c, size_t i, double x, double y, double w, double h);

/* Children of i with bytes, largest first (then name order). */
static int by_bytes(const void *a, const void *b, const tm_ctx *c)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    uint64_t bx = N(c, x)->bytes, by = N(c, y)->bytes;
    if (bx != by)
        return bx > by ? -1 : 1;
    return x < y ? -1 : x > y;
}

static _Thread_local const tm_ctx *sort_ctx;
static int by_bytes_q(const void *a, const void *b) { return by_bytes(a, b, sort_ctx); }

/* Lay items[0..k) (largest first) out in the rectangle, squarified. */
static void squarify(tm_ctx *c, const size_t *items, size_t k, double x, double y, double w,
                     double h)
{
    double total = 0;
    for (size_t i = 0; i < k; i++)
        total += (double)N(c, items[i])->bytes;
    if (!(total > 0) || w <= 0 || h <= 0)
        return;
    double scale = w * h / total;
    size_t i = 0;
    while (i < k) {
        double side = w < h ? w : h;
        double first = (double)N(c, items[i])->bytes * scale, sum = 0, best = 0;
        size_t j = i;
        while (j < k) {
            double a = (double)N(c, items[j])->bytes * scale, s = sum + a;
            double worst = side * side * first / (s * s);
            double other = s * s / (side * side * a);
            if (other > worst)
                worst = other;
            if (j > i && worst > best)
                break;
            best = worst;
            sum = s;
            j++;
        }
        /* The last row takes what is left, so rounding never leaves a gap. */
        if (j == k)
            sum = w * h;
        double thick = sum / side, at = 0;
        for (size_t m = i; m < j; m++) {
            double a = (double)N(c, items[m])->bytes * scale;
            double len = m + 1 == j ? side - at : a / thick;
            if (w >= h)
                layout(c, items[m], x, y + at, thick, len);
            else
                layout(c, items[m], x + at, y, len, thick);
            at += len;
        }
        if (w >= h) {
            x += thick;
            w -= thick;
        } else {
            y += thick;
            h -= thick;
        }
        i = j;
    }
}

static void layout(tm_ctx *c, size_t i, double x, double y, double w, double h)
{
    const gcsplan_summary_node *n = N(c, i);
    size_t saved = c->path_len;
    if (n->kind != GCSPLAN_SUMMARY_MORE) {
        memcpy(c->path + c->path_len, n->name, n->name_len);
        c->path_len += n->name_len;
    }
    /* A run's title names its members relative to the folder: draw it with
     * the folder's path. */
    size_t title_len = c->path_len;
    if (n->kind == GCSPLAN_SUMMARY_MORE)
        title_len = saved;
    size_t keep = c->path_len;
    c->path_len = title_len;
    int inner = n->kind == GCSPLAN_SUMMARY_FOLDER && n->end > i + 1 && w >= 2 * PAD + 4 &&
                h >= 2 * PAD + 4;
    double head = inner && h >= 3 * HEADER && w >= 48 ? HEADER : 0;
    double ix = x + PAD, iy = y + PAD + head, iw = w - 2 * PAD, ih = h - 2 * PAD - head;
    inner = inner && iw >= 2 && ih >= 2;
    draw(c, i, x, y, w, h, !inner);
    c->path_len = keep;
    if (inner) {
        size_t base = c->top, k = 0;
        for (size_t ch = i + 1; ch < n->end; ch = N(c, ch)->end)
            if (N(c, ch)->bytes > 0)
                c->scratch[base + k++] = ch;
        c->top += k;
        sort_ctx = c;
        qsort(c->scratch + base, k, sizeof *c->scratch, by_bytes_q);
        squarify(c, c->scratch + base, k, ix, iy, iw, ih);
        c->top = base;
    }
    c->path_len = saved;
}

/* The legend: which colour is which jobs. */
static void legend(tm_ctx *c)
{
    rp_out *o = c->o;
    size_t jobs = c->r->n_jobs;
    gcsplan__ro_raw(o, "<ul class=\"legend\">");
    for (size_t k = 0; k < GCSPLAN__RP_PALETTE && k < jobs; k++) {
        gcsplan__ro_raw(o, "<li><span class=\"sw c");
        gcsplan__ro_u64(o, k);
        gcsplan__ro_raw(o, "\"></span>job");
        size_t count = (jobs - k + GCSPLAN__RP_PALETTE - 1) / GCSPLAN__RP_PALETTE;
        gcsplan__ro_raw(o, count > 1 ? "s " : " ");
        for (size_t m = 0; m < count && m < 3; m++) {
            if (m > 0)
                gcsplan__ro_raw(o, ", ");
            gcsplan__ro_count(o, (uint64_t)(k + m * GCSPLAN__RP_PALETTE) + 1);
        }
        if (count > 3) {
            gcsplan__ro_raw(o, ", \xE2\x80\xA6 (");
            gcsplan__ro_count(o, count);
            gcsplan__ro_raw(o, " jobs)");
        }
        gcsplan__ro_raw(o, "</li>");
    }
    gcsplan__ro_raw(o, "<li><span class=\"sw several\"></span>objects of several jobs</li>"
                       "<li><span class=\"sw folder\"></span>folder</li></ul>");
}

/* The table beside the picture: every node, with the same figures. */
static void table(tm_ctx *c)
{
    rp_out *o = c->o;
    const gcsplan_summary *s = c->s;
    gcsplan__ro_raw(o, "<div class=\"scroll\" tabindex=\"0\" role=\"region\" "
                       "aria-label=\"Prefixes as a table\"><table class=\"prefixes\">"
                       "<caption>Prefixes (");
    gcsplan__ro_count(o, s->n_nodes);
    gcsplan__ro_raw(o, " nodes of at most ");
    gcsplan__ro_count(o, s->max_nodes);
    gcsplan__ro_raw(o, ")</caption><thead><tr><th scope=\"col\">Path</th>"
                       "<th scope=\"col\" class=\"n\">Objects</th><th scope=\"col\" class=\"n\">"
                       "Bytes</th><th scope=\"col\" class=\"n\">Jobs</th></tr></thead><tbody>");
    /* Paths are rebuilt from a stack of the open folders' lengths. */
    size_t stack[GCSPLAN_NAME_MAX + 2], depth = 0;
    size_t plen = 0;
    for (size_t i = 0; i < s->n_nodes; i++) {
        const gcsplan_summary_node *n = &s->nodes[i];
        while (depth > n->depth)
            plen = stack[--depth];
        gcsplan__ro_raw(o, "<tr><td class=\"path\">");
        gcsplan__ro_text(o, c->path, plen);
        if (n->kind == GCSPLAN_SUMMARY_MORE) {
            gcsplan__ro_raw(o, "<span class=\"more\">");
            run_span(o, n);
            gcsplan__ro_raw(o, "</span>");
        } else {
            gcsplan__ro_text(o, n->name, n->name_len);
            if (i == 0 && n->name_len == 0)
                gcsplan__ro_raw(o, "(all)");
            else if (n->kind == GCSPLAN_SUMMARY_OBJECT && n->name_len == 0)
                gcsplan__ro_raw(o, " <span class=\"more\">(the folder's own object)</span>");
        }
        gcsplan__ro_raw(o, "</td><td class=\"n\">");
        gcsplan__ro_count(o, n->objects);
        gcsplan__ro_raw(o, "</td><td class=\"n\">");
        gcsplan__ro_bytes(o, n->bytes);
        gcsplan__ro_raw(o, "</td><td class=\"n\">");
        if (n->job_first != GCSPLAN_SUMMARY_NO_JOB) {
            gcsplan__ro_raw(o, "<a href=\"#job-");
            gcsplan__ro_u64(o, (uint64_t)n->job_first + 1);
            gcsplan__ro_raw(o, "\">");
            gcsplan__ro_count(o, (uint64_t)n->job_first + 1);
            gcsplan__ro_raw(o, "</a>");
            if (n->job_last != n->job_first) {
                gcsplan__ro_raw(o, "\xE2\x80\x93<a href=\"#job-");
                gcsplan__ro_u64(o, (uint64_t)n->job_last + 1);
                gcsplan__ro_raw(o, "\">");
                gcsplan__ro_count(o, (uint64_t)n->job_last + 1);
                gcsplan__ro_raw(o, "</a>");
            }
        }
        gcsplan__ro_raw(o, "</td></tr>");
        if (n->kind == GCSPLAN_SUMMARY_FOLDER && n->end > i + 1) {
            stack[depth++] = plen;
            memcpy(c->path + plen, n->name, n->name_len);
            plen += n->name_len;
        }
        gcsplan__ro_flush(o, 0);
    }
    gcsplan__ro_raw(o, "</tbody></table></div>");
}

int gcsplan__rp_treemap(const gcsplan_report *r, rp_out *o)
{
    const gcsplan_summary *s = r->summary;
    tm_ctx c;
    memset(&c, 0, sizeof c);
    c.r = r;
    c.s = s;
    c.o = o;
    /* "gs://bucket/": the URI up to the slash after the bucket. */
    if (r->uri.p != NULL && r->uri.n > 5 && memcmp(r->uri.p, "gs://", 5) == 0) {
        const char *slash = memchr(r->uri.p + 5, '/', r->uri.n - 5);
        size_t n = slash ? (size_t)(slash - r->uri.p) + 1 : r->uri.n;
        if (n <= GCSPLAN_URI_MAX) {
            memcpy(c.base, r->uri.p, n);
            c.base_len = n;
        }
    }
    gcsplan__ro_raw(o, "<section id=\"map\"><h2>Where the data is</h2>");
    if (s == NULL) {
        gcsplan__ro_raw(o, "<p class=\"muted\">This plan document has no prefix summary (it "
                           "was made with <code>--no-summary</code>, or by a gcsplan that did "
                           "not write one): <code>gcsplan plan --json</code> makes it again "
                           "with one.</p></section>");
        return 0;
    }
    /* Paths are at most an object name long: the reader and the
     * accumulator both make sure of it. */
    c.path = gcsplan__malloc(&r->alloc, GCSPLAN_NAME_MAX + 1);
    c.scratch = gcsplan__malloc(&r->alloc, s->n_nodes * sizeof *c.scratch);
    if (c.path == NULL || c.scratch == NULL) {
        gcsplan__free(&r->alloc, c.path);
        gcsplan__free(&r->alloc, c.scratch);
        return GCSPLAN_ENOMEM;
    }
    gcsplan__ro_raw(o, "<p>Area is bytes; colour is the job that imports them. Each box "
                       "names its prefix, figures and job on hover or focus (Tab); a box "
                       "links to its job's row. Small subtrees are merged into runs "
                       "of siblings, shown as \xE2\x80\x9C(N more)\xE2\x80\x9D.</p>");
    legend(&c);
    gcsplan__ro_raw(o, "<div class=\"map\"><div><svg id=\"treemap\" viewBox=\"0 0 960 640\" "
                       "width=\"100%\" role=\"group\" aria-label=\"Treemap of the matched "
                       "objects by prefix\" xmlns=\"http://www.w3.org/2000/svg\">"
                       "<defs><pattern id=\"several\" width=\"6\" height=\"6\" "
                       "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                       "<rect width=\"6\" height=\"6\" fill=\"#e8eaed\"/>"
                       "<rect width=\"3\" height=\"6\" fill=\"#9aa0a6\"/></pattern></defs>");
    if (s->nodes[0].bytes > 0)
        layout(&c, 0, 0, 0, MAP_W, MAP_H);
    else
        gcsplan__ro_raw(o, "<text x=\"12\" y=\"24\">No bytes to draw: every object is "
                           "empty.</text>");
    gcsplan__ro_raw(o, "</svg><p id=\"map-focus\" class=\"muted\" aria-live=\"polite\"></p>"
                       "</div>");
    table(&c);
    gcsplan__ro_raw(o, "</div></section>");
    gcsplan__free(&r->alloc, c.path);
    gcsplan__free(&r->alloc, c.scratch);
    return 0;
}
