/* gcsplan verify: has anything changed since a plan was made?
 *
 * A plan is only right for the objects it was made from. Each job's URI is
 * judged again against the objects there are now: its count, bytes and
 * digest (name, size and generation of each object, in name order) against
 * the plan's, and the plan's URI is listed to find objects no job covers.
 *
 * One listing does both. Every job URI specialises the plan's URI (a longer
 * prefix before "**", a literal name), so the plan's URI lists every object
 * any job can match; each listed object is given to the jobs whose URI
 * matches it, found through an index of the jobs' literal prefixes. This
 * costs one listing whatever the number of jobs, where a listing per job
 * would read a listing file once per job. A job URI the plan's URI is not
 * proved to contain (pinned '*'/'?' segments, a hand-edited plan) gets a
 * listing of its own.
 *
 * Exclusions: an import takes everything its URI matches, so a job counts
 * excluded objects too (and says how many it now holds); --exclude only
 * keeps excluded objects from being reported as uncovered. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gcsplan/plan.h"
#include "plan_read.h"
#include "source_args.h"

/* Names of uncovered objects shown as examples. */
#define UNCOVERED_EXAMPLES 5

typedef struct job_state {
    gcsplan_pattern *pattern;
    const char *prefix;     /* borrowed from pattern */
    size_t prefix_len;
    uint64_t prefix_hash;
    size_t next;            /* next job in the same hash chain, plus one; 0 ends it */
    int own_listing;        /* not contained in the plan's URI: listed on its own */
    uint64_t objects, bytes, digest;
    uint64_t excluded;      /* objects it now matches that --exclude names */
    uint64_t shared;        /* objects another job matches too */
} job_state;

typedef struct verify {
    plan_doc doc;
    job_state *jobs;
    size_t *heads;          /* hash table of prefixes: first job of each chain, plus one */
    size_t mask;
    unsigned char has_len[GCSPLAN_NAME_MAX + 1]; /* some job's prefix has this length */
    uint64_t uncovered, uncovered_bytes;
    size_t n_examples;
    char *examples[UNCOVERED_EXAMPLES];
} verify;

#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    return h;
}

/* Nonzero when every name job matches is also matched by plan: the shapes
 * the planner makes (a literal name, PREFIX**SUFFIX with a longer prefix and
 * the same or a longer suffix), in the same bucket. */
static int contained(const gcsplan_pattern *plan, const gcsplan_pattern *job)
{
    if (strcmp(gcsplan_pattern_bucket(plan), gcsplan_pattern_bucket(job)) != 0)
        return 0;
    size_t jl, pl, js, ps;
    const char *jp = gcsplan_pattern_prefix(job, &jl);
    const char *pp = gcsplan_pattern_prefix(plan, &pl);
    switch (gcsplan_pattern_kind_of(job)) {
    case GCSPLAN_PATTERN_LITERAL:
        return gcsplan_pattern_match(plan, jp, jl);
    case GCSPLAN_PATTERN_RECURSIVE: {
        if (gcsplan_pattern_kind_of(plan) != GCSPLAN_PATTERN_RECURSIVE)
            return 0;
        const char *jsuf = gcsplan_pattern_suffix(job, &js);
        const char *psuf = gcsplan_pattern_suffix(plan, &ps);
        /* A name the job matches starts with jp and ends with jsuf, so it
         * starts with pp and ends with psuf; and it is at least jl + js >=
         * pl + ps bytes long, so the two never overlap. */
        return jl >= pl && memcmp(jp, pp, pl) == 0 && js >= ps &&
               memcmp(jsuf + js - ps, psuf, ps) == 0;
    }
    default:
        return 0;
    }
}

static int index_jobs(verify *v)
{
    size_t cap = 16;
    while (cap < v->doc.n_jobs * 2)
        cap *= 2;
    v->heads = calloc(cap, sizeof *v->heads);
    if (v->heads == NULL)
        return -1;
    v->mask = cap - 1;
    for (size_t i = 0; i < v->doc.n_jobs; i++) {
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

static void add_to_job(job_state *j, const gcsplan_object *o)
{
    j->objects++;
    j->bytes += o->size;
    j->digest = gcsplan_digest_object(j->digest, o->name, o->name_len, o->size, o->generation);
    if (o->excluded)
        j->excluded++;
}

/* One object of the plan's listing: to every job that matches it, or to
 * the uncovered ones. Returns -1 when out of memory. */
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
                    memcmp(j->prefix, o->name, len) != 0 ||
                    !gcsplan_pattern_match(j->pattern, o->name, o->name_len))
                    continue;
                if (first != NULL) {
                    first->shared++;
                    j->shared++;
                } else {
                    first = j;
                }
                if (!j->own_listing)
                    add_to_job(j, o);
            }
        }
        if (len == max)
            break;
        h = (h ^ (unsigned char)o->name[len]) * FNV_PRIME;
    }
    if (first != NULL || o->excluded)
        return 0;
    v->uncovered++;
    v->uncovered_bytes += o->size;
    if (v->n_examples < UNCOVERED_EXAMPLES) {
        char *s = malloc(o->name_len + 1);
        if (s == NULL)
            return -1;
        memcpy(s, o->name, o->name_len + 1);
        v->examples[v->n_examples++] = s;
    }
    return 0;
}

/* A job URI outside the plan's: its own listing, every object to it. */
static int list_job(source_args *src, job_state *j)
{
    gcsplan_lister *l;
    gcsplan_error err;
    if (gcsplan_lister_new(&l, j->pattern, &src->opts, &err) != 0) {
        diag_error("%s: %s", gcsplan_pattern_uri(j->pattern), err.message);
        return EXIT_SOURCE;
    }
    const gcsplan_object *o;
    int rc;
    while ((rc = gcsplan_lister_next(&o, l)) == 0)
        add_to_job(j, o);
    int status = source_args_close(src, l, rc);
    gcsplan_lister_free(l);
    return status;
}

static void put_examples_json(yajl_gen g, const verify *v)
{
    json_key(g, "examples");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < v->n_examples; i++)
        json_cstr(g, v->examples[i]);
    yajl_gen_array_close(g);
}

static void put_side_json(yajl_gen g, const char *key, uint64_t objects, uint64_t bytes,
                          int has_digest, uint64_t digest)
{
    char hex[17];
    json_key(g, key);
    yajl_gen_map_open(g);
    json_key(g, "objects");
    json_int(g, (long long)objects);
    json_key(g, "bytes");
    json_int(g, (long long)bytes);
    if (has_digest) {
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)digest);
        json_key(g, "digest");
        json_cstr(g, hex);
    }
    yajl_gen_map_close(g);
}

/* Print what changed; returns the number of changed jobs. */
static size_t report(const verify *v, int json)
{
    yajl_gen g = json ? json_open(stdout) : NULL;
    size_t changed = 0;
    for (size_t i = 0; i < v->doc.n_jobs; i++) {
        const plan_job *p = &v->doc.jobs[i];
        const job_state *j = &v->jobs[i];
        int d_objects = p->objects != j->objects, d_bytes = p->bytes != j->bytes;
        int d_contents = p->has_digest && p->digest != j->digest;
        if (!d_objects && !d_bytes && !d_contents && j->excluded == 0 && j->shared == 0)
            continue;
        changed++;
        if (g != NULL) {
            yajl_gen_map_open(g);
            json_key(g, "kind");
            json_cstr(g, "job");
            json_key(g, "job");
            json_int(g, (long long)(i + 1));
            json_key(g, "uri");
            json_cstr(g, p->uri);
            json_key(g, "changes");
            yajl_gen_array_open(g);
            if (d_objects)
                json_cstr(g, "objects");
            if (d_bytes)
                json_cstr(g, "bytes");
            if (d_contents && !d_objects && !d_bytes)
                json_cstr(g, "contents");
            if (j->excluded)
                json_cstr(g, "excluded");
            if (j->shared)
                json_cstr(g, "shared");
            yajl_gen_array_close(g);
            put_side_json(g, "planned", p->objects, p->bytes, p->has_digest, p->digest);
            put_side_json(g, "now", j->objects, j->bytes, p->has_digest, j->digest);
            if (j->excluded) {
                json_key(g, "excluded");
                json_int(g, (long long)j->excluded);
            }
            if (j->shared) {
                json_key(g, "shared");
                json_int(g, (long long)j->shared);
            }
            yajl_gen_map_close(g);
            json_line(g, stdout);
            continue;
        }
        printf("job %zu %s:", i + 1, p->uri);
        const char *sep = " ";
        if (d_objects) {
            printf("%sobjects %llu -> %llu", sep, (unsigned long long)p->objects,
                   (unsigned long long)j->objects);
            sep = ", ";
        }
        if (d_bytes) {
            printf("%sbytes %llu -> %llu", sep, (unsigned long long)p->bytes,
                   (unsigned long long)j->bytes);
            sep = ", ";
        }
        if (d_contents && !d_objects && !d_bytes) {
            /* Same count and total: an object was replaced, resized in step
             * with another, or regenerated. */
            printf("%scontents changed", sep);
            sep = ", ";
        }
        if (j->excluded) {
            printf("%s%llu excluded object(s) now match it", sep, (unsigned long long)j->excluded);
            sep = ", ";
        }
        if (j->shared)
            printf("%s%llu object(s) also match another job", sep, (unsigned long long)j->shared);
        putchar('\n');
    }
    if (v->uncovered > 0) {
        if (g != NULL) {
            yajl_gen_map_open(g);
            json_key(g, "kind");
            json_cstr(g, "uncovered");
            json_key(g, "uri");
            json_cstr(g, v->doc.uri);
            json_key(g, "objects");
            json_int(g, (long long)v->uncovered);
            json_key(g, "bytes");
            json_int(g, (long long)v->uncovered_bytes);
            put_examples_json(g, v);
            yajl_gen_map_close(g);
            json_line(g, stdout);
        } else {
            printf("uncovered %s: %llu object(s), %llu bytes, that no job matches:",
                   v->doc.uri, (unsigned long long)v->uncovered,
                   (unsigned long long)v->uncovered_bytes);
            for (size_t i = 0; i < v->n_examples; i++)
                printf("%s'%s'", i ? ", " : " ", v->examples[i]);
            if (v->uncovered > v->n_examples)
                printf(", ...");
            putchar('\n');
        }
    }
    if (g != NULL)
        yajl_gen_free(g);
    return changed;
}

int cmd_verify(int argc, char **argv)
{
    source_args src;
    verify v;
    const char *plan_path = NULL;
    int json = 0, status = EXIT_USAGE;
    gcsplan_pattern *p = NULL;
    gcsplan_lister *l = NULL;
    memset(&v, 0, sizeof v);
    source_args_init(&src);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int took = source_args_take(&src, "verify", argc, argv, &i);
        if (took < 0)
            goto done;
        if (took > 0)
            continue;
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_print_help(stdout, "verify");
            status = EXIT_YES;
            goto done;
        } else if (a[0] == '-' && a[1] != '\0') {
            diag_usage("verify", "unknown option '%s'", a);
            goto done;
        } else if (plan_path == NULL) {
            plan_path = a;
        } else {
            diag_usage("verify", "only one plan file is allowed (the URI comes from the plan)");
            goto done;
        }
    }
    if (plan_path == NULL) {
        diag_usage("verify", "a plan file is required (written by gcsplan plan --json)");
        goto done;
    }
    if (strcmp(plan_path, "-") == 0 && src.opts.source == GCSPLAN_SOURCE_LISTING &&
        strcmp(src.opts.path, "-") == 0) {
        diag_usage("verify", "the plan and the listing cannot both be stdin");
        goto done;
    }

    char why[512];
    int rc = plan_read(&v.doc, plan_path, why, sizeof why);
    if (rc == PLAN_READ_NOMEM) {
        diag_error("out of memory reading the plan");
        status = EXIT_SOURCE;
        goto done;
    }
    if (rc != PLAN_READ_OK) {
        diag_error("%s", why);
        goto done;
    }
    v.jobs = calloc(v.doc.n_jobs ? v.doc.n_jobs : 1, sizeof *v.jobs);
    if (v.jobs == NULL) {
        diag_error("out of memory");
        status = EXIT_SOURCE;
        goto done;
    }
    /* The plan's URI, compiled and listed by the shared source code. */
    src.uri = v.doc.uri;
    src.opts.yield_excluded = 1;
    status = source_args_open(&src, "verify", &p, &l);
    if (status != EXIT_YES) {
        if (p == NULL && status == EXIT_USAGE)
            diag_error("%s: the plan's \"uri\" is not a valid import URI", plan_path);
        goto done;
    }
    for (size_t i = 0; i < v.doc.n_jobs; i++) {
        job_state *j = &v.jobs[i];
        gcsplan_error err;
        const char *u = v.doc.jobs[i].uri;
        if (gcsplan_pattern_compile(&j->pattern, u, strlen(u), NULL, &err) != 0) {
            diag_uri_error(u, strlen(u), &err);
            diag_error("%s: job %zu: \"uri\" is not a valid import URI", plan_path, i + 1);
            status = err.code == GCSPLAN_EURI ? EXIT_USAGE : EXIT_SOURCE;
            goto done;
        }
        j->prefix = gcsplan_pattern_prefix(j->pattern, &j->prefix_len);
        j->own_listing = !contained(p, j->pattern);
        j->digest = GCSPLAN_DIGEST_INIT;
    }
    if (index_jobs(&v) != 0) {
        diag_error("out of memory");
        status = EXIT_SOURCE;
        goto done;
    }

    const gcsplan_object *o;
    int lrc;
    while ((lrc = gcsplan_lister_next(&o, l)) == 0) {
        if (dispatch(&v, o) != 0) {
            diag_error("out of memory");
            status = EXIT_SOURCE;
            goto done;
        }
    }
    status = source_args_close(&src, l, lrc);
    for (size_t i = 0; status == EXIT_YES && i < v.doc.n_jobs; i++)
        if (v.jobs[i].own_listing)
            status = list_job(&src, &v.jobs[i]);
    if (status != EXIT_YES)
        goto done; /* an incomplete listing proves nothing either way */

    size_t changed = report(&v, json);
    if (fflush(stdout) != 0 && errno != EPIPE) {
        diag_error("writing stdout: %s", strerror(errno));
        status = EXIT_SOURCE;
        goto done;
    }
    fprintf(stderr, "%zu of %zu jobs changed", changed, v.doc.n_jobs);
    if (v.uncovered)
        fprintf(stderr, "; %llu new object(s) match %s and no job%s", (unsigned long long)v.uncovered,
                v.doc.uri, gcsplan_filter_count(src.exclude) == 0
                               ? " (if the plan was made with --exclude, give it here too)"
                               : "");
    fputc('\n', stderr);
    status = changed || v.uncovered ? EXIT_NO : EXIT_YES;

done:
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
    for (size_t i = 0; v.jobs != NULL && i < v.doc.n_jobs; i++)
        gcsplan_pattern_free(v.jobs[i].pattern);
    for (size_t i = 0; i < v.n_examples; i++)
        free(v.examples[i]);
    free(v.jobs);
    free(v.heads);
    plan_doc_free(&v.doc);
    source_args_free(&src);
    return status;
}
