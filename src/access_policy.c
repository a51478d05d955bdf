/* The pure part of the access check (access.h): IAM policy documents read
 * for the bindings that may reach the Cloud Healthcare Service Agent, the
 * table of predefined roles, IAM role documents, and the verdict.
 *
 * A policy is read with the report's path-keeping walker over yajl
 * (report_json.h: bounded depth, keys kept per level), one binding at a
 * time: a binding's keys come in any order, so its role, condition and the
 * members that matter are held until it closes, and only then turned into
 * grants. Nothing else of the policy is kept. */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "internal.h"
#include "report_json.h"
#include "util/ascii.h"

/* --- roles -------------------------------------------------------------------------- */

/* The predefined roles whose storage.objects.get and storage.objects.list
 * are known (Google's "IAM roles for Cloud Storage" page, and the
 * Healthcare page that says the agent has no access to buckets by itself).
 * Basic roles grant no object access: that comes through the convenience
 * values of a bucket's policy (projectViewer:P and the like). */
static const struct {
    const char *role;
    unsigned int perms;
} known_roles[] = {
    { "roles/storage.admin", GCSPLAN__PERM_BOTH },
    { "roles/storage.objectAdmin", GCSPLAN__PERM_BOTH },
    { "roles/storage.objectViewer", GCSPLAN__PERM_BOTH },
    { "roles/storage.objectUser", GCSPLAN__PERM_BOTH },
    { "roles/storage.folderAdmin", GCSPLAN__PERM_BOTH },
    { "roles/storage.legacyObjectReader", GCSPLAN__PERM_GET },
    { "roles/storage.legacyObjectOwner", GCSPLAN__PERM_GET },
    { "roles/storage.legacyBucketReader", GCSPLAN__PERM_LIST },
    { "roles/storage.legacyBucketWriter", GCSPLAN__PERM_LIST },
    { "roles/storage.legacyBucketOwner", GCSPLAN__PERM_LIST },
    { "roles/storage.objectCreator", 0 },
    { "roles/storage.bucketViewer", 0 },
    { "roles/healthcare.serviceAgent", 0 },
    { "roles/owner", 0 },
    { "roles/editor", 0 },
    { "roles/viewer", 0 },
};

gcsplan__perm_state gcsplan__role_perms(const char *role, unsigned int *perms)
{
    for (size_t i = 0; i < sizeof known_roles / sizeof known_roles[0]; i++)
        if (strcmp(role, known_roles[i].role) == 0) {
            *perms = known_roles[i].perms;
            return GCSPLAN__PERMS_KNOWN;
        }
    *perms = 0;
    return GCSPLAN__PERMS_ASK;
}

/* --- policies ----------------------------------------------------------------------- */

/* Convenience values one binding keeps apart (each names its own project). */
#define CONV_MAX 4

/* The binding being read. */
typedef struct binding {
    char role[GCSPLAN__ROLE_MAX + 1];
    int has_role, role_cut;
    int conditional;
    char title[GCSPLAN__CONDITION_MAX + 1];
    int via_sure;                          /* -1, or the surest way in seen */
    char sure_member[GCSPLAN__MEMBER_MAX + 1];
    char group[GCSPLAN__MEMBER_MAX + 1];   /* the first group */
    size_t groups;
    char conv[CONV_MAX][GCSPLAN__MEMBER_MAX + 1];
    gcsplan__via conv_via[CONV_MAX];
    size_t nconv, conv_more;
} binding;

typedef struct scan_ctx {
    gcsplan__policy_scan *s;
    binding b;
} scan_ctx;

static void copy_cut(char *dst, size_t cap, const char *s, size_t n, int *cut)
{
    if (n > cap) {
        n = cap;
        if (cut != NULL)
            *cut = 1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static int has_prefix(const char *s, size_t n, const char *p)
{
    size_t pn = strlen(p);
    return n > pn && memcmp(s, p, pn) == 0;
}

static void new_grant(gcsplan__policy_scan *s, const binding *b, gcsplan__via via,
                      const char *member, size_t others)
{
    if (s->ngrants == GCSPLAN__GRANTS_MAX) {
        s->dropped++;
        return;
    }
    gcsplan__grant *g = &s->grants[s->ngrants++];
    memset(g, 0, sizeof *g);
    memcpy(g->role, b->role, sizeof g->role);
    g->role_cut = b->role_cut;
    g->via = via;
    g->reaches = via <= GCSPLAN__VIA_ALL_AUTH ? 1 : 0;
    snprintf(g->member, sizeof g->member, "%s", member);
    g->others = others;
    g->conditional = b->conditional;
    memcpy(g->condition, b->title, sizeof g->condition);
    if (b->role_cut) {
        g->state = GCSPLAN__PERMS_UNKNOWN;
        snprintf(g->why, sizeof g->why, "its name is longer than %d bytes", GCSPLAN__ROLE_MAX);
    } else {
        g->state = gcsplan__role_perms(g->role, &g->perms);
    }
}

/* A member of the binding being read. */
static void member(scan_ctx *c, const char *m, size_t n)
{
    static const char *const conv[] = { "projectViewer:", "projectEditor:", "projectOwner:" };
    binding *b = &c->b;
    int sure = -1;
    if (n == 8 && memcmp(m, "allUsers", 8) == 0)
        sure = GCSPLAN__VIA_ALL_USERS;
    else if (n == 21 && memcmp(m, "allAuthenticatedUsers", 21) == 0)
        sure = GCSPLAN__VIA_ALL_AUTH;
    else if (has_prefix(m, n, "serviceAccount:") &&
             gcsplan__ascii_ieq(m + 15, n - 15, c->s->agent))
        sure = GCSPLAN__VIA_MEMBER; /* e-mail addresses are compared without case */
    if (sure >= 0) {
        /* The member itself is the surest way in, then allUsers. */
        if (b->via_sure < 0 || sure < b->via_sure) {
            b->via_sure = sure;
            copy_cut(b->sure_member, GCSPLAN__MEMBER_MAX, m, n, NULL);
        }
        return;
    }
    if (has_prefix(m, n, "group:")) {
        if (b->groups++ == 0)
            copy_cut(b->group, GCSPLAN__MEMBER_MAX, m, n, NULL);
        return;
    }
    for (int k = 0; k < 3; k++)
        if (has_prefix(m, n, conv[k])) {
            if (b->nconv == CONV_MAX) {
                b->conv_more++;
                return;
            }
            copy_cut(b->conv[b->nconv], GCSPLAN__MEMBER_MAX, m, n, NULL);
            b->conv_via[b->nconv++] = (gcsplan__via)(GCSPLAN__VIA_PROJECT_VIEWER + k);
            return;
        }
    /* user:, domain: (the users of a Workspace or Cloud Identity domain; a
     * service account is not one), deleted:..., principal://..., other
     * service accounts: never the agent. */
}

static void binding_end(scan_ctx *c)
{
    gcsplan__policy_scan *s = c->s;
    binding *b = &c->b;
    s->bindings++;
    if (!b->has_role)
        return;
    if (b->via_sure == GCSPLAN__VIA_MEMBER && !b->conditional) {
        static const char *const basic[] = { "roles/viewer", "roles/editor", "roles/owner" };
        for (unsigned int k = 0; k < 3; k++)
            if (strcmp(b->role, basic[k]) == 0)
                s->basic |= 1u << k;
    }
    if (b->via_sure >= 0)
        new_grant(s, b, (gcsplan__via)b->via_sure, b->sure_member, 0);
    if (b->groups > 0)
        new_grant(s, b, GCSPLAN__VIA_GROUP, b->group, b->groups - 1);
    for (size_t k = 0; k < b->nconv; k++)
        new_grant(s, b, b->conv_via[k], b->conv[k], k + 1 == b->nconv ? b->conv_more : 0);
}

/* Depths as the walker counts them: the root object is 1, "bindings" 2, a
 * binding 3, its members and condition 4. */
static int scan_event(gcsplan__rj *w, gcsplan__rj_type t, const char *str, size_t n, void *ctx)
{
    scan_ctx *c = ctx;
    size_t d = w->depth;
    if (d == 0 || !w->frames[0].is_map)
        return gcsplan__rj_fail(w, GCSPLAN_EINVAL, "a policy is a JSON object");
    if (!gcsplan__rj_key(w, 0, "bindings"))
        return 0; /* the root, or a key this reader does not use (etag, version) */
    if ((d == 1 && t != GCSPLAN__RJ_END) || (d == 2 && t == GCSPLAN__RJ_MAP))
        return gcsplan__rj_fail(w, GCSPLAN_EINVAL, "\"bindings\" is not an array");
    if (d == 2) {
        if (t != GCSPLAN__RJ_ARRAY && t != GCSPLAN__RJ_END)
            return gcsplan__rj_fail(w, GCSPLAN_EINVAL, "a binding is not an object");
        return 0;
    }
    if (d == 3 && t == GCSPLAN__RJ_ARRAY)
        return gcsplan__rj_fail(w, GCSPLAN_EINVAL, "a binding is not an object");
    if (d == 3 && t == GCSPLAN__RJ_MAP) {
        memset(&c->b, 0, sizeof c->b);
        c->b.via_sure = -1;
        return 0;
    }
    if (d == 3 && t == GCSPLAN__RJ_END) {
        binding_end(c);
        return 0;
    }
    if (d == 3) { /* a scalar of the binding */
        if (gcsplan__rj_key(w, 2, "role")) {
            if (t != GCSPLAN__RJ_STRING)
                return gcsplan__rj_fail(w, GCSPLAN_EINVAL, "a binding's role is not a string");
            c->b.has_role = 1;
            c->b.role_cut = 0;
            copy_cut(c->b.role, GCSPLAN__ROLE_MAX, str, n, &c->b.role_cut);
        } else if (gcsplan__rj_key(w, 2, "condition") && t != GCSPLAN__RJ_NULL) {
            c->b.conditional = 1; /* a condition of any shape limits the binding */
        }
        return 0;
    }
    if (gcsplan__rj_key(w, 2, "condition")) {
        c->b.conditional = 1;
        if (d == 4 && t == GCSPLAN__RJ_STRING && gcsplan__rj_key(w, 3, "title"))
            copy_cut(c->b.title, GCSPLAN__CONDITION_MAX, str, n, NULL);
        return 0;
    }
    if (gcsplan__rj_key(w, 2, "members") && d == 4 && !w->frames[3].is_map &&
        t == GCSPLAN__RJ_STRING)
        member(c, str, n);
    return 0;
}

int gcsplan__policy_scan_text(gcsplan__policy_scan *s, const char *json, size_t n,
                              gcsplan_error *err)
{
    const char *agent = s->agent;
    memset(s, 0, sizeof *s);
    s->agent = agent;
    scan_ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.b.via_sure = -1;
    int rc = gcsplan__rj_parse(json, n, scan_event, &c, "the IAM policy", err);
    if (rc != 0) {
        /* Nothing of a policy that is not one counts. */
        s->ngrants = s->dropped = s->bindings = 0;
        s->basic = 0;
    }
    return rc;
}

/* --- role documents ----------------------------------------------------------------- */

typedef struct role_ctx {
    unsigned int perms;
    int deleted;
} role_ctx;

static int role_event(gcsplan__rj *w, gcsplan__rj_type t, const char *s, size_t n, void *ctx)
{
    role_ctx *r = ctx;
    if (w->depth == 0 || !w->frames[0].is_map)
        return gcsplan__rj_fail(w, GCSPLAN_EINVAL, "a role is a JSON object");
    if (w->depth == 1 && t == GCSPLAN__RJ_BOOL && gcsplan__rj_key(w, 0, "deleted"))
        r->deleted = n != 0;
    if (w->depth == 2 && t == GCSPLAN__RJ_STRING && !w->frames[1].is_map &&
        gcsplan__rj_key(w, 0, "includedPermissions")) {
        if (n == 19 && memcmp(s, "storage.objects.get", 19) == 0)
            r->perms |= GCSPLAN__PERM_GET;
        else if (n == 20 && memcmp(s, "storage.objects.list", 20) == 0)
            r->perms |= GCSPLAN__PERM_LIST;
    }
    return 0;
}

int gcsplan__role_doc_perms(const char *json, size_t n, unsigned int *perms, gcsplan_error *err)
{
    role_ctx r = { 0, 0 };
    *perms = 0;
    int rc = gcsplan__rj_parse(json, n, role_event, &r, "the IAM role", err);
    if (rc == 0)
        *perms = r.deleted ? 0 : r.perms; /* a deleted role grants nothing */
    return rc;
}

/* --- the verdict -------------------------------------------------------------------- */

typedef struct pick {
    gcsplan__verdict *v;
    unsigned int have;
} pick;

/* Take g's permissions into p (remembering the first grant of each). */
static void take(pick *p, const gcsplan__grant *g, const char *where)
{
    for (unsigned int k = 0; k < 2; k++) {
        unsigned int bit = 1u << k;
        if ((g->perms & bit) && !(p->have & bit)) {
            p->have |= bit;
            p->v->by[k] = g;
            p->v->by_where[k] = where;
        }
    }
}

/* One pass over both policies: level 0 takes the sure, unconditional
 * grants; level 1 the sure conditional ones too. */
static unsigned int gather(pick *p, const gcsplan__policy_scan *const sc[2], int level)
{
    static const char *const where[2] = { "bucket", "project" };
    for (int pass = 0; pass <= level; pass++)
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; sc[k] != NULL && i < sc[k]->ngrants; i++) {
                const gcsplan__grant *g = &sc[k]->grants[i];
                if (g->reaches == 1 && g->state == GCSPLAN__PERMS_KNOWN &&
                    g->conditional == pass)
                    take(p, g, where[k]);
            }
    return p->have;
}

void gcsplan__access_verdict(gcsplan__verdict *v, const gcsplan__policy_scan *bucket,
                             const gcsplan__policy_scan *project)
{
    const gcsplan__policy_scan *const sc[2] = { bucket, project };
    memset(v, 0, sizeof *v);
    pick p = { v, 0 };
    if (gather(&p, sc, 0) == GCSPLAN__PERM_BOTH) {
        v->verdict = GCSPLAN_ACCESS_GRANTED;
        return;
    }
    if (gather(&p, sc, 1) == GCSPLAN__PERM_BOTH) {
        v->verdict = GCSPLAN_ACCESS_CONDITIONAL;
        return;
    }
    /* What might reach it: grants to groups and undecided convenience
     * values, and roles whose permissions are not known (as if they held
     * both). */
    unsigned int maybe = p.have;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; sc[k] != NULL && i < sc[k]->ngrants; i++) {
            const gcsplan__grant *g = &sc[k]->grants[i];
            if (g->reaches < 0)
                continue;
            maybe |= g->state == GCSPLAN__PERMS_KNOWN ? g->perms : GCSPLAN__PERM_BOTH;
        }
    v->verdict = maybe == GCSPLAN__PERM_BOTH ? GCSPLAN_ACCESS_UNDECIDED : GCSPLAN_ACCESS_NONE;
}
