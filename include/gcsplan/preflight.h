/* Pre-flight: what will go wrong with an import, found before it starts.
 *
 * A pre-flight is an accumulator. Feed it the objects a URI matches as they
 * stream out of a lister, then finish it and read its findings:
 *
 *     gcsplan_preflight *pf;
 *     gcsplan_preflight_options po = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
 *     po.source = &lister_opts;           (where the objects came from)
 *     gcsplan_preflight_new(&pf, pattern, &po, &err);
 *     while ((rc = gcsplan_lister_next(&o, l)) == 0)
 *         gcsplan_preflight_add(pf, o);   (and use o as usual)
 *     gcsplan_preflight_finish(pf, &err); (only after a complete listing)
 *     for (size_t i = 0; i < gcsplan_preflight_count(pf); i++)
 *         f = gcsplan_preflight_finding(pf, i); ...
 *     gcsplan_preflight_free(pf);
 *
 * Findings (each with a stable code, see gcsplan_finding_code_name()):
 *   - nothing matched, and why: when no object was added, finish() lists the
 *     neighbourhood of the URI (the literal prefix's parent folder, then the
 *     bucket when that is empty) through a lister with the permissive pattern
 *     gs://BUCKET/PARENT** and reports the near misses: names that match when
 *     case is ignored, or after Unicode normalisation (NFC/NFD), or if '*'
 *     crossed '/', or with another extension; an empty prefix or bucket;
 *     each with a corrected URI, compiled and checked against an example.
 *     At most max_examined objects are examined.
 *   - suspicious matches: zero-byte objects, folder placeholders, objects
 *     over max_object_size, names with a literal '*' or '?', names with white
 *     space at the edge of a segment or control characters, names of
 *     non-DICOM files matched by a pattern that does not pin an extension.
 *   - with probe set: the first 132 bytes of every matched object are read
 *     (live: ranged alt=media GETs, concurrent; a bucket directory: the local
 *     files) and objects without "DICM" at byte 128 are reported with the
 *     bytes found. A listing file has no contents: an info finding says so.
 *   - with a store (options version 2), the store checks:
 *     - content: a deterministic sample of at most sample_max objects spread
 *       over the listing is read (the first few KiB each). For a FHIR store
 *       the bytes say whether the objects are FHIR JSON, which content
 *       structure fits them (NDJSON of resources or of Bundles, one resource
 *       or Bundle over many lines), and whether resources lack "id"; for a
 *       DICOM store whether "DICM" is at byte 128 (unless probe reads every
 *       object anyway).
 *     - access: whether the store project's Cloud Healthcare Service Agent
 *       may get and list the bucket's objects, from the bucket's IAM policy
 *       and its project's (Cloud Storage, Resource Manager and IAM, through
 *       the same credentials as the listing).
 *     gcsplan import runs these alone before it starts (checks), fed a few
 *     object names of its plan rather than a listing:
 *
 *         po.store = head->store;
 *         po.content_structure = head->content_structure;
 *         po.checks = GCSPLAN_PREFLIGHT_CHECK_CONTENT | GCSPLAN_PREFLIGHT_CHECK_ACCESS;
 *         gcsplan_preflight_new(&pf, plan_pattern, &po, &err);
 *         for each job: gcsplan_preflight_add(pf, &first_object_of_the_job, &err);
 *         gcsplan_preflight_finish(pf, &err);
 *
 * Memory is bounded whatever the number of objects: counts, plus at most
 * max_examples example names per finding, plus the probe's in-flight slots.
 *
 * Thread-safety: a pre-flight is used by one thread at a time; different
 * pre-flights are independent. The pattern and the options' source it
 * borrows must outlive it. */
#ifndef GCSPLAN_PREFLIGHT_H
#define GCSPLAN_PREFLIGHT_H

#include <stddef.h>
#include <stdint.h>
#include "gcsplan/export.h"
#include "gcsplan/error.h"
#include "gcsplan/pattern.h"
#include "gcsplan/list.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gcsplan_preflight gcsplan_preflight;

typedef enum gcsplan_severity {
    GCSPLAN_SEVERITY_INFO = 0,
    GCSPLAN_SEVERITY_WARNING = 1,
    GCSPLAN_SEVERITY_ERROR = 2
} gcsplan_severity;

/* Finding codes. Stable: new codes are only ever appended. */
typedef enum gcsplan_finding_code {
    GCSPLAN_FINDING_NOTHING_MATCHED = 1,   /* error: the URI matches no object */
    GCSPLAN_FINDING_CASE_MISMATCH = 2,     /* info: would match ignoring case */
    GCSPLAN_FINDING_NORMALIZATION = 3,     /* info: would match after NFC/NFD normalisation */
    GCSPLAN_FINDING_STAR_CROSSES_SLASH = 4,/* info: would match if '*' crossed '/' */
    GCSPLAN_FINDING_OTHER_EXTENSION = 5,   /* info: under the prefix with another extension */
    GCSPLAN_FINDING_EMPTY_PREFIX = 6,      /* info: no object at all under the prefix */
    GCSPLAN_FINDING_EMPTY_BUCKET = 7,      /* info: the bucket holds no object */
    GCSPLAN_FINDING_ZERO_BYTE = 20,        /* warning: matched objects of 0 bytes */
    GCSPLAN_FINDING_FOLDER_PLACEHOLDER = 21, /* warning: matched names ending in '/' */
    GCSPLAN_FINDING_OVER_SIZE = 22,        /* warning: larger than max_object_size */
    GCSPLAN_FINDING_WILDCARD_NAME = 23,    /* warning: a literal '*' or '?' in the name */
    GCSPLAN_FINDING_SPACE_EDGE = 24,       /* warning: white space at a segment's edge */
    GCSPLAN_FINDING_CONTROL_CHAR = 25,     /* warning: control characters or bad UTF-8 */
    GCSPLAN_FINDING_NON_DICOM_NAME = 26,   /* warning: .txt, .json, .zip, DICOMDIR, ... */
    GCSPLAN_FINDING_NOT_DICOM = 40,        /* error: no "DICM" at byte 128 */
    GCSPLAN_FINDING_PROBE_FAILED = 41,     /* warning: the object could not be read */
    GCSPLAN_FINDING_PROBE_UNAVAILABLE = 42,/* info: the source has no contents to read */
    GCSPLAN_FINDING_NOT_FHIR = 43,         /* error: not JSON, or JSON without resourceType */
    GCSPLAN_FINDING_FHIR_CONTENT_STRUCTURE = 44, /* error: the content structure does not fit */
    GCSPLAN_FINDING_FHIR_BUNDLE_AS_RESOURCE = 45,/* warning: Bundles stored as Bundle resources */
    GCSPLAN_FINDING_FHIR_MISSING_ID = 46,  /* error: resources without "id" fail to import */
    GCSPLAN_FINDING_AGENT_NO_ACCESS = 60,  /* error: no policy read lets the agent read objects */
    GCSPLAN_FINDING_AGENT_ACCESS_CONDITIONAL = 61, /* warning: only under IAM conditions */
    GCSPLAN_FINDING_AGENT_ACCESS_UNDECIDED = 62,   /* warning: groups, unknown roles, ... */
    GCSPLAN_FINDING_ACCESS_UNCHECKED = 63  /* info: the policy or the project could not be read */
} gcsplan_finding_code;

/* Bytes the probe reads: the 128-byte preamble and "DICM". */
#define GCSPLAN_PROBE_BYTES 132
/* Example names a finding keeps by default, and at most. */
#define GCSPLAN_PREFLIGHT_EXAMPLES_DEFAULT 5
#define GCSPLAN_PREFLIGHT_EXAMPLES_MAX 32
/* Objects the nothing-matched analysis examines by default. */
#define GCSPLAN_PREFLIGHT_EXAMINE_DEFAULT 100000
/* Concurrent probe requests by default, and at most. */
#define GCSPLAN_PROBE_PARALLEL_DEFAULT 128
#define GCSPLAN_PROBE_PARALLEL_MAX 1024
/* Distinct kinds (extensions, content types) a finding tallies. */
#define GCSPLAN_FINDING_KINDS_MAX 8
/* Objects whose content the store checks sample, by default and at most. */
#define GCSPLAN_PREFLIGHT_SAMPLE_DEFAULT 20
#define GCSPLAN_PREFLIGHT_SAMPLE_MAX 256

/* Which checks run (gcsplan_preflight_options.checks); 0 means all that
 * apply. */
#define GCSPLAN_PREFLIGHT_CHECK_NAMES 0x1u   /* matched names, sizes, nothing matched */
#define GCSPLAN_PREFLIGHT_CHECK_CONTENT 0x2u /* the probe, the store's content sample */
#define GCSPLAN_PREFLIGHT_CHECK_ACCESS 0x4u  /* the Cloud Healthcare Service Agent's access */

/* One example object of a finding. */
typedef struct gcsplan_finding_example {
    const char *name;             /* NUL-terminated */
    size_t name_len;
    uint64_t size;
    const unsigned char *head;    /* NOT_DICOM: the bytes read (head_len), else NULL */
    size_t head_len;
    const char *detail;           /* a short note ("HTTP 404", ".txt"), or "" */
} gcsplan_finding_example;
/* head is set for NOT_DICOM and NOT_FHIR: at most GCSPLAN_PROBE_BYTES of
 * what was read. */

/* A tally entry: an extension, a content kind. */
typedef struct gcsplan_finding_kind {
    const char *kind;
    uint64_t count;
} gcsplan_finding_kind;

/* One finding. Every pointer is borrowed from the pre-flight. */
typedef struct gcsplan_finding {
    int code;                     /* gcsplan_finding_code */
    gcsplan_severity severity;
    uint64_t count;               /* objects involved */
    uint64_t bytes;               /* their total size */
    const char *message;          /* one line */
    const char *hint;             /* a corrected URI, or "" */
    const gcsplan_finding_example *examples; /* the first few, in listing order */
    size_t example_count;
    const gcsplan_finding_kind *kinds;       /* tally, largest first; may be empty */
    size_t kind_count;
} gcsplan_finding;

/* Probe counters, for progress. */
typedef struct gcsplan_probe_stats {
    uint64_t queued;     /* objects handed to the probe */
    uint64_t done;       /* objects read or given up */
    uint64_t not_dicom;
    uint64_t failed;
    uint64_t requests;   /* retries included */
    uint64_t retries;
} gcsplan_probe_stats;

/* Called from inside add() and finish() at most every progress_interval_ms. */
typedef void (*gcsplan_probe_progress_fn)(const gcsplan_probe_stats *stats, void *ctx);

/* Version 2 added the store checks; a version 1 struct (without them) is
 * still accepted. */
#define GCSPLAN_PREFLIGHT_OPTIONS_VERSION 2
typedef struct gcsplan_preflight_options {
    unsigned int version;                /* GCSPLAN_PREFLIGHT_OPTIONS_VERSION */
    const gcsplan_allocator *allocator;  /* NULL: the C library's */
    /* Where the objects come from: the nothing-matched analysis lists it and
     * the probe reads it (endpoint, retries, timeouts, credentials). Borrowed.
     * NULL: no analysis listing and no probe. */
    const gcsplan_lister_options *source;
    uint64_t max_object_size;   /* OVER_SIZE above this many bytes; 0: no limit */
    unsigned int max_examples;  /* 0: GCSPLAN_PREFLIGHT_EXAMPLES_DEFAULT */
    uint64_t max_examined;      /* 0: GCSPLAN_PREFLIGHT_EXAMINE_DEFAULT */
    int probe;                  /* nonzero: read the first bytes of every object */
    unsigned int probe_parallel; /* 0: GCSPLAN_PROBE_PARALLEL_DEFAULT */
    gcsplan_probe_progress_fn progress;
    void *progress_ctx;
    unsigned int progress_interval_ms; /* 0: 200 */
    /* Version 2: the store checks. store is a DICOM or FHIR store's name
     * (gcsplan_store_parse); NULL: none of them. Borrowed. */
    const char *store;
    /* FHIR: BUNDLE (NULL, the API's default), RESOURCE, BUNDLE_PRETTY or
     * RESOURCE_PRETTY; for a DICOM store it must be NULL. Borrowed. */
    const char *content_structure;
    uint64_t project_number;    /* the store's project; 0: asked of Resource Manager */
    unsigned int sample_max;    /* 0: GCSPLAN_PREFLIGHT_SAMPLE_DEFAULT */
    unsigned int checks;        /* GCSPLAN_PREFLIGHT_CHECK_* bits; 0: all that apply */
} gcsplan_preflight_options;
#define GCSPLAN_PREFLIGHT_OPTIONS_INIT \
    { GCSPLAN_PREFLIGHT_OPTIONS_VERSION, NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, 0, \
      NULL, NULL, 0, 0, 0 }

/* Create a pre-flight for pattern (borrowed: it must outlive it). On success
 * *out owns it; free it with gcsplan_preflight_free(). Sends nothing yet.
 * GCSPLAN_EINVAL for a store that is not one, a content structure that is
 * not one or is given with a DICOM store, or probe with a FHIR store (its
 * objects are sampled, not DICM-probed). Thread-safe. */
GCSPLAN_API int gcsplan_preflight_new(gcsplan_preflight **out, const gcsplan_pattern *pattern,
                                      const gcsplan_preflight_options *opts, gcsplan_error *err);

/* Account for one matched object (copied as needed; obj stays the
 * caller's). With probe set this may wait for a free probe slot, running
 * requests. With the store's content check it may keep the object for the
 * sample (folder placeholders and objects of size 0 never are). Returns 0
 * or an error code (GCSPLAN_ENOMEM, GCSPLAN_ESOURCE when the probe's
 * transport itself fails), with err filled. */
GCSPLAN_API int gcsplan_preflight_add(gcsplan_preflight *pf, const gcsplan_object *obj,
                                      gcsplan_error *err);

/* Account for an object the pattern did not match (a candidate a listing
 * saw): it counts toward the near misses when nothing matched. finish() feeds
 * its own analysis listing through this; callers who already hold the
 * neighbourhood may feed it themselves and set no source. */
GCSPLAN_API int gcsplan_preflight_add_candidate(gcsplan_preflight *pf, const gcsplan_object *obj,
                                                gcsplan_error *err);

/* Finish: wait for the probe, run the nothing-matched analysis when no
 * object was added (and a source was given), read the store's content
 * sample and check the agent's access (with a store and a source), and
 * build the findings. Call it once, after a complete listing. Returns 0 or
 * an error code with err filled (the analysis listing, or the transport of
 * the probe or of the access check failed, or an endpoint was refused);
 * the findings made so far stay readable. A server's refusal (403, 404, an
 * unknown project) is a finding, not an error. */
GCSPLAN_API int gcsplan_preflight_finish(gcsplan_preflight *pf, gcsplan_error *err);

/* Number of findings (0 before finish()). Findings are ordered by severity,
 * errors first, then by code. */
GCSPLAN_API size_t gcsplan_preflight_count(const gcsplan_preflight *pf);

/* Finding i, borrowed (valid while pf lives), or NULL when out of range. */
GCSPLAN_API const gcsplan_finding *gcsplan_preflight_finding(const gcsplan_preflight *pf,
                                                             size_t i);

/* The highest severity among the findings, or -1 when there are none. */
GCSPLAN_API int gcsplan_preflight_worst(const gcsplan_preflight *pf);

/* Objects added, their bytes, candidates examined, objects probed (by the
 * DICM probe or the store's content sample). */
typedef struct gcsplan_preflight_totals {
    const char *uri;            /* the pattern's URI */
    uint64_t objects, bytes, examined, probed;
    int examined_capped;        /* the analysis stopped at max_examined */
    const char *examined_prefix; /* the prefix the analysis listed, or NULL */
} gcsplan_preflight_totals;
GCSPLAN_API void gcsplan_preflight_totals_get(const gcsplan_preflight *pf,
                                              gcsplan_preflight_totals *t);

/* What the access check found (gcsplan_preflight_store_get). */
typedef enum gcsplan_access_verdict {
    GCSPLAN_ACCESS_NOT_CHECKED = 0, /* no store, no live source, or the check was not asked for */
    GCSPLAN_ACCESS_GRANTED = 1,     /* roles granted unconditionally hold get and list */
    GCSPLAN_ACCESS_CONDITIONAL = 2, /* only with bindings that have conditions */
    GCSPLAN_ACCESS_UNDECIDED = 3,   /* only through groups or roles of unknown permissions */
    GCSPLAN_ACCESS_NONE = 4,        /* nothing in the policies read reaches it */
    GCSPLAN_ACCESS_UNKNOWN = 5      /* a policy or the project could not be read */
} gcsplan_access_verdict;

/* What the store checks found (gcsplan_preflight_store_get). */
#define GCSPLAN_PREFLIGHT_STORE_RESULT_VERSION 1
typedef struct gcsplan_preflight_store_result {
    unsigned int version;       /* GCSPLAN_PREFLIGHT_STORE_RESULT_VERSION, set by the caller */
    const char *store;          /* the store checked against, or NULL without one */
    int kind;                   /* gcsplan_store_kind (gcsplan/plandoc.h), 0 without a store */
    const char *content_structure; /* FHIR: the one the content was checked against; else NULL */
    uint64_t sampled;           /* objects of the content sample read */
    uint64_t undecided;         /* FHIR: of those, objects whose first bytes (empty, or no
                                 * "resourceType" in them) do not tell their structure */
    int access;                 /* gcsplan_access_verdict */
    const char *member;         /* "serviceAccount:service-N@gcp-sa-healthcare.iam.gserviceaccount.com", or "" */
    uint64_t project_number;    /* the store's project number; 0 when not known */
    const char *granted_by;     /* GRANTED, CONDITIONAL: the roles, where, to whom; else "" */
    const char *detail;         /* NONE, UNDECIDED, UNKNOWN: what was read and what was not; else "" */
} gcsplan_preflight_store_result;
#define GCSPLAN_PREFLIGHT_STORE_RESULT_INIT \
    { GCSPLAN_PREFLIGHT_STORE_RESULT_VERSION, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL }

/* What the store checks found, into *out (its version set by the caller;
 * strings borrowed from pf, valid while it lives). Returns 0, or
 * GCSPLAN_EINVAL for a NULL argument or an unknown version. */
GCSPLAN_API int gcsplan_preflight_store_get(const gcsplan_preflight *pf,
                                            gcsplan_preflight_store_result *out);
/* "not-checked", "granted", "conditional", "undecided", "none", "unknown".
 * Static storage; thread-safe. */
GCSPLAN_API const char *gcsplan_access_verdict_name(int verdict);

/* Stable kebab-case name of a code ("case-mismatch"), "unknown" otherwise.
 * Static storage; thread-safe. */
GCSPLAN_API const char *gcsplan_finding_code_name(int code);
/* "info", "warning" or "error". Static storage; thread-safe. */
GCSPLAN_API const char *gcsplan_severity_name(int severity);

/* Rendering flags. */
#define GCSPLAN_RENDER_COLOR 1u   /* ANSI colours for a terminal */

/* The findings as text for people, one block per finding and a summary line
 * (nothing at all when there are no findings). Names are shown with control
 * characters and bad UTF-8 as \xNN. snprintf-like: writes at most cap bytes
 * including the NUL, returns the length the whole text needs. */
GCSPLAN_API size_t gcsplan_preflight_render(const gcsplan_preflight *pf, char *buf, size_t cap,
                                            unsigned int flags);

/* The findings as one JSON document (docs/preflight.md has its shape), no
 * trailing newline. snprintf-like, as gcsplan_preflight_render(). */
GCSPLAN_API size_t gcsplan_preflight_render_json(const gcsplan_preflight *pf, char *buf,
                                                 size_t cap);

/* Free a pre-flight, ending any probe transfer; NULL is a no-op. */
GCSPLAN_API void gcsplan_preflight_free(gcsplan_preflight *pf);

#ifdef __cplusplus
}
#endif

#endif
