/* gcsplan import: run a plan's imports against the Cloud Healthcare API
 * and say at the end what became of each job (SPEC section 5,
 * docs/import.md).
 *
 * Phases: parse the options; read the plan; on a fresh run (a journal with
 * no record yet) the pre-flight store checks, whose error stops the run
 * before anything is submitted or journaled; open the run (the library
 * reads and locks the journal: a journal of another plan is refused here);
 * run it, with a progress line on a terminal and Ctrl-C asking it to stop
 * submitting; report every job and the totals on stdout (a table, or one
 * JSON document), and on stderr what to do next. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "json_out.h"
#include "opts.h"
#include "out.h"
#include "plan_in.h"
#include "preflight_args.h"
#include "source_args.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/escape.h"

/* The exit status of a run stopped by Ctrl-C (or SIGTERM): what a shell
 * reports for SIGINT, so that a script tells it from a result. */
#define EXIT_INTERRUPTED 130

typedef struct import_args {
    const char *plan_path;
    const char *journal;
    gcsplan_import_options o;
    int json;
    int progress;            /* -1: on a terminal */
    unsigned long long poll_ms;
    source_args src;         /* --endpoint: where the checks read objects and policies */
    preflight_args pfa;      /* the checks' options (--no-preflight, --fail-on, ...) */
    int argc;                /* the command line, to say how to continue */
    char **argv;
} import_args;

typedef struct import_run {
    gcsplan_plan_doc *doc;
    gcsplan_importer *imp;
    char *journal_path;      /* PLAN.json.journal when not given */
    const char *journal;     /* the journal's path, given or not */
    const char *store;       /* the run's store and content structure, before the */
    const char *cs;          /* importer holds them (NULL until known) */
    gcsplan_pattern *pattern; /* the plan's URI, for the checks */
    char *preflight_json;    /* the checks' document for --json, or NULL */
    size_t preflight_json_len;
    double started;          /* for the ETA */
    int progress_shown;
} import_run;

/* --- parse --------------------------------------------------------------------------- */

static const struct option import_options[] = {
    { "store", required_argument, NULL, OPT_STORE },
    { "content-structure", required_argument, NULL, OPT_CONTENT_STRUCTURE },
    { "concurrency", required_argument, NULL, OPT_CONCURRENCY },
    { "poll-interval", required_argument, NULL, OPT_POLL_INTERVAL },
    { "journal", required_argument, NULL, OPT_JOURNAL },
    { "api-endpoint", required_argument, NULL, OPT_API_ENDPOINT },
    { "retry-failed", no_argument, NULL, OPT_RETRY_FAILED },
    { "retries", required_argument, NULL, OPT_RETRIES },
    { "progress", no_argument, NULL, OPT_PROGRESS },
    { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
    { NULL, 0, NULL, 0 },
};

/* SECONDS: a decimal number of seconds, up to an hour, in milliseconds. */
static int parse_seconds(const char *s, unsigned long long *ms)
{
    unsigned long long whole = 0, frac = 0, scale = 1000;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++)
        if ((whole = whole * 10 + (unsigned)(*p - '0')) > 3600)
            return -1;
    if (*p == '.') {
        if (p[1] < '0' || p[1] > '9')
            return -1;
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (scale > 1) {
                scale /= 10;
                frac += (unsigned)(*p - '0') * scale;
            }
    }
    if (*p != '\0' || whole * 1000 + frac > 3600000)
        return -1;
    *ms = whole * 1000 + frac;
    return 0;
}

static int import_take(void *state, int id, const char *v, const char *cmd)
{
    import_args *a = state;
    unsigned long long n;
    gcsplan_store parts;
    switch (id) {
    case OPT_STORE:
        if (gcsplan_store_parse(&parts, v, strlen(v), NULL) != 0)
            return diag_usage(cmd, "--store is projects/P/locations/L/datasets/D/dicomStores/S "
                                   "or .../fhirStores/S, not '%s'", v), -1;
        a->o.store = v;
        return 0;
    case OPT_CONTENT_STRUCTURE:
        if (!gcsplan_content_structure_valid(v, strlen(v)))
            return diag_usage(cmd, "--content-structure is BUNDLE, RESOURCE, BUNDLE_PRETTY or "
                                   "RESOURCE_PRETTY, not '%s'", v), -1;
        a->o.content_structure = v;
        return 0;
    case OPT_CONCURRENCY:
        if (cli_parse_count(v, &n) != 0 || n > GCSPLAN_IMPORT_CONCURRENCY_MAX)
            return diag_usage(cmd, "--concurrency needs a number from 1 to %d, not '%s'",
                              GCSPLAN_IMPORT_CONCURRENCY_MAX, v), -1;
        a->o.concurrency = (unsigned)n;
        return 0;
    case OPT_POLL_INTERVAL:
        if (parse_seconds(v, &a->poll_ms) != 0)
            return diag_usage(cmd, "--poll-interval needs seconds from 0 to 3600 (2, 0.5), not "
                                   "'%s'", v), -1;
        /* 0 asks for the floor: an operation is polled once a second. */
        a->o.poll_interval_ms = a->poll_ms ? (unsigned)a->poll_ms : 1;
        return 0;
    case OPT_JOURNAL:
        a->journal = v;
        return 0;
    case OPT_API_ENDPOINT:
        a->o.api_endpoint = v;
        return 0;
    case OPT_RETRY_FAILED:
        a->o.flags |= GCSPLAN_IMPORT_RETRY_FAILED;
        return 0;
    case OPT_RETRIES:
        if (strcmp(v, "0") == 0)
            n = 0;
        else if (cli_parse_count(v, &n) != 0 || n > 100)
            return diag_usage(cmd, "--retries needs a number from 0 to 100, not '%s'", v), -1;
        a->o.retries = (int)n;
        return 0;
    case OPT_PROGRESS:
        a->progress = 1;
        return 0;
    case OPT_NO_PROGRESS:
        a->progress = 0;
        return 0;
    default:
        return 0;
    }
}

/* CLI_PARSED, CLI_HELPED or CLI_BAD. */
static int parse(import_args *a, int argc, char **argv)
{
    cli_group groups[] = { CLI_JSON_GROUP(&a->json), STORAGE_GROUP(&a->src),
                           PREFLIGHT_REPORT_GROUP(&a->pfa), PREFLIGHT_STORE_GROUP(&a->pfa),
                           { import_options, import_take, a } };
    cli_operands ops;
    int rc = cli_parse("import", argc, argv, groups, CLI_GROUPS(groups), &ops);
    if (rc != CLI_PARSED)
        return rc;
    size_t n = ops.n;
    a->plan_path = n > 0 ? ops.v[0] : NULL;
    cli_operands_free(&ops);
    if (n == 0)
        return diag_usage("import", "a plan file is required (written by gcsplan plan --json)"),
               CLI_BAD;
    if (n > 1)
        return diag_usage("import", "only one plan file is allowed"), CLI_BAD;
    if (strcmp(a->plan_path, "-") == 0 && a->journal == NULL)
        return diag_usage("import", "a plan read from stdin needs --journal FILE"), CLI_BAD;
    return CLI_PARSED;
}

/* --- read ---------------------------------------------------------------------------- */

static int read_plan(const import_args *a, import_run *run)
{
    return plan_read(a->plan_path, NULL, &run->doc);
}

/* --- progress ------------------------------------------------------------------------ */

static void show_progress(const gcsplan_import_totals *t, void *payload)
{
    import_run *run = payload;
    size_t done = t->states[GCSPLAN_IMPORT_SUCCEEDED] + t->states[GCSPLAN_IMPORT_PARTIAL] +
                  t->states[GCSPLAN_IMPORT_FAILED];
    size_t running = t->states[GCSPLAN_IMPORT_RUNNING] + t->states[GCSPLAN_IMPORT_SUBMITTING];
    char eta[32] = "--";
    /* The plan's objects finished by this run, per second so far, for the
     * objects still to go: jobs differ in size, objects say more. */
    double dt = gcsplan__clock_s() - run->started;
    if (t->objects_finished_here > 0 && dt > 0 && t->objects > t->objects_finished) {
        double left = (double)(t->objects - t->objects_finished) * dt /
                      (double)t->objects_finished_here;
        unsigned long s = left > 359999 ? 359999 : (unsigned long)left;
        if (s >= 3600)
            snprintf(eta, sizeof eta, "%luh%02lum", s / 3600, s / 60 % 60);
        else
            snprintf(eta, sizeof eta, "%lum%02lus", s / 60, s % 60);
    } else if (done == t->jobs) {
        snprintf(eta, sizeof eta, "0m00s");
    }
    /* Only our own numbers: nothing from outside to escape. */
    fprintf(stderr,
            "\r\033[Kjobs %zu/%zu done, %zu running, %zu waiting  objects %llu ok, %llu failed"
            "  ETA %s",
            done, t->jobs, running, t->states[GCSPLAN_IMPORT_WAITING],
            (unsigned long long)t->success, (unsigned long long)t->failure, eta);
    fflush(stderr);
    run->progress_shown = 1;
}

static void show_note(const char *message, void *payload)
{
    import_run *run = payload;
    if (run->progress_shown)
        fputs("\r\033[K", stderr);
    diag_warning("import", "%s", message);
}

/* --- Ctrl-C ------------------------------------------------------------------------------ */

static gcsplan_importer *volatile running_import;
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    static const char msg[] =
        "\ngcsplan import: stopping: no new submissions; waiting for the answers of those "
        "in flight (again to quit at once; the journal is safe either way)\n";
    (void)sig;
    if (interrupted) {
        _exit(EXIT_INTERRUPTED);
    }
    interrupted = 1;
    /* async-signal-safe: an atomic store, and write(2) */
    gcsplan_importer_stop(running_import);
    ssize_t k = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)k;
}

static void catch_signals(int on)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? on_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a wait is cut short and the stop is seen at once. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* --- report ------------------------------------------------------------------------------ */

static const char *state_word(const gcsplan_import_job *j)
{
    return gcsplan_import_state_name(j->state);
}

static void print_table(const import_run *run)
{
    gcsplan_importer *imp = run->imp;
    size_t n = gcsplan_importer_job_count(imp);
    out_printf("%6s  %-10s  %9s  %9s  %-20s  %s\n", "job", "state", "success", "failure",
               "operation", "uri");
    for (size_t i = 0; i < n && !out_stopped(); i++) {
        gcsplan_import_job j;
        gcsplan_importer_job(imp, i, &j);
        out_printf("%6zu  %-10s  ", i + 1, state_word(&j));
        if (j.has_counters)
            out_printf("%9llu  %9llu  ", (unsigned long long)j.success,
                       (unsigned long long)j.failure);
        else
            out_printf("%9s  %9s  ", "-", "-");
        const char *id = j.operation ? strrchr(j.operation, '/') : NULL;
        if (id != NULL)
            out_text(id + 1, strlen(id + 1));
        else
            out_puts("-");
        size_t w = id ? strlen(id + 1) : 1;
        out_printf("%*s  ", w < 20 ? (int)(20 - w) : 0, "");
        out_text(j.uri, strlen(j.uri));
        out_puts("\n");
    }
}

/* Where each partial or failed job's errors are, lost submissions, and the
 * totals. */
static void print_details(const import_run *run)
{
    gcsplan_importer *imp = run->imp;
    const char *store = gcsplan_importer_store(imp);
    size_t n = gcsplan_importer_job_count(imp);
    gcsplan_store parts;
    gcsplan_store_parse(&parts, store, strlen(store), NULL);
    int shown = 0;
    for (size_t i = 0; i < n && !out_stopped(); i++) {
        gcsplan_import_job j;
        gcsplan_importer_job(imp, i, &j);
        if (j.operation != NULL && !shown) {
            out_puts("operations: ");
            out_text(store, (size_t)(parts.dataset + parts.dataset_len - store));
            out_puts("/operations/ID\n");
            shown = 1;
        }
        if (j.state == GCSPLAN_IMPORT_PARTIAL || j.state == GCSPLAN_IMPORT_FAILED) {
            out_printf("job %zu %s", i + 1, state_word(&j));
            if (j.state == GCSPLAN_IMPORT_PARTIAL)
                out_printf(": %llu object%s failed", (unsigned long long)j.failure,
                           j.failure == 1 ? "" : "s");
            if (j.error != NULL) {
                out_puts(": ");
                out_ctext(j.error);
            }
            out_puts("\n");
            if (j.operation != NULL) {
                char filter[GCSPLAN_IMPORT_FILTER_MAX];
                gcsplan_import_logging_filter(filter, sizeof filter, store, j.operation);
                out_puts("  per-file errors (Cloud Logging only):\n");
                if (j.logs_url != NULL) {
                    out_puts("    logs:   ");
                    out_ctext(j.logs_url);
                    out_puts("\n");
                }
                out_puts("    filter: ");
                out_ctext(filter);
                out_puts("\n");
            }
        }
        if (j.lost > 0)
            out_printf("job %zu: %u submission%s whose answer never arrived: the store may have "
                       "run this import twice (look for two operations of its URI)\n",
                       i + 1, j.lost, j.lost == 1 ? "" : "s");
    }
    gcsplan_import_totals t;
    gcsplan_importer_totals(imp, &t);
    out_printf("%zu job%s: %zu succeeded, %zu partial, %zu failed", t.jobs,
               t.jobs == 1 ? "" : "s", t.states[GCSPLAN_IMPORT_SUCCEEDED],
               t.states[GCSPLAN_IMPORT_PARTIAL], t.states[GCSPLAN_IMPORT_FAILED]);
    size_t open = t.states[GCSPLAN_IMPORT_WAITING] + t.states[GCSPLAN_IMPORT_SUBMITTING] +
                  t.states[GCSPLAN_IMPORT_RUNNING];
    if (open > 0)
        out_printf(", %zu running, %zu not submitted",
                   t.states[GCSPLAN_IMPORT_RUNNING] + t.states[GCSPLAN_IMPORT_SUBMITTING],
                   t.states[GCSPLAN_IMPORT_WAITING]);
    out_printf("; objects: %llu imported, %llu failed (%llu planned)\n",
               (unsigned long long)t.success, (unsigned long long)t.failure,
               (unsigned long long)t.objects);
}

static void json_nstr(yajl_gen g, const char *key, const char *s)
{
    json_key(g, key);
    if (s != NULL)
        json_cstr(g, s);
    else
        yajl_gen_null(g);
}

/* Write what was generated so far and go on with the same document:
 * memory stays one job's, whatever the plan. */
static void json_flush(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    out_json((const char *)buf, len);
    yajl_gen_clear(g);
}

/* The jobs and totals of the run: the importer's, or, when the checks
 * stopped the run before there was one, the plan's, every job waiting. */
static size_t job_count(const import_run *run)
{
    return run->imp ? gcsplan_importer_job_count(run->imp) : gcsplan_plan_doc_job_count(run->doc);
}

static void job_at(const import_run *run, size_t i, gcsplan_import_job *j)
{
    if (run->imp != NULL) {
        gcsplan_importer_job(run->imp, i, j);
        return;
    }
    const gcsplan_plan_job *pj = gcsplan_plan_doc_job(run->doc, i);
    memset(j, 0, sizeof *j);
    j->index = i;
    j->uri = pj->uri;
    j->objects = pj->objects;
    j->bytes = pj->bytes;
    j->state = GCSPLAN_IMPORT_WAITING;
}

static void totals_of(const import_run *run, gcsplan_import_totals *t)
{
    if (run->imp != NULL) {
        gcsplan_importer_totals(run->imp, t);
        return;
    }
    memset(t, 0, sizeof *t);
    t->jobs = t->states[GCSPLAN_IMPORT_WAITING] = gcsplan_plan_doc_job_count(run->doc);
    t->objects = gcsplan_plan_doc_head(run->doc)->objects;
}

static void print_json(const import_args *a, const import_run *run, int complete)
{
    gcsplan_importer *imp = run->imp;
    const char *store = imp ? gcsplan_importer_store(imp) : run->store;
    yajl_gen g = json_open();
    yajl_gen_map_open(g);
    json_nstr(g, "plan", a->plan_path);
    json_nstr(g, "journal", run->journal);
    json_nstr(g, "store", store);
    json_nstr(g, "content_structure", imp ? gcsplan_importer_content_structure(imp) : run->cs);
    json_key(g, "complete");
    yajl_gen_bool(g, complete);
    /* The checks' document, as gcsplan preflight --json writes it; null
     * when they did not run (a resumed run, --no-preflight). */
    json_key(g, "preflight");
    if (run->preflight_json != NULL)
        json_raw(g, run->preflight_json, run->preflight_json_len);
    else
        yajl_gen_null(g);
    json_key(g, "jobs");
    yajl_gen_array_open(g);
    size_t n = job_count(run);
    for (size_t i = 0; i < n && !out_stopped(); i++) {
        gcsplan_import_job j;
        job_at(run, i, &j);
        yajl_gen_map_open(g);
        json_key(g, "job");
        json_u64(g, i + 1);
        json_nstr(g, "uri", j.uri);
        json_nstr(g, "state", state_word(&j));
        json_nstr(g, "operation", j.operation);
        json_key(g, "success");
        if (j.has_counters)
            json_u64(g, j.success);
        else
            yajl_gen_null(g);
        json_key(g, "failure");
        if (j.has_counters)
            json_u64(g, j.failure);
        else
            yajl_gen_null(g);
        json_nstr(g, "logs_url", j.logs_url);
        char filter[GCSPLAN_IMPORT_FILTER_MAX];
        json_nstr(g, "logging_filter",
                  j.operation && gcsplan_import_logging_filter(filter, sizeof filter, store,
                                                               j.operation) ? filter : NULL);
        json_nstr(g, "error", j.error);
        json_key(g, "http_status");
        if (j.http_status)
            json_int(g, j.http_status);
        else
            yajl_gen_null(g);
        json_key(g, "submissions");
        json_u64(g, j.submissions);
        json_key(g, "lost_submissions");
        json_u64(g, j.lost);
        yajl_gen_map_close(g);
        json_flush(g);
    }
    yajl_gen_array_close(g);
    gcsplan_import_totals t;
    totals_of(run, &t);
    json_key(g, "totals");
    yajl_gen_map_open(g);
    json_key(g, "jobs");
    json_u64(g, t.jobs);
    for (int s = 0; s < GCSPLAN_IMPORT_STATES; s++) {
        json_key(g, gcsplan_import_state_name(s));
        json_u64(g, t.states[s]);
    }
    json_key(g, "lost_jobs");
    json_u64(g, t.lost_jobs);
    json_key(g, "objects");
    json_u64(g, t.objects);
    json_key(g, "success");
    json_u64(g, t.success);
    json_key(g, "failure");
    json_u64(g, t.failure);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    json_line(g);
    yajl_gen_free(g);
}

/* One word of a command line, quoted for a shell when it needs it. */
static void shell_word(gcsplan__buf *b, const char *s)
{
    gcsplan__buf_putc(b, ' ');
    int plain = s[0] != '\0';
    for (const char *p = s; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9') || strchr("_-./:=@%+,", *p) != NULL;
    if (plain) {
        gcsplan__buf_puts(b, s);
        return;
    }
    gcsplan__buf_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            gcsplan__buf_puts(b, "'\\''");
        else
            gcsplan__buf_putc(b, *p);
    }
    gcsplan__buf_putc(b, '\'');
}

/* The command line again, quoted for a shell, to say how to continue; with
 * cs, the content structure a finding's hint names instead of the one the
 * command line gave, if any. */
static void command_line(const import_args *a, const char *cs, gcsplan__buf *b)
{
    gcsplan__buf_puts(b, "gcsplan");
    int options = 1;
    for (int i = 0; i < a->argc; i++) {
        const char *s = a->argv[i];
        if (cs != NULL && options && i > 0) {
            if (strcmp(s, "--") == 0)
                options = 0;
            else if (strcmp(s, "--content-structure") == 0 && i + 1 < a->argc) {
                i++;
                continue;
            } else if (strncmp(s, "--content-structure=", 20) == 0)
                continue;
        }
        shell_word(b, s);
        if (i == 0 && cs != NULL) {
            shell_word(b, "--content-structure");
            shell_word(b, cs);
        }
    }
}

static void how_to_continue(const import_args *a, const import_run *run, int rc)
{
    gcsplan_import_totals t;
    gcsplan_importer_totals(run->imp, &t);
    size_t running = t.states[GCSPLAN_IMPORT_RUNNING] + t.states[GCSPLAN_IMPORT_SUBMITTING];
    gcsplan__buf b;
    gcsplan__buf_dynamic(&b, NULL, 1 << 16);
    command_line(a, NULL, &b);
    if (rc == GCSPLAN_ESTOPPED)
        diag_note("gcsplan import: stopped: %zu operation%s already started keep%s running on "
                  "the server; %zu job%s not submitted. The journal holds everything: run the "
                  "same command to continue:", running, running == 1 ? "" : "s",
                  running == 1 ? "s" : "", t.states[GCSPLAN_IMPORT_WAITING],
                  t.states[GCSPLAN_IMPORT_WAITING] == 1 ? "" : "s");
    else
        diag_note("gcsplan import: the journal holds everything done so far (%zu operation%s "
                  "running on the server); once the cause is fixed, the same command continues:",
                  running, running == 1 ? "" : "s");
    diag_note("  %s", b.p ? b.p : "");
    gcsplan__buf_free(&b);
}

/* --- the pre-flight checks -------------------------------------------------------------- */

/* The journal's path: --journal, else PLAN.json.journal. */
static int journal_path(const import_args *a, import_run *run)
{
    if (a->journal != NULL) {
        run->journal = a->journal;
        return EXIT_YES;
    }
    size_t n = strlen(a->plan_path);
    run->journal_path = malloc(n + sizeof ".journal");
    if (run->journal_path == NULL) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    memcpy(run->journal_path, a->plan_path, n);
    memcpy(run->journal_path + n, ".journal", sizeof ".journal");
    run->journal = run->journal_path;
    return EXIT_YES;
}

/* The store and content structure the run will have, by the importer's
 * rules (docs/import.md): --store, else the plan's; --content-structure,
 * else with a FHIR store the plan's. 0, or -1 when the options make no run
 * (no store, a content structure for a DICOM store): opening the run says
 * why, in the library's words. */
static int run_target(const import_args *a, import_run *run)
{
    const gcsplan_plan_head *h = gcsplan_plan_doc_head(run->doc);
    const char *store = a->o.store ? a->o.store : h->store;
    gcsplan_store parts;
    if (store == NULL || gcsplan_store_parse(&parts, store, strlen(store), NULL) != 0)
        return -1;
    const char *cs = a->o.content_structure;
    if (cs != NULL && parts.kind != GCSPLAN_STORE_FHIR)
        return -1;
    if (cs == NULL && parts.kind == GCSPLAN_STORE_FHIR)
        cs = h->content_structure;
    run->store = store;
    run->cs = cs;
    return 0;
}

static int first_record(const gcsplan_journal_record *rec, void *payload)
{
    (void)rec;
    *(int *)payload = 1;
    return 1; /* one is enough */
}

/* 1 when the journal holds a record of a job (a run to continue), 0 when
 * there is no journal or it holds its header alone (nothing was ever
 * submitted), -1 when it is not this run's or cannot be read: opening the
 * run refuses it, with the reason. Read without the lock: the run takes it
 * after the checks. */
static int journaled(const import_run *run)
{
    struct stat st;
    if (stat(run->journal, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    int any = 0;
    gcsplan_journal_info info;
    gcsplan_error err;
    int rc = gcsplan_journal_read(run->journal, run->doc, first_record, &any, NULL, &info, &err);
    if (any)
        return 1;
    if (rc != 0)
        return -1;
    /* An empty file gets its header from the run; a header of another
     * store or content structure is refused by it. */
    if (info.lines > 0 && (strcmp(info.store, run->store) != 0 ||
                           strcmp(info.content_structure, run->cs ? run->cs : "") != 0))
        return -1;
    return 0;
}

/* "1 error and 2 warnings": the findings at or above --fail-on. */
static void count_words(char *buf, size_t cap, const size_t per[3])
{
    static const char *const one[3] = { "info", "warning", "error" };
    static const char *const many[3] = { "info", "warnings", "errors" };
    const char *sep = "";
    size_t len = 0;
    buf[0] = '\0';
    int left = (per[2] > 0) + (per[1] > 0) + (per[0] > 0);
    for (int sev = 2; sev >= 0; sev--) {
        if (per[sev] == 0)
            continue;
        int n = snprintf(buf + len, cap - len, "%s%zu %s", sep, per[sev],
                         per[sev] == 1 ? one[sev] : many[sev]);
        if (n < 0 || (size_t)n >= cap - len)
            return;
        len += (size_t)n;
        left--;
        sep = left == 1 ? " and " : ", ";
    }
}

/* The findings stopped the run: say so, and how to go on. */
static void stopped_by_findings(const import_args *a)
{
    const gcsplan_preflight *pf = a->pfa.pf;
    size_t per[3] = { 0, 0, 0 }, hinted = 0;
    const char *cs = NULL;
    static const char flag[] = "--content-structure ";
    for (size_t i = 0; i < gcsplan_preflight_count(pf); i++) {
        const gcsplan_finding *f = gcsplan_preflight_finding(pf, i);
        if ((int)f->severity < a->pfa.fail_on)
            continue;
        per[f->severity]++;
        hinted += f->hint[0] != '\0';
        /* The hint of a content structure that does not fit names the one
         * that fits every object read: the command line takes it. */
        if (f->code == GCSPLAN_FINDING_FHIR_CONTENT_STRUCTURE &&
            strncmp(f->hint, flag, sizeof flag - 1) == 0)
            cs = f->hint + sizeof flag - 1;
    }
    size_t n = per[0] + per[1] + per[2];
    char words[96];
    count_words(words, sizeof words, per);
    diag_error("the pre-flight checks found %s: the import did not start (nothing was submitted, "
               "and the journal was not touched)", words);
    gcsplan__buf b;
    gcsplan__buf_dynamic(&b, NULL, 1 << 16);
    command_line(a, cs, &b);
    if (cs != NULL && n == 1)
        diag_note("gcsplan import: with the content structure of the hint, the command checks "
                  "again and starts:");
    else if (cs != NULL)
        diag_note("gcsplan import: with the content structure of the hint, and once the other "
                  "findings are dealt with, the command checks again and starts:");
    else
        diag_note("gcsplan import: once %s dealt with%s, the same command checks again and "
                  "starts:", n == 1 ? "the finding is" : "the findings are",
                  hinted == 0 ? "" : n == 1 ? " (its hint says how)"
                                 : hinted == n ? " (their hints say how)"
                                               : " (hints say how, where there are some)");
    diag_note("  %s", b.p ? b.p : "");
    diag_note("gcsplan import: to import despite the findings: --fail-on none (they are still "
              "printed) or --no-preflight (no checks)");
    gcsplan__buf_free(&b);
}

/* The status line while the checks read, on a terminal. */
static const char checking[] =
    "pre-flight: reading a sample of the plan's objects and the bucket's IAM policy...";

/* The store checks of a fresh run (docs/import.md, "Before the first
 * submission"): a sample of each job's first and last objects, and whether
 * the Cloud Healthcare Service Agent may read the bucket. The findings go
 * to stderr as gcsplan preflight prints them. EXIT_YES to go on; after a
 * finding at or above --fail-on, or checks that could not run, EXIT_SOURCE
 * with everything said: nothing was submitted and the journal is as it was. */
static int preflight(import_args *a, import_run *run)
{
    if (!a->pfa.enabled || run_target(a, run) != 0)
        return EXIT_YES;
    int j = journaled(run);
    if (j < 0)
        return EXIT_YES;
    if (j > 0) {
        diag_note("gcsplan import: the journal holds this run: the pre-flight checks, which come "
                  "before a run's first submission, are not run again");
        return EXIT_YES;
    }
    const gcsplan_plan_head *h = gcsplan_plan_doc_head(run->doc);
    gcsplan_error err;
    if (gcsplan_pattern_compile(&run->pattern, h->uri, h->uri_len, NULL, &err) != 0) {
        diag_error("%s: the plan's URI: %s", a->plan_path, err.message);
        return EXIT_USAGE;
    }
    a->pfa.opts.store = run->store;
    a->pfa.opts.content_structure = run->cs;
    a->pfa.opts.checks = GCSPLAN_PREFLIGHT_CHECK_CONTENT | GCSPLAN_PREFLIGHT_CHECK_ACCESS;
    a->pfa.status = a->progress ? checking : NULL;
    int status = preflight_args_begin(&a->pfa, run->pattern, &a->src.opts, 0);
    if (status != EXIT_YES)
        return status;
    /* Each job's first and last object stand for the plan's: the sample is
     * spread over them. The sizes are not in the plan: 1 means "not empty". */
    for (size_t i = 0; i < gcsplan_plan_doc_job_count(run->doc); i++) {
        const gcsplan_plan_job *pj = gcsplan_plan_doc_job(run->doc, i);
        gcsplan_object o;
        memset(&o, 0, sizeof o);
        o.size = 1;
        if (pj->has & GCSPLAN_PLAN_JOB_FIRST) {
            o.name = pj->first;
            o.name_len = pj->first_len;
            preflight_args_add(&a->pfa, &o);
        }
        if ((pj->has & GCSPLAN_PLAN_JOB_LAST) &&
            !((pj->has & GCSPLAN_PLAN_JOB_FIRST) && pj->last_len == pj->first_len &&
              memcmp(pj->last, pj->first, pj->first_len) == 0)) {
            o.name = pj->last;
            o.name_len = pj->last_len;
            preflight_args_add(&a->pfa, &o);
        }
    }
    status = preflight_args_finish(&a->pfa);
    if (status == EXIT_YES)
        status = preflight_args_report(&a->pfa, 0, 0, diag_color());
    if (status != EXIT_SOURCE && a->json &&
        preflight_args_json(&a->pfa, &run->preflight_json, &run->preflight_json_len) ==
            EXIT_SOURCE)
        status = EXIT_SOURCE;
    if (status == EXIT_NO) {
        stopped_by_findings(a);
        status = EXIT_SOURCE;
    } else if (status == EXIT_SOURCE) {
        diag_note("gcsplan import: the pre-flight checks could not run: nothing was submitted, and "
                  "the journal was not touched; once the cause is fixed the same command runs "
                  "them, or --no-preflight skips them");
    }
    if (status != EXIT_YES && a->json)
        print_json(a, run, 0);
    return status;
}

/* --- the command ------------------------------------------------------------------------- */

static int open_run(import_args *a, import_run *run)
{
    a->o.journal = run->journal;
    a->o.on_note = show_note;
    a->o.payload = run;
    if (a->progress)
        a->o.on_progress = show_progress;
    gcsplan_error err;
    int rc = gcsplan_importer_new(&run->imp, run->doc, &a->o, &err);
    if (rc == 0)
        return EXIT_YES;
    diag_error("%s%s%s", rc == GCSPLAN_EJOURNAL || rc == GCSPLAN_EBUSY ? a->o.journal : "",
               rc == GCSPLAN_EJOURNAL || rc == GCSPLAN_EBUSY ? ": " : "", err.message);
    /* A journal that is not this run's, bad options: the command line's
     * fault (2); a lock held, I/O, memory: the run could not start (3). */
    return rc == GCSPLAN_EJOURNAL || rc == GCSPLAN_EINVAL ? EXIT_USAGE : EXIT_SOURCE;
}

static int run_import(const import_args *a, import_run *run)
{
    gcsplan_error err;
    run->started = gcsplan__clock_s();
    running_import = run->imp;
    catch_signals(1);
    int rc = gcsplan_importer_run(run->imp, &err);
    catch_signals(0);
    running_import = NULL;
    if (run->progress_shown)
        fputs("\r\033[K", stderr);
    if (rc != 0 && rc != GCSPLAN_ESTOPPED)
        diag_error("%s", err.message);
    if (a->json)
        print_json(a, run, rc == 0);
    else {
        print_table(run);
        print_details(run);
    }
    if (rc != 0) {
        how_to_continue(a, run, rc);
        return rc == GCSPLAN_ESTOPPED ? EXIT_INTERRUPTED : EXIT_SOURCE;
    }
    gcsplan_import_totals t;
    gcsplan_importer_totals(run->imp, &t);
    return t.states[GCSPLAN_IMPORT_SUCCEEDED] == t.jobs ? EXIT_YES : EXIT_NO;
}

int cmd_import(int argc, char **argv)
{
    import_args a;
    import_run run;
    memset(&a, 0, sizeof a);
    memset(&run, 0, sizeof run);
    gcsplan_import_options init = GCSPLAN_IMPORT_OPTIONS_INIT;
    a.o = init;
    a.progress = -1;
    a.argc = argc;
    a.argv = argv;
    source_args_init(&a.src);
    preflight_args_init(&a.pfa, GCSPLAN_SEVERITY_ERROR);
    int status;
    int prc = parse(&a, argc, argv);
    if (prc != CLI_PARSED) {
        status = cli_parse_status(prc);
        goto done;
    }
    if (a.progress == -1)
        a.progress = isatty(STDERR_FILENO);
    status = read_plan(&a, &run);
    if (status == EXIT_YES)
        status = journal_path(&a, &run);
    if (status == EXIT_YES)
        status = preflight(&a, &run);
    if (status == EXIT_YES)
        status = open_run(&a, &run);
    if (status == EXIT_YES)
        status = run_import(&a, &run);
done:
    gcsplan_importer_free(run.imp);
    preflight_args_free(&a.pfa);
    gcsplan_pattern_free(run.pattern);
    source_args_free(&a.src);
    gcsplan_plan_doc_free(run.doc);
    free(run.preflight_json);
    free(run.journal_path);
    return status;
}
