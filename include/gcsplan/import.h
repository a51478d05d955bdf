/* Imports: run a plan (gcsplan/plandoc.h) against the Cloud Healthcare API
 * and tell the truth at the end (SPEC section 5, docs/import.md).
 *
 * An importer submits each job of a plan as one dicomStores.import or
 * fhirStores.import call, at most `concurrency` operations of the plan
 * unfinished at any moment, and polls each long-running operation, backing
 * off from the poll interval and never more than once a second, until it is
 * done. Every job moves through one state machine:
 *
 *     waiting -> submitting -> running -> succeeded | partial | failed
 *                    |  ^
 *                    v  |   a 429 (quota), a 408 or 503, or an answer that
 *                  waiting   never arrived: submitted again later
 *
 * and a submission rejected outright (400: the URI matches nothing, ...)
 * goes from submitting to failed. Everything that happens is appended to a
 * journal (JSON Lines, flushed to disk before and after every submission),
 * keyed by the plan digest: a new importer over the same plan and journal
 * continues where the last one stopped, however it stopped (a stop
 * request, an error, kill -9, a reboot). A job whose operation is
 * journaled is never submitted again, only polled; the only job that can
 * be submitted twice is one whose submission's answer never arrived, and
 * the importer counts those (gcsplan_import_job.lost).
 *
 *     gcsplan_import_options o = GCSPLAN_IMPORT_OPTIONS_INIT;
 *     o.journal = "plan.json.journal";
 *     gcsplan_importer *imp;
 *     if (gcsplan_importer_new(&imp, plan, &o, &err) == 0) {
 *         int rc = gcsplan_importer_run(imp, &err);  (0: every job finished)
 *         for (size_t i = 0; i < gcsplan_importer_job_count(imp); i++)
 *             gcsplan_importer_job(imp, i, &job);
 *     }
 *     gcsplan_importer_free(imp);
 *
 * The journal can also be read on its own, record by record
 * (gcsplan_journal_read), e.g. to draw a report of the run.
 *
 * Credentials and endpoints are those of every Google API call gcsplan
 * makes (docs/credentials.md, docs/security.md): the Healthcare endpoint is
 * api_endpoint, else $CLOUDSDK_API_ENDPOINT_OVERRIDES_HEALTHCARE, else
 * https://healthcare.googleapis.com/. Nothing a server sends is trusted:
 * every answer is bounded and checked, and its texts are masked and
 * escaped before they reach a job, the journal or a callback.
 *
 * Memory: an importer allocates through the allocator of its options.
 * Thread-safety: an importer is used by one thread at a time, except
 * gcsplan_importer_stop(), which any thread or a signal handler may call. */
#ifndef GCSPLAN_IMPORT_H
#define GCSPLAN_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include "gcsplan/export.h"
#include "gcsplan/error.h"
#include "gcsplan/plandoc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- bounds ---------------------------------------------------------------------------- */

/* Operations of one plan unfinished at once, by default and at most. The
 * Healthcare API's advice is about 5 concurrent imports per project: more
 * meet rate limits and lock contention on the store. */
#define GCSPLAN_IMPORT_CONCURRENCY_DEFAULT 5
#define GCSPLAN_IMPORT_CONCURRENCY_MAX 1000
/* The first wait before polling an operation, by default; the waits grow
 * by half each poll, up to a minute (or the interval, when longer). */
#define GCSPLAN_IMPORT_POLL_INTERVAL_DEFAULT_MS 10000u
/* One operation is never polled more often than this. */
#define GCSPLAN_IMPORT_POLL_FLOOR_MS 1000u
/* An operation's resource name, a logsUrl, and a kept error message, at most. */
#define GCSPLAN_OPERATION_NAME_MAX 1024
#define GCSPLAN_LOGS_URL_MAX 4096
/* Room for the Cloud Logging filter of any operation
 * (gcsplan_import_logging_filter), its NUL included. */
#define GCSPLAN_IMPORT_FILTER_MAX (GCSPLAN_OPERATION_NAME_MAX + 80)
/* A journal line, and the lines of a journal, at most. */
#define GCSPLAN_JOURNAL_LINE_MAX 65536
#define GCSPLAN_JOURNAL_LINES_MAX ((uint64_t)1 << 26)
/* The version of the journal format this library writes and reads. */
#define GCSPLAN_JOURNAL_VERSION 1

/* --- jobs ------------------------------------------------------------------------------- */

typedef enum gcsplan_import_state {
    GCSPLAN_IMPORT_WAITING = 0,    /* not submitted, or to be submitted again */
    GCSPLAN_IMPORT_SUBMITTING = 1, /* an import call sent, its answer not in */
    GCSPLAN_IMPORT_RUNNING = 2,    /* an operation, not done */
    GCSPLAN_IMPORT_SUCCEEDED = 3,  /* done: a response and counter.failure absent or 0 */
    GCSPLAN_IMPORT_PARTIAL = 4,    /* done: counter.failure > 0 */
    GCSPLAN_IMPORT_FAILED = 5      /* done with an error, or the call was refused */
} gcsplan_import_state;
#define GCSPLAN_IMPORT_STATES 6

/* "waiting", "submitting", "running", "succeeded", "partial", "failed";
 * "unknown" for other values. Static storage; thread-safe. */
GCSPLAN_API const char *gcsplan_import_state_name(int state);

/* What is known of one job. The strings are borrowed from the importer (or
 * the journal reader) and stay valid until its next call that runs the
 * import or reads on; NULL when unknown. */
typedef struct gcsplan_import_job {
    size_t index;            /* the job's index in the plan, from 0 */
    const char *uri;         /* the job's import URI */
    uint64_t objects, bytes; /* what the plan counted */
    gcsplan_import_state state;
    const char *operation;   /* the operation's resource name, once known */
    int has_counters;        /* success and failure come from the operation */
    uint64_t success;        /* counter.success */
    uint64_t failure;        /* counter.failure */
    const char *logs_url;    /* metadata.logsUrl (http or https) */
    const char *error;       /* failed: the error's message, one line, masked, escaped */
    int error_code;          /* failed: the operation's google.rpc code, else 0 */
    int http_status;         /* failed at submission: the HTTP status, else 0 */
    unsigned submissions;    /* import calls sent for this job, over every run */
    unsigned lost;           /* of them, those whose answer never arrived: the store
                              * may have run them (a second operation of this URI) */
    int64_t submitted_ms;    /* when the last submission was sent, Unix ms; 0 */
    int64_t done_ms;         /* when it finished (the operation's endTime when it has
                              * one, else when the importer saw it), Unix ms; 0 */
} gcsplan_import_job;

/* Jobs and objects, summed. */
typedef struct gcsplan_import_totals {
    size_t jobs;
    size_t states[GCSPLAN_IMPORT_STATES]; /* jobs in each gcsplan_import_state */
    size_t lost_jobs;         /* jobs with a submission whose answer never arrived */
    uint64_t success;         /* counter.success over every job that has counters */
    uint64_t failure;         /* counter.failure likewise */
    uint64_t objects;         /* the plan's objects */
    uint64_t objects_finished;/* the plan's objects of the jobs that finished */
    uint64_t objects_finished_here; /* of them, those of jobs finished by this run */
} gcsplan_import_totals;

/* --- running an import ------------------------------------------------------------------- */

typedef struct gcsplan_importer gcsplan_importer;

/* A job changed state, or a poll brought new counters. Called from inside
 * gcsplan_importer_run (or _new, for what the journal says), in its thread;
 * job is borrowed for the call. */
typedef void (*gcsplan_import_job_fn)(const gcsplan_import_job *job, void *payload);
/* The run's totals, at least every progress_ms while it runs, and once at
 * its end: for a progress line. */
typedef void (*gcsplan_import_progress_fn)(const gcsplan_import_totals *t, void *payload);
/* Something people should know that is not an error: a torn last journal
 * line ignored, submissions found without an answer on resume. One line;
 * text from outside in it is escaped. */
typedef void (*gcsplan_import_note_fn)(const char *message, void *payload);

/* Submit again the jobs whose last state is failed. */
#define GCSPLAN_IMPORT_RETRY_FAILED 0x1u

#define GCSPLAN_IMPORT_OPTIONS_VERSION 1
typedef struct gcsplan_import_options {
    unsigned int version;               /* GCSPLAN_IMPORT_OPTIONS_VERSION */
    const gcsplan_allocator *allocator; /* NULL: the C library's; copied */
    const char *journal;                /* the journal's path (required); created when missing */
    const char *store;                  /* NULL: the plan's "store" */
    const char *content_structure;      /* FHIR stores: BUNDLE, RESOURCE, BUNDLE_PRETTY or
                                         * RESOURCE_PRETTY; NULL: the plan's, else none
                                         * (the API's default, BUNDLE) */
    unsigned int concurrency;           /* 0: GCSPLAN_IMPORT_CONCURRENCY_DEFAULT */
    unsigned int poll_interval_ms;      /* 0: GCSPLAN_IMPORT_POLL_INTERVAL_DEFAULT_MS */
    const char *api_endpoint;           /* NULL: the environment's, else Google's */
    unsigned int flags;                 /* GCSPLAN_IMPORT_* */
    int retries;                        /* -1: 8. Repeats of a submission after a 408, 5xx
                                         * or lost answer (429 is never counted), and of a
                                         * poll; past them the run stops */
    unsigned int timeout_ms;            /* one request, connect to last byte; 0: 60 s */
    gcsplan_import_job_fn on_job;       /* each optional */
    gcsplan_import_progress_fn on_progress;
    unsigned int progress_ms;           /* 0: 1000 */
    gcsplan_import_note_fn on_note;
    void *payload;                      /* given to the callbacks */
} gcsplan_import_options;
#define GCSPLAN_IMPORT_OPTIONS_INIT \
    { GCSPLAN_IMPORT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, 0, NULL, 0, -1, 0, NULL, NULL, \
      0, NULL, NULL }

/* An importer of plan (borrowed: it must outlive the importer). Opens the
 * journal, takes its lock (flock, exclusive: one run per journal at a time)
 * and reads it, so that the jobs' states are what it says; a new journal
 * gets its header. No network request yet. Returns 0, or:
 *   GCSPLAN_EINVAL   bad options: no journal, no store (neither given nor
 *                    in the plan), a content structure with a DICOM store;
 *   GCSPLAN_EJOURNAL the journal is another plan's (another plan digest),
 *                    another store's or content structure's, or malformed
 *                    (the message names the line); a torn last line is not
 *                    an error (it is cut off, and on_note says so);
 *   GCSPLAN_EBUSY    another run holds the journal's lock;
 *   GCSPLAN_ESOURCE  the journal cannot be opened, read or written;
 *   GCSPLAN_ELIMIT, GCSPLAN_ENOMEM.
 * The caller frees *out with gcsplan_importer_free(). Thread-safe. */
GCSPLAN_API int gcsplan_importer_new(gcsplan_importer **out, const gcsplan_plan_doc *plan,
                                     const gcsplan_import_options *opts, gcsplan_error *err);

/* Run the import until every job has finished, a stop is requested, or an
 * error stops it. Returns:
 *   0                every job finished (succeeded, partial or failed: see
 *                    the jobs and gcsplan_importer_totals);
 *   GCSPLAN_ESTOPPED gcsplan_importer_stop() was called: no submission was
 *                    started after it, the answers of those in flight were
 *                    awaited and journaled; operations keep running on the
 *                    server and a later run polls them;
 *   GCSPLAN_ESOURCE  an error that stops the run: the store does not exist,
 *                    credentials or permission refused, retries exhausted,
 *                    the journal cannot be written (err says which);
 *   GCSPLAN_EINVAL   called again after it returned.
 * In every case the journal holds everything done. */
GCSPLAN_API int gcsplan_importer_run(gcsplan_importer *imp, gcsplan_error *err);

/* Ask a running import to stop submitting and return. Only sets an atomic
 * flag: safe from a signal handler and from any thread, before or during
 * gcsplan_importer_run (a stop asked before the run makes it submit
 * nothing). */
GCSPLAN_API void gcsplan_importer_stop(gcsplan_importer *imp);

/* The jobs (the plan's count) and job i (0-based) into *out; returns 0 or
 * GCSPLAN_EINVAL when i is out of range. The strings in *out are borrowed
 * from the importer (see gcsplan_import_job). The totals are copied. Like
 * every call but stop, in the thread that runs the import (or from its
 * callbacks). */
GCSPLAN_API size_t gcsplan_importer_job_count(const gcsplan_importer *imp);
GCSPLAN_API int gcsplan_importer_job(const gcsplan_importer *imp, size_t i,
                                     gcsplan_import_job *out);
GCSPLAN_API void gcsplan_importer_totals(const gcsplan_importer *imp, gcsplan_import_totals *t);
/* The store and content structure (NULL: none) the import goes to;
 * borrowed from the importer, fixed once it is made. */
GCSPLAN_API const char *gcsplan_importer_store(const gcsplan_importer *imp);
GCSPLAN_API const char *gcsplan_importer_content_structure(const gcsplan_importer *imp);

/* Release the journal's lock and free the importer; NULL is a no-op. */
GCSPLAN_API void gcsplan_importer_free(gcsplan_importer *imp);

/* The Cloud Logging filter that selects the per-file errors of one import
 * operation (they go to Cloud Logging only, rate-limited):
 *     resource.type="healthcare_dicom_store" AND operation.id="ID"
 * (healthcare_fhir_store for a FHIR store), ID the last part of operation.
 * Writes at most cap bytes including a NUL, like snprintf, and returns the
 * length the whole filter needs (less than GCSPLAN_IMPORT_FILTER_MAX); 0
 * when store or operation is not one.
 * Thread-safe. */
GCSPLAN_API size_t gcsplan_import_logging_filter(char *buf, size_t cap, const char *store,
                                                 const char *operation);

/* --- reading a journal --------------------------------------------------------------------- */

/* Records of a journal (docs/import.md has the format). */
typedef enum gcsplan_journal_event {
    GCSPLAN_JOURNAL_SUBMITTING = 1, /* about to send the import call (written first) */
    GCSPLAN_JOURNAL_SUBMITTED = 2,  /* its answer: the operation's name */
    GCSPLAN_JOURNAL_DONE = 3,       /* the job finished: state, counters, logs, error */
    GCSPLAN_JOURNAL_LOST = 4,       /* the submission's answer never arrived */
    GCSPLAN_JOURNAL_DEFERRED = 5    /* the submission was refused for now (429, 408, 503,
                                     * or an error that stopped the run): no operation */
} gcsplan_journal_event;

/* One record; strings are borrowed for the callback, NULL when absent. */
typedef struct gcsplan_journal_record {
    gcsplan_journal_event event;
    size_t job;                 /* the job's index in the plan, from 0 */
    int64_t time_ms;            /* when it was written, Unix ms */
    const char *uri;            /* SUBMITTING: the job's URI (the plan's) */
    const char *operation;      /* SUBMITTED; DONE unless it failed at submission */
    gcsplan_import_state state; /* DONE: SUCCEEDED, PARTIAL or FAILED */
    int has_counters;
    uint64_t success, failure;  /* DONE with has_counters */
    const char *logs_url;       /* DONE */
    const char *error;          /* DONE (failed), DEFERRED, LOST: why */
    int error_code;             /* DONE: the operation's google.rpc code */
    int http_status;            /* DONE (refused submission), DEFERRED */
    int64_t create_ms, end_ms;  /* DONE: the operation's createTime and endTime, Unix
                                 * ms; 0 when it had none */
} gcsplan_journal_record;

/* What the journal says of itself, and what reading it found. */
typedef struct gcsplan_journal_info {
    unsigned int version;       /* GCSPLAN_JOURNAL_VERSION */
    uint64_t plan_digest;
    size_t jobs;
    char store[GCSPLAN_STORE_MAX + 1];
    char content_structure[32]; /* "" when none */
    int64_t time_ms;            /* when the journal was begun */
    uint64_t lines;             /* complete lines read, the header included */
    uint64_t good_bytes;        /* bytes up to the end of the last complete line */
    int torn;                   /* the last line was cut short (a crash while it was
                                 * written): ignored */
    int no_final_newline;       /* the last line is whole but lacks its newline */
} gcsplan_journal_info;

/* Return 0 to go on, anything else to stop reading (the reader then
 * returns GCSPLAN_ESOURCE). */
typedef int (*gcsplan_journal_fn)(const gcsplan_journal_record *rec, void *payload);

/* Read the journal at path as a run of plan would, calling fn for every
 * record in file order: the header must name plan's digest and job count,
 * every record a job of it (a submission its URI), and each job's records
 * must follow the state machine above. Lines are at most
 * GCSPLAN_JOURNAL_LINE_MAX bytes and GCSPLAN_JOURNAL_LINES_MAX in number.
 * A last line cut short by a crash is ignored (info->torn). info may be
 * NULL. Returns 0, GCSPLAN_EJOURNAL (another plan's journal, or malformed:
 * the message names the line, err->offset is the line's byte offset),
 * GCSPLAN_ESOURCE (cannot read; fn stopped it), GCSPLAN_ENOMEM. Reads
 * without taking the lock: a journal being written may be read.
 * Thread-safe. */
GCSPLAN_API int gcsplan_journal_read(const char *path, const gcsplan_plan_doc *plan,
                                     gcsplan_journal_fn fn, void *payload,
                                     const gcsplan_allocator *allocator,
                                     gcsplan_journal_info *info, gcsplan_error *err);

#ifdef __cplusplus
}
#endif

#endif
