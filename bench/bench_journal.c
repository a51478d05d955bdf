/* The import journal's cost per job: for N jobs, the three records a job
 * leaves in a run without trouble (submitting, submitted, done), each one
 * write() and fdatasync() as the runner makes them, in a journal under DIR;
 * then reading it back as a resumed run does (docs/benchmarks.md).
 *
 * Usage: bench_journal N DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gcsplan/gcsplan.h"
#include "journal.h"
#include "util/clock.h"

#define STORE "projects/p/locations/us/datasets/d/dicomStores/s"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_journal N DIR\n");
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10);
    char path[4096];
    snprintf(path, sizeof path, "%s/bench.journal", argv[2]);
    unlink(path);
    /* A plan of n jobs of the shape the planner makes for a large archive. */
    size_t cap = n * 128 + 256, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, "{\"uri\":\"gs://archive/studies/**.dcm\",\"objects\":%zu,"
                                       "\"bytes\":%zu,\"jobs\":[", n, n);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s{\"uri\":\"gs://archive/studies/2019/"
                                                        "patient-%07zu**.dcm\",\"objects\":1,"
                                                        "\"bytes\":1}", i ? "," : "", i);
    len += (size_t)snprintf(text + len, cap - len, "]}");
    gcsplan_plan_reader *pr;
    gcsplan_plan_doc *plan;
    gcsplan_error err;
    if (gcsplan_plan_reader_new(&pr, NULL, &err) != 0 ||
        gcsplan_plan_reader_feed(pr, text, len, &err) != 0 ||
        gcsplan_plan_reader_finish(pr, &plan, &err) != 0) {
        fprintf(stderr, "plan: %s\n", err.message);
        return 1;
    }
    gcsplan_plan_reader_free(pr);
    free(text);
    gcsplan__journal_config jc = { NULL, path, plan, STORE, NULL, 1714550400000LL, NULL, NULL };
    gcsplan__journal *j;
    if (gcsplan__journal_open(&j, &jc, NULL, &err) != 0) {
        fprintf(stderr, "journal: %s\n", err.message);
        return 1;
    }
    char op[128];
    double t0 = gcsplan__clock_s();
    for (size_t i = 0; i < n; i++) {
        const gcsplan_plan_job *pj = gcsplan_plan_doc_job(plan, i);
        snprintf(op, sizeof op, "projects/p/locations/us/datasets/d/operations/%019zu",
                 1000000000000000000u + i);
        gcsplan_journal_record r;
        memset(&r, 0, sizeof r);
        r.job = i;
        r.time_ms = 1714550400000LL + (int64_t)i;
        r.event = GCSPLAN_JOURNAL_SUBMITTING;
        r.uri = pj->uri;
        int rc = gcsplan__journal_append(j, &r, &err);
        r.event = GCSPLAN_JOURNAL_SUBMITTED;
        r.uri = NULL;
        r.operation = op;
        rc |= gcsplan__journal_append(j, &r, &err);
        r.event = GCSPLAN_JOURNAL_DONE;
        r.state = GCSPLAN_IMPORT_SUCCEEDED;
        r.has_counters = 1;
        r.success = 1000;
        r.logs_url = "https://console.cloud.google.com/logs/query/query=resource.type%3D%22"
                     "healthcare_dataset%22%0Aoperation.id%3D%221000000000000000000%22?project=p";
        rc |= gcsplan__journal_append(j, &r, &err);
        if (rc != 0) {
            fprintf(stderr, "append: %s\n", err.message);
            return 1;
        }
    }
    double t1 = gcsplan__clock_s();
    uint64_t records;
    double io;
    gcsplan__journal_stats(j, &records, &io);
    gcsplan__journal_close(j);
    double t2 = gcsplan__clock_s();
    gcsplan_journal_info info;
    if (gcsplan_journal_read(path, plan, NULL, NULL, NULL, &info, &err) != 0) {
        fprintf(stderr, "read: %s\n", err.message);
        return 1;
    }
    double t3 = gcsplan__clock_s();
    printf("%zu jobs, %llu records, %llu bytes: writing %.3f s (%.0f us a job, %.0f us a "
           "record, %.0f%% in write and fdatasync); reading back %.3f s (%.2f us a line)\n",
           n, (unsigned long long)records, (unsigned long long)info.good_bytes, t1 - t0,
           (t1 - t0) * 1e6 / (double)n, (t1 - t0) * 1e6 / (double)records,
           100 * io / (t1 - t0), t3 - t2, (t3 - t2) * 1e6 / (double)info.lines);
    gcsplan_plan_doc_free(plan);
    unlink(path);
    return 0;
}
