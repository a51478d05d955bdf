/* The access check over the network (access.h): a few blocking requests
 * through one API client, each with the client's retries, bounds and
 * message rules. A server's refusal is an answer to report, not a failure:
 * only a check that cannot run at all (no memory, an endpoint refused
 * before any request) is an error. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "api.h"
#include "auth_json.h"
#include "internal.h"
#include "util/buf.h"
#include "util/num.h"

#define AGENT_DOMAIN "gcp-sa-healthcare.iam.gserviceaccount.com"
/* A request's path: a bucket name is at most 222 bytes, a role name
 * GCSPLAN__ROLE_MAX, a project id 30. */
#define PATH_MAX_LEN 1024
/* Reasons quoted in one message, at most. */
#define REASONS_MAX 3

typedef struct check {
    gcsplan__api *api;
    const gcsplan_allocator *a;
    const gcsplan__access_config *cfg;
    gcsplan__access_result *r;
    char agent[GCSPLAN__MEMBER_MAX + 1];
    gcsplan__policy_scan bucket, project;
    int bucket_read, project_read;
    uint64_t bucket_project;            /* the bucket's project number, 0 when unknown */
    char bucket_why[GCSPLAN_MESSAGE_MAX]; /* why the bucket's policy was not read */
    char project_why[GCSPLAN_MESSAGE_MAX];
    size_t lookups;
} check;

/* --- requests ----------------------------------------------------------------------- */

static void say(char *dst, size_t cap, const char *fmt, ...) GCSPLAN_PRINTF(3, 4);

/* A message into dst, cut to fit: quoted server text is already bounded. */
static void say(char *dst, size_t cap, const char *fmt, ...)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, dst, cap);
    va_list ap;
    va_start(ap, fmt);
    gcsplan__buf_vprintf(&b, fmt, ap);
    va_end(ap);
}

/* One request. Returns 0 with resp holding a 2xx answer; 1 when the server
 * refused or never answered well (why says so: the client's message,
 * masked and escaped); or a negative code (err filled) when the request
 * could not be made at all. */
static int fetch(check *c, int svc, const char *path, const char *method, const char *body,
                 const char *what, gcsplan__response *resp, char *why, size_t cap,
                 gcsplan_error *err)
{
    static const char *const json_headers[] = { "Content-Type: application/json", NULL };
    gcsplan__request req;
    memset(&req, 0, sizeof req);
    req.service = svc;
    req.path = path;
    req.method = method;
    req.body = body;
    req.body_len = body != NULL ? strlen(body) : 0;
    req.headers = body != NULL ? json_headers : NULL;
    req.what = what;
    gcsplan_error e;
    gcsplan_error_clear(&e);
    int rc = gcsplan__api_fetch(c->api, &req, resp, &e);
    if (rc == 0)
        return 0;
    gcsplan__response_free(resp);
    /* An HTTP error, retries spent, credentials that could not be had: an
     * answer of sorts. No memory, or an endpoint refused: no check. */
    if (rc == GCSPLAN_ESOURCE || rc == GCSPLAN_ELIMIT) {
        say(why, cap, "%s", e.message[0] ? e.message : gcsplan_strerror(rc));
        return 1;
    }
    if (err != NULL)
        *err = e;
    return rc;
}

/* A decimal number field ("projectNumber") of a JSON answer, or 0. */
static uint64_t number_field(check *c, const gcsplan__response *resp, const char *key)
{
    gcsplan__json_field f = { key, NULL, 0, 0 };
    uint64_t v = 0;
    if (resp->body != NULL &&
        gcsplan__json_fields(&f, 1, c->a, resp->body, resp->body_len, NULL) == 0 &&
        f.value != NULL && f.is_string &&
        gcsplan__parse_u64(f.value, f.len, UINT64_MAX, &v) != 0)
        v = 0;
    gcsplan__json_fields_free(&f, 1, c->a);
    return v;
}

static void put_path(gcsplan__buf *b, const char *fmt_head, const char *seg, size_t n,
                     const char *tail)
{
    gcsplan__buf_puts(b, fmt_head);
    gcsplan__url_put_encoded(b, seg, n);
    gcsplan__buf_puts(b, tail);
}

/* The store's project number, from Resource Manager. */
static int project_number(check *c, uint64_t *out, gcsplan_error *err)
{
    const gcsplan__access_config *cfg = c->cfg;
    char path[PATH_MAX_LEN];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, path, sizeof path);
    put_path(&b, "/v1/projects/", cfg->project, cfg->project_len, "");
    gcsplan__response resp;
    char why[GCSPLAN_MESSAGE_MAX];
    int rc = fetch(c, GCSPLAN__SVC_RESOURCE_MANAGER, path, NULL, NULL, "projects.get", &resp, why,
                   sizeof why, err);
    *out = 0;
    if (rc < 0)
        return rc;
    if (rc == 0) {
        *out = number_field(c, &resp, "projectNumber");
        gcsplan__response_free(&resp);
        if (*out == 0)
            say(why, sizeof why, "the answer holds no \"projectNumber\"");
    }
    if (*out == 0)
        say(c->r->why, sizeof c->r->why, "the number of project %.*s could not be learnt "
                 "(%s), so the agent is not known: give it with --project-number",
                 (int)cfg->project_len, cfg->project, why);
    return 0;
}

/* A policy (the bucket's, or a project's) into s; *read tells whether it
 * was, why_out why not. */
static int read_policy(check *c, int svc, const char *path, const char *method, const char *body,
                       const char *what, gcsplan__policy_scan *s, int *read, char *why_out,
                       size_t cap, gcsplan_error *err)
{
    gcsplan__response resp;
    char why[GCSPLAN_MESSAGE_MAX];
    int rc = fetch(c, svc, path, method, body, what, &resp, why, sizeof why, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        say(why_out, cap, "%s", why);
        return 0;
    }
    s->agent = c->agent;
    gcsplan_error pe;
    if (gcsplan__policy_scan_text(s, resp.body ? resp.body : "", resp.body_len, &pe) == 0)
        *read = 1;
    else
        say(why_out, cap, "%s: the answer is not a policy (%s)", what, pe.message);
    gcsplan__response_free(&resp);
    return 0;
}

static int read_bucket_policy(check *c, gcsplan_error *err)
{
    char path[PATH_MAX_LEN];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, path, sizeof path);
    put_path(&b, "/storage/v1/b/", c->cfg->bucket, strlen(c->cfg->bucket),
             "/iam?optionsRequestedPolicyVersion=3");
    return read_policy(c, GCSPLAN__SVC_STORAGE, path, NULL, NULL, "buckets.getIamPolicy",
                       &c->bucket, &c->bucket_read, c->bucket_why, sizeof c->bucket_why, err);
}

/* The bucket's project (buckets.get), then its policy (Resource Manager). */
static int read_project_policy(check *c, gcsplan_error *err)
{
    char path[PATH_MAX_LEN];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, path, sizeof path);
    put_path(&b, "/storage/v1/b/", c->cfg->bucket, strlen(c->cfg->bucket),
             "?fields=projectNumber");
    gcsplan__response resp;
    char why[GCSPLAN_MESSAGE_MAX];
    int rc = fetch(c, GCSPLAN__SVC_STORAGE, path, NULL, NULL, "buckets.get", &resp, why,
                   sizeof why, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        c->bucket_project = number_field(c, &resp, "projectNumber");
        gcsplan__response_free(&resp);
        if (c->bucket_project == 0)
            say(why, sizeof why, "buckets.get: the answer holds no \"projectNumber\"");
    }
    if (c->bucket_project == 0) {
        say(c->project_why, sizeof c->project_why,
                 "the bucket's project could not be learnt (%s)", why);
        return 0;
    }
    gcsplan__buf_fixed(&b, path, sizeof path);
    gcsplan__buf_printf(&b, "/v3/projects/%llu:getIamPolicy", (unsigned long long)c->bucket_project);
    return read_policy(c, GCSPLAN__SVC_RESOURCE_MANAGER, path, "POST",
                       "{\"options\":{\"requestedPolicyVersion\":3}}", "projects.getIamPolicy",
                       &c->project, &c->project_read, c->project_why, sizeof c->project_why, err);
}

/* A role name that can be put in a URL path as it is. */
static int role_name_ok(const char *r)
{
    if (strncmp(r, "roles/", 6) != 0 && strncmp(r, "projects/", 9) != 0 &&
        strncmp(r, "organizations/", 14) != 0)
        return 0;
    for (const char *p = r; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-' || *p == '/'))
            return 0;
    return strstr(r, "..") == NULL && strstr(r, "//") == NULL;
}

/* The permissions of g's role, asked of IAM; the same role's answer serves
 * every grant of it. */
static int look_up(check *c, gcsplan__grant *g, gcsplan_error *err)
{
    if (!role_name_ok(g->role)) {
        g->state = GCSPLAN__PERMS_UNKNOWN;
        say(g->why, sizeof g->why, "not a role name IAM knows");
        return 0;
    }
    if (c->lookups == GCSPLAN__ROLE_LOOKUPS_MAX) {
        g->state = GCSPLAN__PERMS_UNKNOWN;
        say(g->why, sizeof g->why, "more than %d roles to look up", GCSPLAN__ROLE_LOOKUPS_MAX);
        return 0;
    }
    c->lookups++;
    char path[PATH_MAX_LEN];
    say(path, sizeof path, "/v1/%s", g->role);
    gcsplan__response resp;
    char why[GCSPLAN_MESSAGE_MAX];
    int rc = fetch(c, GCSPLAN__SVC_IAM, path, NULL, NULL, "roles.get", &resp, why, sizeof why, err);
    if (rc < 0)
        return rc;
    gcsplan__perm_state state = GCSPLAN__PERMS_UNKNOWN;
    unsigned int perms = 0;
    if (rc == 0) {
        gcsplan_error pe;
        if (gcsplan__role_doc_perms(resp.body ? resp.body : "", resp.body_len, &perms, &pe) == 0)
            state = GCSPLAN__PERMS_KNOWN;
        else
            say(why, sizeof why, "roles.get: the answer is not a role (%s)", pe.message);
        gcsplan__response_free(&resp);
    }
    gcsplan__policy_scan *all[2] = { &c->bucket, &c->project };
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < all[k]->ngrants; i++) {
            gcsplan__grant *h = &all[k]->grants[i];
            if (h->state == GCSPLAN__PERMS_ASK && strcmp(h->role, g->role) == 0) {
                h->state = state;
                h->perms = perms;
                if (state != GCSPLAN__PERMS_KNOWN)
                    say(h->why, sizeof h->why, "%s", why);
            }
        }
    return 0;
}

/* Convenience values of the bucket's policy: projectViewer:P reaches the
 * agent when it holds roles/viewer on P. That is known only for the
 * bucket's own project, whose policy was read: P named by its number, or
 * by the store's project id when the two are one project. */
static void resolve_convenience(check *c)
{
    char num[24];
    snprintf(num, sizeof num, "%llu", (unsigned long long)c->bucket_project);
    int same = c->bucket_project != 0 && c->bucket_project == c->r->project_number;
    for (size_t i = 0; i < c->bucket.ngrants; i++) {
        gcsplan__grant *g = &c->bucket.grants[i];
        if (g->via < GCSPLAN__VIA_PROJECT_VIEWER || !c->project_read)
            continue;
        const char *p = strchr(g->member, ':') + 1;
        int named = strcmp(p, num) == 0 ||
                    (same && strlen(p) == c->cfg->project_len &&
                     memcmp(p, c->cfg->project, c->cfg->project_len) == 0);
        if (named)
            g->reaches = (c->project.basic >> (g->via - GCSPLAN__VIA_PROJECT_VIEWER)) & 1 ? 1 : -1;
    }
}

/* --- texts -------------------------------------------------------------------------- */

static void describe(gcsplan__buf *b, const check *c, const gcsplan__grant *g, const char *where)
{
    gcsplan__buf_printf(b, "%s on ", g->role);
    if (strcmp(where, "bucket") == 0)
        gcsplan__buf_puts(b, "the bucket");
    else
        gcsplan__buf_printf(b, "project %llu", (unsigned long long)c->bucket_project);
    gcsplan__buf_printf(b, " to %s", g->member);
    if (g->conditional)
        gcsplan__buf_printf(b, " if '%s'", g->condition[0] ? g->condition : "(untitled condition)");
}

static void granted_by(check *c, const gcsplan__verdict *v)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, c->r->granted_by, sizeof c->r->granted_by);
    describe(&b, c, v->by[0], v->by_where[0]);
    if (v->by[1] != v->by[0]) {
        gcsplan__buf_puts(&b, " and ");
        describe(&b, c, v->by[1], v->by_where[1]);
    }
}

/* Why a grant might reach the agent, for "undecided". */
static void maybe_reason(gcsplan__buf *b, const check *c, const gcsplan__grant *g, const char *where)
{
    if (g->state != GCSPLAN__PERMS_KNOWN) {
        describe(b, c, g, where);
        gcsplan__buf_printf(b, ": the role's permissions could not be read (%s)", g->why);
    } else if (g->via == GCSPLAN__VIA_GROUP) {
        describe(b, c, g, where);
        if (g->others > 0)
            gcsplan__buf_printf(b, " and %zu more group%s", g->others, g->others == 1 ? "" : "s");
        gcsplan__buf_puts(b, ": group membership is not read");
    } else {
        describe(b, c, g, where);
        gcsplan__buf_puts(b, ": the agent's roles on that project are not read");
    }
}

static void unread_why(gcsplan__buf *b, const check *c)
{
    int both = !c->bucket_read && !c->project_read && c->project_why[0];
    if (!c->bucket_read)
        gcsplan__buf_printf(b, "the bucket's IAM policy could not be read (%s)", c->bucket_why);
    if (both)
        gcsplan__buf_puts(b, "; ");
    if (!c->project_read && c->project_why[0]) {
        if (c->bucket_project != 0)
            gcsplan__buf_printf(b, "the IAM policy of the bucket's project %llu could not be "
                                "read (%s)", (unsigned long long)c->bucket_project, c->project_why);
        else
            gcsplan__buf_puts(b, c->project_why);
    }
}

static void undecided_why(check *c)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, c->r->why, sizeof c->r->why);
    const gcsplan__policy_scan *all[2] = { &c->bucket, &c->project };
    static const char *const where[2] = { "bucket", "project" };
    size_t n = 0;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < all[k]->ngrants; i++) {
            const gcsplan__grant *g = &all[k]->grants[i];
            int maybe = g->reaches == 0 || (g->reaches == 1 && g->state != GCSPLAN__PERMS_KNOWN);
            if (!maybe || (g->state == GCSPLAN__PERMS_KNOWN && g->perms == 0))
                continue;
            if (n++ < REASONS_MAX) {
                if (n > 1)
                    gcsplan__buf_puts(&b, "; ");
                maybe_reason(&b, c, g, where[k]);
            }
        }
    if (n > REASONS_MAX)
        gcsplan__buf_printf(&b, "; and %zu more", n - REASONS_MAX);
    if (!c->bucket_read || !c->project_read) {
        gcsplan__buf_puts(&b, "; ");
        unread_why(&b, c);
    }
}

static void none_why(check *c, const gcsplan__verdict *v)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, c->r->why, sizeof c->r->why);
    if (c->r->verdict == GCSPLAN_ACCESS_UNKNOWN) {
        unread_why(&b, c);
        if (c->bucket_read)
            gcsplan__buf_puts(&b, ", and the bucket's own policy grants it nothing that reads "
                                  "objects");
        else if (c->project_read)
            gcsplan__buf_printf(&b, ", and project %llu's policy grants it nothing that reads "
                                "objects", (unsigned long long)c->bucket_project);
    } else {
        gcsplan__buf_printf(&b, "neither the bucket's IAM policy nor that of its project %llu "
                            "grants it storage.objects.get and storage.objects.list (policies "
                            "of folders and the organization are not read)",
                            (unsigned long long)c->bucket_project);
    }
    for (int k = 0; k < 2; k++)
        if (v->by[k] != NULL && v->by[1 - k] == NULL) {
            gcsplan__buf_printf(&b, "; it holds only storage.objects.%s, through ",
                                k == 0 ? "get" : "list");
            describe(&b, c, v->by[k], v->by_where[k]);
        }
}

/* --- the check ---------------------------------------------------------------------- */

static int run(check *c, gcsplan_error *err)
{
    gcsplan__access_result *r = c->r;
    uint64_t num = c->cfg->project_number;
    int rc;
    if (num == 0 && (rc = project_number(c, &num, err)) != 0)
        return rc;
    if (num == 0) {
        r->verdict = GCSPLAN_ACCESS_UNKNOWN;
        return 0;
    }
    r->project_number = num;
    say(c->agent, sizeof c->agent, "service-%llu@" AGENT_DOMAIN, (unsigned long long)num);
    say(r->member, sizeof r->member, "serviceAccount:%s", c->agent);
    if ((rc = read_bucket_policy(c, err)) != 0)
        return rc;
    gcsplan__verdict v;
    gcsplan__access_verdict(&v, &c->bucket, NULL);
    if (v.verdict != GCSPLAN_ACCESS_GRANTED) {
        if ((rc = read_project_policy(c, err)) != 0)
            return rc;
        resolve_convenience(c);
        gcsplan__access_verdict(&v, &c->bucket, &c->project);
    }
    /* Roles the table does not know, only while they could change the answer. */
    gcsplan__policy_scan *all[2] = { &c->bucket, &c->project };
    for (int k = 0; k < 2 && v.verdict != GCSPLAN_ACCESS_GRANTED; k++)
        for (size_t i = 0; i < all[k]->ngrants && v.verdict != GCSPLAN_ACCESS_GRANTED; i++) {
            gcsplan__grant *g = &all[k]->grants[i];
            if (g->state != GCSPLAN__PERMS_ASK || g->reaches < 0)
                continue;
            if ((rc = look_up(c, g, err)) != 0)
                return rc;
            gcsplan__access_verdict(&v, &c->bucket, &c->project);
        }
    r->verdict = v.verdict;
    if (v.verdict == GCSPLAN_ACCESS_NONE && (!c->bucket_read || !c->project_read))
        r->verdict = GCSPLAN_ACCESS_UNKNOWN;
    switch (r->verdict) {
    case GCSPLAN_ACCESS_GRANTED:
    case GCSPLAN_ACCESS_CONDITIONAL:
        granted_by(c, &v);
        break;
    case GCSPLAN_ACCESS_UNDECIDED:
        undecided_why(c);
        break;
    default:
        none_why(c, &v);
        break;
    }
    /* Only where nothing read grants it: an unread policy may well grant it. */
    if (r->verdict == GCSPLAN_ACCESS_NONE)
        say(r->hint, sizeof r->hint, "gcloud storage buckets add-iam-policy-binding gs://%s "
                 "--member=%s --role=roles/storage.objectViewer", c->cfg->bucket, r->member);
    return 0;
}

int gcsplan__access_check(gcsplan__access_result *r, const gcsplan__access_config *cfg,
                          gcsplan_error *err)
{
    memset(r, 0, sizeof *r);
    const gcsplan_lister_options *o = cfg->source;
    gcsplan__api_config ac;
    memset(&ac, 0, sizeof ac);
    ac.alloc = cfg->alloc;
    ac.endpoint[GCSPLAN__SVC_STORAGE] = o->endpoint;
    ac.anonymous = o->anonymous;
    ac.parallel = 1;
    ac.timeout_ms = o->timeout_ms;
    ac.retry.retries = o->retries;
    ac.retry.base_ms = o->retry_base_ms;
    ac.retry.max_ms = o->retry_max_ms;
    ac.transport = cfg->transport;
    ac.auth_mode = cfg->auth != NULL ? GCSPLAN__API_AUTH_GIVEN : GCSPLAN__API_AUTH_SHARED;
    ac.auth = cfg->auth;
    ac.getenv_fn = cfg->getenv_fn;
    /* Two policies' grants are some 50 KiB: not for the caller's stack. */
    const gcsplan_allocator *a = gcsplan__allocator_or_default(cfg->alloc);
    check *c = gcsplan__malloc(a, sizeof *c);
    if (c == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(c, 0, sizeof *c);
    c->a = a;
    c->cfg = cfg;
    c->r = r;
    int rc = gcsplan__api_new(&c->api, &ac, err);
    if (rc == 0)
        rc = run(c, err);
    gcsplan__api_free(c->api);
    gcsplan__free(a, c);
    return rc;
}
