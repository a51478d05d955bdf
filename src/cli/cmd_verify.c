/* gcsplan verify: has anything changed since a plan was made?
 *
 * A plan is only right for the objects it was made from. Each job's URI is
 * judged again against the objects there are now: its count, bytes and
 * digest (name, size and generation of each object, in name order) against
 * the plan's, and the plan's URI is listed to find objects no job covers.
 *
 * One listing does both. A job URI that the plan's URI is proved to contain
 * (gcsplan_pattern_contains: every shape the planner makes) matches only
 * objects that listing holds; each listed object is given to the jobs whose
 * URI matches it, found through an index of the jobs' literal prefixes.
 * This costs one listing whatever the number of jobs, where a listing per
 * job would read a listing file once per job. A job URI not proved to be
 * inside (a hand-edited plan) gets a listing of its own.
 *
 * Exclusions: an import takes everything its URI matches, so a job counts
 * excluded objects too (and says how many it now holds); --exclude only
 * keeps excluded objects from being reported as uncovered.
 *
 * Phases: parse the options; read the plan (the library's streaming
 * reader: memory is the jobs' data, not the document's text); prepare the
 * jobs; list; report on stdout; summary on stderr. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_out.h"
#include "opts.h"
#include "out.h"
#include "plan_in.h"
#include "source_args.h"
#include "util/num.h"

/* Names of uncovered objects shown as examples. */
#define UNCOVERED_EXAMPLES 5

#define FNV_PRIME 0x100000001b3ull

/* How a job is matched against an object of the plan's listing. Such an
 * object already matches the plan's URI, so most jobs need no matcher: a
 * literal job matches the one name, a PREFIX**S job with the plan's own
 * suffix S the names that start with PREFIX (the index checks that) and
 * are at least |PREFIX|+|S| bytes long. Only the others keep their
 * compiled pattern, which costs a few hundred bytes a job. */
enum { SHAPE_PATTERN, SHAPE_LITERAL, SHAPE_PREFIX };

typedef struct job_state {
    gcsplan_pattern *pattern; /* SHAPE_PATTERN, or listed on its own; else NULL */
    int shape;
    const char *prefix;     /* borrowed from pattern, or from the plan document */
    size_t prefix_len;
    size_t min_len;         /* SHAPE_PREFIX: |PREFIX| + |S| */
    uint64_t prefix_hash;
    size_t next;            /* next job in the same hash chain, plus one; 0 ends it */
    int own_listing;        /* not proved inside the plan's URI: listed on its own */
    uint64_t objects, bytes, digest;
    uint64_t excluded;      /* objects it now matches that --exclude names */
    uint64_t shared;        /* objects another job matches too */
} job_state;

typedef struct verify {
    source_args src;
    int json;
    const char *plan_path;
    gcsplan_plan_doc *doc;
    size_t njobs;
    job_state *jobs;
    size_t *heads;          /* hash table of prefixes: first job of each chain, plus one */
    size_t mask;
    unsigned char has_len[GCSPLAN_NAME_MAX + 1]; /* some job's prefix has this length */
    uint64_t uncovered, uncovered_bytes;
    size_t n_examples;
    char *examples[UNCOVERED_EXAMPLES];
} verify;

/* --- parse --------------------------------------------------------------------------- */

/* CLI_PARSED, CLI_HELPED or CLI_BAD. */
static int parse(verify *v, int argc, char **argv)
{
    cli_group groups[] = { SOURCE_GROUP(&v->src), CLI_JSON_GROUP(&v->json) };
    cli_operands ops;
    int rc = cli_parse("verify", argc, argv, groups, CLI_GROUPS(groups), &ops);
    if (rc != CLI_PARSED)
        return rc;
    size_t n = ops.n;
    v->plan_path = n > 0 ? ops.v[0] : NULL;
    cli_operands_free(&ops);
    if (n == 0)
        return diag_usage("verify", "a plan file is required (written by gcsplan plan --json)"),
               CLI_BAD;
    if (n > 1)
        return diag_usage("verify", "only one plan file is allowed (the URI comes from the plan)"),
               CLI_BAD;
    if (strcmp(v->plan_path, "-") == 0 && v->src.opts.source == GCSPLAN_SOURCE_LISTING &&
        strcmp(v->src.opts.path, "-") == 0)
        return diag_usage("verify", "the plan and the listing cannot both be stdin"), CLI_BAD;
    return CLI_PARSED;
}

/* --- read the plan ------------------------------------------------------------------- */

static int read_plan(verify *v)
{
    int status = plan_read(v->plan_path, NULL, &v->doc);
    if (status != EXIT_YES)
        return status;
    v->njobs = gcsplan_plan_doc_job_count(v->doc);
    v->jobs = calloc(v->njobs ? v->njobs : 1, sizeof *v->jobs);
    if (v->jobs == NULL) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    return EXIT_YES;
}

/* --- prepare the jobs ---------------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    return h;
}

static int index_jobs(verify *v)
{
    size_t cap = 16;
    while (cap < v->njobs * 2)
        cap *= 2;
    v->heads = calloc(cap, sizeof *v->heads);
    if (v->heads == NULL)
        return -1;
    v->mask = cap - 1;
    for (size_t i = 0; i < v->njobs; i++) {
        job_state *j = &v->jobs[i];
        /* A prefix longer than any name can never match: leave it out. */
        if (j->prefix_len > GCSPLAN_NAME_MAX)
            continue;
        j->prefix_hash = fnv(GCSPLAN_DIGEST_INIT, j->prefix, j->prefix_len);
        size_t b = (size_t)j->prefix_hash & v->mask;
        j->next = v->heads[b];
        v->heads[b] = i + 1;
        v->has_len[j->prefix_len] = 1;
    }
    return 0;
}

/* Compile each job's URI, decide how it is listed and matched, and index
 * the prefixes. */
static int prepare_jobs(verify *v, const gcsplan_pattern *plan)
{
    size_t psuf_len;
    const char *psuf = gcsplan_pattern_suffix(plan, &psuf_len);
    int plan_recursive = gcsplan_pattern_kind_of(plan) == GCSPLAN_PATTERN_RECURSIVE;
    for (size_t i = 0; i < v->njobs; i++) {
        job_state *j = &v->jobs[i];
        gcsplan_error err;
        const gcsplan_plan_job *pj = gcsplan_plan_doc_job(v->doc, i);
        gcsplan_pattern *jp;
        if (gcsplan_pattern_compile(&jp, pj->uri, pj->uri_len, NULL, &err) != 0) {
            diag_uri_error(pj->uri, pj->uri_len, &err);
            diag_error("%s: job %zu: \"uri\" is not a valid import URI", v->plan_path, i + 1);
            return err.code == GCSPLAN_EURI ? EXIT_USAGE : EXIT_SOURCE;
        }
        j->digest = GCSPLAN_DIGEST_INIT;
        j->own_listing = !gcsplan_pattern_contains(plan, jp);
        const char *prefix = gcsplan_pattern_prefix(jp, &j->prefix_len);
        size_t jsuf_len;
        const char *jsuf = gcsplan_pattern_suffix(jp, &jsuf_len);
        gcsplan_pattern_kind kind = gcsplan_pattern_kind_of(jp);
        j->shape = SHAPE_PATTERN;
        if (!j->own_listing && kind == GCSPLAN_PATTERN_LITERAL)
            j->shape = SHAPE_LITERAL;
        else if (!j->own_listing && kind == GCSPLAN_PATTERN_RECURSIVE && plan_recursive &&
                 jsuf_len == psuf_len && memcmp(jsuf, psuf, psuf_len) == 0)
            j->shape = SHAPE_PREFIX;
        if (j->shape == SHAPE_PATTERN) {
            j->pattern = jp;
            j->prefix = prefix;
            continue;
        }
        /* The same bytes in the document's copy of the URI, which stays. */
        j->prefix = pj->uri + (prefix - gcsplan_pattern_uri(jp));
        j->min_len = j->prefix_len + jsuf_len;
        gcsplan_pattern_free(jp);
    }
    if (index_jobs(v) != 0) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    return EXIT_YES;
}

/* --- list ---------------------------------------------------------------------------- */

/* Sums of sizes are checked: a total past 2^64-1 is reported, never wrapped. */
static int add_to_job(verify *v, size_t i, const gcsplan_object *o)
{
    job_state *j = &v->jobs[i];
    if (gcsplan__add_u64(&j->bytes, o->size) != 0) {
        diag_error("job %zu: the objects it matches now total more than 2^64-1 bytes", i + 1);
        return EXIT_SOURCE;
    }
    j->objects++;
    j->digest = gcsplan_digest_object(j->digest, o->name, o->name_len, o->size, o->generation);
    if (o->excluded)
        j->excluded++;
    return EXIT_YES;
}

/* Does job j, whose prefix o's name starts with, match o (an object of the
 * plan's listing)? */
static int job_matches(const job_state *j, const gcsplan_object *o)
{
    switch (j->shape) {
    case SHAPE_LITERAL: return o->name_len == j->prefix_len;
    case SHAPE_PREFIX: return o->name_len >= j->min_len;
    default: return gcsplan_pattern_match(j->pattern, o->name, o->name_len);
    }
}

/* One object of the plan's listing: to every job that matches it, or to
 * the uncovered ones. Returns an exit status. */
static int dispatch(verify *v, const gcsplan_object *o)
{
    job_state *first = NULL;
    uint64_t h = GCSPLAN_DIGEST_INIT;
    size_t max = o->name_len < GCSPLAN_NAME_MAX ? o->name_len : GCSPLAN_NAME_MAX;
    for (size_t len = 0;; len++) {
        if (v->has_len[len]) {
            for (size_t k = v->heads[(size_t)h & v->mask]; k != 0; k = v->jobs[k - 1].next) {
                job_state *j = &v->jobs[k - 1];
                if (j->prefix_hash != h || j->prefix_len != len ||
                    memcmp(j->prefix, o->name, len) != 0 || !job_matches(j, o))
                    continue;
                if (first != NULL) {
                    first->shared++;
                    j->shared++;
                } else {
                    first = j;
                }
                /* A job listed on its own counts there; here it only covers. */
                if (!j->own_listing && add_to_job(v, k - 1, o) != EXIT_YES)
                    return EXIT_SOURCE;
            }
        }
        if (len == max)
            break;
        h = (h ^ (unsigned char)o->name[len]) * FNV_PRIME;
    }
    if (first != NULL || o->excluded)
        return EXIT_YES;
    if (gcsplan__add_u64(&v->uncovered_bytes, o->size) != 0) {
        diag_error("the objects no job matches total more than 2^64-1 bytes");
        return EXIT_SOURCE;
    }
    v->uncovered++;
    if (v->n_examples < UNCOVERED_EXAMPLES) {
        char *s = malloc(o->name_len + 1);
        if (s == NULL) {
            diag_error("out of memory");
            return EXIT_SOURCE;
        }
        memcpy(s, o->name, o->name_len + 1);
        v->examples[v->n_examples++] = s;
    }
    return EXIT_YES;
}

/* A job URI not proved inside the plan's: its own listing, every object to it. */
static int list_job(verify *v, size_t i)
{
    gcsplan_lister *l;
    gcsplan_error err;
    if (gcsplan_lister_new(&l, v->jobs[i].pattern, &v->src.opts, &err) != 0) {
        diag_error("%s: %s", gcsplan_pattern_uri(v->jobs[i].pattern), err.message);
        return EXIT_SOURCE;
    }
    const gcsplan_object *o;
    int rc, status = EXIT_YES;
    while (status == EXIT_YES && (rc = gcsplan_lister_next(&o, l)) == 0)
        status = add_to_job(v, i, o);
    if (status == EXIT_YES)
        status = source_args_close(&v->src, l, rc);
    gcsplan_lister_free(l);
    return status;
}

static int list(verify *v, gcsplan_lister *l)
{
    const gcsplan_object *o;
    int lrc, status = EXIT_YES;
    while (status == EXIT_YES && (lrc = gcsplan_lister_next(&o, l)) == 0)
        status = dispatch(v, o);
    if (status != EXIT_YES)
        return status;
    status = source_args_close(&v->src, l, lrc);
    for (size_t i = 0; status == EXIT_YES && i < v->njobs; i++)
        if (v->jobs[i].own_listing)
            status = list_job(v, i);
    return status;
}

/* --- report -------------------------------------------------------------------------- */

static void put_side_json(yajl_gen g, const char *key, uint64_t objects, uint64_t bytes,
                          int has_digest, uint64_t digest)
{
    char hex[17];
    json_key(g, key);
    yajl_gen_map_open(g);
    json_key(g, "objects");
    json_u64(g, objects);
    json_key(g, "bytes");
    json_u64(g, bytes);
    if (has_digest) {
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)digest);
        json_key(g, "digest");
        json_cstr(g, hex);
    }
    yajl_gen_map_close(g);
}

typedef struct change {
    int objects, bytes, contents;
} change;

static void report_job_json(yajl_gen g, size_t i, const gcsplan_plan_job *p, const job_state *j,
                            change d)
{
    int has_digest = (p->has & GCSPLAN_PLAN_JOB_DIGEST) != 0;
    yajl_gen_map_open(g);
    json_key(g, "kind");
    json_cstr(g, "job");
    json_key(g, "job");
    json_u64(g, i + 1);
    json_key(g, "uri");
    json_str(g, p->uri, p->uri_len);
    json_key(g, "changes");
    yajl_gen_array_open(g);
    if (d.objects)
        json_cstr(g, "objects");
    if (d.bytes)
        json_cstr(g, "bytes");
    if (d.contents && !d.objects && !d.bytes)
        json_cstr(g, "contents");
    if (j->excluded)
        json_cstr(g, "excluded");
    if (j->shared)
        json_cstr(g, "shared");
    yajl_gen_array_close(g);
    put_side_json(g, "planned", p->objects, p->bytes, has_digest, p->digest);
    put_side_json(g, "now", j->objects, j->bytes, has_digest, j->digest);
    if (j->excluded) {
        json_key(g, "excluded");
        json_u64(g, j->excluded);
    }
    if (j->shared) {
        json_key(g, "shared");
        json_u64(g, j->shared);
    }
    yajl_gen_map_close(g);
    json_line(g);
}

/* A line for people: the URI comes from the plan file, so it is escaped. */
static void report_job_text(size_t i, const gcsplan_plan_job *p, const job_state *j, change d)
{
    out_printf("job %zu ", i + 1);
    out_text(p->uri, p->uri_len);
    out_puts(":");
    const char *sep = " ";
    if (d.objects) {
        out_printf("%sobjects %llu -> %llu", sep, (unsigned long long)p->objects,
                   (unsigned long long)j->objects);
        sep = ", ";
    }
    if (d.bytes) {
        out_printf("%sbytes %llu -> %llu", sep, (unsigned long long)p->bytes,
                   (unsigned long long)j->bytes);
        sep = ", ";
    }
    if (d.contents && !d.objects && !d.bytes) {
        /* Same count and total: an object was replaced, resized in step
         * with another, or regenerated. */
        out_printf("%scontents changed", sep);
        sep = ", ";
    }
    if (j->excluded) {
        out_printf("%s%llu excluded object(s) now match it", sep, (unsigned long long)j->excluded);
        sep = ", ";
    }
    if (j->shared)
        out_printf("%s%llu object(s) also match another job", sep, (unsigned long long)j->shared);
    out_puts("\n");
}

static void report_uncovered(const verify *v, yajl_gen g)
{
    const gcsplan_plan_head *h = gcsplan_plan_doc_head(v->doc);
    if (g != NULL) {
        yajl_gen_map_open(g);
        json_key(g, "kind");
        json_cstr(g, "uncovered");
        json_key(g, "uri");
        json_str(g, h->uri, h->uri_len);
        json_key(g, "objects");
        json_u64(g, v->uncovered);
        json_key(g, "bytes");
        json_u64(g, v->uncovered_bytes);
        json_key(g, "examples");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < v->n_examples; i++)
            json_cstr(g, v->examples[i]);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        json_line(g);
        return;
    }
    out_puts("uncovered ");
    out_text(h->uri, h->uri_len);
    out_printf(": %llu object(s), %llu bytes, that no job matches:",
               (unsigned long long)v->uncovered, (unsigned long long)v->uncovered_bytes);
    for (size_t i = 0; i < v->n_examples; i++) {
        out_puts(i ? ", '" : " '");
        out_ctext(v->examples[i]);
        out_puts("'");
    }
    if (v->uncovered > v->n_examples)
        out_puts(", ...");
    out_puts("\n");
}

/* Print what changed; returns the number of changed jobs. */
static size_t report(const verify *v)
{
    yajl_gen g = v->json ? json_open() : NULL;
    size_t changed = 0;
    for (size_t i = 0; i < v->njobs; i++) {
        const gcsplan_plan_job *p = gcsplan_plan_doc_job(v->doc, i);
        const job_state *j = &v->jobs[i];
        change d = { p->objects != j->objects, p->bytes != j->bytes,
                     (p->has & GCSPLAN_PLAN_JOB_DIGEST) && p->digest != j->digest };
        if (!d.objects && !d.bytes && !d.contents && j->excluded == 0 && j->shared == 0)
            continue;
        changed++;
        if (g != NULL)
            report_job_json(g, i, p, j, d);
        else
            report_job_text(i, p, j, d);
    }
    if (v->uncovered > 0)
        report_uncovered(v, g);
    if (g != NULL)
        yajl_gen_free(g);
    return changed;
}

static void summary(const verify *v, size_t changed)
{
    const gcsplan_plan_head *h = gcsplan_plan_doc_head(v->doc);
    if (v->uncovered)
        diag_note("%zu of %zu jobs changed; %llu new object(s) match %s and no job%s", changed,
                  v->njobs, (unsigned long long)v->uncovered, h->uri,
                  gcsplan_filter_count(v->src.exclude) == 0
                      ? " (if the plan was made with --exclude, give it here too)"
                      : "");
    else
        diag_note("%zu of %zu jobs changed", changed, v->njobs);
}

/* --- the command --------------------------------------------------------------------- */

int cmd_verify(int argc, char **argv)
{
    verify v;
    gcsplan_pattern *p = NULL;
    gcsplan_lister *l = NULL;
    memset(&v, 0, sizeof v);
    source_args_init(&v.src);
    int status, prc = parse(&v, argc, argv);
    if (prc != CLI_PARSED) {
        status = cli_parse_status(prc);
        goto done;
    }
    status = read_plan(&v);
    if (status != EXIT_YES)
        goto done;
    /* The plan's URI, compiled and listed by the shared source code. */
    v.src.uri = gcsplan_plan_doc_head(v.doc)->uri;
    v.src.opts.yield_excluded = 1;
    status = source_args_open(&v.src, &p, &l);
    if (status != EXIT_YES) {
        if (p == NULL && status == EXIT_USAGE)
            diag_error("%s: the plan's \"uri\" is not a valid import URI", v.plan_path);
        goto done;
    }
    status = prepare_jobs(&v, p);
    if (status == EXIT_YES)
        status = list(&v, l);
    /* An incomplete listing proves nothing either way: no report then. */
    if (status == EXIT_YES) {
        size_t changed = report(&v);
        summary(&v, changed);
        status = changed || v.uncovered ? EXIT_NO : EXIT_YES;
    }
done:
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
    for (size_t i = 0; v.jobs != NULL && i < v.njobs; i++)
        gcsplan_pattern_free(v.jobs[i].pattern);
    for (size_t i = 0; i < v.n_examples; i++)
        free(v.examples[i]);
    free(v.jobs);
    free(v.heads);
    gcsplan_plan_doc_free(v.doc);
    source_args_free(&v.src);
    return status;
}
