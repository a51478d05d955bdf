/* Reports: one self-contained HTML page about a plan, its pre-flight
 * findings and the run of its import, for the people who approve a load or
 * ask why files failed (docs/report.md).
 *
 * Two parts:
 *
 * The prefix summary (gcsplan_summary) is a streaming accumulator. Fed the
 * planned objects in name order, each with the index of the job that holds
 * it, it keeps a tree of '/'-separated path prefixes with the objects, bytes
 * and jobs below each, cut to at most max_nodes nodes by merging the smallest
 * subtrees into runs of siblings ("(N more)"), and a log2 histogram of
 * object sizes. Its memory is bounded by max_nodes and the depth of names,
 * never by the number of objects. It is written into a plan document as a
 * versioned JSON fragment and read back from there:
 *
 *     gcsplan_summary *s;
 *     gcsplan_summary_new(&s, &opts, &err);
 *     for each object, in strictly increasing name order:
 *         gcsplan_summary_add(s, name, len, size, job, &err);
 *     gcsplan_summary_finish(s, &err);
 *     gcsplan_summary_write_json(s, write, ctx, &err);
 *
 * The report (gcsplan_report) collects the plan's header, its jobs, a
 * summary, findings and the events of an import journal, then streams the
 * page to a write callback:
 *
 *     gcsplan_report *r;
 *     gcsplan_report_new(&r, &ropts, &err);
 *     gcsplan_report_set_plan(r, &plan, &err);
 *     for each job: gcsplan_report_add_job(r, &job, &err);
 *     gcsplan_report_set_summary(r, s);                 (borrowed)
 *     gcsplan_report_add_preflight_json(r, doc, len, &err);
 *     for each journal record: gcsplan_report_add_event(r, &ev, &err);
 *     gcsplan_report_render(r, write, ctx, &err);
 *     gcsplan_report_free(r);
 *
 * The page needs nothing from outside: inline CSS and SVG and a few lines of
 * optional script, no request of any kind, readable with scripts off. Every
 * string given to the report is escaped for its HTML context; a URL becomes
 * a link only when it is http(s).
 *
 * Thread-safety: a summary or a report is used by one thread at a time;
 * different handles are independent. A finished summary is only read by the
 * report, so several reports may render from one summary at once. */
#ifndef GCSPLAN_REPORT_H
#define GCSPLAN_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "gcsplan/export.h"
#include "gcsplan/error.h"
#include "gcsplan/plan.h"
#include "gcsplan/preflight.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where output goes: write len bytes of data; return 0, or nonzero to stop
 * (the writing function then returns GCSPLAN_ESOURCE). */
typedef int (*gcsplan_write_fn)(const char *data, size_t len, void *ctx);

/* --- the prefix summary --------------------------------------------------------------- */

typedef struct gcsplan_summary gcsplan_summary;

/* The version of the summary's JSON shape this library writes and reads. */
#define GCSPLAN_SUMMARY_VERSION 1
/* Nodes a summary keeps by default, at least and at most. */
#define GCSPLAN_SUMMARY_NODES_DEFAULT 2000
#define GCSPLAN_SUMMARY_NODES_MIN 16
#define GCSPLAN_SUMMARY_NODES_MAX 100000
/* Size classes of the histogram: 0 holds empty objects, k (1..64) the sizes
 * in [2^(k-1), 2^k). */
#define GCSPLAN_SUMMARY_BUCKETS 65
/* job_first and job_last of a node without objects. */
#define GCSPLAN_SUMMARY_NO_JOB ((size_t)-1)

typedef enum gcsplan_summary_kind {
    GCSPLAN_SUMMARY_FOLDER = 1, /* a prefix ending in '/' (the root: the common one) */
    GCSPLAN_SUMMARY_OBJECT = 2, /* one object; name "" is the folder's own name as an object */
    GCSPLAN_SUMMARY_MORE = 3    /* consecutive siblings merged: "(merged more)" */
} gcsplan_summary_kind;

/* One node of a finished summary. Nodes are in preorder, children in name
 * order: node 0 is the root, and the subtree of node i is [i, end). Every
 * pointer is borrowed from the summary. */
typedef struct gcsplan_summary_node {
    gcsplan_summary_kind kind;
    const char *name;     /* its part of the path after its parent's; any bytes */
    size_t name_len;
    size_t parent;        /* index of the parent; the root's is 0 */
    size_t end;           /* one past its last descendant */
    size_t depth;         /* 0 for the root */
    uint64_t objects;     /* objects below it */
    uint64_t bytes;       /* their total size */
    size_t job_first;     /* the lowest and highest job index among them: */
    size_t job_last;      /* one job when equal; GCSPLAN_SUMMARY_NO_JOB when empty */
    uint64_t merged;      /* MORE: the siblings merged (objects and folders) */
    const char *first;    /* MORE: the names of the first and last merged */
    size_t first_len;     /* sibling (as name is); NULL otherwise */
    const char *last;
    size_t last_len;
} gcsplan_summary_node;

/* One size class of the histogram. */
typedef struct gcsplan_summary_bucket {
    uint64_t objects;
    uint64_t bytes;
} gcsplan_summary_bucket;

#define GCSPLAN_SUMMARY_OPTIONS_VERSION 1
typedef struct gcsplan_summary_options {
    unsigned int version;               /* GCSPLAN_SUMMARY_OPTIONS_VERSION */
    const gcsplan_allocator *allocator; /* NULL: the C library's */
    size_t max_nodes;   /* 0: GCSPLAN_SUMMARY_NODES_DEFAULT; else MIN..MAX */
} gcsplan_summary_options;
#define GCSPLAN_SUMMARY_OPTIONS_INIT { GCSPLAN_SUMMARY_OPTIONS_VERSION, NULL, 0 }

/* Create an empty summary (opts may be NULL). On success *out owns it; free
 * it with gcsplan_summary_free(). Thread-safe. */
GCSPLAN_API int gcsplan_summary_new(gcsplan_summary **out, const gcsplan_summary_options *opts,
                                    gcsplan_error *err);

/* Account for one object of len bytes (1..GCSPLAN_NAME_MAX, any bytes;
 * copied as needed) held by job number job. Names must come in strictly
 * increasing byte order. Returns 0, GCSPLAN_EINVAL (order, length, after
 * finish) or GCSPLAN_ENOMEM; after an error the summary refuses more. */
GCSPLAN_API int gcsplan_summary_add(gcsplan_summary *s, const char *name, size_t len,
                                    uint64_t size, size_t job, gcsplan_error *err);

/* End of the objects: cut the tree to max_nodes and number it. Call once;
 * the queries below need it. Returns 0 or GCSPLAN_ENOMEM. */
GCSPLAN_API int gcsplan_summary_finish(gcsplan_summary *s, gcsplan_error *err);

/* Nodes of a finished summary (0 before finish), and node i, borrowed while s
 * lives, or NULL when out of range. */
GCSPLAN_API size_t gcsplan_summary_node_count(const gcsplan_summary *s);
GCSPLAN_API const gcsplan_summary_node *gcsplan_summary_node_at(const gcsplan_summary *s,
                                                                size_t i);

/* The histogram: GCSPLAN_SUMMARY_BUCKETS entries, borrowed while s lives. */
GCSPLAN_API const gcsplan_summary_bucket *gcsplan_summary_histogram(const gcsplan_summary *s);

/* Totals: objects and bytes added, the node budget, and the number of jobs
 * seen (the highest job index plus one; 0 when empty). */
typedef struct gcsplan_summary_totals {
    uint64_t objects, bytes;
    size_t max_nodes;
    size_t jobs;
} gcsplan_summary_totals;
GCSPLAN_API void gcsplan_summary_totals_get(const gcsplan_summary *s, gcsplan_summary_totals *t);

/* The finished summary as one JSON object (docs/report.md has its shape),
 * no trailing newline, to write(). Names that are not UTF-8 are written with
 * U+FFFD in place of the stray bytes. Returns 0, GCSPLAN_EINVAL (not
 * finished), GCSPLAN_ENOMEM, or GCSPLAN_ESOURCE when write() stops it. */
GCSPLAN_API int gcsplan_summary_write_json(const gcsplan_summary *s, gcsplan_write_fn write,
                                           void *ctx, gcsplan_error *err);

/* Read a summary written by gcsplan_summary_write_json() (len bytes of
 * JSON). The input is checked, not trusted: bounded depth, nodes, name
 * lengths and numbers, and the tree must add up (each folder's objects,
 * bytes and jobs are those of its children; the histogram matches the
 * totals). Unknown keys are ignored; another version is refused. On success
 * *out owns a finished summary. Returns 0, GCSPLAN_EINVAL (malformed, with
 * err->offset near the problem), GCSPLAN_ELIMIT or GCSPLAN_ENOMEM. */
GCSPLAN_API int gcsplan_summary_parse(gcsplan_summary **out, const char *json, size_t len,
                                      const gcsplan_summary_options *opts, gcsplan_error *err);

/* Free a summary; NULL is a no-op. */
GCSPLAN_API void gcsplan_summary_free(gcsplan_summary *s);

/* --- the report ------------------------------------------------------------------------ */

typedef struct gcsplan_report gcsplan_report;

/* Report flags. */
#define GCSPLAN_REPORT_NO_SCRIPT 0x1u /* leave out the optional script entirely */

#define GCSPLAN_REPORT_OPTIONS_VERSION 1
typedef struct gcsplan_report_options {
    unsigned int version;               /* GCSPLAN_REPORT_OPTIONS_VERSION */
    const gcsplan_allocator *allocator; /* NULL: the C library's */
    const char *title;      /* NULL: "Import plan" and the plan's URI; copied */
    int64_t generated_ms;   /* when the page is made, Unix time in ms; 0: not shown */
    unsigned int flags;     /* GCSPLAN_REPORT_* */
} gcsplan_report_options;
#define GCSPLAN_REPORT_OPTIONS_INIT { GCSPLAN_REPORT_OPTIONS_VERSION, NULL, NULL, 0, 0 }

/* The plan's header. Strings may be NULL unless said otherwise. */
#define GCSPLAN_REPORT_PLAN_VERSION 1
typedef struct gcsplan_report_plan {
    unsigned int version;     /* GCSPLAN_REPORT_PLAN_VERSION */
    const char *uri;          /* the URI the plan splits; required */
    const char *store;        /* the DICOM or FHIR store */
    const char *source;       /* where the listing came from, for people */
    const char *plan_path;    /* the plan document, for the commands shown; NULL: PLAN.json */
    int64_t created_ms;       /* when the plan was made, Unix time in ms; 0: unknown */
    uint64_t objects, bytes;
    uint64_t max_objects, max_bytes, max_jobs; /* limits; 0: none */
    uint64_t excluded;        /* excluded objects kept out */
    uint64_t lower_bound;     /* SPEC section 4's naive lower bound on jobs */
    uint64_t prefix_cut_jobs; /* jobs of the prefix-cut plan; 0: unknown */
} gcsplan_report_plan;
#define GCSPLAN_REPORT_PLAN_INIT \
    { GCSPLAN_REPORT_PLAN_VERSION, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/* One job, numbered by the order of gcsplan_report_add_job() from 0 (the
 * page shows numbers from 1, as `gcsplan plan` does). */
#define GCSPLAN_REPORT_JOB_VERSION 1
typedef struct gcsplan_report_job {
    unsigned int version;     /* GCSPLAN_REPORT_JOB_VERSION */
    const char *uri;          /* required */
    uint64_t objects, bytes;
    uint64_t largest;         /* its largest object's size; 0: unknown */
    const char *first, *last; /* its first and last object names; NULL: unknown */
    unsigned int flags;       /* GCSPLAN_JOB_OVERSIZE, GCSPLAN_JOB_INSEPARABLE */
} gcsplan_report_job;
#define GCSPLAN_REPORT_JOB_INIT { GCSPLAN_REPORT_JOB_VERSION, NULL, 0, 0, 0, NULL, NULL, 0 }

/* What a job's import became. */
typedef enum gcsplan_run_state {
    GCSPLAN_RUN_WAITING = 0,    /* not submitted */
    GCSPLAN_RUN_SUBMITTING = 1, /* submitted, no answer journaled */
    GCSPLAN_RUN_RUNNING = 2,    /* an operation, not done */
    GCSPLAN_RUN_SUCCEEDED = 3,  /* done, no failure */
    GCSPLAN_RUN_PARTIAL = 4,    /* done, counter.failure > 0 */
    GCSPLAN_RUN_FAILED = 5,     /* done with an error */
    GCSPLAN_RUN_LOST = 6        /* a submission whose answer never arrived */
} gcsplan_run_state;

/* Journal records, as gcsplan import writes them (SPEC section 5). */
typedef enum gcsplan_report_event_kind {
    GCSPLAN_EVENT_SUBMIT = 1,    /* about to submit: a new attempt */
    GCSPLAN_EVENT_SUBMITTED = 2, /* the answer: the operation's name */
    GCSPLAN_EVENT_PROGRESS = 3,  /* a poll of the running operation, counters so far */
    GCSPLAN_EVENT_DONE = 4,      /* the operation finished: state, counters, error */
    GCSPLAN_EVENT_LOST = 5       /* the last submission's answer never arrived */
} gcsplan_report_event_kind;

/* One journal record. A SUBMIT while the job's last attempt has no
 * operation yet marks that attempt lost, as an explicit LOST does. */
#define GCSPLAN_REPORT_EVENT_VERSION 1
typedef struct gcsplan_report_event {
    unsigned int version;     /* GCSPLAN_REPORT_EVENT_VERSION */
    gcsplan_report_event_kind kind;
    size_t job;               /* the job's index (order of add_job) */
    int64_t time_ms;          /* Unix time in ms; 0: unknown */
    const char *operation;    /* SUBMITTED (and optionally later): the operation's name */
    gcsplan_run_state state;  /* DONE: SUCCEEDED, PARTIAL or FAILED */
    int has_counters;         /* PROGRESS, DONE: success and failure are set */
    uint64_t success, failure; /* the operation's counter.success, counter.failure */
    const char *logs_url;     /* the operation's metadata.logsUrl */
    const char *error;        /* DONE: the error's message */
} gcsplan_report_event;
#define GCSPLAN_REPORT_EVENT_INIT \
    { GCSPLAN_REPORT_EVENT_VERSION, GCSPLAN_EVENT_SUBMIT, 0, 0, NULL, GCSPLAN_RUN_WAITING, 0, \
      0, 0, NULL, NULL }

/* Bounds on what a report holds, whatever its inputs. */
#define GCSPLAN_REPORT_JOBS_MAX 10000000   /* jobs */
#define GCSPLAN_REPORT_FINDINGS_MAX 256    /* findings */
#define GCSPLAN_REPORT_ATTEMPTS_MAX 32     /* attempts shown per job (later ones kept) */
#define GCSPLAN_REPORT_TEXT_MAX 8192       /* bytes of any one string; longer is cut */

/* Create an empty report. On success *out owns it; free it with
 * gcsplan_report_free(). Thread-safe. */
GCSPLAN_API int gcsplan_report_new(gcsplan_report **out, const gcsplan_report_options *opts,
                                   gcsplan_error *err);

/* Set the header (copied; replaces an earlier one). Returns 0, GCSPLAN_EINVAL
 * (no URI, bad version) or GCSPLAN_ENOMEM. */
GCSPLAN_API int gcsplan_report_set_plan(gcsplan_report *r, const gcsplan_report_plan *plan,
                                        gcsplan_error *err);

/* Fill *plan with the URI (borrowed from pl) and the figures of pl's
 * finished plan; the text fields other than uri are left alone. */
GCSPLAN_API void gcsplan_report_plan_from_planner(gcsplan_report_plan *plan,
                                                  const gcsplan_planner *pl);

/* Append a job (copied). Returns 0, GCSPLAN_EINVAL, GCSPLAN_ELIMIT or
 * GCSPLAN_ENOMEM. */
GCSPLAN_API int gcsplan_report_add_job(gcsplan_report *r, const gcsplan_report_job *job,
                                       gcsplan_error *err);

/* Append every job of pl's finished (and checked, for first, last and
 * largest) plan, in order. */
GCSPLAN_API int gcsplan_report_add_planner_jobs(gcsplan_report *r, const gcsplan_planner *pl,
                                                gcsplan_error *err);

/* Use s (finished; borrowed: it must outlive the report's last render) for
 * the treemap and the size histogram; NULL removes it. */
GCSPLAN_API void gcsplan_report_set_summary(gcsplan_report *r, const gcsplan_summary *s);

/* Append one finding (copied), or every finding of a finished pre-flight. */
GCSPLAN_API int gcsplan_report_add_finding(gcsplan_report *r, const gcsplan_finding *f,
                                           gcsplan_error *err);
GCSPLAN_API int gcsplan_report_add_preflight(gcsplan_report *r, const gcsplan_preflight *pf,
                                             gcsplan_error *err);

/* Append the findings of a pre-flight JSON document (the shape
 * gcsplan_preflight_render_json() writes, docs/preflight.md), len bytes.
 * Codes this library does not know are kept by name. Returns 0,
 * GCSPLAN_EINVAL (malformed), GCSPLAN_ELIMIT or GCSPLAN_ENOMEM; on an error
 * no finding of the document is added. */
GCSPLAN_API int gcsplan_report_add_preflight_json(gcsplan_report *r, const char *json,
                                                  size_t len, gcsplan_error *err);

/* Account for one journal record (copied), in journal order. Returns 0,
 * GCSPLAN_EINVAL (no such job, unknown kind or state) or GCSPLAN_ENOMEM. */
GCSPLAN_API int gcsplan_report_add_event(gcsplan_report *r, const gcsplan_report_event *ev,
                                         gcsplan_error *err);

/* Write the page to write(). May be called again (the report is not
 * changed). Returns 0, GCSPLAN_EINVAL (no plan set), GCSPLAN_ENOMEM, or
 * GCSPLAN_ESOURCE when write() stops it. */
GCSPLAN_API int gcsplan_report_render(const gcsplan_report *r, gcsplan_write_fn write, void *ctx,
                                      gcsplan_error *err);

/* Free a report; NULL is a no-op. The summary it borrows is not freed. */
GCSPLAN_API void gcsplan_report_free(gcsplan_report *r);

#ifdef __cplusplus
}
#endif

#endif
