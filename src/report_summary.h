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

/* A summary read from events (report_summary_parse.c): gcsplan_summary_parse
 * feeds it from its own parse, the plan reader from the events of a plan
 * document's "summary" member. new, then the events to the walker (its
 * first is the summary object's opening), then finish, which checks the
 * whole and hands out the summary (what names the input in messages:
 * "what: ..."); free in any case. */
typedef struct gcsplan__summary_reader gcsplan__summary_reader;
struct gcsplan__rj;
int gcsplan__summary_reader_new(gcsplan__summary_reader **out,
                                const gcsplan_summary_options *opts, gcsplan_error *err);
struct gcsplan__rj *gcsplan__summary_reader_walker(gcsplan__summary_reader *sr);
int gcsplan__summary_reader_finish(gcsplan__summary_reader *sr, gcsplan_summary **out,
                                   const char *what, gcsplan_error *err);
void gcsplan__summary_reader_free(gcsplan__summary_reader *sr);

#endif
