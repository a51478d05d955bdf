/* The import runner (import.c) over the scripted transport, with a clock
 * that jumps instead of sleeping: every transition of a job's state
 * machine, the concurrency cap, 429 on submission delaying and never
 * failing a job, 503 and lost answers repeated within the budget, polls
 * backing off above the floor of a second, stop requests, resuming from
 * every state a journal can leave a job in, journals refused, and the
 * readers of what servers and journals send (Operations, journal lines,
 * RFC 3339 times). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "gcsplan/gcsplan.h"
#include "healthcare.h"
#include "import_internal.h"
#include "journal.h"
#include "rfc3339.h"
#include "scripted.h"
#include "test_support.h"
#include "util/clock.h"

#define DS "projects/p/locations/us/datasets/d"
#define DICOM DS "/dicomStores/s"
#define FHIR DS "/fhirStores/f"
#define T0 1714550400000LL /* 2024-05-01T08:00:00Z */

/* --- a plan ------------------------------------------------------------------------------ */

/* A plan of n jobs gs://bkt/jobNN**.dcm (one object each; "bad" in the
 * URI of those whose index is in bad, "err" in err). */
static gcsplan_plan_doc *make_plan(size_t n, const char *store, const char *cs, const char *tag)
{
    char *text = malloc(64 * n + 512);
    size_t len = (size_t)sprintf(text, "{\"uri\":\"gs://bkt/**\",\"objects\":%zu,\"bytes\":%zu,",
                                 n, n * 10);
    if (store)
        len += (size_t)sprintf(text + len, "\"store\":\"%s\",", store);
    if (cs)
        len += (size_t)sprintf(text + len, "\"content_structure\":\"%s\",", cs);
    len += (size_t)sprintf(text + len, "\"jobs\":[");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "%s{\"uri\":\"gs://bkt/%sjob%02zu**.dcm\",\"objects\":1,"
                                           "\"bytes\":10}",
                               i ? "," : "", tag ? tag : "", i + 1);
    len += (size_t)sprintf(text + len, "]}");
    gcsplan_plan_reader *r;
    gcsplan_plan_doc *doc = NULL;
    assert_int_equal(gcsplan_plan_reader_new(&r, NULL, NULL), 0);
    assert_int_equal(gcsplan_plan_reader_feed(r, text, len, NULL), 0);
    assert_int_equal(gcsplan_plan_reader_finish(r, &doc, NULL), 0);
    gcsplan_plan_reader_free(r);
    free(text);
    return doc;
}

/* --- a fake Cloud Healthcare API ---------------------------------------------------------- */

enum { P_OK, P_LOSE, P_429, P_503, P_500_MADE, P_400, P_404, P_401, P_CUT_MADE, P_NOCONN };
enum { G_OK, G_503, G_404, G_GARBAGE, G_OTHER };

typedef struct fop {
    char name[128];
    char uri[256];
    unsigned polls;
    int done;
} fop;

typedef struct fake {
    /* the clock */
    uint64_t offset;          /* ms added to the real monotonic clock */
    /* behaviour */
    int post_plan[64];        /* by POST ordinal (0-based); beyond: P_OK */
    int post_default;
    int get_plan[64];         /* by GET ordinal */
    unsigned polls_to_finish;
    const char *error_message;/* for URIs holding "err" */
    const char *logs_url;     /* NULL: the usual */
    /* what happened */
    fop ops[256];
    size_t nops;
    size_t posts, gets;
    size_t running, max_running; /* operations made and not done, known to the client */
    uint64_t post_at[256];    /* when each POST came */
    size_t running_at_post[256]; /* operations unfinished when it came */
    char post_body[64][512];
    char post_url[64][512];
    uint64_t poll_at[256][16];/* per operation, when each poll came */
    gcsplan_importer *stop_after_posts_imp;
    size_t stop_after_posts;
} fake;

static fake F;

static uint64_t v_now(void *ctx)
{
    fake *f = ctx;
    return gcsplan__clock_ms() + f->offset;
}

static int64_t v_wall(void *ctx)
{
    return T0 + (int64_t)v_now(ctx);
}

static void v_sleep(void *ctx, uint64_t ms)
{
    fake *f = ctx;
    f->offset += ms;
}

static char *fmt(const char *f, ...)
{
    char *s = malloc(4096);
    va_list ap;
    va_start(ap, f);
    vsnprintf(s, 4096, f, ap);
    va_end(ap);
    return s;
}

static void answer(script_reply *out, int status, char *owned)
{
    memset(out, 0, sizeof *out);
    out->status = status;
    out->owned = owned;
    out->body = owned;
}

static fop *make_op(fake *f, const char *body)
{
    fop *o = &f->ops[f->nops];
    snprintf(o->name, sizeof o->name, DS "/operations/%zu", 1000 + f->nops);
    const char *u = strstr(body, "\"uri\":\"");
    snprintf(o->uri, sizeof o->uri, "%s", u ? u + 7 : "");
    char *q = strchr(o->uri, '"');
    if (q)
        *q = '\0';
    f->nops++;
    return o;
}

static void serve_post(fake *f, const script_request *req, script_reply *out)
{
    size_t k = f->posts++;
    int kind = k < 64 && f->post_plan[k] ? f->post_plan[k] : f->post_default;
    f->post_at[k < 256 ? k : 255] = v_now(f);
    f->running_at_post[k < 256 ? k : 255] = f->running;
    if (k < 64) {
        snprintf(f->post_body[k], sizeof f->post_body[k], "%s", req->body ? req->body : "");
        snprintf(f->post_url[k], sizeof f->post_url[k], "%s", req->url);
    }
    if (f->stop_after_posts_imp != NULL && f->posts == f->stop_after_posts)
        gcsplan_importer_stop(f->stop_after_posts_imp);
    fop *o;
    switch (kind) {
    case P_OK:
    case P_LOSE:
    case P_500_MADE:
    case P_CUT_MADE:
        o = make_op(f, req->body);
        if (kind == P_OK) {
            f->running++;
            if (f->running > f->max_running)
                f->max_running = f->running;
            answer(out, 200, fmt("{\"name\":\"%s\",\"metadata\":{\"@type\":\"x\"}}", o->name));
        } else if (kind == P_LOSE) {
            answer(out, 0, NULL);
        } else if (kind == P_CUT_MADE) {
            answer(out, 200, fmt("{\"name\":\"%s\"}", o->name));
            out->cut = 5;
        } else {
            answer(out, 500, fmt("{\"error\":{\"code\":500,\"message\":\"Internal error\"}}"));
        }
        return;
    case P_NOCONN:
        answer(out, 0, NULL);
        out->not_sent = 1;
        return;
    case P_429:
        answer(out, 429, fmt("{\"error\":{\"code\":429,\"message\":\"Quota exceeded for quota "
                             "metric 'DICOM store long-running operations'\",\"status\":"
                             "\"RESOURCE_EXHAUSTED\"}}"));
        return;
    case P_503:
        answer(out, 503, fmt("{\"error\":{\"code\":503,\"message\":\"The service is currently "
                             "unavailable.\"}}"));
        return;
    case P_400:
        answer(out, 400, fmt("{\"error\":{\"code\":400,\"message\":\"the import pattern resolves "
                             "to zero GCS objects\",\"status\":\"FAILED_PRECONDITION\"}}"));
        return;
    case P_404:
        answer(out, 404, fmt("{\"error\":{\"code\":404,\"message\":\"Requested entity was not "
                             "found.\"}}"));
        return;
    default:
        answer(out, 401, fmt("{\"error\":{\"code\":401,\"message\":\"Request had invalid "
                             "authentication credentials.\"}}"));
        return;
    }
}

static void serve_get(fake *f, const script_request *req, script_reply *out)
{
    size_t k = f->gets++;
    int kind = k < 64 ? f->get_plan[k] : G_OK;
    const char *path = strstr(req->url, "/v1/");
    fop *o = NULL;
    for (size_t i = 0; path && i < f->nops; i++)
        if (strcmp(path + 4, f->ops[i].name) == 0)
            o = &f->ops[i];
    if (kind == G_503) {
        answer(out, 503, fmt("{\"error\":{\"code\":503,\"message\":\"busy\"}}"));
        return;
    }
    if (o == NULL || kind == G_404) {
        answer(out, 404, fmt("{\"error\":{\"code\":404,\"message\":\"not found\"}}"));
        return;
    }
    if (kind == G_GARBAGE) {
        answer(out, 200, fmt("{\"name\":\"%s\",\"done\":\"yes\"}", o->name));
        return;
    }
    if (kind == G_OTHER) {
        answer(out, 200, fmt("{\"name\":\"%s/x\"}", o->name));
        return;
    }
    size_t idx = (size_t)(o - f->ops);
    if (o->polls < 16 && idx < 256)
        f->poll_at[idx][o->polls] = v_now(f);
    o->polls++;
    const char *logs = f->logs_url ? f->logs_url
                                   : "https://console.cloud.google.com/logs/query;query=x";
    if (o->polls <= f->polls_to_finish) {
        answer(out, 200, fmt("{\"name\":\"%s\",\"metadata\":{\"logsUrl\":\"%s\",\"counter\":"
                             "{\"success\":\"%u\"}}}", o->name, logs, o->polls));
        return;
    }
    if (!o->done) {
        o->done = 1;
        f->running--;
    }
    if (strstr(o->uri, "err") != NULL) {
        answer(out, 200, fmt("{\"name\":\"%s\",\"done\":true,\"metadata\":{\"logsUrl\":\"%s\","
                             "\"counter\":{\"failure\":\"3\"},\"createTime\":"
                             "\"2024-05-01T08:00:01.5Z\",\"endTime\":\"2024-05-01T09:00:00Z\"},"
                             "\"error\":{\"code\":3,\"message\":\"%s\"}}",
                             o->name, logs, f->error_message ? f->error_message : "failed"));
    } else if (strstr(o->uri, "bad") != NULL) {
        answer(out, 200, fmt("{\"name\":\"%s\",\"done\":true,\"metadata\":{\"logsUrl\":\"%s\","
                             "\"counter\":{\"success\":\"7\",\"failure\":\"2\"}},\"response\":{}}",
                             o->name, logs));
    } else {
        answer(out, 200, fmt("{\"name\":\"%s\",\"done\":true,\"metadata\":{\"logsUrl\":\"%s\","
                             "\"counter\":{\"success\":\"1\"}},\"response\":{\"@type\":\"t\"}}",
                             o->name, logs));
    }
}

static void serve(void *ctx, const script_request *req, script_reply *out)
{
    fake *f = ctx;
    if (strcmp(req->method, "POST") == 0)
        serve_post(f, req, out);
    else
        serve_get(f, req, out);
}

/* Whether body was POSTed. */
static int posted(const fake *f, const char *body)
{
    for (size_t k = 0; k < f->posts && k < 64; k++)
        if (strcmp(f->post_body[k], body) == 0)
            return 1;
    return 0;
}

/* --- running ------------------------------------------------------------------------------- */

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    snprintf(dir, sizeof dir, "/tmp/gcsplan-import-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/journal", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    char p2[160];
    snprintf(p2, sizeof p2, "%s/other", dir);
    unlink(p2);
    rmdir(dir);
    return 0;
}

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

typedef struct seen {
    size_t jobs_told, notes;
    char note[512];
    int states_seen[GCSPLAN_IMPORT_STATES];
    size_t progress_calls;
} seen;

static void on_job(const gcsplan_import_job *job, void *payload)
{
    seen *s = payload;
    s->jobs_told++;
    s->states_seen[job->state]++;
}

static void on_note(const char *m, void *payload)
{
    seen *s = payload;
    s->notes++;
    snprintf(s->note, sizeof s->note, "%s", m);
}

static void on_progress(const gcsplan_import_totals *t, void *payload)
{
    seen *s = payload;
    (void)t;
    s->progress_calls++;
}

typedef struct run_cfg {
    unsigned concurrency, poll_ms;
    int retries;
    unsigned flags;
    const char *store, *cs;
    const char *journal;
} run_cfg;

static script_transport *ST;
static unsigned RETRY_BASE; /* the API client's first retry wait; 0: its 2 s */
static gcsplan__auth *AUTH;

static const char *token_env(const char *name)
{
    return strcmp(name, "GOOGLE_OAUTH_ACCESS_TOKEN") == 0 ? "ya29.test-token-for-import" : NULL;
}

static int new_importer(gcsplan_importer **imp, gcsplan_plan_doc *plan, const run_cfg *c,
                        seen *s, gcsplan_error *err)
{
    if (ST == NULL)
        ST = script_new(serve, &F, 7);
    if (AUTH == NULL) {
        gcsplan__auth_config ac;
        memset(&ac, 0, sizeof ac);
        ac.getenv_fn = token_env;
        assert_int_equal(gcsplan__auth_new(&AUTH, NULL, &ac, NULL), 0);
    }
    gcsplan_import_options o = GCSPLAN_IMPORT_OPTIONS_INIT;
    o.journal = c->journal ? c->journal : path;
    o.concurrency = c->concurrency;
    o.poll_interval_ms = c->poll_ms ? c->poll_ms : 10000;
    o.retries = c->retries ? c->retries : -1;
    o.flags = c->flags;
    o.store = c->store;
    o.content_structure = c->cs;
    o.api_endpoint = "http://127.0.0.1:9/";
    o.on_job = on_job;
    o.on_note = on_note;
    o.on_progress = on_progress;
    o.payload = s;
    gcsplan__import_hooks h;
    memset(&h, 0, sizeof h);
    h.transport = script_base(ST);
    h.auth = AUTH;
    h.getenv_fn = no_env;
    h.now_ms = v_now;
    h.wall_ms = v_wall;
    h.sleep_ms = v_sleep;
    h.ctx = &F;
    h.retry_base_ms = RETRY_BASE;
    h.seed = 42;
    return gcsplan__importer_new_with(imp, plan, &o, &h, err);
}

/* A whole run: its return code, with the importer kept for inspection. */
static int run(gcsplan_importer **imp, gcsplan_plan_doc *plan, const run_cfg *c, seen *s,
               gcsplan_error *err)
{
    memset(s, 0, sizeof *s);
    int rc = new_importer(imp, plan, c, s, err);
    if (rc != 0)
        return rc;
    return gcsplan_importer_run(*imp, err);
}

static void done_with(void)
{
    script_free(ST);
    ST = NULL;
    gcsplan__auth_free(AUTH);
    AUTH = NULL;
}

/* The journal's lines. */
static size_t journal_lines(char lines[][1024], size_t max)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = 0;
    while (n < max && fgets(lines[n], 1024, fp) != NULL)
        n++;
    fclose(fp);
    return n;
}

static size_t count_lines_with(const char *needle)
{
    static char lines[512][1024];
    size_t n = journal_lines(lines, 512), k = 0;
    for (size_t i = 0; i < n; i++)
        k += strstr(lines[i], needle) != NULL;
    return k;
}

static void write_file(const char *p, const char *text)
{
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static gcsplan_import_job job_of(gcsplan_importer *imp, size_t i)
{
    gcsplan_import_job j;
    assert_int_equal(gcsplan_importer_job(imp, i, &j), 0);
    return j;
}

/* --- the state machine -------------------------------------------------------------------- */

static void test_every_job_succeeds(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(7, DICOM, NULL, NULL);
    F.polls_to_finish = 2;
    run_cfg c = { 3, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_int_equal(F.posts, 7);
    assert_true(F.max_running <= 3);
    assert_int_equal(F.max_running, 3);
    assert_string_equal(F.post_url[0], "http://127.0.0.1:9/v1/" DICOM ":import");
    /* The scripted network answers in any order: find job 1's body. */
    assert_true(posted(&F, "{\"gcsSource\":{\"uri\":\"gs://bkt/job01**.dcm\"}}"));
    /* Each operation polled until done: 2 running answers, then done. */
    assert_int_equal(F.gets, 7 * 3);
    gcsplan_import_totals t;
    gcsplan_importer_totals(imp, &t);
    assert_int_equal(t.states[GCSPLAN_IMPORT_SUCCEEDED], 7);
    assert_int_equal(t.success, 7);
    assert_int_equal(t.failure, 0);
    assert_int_equal(t.objects_finished, 7);
    assert_int_equal(t.objects_finished_here, 7);
    for (size_t i = 0; i < 7; i++) {
        gcsplan_import_job j = job_of(imp, i);
        assert_int_equal(j.state, GCSPLAN_IMPORT_SUCCEEDED);
        assert_non_null(j.operation);
        assert_int_equal(j.submissions, 1);
        assert_int_equal(j.lost, 0);
        assert_non_null(j.logs_url);
        assert_true(j.done_ms >= j.submitted_ms && j.submitted_ms > T0);
    }
    /* waiting -> submitting -> running (twice more with counters) -> succeeded */
    assert_int_equal(s.states_seen[GCSPLAN_IMPORT_SUBMITTING], 7);
    assert_int_equal(s.states_seen[GCSPLAN_IMPORT_RUNNING], 7 * 3);
    assert_int_equal(s.states_seen[GCSPLAN_IMPORT_SUCCEEDED], 7);
    assert_true(s.progress_calls >= 2);
    /* The journal: a header, then per job submitting, submitted and done. */
    assert_int_equal(count_lines_with("\"journal\":\"gcsplan import\""), 1);
    assert_int_equal(count_lines_with("\"event\":\"submitting\""), 7);
    assert_int_equal(count_lines_with("\"event\":\"submitted\""), 7);
    assert_int_equal(count_lines_with("\"state\":\"succeeded\""), 7);
    gcsplan_journal_info info;
    assert_int_equal(gcsplan_journal_read(path, plan, NULL, NULL, NULL, &info, &err), 0);
    assert_int_equal(info.lines, 22);
    assert_false(info.torn);
    /* Run again: nothing is submitted or polled, everything is known. */
    gcsplan_importer_free(imp);
    size_t posts = F.posts, gets = F.gets;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_int_equal(F.posts, posts);
    assert_int_equal(F.gets, gets);
    gcsplan_importer_totals(imp, &t);
    assert_int_equal(t.states[GCSPLAN_IMPORT_SUCCEEDED], 7);
    assert_int_equal(t.objects_finished_here, 0);
    gcsplan_importer_free(imp);
    gcsplan_plan_doc_free(plan);
    done_with();
}

static void test_partial_and_failed(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(1, DICOM, NULL, "bad");
    gcsplan_plan_doc *plan2 = make_plan(1, DICOM, NULL, "err");
    F.polls_to_finish = 0;
    /* The server's words pass through the masking: a token-shaped string
     * and terminal controls never reach the job, the journal or a screen. */
    F.error_message = "invalid_argument: one failed \\u001b]0;x\\u0007 ya29.a0AfH6SMBsecretsecretsecret";
    run_cfg c = { 2, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    gcsplan_import_job j = job_of(imp, 0);
    assert_int_equal(j.state, GCSPLAN_IMPORT_PARTIAL);
    assert_int_equal(j.success, 7);
    assert_int_equal(j.failure, 2);
    assert_null(j.error);
    gcsplan_importer_free(imp);
    char other[160];
    snprintf(other, sizeof other, "%s/other", dir);
    c.journal = other;
    assert_int_equal(run(&imp, plan2, &c, &s, &err), 0);
    j = job_of(imp, 0);
    assert_int_equal(j.state, GCSPLAN_IMPORT_FAILED);
    assert_int_equal(j.error_code, 3);
    assert_int_equal(j.failure, 3);
    assert_non_null(j.error);
    assert_null(strstr(j.error, "ya29."));
    assert_null(strchr(j.error, '\x1b'));
    assert_non_null(strstr(j.error, "invalid_argument: one failed"));
    /* The operation's own endTime is when it finished. */
    assert_int_equal(j.done_ms, T0 + 3600 * 1000);
    FILE *fp = fopen(other, "r");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    assert_null(strstr(buf, "ya29."));
    assert_non_null(strstr(buf, "\"end_time\":\"2024-05-01T09:00:00.000Z\""));
    assert_non_null(strstr(buf, "\"create_time\":\"2024-05-01T08:00:01.500Z\""));
    gcsplan_importer_free(imp);
    gcsplan_plan_doc_free(plan);
    gcsplan_plan_doc_free(plan2);
    done_with();
}

/* A FHIR store gets the content structure in every body: given, or the
 * plan's; a DICOM store none, and refuses one. */
static void test_fhir_bodies(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(2, FHIR, "RESOURCE", NULL);
    run_cfg c = { 2, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_string_equal(F.post_url[0], "http://127.0.0.1:9/v1/" FHIR ":import");
    assert_true(posted(&F, "{\"contentStructure\":\"RESOURCE\",\"gcsSource\":{\"uri\":\"gs://bkt/"
                           "job01**.dcm\"}}"));
    assert_string_equal(gcsplan_importer_content_structure(imp), "RESOURCE");
    gcsplan_importer_free(imp);
    /* Another content structure than the journal's is refused. */
    c.cs = "BUNDLE_PRETTY";
    assert_int_equal(run(&imp, plan, &c, &s, &err), GCSPLAN_EJOURNAL);
    assert_non_null(strstr(err.message, "RESOURCE"));
    unlink(path);
    F.posts = 0;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_non_null(strstr(F.post_body[0], "\"contentStructure\":\"BUNDLE_PRETTY\""));
    gcsplan_importer_free(imp);
    unlink(path);
    /* A DICOM store: no content structure, and none may be given. */
    c.store = DICOM;
    c.cs = "BUNDLE";
    assert_int_equal(run(&imp, plan, &c, &s, &err), GCSPLAN_EINVAL);
    c.cs = NULL;
    F.posts = 0;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_true(posted(&F, "{\"gcsSource\":{\"uri\":\"gs://bkt/job01**.dcm\"}}"));
    gcsplan_importer_free(imp);
    /* No store at all. */
    gcsplan_plan_doc *bare = make_plan(1, NULL, NULL, NULL);
    unlink(path);
    c.store = NULL;
    assert_int_equal(run(&imp, bare, &c, &s, &err), GCSPLAN_EINVAL);
    assert_non_null(strstr(err.message, "no store"));
    gcsplan_plan_doc_free(bare);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* A submission refused for its job alone fails that job; the run goes on. */
static void test_refused_submission_fails_the_job(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(3, DICOM, NULL, NULL);
    F.post_plan[1] = P_400;
    run_cfg c = { 1, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    gcsplan_import_job j = job_of(imp, 1);
    assert_int_equal(j.state, GCSPLAN_IMPORT_FAILED);
    assert_int_equal(j.http_status, 400);
    assert_null(j.operation);
    assert_non_null(strstr(j.error, "resolves to zero GCS objects"));
    assert_int_equal(job_of(imp, 2).state, GCSPLAN_IMPORT_SUCCEEDED);
    assert_int_equal(F.posts, 3);
    gcsplan_importer_free(imp);
    /* --retry-failed submits it again; the others are not touched. */
    c.flags = GCSPLAN_IMPORT_RETRY_FAILED;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_int_equal(F.posts, 4);
    assert_string_equal(F.post_body[3], "{\"gcsSource\":{\"uri\":\"gs://bkt/job02**.dcm\"}}");
    j = job_of(imp, 1);
    assert_int_equal(j.state, GCSPLAN_IMPORT_SUCCEEDED);
    assert_int_equal(j.submissions, 2);
    assert_null(j.error);
    assert_int_equal(j.http_status, 0);
    gcsplan_importer_free(imp);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* 429 on submission: the job waits, never fails, whatever the budget. */
static void test_quota_delays(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(3, DICOM, NULL, NULL);
    for (int k = 0; k < 12; k++)
        F.post_plan[k] = P_429;
    F.polls_to_finish = 1;
    run_cfg c = { 2, 0, 2, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    gcsplan_import_totals t;
    gcsplan_importer_totals(imp, &t);
    assert_int_equal(t.states[GCSPLAN_IMPORT_SUCCEEDED], 3);
    assert_int_equal(F.posts, 12 + 3);
    assert_int_equal(count_lines_with("\"http_status\":429"), 12);
    assert_int_equal(count_lines_with("\"event\":\"deferred\""), 12);
    /* After a 429 the run holds its submissions: no two 429s within the
     * first wait (2 s, drawn down to 1 s) of each other; the two slots'
     * submissions after one wait go together (within 250 ms: the clock is
     * the real one, and a loaded sanitizer build is slow). */
    for (int k = 1; k < 12; k++)
        assert_true(F.post_at[k] - F.post_at[k - 1] >= 1000 ||
                    F.post_at[k] - F.post_at[k - 1] <= 250);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(job_of(imp, i).lost, 0);
    gcsplan_importer_free(imp);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* 503, or no connection at all: no operation was made; repeated within
 * the budget, and nothing counted lost. */
static void test_unavailable_retried_then_budget(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(1, DICOM, NULL, NULL);
    F.post_plan[0] = P_503;
    F.post_plan[1] = P_NOCONN;
    run_cfg c = { 1, 0, 3, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_int_equal(F.posts, 3);
    assert_true(F.post_at[1] - F.post_at[0] >= 500);
    gcsplan_import_job j = job_of(imp, 0);
    assert_int_equal(j.state, GCSPLAN_IMPORT_SUCCEEDED);
    assert_int_equal(j.submissions, 3);
    assert_int_equal(j.lost, 0);
    assert_int_equal(count_lines_with("\"event\":\"deferred\""), 2);
    gcsplan_importer_free(imp);
    /* Past the budget the run stops: exit status 3 in the tool. */
    unlink(path);
    F.posts = 0;
    F.post_default = P_503;
    memset(F.post_plan, 0, sizeof F.post_plan);
    assert_int_equal(run(&imp, plan, &c, &s, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "job 1: giving up after 4 submissions: HTTP 503"));
    assert_int_equal(F.posts, 4);
    assert_int_equal(job_of(imp, 0).state, GCSPLAN_IMPORT_WAITING);
    gcsplan_importer_free(imp);
    /* The journal holds it all: the same run continues once the service is back. */
    F.post_default = P_OK;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_int_equal(job_of(imp, 0).submissions, 5);
    gcsplan_importer_free(imp);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* An answer that never arrived: the operation may exist. Submitted again
 * (the only duplicate there can be) and counted. A 500 after the operation
 * was made, or a body cut short, counts the same. */
static void test_lost_answers(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(3, DICOM, NULL, NULL);
    F.post_plan[0] = P_LOSE;
    F.post_plan[1] = P_500_MADE;
    F.post_plan[2] = P_CUT_MADE;
    run_cfg c = { 1, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    /* One slot: each job in turn loses its answer, then all go again. */
    for (size_t i = 0; i < 3; i++) {
        gcsplan_import_job j = job_of(imp, i);
        assert_int_equal(j.state, GCSPLAN_IMPORT_SUCCEEDED);
        assert_int_equal(j.lost, 1);
        assert_int_equal(j.submissions, 2);
    }
    assert_int_equal(F.nops, 3 + 3);
    gcsplan_import_totals t;
    gcsplan_importer_totals(imp, &t);
    assert_int_equal(t.lost_jobs, 3);
    assert_int_equal(count_lines_with("\"event\":\"lost\""), 3);
    gcsplan_importer_free(imp);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* Polls: the interval, then half again longer each time, never more often
 * than once a second whatever the interval. */
static void test_poll_backoff_and_floor(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(2, DICOM, NULL, NULL);
    F.polls_to_finish = 6;
    run_cfg c = { 2, 10000, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    double want = 10000;
    for (unsigned k = 0; k < 7; k++) {
        uint64_t since = k == 0 ? F.post_at[0] : F.poll_at[0][k - 1];
        uint64_t gap = F.poll_at[0][k] - since;
        double w = want < 60000 ? want : 60000;
        assert_true(gap >= (uint64_t)(0.9 * w) - 1 && gap <= (uint64_t)w + 300);
        want *= 1.5;
    }
    gcsplan_importer_free(imp);
    /* A tiny interval meets the floor. */
    unlink(path);
    memset(&F, 0, sizeof F);
    F.polls_to_finish = 4;
    c.poll_ms = 10;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    for (size_t op = 0; op < 2; op++)
        for (unsigned k = 1; k < 5; k++)
            assert_true(F.poll_at[op][k] - F.poll_at[op][k - 1] >= 1000);
    gcsplan_importer_free(imp);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* A poll that meets a 503 is repeated by the API client, a second or more
 * later; one that meets a malformed answer likewise; a 404 fails the job
 * (the operation is gone); retries exhausted stop the run. */
static void test_poll_faults(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(1, DICOM, NULL, NULL);
    F.get_plan[0] = G_503;
    run_cfg c = { 1, 10, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    uint64_t t0 = gcsplan__clock_ms();
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_true(gcsplan__clock_ms() - t0 >= 1000); /* the client's first wait */
    assert_int_equal(F.gets, 2);
    assert_int_equal(job_of(imp, 0).state, GCSPLAN_IMPORT_SUCCEEDED);
    gcsplan_importer_free(imp);
    /* Answers that are not the operation asked for are retried too (with
     * short waits here, to keep the test short). */
    RETRY_BASE = 10;
    unlink(path);
    memset(&F, 0, sizeof F);
    F.get_plan[0] = G_GARBAGE;
    F.get_plan[1] = G_OTHER;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_int_equal(F.gets, 3);
    assert_int_equal(job_of(imp, 0).state, GCSPLAN_IMPORT_SUCCEEDED);
    gcsplan_importer_free(imp);
    unlink(path);
    memset(&F, 0, sizeof F);
    F.get_plan[0] = G_404;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    gcsplan_import_job j = job_of(imp, 0);
    assert_int_equal(j.state, GCSPLAN_IMPORT_FAILED);
    assert_int_equal(j.http_status, 404);
    assert_non_null(strstr(j.error, "30 days"));
    assert_non_null(j.operation);
    gcsplan_importer_free(imp);
    unlink(path);
    memset(&F, 0, sizeof F);
    for (int k = 0; k < 64; k++)
        F.get_plan[k] = G_503;
    c.retries = 1;
    assert_int_equal(run(&imp, plan, &c, &s, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "polling job 1: giving up after 2 attempts"));
    assert_int_equal(job_of(imp, 0).state, GCSPLAN_IMPORT_RUNNING);
    gcsplan_importer_free(imp);
    /* The same command continues: the job is polled, never submitted again. */
    memset(F.get_plan, 0, sizeof F.get_plan);
    size_t posts = F.posts;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_int_equal(F.posts, posts);
    assert_int_equal(job_of(imp, 0).state, GCSPLAN_IMPORT_SUCCEEDED);
    gcsplan_importer_free(imp);
    gcsplan_plan_doc_free(plan);
    RETRY_BASE = 0;
    done_with();
}

/* Errors every job would meet stop the run at once: the store does not
 * exist, credentials refused. */
static void test_run_stopping_errors(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(4, DICOM, NULL, NULL);
    F.post_default = P_404;
    run_cfg c = { 2, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "HTTP 404 from dicomStores.import"));
    assert_true(F.posts <= 2);
    assert_int_equal(count_lines_with("\"http_status\":404"), (size_t)F.posts);
    gcsplan_importer_free(imp);
    F.post_default = P_401;
    F.posts = 0;
    assert_int_equal(run(&imp, plan, &c, &s, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "HTTP 401"));
    gcsplan_importer_free(imp);
    /* Nothing lost, nothing to fear: the next run submits them all. */
    F.post_default = P_OK;
    F.posts = 0;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_int_equal(F.posts, 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(job_of(imp, i).lost, 0);
    gcsplan_importer_free(imp);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* A stop request: no submission after it; the answer in flight is awaited
 * and journaled; a new run polls what was submitted and submits the rest. */
static void test_stop_request(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(6, DICOM, NULL, NULL);
    F.polls_to_finish = 3;
    run_cfg c = { 3, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    memset(&s, 0, sizeof s);
    /* Asked before the run: nothing is submitted. */
    assert_int_equal(new_importer(&imp, plan, &c, &s, &err), 0);
    gcsplan_importer_stop(imp);
    assert_int_equal(gcsplan_importer_run(imp, &err), GCSPLAN_ESTOPPED);
    assert_int_equal(F.posts, 0);
    gcsplan_importer_free(imp);
    assert_int_equal(new_importer(&imp, plan, &c, &s, &err), 0);
    F.stop_after_posts_imp = imp;
    F.stop_after_posts = 2;
    assert_int_equal(gcsplan_importer_run(imp, &err), GCSPLAN_ESTOPPED);
    /* The third submission was already on its way when the second's answer
     * came in the same round, or not: at most the concurrency. */
    size_t posts = F.posts;
    assert_true(posts >= 2 && posts <= 3);
    assert_int_equal(count_lines_with("\"event\":\"submitted\""), posts);
    gcsplan_import_totals t;
    gcsplan_importer_totals(imp, &t);
    assert_int_equal(t.states[GCSPLAN_IMPORT_RUNNING], posts);
    assert_int_equal(t.states[GCSPLAN_IMPORT_WAITING], 6 - posts);
    /* A run runs once. */
    assert_int_equal(gcsplan_importer_run(imp, &err), GCSPLAN_EINVAL);
    gcsplan_importer_free(imp);
    F.stop_after_posts_imp = NULL;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    assert_int_equal(F.posts, 6);
    assert_int_equal(F.nops, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(job_of(imp, i).submissions, 1);
        assert_int_equal(job_of(imp, i).state, GCSPLAN_IMPORT_SUCCEEDED);
    }
    gcsplan_importer_free(imp);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* --- resuming from every state ------------------------------------------------------------ */

static char *header_for(const gcsplan_plan_doc *plan, const char *store)
{
    return fmt("{\"journal\":\"gcsplan import\",\"version\":1,\"plan_digest\":\"%016llx\","
               "\"jobs\":%zu,\"store\":\"%s\",\"time\":\"2024-05-01T08:00:00.000Z\"}\n",
               (unsigned long long)gcsplan_plan_doc_digest(plan),
               gcsplan_plan_doc_job_count(plan), store);
}

#define REC(job, rest) "{\"time\":\"2024-05-01T08:00:01.000Z\",\"job\":" #job ",\"event\":" rest "}\n"

static void test_resume_from_every_state(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(7, DICOM, NULL, NULL);
    /* Operations the fake knows: 1000 for job 2, 1001 for job 6 (made by a
     * submission whose answer was lost). */
    make_op(&F, "{\"uri\":\"gs://bkt/job02**.dcm\"}");
    make_op(&F, "{\"uri\":\"gs://bkt/job06**.dcm\"}");
    F.running = 1;
    char *h = header_for(plan, DICOM);
    char *j = fmt("%s"
                  REC(1, "\"submitting\",\"uri\":\"gs://bkt/job01**.dcm\"")
                  REC(2, "\"submitting\",\"uri\":\"gs://bkt/job02**.dcm\"")
                  REC(2, "\"submitted\",\"operation\":\"" DS "/operations/1000\"")
                  REC(3, "\"submitting\",\"uri\":\"gs://bkt/job03**.dcm\"")
                  REC(3, "\"submitted\",\"operation\":\"" DS "/operations/999\"")
                  REC(3, "\"done\",\"state\":\"succeeded\",\"operation\":\"" DS "/operations/999\","
                         "\"success\":1,\"failure\":0")
                  REC(4, "\"submitting\",\"uri\":\"gs://bkt/job04**.dcm\"")
                  REC(4, "\"done\",\"state\":\"failed\",\"http_status\":400,\"error\":\"no\"")
                  REC(5, "\"submitting\",\"uri\":\"gs://bkt/job05**.dcm\"")
                  REC(5, "\"deferred\",\"http_status\":429")
                  REC(6, "\"submitting\",\"uri\":\"gs://bkt/job06**.dcm\"")
                  REC(6, "\"lost\",\"error\":\"connection failed\""),
                  h);
    write_file(path, j);
    run_cfg c = { 5, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    /* Job 1 had no answer: lost, submitted again (and said so). Job 2 is
     * only polled. Job 3 is done. Job 4 failed and stays so. Jobs 5, 6
     * wait and are submitted, and job 7 for the first time. */
    assert_int_equal(F.posts, 4);
    const char *want[] = { "job01", "job05", "job06", "job07" };
    for (int k = 0; k < 4; k++) {
        char b[128];
        snprintf(b, sizeof b, "{\"gcsSource\":{\"uri\":\"gs://bkt/%s**.dcm\"}}", want[k]);
        assert_true(posted(&F, b));
    }
    assert_int_equal(F.ops[0].polls, 1);
    assert_int_equal(s.notes, 1);
    assert_non_null(strstr(s.note, "1 submission of an earlier run had no journaled answer"));
    assert_int_equal(job_of(imp, 0).lost, 1);
    assert_int_equal(job_of(imp, 0).submissions, 2);
    assert_int_equal(job_of(imp, 1).submissions, 1);
    assert_int_equal(job_of(imp, 2).state, GCSPLAN_IMPORT_SUCCEEDED);
    assert_int_equal(job_of(imp, 3).state, GCSPLAN_IMPORT_FAILED);
    assert_int_equal(job_of(imp, 5).lost, 1);
    assert_int_equal(count_lines_with("found so on resume"), 1);
    gcsplan_import_totals t;
    gcsplan_importer_totals(imp, &t);
    assert_int_equal(t.lost_jobs, 2);
    assert_int_equal(t.states[GCSPLAN_IMPORT_SUCCEEDED], 6);
    gcsplan_importer_free(imp);
    free(h);
    free(j);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* Journaled operations still running count toward the concurrency. */
static void test_resumed_operations_count(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(4, DICOM, NULL, NULL);
    for (int k = 0; k < 3; k++) {
        char b[64];
        snprintf(b, sizeof b, "{\"uri\":\"gs://bkt/job%02d**.dcm\"}", k + 1);
        make_op(&F, b);
    }
    F.running = 3;
    F.polls_to_finish = 2;
    char *h = header_for(plan, DICOM);
    char *j = fmt("%s"
                  REC(1, "\"submitting\",\"uri\":\"gs://bkt/job01**.dcm\"")
                  REC(1, "\"submitted\",\"operation\":\"" DS "/operations/1000\"")
                  REC(2, "\"submitting\",\"uri\":\"gs://bkt/job02**.dcm\"")
                  REC(2, "\"submitted\",\"operation\":\"" DS "/operations/1001\"")
                  REC(3, "\"submitting\",\"uri\":\"gs://bkt/job03**.dcm\"")
                  REC(3, "\"submitted\",\"operation\":\"" DS "/operations/1002\""),
                  h);
    write_file(path, j);
    run_cfg c = { 2, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    assert_int_equal(run(&imp, plan, &c, &s, &err), 0);
    /* Job 4 waited until fewer than 2 were unfinished: after two finished. */
    assert_int_equal(F.posts, 1);
    assert_true(F.running_at_post[0] <= 1);
    gcsplan_importer_free(imp);
    free(h);
    free(j);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* --- journals refused, and a torn last line -------------------------------------------- */

static void test_journals_refused(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(3, DICOM, NULL, NULL);
    gcsplan_plan_doc *other = make_plan(3, DICOM, NULL, "o");
    run_cfg c = { 1, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *imp;
    gcsplan_error err;
    char *h = header_for(other, DICOM);
    write_file(path, h);
    assert_int_equal(run(&imp, plan, &c, &s, &err), GCSPLAN_EJOURNAL);
    assert_non_null(strstr(err.message, "journal line 1: the journal of another plan"));
    free(h);
    h = header_for(plan, DICOM);
    struct { const char *lines; const char *says; } bad[] = {
        { "not json\n", "journal line 2: not a JSON object" },
        { REC(1, "\"submitting\",\"uri\":\"gs://bkt/job02**.dcm\""), "URI is not the plan's" },
        { REC(4, "\"submitting\",\"uri\":\"gs://bkt/job04**.dcm\""), "job 4 of a plan of 3" },
        { REC(1, "\"submitted\",\"operation\":\"" DS "/operations/1\""), "which is waiting" },
        { REC(1, "\"submitting\",\"uri\":\"gs://bkt/job01**.dcm\",\"x\":1"), "unknown key" },
        { REC(1, "\"submitting\",\"uri\":\"gs://bkt/job01**.dcm\",\"uri\":\"a\""), "twice" },
        { REC(1, "\"submitting\",\"uri\":\"gs://bkt/job01**.dcm\"")
          REC(1, "\"submitted\",\"operation\":\"projects/q/locations/us/datasets/d/operations/1\""),
          "dataset" },
        { REC(1, "\"submitting\",\"uri\":\"gs://bkt/job01**.dcm\"")
          REC(1, "\"done\",\"state\":\"succeeded\""), "which is submitting" },
        { "\n", "journal line 2: not a JSON object" },
        { "{\"time\":\"2024-05-01 08:00:01Z\",\"job\":1,\"event\":\"lost\"}\n", "\"time\"" },
        { "{\"time\":\"2024-05-01T08:00:01.000Z\",\"job\":1,\"event\":[1]}\n", "flat" },
        /* fuzz_journal: a key holding a newline made a message of two lines. */
        { "{\"ti\\nme\":1}\n", "unknown key \"ti\\x0Ame\"" },
        /* fuzz_journal: a value yajl decodes to bytes that are not UTF-8 was
         * written back otherwise than it was read. */
        { REC(1, "\"submitting\",\"uri\":\"gs://bkt/job01**.dcm\\udc00\""),
          "\"uri\" is not UTF-8" },
        { REC(1, "\"submitting\",\"uri\":\"gs://bkt/job01**.dcm\"")
          "{\"time\":\"2024-05-01T08:00:01.000Z\",\"job\":1,\"event\":\"lost\"}\n"
          "{\"time\":\"2024", "" /* a torn last line: not refused */ },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char *text = fmt("%s%s", h, bad[k].lines);
        write_file(path, text);
        int rc = run(&imp, plan, &c, &s, &err);
        if (bad[k].says[0] == '\0') {
            assert_int_equal(rc, 0);
            assert_int_equal(s.notes, 1);
            assert_non_null(strstr(s.note, "cut short"));
            gcsplan_importer_free(imp);
            /* Cut off, and the journal reads clean now. */
            gcsplan_journal_info info;
            assert_int_equal(gcsplan_journal_read(path, plan, NULL, NULL, NULL, &info, &err), 0);
            assert_false(info.torn);
        } else {
            if (rc != GCSPLAN_EJOURNAL || strstr(err.message, bad[k].says) == NULL)
                fail_msg("case %zu: %d %s", k, rc, err.message);
        }
        free(text);
    }
    /* A line over the bound. */
    char *longline = malloc(GCSPLAN_JOURNAL_LINE_MAX + 200);
    memset(longline, ' ', GCSPLAN_JOURNAL_LINE_MAX + 100);
    longline[GCSPLAN_JOURNAL_LINE_MAX + 100] = '\0';
    char *text = fmt("%s", h);
    write_file(path, text);
    FILE *fp = fopen(path, "a");
    fputs(longline, fp);
    fputs("{}\n", fp);
    fclose(fp);
    assert_int_equal(run(&imp, plan, &c, &s, &err), GCSPLAN_EJOURNAL);
    assert_non_null(strstr(err.message, "longer than 65536 bytes"));
    free(longline);
    free(text);
    /* Another store's journal. */
    free(h);
    h = header_for(plan, DS "/dicomStores/other");
    write_file(path, h);
    assert_int_equal(run(&imp, plan, &c, &s, &err), GCSPLAN_EJOURNAL);
    assert_non_null(strstr(err.message, "dicomStores/other"));
    /* Not a regular file. */
    c.journal = dir;
    assert_int_equal(run(&imp, plan, &c, &s, &err), GCSPLAN_ESOURCE);
    c.journal = NULL;
    free(h);
    gcsplan_plan_doc_free(plan);
    gcsplan_plan_doc_free(other);
    done_with();
}

/* One run per journal: a second importer finds it locked. */
static void test_lock(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(2, DICOM, NULL, NULL);
    run_cfg c = { 1, 0, 0, 0, NULL, NULL, NULL };
    seen s;
    gcsplan_importer *a, *b;
    gcsplan_error err;
    assert_int_equal(new_importer(&a, plan, &c, &s, &err), 0);
    assert_int_equal(new_importer(&b, plan, &c, &s, &err), GCSPLAN_EBUSY);
    assert_non_null(strstr(err.message, "another gcsplan import"));
    gcsplan_importer_free(a);
    assert_int_equal(new_importer(&b, plan, &c, &s, &err), 0);
    gcsplan_importer_free(b);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* --- allocation failures ------------------------------------------------------------------ */

/* Fail the Nth allocation for every N, over a journal with every kind of
 * record: GCSPLAN_ENOMEM, no importer, no leak, and the journal as it was. */
static void test_every_allocation(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(3, DICOM, NULL, NULL);
    char *h = header_for(plan, DICOM);
    char *j = fmt("%s"
                  REC(1, "\"submitting\",\"uri\":\"gs://bkt/job01**.dcm\"")
                  REC(1, "\"submitted\",\"operation\":\"" DS "/operations/1000\"")
                  REC(1, "\"done\",\"state\":\"partial\",\"operation\":\"" DS "/operations/1000\","
                         "\"success\":1,\"failure\":2,\"logs_url\":\"https://x/y\",\"error\":\"e\"")
                  REC(2, "\"submitting\",\"uri\":\"gs://bkt/job02**.dcm\"")
                  REC(2, "\"lost\"")
                  REC(3, "\"submitting\",\"uri\":\"gs://bkt/job03**.dcm\""),
                  h);
    ST = script_new(serve, &F, 7);
    int done = 0;
    for (long n = 0; !done; n++) {
        write_file(path, j);
        test_alloc ta;
        test_alloc_init(&ta, n);
        gcsplan_import_options o = GCSPLAN_IMPORT_OPTIONS_INIT;
        o.allocator = &ta.hooks;
        o.journal = path;
        o.api_endpoint = "http://127.0.0.1:9/";
        gcsplan__import_hooks hk;
        memset(&hk, 0, sizeof hk);
        hk.transport = script_base(ST);
        hk.getenv_fn = no_env;
        gcsplan_importer *imp = NULL;
        gcsplan_error err;
        int rc = gcsplan__importer_new_with(&imp, plan, &o, &hk, &err);
        if (rc == 0) {
            done = 1;
            assert_int_equal(job_of(imp, 0).state, GCSPLAN_IMPORT_PARTIAL);
            assert_string_equal(job_of(imp, 0).logs_url, "https://x/y");
            assert_int_equal(job_of(imp, 2).lost, 1);
            gcsplan_importer_free(imp);
        } else {
            assert_int_equal(rc, GCSPLAN_ENOMEM);
            assert_null(imp);
        }
        assert_int_equal(ta.live, 0);
    }
    free(h);
    free(j);
    gcsplan_plan_doc_free(plan);
    done_with();
}

/* --- the readers ------------------------------------------------------------------------- */

static void test_operation_reader(void **state)
{
    (void)state;
    gcsplan__operation op;
    gcsplan_error err;
    const char *full =
        "{\"name\":\"" DS "/operations/42\",\"metadata\":{\"@type\":\"t\",\"apiMethodName\":\"m\","
        "\"createTime\":\"2024-05-01T08:00:00.123456Z\",\"endTime\":\"2024-05-01T10:00:00+02:00\","
        "\"logsUrl\":\"https://console.cloud.google.com/logs/query;q=1\",\"counter\":"
        "{\"success\":\"9223372036854775807\",\"failure\":3,\"pending\":\"1\"},"
        "\"x\":[{\"name\":1,\"done\":\"no\"}]},\"done\":true,\"error\":{\"code\":3,"
        "\"message\":\"bad \\u001b thing\",\"details\":[{\"@type\":\"u\",\"a\":{\"b\":[[]]}}]}}";
    assert_int_equal(gcsplan__operation_parse(&op, full, strlen(full), &err), 0);
    assert_string_equal(op.name, DS "/operations/42");
    assert_true(op.done);
    assert_true(op.has_error);
    assert_int_equal(op.error_code, 3);
    assert_string_equal(op.error_message, "bad \x1b thing");
    assert_false(op.has_response);
    assert_true(op.has_counters);
    assert_int_equal(op.success, INT64_MAX);
    assert_int_equal(op.failure, 3);
    assert_string_equal(op.logs_url, "https://console.cloud.google.com/logs/query;q=1");
    assert_int_equal(op.create_ms, T0 + 123);
    assert_int_equal(op.end_ms, T0);
    /* Proto JSON: false and zeros left out; null is absent. */
    const char *running = "{\"name\":\"n\",\"metadata\":{\"counter\":null},\"response\":{}}";
    assert_int_equal(gcsplan__operation_parse(&op, running, strlen(running), &err), 0);
    assert_false(op.done);
    assert_false(op.has_counters);
    assert_true(op.has_response);
    struct { const char *doc; const char *says; } bad[] = {
        { "[]", "not a JSON object" },
        { "\"x\"", "not a JSON object" },
        { "{} {}", "not JSON" },
        { "{\"done\":\"true\"}", "\"done\" has the wrong type" },
        { "{\"done\":true,\"done\":false}", "\"done\" is given twice" },
        { "{\"metadata\":{\"counter\":{\"failure\":\"-1\"}}}", "metadata.counter.failure" },
        { "{\"metadata\":{\"counter\":{\"success\":\"9223372036854775808\"}}}", "2^63-1" },
        { "{\"metadata\":{\"counter\":{\"success\":1.5}}}", "metadata.counter.success" },
        { "{\"metadata\":[]}", "\"metadata\" has the wrong type" },
        { "{\"error\":\"x\"}", "\"error\" has the wrong type" },
        { "{\"error\":{\"code\":-3}}", "error.code" },
        { "{\"name\":\"\"}", "\"name\"" },
        { "{\"name\":", "not JSON" },
        { "", "not JSON" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int rc = gcsplan__operation_parse(&op, bad[k].doc, strlen(bad[k].doc), &err);
        if (rc != GCSPLAN_EINVAL || strstr(err.message, bad[k].says) == NULL)
            fail_msg("case %zu: %d %s", k, rc, err.message);
    }
    /* Nesting: 64 levels are read, 65 are not. */
    for (int depth = 64; depth <= 65; depth++) {
        char doc[256];
        size_t n = (size_t)sprintf(doc, "{\"x\":");
        for (int i = 1; i < depth; i++)
            doc[n++] = '[';
        for (int i = 1; i < depth; i++)
            doc[n++] = ']';
        doc[n++] = '}';
        assert_int_equal(gcsplan__operation_parse(&op, doc, n, &err),
                         depth == 64 ? 0 : GCSPLAN_EINVAL);
    }
    /* A logsUrl that is not plain is dropped, not trusted, not fatal. */
    const char *odd = "{\"metadata\":{\"logsUrl\":\"javascript:alert(1)\"}}";
    assert_int_equal(gcsplan__operation_parse(&op, odd, strlen(odd), &err), 0);
    assert_string_equal(op.logs_url, "");
    assert_true(op.logs_url_dropped);
    const char *spaced = "{\"metadata\":{\"logsUrl\":\"https://x/a b\"}}";
    assert_int_equal(gcsplan__operation_parse(&op, spaced, strlen(spaced), &err), 0);
    assert_true(op.logs_url_dropped);
    /* Not ASCII (here a lone surrogate, which yajl decodes to bytes that are
     * not UTF-8): it could not be journaled as it came (fuzz_journal). */
    const char *lone = "{\"metadata\":{\"logsUrl\":\"https://x/\\udc00\"}}";
    assert_int_equal(gcsplan__operation_parse(&op, lone, strlen(lone), &err), 0);
    assert_true(op.logs_url_dropped);
    const char *latin = "{\"metadata\":{\"logsUrl\":\"https://x/\u00e9\"}}";
    assert_int_equal(gcsplan__operation_parse(&op, latin, strlen(latin), &err), 0);
    assert_true(op.logs_url_dropped);
    /* Names of the store's dataset only. */
    assert_true(gcsplan__operation_name_ok(DS "/operations/42", strlen(DS "/operations/42"), DICOM));
    assert_false(gcsplan__operation_name_ok(DS "/operations/4/2", strlen(DS "/operations/4/2"), DICOM));
    assert_false(gcsplan__operation_name_ok(DS "/operations/", strlen(DS "/operations/"), DICOM));
    const char *elsewhere = "projects/p/locations/eu/datasets/d/operations/42";
    assert_false(gcsplan__operation_name_ok(elsewhere, strlen(elsewhere), DICOM));
}

static void test_logging_filter(void **state)
{
    (void)state;
    char buf[256];
    size_t n = gcsplan_import_logging_filter(buf, sizeof buf, DICOM, DS "/operations/42");
    assert_string_equal(buf, "resource.type=\"healthcare_dicom_store\" AND operation.id=\"42\"");
    assert_int_equal(n, strlen(buf));
    gcsplan_import_logging_filter(buf, sizeof buf, FHIR, DS "/operations/7");
    assert_string_equal(buf, "resource.type=\"healthcare_fhir_store\" AND operation.id=\"7\"");
    assert_int_equal(gcsplan_import_logging_filter(buf, sizeof buf, FHIR, "x\"; DROP"), 0);
    assert_string_equal(buf, "");
    assert_int_equal(gcsplan_import_logging_filter(buf, 4, DICOM, DS "/operations/42"), n);
    /* The longest name a server may give fits the room the header promises
     * (fuzz_operation: a long id was cut in the tool's 512 bytes). */
    char name[GCSPLAN_OPERATION_NAME_MAX + 1];
    size_t k = (size_t)sprintf(name, "%s", DS "/operations/");
    memset(name + k, '7', GCSPLAN_OPERATION_NAME_MAX - k);
    name[GCSPLAN_OPERATION_NAME_MAX] = '\0';
    char big[GCSPLAN_IMPORT_FILTER_MAX];
    n = gcsplan_import_logging_filter(big, sizeof big, FHIR, name);
    assert_true(n > GCSPLAN_OPERATION_NAME_MAX - k && n < sizeof big);
    assert_int_equal(strlen(big), n);
}

static void test_rfc3339(void **state)
{
    (void)state;
    char t[32];
    gcsplan__rfc3339_ms(t, T0 + 123);
    assert_string_equal(t, "2024-05-01T08:00:00.123Z");
    gcsplan__rfc3339_ms(t, 0);
    assert_string_equal(t, "1970-01-01T00:00:00.000Z");
    gcsplan__rfc3339_ms(t, -1);
    assert_string_equal(t, "1969-12-31T23:59:59.999Z");
    gcsplan__rfc3339_ms(t, INT64_MAX);
    assert_string_equal(t, "9999-12-31T23:59:59.999Z");
    int64_t ms;
    for (int64_t v = -86400000LL * 800; v < 86400000LL * 800; v += 86400000LL / 3 + 17) {
        gcsplan__rfc3339_ms(t, v);
        assert_int_equal(gcsplan__rfc3339_parse(t, strlen(t), 1, &ms), 0);
        assert_int_equal(ms, v);
    }
    struct { const char *s; int strict; int ok; int64_t ms; } cases[] = {
        { "2024-02-29T00:00:00.000Z", 1, 1, 1709164800000LL },
        { "2023-02-29T00:00:00.000Z", 0, 0, 0 },
        { "2024-05-01T08:00:00Z", 1, 0, 0 },
        { "2024-05-01T08:00:00Z", 0, 1, T0 },
        { "2024-05-01t08:00:00.5z", 0, 1, T0 + 500 },
        { "2024-05-01T09:30:00.123456789+01:30", 0, 1, T0 + 123 },
        { "2024-05-01T08:00:60Z", 0, 1, T0 + 59000 },
        { "2024-05-01T08:00:00.Z", 0, 0, 0 },
        { "2024-05-01T08:00:00.1234567891Z", 0, 0, 0 },
        { "2024-05-01T24:00:00Z", 0, 0, 0 },
        { "2024-13-01T00:00:00Z", 0, 0, 0 },
        { "2024-05-01T08:00:00+0100", 0, 0, 0 },
        { "2024-05-01T08:00:00.000Zx", 1, 0, 0 },
        { "2024-05-01", 0, 0, 0 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int rc = gcsplan__rfc3339_parse(cases[k].s, strlen(cases[k].s), cases[k].strict, &ms);
        if ((rc == 0) != cases[k].ok || (rc == 0 && ms != cases[k].ms))
            fail_msg("case %zu (%s): %d %lld", k, cases[k].s, rc, (long long)ms);
    }
}

/* The journal reader gives the same records and the same verdict whatever
 * the chunking, 1 to 31 bytes at a time. */
typedef struct rec_log {
    char text[8192];
    size_t len;
} rec_log;

static int log_record(const gcsplan_journal_record *r, void *payload)
{
    rec_log *l = payload;
    l->len += (size_t)snprintf(l->text + l->len, sizeof l->text - l->len,
                               "%d %zu %lld %s %s %d %llu/%llu %s %s|", (int)r->event, r->job,
                               (long long)r->time_ms, r->uri ? r->uri : "-",
                               r->operation ? r->operation : "-", (int)r->state,
                               (unsigned long long)r->success, (unsigned long long)r->failure,
                               r->logs_url ? r->logs_url : "-", r->error ? r->error : "-");
    return 0;
}

static void test_journal_chunking(void **state)
{
    (void)state;
    gcsplan_plan_doc *plan = make_plan(3, DICOM, NULL, NULL);
    char *h = header_for(plan, DICOM);
    char *good = fmt("%s"
                     REC(1, "\"submitting\",\"uri\":\"gs://bkt/job01**.dcm\"")
                     REC(1, "\"submitted\",\"operation\":\"" DS "/operations/1000\"")
                     REC(1, "\"done\",\"state\":\"partial\",\"operation\":\"" DS "/operations/1000\","
                            "\"success\":1,\"failure\":2,\"logs_url\":\"https://x/y\",\"error\":\"e\\u00e9\","
                            "\"end_time\":\"2024-05-01T09:00:00.000Z\"")
                     REC(2, "\"submitting\",\"uri\":\"gs://bkt/job02**.dcm\"")
                     "{\"time\":\"2024-05-01T08:00:02.000Z\",\"job\":2,\"ev",
                     h);
    char *badtext = fmt("%s" REC(2, "\"lost\""), h);
    const char *texts[] = { good, badtext };
    for (int t = 0; t < 2; t++) {
        rec_log whole;
        memset(&whole, 0, sizeof whole);
        gcsplan__jreader *r;
        gcsplan_error err, err1;
        gcsplan_journal_info info, info1;
        assert_int_equal(gcsplan__jreader_new(&r, NULL, plan, log_record, &whole, NULL), 0);
        int rc1 = gcsplan__jreader_feed(r, texts[t], strlen(texts[t]), &err1);
        if (rc1 == 0)
            rc1 = gcsplan__jreader_finish(r, &info1, &err1);
        gcsplan__jreader_free(r);
        for (size_t chunk = 1; chunk <= 31; chunk++) {
            rec_log l;
            memset(&l, 0, sizeof l);
            assert_int_equal(gcsplan__jreader_new(&r, NULL, plan, log_record, &l, NULL), 0);
            int rc = 0;
            for (size_t off = 0; rc == 0 && off < strlen(texts[t]); off += chunk) {
                size_t k = strlen(texts[t]) - off < chunk ? strlen(texts[t]) - off : chunk;
                rc = gcsplan__jreader_feed(r, texts[t] + off, k, &err);
            }
            if (rc == 0)
                rc = gcsplan__jreader_finish(r, &info, &err);
            gcsplan__jreader_free(r);
            assert_int_equal(rc, rc1);
            assert_string_equal(l.text, whole.text);
            if (rc == 0) {
                assert_int_equal(info.lines, info1.lines);
                assert_int_equal(info.good_bytes, info1.good_bytes);
                assert_int_equal(info.torn, info1.torn);
            } else {
                assert_string_equal(err.message, err1.message);
                assert_int_equal(err.offset, err1.offset);
            }
        }
        if (t == 0) {
            assert_int_equal(rc1, 0);
            assert_int_equal(info1.lines, 5);
            assert_true(info1.torn);
            assert_non_null(strstr(whole.text, "https://x/y e\xc3\xa9|"));
        } else {
            assert_int_equal(rc1, GCSPLAN_EJOURNAL);
            assert_non_null(strstr(err1.message, "journal line 2: a \"lost\" record for job 2"));
            assert_int_equal(err1.offset, strlen(h));
        }
    }
    free(h);
    free(good);
    free(badtext);
    gcsplan_plan_doc_free(plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_job_succeeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_and_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fhir_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_submission_fails_the_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quota_delays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unavailable_retried_then_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_backoff_and_floor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_stopping_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_from_every_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resumed_operations_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journals_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_allocation, setup, teardown),
        cmocka_unit_test(test_operation_reader),
        cmocka_unit_test(test_logging_filter),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_journal_chunking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
