/*
 * Bucket IAM policies (buckets.getIamPolicy), Resource Manager projects
 * (projects.get) and their policies (projects.getIamPolicy), and IAM roles
 * (roles.get), for pre-flight checks of whether the Cloud Healthcare
 * Service Agent may read a bucket: policies per bucket and per project from
 * JSON files, a default policy otherwise, policies the caller may not read
 * (403), the projects a caller can see (others are 403, as the real API
 * answers for projects you cannot see), and the roles IAM knows.
 */
#ifndef GCS_TEST_SERVER_IAM_H
#define GCS_TEST_SERVER_IAM_H

#include "fields.h"
#include "util.h"

#include <stddef.h>

#define IAM_FILE_MAX (1024 * 1024)
#define IAM_MAX_BUCKETS 64
#define PROJECTS_MAX 64

/* The project the default policy, bucket resources and metadata speak of. */
#define DEFAULT_PROJECT_ID "test-project"
#define DEFAULT_PROJECT_NUMBER "123456789012"

typedef struct {
    char *bucket;
    int deny;        /* 403: the caller may not read the policy */
    char *bindings;  /* the bindings array as JSON, re-serialised */
    char *etag;      /* NULL: "CAE=" */
    long version;    /* 0: 3 when a binding has a condition, else 1 */
    int conditional; /* some binding has a condition */
} iam_policy;

/* --iam BUCKET=FILE.json | BUCKET=deny. FILE holds a policy object with
 * "bindings" (each {"role", "members", optional "condition"}), optional
 * "etag" and "version". Returns 0, or -1 with a message. */
int iam_add(const char *spec, char *err, size_t errlen);
/* --project-iam ID=FILE.json | ID=deny: a project's policy, the same shape. */
int project_iam_add(const char *spec, char *err, size_t errlen);
/* The id of the first --project-iam whose project is not known, or NULL. */
const char *project_iam_unknown(void);
/* The policy of project id (NULL: the default one, below). */
const iam_policy *project_iam_find(const char *id);
/* A project's policy resource (p NULL: one binding of roles/owner to
 * user:owner@example.com). */
void project_iam_render(sbuf *b, const iam_policy *p);
/* NULL when the bucket has no --iam: the default policy applies. */
const iam_policy *iam_find(const char *bucket);
/* The bucket of the first --iam naming a bucket for which known() is 0, or
 * NULL: a typo is reported at start. */
const char *iam_unknown_bucket(int (*known)(const char *bucket, void *ctx), void *ctx);
/* Writes the policy resource of bucket (p NULL: the default one), the keys
 * that m selects. */
void iam_render(sbuf *b, const fmask *m, const char *bucket, const iam_policy *p);
void iam_free_all(void);

typedef struct {
    char id[64];
    char number[24];
} project;

/* --project ID=NUMBER. Without any, DEFAULT_PROJECT_ID=DEFAULT_PROJECT_NUMBER
 * is the one project there is. */
int project_add(const char *spec, char *err, size_t errlen);
/* By project id or by project number, as the API accepts either. */
const project *project_find(const char *id_or_number);
/* cloudresourcemanager v1 and v3 project resources. */
void project_render_v1(sbuf *b, const project *p);
void project_render_v3(sbuf *b, const project *p);

#define ROLES_MAX 64
#define ROLE_PERMS_MAX 64

typedef struct {
    char *name;      /* roles/X, projects/P/roles/X or organizations/O/roles/X */
    int deny;        /* 403: the caller may not read it */
    int deleted;     /* a deleted custom role: "deleted": true */
    char *perms[ROLE_PERMS_MAX];
    size_t nperms;
} role_def;

/* --role NAME=PERM[,PERM...] | NAME=deleted:PERM,... | NAME=deny. Returns 0,
 * or -1 with a message. */
int role_add(const char *spec, char *err, size_t errlen);
/* NULL when IAM does not know it (404). */
const role_def *role_find(const char *name);
/* An IAM role resource. */
void role_render(sbuf *b, const role_def *r);

#endif
