/* Printing a plan. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "out.h"
#include "page.h"
#include "plan_out.h"
#include "util/num.h"

/* The plan writer's pieces go to stdout; once stdout stopped (the reader
 * left, or a write failed) the writer is told to stop too. */
static int to_stdout(const char *data, size_t len, void *payload)
{
    (void)payload;
    out_json(data, len);
    return out_stopped() ? -1 : 0;
}

static int print_json(const plan_format *f, const plan_made *m, preflight_args *pfa)
{
    gcsplan_plan_stats st;
    gcsplan_planner_stats(m->planner, &st);
    gcsplan_plan_head h;
    memset(&h, 0, sizeof h);
    h.uri = gcsplan_pattern_uri(m->pattern);
    h.uri_len = strlen(h.uri);
    h.objects = st.objects;
    h.bytes = st.bytes;
    h.max_objects = m->limits->max_objects;
    h.max_bytes = m->limits->max_bytes;
    h.max_jobs = m->max_jobs;
    h.excluded = st.excluded;
    h.lower_bound = st.lower_bound;
    h.prefix_cut_jobs = st.prefix_cut;
    h.store = f->store;
    h.content_structure = f->content_structure;
    /* The findings are read first: they go into the same document. */
    char *findings = NULL;
    size_t flen = 0;
    int pst = preflight_args_json(pfa, &findings, &flen);
    gcsplan_plan_writer *w;
    gcsplan_error err;
    int rc = gcsplan_plan_writer_new(&w, to_stdout, NULL, NULL, &err);
    if (rc == 0)
        rc = gcsplan_plan_writer_begin(w, &h, &err);
    for (size_t i = 0; rc == 0 && i < gcsplan_planner_job_count(m->planner); i++) {
        gcsplan_plan_job j;
        gcsplan_plan_job_from(&j, gcsplan_planner_job(m->planner, i));
        rc = gcsplan_plan_writer_job(w, &j, &err);
    }
    if (rc == 0 && findings != NULL && flen > 0)
        rc = gcsplan_plan_writer_raw(w, "preflight", findings, flen, &err);
    /* Last: the largest member, and what only the report reads. */
    if (rc == 0 && m->summary != NULL)
        rc = gcsplan_plan_writer_summary(w, m->summary, &err);
    if (rc == 0)
        rc = gcsplan_plan_writer_end(w, &err);
    gcsplan_plan_writer_free(w);
    free(findings);
    /* A stopped stdout is main's to report; anything else is ours. */
    if (rc != 0 && !out_stopped()) {
        diag_error("writing the plan: %s", err.message);
        return EXIT_SOURCE;
    }
    return pst;
}

/* The page `gcsplan report` makes of the JSON document, made from the plan
 * in hand: the same header, jobs, summary and findings (the findings go
 * through their JSON, as the report reads them from a document). */
static int print_html(const plan_format *f, const plan_made *m, preflight_args *pfa)
{
    char *findings = NULL;
    size_t flen = 0;
    int pst = preflight_args_json(pfa, &findings, &flen);
    gcsplan_report_options ro = GCSPLAN_REPORT_OPTIONS_INIT;
    ro.generated_ms = m->now_ms;
    gcsplan_report *r = NULL;
    gcsplan_error err;
    int rc = gcsplan_report_new(&r, &ro, &err);
    if (rc == 0) {
        gcsplan_report_plan p = GCSPLAN_REPORT_PLAN_INIT;
        gcsplan_report_plan_from_planner(&p, m->planner);
        p.store = f->store;
        p.source = m->source;
        p.created_ms = m->now_ms;
        p.max_jobs = m->max_jobs;
        rc = gcsplan_report_set_plan(r, &p, &err);
    }
    if (rc == 0)
        rc = gcsplan_report_add_planner_jobs(r, m->planner, &err);
    if (rc == 0)
        gcsplan_report_set_summary(r, m->summary);
    if (rc == 0 && findings != NULL && flen > 0)
        rc = gcsplan_report_add_preflight_json(r, findings, flen, &err);
    free(findings);
    int st = EXIT_SOURCE;
    if (rc != 0)
        diag_error("making the report: %s", err.message);
    else
        st = page_write(r);
    gcsplan_report_free(r);
    return st != EXIT_YES ? st : pst;
}

void plan_source_text(char *buf, size_t cap, const gcsplan_lister_options *o)
{
    const char *emulator = getenv("STORAGE_EMULATOR_HOST");
    if (o->source == GCSPLAN_SOURCE_LISTING && strcmp(o->path, "-") == 0)
        snprintf(buf, cap, "listing on standard input");
    else if (o->source == GCSPLAN_SOURCE_LISTING)
        snprintf(buf, cap, "listing %s", o->path);
    else if (o->source == GCSPLAN_SOURCE_DIR)
        snprintf(buf, cap, "directory %s", o->path);
    else if (o->endpoint != NULL)
        snprintf(buf, cap, "Cloud Storage JSON API at %s", o->endpoint);
    else if (emulator != NULL && emulator[0] != '\0')
        snprintf(buf, cap, "Cloud Storage JSON API at %s", emulator);
    else
        snprintf(buf, cap, "Cloud Storage");
}

static void print_table(const gcsplan_planner *pl)
{
    char b1[32], b2[32];
    out_puts("   job    objects       bytes     largest  uri\n");
    for (size_t i = 0; i < gcsplan_planner_job_count(pl) && !out_stopped(); i++) {
        const gcsplan_job *j = gcsplan_planner_job(pl, i);
        gcsplan__human_bytes(b1, sizeof b1, j->bytes);
        gcsplan__human_bytes(b2, sizeof b2, j->largest);
        out_printf("%6zu %10llu %11s %11s  ", i + 1, (unsigned long long)j->objects, b1, b2);
        out_text(j->uri, j->uri_len); /* from object names: escaped */
        out_puts((j->flags & GCSPLAN_JOB_OVERSIZE)      ? "  (one object over --max-bytes)\n"
                 : (j->flags & GCSPLAN_JOB_INSEPARABLE) ? "  (inseparable: over the limits)\n"
                                                        : "\n");
    }
}

/* 'text' for a POSIX shell: single quotes, each ' written as '\''. On a
 * terminal the bytes inside are escaped (a command shown is for reading;
 * piped, it is for running, byte for byte). */
static void shell_quote(const char *s, size_t n)
{
    out_writer *w = out_stdout();
    out_puts("'");
    for (size_t i = 0; i < n;) {
        const char *q = memchr(s + i, '\'', n - i);
        size_t k = q ? (size_t)(q - (s + i)) : n - i;
        if (w->tty)
            out_text(s + i, k);
        else
            out_write(w, s + i, k);
        i += k;
        if (q != NULL) {
            out_puts("'\\''");
            i++;
        }
    }
    out_puts("'");
}

/* gcloud spells a content structure in lower case with '-': bundle-pretty. */
static void gcloud_content_structure(const char *cs)
{
    char v[32];
    size_t n = 0;
    for (; cs[n] != '\0' && n + 1 < sizeof v; n++)
        v[n] = cs[n] == '_' ? '-' : (char)(cs[n] - 'A' + 'a');
    v[n] = '\0';
    out_printf(" --content-structure=%s", v);
}

static void print_gcloud(const plan_format *f, const gcsplan_job *j)
{
    const gcsplan_store *s = &f->parts;
    /* The ids are of the API's alphabet (gcsplan_store_parse): no quoting. */
    out_printf("gcloud healthcare %s import gcs %.*s --project=%.*s --location=%.*s "
               "--dataset=%.*s --gcs-uri=",
               s->kind == GCSPLAN_STORE_FHIR ? "fhir-stores" : "dicom-stores", (int)s->id_len,
               s->id, (int)s->project_len, s->project, (int)s->location_len, s->location,
               (int)s->dataset_len, s->dataset);
    shell_quote(j->uri, j->uri_len);
    if (f->content_structure != NULL)
        gcloud_content_structure(f->content_structure);
    out_puts(" --async\n");
}

static int print_curl(const plan_format *f, const gcsplan_job *j)
{
    size_t need = gcsplan_plan_request(NULL, 0, j->uri, j->uri_len, f->content_structure);
    char *body = malloc(need + 1);
    size_t elen = strlen(f->api_endpoint);
    while (elen > 0 && f->api_endpoint[elen - 1] == '/')
        elen--;
    size_t ulen = elen + strlen("/v1/") + strlen(f->store) + strlen(":import");
    char *url = malloc(ulen + 1);
    if (body == NULL || url == NULL) {
        free(body);
        free(url);
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    gcsplan_plan_request(body, need + 1, j->uri, j->uri_len, f->content_structure);
    out_puts("curl -sS --fail-with-body -X POST "
             "-H \"Authorization: Bearer $(gcloud auth print-access-token)\" "
             "-H 'Content-Type: application/json; charset=utf-8' --data-binary ");
    shell_quote(body, need);
    out_puts(" ");
    /* ENDPOINT/v1/STORE:import, quoted as one word. */
    snprintf(url, ulen + 1, "%.*s/v1/%s:import", (int)elen, f->api_endpoint, f->store);
    shell_quote(url, ulen);
    out_puts("\n");
    free(body);
    free(url);
    return EXIT_YES;
}

int plan_print(const plan_format *f, const plan_made *m, preflight_args *pfa)
{
    if (f->kind == PLAN_JSON)
        return print_json(f, m, pfa);
    if (f->kind == PLAN_HTML)
        return print_html(f, m, pfa);
    /* Findings on stderr, before the plan: stdout stays the plan. */
    int pst = preflight_args_report(pfa, 0, 0, diag_color());
    const gcsplan_planner *pl = m->planner;
    if (f->kind == PLAN_TABLE) {
        print_table(pl);
        return pst;
    }
    for (size_t i = 0; i < gcsplan_planner_job_count(pl) && !out_stopped(); i++) {
        const gcsplan_job *j = gcsplan_planner_job(pl, i);
        if (f->kind == PLAN_GCLOUD)
            print_gcloud(f, j);
        else if (print_curl(f, j) != EXIT_YES)
            return EXIT_SOURCE;
    }
    return pst;
}

void plan_summary(const plan_made *m)
{
    gcsplan_plan_stats st;
    gcsplan_planner_stats(m->planner, &st);
    char b[32];
    gcsplan__human_bytes(b, sizeof b, st.bytes);
    fprintf(stderr, "%llu jobs for %llu objects (%s); lower bound %llu, prefix-cut plan %llu",
            (unsigned long long)st.jobs, (unsigned long long)st.objects, b,
            (unsigned long long)st.lower_bound, (unsigned long long)st.prefix_cut);
    if (st.excluded)
        fprintf(stderr, "; %llu excluded objects kept out", (unsigned long long)st.excluded);
    if (m->max_jobs)
        fprintf(stderr, "; largest job at most %llu bytes",
                (unsigned long long)m->limits->max_bytes);
    fputc('\n', stderr);
    if (st.oversize)
        diag_warning("plan", "%llu job(s) hold one object larger than --max-bytes",
                     (unsigned long long)st.oversize);
    if (st.inseparable)
        diag_warning("plan", "%llu job(s) exceed the limits: names with '*' or '?' cannot be "
                             "separated by any URI", (unsigned long long)st.inseparable);
}
