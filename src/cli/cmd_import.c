/* gcsplan import: run a plan's imports against the Cloud Healthcare API
 * and say at the end what became of each job (SPEC section 5,
 * docs/import.md).
 *
 * Phases: parse the options; read the plan; open the run (the library
 * reads and locks the journal: a journal of another plan is refused here);
 * run it, with a progress line on a terminal and Ctrl-C asking it to stop
 * submitting; report every job and the totals on stdout (a table, or one
 * JSON document), and on stderr what to do next. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "json_out.h"
#include "opts.h"
#include "out.h"
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
    int argc;                /* the command line, to say how to continue */
    char **argv;
} import_args;

typedef struct import_run {
    gcsplan_plan_doc *doc;
    gcsplan_importer *imp;
    char *journal_path;      /* PLAN.json.journal when not given */
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
    cli_group groups[] = { CLI_JSON_GROUP(&a->json), { import_options, import_take, a } };
    cli_operands ops;
    int rc = cli_parse("import", argc, argv, groups, 2, &ops);
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
    gcsplan_error err;
    int rc = gcsplan_plan_read_file(&run->doc, a->plan_path, NULL, &err);
    if (rc == GCSPLAN_ENOMEM) {
        diag_error("out of memory reading the plan");
        return EXIT_SOURCE;
    }
    if (rc != 0) {
        diag_error("%s: %s", a->plan_path, err.message);
        return EXIT_USAGE;
    }
    return EXIT_YES;
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

static void print_json(const import_args *a, const import_run *run, int complete)
{
    gcsplan_importer *imp = run->imp;
    const char *store = gcsplan_importer_store(imp);
    yajl_gen g = json_open();
    yajl_gen_map_open(g);
    json_nstr(g, "plan", a->plan_path);
    json_nstr(g, "journal", a->journal ? a->journal : run->journal_path);
    json_nstr(g, "store", store);
    json_nstr(g, "content_structure", gcsplan_importer_content_structure(imp));
    json_key(g, "complete");
    yajl_gen_bool(g, complete);
    json_key(g, "jobs");
    yajl_gen_array_open(g);
    size_t n = gcsplan_importer_job_count(imp);
    for (size_t i = 0; i < n && !out_stopped(); i++) {
        gcsplan_import_job j;
        gcsplan_importer_job(imp, i, &j);
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
    gcsplan_importer_totals(imp, &t);
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

/* The command line again, quoted for a shell, to say how to continue. */
static void command_line(const import_args *a, gcsplan__buf *b)
{
    gcsplan__buf_puts(b, "gcsplan");
    for (int i = 0; i < a->argc; i++) {
        const char *s = a->argv[i];
        gcsplan__buf_putc(b, ' ');
        int plain = s[0] != '\0';
        for (const char *p = s; *p && plain; p++)
            plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("_-./:=@%+,", *p) != NULL;
        if (plain) {
            gcsplan__buf_puts(b, s);
            continue;
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
}

static void how_to_continue(const import_args *a, const import_run *run, int rc)
{
    gcsplan_import_totals t;
    gcsplan_importer_totals(run->imp, &t);
    size_t running = t.states[GCSPLAN_IMPORT_RUNNING] + t.states[GCSPLAN_IMPORT_SUBMITTING];
    gcsplan__buf b;
    gcsplan__buf_dynamic(&b, NULL, 1 << 16);
    command_line(a, &b);
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

/* --- the command ------------------------------------------------------------------------- */

static int open_run(import_args *a, import_run *run)
{
    if (a->journal == NULL) {
        size_t n = strlen(a->plan_path);
        run->journal_path = malloc(n + sizeof ".journal");
        if (run->journal_path == NULL) {
            diag_error("out of memory");
            return EXIT_SOURCE;
        }
        memcpy(run->journal_path, a->plan_path, n);
        memcpy(run->journal_path + n, ".journal", sizeof ".journal");
    }
    a->o.journal = a->journal ? a->journal : run->journal_path;
    a->o.on_note = show_note;
    a->o.payload = run;
    if (a->progress == -1)
        a->progress = isatty(STDERR_FILENO);
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
    int status;
    int prc = parse(&a, argc, argv);
    if (prc != CLI_PARSED) {
        status = cli_parse_status(prc);
        goto done;
    }
    status = read_plan(&a, &run);
    if (status == EXIT_YES)
        status = open_run(&a, &run);
    if (status == EXIT_YES)
        status = run_import(&a, &run);
done:
    gcsplan_importer_free(run.imp);
    gcsplan_plan_doc_free(run.doc);
    free(run.journal_path);
    return status;
}
