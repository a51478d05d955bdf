/* The prefix summary's insides, shared by the accumulator
 * (report_summary.c), its reader (report_summary_parse.c) and the report. */
#ifndef GCSPLAN_REPORT_SUMMARY_H
#define GCSPLAN_REPORT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "gcsplan/report.h"

/* The accumulator's working tree (report_summary.c); NULL once finished. */
typedef struct gcsplan__summary_work gcsplan__summary_work;

struct gcsplan_summary {
    gcsplan_allocator alloc;
    size_t max_nodes;
    uint64_t objects, bytes;
    size_t jobs;                 /* highest job index + 1 */
    gcsplan_summary_bucket hist[GCSPLAN_SUMMARY_BUCKETS];
    int finished;
    int failed;                  /* an error stopped add(): refuse more */
    gcsplan__summary_work *work; /* while accumulating */
    /* Finished: nodes in preorder, their strings in one arena. */
    gcsplan_summary_node *nodes;
    size_t n_nodes;
    char *arena;
};

/* Size class of size: 0 for 0, else 1 + floor(log2(size)). */
unsigned gcsplan__summary_bucket_of(uint64_t size);

/* A summary with no work tree, for the reader to fill (finished = 0). */
int gcsplan__summary_alloc(gcsplan_summary **out, const gcsplan_summary_options *opts,
                           gcsplan_error *err);

#endif
