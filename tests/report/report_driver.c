/* report_driver: build a report the way `gcsplan report` does, from a JSON
 * Lines listing or from a generated archive, for the tests and for the
 * figures in docs/report.md.
 *
 *   report_driver [options] OUT.html
 *     --listing FILE --uri URI   objects from a listing file (SPEC section 2)
 *     --generate N               N objects of a made-up imaging archive
 *                                (URI gs://archive-bucket/studies/ and "**", or
 *                                --uri: the names it does not match are left out)
 *     --max-objects N --max-bytes SIZE   the plan's limits
 *     --max-nodes N              the summary's node budget
 *     --preflight-json FILE      findings from a pre-flight document, besides
 *                                the pre-flight the driver runs itself
 *     --journal FILE             events, one JSON object per line:
 *                                {"job":1,"event":"submit|submitted|progress|done|lost",
 *                                 "time":MS,"operation":..,"state":"succeeded|partial|failed",
 *                                 "success":N,"failure":N,"logs_url":..,"error":..}
 *                                (job numbers from 1, as the page shows them)
 *     --simulate-run             make up a journal: every job submitted five at a time,
 *                                some partial, some failed, one submission lost
 *     --title T --store S --source S --plan-path P
 *     --append NAME              one more object (raw bytes, after the others in name
 *                                order): a listing file cannot hold a name that is not
 *                                UTF-8
 *     --summary-json FILE        also write the summary fragment there
 *     --no-script                a page without its script
 *     --stats                    figures on stderr, one line of key=value
 *
 *     --write-listing FILE       with --generate: also write the archive as a JSON
 *                                Lines listing, for `gcsplan plan --listing`
 *
 * The objects are planned with the library's planner and the plan proved
 * by its checker (which also finds each job's first, last and largest
 * object, and tells each object's job), and each object is fed with its
 * job to the summary, as `gcsplan plan` does. A listing is read twice; a
 * generated archive is generated twice, the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "gcsplan/gcsplan.h"
#include "gcsplan/plan.h"
#include "gcsplan/report.h"

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "report_driver: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- objects ----------------------------------------------------------------------------- */

typedef struct source {
    const char *listing;      /* or NULL: generated */
    uint64_t generate;
    gcsplan_pattern *pattern;
    /* listing */
    gcsplan_lister *lister;
    const char *append;       /* one more object after the rest, or NULL */
    int appended;
    /* generator */
    uint64_t made, seed;
    unsigned year, patient, series, image, images, series_n, phase;
    char name[256];
} source;

static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

/* Sizes of a DICOM archive: mostly a few hundred KiB (CT, MR slices), some
 * tens of MiB (X-ray, mammography), a few GiB (whole-slide images), and
 * the odd empty file. */
static uint64_t gen_size(uint64_t *seed)
{
    uint64_t r = lcg(seed) % 10000;
    if (r < 3)
        return 0;
    if (r < 8500)
        return 200000 + lcg(seed) % 600000;
    if (r < 9990)
        return 8000000 + lcg(seed) % 40000000;
    return 1000000000 + lcg(seed) % 3000000000ull;
}

static void source_open(source *s)
{
    s->made = 0;
    s->seed = 7;
    s->year = 2015;
    s->patient = 0;
    s->series = 0;
    s->image = 0;
    s->phase = 0;
    s->images = 0;
    s->appended = 0;
    if (s->listing == NULL)
        return;
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.source = GCSPLAN_SOURCE_LISTING;
    lo.path = s->listing;
    gcsplan_error e;
    if (gcsplan_lister_new(&s->lister, s->pattern, &lo, &e) != 0)
        die("listing: %s", e.message);
}

/* The next object in name order: 1, or 0 at the end. Generated names:
 * studies/YYYY/patient-NNNNNNN/{DICOMDIR, series-K/IM-NNNNN.dcm}. */
static int source_more(source *s, const char **name, size_t *len, uint64_t *size);

static int source_next(source *s, const char **name, size_t *len, uint64_t *size)
{
    while (source_more(s, name, len, size))
        if (s->listing != NULL || gcsplan_pattern_match(s->pattern, *name, *len))
            return 1;
    if (s->append == NULL || s->appended)
        return 0;
    s->appended = 1;
    *name = s->append;
    *len = strlen(s->append);
    *size = 1234;
    return 1;
}

static int source_more(source *s, const char **name, size_t *len, uint64_t *size)
{
    if (s->listing != NULL) {
        const gcsplan_object *o;
        int rc = gcsplan_lister_next(&o, s->lister);
        if (rc == GCSPLAN_ITEROVER)
            return 0;
        if (rc != 0)
            die("listing: %s", gcsplan_lister_error(s->lister)->message);
        *name = o->name;
        *len = o->name_len;
        *size = o->size;
        return 1;
    }
    if (s->made == s->generate)
        return 0;
    for (;;) {
        if (s->phase == 0) { /* a new patient: how many series, and a DICOMDIR */
            s->series_n = 1 + (unsigned)(lcg(&s->seed) % 4);
            s->series = 1;
            s->image = 0;
            s->images = 20 + (unsigned)(lcg(&s->seed) % 180);
            s->phase = 1;
            if (lcg(&s->seed) % 4 == 0) {
                snprintf(s->name, sizeof s->name, "studies/%u/patient-%07u/DICOMDIR", s->year,
                         s->patient);
                *size = 4096;
                break;
            }
        }
        if (s->image < s->images) {
            snprintf(s->name, sizeof s->name, "studies/%u/patient-%07u/series-%u/IM-%05u.dcm",
                     s->year, s->patient, s->series, s->image++);
            *size = gen_size(&s->seed);
            break;
        }
        if (s->series < s->series_n) {
            s->series++;
            s->image = 0;
            s->images = 20 + (unsigned)(lcg(&s->seed) % 180);
            continue;
        }
        /* Next patient; a new year every tenth of the archive. */
        s->patient++;
        s->phase = 0;
        uint64_t tenth = s->generate / 10 + 1;
        if (s->year < 2024 && s->made >= (uint64_t)(s->year - 2014) * tenth)
            s->year++;
    }
    s->made++;
    *name = s->name;
    *len = strlen(s->name);
    return 1;
}

static void source_close(source *s)
{
    gcsplan_lister_free(s->lister);
    s->lister = NULL;
}

/* --- journal ----------------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        die("cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap + 1);
    size_t k;
    while ((k = fread(p + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            cap *= 2;
            p = realloc(p, cap + 1);
        }
    }
    fclose(f);
    p[n] = '\0';
    *len = n;
    return p;
}

static const char *tstr(yajl_val v, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val x = yajl_tree_get(v, path, yajl_t_string);
    return x ? YAJL_GET_STRING(x) : NULL;
}

static int64_t tnum(yajl_val v, const char *key, int *have)
{
    const char *path[] = { key, NULL };
    yajl_val x = yajl_tree_get(v, path, yajl_t_number);
    if (have)
        *have = x != NULL;
    return x && YAJL_IS_INTEGER(x) ? YAJL_GET_INTEGER(x) : 0;
}

static void add_event(gcsplan_report *r, gcsplan_report_event *ev)
{
    gcsplan_error e;
    if (gcsplan_report_add_event(r, ev, &e) != 0)
        die("event: %s", e.message);
}

static void read_journal(gcsplan_report *r, const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char why[256];
        yajl_val v = yajl_tree_parse(line, why, sizeof why);
        if (v == NULL)
            die("journal: %s", why);
        static const char *const kinds[] = { "", "submit", "submitted", "progress", "done", "lost" };
        static const char *const states[] = { "", "", "", "succeeded", "partial", "failed" };
        gcsplan_report_event ev = GCSPLAN_REPORT_EVENT_INIT;
        const char *kind = tstr(v, "event"), *state = tstr(v, "state");
        for (int k = 1; k <= 5; k++)
            if (kind && strcmp(kind, kinds[k]) == 0)
                ev.kind = (gcsplan_report_event_kind)k;
        for (int k = 3; k <= 5; k++)
            if (state && strcmp(state, states[k]) == 0)
                ev.state = (gcsplan_run_state)k;
        ev.job = (size_t)(tnum(v, "job", NULL) - 1);
        ev.time_ms = tnum(v, "time", NULL);
        ev.operation = tstr(v, "operation");
        ev.logs_url = tstr(v, "logs_url");
        ev.error = tstr(v, "error");
        int hs, hf;
        ev.success = (uint64_t)tnum(v, "success", &hs);
        ev.failure = (uint64_t)tnum(v, "failure", &hf);
        ev.has_counters = hs && hf;
        add_event(r, &ev);
        yajl_tree_free(v);
    }
    free(text);
}

/* Five operations at a time; each takes a minute plus a minute per 20 GiB.
 * Every 37th job is partial, every 97th fails, job 3's first submission
 * gets no answer. */
static void simulate_run(gcsplan_report *r, const gcsplan_planner *pl)
{
    size_t n = gcsplan_planner_job_count(pl);
    int64_t slot_free[5];
    const int64_t start = 1714550400000LL; /* 2024-05-01 08:00:00 UTC */
    for (int k = 0; k < 5; k++)
        slot_free[k] = start;
    char op[160], logs[400];
    for (size_t i = 0; i < n; i++) {
        const gcsplan_job *j = gcsplan_planner_job(pl, i);
        int k = 0;
        for (int m = 1; m < 5; m++)
            if (slot_free[m] < slot_free[k])
                k = m;
        int64_t t = slot_free[k];
        gcsplan_report_event ev = GCSPLAN_REPORT_EVENT_INIT;
        ev.job = i;
        ev.kind = GCSPLAN_EVENT_SUBMIT;
        ev.time_ms = t;
        add_event(r, &ev);
        if (i == 2) { /* the answer never came; the run resumed 30 s later */
            ev.time_ms = t += 30000;
            add_event(r, &ev);
        }
        snprintf(op, sizeof op, "projects/demo-project/locations/us-central1/datasets/imaging/"
                                "operations/%llu", 7300000000000000000ull + i * 7919);
        snprintf(logs, sizeof logs, "https://console.cloud.google.com/logs/query/query=operation.id%%3D%%22%llu%%22?project=demo-project",
                 7300000000000000000ull + i * 7919);
        ev.kind = GCSPLAN_EVENT_SUBMITTED;
        ev.time_ms = t + 800;
        ev.operation = op;
        add_event(r, &ev);
        int64_t took = 60000 + (int64_t)(j->bytes / (20ull << 30)) * 60000 + (int64_t)(i % 7) * 9000;
        ev.kind = GCSPLAN_EVENT_DONE;
        ev.time_ms = t + took;
        ev.logs_url = logs;
        ev.has_counters = 1;
        if (i % 97 == 96) {
            ev.state = GCSPLAN_RUN_FAILED;
            ev.has_counters = 0;
            ev.error = "PERMISSION_DENIED: the Cloud Healthcare Service Agent lacks "
                       "storage.objects.get on the bucket";
        } else if (i % 37 == 36) {
            ev.state = GCSPLAN_RUN_PARTIAL;
            ev.failure = j->objects / 50 + 1;
            ev.success = j->objects - ev.failure;
            ev.error = NULL;
        } else {
            ev.state = GCSPLAN_RUN_SUCCEEDED;
            ev.success = j->objects;
            ev.failure = 0;
            ev.error = NULL;
        }
        add_event(r, &ev);
        slot_free[k] = t + took + 1000;
    }
}

/* --- main -------------------------------------------------------------------------------- */

typedef struct file_sink {
    FILE *f;
    uint64_t bytes;
} file_sink;

static int to_file(const char *data, size_t len, void *ctx)
{
    file_sink *s = ctx;
    s->bytes += len;
    return fwrite(data, 1, len, s->f) == len ? 0 : 1;
}

static uint64_t parse_size(const char *v)
{
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    switch (*end) {
    case 'K': n <<= 10; break;
    case 'M': n <<= 20; break;
    case 'G': n <<= 30; break;
    case 'T': n <<= 40; break;
    default: break;
    }
    return n;
}

int main(int argc, char **argv)
{
    source src;
    memset(&src, 0, sizeof src);
    const char *uri = NULL, *out = NULL, *preflight_json = NULL, *journal = NULL;
    const char *title = NULL, *store = NULL, *source_text = NULL, *plan_path = NULL;
    const char *summary_json = NULL, *write_listing = NULL;
    int simulate = 0, stats = 0, no_script = 0;
    gcsplan_plan_options po = GCSPLAN_PLAN_OPTIONS_INIT;
    gcsplan_summary_options so = GCSPLAN_SUMMARY_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int took = 1;
        if (strcmp(a, "--listing") == 0 && v) src.listing = v;
        else if (strcmp(a, "--uri") == 0 && v) uri = v;
        else if (strcmp(a, "--generate") == 0 && v) src.generate = strtoull(v, NULL, 10);
        else if (strcmp(a, "--max-objects") == 0 && v) po.max_objects = strtoull(v, NULL, 10);
        else if (strcmp(a, "--max-bytes") == 0 && v) po.max_bytes = parse_size(v);
        else if (strcmp(a, "--max-nodes") == 0 && v) so.max_nodes = strtoull(v, NULL, 10);
        else if (strcmp(a, "--preflight-json") == 0 && v) preflight_json = v;
        else if (strcmp(a, "--journal") == 0 && v) journal = v;
        else if (strcmp(a, "--title") == 0 && v) title = v;
        else if (strcmp(a, "--store") == 0 && v) store = v;
        else if (strcmp(a, "--source") == 0 && v) source_text = v;
        else if (strcmp(a, "--plan-path") == 0 && v) plan_path = v;
        else if (strcmp(a, "--summary-json") == 0 && v) summary_json = v;
        else if (strcmp(a, "--append") == 0 && v) src.append = v;
        else if (strcmp(a, "--write-listing") == 0 && v) write_listing = v;
        else {
            took = 0;
            if (strcmp(a, "--simulate-run") == 0) simulate = 1;
            else if (strcmp(a, "--stats") == 0) stats = 1;
            else if (strcmp(a, "--no-script") == 0) no_script = 1;
            else if (a[0] == '-' || out != NULL) die("usage: see the top of report_driver.c (%s)", a);
            else out = a;
        }
        i += took;
    }
    if (out == NULL || (src.listing == NULL) == (src.generate == 0) ||
        (src.listing != NULL && uri == NULL))
        die("usage: report_driver (--listing FILE --uri URI | --generate N) [options] OUT.html%s", "");
    if (write_listing != NULL && (src.generate == 0 || src.append != NULL))
        die("--write-listing writes a generated archive (its names need no escaping)%s", "");
    if (uri == NULL)
        uri = "gs://archive-bucket/studies/**";
    gcsplan_error e;
    if (gcsplan_pattern_compile(&src.pattern, uri, strlen(uri), NULL, &e) != 0)
        die("URI: %s", e.message);

    /* Pass 1: plan, and the pre-flight. */
    double t_start = now_s();
    gcsplan_planner *pl;
    gcsplan_preflight *pf;
    gcsplan_preflight_options pfo = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    if (gcsplan_planner_new(&pl, src.pattern, &po, &e) != 0 ||
        gcsplan_preflight_new(&pf, src.pattern, &pfo, &e) != 0)
        die("%s", e.message);
    const char *name;
    size_t len;
    uint64_t size, objects = 0;
    FILE *listing_out = write_listing ? fopen(write_listing, "wb") : NULL;
    if (write_listing != NULL && listing_out == NULL)
        die("cannot write %s", write_listing);
    source_open(&src);
    while (source_next(&src, &name, &len, &size)) {
        gcsplan_object o = { name, len, size, 0, 0 };
        if (listing_out != NULL)
            fprintf(listing_out, "{\"name\":\"%.*s\",\"size\":%llu}\n", (int)len, name,
                    (unsigned long long)size);
        if (gcsplan_planner_add(pl, name, len, size, 0, &e) != 0 ||
            gcsplan_preflight_add(pf, &o, &e) != 0)
            die("%s", e.message);
        objects++;
    }
    source_close(&src);
    if (listing_out != NULL && fclose(listing_out) != 0)
        die("cannot write %s", write_listing);
    if (gcsplan_planner_finish(pl, &e) != 0 || gcsplan_preflight_finish(pf, &e) != 0)
        die("%s", e.message);
    double t_plan = now_s();

    /* Pass 2: the summary, each object with its job; the plan checker
     * proves the plan on the same pass and records each job's first,
     * last and largest object, as `gcsplan plan` does. */
    gcsplan_summary *sum;
    gcsplan_plan_check *chk;
    if (gcsplan_summary_new(&sum, &so, &e) != 0 || gcsplan_plan_check_new(&chk, pl, &e) != 0)
        die("%s", e.message);
    source_open(&src);
    while (source_next(&src, &name, &len, &size)) {
        size_t job;
        if (gcsplan_plan_check_add_ext(chk, name, len, size, 0, 0, &job, &e) != 0)
            die("plan check: %s", e.message);
        if (gcsplan_summary_add(sum, name, len, size, job, &e) != 0)
            die("summary: %s", e.message);
    }
    source_close(&src);
    if (gcsplan_plan_check_finish(chk, &e) != 0 || gcsplan_summary_finish(sum, &e) != 0)
        die("%s", e.message);
    double t_summary = now_s();
    uint64_t summary_bytes = 0;
    if (summary_json != NULL) {
        file_sink fs = { fopen(summary_json, "wb"), 0 };
        if (fs.f == NULL || gcsplan_summary_write_json(sum, to_file, &fs, &e) != 0)
            die("summary JSON: %s", summary_json);
        fclose(fs.f);
        summary_bytes = fs.bytes;
    }

    /* The report. */
    gcsplan_report_options ro = GCSPLAN_REPORT_OPTIONS_INIT;
    ro.title = title;
    ro.generated_ms = 1714640400000LL; /* fixed, so that pages compare */
    ro.flags = no_script ? GCSPLAN_REPORT_NO_SCRIPT : 0;
    gcsplan_report *r;
    if (gcsplan_report_new(&r, &ro, &e) != 0)
        die("%s", e.message);
    gcsplan_report_plan plan = GCSPLAN_REPORT_PLAN_INIT;
    gcsplan_report_plan_from_planner(&plan, pl);
    plan.store = store;
    plan.source = source_text ? source_text : src.listing ? src.listing : "generated archive";
    plan.plan_path = plan_path;
    plan.created_ms = 1714546800000LL;
    if (gcsplan_report_set_plan(r, &plan, &e) != 0 || gcsplan_report_add_planner_jobs(r, pl, &e) != 0 ||
        gcsplan_report_add_preflight(r, pf, &e) != 0)
        die("%s", e.message);
    gcsplan_report_set_summary(r, sum);
    if (preflight_json != NULL) {
        size_t n;
        char *doc = read_file(preflight_json, &n);
        if (gcsplan_report_add_preflight_json(r, doc, n, &e) != 0)
            die("pre-flight document: %s", e.message);
        free(doc);
    }
    if (journal != NULL)
        read_journal(r, journal);
    if (simulate)
        simulate_run(r, pl);
    double t_ready = now_s();
    file_sink fs = { fopen(out, "wb"), 0 };
    if (fs.f == NULL)
        die("cannot write %s", out);
    if (gcsplan_report_render(r, to_file, &fs, &e) != 0)
        die("render: %s", e.message);
    if (fclose(fs.f) != 0)
        die("cannot write %s", out);
    double t_render = now_s();
    if (stats)
        fprintf(stderr, "objects=%llu jobs=%zu nodes=%zu summary_bytes=%llu html_bytes=%llu "
                        "plan_s=%.2f summary_s=%.2f render_s=%.3f\n",
                (unsigned long long)objects, gcsplan_planner_job_count(pl),
                gcsplan_summary_node_count(sum), (unsigned long long)summary_bytes,
                (unsigned long long)fs.bytes, t_plan - t_start, t_summary - t_plan,
                t_render - t_ready);
    gcsplan_report_free(r);
    gcsplan_summary_free(sum);
    gcsplan_plan_check_free(chk);
    gcsplan_preflight_free(pf);
    gcsplan_planner_free(pl);
    gcsplan_pattern_free(src.pattern);
    return 0;
}
