/* Printing a plan. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "out.h"
#include "util/num.h"
#include "plan_out.h"

static char *dup_part(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int plan_parse_store(plan_format *f, const char *store)
{
    static const char *const keys[] = { "projects", "locations", "datasets", "dicomStores" };
    char **parts[] = { &f->project, &f->location, &f->dataset, &f->dicom_store };
    const char *s = store;
    plan_format_free(f);
    for (int i = 0; i < 4; i++) {
        size_t k = strlen(keys[i]);
        if (strncmp(s, keys[i], k) != 0 || s[k] != '/')
            return -1;
        s += k + 1;
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (n == 0 || (i < 3) != (slash != NULL))
            return -1;
        /* Resource ids are letters, digits and -_. : nothing a shell or URL needs quoted. */
        for (size_t j = 0; j < n; j++)
            if (!((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
                  (s[j] >= '0' && s[j] <= '9') || s[j] == '-' || s[j] == '_' || s[j] == '.'))
                return -1;
        *parts[i] = dup_part(s, n);
        if (*parts[i] == NULL)
            return -1;
        s += n + (slash != NULL);
    }
    f->store = dup_part(store, strlen(store));
    return f->store ? 0 : -1;
}

void plan_format_free(plan_format *f)
{
    free(f->store);
    free(f->project);
    free(f->location);
    free(f->dataset);
    free(f->dicom_store);
    f->store = f->project = f->location = f->dataset = f->dicom_store = NULL;
}

/* 'text' for a POSIX shell: single quotes, each ' written as '\''. */
static void shell_quote(out_writer *w, const char *s, size_t n)
{
    out_write(w, "'", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            out_write(w, "'\\''", 4);
        else
            out_write(w, s + i, 1);
    }
    out_write(w, "'", 1);
}

static void put(out_writer *w, const char *s)
{
    out_write(w, s, strlen(s));
}

/* The dicomStores.import request body for one job. */
static void request_body(yajl_gen g, const gcsplan_job *j)
{
    yajl_gen_map_open(g);
    json_key(g, "gcsSource");
    yajl_gen_map_open(g);
    json_key(g, "uri");
    json_str(g, j->uri, j->uri_len);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

static void gen_flush(yajl_gen g, out_writer *w)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    out_write(w, (const char *)buf, len);
    yajl_gen_clear(g);
}

static void json_u64_or_null(yajl_gen g, const char *key, uint64_t v)
{
    json_key(g, key);
    if (v == 0)
        yajl_gen_null(g);
    else
        json_int(g, (long long)v);
}

static void print_json(out_writer *w, const gcsplan_pattern *p, const gcsplan_planner *pl,
                       const gcsplan_plan_options *limits, uint64_t max_jobs,
                       const char *findings)
{
    gcsplan_plan_stats st;
    gcsplan_planner_stats(pl, &st);
    yajl_gen g = json_open(stdout);
    yajl_gen_map_open(g);
    json_key(g, "uri");
    json_cstr(g, gcsplan_pattern_uri(p));
    json_key(g, "objects");
    json_int(g, (long long)st.objects);
    json_key(g, "bytes");
    json_int(g, (long long)st.bytes);
    json_key(g, "limits");
    yajl_gen_map_open(g);
    json_u64_or_null(g, "max_objects", limits->max_objects);
    json_u64_or_null(g, "max_bytes", limits->max_bytes);
    json_u64_or_null(g, "max_jobs", max_jobs);
    yajl_gen_map_close(g);
    json_key(g, "excluded");
    json_int(g, (long long)st.excluded);
    json_key(g, "lower_bound");
    json_int(g, (long long)st.lower_bound);
    json_key(g, "prefix_cut_jobs");
    json_int(g, (long long)st.prefix_cut);
    json_key(g, "jobs");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < gcsplan_planner_job_count(pl); i++) {
        const gcsplan_job *j = gcsplan_planner_job(pl, i);
        yajl_gen_map_open(g);
        json_key(g, "uri");
        json_str(g, j->uri, j->uri_len);
        json_key(g, "objects");
        json_int(g, (long long)j->objects);
        json_key(g, "bytes");
        json_int(g, (long long)j->bytes);
        json_key(g, "largest");
        json_int(g, (long long)j->largest);
        json_key(g, "first");
        json_cstr(g, j->first);
        json_key(g, "last");
        json_cstr(g, j->last);
        char digest[17];
        snprintf(digest, sizeof digest, "%016llx", (unsigned long long)j->digest);
        json_key(g, "digest");
        json_cstr(g, digest);
        if (j->flags) {
            json_key(g, "warnings");
            yajl_gen_array_open(g);
            if (j->flags & GCSPLAN_JOB_OVERSIZE)
                json_cstr(g, "oversize");
            if (j->flags & GCSPLAN_JOB_INSEPARABLE)
                json_cstr(g, "inseparable");
            yajl_gen_array_close(g);
        }
        json_key(g, "request");
        request_body(g, j);
        yajl_gen_map_close(g);
        gen_flush(g, w); /* a big plan streams out job by job */
    }
    yajl_gen_array_close(g);
    gen_flush(g, w);
    /* The findings are a JSON document already: written as they are, and the
     * plan's object closed by hand rather than by the generator. */
    if (findings != NULL && findings[0] == '{') {
        put(w, ",\"preflight\":");
        put(w, findings);
    }
    put(w, "}\n");
    yajl_gen_free(g);
}

static void print_table(out_writer *w, const gcsplan_planner *pl)
{
    char line[4096], b1[32], b2[32];
    put(w, "   job    objects       bytes     largest  uri\n");
    for (size_t i = 0; i < gcsplan_planner_job_count(pl); i++) {
        const gcsplan_job *j = gcsplan_planner_job(pl, i);
        gcsplan__human_bytes(b1, sizeof b1, j->bytes);
        gcsplan__human_bytes(b2, sizeof b2, j->largest);
        snprintf(line, sizeof line, "%6zu %10llu %11s %11s  %s%s\n", i + 1,
                 (unsigned long long)j->objects, b1, b2, j->uri,
                 (j->flags & GCSPLAN_JOB_OVERSIZE)      ? "  (one object over --max-bytes)"
                 : (j->flags & GCSPLAN_JOB_INSEPARABLE) ? "  (inseparable: over the limits)"
                                                        : "");
        put(w, line);
    }
}

static void print_commands(out_writer *w, const plan_format *f, const gcsplan_planner *pl)
{
    yajl_gen g = json_open(stdout);
    for (size_t i = 0; i < gcsplan_planner_job_count(pl); i++) {
        const gcsplan_job *j = gcsplan_planner_job(pl, i);
        if (f->kind == PLAN_GCLOUD) {
            put(w, "gcloud healthcare dicom-stores import gcs ");
            put(w, f->dicom_store);
            put(w, " --project=");
            put(w, f->project);
            put(w, " --location=");
            put(w, f->location);
            put(w, " --dataset=");
            put(w, f->dataset);
            put(w, " --gcs-uri=");
            shell_quote(w, j->uri, j->uri_len);
            put(w, " --async\n");
            continue;
        }
        request_body(g, j);
        const unsigned char *body;
        size_t blen;
        yajl_gen_get_buf(g, &body, &blen);
        put(w, "curl -sS --fail-with-body -X POST "
               "-H \"Authorization: Bearer $(gcloud auth print-access-token)\" "
               "-H 'Content-Type: application/json; charset=utf-8' --data-binary ");
        shell_quote(w, (const char *)body, blen);
        yajl_gen_clear(g);
        yajl_gen_reset(g, NULL);
        put(w, " ");
        /* ENDPOINT/v1/STORE:import, quoted as one word. */
        size_t elen = strlen(f->api_endpoint);
        while (elen > 0 && f->api_endpoint[elen - 1] == '/')
            elen--;
        size_t ulen = elen + strlen("/v1/") + strlen(f->store) + strlen(":import");
        char *url = malloc(ulen + 1);
        if (url == NULL) {
            w->failed = ENOMEM;
            break;
        }
        snprintf(url, ulen + 1, "%.*s/v1/%s:import", (int)elen, f->api_endpoint, f->store);
        shell_quote(w, url, ulen);
        free(url);
        put(w, "\n");
    }
    yajl_gen_free(g);
}

int plan_print(const plan_format *f, const gcsplan_pattern *p, const gcsplan_planner *pl,
               const gcsplan_plan_options *limits, uint64_t max_jobs, const char *findings)
{
    out_writer w;
    if (out_open(&w, 1) != 0) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    switch (f->kind) {
    case PLAN_JSON: print_json(&w, p, pl, limits, max_jobs, findings); break;
    case PLAN_GCLOUD:
    case PLAN_CURL: print_commands(&w, f, pl); break;
    default: print_table(&w, pl); break;
    }
    out_flush(&w);
    int failed = w.failed;
    out_close(&w);
    /* The summary goes to stderr so that stdout stays the plan itself. */
    gcsplan_plan_stats st;
    gcsplan_planner_stats(pl, &st);
    char b[32];
    gcsplan__human_bytes(b, sizeof b, st.bytes);
    fprintf(stderr, "%llu jobs for %llu objects (%s); lower bound %llu, prefix-cut plan %llu",
            (unsigned long long)st.jobs, (unsigned long long)st.objects, b,
            (unsigned long long)st.lower_bound, (unsigned long long)st.prefix_cut);
    if (st.excluded)
        fprintf(stderr, "; %llu excluded objects kept out", (unsigned long long)st.excluded);
    if (max_jobs)
        fprintf(stderr, "; largest job at most %llu bytes", (unsigned long long)limits->max_bytes);
    fputc('\n', stderr);
    if (st.oversize)
        fprintf(stderr, "gcsplan plan: warning: %llu job(s) hold one object larger than "
                        "--max-bytes\n", (unsigned long long)st.oversize);
    if (st.inseparable)
        fprintf(stderr, "gcsplan plan: warning: %llu job(s) exceed the limits: names with '*' "
                        "or '?' cannot be separated by any URI\n",
                (unsigned long long)st.inseparable);
    if (failed && failed != EPIPE) {
        diag_error("writing stdout: %s", strerror(failed));
        return EXIT_SOURCE;
    }
    return EXIT_YES;
}
