/* Plan documents: the JSON that `gcsplan plan --json` writes (SPEC section 4),
 * read back, written, and identified.
 *
 *   gcsplan_plan_reader  a streaming reader on yajl's callback parser: bytes
 *                        in (feed, then finish; any chunking gives the same
 *                        result), a gcsplan_plan_doc out. It keeps what a
 *                        plan needs (the head, and per job its URI, counts,
 *                        digest, largest object, first and last names),
 *                        never the document's text, and skips every other
 *                        key at any depth without recursion. Asked to, it
 *                        also reads the prefix summary (into a
 *                        gcsplan_summary, as the report needs it) and keeps
 *                        the pre-flight findings. Its bounds are below; past
 *                        one it stops with GCSPLAN_ELIMIT.
 *                        gcsplan_plan_read_file() reads a file with it.
 *   gcsplan_plan_writer  writes a plan document job by job to a callback.
 *   gcsplan_plan_digest_*  a stable 64-bit identity of a plan's content.
 *   gcsplan_pattern_contains  whether every name one import URI matches is
 *                        matched by another, for the shapes the planner makes.
 *   gcsplan_store_parse  a DICOM or FHIR store's resource name, in parts.
 *
 *     gcsplan_plan_doc *doc;
 *     gcsplan_error err;
 *     if (gcsplan_plan_read_file(&doc, "plan.json", NULL, &err) != 0)
 *         fprintf(stderr, "plan.json: %s\n", err.message);
 *     for (size_t i = 0; i < gcsplan_plan_doc_job_count(doc); i++)
 *         use(gcsplan_plan_doc_job(doc, i)->uri);
 *     gcsplan_plan_doc_free(doc);
 *
 * Errors name the job (counting from 1) and the key: `job 3: "objects" is
 * not a non-negative integer`. A malformed document is GCSPLAN_EINVAL,
 * a document past a bound GCSPLAN_ELIMIT, a file that cannot be read (and a
 * write callback that fails) GCSPLAN_ESOURCE, with err->offset the byte of
 * the document where the reader stopped.
 *
 * Memory: a reader and a document allocate through the allocator of their
 * options (yajl's own parser state, a few kilobytes, comes from the C
 * library: see docs/internals.md). Thread-safety: a reader or writer is used
 * by one thread at a time; a finished document is immutable and may be read
 * from any number of threads. */
#ifndef GCSPLAN_PLANDOC_H
#define GCSPLAN_PLANDOC_H

#include <stddef.h>
#include <stdint.h>
#include "gcsplan/export.h"
#include "gcsplan/error.h"
#include "gcsplan/pattern.h"
#include "gcsplan/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A report's prefix summary (gcsplan/report.h), which a plan document may carry. */
struct gcsplan_summary;

/* --- bounds of the reader ------------------------------------------------------------ */

/* Bytes of JSON text, by default (gcsplan_plan_read_options.max_document). */
#define GCSPLAN_PLAN_DOCUMENT_MAX ((uint64_t)1 << 30)
/* Jobs, by default (gcsplan_plan_read_options.max_jobs). */
#define GCSPLAN_PLAN_JOBS_MAX ((size_t)1 << 24)
/* Nesting of arrays and objects: a plan needs 5 levels, its pre-flight
 * findings 5; deeper is not a plan. */
#define GCSPLAN_PLAN_DEPTH_MAX 32
/* Any one string or number, known key or not. */
#define GCSPLAN_PLAN_TOKEN_MAX 65536
/* A store's resource name. URIs are bounded by GCSPLAN_URI_MAX and the
 * first and last object names by GCSPLAN_NAME_MAX. */
#define GCSPLAN_STORE_MAX 1024
/* The pre-flight findings kept with GCSPLAN_PLAN_READ_PREFLIGHT, as JSON
 * text: a pre-flight writes at most 32 examples of at most an object name
 * each per finding, a few hundred kilobytes. The summary's bounds are its
 * own (gcsplan_summary_parse in gcsplan/report.h). */
#define GCSPLAN_PLAN_PREFLIGHT_MAX ((size_t)16 << 20)

/* --- the document -------------------------------------------------------------------- */

/* What a plan says about itself as a whole. */
typedef struct gcsplan_plan_head {
    const char *uri;               /* the URI the plan splits; NUL-terminated */
    size_t uri_len;
    uint64_t objects, bytes;       /* what it matches, after exclusions */
    uint64_t max_objects;          /* "limits"; 0 when null or absent */
    uint64_t max_bytes;
    uint64_t max_jobs;
    uint64_t excluded;             /* informative counts; 0 when absent */
    uint64_t lower_bound;
    uint64_t prefix_cut_jobs;
    const char *store;             /* "store" (gcsplan_store_parse), or NULL */
    const char *content_structure; /* "content_structure" (FHIR), or NULL */
} gcsplan_plan_head;

/* Which optional fields of a gcsplan_plan_job are present. */
#define GCSPLAN_PLAN_JOB_LARGEST 0x1
#define GCSPLAN_PLAN_JOB_FIRST 0x2
#define GCSPLAN_PLAN_JOB_LAST 0x4
#define GCSPLAN_PLAN_JOB_DIGEST 0x8

/* One job of a plan document. */
typedef struct gcsplan_plan_job {
    const char *uri;      /* the job's import URI; NUL-terminated */
    size_t uri_len;
    uint64_t objects;     /* what it matched when planned */
    uint64_t bytes;
    uint64_t largest;     /* with GCSPLAN_PLAN_JOB_LARGEST */
    const char *first;    /* with GCSPLAN_PLAN_JOB_FIRST, else NULL; NUL-terminated */
    size_t first_len;
    const char *last;     /* with GCSPLAN_PLAN_JOB_LAST, else NULL; NUL-terminated */
    size_t last_len;
    uint64_t digest;      /* with GCSPLAN_PLAN_JOB_DIGEST: gcsplan_digest_object's */
    unsigned int has;     /* GCSPLAN_PLAN_JOB_* */
    unsigned int flags;   /* GCSPLAN_JOB_OVERSIZE, GCSPLAN_JOB_INSEPARABLE ("warnings") */
} gcsplan_plan_job;

/* A planner's job (after a checker recorded its extent) as a document job,
 * every field present. The strings are borrowed from the planner.
 * Thread-safe. */
GCSPLAN_API void gcsplan_plan_job_from(gcsplan_plan_job *out, const gcsplan_job *job);

typedef struct gcsplan_plan_doc gcsplan_plan_doc;

/* The head; borrowed from d, valid while d lives. */
GCSPLAN_API const gcsplan_plan_head *gcsplan_plan_doc_head(const gcsplan_plan_doc *d);
GCSPLAN_API size_t gcsplan_plan_doc_job_count(const gcsplan_plan_doc *d);
/* Job i (from 0), borrowed from d; NULL when i is out of range. */
GCSPLAN_API const gcsplan_plan_job *gcsplan_plan_doc_job(const gcsplan_plan_doc *d, size_t i);
/* The plan digest of the document (below). */
GCSPLAN_API uint64_t gcsplan_plan_doc_digest(const gcsplan_plan_doc *d);
/* The prefix summary ("summary", docs/report.md), read and checked with
 * GCSPLAN_PLAN_READ_SUMMARY; NULL when the document has none or it was not
 * asked for. Borrowed from d (a finished gcsplan_summary of
 * gcsplan/report.h), valid while d lives. */
GCSPLAN_API const struct gcsplan_summary *gcsplan_plan_doc_summary(const gcsplan_plan_doc *d);
/* The pre-flight findings ("preflight") as compact JSON text of *len bytes
 * (NUL-terminated), kept with GCSPLAN_PLAN_READ_PREFLIGHT; NULL (and *len
 * 0) when the document has none or they were not asked for. Not checked
 * beyond being a JSON object: gcsplan_report_add_preflight_json reads it.
 * Borrowed from d. len may be NULL. */
GCSPLAN_API const char *gcsplan_plan_doc_preflight(const gcsplan_plan_doc *d, size_t *len);
/* Free a document; NULL is a no-op. */
GCSPLAN_API void gcsplan_plan_doc_free(gcsplan_plan_doc *d);

/* --- reading ------------------------------------------------------------------------- */

/* Read "summary" into a gcsplan_summary (gcsplan_plan_doc_summary): it
 * must be an object gcsplan_summary_parse accepts, whose objects and bytes
 * are the plan's and whose job indexes are the plan's jobs. */
#define GCSPLAN_PLAN_READ_SUMMARY 0x1u
/* Keep "preflight", an object, as JSON text (gcsplan_plan_doc_preflight). */
#define GCSPLAN_PLAN_READ_PREFLIGHT 0x2u

/* Version 1 of the options ends before flags; both versions are read. */
#define GCSPLAN_PLAN_READ_OPTIONS_VERSION 2
typedef struct gcsplan_plan_read_options {
    unsigned int version;               /* GCSPLAN_PLAN_READ_OPTIONS_VERSION */
    const gcsplan_allocator *allocator; /* NULL: the C library's; copied */
    uint64_t max_document;              /* bytes; 0: GCSPLAN_PLAN_DOCUMENT_MAX */
    size_t max_jobs;                    /* 0: GCSPLAN_PLAN_JOBS_MAX */
    unsigned int flags;                 /* GCSPLAN_PLAN_READ_*; since version 2 */
} gcsplan_plan_read_options;
#define GCSPLAN_PLAN_READ_OPTIONS_INIT { GCSPLAN_PLAN_READ_OPTIONS_VERSION, NULL, 0, 0, 0 }

typedef struct gcsplan_plan_reader gcsplan_plan_reader;

/* A reader of one document. opts may be NULL. Returns 0, GCSPLAN_EINVAL
 * (bad options: an unknown version or flag) or GCSPLAN_ENOMEM. The caller
 * frees *out. Thread-safe. */
GCSPLAN_API int gcsplan_plan_reader_new(gcsplan_plan_reader **out,
                                        const gcsplan_plan_read_options *opts,
                                        gcsplan_error *err);

/* The next len bytes of the document. Returns 0, or GCSPLAN_EINVAL,
 * GCSPLAN_ELIMIT, GCSPLAN_ENOMEM; after an error every later call returns
 * the same code and err again. */
GCSPLAN_API int gcsplan_plan_reader_feed(gcsplan_plan_reader *r, const char *data, size_t len,
                                         gcsplan_error *err);

/* The end of the document: on success *out is a new document the caller
 * frees with gcsplan_plan_doc_free(); on failure *out is NULL. Reads:
 *   "uri", "objects", "bytes", "jobs" (required), "limits" {"max_objects",
 *   "max_bytes", "max_jobs": integer or null}, "excluded", "lower_bound",
 *   "prefix_cut_jobs", "store", "content_structure" (FHIR stores only),
 *   "plan_digest" (checked against the jobs when present), and per job
 *   "uri", "objects", "bytes" (required), "largest", "first", "last",
 *   "digest" (16 hexadecimal digits), "warnings" ("oversize",
 *   "inseparable"; other strings are ignored); with the flags, "summary"
 *   and "preflight" (above).
 * Integers are 0 to 2^64-1, written without sign, fraction or exponent.
 * Any other key, "request" included, is skipped, and so are "summary" and
 * "preflight" without their flags. A key given twice is an error. */
GCSPLAN_API int gcsplan_plan_reader_finish(gcsplan_plan_reader *r, gcsplan_plan_doc **out,
                                           gcsplan_error *err);

/* Free a reader (and what it read, unless finish handed it out); NULL is a no-op. */
GCSPLAN_API void gcsplan_plan_reader_free(gcsplan_plan_reader *r);

/* Read the file at path ("-": standard input) with a reader. A regular file
 * larger than max_document is refused before it is read. The message does
 * not repeat the path. Returns as finish does, or GCSPLAN_ESOURCE when the
 * file cannot be opened or read. Thread-safe (not for "-" in two threads). */
GCSPLAN_API int gcsplan_plan_read_file(gcsplan_plan_doc **out, const char *path,
                                       const gcsplan_plan_read_options *opts,
                                       gcsplan_error *err);

/* --- writing ------------------------------------------------------------------------- */

/* Takes len bytes of output; returns 0 to go on, anything else to stop
 * (the writer then returns GCSPLAN_ESOURCE). */
typedef int (*gcsplan_write_cb)(const char *data, size_t len, void *payload);

/* End the document with "plan_digest" (which the reader then checks). */
#define GCSPLAN_PLAN_WRITE_DIGEST 0x1

#define GCSPLAN_PLAN_WRITE_OPTIONS_VERSION 1
typedef struct gcsplan_plan_write_options {
    unsigned int version;               /* GCSPLAN_PLAN_WRITE_OPTIONS_VERSION */
    const gcsplan_allocator *allocator; /* NULL: the C library's; copied */
    unsigned int flags;                 /* GCSPLAN_PLAN_WRITE_* */
} gcsplan_plan_write_options;
#define GCSPLAN_PLAN_WRITE_OPTIONS_INIT { GCSPLAN_PLAN_WRITE_OPTIONS_VERSION, NULL, 0 }

typedef struct gcsplan_plan_writer gcsplan_plan_writer;

/* A writer that hands the document to write(data, len, payload) in pieces:
 * the head, then each job as it is given. opts may be NULL. Returns 0,
 * GCSPLAN_EINVAL or GCSPLAN_ENOMEM. The caller frees *out. Thread-safe. */
GCSPLAN_API int gcsplan_plan_writer_new(gcsplan_plan_writer **out, gcsplan_write_cb write,
                                        void *payload, const gcsplan_plan_write_options *opts,
                                        gcsplan_error *err);

/* The document's head: {"uri", "store" and "content_structure" when not
 * NULL, "objects", "bytes", "limits" (0 written as null), "excluded",
 * "lower_bound", "prefix_cut_jobs", then the "jobs" array opens. Strings
 * are copied into the output, not kept. Returns 0, GCSPLAN_EINVAL (called
 * twice; a URI over GCSPLAN_URI_MAX, not UTF-8 or holding NUL; a store that
 * gcsplan_store_parse refuses; a content structure that is not one of the
 * four, or given with a DICOM store), GCSPLAN_ENOMEM or GCSPLAN_ESOURCE. */
GCSPLAN_API int gcsplan_plan_writer_begin(gcsplan_plan_writer *w, const gcsplan_plan_head *head,
                                          gcsplan_error *err);

/* One job: "uri", "objects", "bytes", the optional fields that job->has
 * names, "warnings" when flags are set, and "request", the import call's
 * body ({"contentStructure" when the head has one, "gcsSource": {"uri"}}).
 * Names that are not UTF-8 are written with U+FFFD for each bad byte.
 * Returns as begin does (EINVAL: before begin, a URI as above, a name over
 * GCSPLAN_NAME_MAX or holding NUL). */
GCSPLAN_API int gcsplan_plan_writer_job(gcsplan_plan_writer *w, const gcsplan_plan_job *job,
                                        gcsplan_error *err);

/* After the jobs: a member "key": json, with json (len bytes) written as
 * it is; the caller vouches that it is one JSON value (the pre-flight
 * findings of gcsplan_preflight_render_json are one). Returns as begin. */
GCSPLAN_API int gcsplan_plan_writer_raw(gcsplan_plan_writer *w, const char *key,
                                        const char *json, size_t len, gcsplan_error *err);

/* After the jobs: the member "summary", a finished prefix summary
 * (gcsplan_summary_write_json of gcsplan/report.h; docs/report.md), written
 * in pieces as it is made. Returns as begin (EINVAL: s NULL or not
 * finished). */
GCSPLAN_API int gcsplan_plan_writer_summary(gcsplan_plan_writer *w,
                                            const struct gcsplan_summary *s, gcsplan_error *err);

/* Close the document (with "plan_digest" when asked) and a newline. */
GCSPLAN_API int gcsplan_plan_writer_end(gcsplan_plan_writer *w, gcsplan_error *err);

/* The body of the import call for a job URI (len bytes):
 * {"gcsSource":{"uri":URI}} for a DICOM store, and with
 * "contentStructure":CS first when content_structure is not NULL (FHIR).
 * The same bytes as the "request" the writer writes. Writes at most cap
 * bytes including a NUL, like snprintf, and returns the length the whole
 * body needs. Thread-safe. */
GCSPLAN_API size_t gcsplan_plan_request(char *buf, size_t cap, const char *uri, size_t len,
                                        const char *content_structure);

/* The plan digest of what was written so far. */
GCSPLAN_API uint64_t gcsplan_plan_writer_digest(const gcsplan_plan_writer *w);

/* Free a writer; NULL is a no-op. */
GCSPLAN_API void gcsplan_plan_writer_free(gcsplan_plan_writer *w);

/* --- the plan digest ------------------------------------------------------------------ */

/* A plan's identity, for journals of its runs: 64-bit FNV-1a (offset basis
 * GCSPLAN_DIGEST_INIT, prime 0x100000001b3) over the bytes
 *
 *     URI LF
 *     then for each job, in order:
 *     JOB_URI NUL OBJECTS NUL BYTES NUL DIGEST LF
 *
 * where URI and JOB_URI are the URIs' bytes, OBJECTS and BYTES are decimal
 * without leading zeros, and DIGEST is the job's digest as 16 lowercase
 * hexadecimal digits, or nothing when the job has none. URIs hold neither
 * NUL nor LF, so the bytes decode one way only. Limits, names, the store
 * and everything else do not count: two documents with the same jobs over
 * the same objects are the same plan. Thread-safe. */
GCSPLAN_API uint64_t gcsplan_plan_digest_uri(uint64_t digest, const char *uri, size_t len);
GCSPLAN_API uint64_t gcsplan_plan_digest_job(uint64_t digest, const gcsplan_plan_job *job);

/* --- URI containment ------------------------------------------------------------------ */

/* Nonzero when every name inner matches is matched by outer, both in the same
 * bucket, proved for the shapes the planner makes: a literal inner;
 * PREFIX**SUFFIX inside P**S (PREFIX starts with P, SUFFIX ends with S); a
 * '*'/'?' URI inside P**S (its literal head starts with P, its literal tail
 * ends with S); and '*'/'?' URIs with as many segments, each inner segment
 * equal to the outer one, or literal and matched by it, or, for an outer
 * H*R (one '*', no '?'), with a literal head starting with H and a literal
 * tail ending with R (an outer '*' holds any segment). 0 otherwise: a 0 does
 * not prove that some name escapes. Allocates nothing; thread-safe. */
GCSPLAN_API int gcsplan_pattern_contains(const gcsplan_pattern *outer,
                                         const gcsplan_pattern *inner);

/* --- stores --------------------------------------------------------------------------- */

typedef enum gcsplan_store_kind {
    GCSPLAN_STORE_DICOM = 1, /* projects/P/locations/L/datasets/D/dicomStores/S */
    GCSPLAN_STORE_FHIR = 2   /* projects/P/locations/L/datasets/D/fhirStores/S */
} gcsplan_store_kind;

typedef struct gcsplan_store {
    gcsplan_store_kind kind;
    const char *project, *location, *dataset, *id; /* borrowed from the input; not */
    size_t project_len, location_len, dataset_len, id_len; /* NUL-terminated */
} gcsplan_store;

/* Split a store's resource name (len bytes, at most GCSPLAN_STORE_MAX) into
 * its parts. Each id is 1 or more letters, digits, '-', '_' or '.' (the
 * API's alphabet), so none needs quoting in a shell or a URL. Returns 0 or
 * GCSPLAN_EINVAL. Thread-safe. */
GCSPLAN_API int gcsplan_store_parse(gcsplan_store *out, const char *store, size_t len,
                                    gcsplan_error *err);

/* Nonzero when s (len bytes) is a fhirStores.import content structure:
 * BUNDLE, RESOURCE, BUNDLE_PRETTY or RESOURCE_PRETTY. Thread-safe. */
GCSPLAN_API int gcsplan_content_structure_valid(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
