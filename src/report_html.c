/* The report page: one HTML file that needs nothing else.
 *
 * The markup is also well-formed XML (every element closed, attributes
 * quoted, only the five XML entities, no '<' or '&' in style or script), so
 * it reads as HTML and as XHTML alike. A Content-Security-Policy meta tag
 * forbids every load, so even a browser that found something to fetch would
 * not; the favicon is an empty data: URL so the browser does not ask for
 * one. The page is complete without its script: the treemap's titles show
 * on hover, its boxes are links or focusable, and every figure is in a
 * table. The script only copies the title of the focused box into a line
 * under the treemap, for keyboard users. */
#include <openssl/evp.h>
#include <string.h>

#include "gcsplan/version.h"
#include "internal.h"
#include "report_internal.h"
#include "report_summary.h"

static const char style[] =
    ":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--head:#f6f8fa;--ok:#1a7f37;"
    "--warn:#9a6700;--err:#cf222e;--info:#0969da}"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);"
    "margin:0 auto;max-width:1480px;padding:0 24px 40px}"
    "h1{font-size:22px;margin:18px 0 2px}h2{font-size:18px;margin:30px 0 8px;"
    "border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:0 0 4px}"
    "code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "overflow-wrap:anywhere}"
    ".muted,caption{color:var(--muted)}caption{text-align:left;padding:4px 0}"
    ".facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 18px;margin:10px 0}"
    ".facts dt{color:var(--muted)}.facts dd{margin:0}"
    "nav{margin:8px 0 0}nav a{margin-right:16px}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}"
    "thead th{position:sticky;top:0;background:var(--head);z-index:1}"
    ".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    /* The jobs table is the page's biggest part: its cells carry their
     * bars and swatches in CSS (a gradient sized by --p, a ::before), not
     * in elements of their own, so that a browser lays out 10,000 rows
     * quickly. */
    "td.b{background:linear-gradient(#54aeff,#54aeff) no-repeat left bottom/var(--p) 4px,"
    "linear-gradient(#eaeef2,#eaeef2) no-repeat left bottom/100% 4px;padding-bottom:8px;"
    "min-width:90px}"
    "td.b.over{background-image:linear-gradient(#cf222e,#cf222e),linear-gradient(#eaeef2,#eaeef2)}"
    "td.j::before,.sw{content:'';display:inline-block;width:11px;height:11px;border-radius:2px;"
    "margin-right:6px;vertical-align:-1px;border:1px solid rgba(0,0,0,.25);background:var(--c)}"
    ".sw.several{background:repeating-linear-gradient(45deg,#9aa0a6 0 2px,#e8eaed 2px 4px)}"
    ".sw.folder{background:#f6f8fa;border-color:#818b98}"
    ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px}"
    ".map{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px;"
    "align-items:start}"
    "@media (max-width:1000px){.map{grid-template-columns:1fr}}"
    ".scroll{max-height:680px;overflow:auto;border:1px solid var(--line)}"
    "#treemap text{font:11px system-ui,sans-serif;fill:#1f2328;pointer-events:none}"
    "#treemap .fd{fill:#f6f8fa;stroke:#818b98;stroke-width:.6}"
    "#treemap rect{stroke:#fff;stroke-width:.5}"
    "#treemap .fd{stroke:#818b98}"
    "#treemap .node:hover rect,#treemap .node:focus rect{stroke:#000;stroke-width:2}"
    "#treemap .node:focus{outline:none}"
    "tr:target{background:#fff8c5}"
    ".badge{display:inline-block;font-size:11px;font-weight:600;padding:0 7px;"
    "border-radius:9px;border:1px solid currentColor;white-space:nowrap}"
    ".error,.failed,.lost{color:var(--err)}.warning,.partial{color:var(--warn)}"
    ".info,.running,.submitting{color:var(--info)}.succeeded{color:var(--ok)}"
    ".waiting{color:var(--muted)}"
    ".finding{border:1px solid var(--line);border-left:4px solid var(--muted);"
    "padding:8px 12px;margin:10px 0}"
    ".finding.error{border-left-color:var(--err)}.finding.warning{border-left-color:var(--warn)}"
    ".finding.info{border-left-color:var(--info)}.finding p{margin:4px 0;color:var(--fg)}"
    ".finding ul{margin:4px 0;padding-left:20px;color:var(--fg)}"
    ".jobs td.uri,.jobs td.fl,.jobs td.op{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,"
    "Consolas,monospace;overflow-wrap:anywhere}"
    ".jobs td.uri{max-width:520px}.jobs td.fl{font-size:12px;max-width:360px;white-space:pre-line}"
    /* Sections below the fold are laid out when they come into view. */
    "main>section{content-visibility:auto;contain-intrinsic-size:auto 900px}"
    ".err-msg{font-size:12px;color:var(--err);overflow-wrap:anywhere}"
    ".next li{margin:4px 0}"
    ".chart text{font:11px system-ui,sans-serif;fill:#59636e}"
    ".chart .o{fill:#54aeff}.chart .b{fill:#fb8f44}"
    ".tl .succeeded{fill:#2da44e}.tl .partial{fill:#d4a72c}.tl .failed{fill:#cf222e}"
    ".tl .running,.tl .submitting{fill:#8c959f}.tl .lost{fill:#fff;stroke:#cf222e;"
    "stroke-width:1.5}.tl text{font:11px system-ui,sans-serif;fill:#59636e}"
    ".tl line{stroke:#d1d9e0}"
    "@media print{.scroll{max-height:none;overflow:visible}thead th{position:static}}";

/* Copies the focused treemap box's title into the line below the map. No
 * '<' or '&' in it: the page must stay well-formed XML. */
static const char script[] =
    "(function(){var m=document.getElementById('treemap'),"
    "o=document.getElementById('map-focus');if(!m||!o)return;"
    "m.addEventListener('focusin',function(e){var n=e.target.closest('.node');"
    "var t=n?n.querySelector('title'):null;o.textContent=t?t.textContent:''});})();";

static const char *const state_names[] = { "waiting", "submitting", "running", "succeeded",
                                           "partial", "failed", "lost" };

static const char *const state_words[] = { "not submitted", "submitted, no answer journaled",
                                           "running", "succeeded", "partial", "failed",
                                           "lost submission" };

typedef struct totals {
    uint64_t by_state[7];      /* jobs by the state of their last attempt */
    uint64_t lost;             /* attempts whose answer never arrived */
    uint64_t success, failure; /* the last attempts' counters */
    int counters;              /* some attempt had counters */
    size_t first_failing;      /* a job that failed or is partial, for the hints */
    int have_failing;
} totals;

static gcsplan_run_state job_state(const rp_job *j)
{
    return j->n_attempts ? j->attempts[j->n_attempts - 1].state : GCSPLAN_RUN_WAITING;
}

static void count_run(const gcsplan_report *r, totals *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < r->n_jobs; i++) {
        const rp_job *j = &r->jobs[i];
        gcsplan_run_state st = job_state(j);
        /* A last submission that got no answer is, for what to do next,
         * one still to be answered: the same command submits it again. */
        t->by_state[st == GCSPLAN_RUN_LOST ? GCSPLAN_RUN_SUBMITTING : st]++;
        for (size_t k = 0; k < j->n_attempts; k++)
            t->lost += j->attempts[k].state == GCSPLAN_RUN_LOST;
        if (j->n_attempts && j->attempts[j->n_attempts - 1].has_counters) {
            t->counters = 1;
            t->success += j->attempts[j->n_attempts - 1].success;
            t->failure += j->attempts[j->n_attempts - 1].failure;
        }
        if (!t->have_failing && (st == GCSPLAN_RUN_FAILED || st == GCSPLAN_RUN_PARTIAL)) {
            t->have_failing = 1;
            t->first_failing = i;
        }
    }
}

static void put_count_word(rp_out *o, uint64_t n, const char *one, const char *many)
{
    gcsplan__ro_count(o, n);
    gcsplan__ro_raw(o, " ");
    gcsplan__ro_raw(o, n == 1 ? one : many);
}

/* A path as a shell word: as it is when it is plain, else single-quoted. */
static void shell_word(rp_out *o, const rp_str *s, const char *fallback)
{
    const char *p = s->p ? s->p : fallback;
    size_t n = s->p ? s->n : strlen(fallback);
    int plain = n > 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '/' || c == '+' || c == ':'))
            plain = 0;
    }
    if (plain) {
        gcsplan__ro_text(o, p, n);
        return;
    }
    gcsplan__ro_raw(o, "&#39;");
    for (size_t i = 0; i < n; i++) {
        size_t k = i;
        while (k < n && p[k] != '\'')
            k++;
        gcsplan__ro_text(o, p + i, k - i);
        if (k < n)
            gcsplan__ro_raw(o, "&#39;\\&#39;&#39;");
        i = k;
    }
    gcsplan__ro_raw(o, "&#39;");
}

/* --- head and header --------------------------------------------------------------------- */

static void page_title(const gcsplan_report *r, rp_out *o)
{
    if (r->title.p != NULL) {
        gcsplan__ro_str(o, &r->title);
        return;
    }
    gcsplan__ro_raw(o, "Import plan: ");
    gcsplan__ro_str(o, &r->uri);
}

/* The policy allows our one script by its hash, not every inline script:
 * were a string ever to slip through as markup, a script in it would not
 * run. */
static void script_hash(rp_out *o)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    if (EVP_Digest(script, sizeof script - 1, md, &n, EVP_sha256(), NULL) != 1) {
        gcsplan__ro_raw(o, "'none'"); /* no hash, no script */
        return;
    }
    EVP_EncodeBlock(b64, md, (int)n);
    gcsplan__ro_raw(o, "'sha256-");
    gcsplan__ro_raw(o, (const char *)b64);
    gcsplan__ro_raw(o, "'");
}

static void head(const gcsplan_report *r, rp_out *o)
{
    int script_on = !(r->flags & GCSPLAN_REPORT_NO_SCRIPT);
    gcsplan__ro_raw(o, "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">"
                       "<head><meta charset=\"utf-8\"/>"
                       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                       "'none'; style-src 'unsafe-inline'; img-src data:; script-src ");
    if (script_on)
        script_hash(o);
    else
        gcsplan__ro_raw(o, "'none'");
    gcsplan__ro_raw(o, "; base-uri 'none'; form-action 'none'\"/>"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
                       "<meta name=\"generator\" content=\"gcsplan " GCSPLAN_VERSION_STRING "\"/>"
                       "<link rel=\"icon\" href=\"data:,\"/><title>");
    page_title(r, o);
    gcsplan__ro_raw(o, "</title><style>");
    gcsplan__ro_raw(o, style);
    /* The jobs' swatches, from the one palette the treemap uses. */
    for (size_t k = 0; k < GCSPLAN__RP_PALETTE; k++) {
        gcsplan__ro_raw(o, ".c");
        gcsplan__ro_u64(o, k);
        gcsplan__ro_raw(o, "{--c:");
        gcsplan__ro_raw(o, gcsplan__rp_job_colour(k));
        gcsplan__ro_raw(o, "}");
    }
    gcsplan__ro_raw(o, "</style></head>\n<body>");
}

static void fact(rp_out *o, const char *term)
{
    gcsplan__ro_raw(o, "<dt>");
    gcsplan__ro_raw(o, term);
    gcsplan__ro_raw(o, "</dt><dd>");
}

static void header(const gcsplan_report *r, rp_out *o, const totals *t)
{
    gcsplan__ro_raw(o, "<header><h1>");
    if (r->title.p != NULL)
        gcsplan__ro_str(o, &r->title);
    else
        gcsplan__ro_raw(o, "Import plan");
    gcsplan__ro_raw(o, "</h1><dl class=\"facts\">");
    fact(o, "URI");
    gcsplan__ro_raw(o, "<code>");
    gcsplan__ro_str(o, &r->uri);
    gcsplan__ro_raw(o, "</code></dd>");
    if (r->store.p) {
        fact(o, "Store");
        gcsplan__ro_raw(o, "<code>");
        gcsplan__ro_str(o, &r->store);
        gcsplan__ro_raw(o, "</code></dd>");
    }
    if (r->source.p) {
        fact(o, "Source");
        gcsplan__ro_str(o, &r->source);
        gcsplan__ro_raw(o, "</dd>");
    }
    if (r->created_ms) {
        fact(o, "Planned");
        gcsplan__ro_time(o, r->created_ms);
        gcsplan__ro_raw(o, "</dd>");
    }
    fact(o, "Matched");
    put_count_word(o, r->objects, "object", "objects");
    gcsplan__ro_raw(o, ", ");
    gcsplan__ro_bytes(o, r->bytes);
    gcsplan__ro_raw(o, " (");
    gcsplan__ro_count(o, r->bytes);
    gcsplan__ro_raw(o, " bytes)");
    if (r->excluded) {
        gcsplan__ro_raw(o, "; ");
        put_count_word(o, r->excluded, "excluded object", "excluded objects");
        gcsplan__ro_raw(o, " kept out");
    }
    gcsplan__ro_raw(o, "</dd>");
    fact(o, "Limits per job");
    if (!r->max_objects && !r->max_bytes)
        gcsplan__ro_raw(o, "none");
    if (r->max_objects)
        put_count_word(o, r->max_objects, "object", "objects");
    if (r->max_objects && r->max_bytes)
        gcsplan__ro_raw(o, ", ");
    if (r->max_bytes) {
        gcsplan__ro_bytes(o, r->max_bytes);
        gcsplan__ro_raw(o, " (");
        gcsplan__ro_count(o, r->max_bytes);
        gcsplan__ro_raw(o, " bytes)");
    }
    if (r->max_jobs) {
        gcsplan__ro_raw(o, "; at most ");
        put_count_word(o, r->max_jobs, "job", "jobs");
        gcsplan__ro_raw(o, " asked for");
    }
    gcsplan__ro_raw(o, "</dd>");
    fact(o, "Jobs");
    gcsplan__ro_raw(o, "<strong>");
    gcsplan__ro_count(o, r->n_jobs);
    gcsplan__ro_raw(o, "</strong>; lower bound ");
    gcsplan__ro_count(o, r->lower_bound);
    if (r->prefix_cut_jobs) {
        gcsplan__ro_raw(o, "; the prefix-cut plan needs ");
        gcsplan__ro_count(o, r->prefix_cut_jobs);
    }
    uint64_t oversize = 0, inseparable = 0;
    for (size_t i = 0; i < r->n_jobs; i++) {
        oversize += (r->jobs[i].flags & GCSPLAN_JOB_OVERSIZE) != 0;
        inseparable += (r->jobs[i].flags & GCSPLAN_JOB_INSEPARABLE) != 0;
    }
    if (oversize) {
        gcsplan__ro_raw(o, "; ");
        put_count_word(o, oversize, "job holds", "jobs hold");
        gcsplan__ro_raw(o, " one object over the byte limit");
    }
    if (inseparable) {
        gcsplan__ro_raw(o, "; ");
        put_count_word(o, inseparable, "job is", "jobs are");
        gcsplan__ro_raw(o, " over the limits (names with '*' or '?' no URI can separate)");
    }
    gcsplan__ro_raw(o, "</dd>");
    if (r->have_preflight) {
        uint64_t sev[3] = { 0, 0, 0 };
        for (size_t i = 0; i < r->n_findings; i++)
            sev[r->findings[i].severity]++;
        fact(o, "Pre-flight");
        gcsplan__ro_raw(o, "<a href=\"#findings\">");
        put_count_word(o, sev[GCSPLAN_SEVERITY_ERROR], "error", "errors");
        gcsplan__ro_raw(o, ", ");
        put_count_word(o, sev[GCSPLAN_SEVERITY_WARNING], "warning", "warnings");
        gcsplan__ro_raw(o, ", ");
        gcsplan__ro_count(o, sev[GCSPLAN_SEVERITY_INFO]);
        gcsplan__ro_raw(o, " info</a></dd>");
    }
    if (r->have_events) {
        fact(o, "Import");
        gcsplan__ro_raw(o, "<a href=\"#run\">");
        static const gcsplan_run_state order[] = { GCSPLAN_RUN_SUCCEEDED, GCSPLAN_RUN_PARTIAL,
                                                   GCSPLAN_RUN_FAILED, GCSPLAN_RUN_RUNNING,
                                                   GCSPLAN_RUN_SUBMITTING, GCSPLAN_RUN_WAITING };
        for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
            if (k > 0 && t->by_state[order[k]] == 0)
                continue;
            if (k > 0)
                gcsplan__ro_raw(o, ", ");
            gcsplan__ro_count(o, t->by_state[order[k]]);
            gcsplan__ro_raw(o, " ");
            gcsplan__ro_raw(o, state_words[order[k]]);
        }
        gcsplan__ro_raw(o, "</a></dd>");
    }
    gcsplan__ro_raw(o, "</dl><nav>");
    if (r->have_events)
        gcsplan__ro_raw(o, "<a href=\"#run\">Import run</a>");
    gcsplan__ro_raw(o, "<a href=\"#findings\">Findings</a><a href=\"#map\">Where the data is</a>"
                       "<a href=\"#jobs\">Jobs</a>");
    if (r->summary)
        gcsplan__ro_raw(o, "<a href=\"#sizes\">Object sizes</a>");
    gcsplan__ro_raw(o, "</nav></header>\n<main>");
}

/* --- the import run ---------------------------------------------------------------------- */

static int contains(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, lit, k) == 0)
            return 1;
    return 0;
}

/* The part of an operation name after "key/", up to the next '/'. */
static int op_part(const rp_str *op, const char *key, const char **s, size_t *n)
{
    size_t k = strlen(key);
    for (size_t i = 0; op->p != NULL && i + k < op->n; i++) {
        if ((i == 0 || op->p[i - 1] == '/') && memcmp(op->p + i, key, k) == 0 &&
            op->p[i + k] == '/') {
            *s = op->p + i + k + 1;
            const char *end = memchr(*s, '/', op->n - (i + k + 1));
            *n = end ? (size_t)(end - *s) : op->n - (i + k + 1);
            return *n > 0;
        }
    }
    return 0;
}

static void next_steps(const gcsplan_report *r, rp_out *o, const totals *t)
{
    gcsplan__ro_raw(o, "<h3>What to do next</h3><ul class=\"next\">");
    uint64_t unfinished = t->by_state[GCSPLAN_RUN_WAITING] + t->by_state[GCSPLAN_RUN_RUNNING] +
                          t->by_state[GCSPLAN_RUN_SUBMITTING];
    if (t->by_state[GCSPLAN_RUN_FAILED]) {
        gcsplan__ro_raw(o, "<li>");
        put_count_word(o, t->by_state[GCSPLAN_RUN_FAILED], "job", "jobs");
        gcsplan__ro_raw(o, " failed. Once the cause is fixed, submit them again: "
                           "<code>gcsplan import --retry-failed ");
        shell_word(o, &r->plan_path, "PLAN.json");
        gcsplan__ro_raw(o, "</code></li>");
    }
    if (unfinished) {
        gcsplan__ro_raw(o, "<li>");
        put_count_word(o, unfinished, "job has", "jobs have");
        gcsplan__ro_raw(o, " not finished. The same command continues from the journal, "
                           "polling what was submitted and submitting the rest: "
                           "<code>gcsplan import ");
        shell_word(o, &r->plan_path, "PLAN.json");
        gcsplan__ro_raw(o, "</code></li>");
    }
    if (t->have_failing) {
        const rp_job *j = &r->jobs[t->first_failing];
        const rp_attempt *a = &j->attempts[j->n_attempts - 1];
        gcsplan__ro_raw(o, "<li>The import writes one error per file that failed to Cloud "
                           "Logging, not to this journal. Each failed or partial job below "
                           "has a <em>logs</em> link to its operation's entries.");
        const char *id, *project;
        size_t id_n, project_n;
        if (op_part(&a->operation, "operations", &id, &id_n)) {
            int fhir = r->store.p != NULL && contains(r->store.p, r->store.n, "/fhirStores/");
            const char *res = fhir ? "healthcare_fhir_store" : "healthcare_dicom_store";
            gcsplan__ro_raw(o, " In Logs Explorer, the errors of job ");
            gcsplan__ro_count(o, (uint64_t)t->first_failing + 1);
            gcsplan__ro_raw(o, " are found with <code>resource.type=&quot;");
            gcsplan__ro_raw(o, res);
            gcsplan__ro_raw(o, "&quot; operation.id=&quot;");
            gcsplan__ro_text(o, id, id_n);
            gcsplan__ro_raw(o, "&quot;</code>, or from a shell with <code>gcloud logging read "
                               "&#39;resource.type=&quot;");
            gcsplan__ro_raw(o, res);
            gcsplan__ro_raw(o, "&quot; AND operation.id=&quot;");
            gcsplan__ro_text(o, id, id_n);
            gcsplan__ro_raw(o, "&quot;&#39;");
            if (op_part(&a->operation, "projects", &project, &project_n)) {
                gcsplan__ro_raw(o, " --project=");
                gcsplan__ro_text(o, project, project_n);
            }
            gcsplan__ro_raw(o, " --limit=100</code>; <code>jsonPayload.source</code> names "
                               "the file and <code>jsonPayload.error</code> says why.");
        }
        gcsplan__ro_raw(o, "</li>");
    }
    if (t->lost) {
        gcsplan__ro_raw(o, "<li>");
        put_count_word(o, t->lost, "submission", "submissions");
        gcsplan__ro_raw(o, " got no answer (the connection broke or the run stopped), so the "
                           "job was submitted again. The store may have run both: look for "
                           "an operation of that time in the dataset's operations.</li>");
    }
    if (!unfinished && !t->by_state[GCSPLAN_RUN_FAILED] && !t->by_state[GCSPLAN_RUN_PARTIAL] &&
        !t->lost)
        gcsplan__ro_raw(o, "<li>Nothing: every job succeeded.</li>");
    gcsplan__ro_raw(o, "</ul>");
}

/* Tick steps for the time axis, in seconds. */
static const int64_t steps[] = { 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600,
                                 12 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400 };

static void tick_label(rp_out *o, int64_t ms, int64_t step_s, int64_t span_s)
{
    char b[64];
    gcsplan__buf fb;
    gcsplan__buf_fixed(&fb, b, sizeof b);
    rp_out tmp = { .b = fb };
    gcsplan__ro_time(&tmp, ms); /* "YYYY-MM-DD HH:MM:SS UTC" */
    const char *s = tmp.b.p;
    if (strcmp(s, "unknown") == 0)
        return;
    if (span_s > 2 * 86400)
        gcsplan__ro_text(o, s + 5, 11);  /* MM-DD HH:MM */
    else if (step_s < 60)
        gcsplan__ro_text(o, s + 11, 8);  /* HH:MM:SS */
    else
        gcsplan__ro_text(o, s + 11, 5);  /* HH:MM */
}

#define TL_W 960.0
#define TL_LEFT 70.0
#define TL_RIGHT 10.0

/* Times a journal can hold: after 1970, before the year 10000. Others are
 * taken as unknown, so that no arithmetic on them overflows and no axis
 * spans millennia. */
static int64_t sane(int64_t ms)
{
    return ms > 0 && ms <= 253402300799999LL ? ms : 0;
}

static double tl_x(int64_t ms, int64_t t0, int64_t t1)
{
    return TL_LEFT + (TL_W - TL_LEFT - TL_RIGHT) * (double)(ms - t0) / (double)(t1 - t0);
}

static void timeline(const gcsplan_report *r, rp_out *o)
{
    int64_t t0 = 0, t1 = 0;
    size_t rows = 0;
    for (size_t i = 0; i < r->n_jobs; i++) {
        const rp_job *j = &r->jobs[i];
        rows += j->n_attempts > 0;
        for (size_t k = 0; k < j->n_attempts; k++) {
            const rp_attempt *a = &j->attempts[k];
            int64_t ts[] = { sane(a->submit_ms), sane(a->submitted_ms), sane(a->done_ms),
                             sane(a->seen_ms) };
            for (int m = 0; m < 4; m++) {
                if (ts[m] <= 0)
                    continue;
                if (t0 == 0 || ts[m] < t0)
                    t0 = ts[m];
                if (ts[m] > t1)
                    t1 = ts[m];
            }
        }
    }
    gcsplan__ro_raw(o, "<h3>Timeline</h3>");
    if (rows == 0 || t0 == 0 || t1 <= t0) {
        gcsplan__ro_raw(o, "<p class=\"muted\">The journal holds no times to draw.</p>");
        return;
    }
    /* Rows shrink to keep the picture on a screen; past 2,000 rows the bars
     * carry no title of their own (the jobs table has every figure). */
    double rh = 560.0 / (double)rows;
    if (rh > 14)
        rh = 14;
    int labels = rows <= 40, titles = rows <= 2000;
    double height = rh * (double)rows + 28;
    gcsplan__ro_raw(o, "<ul class=\"legend\"><li><span class=\"sw\" style=\"--c:#2da44e\">"
                       "</span>succeeded</li><li><span class=\"sw\" style=\"--c:#d4a72c\">"
                       "</span>partial</li><li><span class=\"sw\" style=\"--c:#cf222e\">"
                       "</span>failed</li><li><span class=\"sw\" style=\"--c:#8c959f\">"
                       "</span>running, or no answer yet</li><li><span class=\"sw\" "
                       "style=\"background:#fff;border-color:#cf222e\"></span>lost submission"
                       "</li></ul>");
    gcsplan__ro_raw(o, "<svg class=\"tl\" viewBox=\"0 0 960 ");
    gcsplan__ro_dec(o, height);
    gcsplan__ro_raw(o, "\" width=\"100%\" role=\"img\" aria-label=\"Timeline of the import's "
                       "operations, one row per job; the jobs table below has the same "
                       "figures\" xmlns=\"http://www.w3.org/2000/svg\">");
    int64_t span_s = (t1 - t0) / 1000, step = steps[sizeof steps / sizeof *steps - 1];
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        if (span_s / steps[k] <= 7) {
            step = steps[k];
            break;
        }
    }
    int64_t first = (t0 / 1000 + step - 1) / step * step;
    /* At most a dozen ticks, whatever the span. */
    for (int64_t s = first, ticks = 0; s * 1000 <= t1 && ticks < 12; s += step, ticks++) {
        double x = tl_x(s * 1000, t0, t1);
        if (x > TL_W - 30)
            break; /* no room for its label */
        gcsplan__ro_raw(o, "<line x1=\"");
        gcsplan__ro_dec(o, x);
        gcsplan__ro_raw(o, "\" x2=\"");
        gcsplan__ro_dec(o, x);
        gcsplan__ro_raw(o, "\" y1=\"0\" y2=\"");
        gcsplan__ro_dec(o, height - 22);
        gcsplan__ro_raw(o, "\"/><text text-anchor=\"middle\" x=\"");
        gcsplan__ro_dec(o, x);
        gcsplan__ro_raw(o, "\" y=\"");
        gcsplan__ro_dec(o, height - 8);
        gcsplan__ro_raw(o, "\">");
        tick_label(o, s * 1000, step, span_s);
        gcsplan__ro_raw(o, "</text>");
    }
    size_t row = 0;
    for (size_t i = 0; i < r->n_jobs; i++) {
        const rp_job *j = &r->jobs[i];
        if (j->n_attempts == 0)
            continue;
        double y = rh * (double)row++;
        if (labels) {
            gcsplan__ro_raw(o, "<text x=\"4\" y=\"");
            gcsplan__ro_dec(o, y + rh - 3);
            gcsplan__ro_raw(o, "\">job ");
            gcsplan__ro_count(o, (uint64_t)i + 1);
            gcsplan__ro_raw(o, "</text>");
        }
        for (size_t k = 0; k < j->n_attempts; k++) {
            const rp_attempt *a = &j->attempts[k];
            int64_t start = sane(a->submit_ms) ? a->submit_ms
                            : sane(a->submitted_ms) ? a->submitted_ms : sane(a->seen_ms);
            if (start == 0)
                continue;
            int open = a->state == GCSPLAN_RUN_RUNNING || a->state == GCSPLAN_RUN_SUBMITTING;
            int64_t end = sane(a->done_ms) ? a->done_ms : open ? t1 : sane(a->seen_ms);
            double x = tl_x(start, t0, t1), w = tl_x(end > start ? end : start, t0, t1) - x;
            if (w < 2)
                w = 2;
            gcsplan__ro_raw(o, "<rect class=\"");
            gcsplan__ro_raw(o, state_names[a->state]);
            gcsplan__ro_raw(o, "\" x=\"");
            gcsplan__ro_dec(o, x);
            gcsplan__ro_raw(o, "\" y=\"");
            gcsplan__ro_dec(o, y + (rh >= 4 ? 1 : 0));
            gcsplan__ro_raw(o, "\" width=\"");
            gcsplan__ro_dec(o, w);
            gcsplan__ro_raw(o, "\" height=\"");
            gcsplan__ro_dec(o, rh >= 4 ? rh - 2 : rh);
            gcsplan__ro_raw(o, titles ? "\"><title>job " : "\"/>");
            if (!titles)
                continue;
            gcsplan__ro_count(o, (uint64_t)i + 1);
            if (j->total_attempts > 1) {
                gcsplan__ro_raw(o, ", attempt ");
                gcsplan__ro_count(o, j->total_attempts - (j->n_attempts - 1 - k));
                gcsplan__ro_raw(o, " of ");
                gcsplan__ro_count(o, j->total_attempts);
            }
            gcsplan__ro_raw(o, ": ");
            gcsplan__ro_raw(o, state_words[a->state]);
            gcsplan__ro_raw(o, "\nsubmitted ");
            gcsplan__ro_time(o, start);
            if (sane(a->done_ms)) {
                gcsplan__ro_raw(o, "\ndone ");
                gcsplan__ro_time(o, a->done_ms);
                gcsplan__ro_raw(o, " after ");
                gcsplan__ro_duration(o, a->done_ms - start);
            }
            if (a->has_counters) {
                gcsplan__ro_raw(o, "\n");
                gcsplan__ro_count(o, a->success);
                gcsplan__ro_raw(o, " imported, ");
                gcsplan__ro_count(o, a->failure);
                gcsplan__ro_raw(o, " failed");
            }
            if (a->operation.p) {
                gcsplan__ro_raw(o, "\n");
                gcsplan__ro_str(o, &a->operation);
            }
            gcsplan__ro_raw(o, "</title></rect>");
            gcsplan__ro_flush(o, 0);
        }
    }
    gcsplan__ro_raw(o, "</svg>");
}

static void run_section(const gcsplan_report *r, rp_out *o, const totals *t)
{
    gcsplan__ro_raw(o, "<section id=\"run\"><h2>Import run</h2><p>");
    static const gcsplan_run_state order[] = { GCSPLAN_RUN_SUCCEEDED, GCSPLAN_RUN_PARTIAL,
                                               GCSPLAN_RUN_FAILED, GCSPLAN_RUN_RUNNING,
                                               GCSPLAN_RUN_SUBMITTING, GCSPLAN_RUN_WAITING };
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        gcsplan__ro_raw(o, k ? " \xC2\xB7 <span class=\"badge " : "<span class=\"badge ");
        gcsplan__ro_raw(o, state_names[order[k]]);
        gcsplan__ro_raw(o, "\">");
        gcsplan__ro_count(o, t->by_state[order[k]]);
        gcsplan__ro_raw(o, " ");
        gcsplan__ro_raw(o, state_words[order[k]]);
        gcsplan__ro_raw(o, "</span>");
    }
    gcsplan__ro_raw(o, "</p>");
    if (t->counters) {
        gcsplan__ro_raw(o, "<p>Objects: <strong>");
        gcsplan__ro_count(o, t->success);
        gcsplan__ro_raw(o, "</strong> imported, <strong class=\"");
        gcsplan__ro_raw(o, t->failure ? "failed" : "succeeded");
        gcsplan__ro_raw(o, "\">");
        gcsplan__ro_count(o, t->failure);
        gcsplan__ro_raw(o, "</strong> failed (the operations' counters), of ");
        gcsplan__ro_count(o, r->objects);
        gcsplan__ro_raw(o, " planned.</p>");
    }
    if (t->lost) {
        gcsplan__ro_raw(o, "<p class=\"lost\">");
        put_count_word(o, t->lost, "submission", "submissions");
        gcsplan__ro_raw(o, " got no answer and the job was submitted again.</p>");
    }
    next_steps(r, o, t);
    timeline(r, o);
    gcsplan__ro_raw(o, "</section>\n");
}

/* --- findings ---------------------------------------------------------------------------- */

static void findings(const gcsplan_report *r, rp_out *o)
{
    gcsplan__ro_raw(o, "<section id=\"findings\"><h2>Pre-flight findings</h2>");
    if (!r->have_preflight)
        gcsplan__ro_raw(o, "<p class=\"muted\">No pre-flight was given to this report.</p>");
    else if (r->n_findings == 0)
        gcsplan__ro_raw(o, "<p>Pre-flight found nothing to report.</p>");
    for (size_t i = 0; i < r->n_findings; i++) {
        const rp_finding *f = &r->findings[i];
        const char *sev = gcsplan_severity_name(f->severity);
        gcsplan__ro_raw(o, "<div class=\"finding ");
        gcsplan__ro_raw(o, sev);
        gcsplan__ro_raw(o, "\" id=\"finding-");
        gcsplan__ro_u64(o, (uint64_t)i + 1);
        gcsplan__ro_raw(o, "\"><h3><span class=\"badge ");
        gcsplan__ro_raw(o, sev);
        gcsplan__ro_raw(o, "\">");
        gcsplan__ro_raw(o, sev);
        gcsplan__ro_raw(o, "</span> <code>");
        gcsplan__ro_str(o, &f->code);
        gcsplan__ro_raw(o, "</code>");
        if (f->count) {
            gcsplan__ro_raw(o, " <span class=\"muted\">");
            put_count_word(o, f->count, "object", "objects");
            gcsplan__ro_raw(o, ", ");
            gcsplan__ro_bytes(o, f->bytes);
            gcsplan__ro_raw(o, "</span>");
        }
        gcsplan__ro_raw(o, "</h3><p>");
        gcsplan__ro_str(o, &f->message);
        gcsplan__ro_raw(o, "</p>");
        if (f->n_kinds) {
            gcsplan__ro_raw(o, "<p class=\"muted\">Kinds: ");
            for (size_t k = 0; k < f->n_kinds; k++) {
                if (k)
                    gcsplan__ro_raw(o, ", ");
                gcsplan__ro_str(o, &f->kinds[k].kind);
                gcsplan__ro_raw(o, " ");
                gcsplan__ro_count(o, f->kinds[k].count);
                gcsplan__ro_flush(o, 0);
            }
            gcsplan__ro_raw(o, "</p>");
        }
        if (f->n_examples) {
            gcsplan__ro_raw(o, "<ul>");
            for (size_t k = 0; k < f->n_examples; k++) {
                const rp_example *e = &f->examples[k];
                gcsplan__ro_raw(o, "<li><code>");
                gcsplan__ro_str(o, &e->name);
                gcsplan__ro_raw(o, "</code> <span class=\"muted\">");
                gcsplan__ro_bytes(o, e->size);
                if (e->detail.p) {
                    gcsplan__ro_raw(o, "; ");
                    gcsplan__ro_str(o, &e->detail);
                }
                gcsplan__ro_raw(o, "</span></li>");
                gcsplan__ro_flush(o, 0);
            }
            if (f->count > f->n_examples) {
                gcsplan__ro_raw(o, "<li class=\"muted\">\xE2\x80\xA6 and ");
                gcsplan__ro_count(o, f->count - f->n_examples);
                gcsplan__ro_raw(o, " more</li>");
            }
            gcsplan__ro_raw(o, "</ul>");
        }
        if (f->hint.p) {
            gcsplan__ro_raw(o, "<p>Corrected URI: <code>");
            gcsplan__ro_str(o, &f->hint);
            gcsplan__ro_raw(o, "</code></p>");
        }
        gcsplan__ro_raw(o, "</div>");
        gcsplan__ro_flush(o, 0);
    }
    gcsplan__ro_raw(o, "</section>\n");
}

/* --- jobs -------------------------------------------------------------------------------- */

/* A number cell with its bar: v against full. */
static void bar_cell(rp_out *o, uint64_t v, uint64_t full, int over)
{
    double pct = full ? 100.0 * (double)v / (double)full : 0;
    if (pct > 100) {
        pct = 100;
        over = 1;
    }
    gcsplan__ro_raw(o, over ? "<td class=\"n b over\" style=\"--p:" : "<td class=\"n b\" style=\"--p:");
    gcsplan__ro_dec(o, pct);
    gcsplan__ro_raw(o, "%\">");
}

static void run_cells(rp_out *o, const rp_job *j)
{
    const rp_attempt *a = j->n_attempts ? &j->attempts[j->n_attempts - 1] : NULL;
    gcsplan_run_state st = a ? a->state : GCSPLAN_RUN_WAITING;
    gcsplan__ro_raw(o, "<td><span class=\"badge ");
    gcsplan__ro_raw(o, state_names[st]);
    gcsplan__ro_raw(o, "\">");
    gcsplan__ro_raw(o, state_words[st]);
    gcsplan__ro_raw(o, "</span>");
    if (j->total_attempts > 1) {
        gcsplan__ro_raw(o, " <span class=\"muted\">");
        gcsplan__ro_count(o, j->total_attempts);
        gcsplan__ro_raw(o, " attempts</span>");
    }
    for (size_t k = 0; k + 1 < j->n_attempts; k++)
        if (j->attempts[k].state == GCSPLAN_RUN_LOST) {
            gcsplan__ro_raw(o, " <span class=\"badge lost\">lost submission</span>");
            break;
        }
    if (a && a->error.p) {
        gcsplan__ro_raw(o, "<div class=\"err-msg\">");
        gcsplan__ro_str(o, &a->error);
        gcsplan__ro_raw(o, "</div>");
    }
    gcsplan__ro_raw(o, "</td><td class=\"n\">");
    if (a && a->has_counters)
        gcsplan__ro_count(o, a->success);
    gcsplan__ro_raw(o, "</td><td class=\"n\">");
    if (a && a->has_counters)
        gcsplan__ro_count(o, a->failure);
    gcsplan__ro_raw(o, "</td>");
    if (a && a->operation.p) {
        /* The operation's id is what people quote; the full name is in the title. */
        const char *id = a->operation.p;
        for (size_t k = 0; k < a->operation.n; k++)
            if (a->operation.p[k] == '/')
                id = a->operation.p + k + 1;
        gcsplan__ro_raw(o, "<td class=\"op\" title=\"");
        gcsplan__ro_str(o, &a->operation);
        gcsplan__ro_raw(o, "\">");
        gcsplan__ro_text_cut(o, id, a->operation.n - (size_t)(id - a->operation.p), 40);
    } else {
        gcsplan__ro_raw(o, "<td class=\"op\">");
    }
    if (a && a->logs_url.p) {
        if (gcsplan__ro_url_ok(a->logs_url.p, a->logs_url.n)) {
            gcsplan__ro_raw(o, " <a href=\"");
            gcsplan__ro_str(o, &a->logs_url);
            gcsplan__ro_raw(o, "\" rel=\"noopener noreferrer\" target=\"_blank\">logs</a>");
        } else {
            /* Not http(s): shown, never linked. */
            gcsplan__ro_raw(o, " <span class=\"muted\">logs: ");
            gcsplan__ro_str(o, &a->logs_url);
            gcsplan__ro_raw(o, "</span>");
        }
    }
    gcsplan__ro_raw(o, "</td>");
}

static void jobs(const gcsplan_report *r, rp_out *o)
{
    uint64_t most_objects = 0, most_bytes = 0;
    for (size_t i = 0; i < r->n_jobs; i++) {
        if (r->jobs[i].objects > most_objects)
            most_objects = r->jobs[i].objects;
        if (r->jobs[i].bytes > most_bytes)
            most_bytes = r->jobs[i].bytes;
    }
    /* Bars measure against the limits, or against the largest job. */
    uint64_t full_objects = r->max_objects ? r->max_objects : most_objects;
    uint64_t full_bytes = r->max_bytes ? r->max_bytes : most_bytes;
    gcsplan__ro_raw(o, "<section id=\"jobs\"><h2>Jobs</h2><p>One import call each. The bars "
                       "measure each job against ");
    gcsplan__ro_raw(o, r->max_objects || r->max_bytes ? "the limits (red: over them, as SPEC "
                                                         "allows for one oversize object or "
                                                         "names no URI can separate)"
                                                       : "the largest job (no limits were set)");
    gcsplan__ro_raw(o, ".</p><table class=\"jobs\"><caption>");
    put_count_word(o, r->n_jobs, "job", "jobs");
    gcsplan__ro_raw(o, "</caption><thead><tr><th scope=\"col\" class=\"n\">#</th>"
                       "<th scope=\"col\">URI</th><th scope=\"col\" class=\"n\">Objects</th>"
                       "<th scope=\"col\" class=\"n\">Bytes</th><th scope=\"col\" class=\"n\">"
                       "Largest</th><th scope=\"col\">First and last object</th>");
    if (r->have_events)
        gcsplan__ro_raw(o, "<th scope=\"col\">State</th><th scope=\"col\" class=\"n\">Imported"
                           "</th><th scope=\"col\" class=\"n\">Failed</th>"
                           "<th scope=\"col\">Operation</th>");
    gcsplan__ro_raw(o, "</tr></thead><tbody>");
    for (size_t i = 0; i < r->n_jobs; i++) {
        const rp_job *j = &r->jobs[i];
        gcsplan__ro_raw(o, "<tr id=\"job-");
        gcsplan__ro_u64(o, (uint64_t)i + 1);
        gcsplan__ro_raw(o, "\"><td class=\"n j c");
        gcsplan__ro_u64(o, i % GCSPLAN__RP_PALETTE);
        gcsplan__ro_raw(o, "\">");
        gcsplan__ro_count(o, (uint64_t)i + 1);
        gcsplan__ro_raw(o, "</td><td class=\"uri\">");
        gcsplan__ro_str(o, &j->uri);
        if (j->flags & GCSPLAN_JOB_OVERSIZE)
            gcsplan__ro_raw(o, " <span class=\"badge warning\">one object over the byte "
                               "limit</span>");
        if (j->flags & GCSPLAN_JOB_INSEPARABLE)
            gcsplan__ro_raw(o, " <span class=\"badge warning\">inseparable: over the "
                               "limits</span>");
        int flagged = j->flags != 0;
        gcsplan__ro_raw(o, "</td>");
        bar_cell(o, j->objects, full_objects, flagged && r->max_objects && j->objects > r->max_objects);
        gcsplan__ro_count(o, j->objects);
        gcsplan__ro_raw(o, "</td>");
        bar_cell(o, j->bytes, full_bytes, flagged && r->max_bytes && j->bytes > r->max_bytes);
        gcsplan__ro_bytes(o, j->bytes);
        gcsplan__ro_raw(o, "</td><td class=\"n\">");
        if (j->largest)
            gcsplan__ro_bytes(o, j->largest);
        /* First and last on two lines (white-space: pre-line). */
        gcsplan__ro_raw(o, "</td><td class=\"fl\">");
        gcsplan__ro_str(o, &j->first);
        if (j->last.p && j->objects > 1) {
            gcsplan__ro_raw(o, "\n");
            gcsplan__ro_str(o, &j->last);
        }
        gcsplan__ro_raw(o, "</td>");
        if (r->have_events)
            run_cells(o, j);
        gcsplan__ro_raw(o, "</tr>\n");
        gcsplan__ro_flush(o, 0);
    }
    gcsplan__ro_raw(o, "</tbody></table></section>\n");
}

/* --- object sizes ------------------------------------------------------------------------ */

/* A bar of the histogram. */
static void rect_plain(rp_out *o, const char *cls, double x, double y, double w, double h)
{
    gcsplan__ro_rect(o, cls, x, y, w, h);
    gcsplan__ro_raw(o, "/>");
}

/* The lower bound of size class k, as people read it. */
static void class_floor(rp_out *o, unsigned k)
{
    if (k == 0) {
        gcsplan__ro_raw(o, "0 B");
        return;
    }
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    unsigned p = k - 1;
    gcsplan__ro_u64(o, (uint64_t)1 << (p % 10));
    gcsplan__ro_raw(o, " ");
    gcsplan__ro_raw(o, units[p / 10]);
}

static void sizes(const gcsplan_report *r, rp_out *o)
{
    const gcsplan_summary *s = r->summary;
    const gcsplan_summary_bucket *h = s->hist;
    int lo = -1, hi = -1;
    uint64_t most_o = 0, most_b = 0;
    for (int k = 0; k < GCSPLAN_SUMMARY_BUCKETS; k++) {
        if (h[k].objects == 0)
            continue;
        if (lo < 0)
            lo = k;
        hi = k;
        if (h[k].objects > most_o)
            most_o = h[k].objects;
        if (h[k].bytes > most_b)
            most_b = h[k].bytes;
    }
    gcsplan__ro_raw(o, "<section id=\"sizes\"><h2>Object sizes</h2>");
    if (lo < 0) {
        gcsplan__ro_raw(o, "<p class=\"muted\">No objects.</p></section>\n");
        return;
    }
    gcsplan__ro_raw(o, "<p>Objects per size class (each class doubles the one before): "
                       "<span class=\"sw\" style=\"--c:#54aeff\"></span>objects, "
                       "<span class=\"sw\" style=\"--c:#fb8f44\"></span>bytes, each "
                       "scaled to its largest class.</p>");
    int classes = hi - lo + 1;
    double slot = 940.0 / classes, bw = slot * 0.4;
    gcsplan__ro_raw(o, "<svg class=\"chart\" viewBox=\"0 0 960 260\" width=\"100%\" "
                       "role=\"img\" aria-label=\"Histogram of object sizes; the table below "
                       "has the same figures\" xmlns=\"http://www.w3.org/2000/svg\">");
    for (int k = lo; k <= hi; k++) {
        double x = 10 + slot * (k - lo);
        double ho = most_o ? 200.0 * (double)h[k].objects / (double)most_o : 0;
        double hb = most_b ? 200.0 * (double)h[k].bytes / (double)most_b : 0;
        gcsplan__ro_raw(o, "<g><title>");
        class_floor(o, (unsigned)k);
        gcsplan__ro_raw(o, k == 0 ? "" : " and up");
        gcsplan__ro_raw(o, ": ");
        put_count_word(o, h[k].objects, "object", "objects");
        gcsplan__ro_raw(o, ", ");
        gcsplan__ro_bytes(o, h[k].bytes);
        gcsplan__ro_raw(o, "</title>");
        rect_plain(o, "o", x, 210 - ho, bw, ho);
        rect_plain(o, "b", x + bw, 210 - hb, bw, hb);
        if (classes <= 24 || (k - lo) % 2 == 0) {
            gcsplan__ro_raw(o, "<text x=\"");
            gcsplan__ro_dec(o, x);
            gcsplan__ro_raw(o, "\" y=\"228\">");
            class_floor(o, (unsigned)k);
            gcsplan__ro_raw(o, "</text>");
        }
        gcsplan__ro_raw(o, "</g>");
    }
    gcsplan__ro_raw(o, "<line x1=\"10\" x2=\"950\" y1=\"210\" y2=\"210\" stroke=\"#818b98\"/>"
                       "</svg><details><summary>As a table</summary><table><thead><tr>"
                       "<th scope=\"col\">Size</th><th scope=\"col\" class=\"n\">Objects</th>"
                       "<th scope=\"col\" class=\"n\">Bytes</th></tr></thead><tbody>");
    for (int k = lo; k <= hi; k++) {
        gcsplan__ro_raw(o, "<tr><td>");
        class_floor(o, (unsigned)k);
        if (k > 0) {
            gcsplan__ro_raw(o, " \xE2\x80\x93 under ");
            if (k < 64)
                class_floor(o, (unsigned)k + 1);
            else
                gcsplan__ro_raw(o, "16 EiB");
        }
        gcsplan__ro_raw(o, "</td><td class=\"n\">");
        gcsplan__ro_count(o, h[k].objects);
        gcsplan__ro_raw(o, "</td><td class=\"n\">");
        gcsplan__ro_bytes(o, h[k].bytes);
        gcsplan__ro_raw(o, "</td></tr>");
    }
    gcsplan__ro_raw(o, "</tbody></table></details></section>\n");
}

/* --- the page ---------------------------------------------------------------------------- */

int gcsplan_report_render(const gcsplan_report *r, gcsplan_write_fn write, void *ctx,
                          gcsplan_error *err)
{
    if (r == NULL || write == NULL || !r->have_plan)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "the report has no plan header");
    rp_out o;
    gcsplan__ro_init(&o, &r->alloc, write, ctx);
    totals t;
    count_run(r, &t);
    head(r, &o);
    header(r, &o, &t);
    if (r->have_events)
        run_section(r, &o, &t);
    findings(r, &o);
    int rc = gcsplan__rp_treemap(r, &o);
    if (rc == 0) {
        jobs(r, &o);
        if (r->summary)
            sizes(r, &o);
        gcsplan__ro_raw(&o, "</main>\n<footer><p class=\"muted\">Made by gcsplan "
                            GCSPLAN_VERSION_STRING);
        if (r->generated_ms) {
            gcsplan__ro_raw(&o, " on ");
            gcsplan__ro_time(&o, r->generated_ms);
        }
        gcsplan__ro_raw(&o, ". This page is one file: it loads nothing from the network and "
                            "reads the same with scripts off.</p></footer>");
        if (!(r->flags & GCSPLAN_REPORT_NO_SCRIPT)) {
            gcsplan__ro_raw(&o, "<script>");
            gcsplan__ro_raw(&o, script);
            gcsplan__ro_raw(&o, "</script>");
        }
        gcsplan__ro_raw(&o, "</body></html>\n");
    }
    int wrc = gcsplan__ro_done(&o);
    if (rc == 0)
        rc = wrc;
    if (rc == GCSPLAN_ENOMEM)
        return gcsplan__error_set(err, rc, "out of memory");
    if (rc == GCSPLAN_ESOURCE)
        return gcsplan__error_set(err, rc, "writing the report failed");
    if (rc != 0)
        return gcsplan__error_set(err, rc, "the report's output buffer overflowed");
    return 0;
}
