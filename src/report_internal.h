/* The report's insides, shared by its builder (report.c), the pre-flight
 * document reader (report_preflight_json.c) and the page writer
 * (report_html.c, report_treemap.c, report_out.c). */
#ifndef GCSPLAN_REPORT_INTERNAL_H
#define GCSPLAN_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "gcsplan/report.h"
#include "util/buf.h"

/* A copied string: any bytes (NUL included), at most
 * GCSPLAN_REPORT_TEXT_MAX; p is NULL when absent. */
typedef struct rp_str {
    char *p;
    size_t n;
} rp_str;

typedef struct rp_example {
    rp_str name, detail;
    uint64_t size;
} rp_example;

typedef struct rp_kind {
    rp_str kind;
    uint64_t count;
} rp_kind;

typedef struct rp_finding {
    int severity;             /* gcsplan_severity */
    rp_str code, message, hint;
    uint64_t count, bytes;
    rp_example *examples;
    size_t n_examples;
    rp_kind *kinds;
    size_t n_kinds;
} rp_finding;

/* One submission of a job and what became of it. */
typedef struct rp_attempt {
    int64_t submit_ms, submitted_ms, done_ms, seen_ms; /* 0: unknown */
    gcsplan_run_state state;
    rp_str operation, logs_url, error;
    int has_counters;
    uint64_t success, failure;
} rp_attempt;

typedef struct rp_job {
    rp_str uri, first, last;
    uint64_t objects, bytes, largest;
    unsigned int flags;
    rp_attempt *attempts;     /* the latest GCSPLAN_REPORT_ATTEMPTS_MAX */
    size_t n_attempts;
    uint64_t total_attempts;  /* all of them */
} rp_job;

struct gcsplan_report {
    gcsplan_allocator alloc;
    rp_str title;
    int64_t generated_ms;
    unsigned int flags;
    int have_plan;
    rp_str uri, store, source, plan_path;
    int64_t created_ms;
    uint64_t objects, bytes, max_objects, max_bytes, max_jobs, excluded, lower_bound,
        prefix_cut_jobs;
    rp_job *jobs;
    size_t n_jobs, cap_jobs;
    rp_finding *findings;
    size_t n_findings;
    int have_preflight;       /* findings were given, even none */
    int have_events;
    const gcsplan_summary *summary;
};

/* Copy s[0..n) into *d (cut to GCSPLAN_REPORT_TEXT_MAX at a character
 * boundary); a NULL s leaves *d absent. 0 or -1 (no memory). */
int gcsplan__rp_str_set(const gcsplan_allocator *a, rp_str *d, const char *s, size_t n);
void gcsplan__rp_str_free(const gcsplan_allocator *a, rp_str *d);
void gcsplan__rp_finding_free(const gcsplan_allocator *a, rp_finding *f);

/* Append findings (moved: the report owns them after a 0 return). */
int gcsplan__rp_take_findings(gcsplan_report *r, rp_finding *f, size_t n, gcsplan_error *err);

/* --- writing the page (report_out.c) ---------------------------------------------------- */

/* Output is built in a capped buffer and handed to write() in pieces. */
typedef struct rp_out {
    gcsplan__buf b;
    gcsplan_write_fn write;
    void *ctx;
    int stopped;              /* write() refused */
    int err;                  /* the buffer failed: GCSPLAN_ENOMEM or GCSPLAN_ELIMIT */
} rp_out;

void gcsplan__ro_init(rp_out *o, const gcsplan_allocator *a, gcsplan_write_fn write, void *ctx);
/* Hand what is buffered to write() once it is large, or always with force. */
void gcsplan__ro_flush(rp_out *o, int force);
/* 0, or the error that stopped the writing (GCSPLAN_ENOMEM, GCSPLAN_ELIMIT,
 * GCSPLAN_ESOURCE). */
int gcsplan__ro_done(rp_out *o);

/* Markup of our own, as it is. */
void gcsplan__ro_raw(rp_out *o, const char *s);
/* Text from outside, for an HTML text or attribute value: markup characters
 * as entities; control characters, bytes that are not UTF-8 and invisible
 * format characters (bidirectional overrides, zero-width) shown as \xNN or
 * \u{XXXX}, as a terminal shows them; everything else as it is. */
void gcsplan__ro_text(rp_out *o, const char *s, size_t n);
void gcsplan__ro_str(rp_out *o, const rp_str *s);
/* As ro_text, at most max characters, then "…" when cut. */
void gcsplan__ro_text_cut(rp_out *o, const char *s, size_t n, size_t max);
/* Nonzero when s[0..n) may be a link: http(s), printable ASCII, nothing
 * that could leave an attribute. */
int gcsplan__ro_url_ok(const char *s, size_t n);
void gcsplan__ro_u64(rp_out *o, uint64_t v);
/* 1,234,567 */
void gcsplan__ro_count(rp_out *o, uint64_t v);
/* 1.2 GiB */
void gcsplan__ro_bytes(rp_out *o, uint64_t v);
/* v with one decimal, whatever the C locale says about decimal points. */
void gcsplan__ro_dec(rp_out *o, double v);
/* The start of an SVG rect with its geometry: `<rect x=".." y=".."
 * width=".." height=".."`, with a class first when cls is not NULL; the
 * caller adds attributes and closes it. */
void gcsplan__ro_rect(rp_out *o, const char *cls, double x, double y, double w, double h);
/* 2024-05-01 12:00:03 UTC, or "unknown" for 0. */
void gcsplan__ro_time(rp_out *o, int64_t ms);
/* A duration: 45 s, 12 min, 3 h 05 min, 2 d 4 h. */
void gcsplan__ro_duration(rp_out *o, int64_t ms);

/* --- page parts ------------------------------------------------------------------------- */

/* The colour of job j (a fixed palette), and the palette's size. */
const char *gcsplan__rp_job_colour(size_t j);
#define GCSPLAN__RP_PALETTE 12

/* The treemap section: squarified layout of the summary, its legend and its
 * table (report_treemap.c). */
int gcsplan__rp_treemap(const gcsplan_report *r, rp_out *o);

#endif
