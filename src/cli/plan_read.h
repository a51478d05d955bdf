/* Reading back a plan written by `gcsplan plan --json` (SPEC section 4):
 * the plan's URI and, for each job, its URI, counts and digest. */
#ifndef GCSPLAN_CLI_PLAN_READ_H
#define GCSPLAN_CLI_PLAN_READ_H

#include <stddef.h>
#include <stdint.h>

/* A plan file is a few hundred bytes per job; this bounds what is read
 * into memory before parsing. */
#define PLAN_FILE_MAX ((size_t)1 << 30)

typedef struct plan_job {
    char *uri;           /* NUL-terminated */
    uint64_t objects;
    uint64_t bytes;
    int has_digest;      /* "digest" is optional: SPEC section 4 does not require it */
    uint64_t digest;
} plan_job;

typedef struct plan_doc {
    char *uri;           /* the URI the plan splits */
    uint64_t objects, bytes;
    size_t n_jobs;
    plan_job *jobs;
} plan_doc;

enum { PLAN_READ_OK = 0, PLAN_READ_BAD = -1, PLAN_READ_NOMEM = -2 };

/* Read and check the plan at path ("-": stdin) into *doc. On PLAN_READ_BAD
 * why holds one line naming what is wrong (the file cannot be read, is not
 * JSON, or which key of which job is missing or of the wrong type). The
 * caller frees *doc with plan_doc_free() whatever the result. */
int plan_read(plan_doc *doc, const char *path, char *why, size_t whylen);
void plan_doc_free(plan_doc *doc);

#endif
