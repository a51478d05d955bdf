/* The access check (src/access*.c): IAM policies read for the bindings that
 * reach the Cloud Healthcare Service Agent, each kind of member and role,
 * conditions, convenience values, custom roles, malformed documents; then
 * the whole check over a scripted network: the requests it makes, and
 * 403s, unknown projects, retries, and what it says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "access.h"
#include "auth.h"
#include "scripted.h"

#define AGENT "service-123456789012@gcp-sa-healthcare.iam.gserviceaccount.com"
#define MEMBER "serviceAccount:" AGENT

/* ---- policies ------------------------------------------------------------------------ */

typedef struct policy_case {
    const char *what;
    const char *json;
    int verdict;
} policy_case;

#define B1(role, member) "{\"bindings\":[{\"role\":\"" role "\",\"members\":[\"" member "\"]}]}"

static const policy_case policies[] = {
    { "the agent, objectViewer", B1("roles/storage.objectViewer", MEMBER), GCSPLAN_ACCESS_GRANTED },
    { "the agent, another case", B1("roles/storage.objectAdmin",
      "serviceAccount:Service-123456789012@GCP-SA-healthcare.iam.gserviceaccount.com"),
      GCSPLAN_ACCESS_GRANTED },
    { "objectUser", B1("roles/storage.objectUser", MEMBER), GCSPLAN_ACCESS_GRANTED },
    { "storage.admin", B1("roles/storage.admin", MEMBER), GCSPLAN_ACCESS_GRANTED },
    { "allUsers and allAuthenticatedUsers, legacy roles together",
      "{\"bindings\":[{\"members\":[\"allUsers\"],\"role\":\"roles/storage.legacyObjectReader\"},"
      "{\"role\":\"roles/storage.legacyBucketReader\",\"members\":[\"allAuthenticatedUsers\"]}]}",
      GCSPLAN_ACCESS_GRANTED },
    { "get without list", B1("roles/storage.legacyObjectReader", MEMBER), GCSPLAN_ACCESS_NONE },
    { "list without get", B1("roles/storage.legacyBucketOwner", MEMBER), GCSPLAN_ACCESS_NONE },
    { "objectCreator", B1("roles/storage.objectCreator", MEMBER), GCSPLAN_ACCESS_NONE },
    { "a condition",
      "{\"version\":3,\"bindings\":[{\"role\":\"roles/storage.objectViewer\",\"members\":[\"" MEMBER
      "\"],\"condition\":{\"title\":\"until 2030\",\"expression\":\"request.time < x\"}}]}",
      GCSPLAN_ACCESS_CONDITIONAL },
    { "a null condition is none",
      "{\"bindings\":[{\"role\":\"roles/storage.objectViewer\",\"members\":[\"" MEMBER
      "\"],\"condition\":null}]}", GCSPLAN_ACCESS_GRANTED },
    { "a condition of an odd shape still limits",
      "{\"bindings\":[{\"role\":\"roles/storage.objectViewer\",\"members\":[\"" MEMBER
      "\"],\"condition\":\"x\"}]}", GCSPLAN_ACCESS_CONDITIONAL },
    { "unconditional get, conditional list",
      "{\"bindings\":[{\"role\":\"roles/storage.legacyObjectReader\",\"members\":[\"" MEMBER "\"]},"
      "{\"role\":\"roles/storage.legacyBucketReader\",\"members\":[\"allUsers\"],"
      "\"condition\":{\"title\":\"t\"}}]}", GCSPLAN_ACCESS_CONDITIONAL },
    { "a group", B1("roles/storage.objectViewer", "group:importers@example.com"),
      GCSPLAN_ACCESS_UNDECIDED },
    { "a group with a role that reads nothing", B1("roles/storage.objectCreator",
      "group:importers@example.com"), GCSPLAN_ACCESS_NONE },
    { "a domain holds no service account", B1("roles/storage.objectViewer", "domain:example.com"),
      GCSPLAN_ACCESS_NONE },
    { "a deleted service account", B1("roles/storage.objectViewer",
      "deleted:" MEMBER "?uid=123"), GCSPLAN_ACCESS_NONE },
    { "another service account", B1("roles/storage.objectViewer",
      "serviceAccount:service-999@gcp-sa-healthcare.iam.gserviceaccount.com"), GCSPLAN_ACCESS_NONE },
    { "a user", B1("roles/storage.objectViewer", "user:" AGENT), GCSPLAN_ACCESS_NONE },
    { "a convenience value, not decided here", B1("roles/storage.objectViewer",
      "projectViewer:test-project"), GCSPLAN_ACCESS_UNDECIDED },
    { "a custom role, not read yet", B1("projects/p/roles/importer", MEMBER),
      GCSPLAN_ACCESS_UNDECIDED },
    { "an unknown predefined role", B1("roles/storage.somethingNew", MEMBER),
      GCSPLAN_ACCESS_UNDECIDED },
    { "no bindings", "{\"etag\":\"CAE=\",\"version\":1}", GCSPLAN_ACCESS_NONE },
    { "empty bindings", "{\"bindings\":[]}", GCSPLAN_ACCESS_NONE },
    { "a binding without role", "{\"bindings\":[{\"members\":[\"" MEMBER "\"]}]}",
      GCSPLAN_ACCESS_NONE },
    { "unknown keys anywhere", "{\"x\":{\"y\":[1,2]},\"bindings\":[{\"z\":[{}],\"role\":"
      "\"roles/storage.objectViewer\",\"members\":[\"" MEMBER "\"]}],\"etag\":\"e\"}",
      GCSPLAN_ACCESS_GRANTED },
};

static void scan(gcsplan__policy_scan *s, const char *json, int expect_rc)
{
    s->agent = AGENT;
    gcsplan_error err;
    assert_int_equal(gcsplan__policy_scan_text(s, json, strlen(json), &err), expect_rc);
}

static void policy_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        gcsplan__policy_scan s;
        scan(&s, policies[i].json, 0);
        gcsplan__verdict v;
        gcsplan__access_verdict(&v, &s, NULL);
        if (v.verdict != policies[i].verdict) {
            print_error("%s: verdict %d, expected %d\n", policies[i].what, v.verdict,
                        policies[i].verdict);
            fail();
        }
    }
}

static void malformed_policies(void **state)
{
    (void)state;
    static const struct { const char *json; int rc; } bad[] = {
        { "[]", GCSPLAN_EINVAL },
        { "\"x\"", GCSPLAN_EINVAL },
        { "{\"bindings\":{}}", GCSPLAN_EINVAL },
        { "{\"bindings\":\"x\"}", GCSPLAN_EINVAL },
        { "{\"bindings\":[1]}", GCSPLAN_EINVAL },
        { "{\"bindings\":[[]]}", GCSPLAN_EINVAL },
        { "{\"bindings\":[{\"role\":7}]}", GCSPLAN_EINVAL },
        { "{\"bindings\":[{\"role\":\"r\"", GCSPLAN_EINVAL },
        { "{\"a\":[[[[[[[[[[1]]]]]]]]]]}", GCSPLAN_ELIMIT },
        { "", GCSPLAN_EINVAL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gcsplan__policy_scan s;
        scan(&s, bad[i].json, bad[i].rc);
        assert_int_equal(s.ngrants, 0);
    }
}

static void what_a_scan_keeps(void **state)
{
    (void)state;
    gcsplan__policy_scan s;
    scan(&s, "{\"bindings\":["
             "{\"role\":\"roles/viewer\",\"members\":[\"user:a@example.com\",\"" MEMBER "\"]},"
             "{\"role\":\"roles/editor\",\"members\":[\"" MEMBER "\"],\"condition\":{\"title\":\"c\"}},"
             "{\"role\":\"roles/storage.objectViewer\",\"members\":[\"group:a@x.com\","
             "\"group:b@x.com\",\"projectViewer:p1\",\"projectOwner:p2\",\"allUsers\",\"" MEMBER "\"]}]}",
         0);
    assert_int_equal(s.bindings, 3);
    /* roles/viewer held unconditionally, roles/editor only conditionally */
    assert_int_equal(s.basic, 1u);
    /* viewer (member), editor (member, conditional), then objectViewer: the
     * member (surer than allUsers), the groups as one, two convenience values */
    assert_int_equal(s.ngrants, 6);
    assert_string_equal(s.grants[2].member, MEMBER);
    assert_int_equal(s.grants[2].via, GCSPLAN__VIA_MEMBER);
    assert_int_equal(s.grants[3].via, GCSPLAN__VIA_GROUP);
    assert_string_equal(s.grants[3].member, "group:a@x.com");
    assert_int_equal(s.grants[3].others, 1);
    assert_int_equal(s.grants[4].via, GCSPLAN__VIA_PROJECT_VIEWER);
    assert_int_equal(s.grants[5].via, GCSPLAN__VIA_PROJECT_OWNER);
    assert_string_equal(s.grants[5].member, "projectOwner:p2");
    assert_int_equal(s.grants[1].conditional, 1);
    assert_string_equal(s.grants[1].condition, "c");
    /* more grants than kept are counted */
    char big[64 * 1024];
    size_t n = (size_t)snprintf(big, sizeof big, "{\"bindings\":[");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s{\"role\":\"roles/r%d\",\"members\":[\"%s\"]}",
                              i ? "," : "", i, MEMBER);
    snprintf(big + n, sizeof big - n, "]}");
    scan(&s, big, 0);
    assert_int_equal(s.ngrants, GCSPLAN__GRANTS_MAX);
    assert_int_equal(s.dropped, 40 - GCSPLAN__GRANTS_MAX);
    /* a role name longer than kept is not looked up, and not trusted */
    char longrole[600];
    memset(longrole, 'x', sizeof longrole);
    static const char head[] = "{\"bindings\":[{\"role\":\"";
    memcpy(longrole, head, sizeof head - 1);
    snprintf(longrole + 500, sizeof longrole - 500, "\",\"members\":[\"%s\"]}]}", MEMBER);
    scan(&s, longrole, 0);
    assert_int_equal(s.grants[0].role_cut, 1);
    assert_int_equal(s.grants[0].state, GCSPLAN__PERMS_UNKNOWN);
}

static void roles(void **state)
{
    (void)state;
    unsigned int p;
    assert_int_equal(gcsplan__role_perms("roles/storage.objectViewer", &p), GCSPLAN__PERMS_KNOWN);
    assert_int_equal(p, GCSPLAN__PERM_BOTH);
    assert_int_equal(gcsplan__role_perms("roles/storage.legacyBucketWriter", &p), GCSPLAN__PERMS_KNOWN);
    assert_int_equal(p, GCSPLAN__PERM_LIST);
    assert_int_equal(gcsplan__role_perms("roles/viewer", &p), GCSPLAN__PERMS_KNOWN);
    assert_int_equal(p, 0);
    assert_int_equal(gcsplan__role_perms("projects/p/roles/r", &p), GCSPLAN__PERMS_ASK);
    static const struct { const char *json; int rc; unsigned int perms; } docs[] = {
        { "{\"name\":\"projects/p/roles/r\",\"includedPermissions\":[\"storage.objects.list\","
          "\"storage.objects.get\",\"storage.buckets.get\"]}", 0, GCSPLAN__PERM_BOTH },
        { "{\"includedPermissions\":[\"storage.objects.get\"],\"deleted\":false}", 0, GCSPLAN__PERM_GET },
        { "{\"includedPermissions\":[\"storage.objects.get\",\"storage.objects.list\"],"
          "\"deleted\":true}", 0, 0 },
        { "{\"includedPermissions\":[{\"storage.objects.get\":1}],\"x\":\"storage.objects.list\"}", 0, 0 },
        { "{}", 0, 0 },
        { "[\"storage.objects.get\"]", GCSPLAN_EINVAL, 0 },
        { "{\"includedPermissions\":[", GCSPLAN_EINVAL, 0 },
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        gcsplan_error err;
        assert_int_equal(gcsplan__role_doc_perms(docs[i].json, strlen(docs[i].json), &p, &err),
                         docs[i].rc);
        assert_int_equal(p, docs[i].perms);
    }
}

/* ---- the check over a scripted network ------------------------------------------------ */

typedef struct route {
    const char *method;
    const char *path;   /* the URL's path (and query) after the host */
    int status;
    const char *body;
    int fail_first;     /* this many 503s before the answer */
} route;

typedef struct world {
    route routes[12];
    size_t n;
    int seen[12];
} world;

static const char *path_of(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : url;
    return p ? p : "/";
}

static void answer(void *ctx, const script_request *req, script_reply *out)
{
    world *w = ctx;
    memset(out, 0, sizeof *out);
    const char *path = path_of(req->url);
    for (size_t i = 0; i < w->n; i++) {
        const route *r = &w->routes[i];
        if (strcmp(r->method, req->method) != 0 || strcmp(r->path, path) != 0)
            continue;
        if (w->seen[i]++ < r->fail_first) {
            out->status = 503;
            out->body = "{\"error\":{\"code\":503,\"message\":\"Backend Error\"}}";
            return;
        }
        out->status = r->status;
        out->body = r->body;
        return;
    }
    out->status = 404;
    out->body = "{\"error\":{\"code\":404,\"message\":\"no route in the test\"}}";
}

static const char *env(const char *name)
{
    if (strcmp(name, "GOOGLE_OAUTH_ACCESS_TOKEN") == 0)
        return "ya29.test-token";
    if (strcmp(name, "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER") == 0)
        return "http://127.0.0.1:7001/";
    if (strcmp(name, "CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM") == 0)
        return "http://127.0.0.1:7002/";
    return NULL;
}

#define RM_GET "/v1/projects/test-project"
#define RM_NUMBER "{\"projectNumber\":\"123456789012\",\"projectId\":\"test-project\"}"
#define BUCKET_IAM "/storage/v1/b/scans/iam?optionsRequestedPolicyVersion=3"
#define BUCKET_GET "/storage/v1/b/scans?fields=projectNumber"
#define BUCKET_NUMBER "{\"projectNumber\":\"123456789012\"}"
#define PROJECT_IAM "/v3/projects/123456789012:getIamPolicy"
#define NOTHING "{\"bindings\":[{\"role\":\"roles/owner\",\"members\":[\"user:o@example.com\"]}]}"
#define DENIED "{\"error\":{\"code\":403,\"message\":\"caller does not have storage.buckets.getIamPolicy\"}}"

typedef struct outcome {
    gcsplan__access_result r;
    int rc;
    size_t requests;
    char auth_seen[8][16]; /* "yes"/"no" per request */
    char paths[8][128];
    char first_post_body[128];
} outcome;

static outcome run_check(world *w, uint64_t project_number)
{
    outcome o;
    memset(&o, 0, sizeof o);
    script_transport *t = script_new(answer, w, 7);
    gcsplan__auth_config ac;
    memset(&ac, 0, sizeof ac);
    ac.getenv_fn = env;
    gcsplan__auth *auth;
    assert_int_equal(gcsplan__auth_new(&auth, NULL, &ac, NULL), 0);
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.endpoint = "http://127.0.0.1:7000";
    lo.retries = 2;
    lo.retry_base_ms = 1;
    lo.retry_max_ms = 2;
    gcsplan__access_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.source = &lo;
    cfg.bucket = "scans";
    cfg.project = "test-project";
    cfg.project_len = 12;
    cfg.project_number = project_number;
    cfg.transport = script_base(t);
    cfg.auth = auth;
    cfg.getenv_fn = env;
    gcsplan_error err;
    o.rc = gcsplan__access_check(&o.r, &cfg, &err);
    o.requests = script_count(t);
    for (size_t i = 0; i < o.requests && i < 8; i++) {
        const script_request *q = script_request_at(t, i);
        snprintf(o.auth_seen[i], sizeof o.auth_seen[i], "%s",
                 script_header(q, "Authorization") ? "yes" : "no");
        snprintf(o.paths[i], sizeof o.paths[i], "%s %s", q->method, path_of(q->url));
        if (strcmp(q->method, "POST") == 0 && o.first_post_body[0] == '\0')
            snprintf(o.first_post_body, sizeof o.first_post_body, "%s", q->body);
    }
    script_free(t);
    gcsplan__auth_free(auth);
    return o;
}

static void add(world *w, const char *method, const char *path, int status, const char *body)
{
    w->routes[w->n++] = (route){ method, path, status, body, 0 };
}

static void granted_on_the_bucket(void **state)
{
    (void)state;
    world w = { .n = 0 };
    add(&w, "GET", RM_GET, 200, RM_NUMBER);
    add(&w, "GET", BUCKET_IAM, 200, B1("roles/storage.objectViewer", MEMBER));
    outcome o = run_check(&w, 0);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_GRANTED);
    assert_string_equal(o.r.member, MEMBER);
    assert_int_equal(o.r.project_number, 123456789012ull);
    assert_string_equal(o.r.granted_by, "roles/storage.objectViewer on the bucket to " MEMBER);
    /* the bucket's policy grants: the project's is not asked for */
    assert_int_equal(o.requests, 2);
    assert_string_equal(o.paths[0], "GET " RM_GET);
    assert_string_equal(o.paths[1], "GET " BUCKET_IAM);
    /* Resource Manager gets the credentials; a Cloud Storage override does not */
    assert_string_equal(o.auth_seen[0], "yes");
    assert_string_equal(o.auth_seen[1], "no");
    assert_string_equal(o.r.hint, "");
}

static void project_number_given(void **state)
{
    (void)state;
    world w = { .n = 0 };
    add(&w, "GET", BUCKET_IAM, 200, "{\"bindings\":[{\"role\":\"roles/storage.objectViewer\","
        "\"members\":[\"serviceAccount:service-42@gcp-sa-healthcare.iam.gserviceaccount.com\"]}]}");
    outcome o = run_check(&w, 42);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_GRANTED);
    assert_string_equal(o.paths[0], "GET " BUCKET_IAM);
    assert_int_equal(o.requests, 1);
}

static void unknown_project(void **state)
{
    (void)state;
    world w = { .n = 0 };
    add(&w, "GET", RM_GET, 403, "{\"error\":{\"code\":403,\"message\":\"The caller does not have "
        "permission\",\"status\":\"PERMISSION_DENIED\"}}");
    outcome o = run_check(&w, 0);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_UNKNOWN);
    assert_int_equal(o.requests, 1);
    assert_string_equal(o.r.member, "");
    assert_non_null(strstr(o.r.why, "the number of project test-project could not be learnt "
                                    "(HTTP 403 from projects.get: The caller does not have "
                                    "permission)"));
    assert_non_null(strstr(o.r.why, "--project-number"));
}

static void granted_on_the_project(void **state)
{
    (void)state;
    world w = { .n = 0 };
    add(&w, "GET", RM_GET, 200, RM_NUMBER);
    add(&w, "GET", BUCKET_IAM, 403, DENIED);
    add(&w, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&w, "POST", PROJECT_IAM, 200, B1("roles/storage.objectViewer", MEMBER));
    outcome o = run_check(&w, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_GRANTED);
    assert_string_equal(o.r.granted_by, "roles/storage.objectViewer on project 123456789012 to "
                                        MEMBER);
    assert_string_equal(o.paths[3], "POST " PROJECT_IAM);
    assert_string_equal(o.first_post_body, "{\"options\":{\"requestedPolicyVersion\":3}}");
}

static void nothing_anywhere(void **state)
{
    (void)state;
    world w = { .n = 0 };
    add(&w, "GET", RM_GET, 200, RM_NUMBER);
    add(&w, "GET", BUCKET_IAM, 200, B1("roles/storage.legacyBucketReader", "allUsers"));
    add(&w, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&w, "POST", PROJECT_IAM, 200, NOTHING);
    outcome o = run_check(&w, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_NONE);
    assert_string_equal(o.r.why, "neither the bucket's IAM policy nor that of its project "
                                 "123456789012 grants it storage.objects.get and "
                                 "storage.objects.list (policies of folders and the "
                                 "organization are not read); it holds only storage.objects.list, "
                                 "through roles/storage.legacyBucketReader on the bucket to allUsers");
    assert_string_equal(o.r.hint, "gcloud storage buckets add-iam-policy-binding gs://scans "
                                  "--member=" MEMBER " --role=roles/storage.objectViewer");
}

static void policies_unread(void **state)
{
    (void)state;
    /* the bucket's policy denied, the project's grants nothing: not known */
    world w = { .n = 0 };
    add(&w, "GET", RM_GET, 200, RM_NUMBER);
    add(&w, "GET", BUCKET_IAM, 403, DENIED);
    add(&w, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&w, "POST", PROJECT_IAM, 200, NOTHING);
    outcome o = run_check(&w, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_UNKNOWN);
    assert_string_equal(o.r.why, "the bucket's IAM policy could not be read (HTTP 403 from "
                                 "buckets.getIamPolicy: caller does not have "
                                 "storage.buckets.getIamPolicy), and project 123456789012's "
                                 "policy grants it nothing that reads objects");
    /* an unread policy may well grant it: no command to grant it again */
    assert_string_equal(o.r.hint, "");
    /* the bucket's says nothing, the project's is denied */
    world v = { .n = 0 };
    add(&v, "GET", RM_GET, 200, RM_NUMBER);
    add(&v, "GET", BUCKET_IAM, 200, NOTHING);
    add(&v, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&v, "POST", PROJECT_IAM, 403, "{\"error\":{\"code\":403,\"message\":\"no\"}}");
    o = run_check(&v, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_UNKNOWN);
    assert_non_null(strstr(o.r.why, "the IAM policy of the bucket's project 123456789012 could "
                                    "not be read (HTTP 403 from projects.getIamPolicy: no)"));
    /* the bucket's project unknown (buckets.get says nothing of it) */
    world u = { .n = 0 };
    add(&u, "GET", RM_GET, 200, RM_NUMBER);
    add(&u, "GET", BUCKET_IAM, 200, NOTHING);
    add(&u, "GET", BUCKET_GET, 200, "{\"name\":\"scans\"}");
    o = run_check(&u, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_UNKNOWN);
    assert_non_null(strstr(o.r.why, "the bucket's project could not be learnt"));
    /* a policy that is not one */
    world x = { .n = 0 };
    add(&x, "GET", RM_GET, 200, RM_NUMBER);
    add(&x, "GET", BUCKET_IAM, 200, "{\"bindings\":7}");
    add(&x, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&x, "POST", PROJECT_IAM, 200, NOTHING);
    o = run_check(&x, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_UNKNOWN);
    assert_non_null(strstr(o.r.why, "buckets.getIamPolicy: the answer is not a policy"));
}

/* projectViewer:P on the bucket: decided by the agent's roles in P's policy. */
static void convenience_values(void **state)
{
    (void)state;
    static const char bucket_default[] =
        "{\"bindings\":[{\"role\":\"roles/storage.legacyBucketReader\",\"members\":["
        "\"projectViewer:test-project\"]},{\"role\":\"roles/storage.legacyObjectReader\","
        "\"members\":[\"projectViewer:test-project\"]}]}";
    world w = { .n = 0 };
    add(&w, "GET", RM_GET, 200, RM_NUMBER);
    add(&w, "GET", BUCKET_IAM, 200, bucket_default);
    add(&w, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&w, "POST", PROJECT_IAM, 200, NOTHING);
    outcome o = run_check(&w, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_NONE);
    world v = { .n = 0 };
    add(&v, "GET", RM_GET, 200, RM_NUMBER);
    add(&v, "GET", BUCKET_IAM, 200, bucket_default);
    add(&v, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&v, "POST", PROJECT_IAM, 200, B1("roles/viewer", MEMBER));
    o = run_check(&v, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_GRANTED);
    assert_non_null(strstr(o.r.granted_by, "to projectViewer:test-project"));
    /* a value naming another project cannot be decided */
    world u = { .n = 0 };
    add(&u, "GET", RM_GET, 200, RM_NUMBER);
    add(&u, "GET", BUCKET_IAM, 200, B1("roles/storage.objectViewer", "projectEditor:elsewhere"));
    add(&u, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&u, "POST", PROJECT_IAM, 200, B1("roles/editor", MEMBER));
    o = run_check(&u, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_UNDECIDED);
    assert_non_null(strstr(o.r.why, "projectEditor:elsewhere: the agent's roles on that project "
                                    "are not read"));
    /* by number, it is decided */
    world n = { .n = 0 };
    add(&n, "GET", RM_GET, 200, RM_NUMBER);
    add(&n, "GET", BUCKET_IAM, 200, B1("roles/storage.objectViewer", "projectEditor:123456789012"));
    add(&n, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&n, "POST", PROJECT_IAM, 200, B1("roles/editor", MEMBER));
    o = run_check(&n, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_GRANTED);
}

static void custom_roles(void **state)
{
    (void)state;
    static const char bucket[] = B1("projects/test-project/roles/importer", MEMBER);
    struct { int status; const char *body; int verdict; const char *why; } c[] = {
        { 200, "{\"includedPermissions\":[\"storage.objects.get\",\"storage.objects.list\"]}",
          GCSPLAN_ACCESS_GRANTED, NULL },
        { 200, "{\"includedPermissions\":[\"storage.objects.list\"]}", GCSPLAN_ACCESS_NONE, NULL },
        { 200, "{\"includedPermissions\":[\"storage.objects.get\",\"storage.objects.list\"],"
               "\"deleted\":true}", GCSPLAN_ACCESS_NONE, NULL },
        { 403, "{\"error\":{\"code\":403,\"message\":\"Permission iam.roles.get denied\"}}",
          GCSPLAN_ACCESS_UNDECIDED,
          "projects/test-project/roles/importer on the bucket to " MEMBER ": the role's "
          "permissions could not be read (HTTP 403 from roles.get: Permission iam.roles.get "
          "denied)" },
        { 200, "[]", GCSPLAN_ACCESS_UNDECIDED, "roles.get: the answer is not a role" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        world w = { .n = 0 };
        add(&w, "GET", RM_GET, 200, RM_NUMBER);
        add(&w, "GET", BUCKET_IAM, 200, bucket);
        add(&w, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
        add(&w, "POST", PROJECT_IAM, 200, NOTHING);
        add(&w, "GET", "/v1/projects/test-project/roles/importer", c[i].status, c[i].body);
        outcome o = run_check(&w, 0);
        assert_int_equal(o.r.verdict, c[i].verdict);
        if (c[i].why != NULL)
            assert_non_null(strstr(o.r.why, c[i].why));
        /* IAM is asked with the credentials */
        assert_string_equal(o.paths[4], "GET /v1/projects/test-project/roles/importer");
        assert_string_equal(o.auth_seen[4], "yes");
    }
    /* a role name that cannot go into a URL is not asked about */
    world w = { .n = 0 };
    add(&w, "GET", RM_GET, 200, RM_NUMBER);
    add(&w, "GET", BUCKET_IAM, 200, B1("projects/p/roles/../../x", MEMBER));
    add(&w, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&w, "POST", PROJECT_IAM, 200, NOTHING);
    outcome o = run_check(&w, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_UNDECIDED);
    assert_int_equal(o.requests, 4);
    assert_non_null(strstr(o.r.why, "not a role name IAM knows"));
}

static void conditional_and_groups(void **state)
{
    (void)state;
    world w = { .n = 0 };
    add(&w, "GET", RM_GET, 200, RM_NUMBER);
    add(&w, "GET", BUCKET_IAM, 200, B1("roles/storage.objectViewer", "group:importers@example.com"));
    add(&w, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&w, "POST", PROJECT_IAM, 200,
        "{\"bindings\":[{\"role\":\"roles/storage.objectViewer\",\"members\":[\"" MEMBER "\"],"
        "\"condition\":{\"title\":\"weekdays\",\"expression\":\"x\"}}]}");
    outcome o = run_check(&w, 0);
    /* a conditional grant is surer than a group's */
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_CONDITIONAL);
    assert_string_equal(o.r.granted_by, "roles/storage.objectViewer on project 123456789012 to "
                                        MEMBER " if 'weekdays'");
    world v = { .n = 0 };
    add(&v, "GET", RM_GET, 200, RM_NUMBER);
    add(&v, "GET", BUCKET_IAM, 200, "{\"bindings\":[{\"role\":\"roles/storage.objectViewer\","
        "\"members\":[\"group:a@example.com\",\"group:b@example.com\"]}]}");
    add(&v, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&v, "POST", PROJECT_IAM, 200, NOTHING);
    o = run_check(&v, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_UNDECIDED);
    assert_string_equal(o.r.why, "roles/storage.objectViewer on the bucket to group:a@example.com "
                                 "and 1 more group: group membership is not read");
}

static void retries_and_escapes(void **state)
{
    (void)state;
    world w = { .n = 0 };
    add(&w, "GET", RM_GET, 200, RM_NUMBER);
    w.routes[0].fail_first = 2; /* two 503s, then the answer */
    add(&w, "GET", BUCKET_IAM, 403, "{\"error\":{\"code\":403,\"message\":\"no \\u001b[2J\\u001b]0;"
        "title\\u0007 access\"}}");
    add(&w, "GET", BUCKET_GET, 200, BUCKET_NUMBER);
    add(&w, "POST", PROJECT_IAM, 200, NOTHING);
    outcome o = run_check(&w, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_UNKNOWN);
    assert_int_equal(o.requests, 6);
    assert_null(strchr(o.r.why, '\033'));
    assert_null(strchr(o.r.why, '\007'));
    /* retries spent: an answer too */
    world v = { .n = 0 };
    add(&v, "GET", RM_GET, 200, RM_NUMBER);
    v.routes[0].fail_first = 100;
    o = run_check(&v, 0);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.r.verdict, GCSPLAN_ACCESS_UNKNOWN);
    assert_non_null(strstr(o.r.why, "giving up after 3 attempts"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy_table),
        cmocka_unit_test(malformed_policies),
        cmocka_unit_test(what_a_scan_keeps),
        cmocka_unit_test(roles),
        cmocka_unit_test(granted_on_the_bucket),
        cmocka_unit_test(project_number_given),
        cmocka_unit_test(unknown_project),
        cmocka_unit_test(granted_on_the_project),
        cmocka_unit_test(nothing_anywhere),
        cmocka_unit_test(policies_unread),
        cmocka_unit_test(convenience_values),
        cmocka_unit_test(custom_roles),
        cmocka_unit_test(conditional_and_groups),
        cmocka_unit_test(retries_and_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
