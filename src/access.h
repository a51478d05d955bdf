/* Whether the Cloud Healthcare Service Agent may read a bucket.
 *
 * An import reads its objects as the agent of the store's project,
 * service-PROJECT_NUMBER@gcp-sa-healthcare.iam.gserviceaccount.com, which
 * needs storage.objects.get and storage.objects.list on the bucket. It has
 * them when a role that holds both (roles/storage.objectViewer, ...), or
 * roles that together hold both, are granted to it on the bucket or on the
 * bucket's project. The check reads:
 *
 *   1. the project number: given, or Resource Manager's
 *      GET v1/projects/PROJECT (the store's project);
 *   2. the bucket's policy: GET storage/v1/b/BUCKET/iam with
 *      optionsRequestedPolicyVersion=3, so that conditional bindings come
 *      with their conditions;
 *   3. unless the bucket's policy already grants both: the bucket's project
 *      (GET storage/v1/b/BUCKET?fields=projectNumber) and that project's
 *      policy (Resource Manager POST v3/projects/N:getIamPolicy), where
 *      Google's own instructions grant the role;
 *   4. the permissions of the roles it cannot tell from its table (custom
 *      roles, predefined roles it does not know): IAM's GET v1/NAME.
 *
 * Folders' and organizations' policies, deny policies and group membership
 * are not read; what they could change makes the answer "undecided" where
 * it matters (docs/preflight.md, "Store checks").
 *
 * access_policy.c is the pure part (a policy's text in, the bindings that
 * may cover the agent out; a verdict from them); access.c makes the
 * requests through the API client. */
#ifndef GCSPLAN_ACCESS_H
#define GCSPLAN_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "gcsplan/list.h"
#include "gcsplan/preflight.h"
#include "auth.h"
#include "transport.h"

/* The permissions that matter, as bits. */
#define GCSPLAN__PERM_GET 0x1u
#define GCSPLAN__PERM_LIST 0x2u
#define GCSPLAN__PERM_BOTH 0x3u

/* How a binding reaches the agent. */
typedef enum gcsplan__via {
    GCSPLAN__VIA_MEMBER = 0,    /* serviceAccount:AGENT */
    GCSPLAN__VIA_ALL_USERS,     /* allUsers */
    GCSPLAN__VIA_ALL_AUTH,      /* allAuthenticatedUsers */
    GCSPLAN__VIA_GROUP,         /* group:...: membership not readable */
    GCSPLAN__VIA_PROJECT_VIEWER,/* projectViewer:P: holders of roles/viewer on P */
    GCSPLAN__VIA_PROJECT_EDITOR,
    GCSPLAN__VIA_PROJECT_OWNER
} gcsplan__via;

/* Longest role name and member kept; longer ones are cut and marked. */
#define GCSPLAN__ROLE_MAX 256
#define GCSPLAN__MEMBER_MAX 192
#define GCSPLAN__CONDITION_MAX 96
/* Grants kept per policy: bindings that may reach the agent are few (a
 * policy holds at most 1,500 members in all). Past this they are counted. */
#define GCSPLAN__GRANTS_MAX 32
/* Roles whose permissions are asked of IAM, at most, per check. */
#define GCSPLAN__ROLE_LOOKUPS_MAX 16

/* What a role's permissions are known to be. */
typedef enum gcsplan__perm_state {
    GCSPLAN__PERMS_KNOWN = 0,   /* perms holds them */
    GCSPLAN__PERMS_ASK,         /* not in the table: to be asked of IAM */
    GCSPLAN__PERMS_UNKNOWN      /* could not be read (why says why) */
} gcsplan__perm_state;

typedef struct gcsplan__grant {
    char role[GCSPLAN__ROLE_MAX + 1];
    int role_cut;                 /* the name was longer than kept: never looked up */
    gcsplan__via via;
    int reaches;                  /* 1: sure to reach the agent; 0: might (a group, a
                                   * convenience value not decided); -1: does not */
    char member[GCSPLAN__MEMBER_MAX + 1]; /* the member as written, e.g. group:x@example.com */
    size_t others;                /* more groups (or convenience values) in the binding */
    int conditional;
    char condition[GCSPLAN__CONDITION_MAX + 1]; /* the condition's title, or "" */
    gcsplan__perm_state state;
    unsigned int perms;           /* GCSPLAN__PERM_* with PERMS_KNOWN */
    char why[GCSPLAN_MESSAGE_MAX];/* PERMS_UNKNOWN: why */
} gcsplan__grant;

/* The bindings of one policy that may reach the agent. */
typedef struct gcsplan__policy_scan {
    const char *agent;            /* the agent's e-mail address (input) */
    gcsplan__grant grants[GCSPLAN__GRANTS_MAX];
    size_t ngrants;
    size_t dropped;               /* grants past GCSPLAN__GRANTS_MAX */
    size_t bindings;              /* bindings read */
    /* The agent's basic roles held unconditionally in this policy, as
     * 1 << (via - GCSPLAN__VIA_PROJECT_VIEWER): what decides the
     * projectViewer:/projectEditor:/projectOwner: values that name this
     * policy's project. */
    unsigned int basic;
} gcsplan__policy_scan;

/* Scan a policy document (json[0..n)) for the bindings that may reach
 * s->agent (set before; the rest of *s is reset here). Returns 0, or
 * GCSPLAN_EINVAL/GCSPLAN_ELIMIT with err filled for a document that is not
 * a policy. Thread-safe. */
int gcsplan__policy_scan_text(gcsplan__policy_scan *s, const char *json, size_t n,
                              gcsplan_error *err);

/* The permissions of a predefined role, from the table: PERMS_KNOWN with
 * *perms, or PERMS_ASK for a role the table does not hold. Thread-safe. */
gcsplan__perm_state gcsplan__role_perms(const char *role, unsigned int *perms);

/* The permissions that matter of an IAM role resource (GET v1/NAME):
 * includedPermissions, and none for a deleted role. Returns 0, or
 * GCSPLAN_EINVAL for a document that is not a role. Thread-safe. */
int gcsplan__role_doc_perms(const char *json, size_t n, unsigned int *perms, gcsplan_error *err);

/* The verdicts, as gcsplan_access_verdict in preflight.h. */
typedef struct gcsplan__verdict {
    int verdict;                  /* GCSPLAN_ACCESS_* */
    const gcsplan__grant *by[2];  /* GRANTED/CONDITIONAL: the grants that give GET and LIST */
    const char *by_where[2];      /* "bucket" or "project" */
} gcsplan__verdict;

/* The verdict of the grants of the bucket's policy and (may be NULL) the
 * project's. Convenience values must be resolved before (access.c turns
 * them into members or drops them). GRANTED when unconditional grants that
 * are sure to reach the agent hold both permissions; CONDITIONAL when they
 * do with conditional ones too; UNDECIDED when they might with grants of
 * unreadable membership or unknown permissions; else NONE. */
void gcsplan__access_verdict(gcsplan__verdict *v, const gcsplan__policy_scan *bucket,
                             const gcsplan__policy_scan *project);

/* --- the check, over the network --------------------------------------------------- */

typedef struct gcsplan__access_config {
    const gcsplan_allocator *alloc;
    const gcsplan_lister_options *source; /* live Cloud Storage: endpoint, retries, timeout */
    const char *bucket;
    const char *project;          /* the store's project id (not NUL-terminated) */
    size_t project_len;
    uint64_t project_number;      /* 0: asked of Resource Manager */
    /* Tests: the transport, the credentials (borrowed) and the environment;
     * NULL: libcurl's, the process-wide credentials, getenv. */
    gcsplan__transport *transport;
    gcsplan__auth *auth;
    const char *(*getenv_fn)(const char *name);
} gcsplan__access_config;

#define GCSPLAN__ACCESS_TEXT_MAX 1024

typedef struct gcsplan__access_result {
    int verdict;                  /* GCSPLAN_ACCESS_* */
    uint64_t project_number;      /* 0 when it could not be learnt */
    char member[GCSPLAN__MEMBER_MAX + 1];   /* serviceAccount:service-N@..., or "" */
    char granted_by[GCSPLAN__ACCESS_TEXT_MAX]; /* GRANTED, CONDITIONAL: which roles, where */
    char why[GCSPLAN__ACCESS_TEXT_MAX];     /* otherwise: what was read, what was not */
    char hint[GCSPLAN__ACCESS_TEXT_MAX];    /* NONE: the command that grants the role */
} gcsplan__access_result;

/* Run the check. Returns 0 with *r filled whatever the verdict (a 403, an
 * unknown project, a server that gave up are verdicts, said in r->why), or
 * an error code with err filled when the check itself cannot run: out of
 * memory, an endpoint refused (credentials in clear text), the transport
 * failed. */
int gcsplan__access_check(gcsplan__access_result *r, const gcsplan__access_config *cfg,
                          gcsplan_error *err);

#endif
