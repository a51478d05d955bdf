/* The report page: structure, escaping, links, run state, the pre-flight
 * document reader, treemap geometry, errors and speed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "gcsplan/report.h"
#include "report_internal.h"
#include "util/escape.h"

/* --- helpers ----------------------------------------------------------------------------- */

typedef struct sink {
    char *p;
    size_t len, cap;
    int stop_after;
    int calls;
} sink;

static int sink_write(const char *data, size_t len, void *ctx)
{
    sink *k = ctx;
    if (k->stop_after > 0 && ++k->calls > k->stop_after)
        return 1;
    if (k->len + len + 1 > k->cap) {
        k->cap = (k->len + len + 1) * 2;
        k->p = realloc(k->p, k->cap);
        assert_non_null(k->p);
    }
    memcpy(k->p + k->len, data, len);
    k->len += len;
    k->p[k->len] = '\0';
    return 0;
}

static char *render(const gcsplan_report *r)
{
    sink k = { 0 };
    gcsplan_error e;
    int rc = gcsplan_report_render(r, sink_write, &k, &e);
    if (rc != 0)
        fail_msg("render: %s", e.message);
    return k.p;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + k, needle))
        n++;
    return n;
}

static gcsplan_report *report_with_jobs(size_t jobs, const gcsplan_report_options *o)
{
    gcsplan_report *r = NULL;
    assert_int_equal(gcsplan_report_new(&r, o, NULL), 0);
    gcsplan_report_plan p = GCSPLAN_REPORT_PLAN_INIT;
    p.uri = "gs://bkt/studies/**";
    p.objects = jobs * 10;
    p.bytes = jobs * 1000;
    p.max_objects = 10;
    p.lower_bound = jobs;
    p.prefix_cut_jobs = jobs + 1;
    assert_int_equal(gcsplan_report_set_plan(r, &p, NULL), 0);
    char uri[64], first[64], last[64];
    for (size_t i = 0; i < jobs; i++) {
        gcsplan_report_job j = GCSPLAN_REPORT_JOB_INIT;
        snprintf(uri, sizeof uri, "gs://bkt/studies/S%05zu**", i);
        snprintf(first, sizeof first, "studies/S%05zu/a.dcm", i);
        snprintf(last, sizeof last, "studies/S%05zu/z.dcm", i);
        j.uri = uri;
        j.first = first;
        j.last = last;
        j.objects = 10;
        j.bytes = 1000;
        j.largest = 500;
        assert_int_equal(gcsplan_report_add_job(r, &j, NULL), 0);
    }
    return r;
}

/* Every byte of the page is UTF-8 and no control character but '\n'
 * made it through: the page is valid text for HTML and XML alike. */
static void check_clean(const char *page)
{
    assert_true(gcsplan__utf8_valid(page, strlen(page)));
    for (const unsigned char *u = (const unsigned char *)page; *u; u++)
        assert_true(*u >= 0x20 || *u == '\n');
    /* Noncharacters and the C1 range are escaped too. */
    assert_null(strstr(page, "\xEF\xBF\xBE"));
    assert_null(strstr(page, "\xC2\x85"));
    assert_null(strstr(page, "\xE2\x80\xAE"));
}

/* Every href is an anchor of the page, the empty favicon, or one of the
 * allowed URLs; there is no src attribute at all. */
static void check_links(const char *page, const char *const *allowed)
{
    /* Quotes from outside are &quot;: a quote after src= is markup. */
    assert_null(strstr(page, " src=\""));
    for (const char *p = strstr(page, "href=\""); p != NULL; p = strstr(p + 1, "href=\"")) {
        const char *v = p + 6, *end = strchr(v, '"');
        assert_non_null(end);
        size_t n = (size_t)(end - v);
        if (v[0] == '#' || (n == 5 && memcmp(v, "data:", 5) == 0) ||
            (n == 6 && memcmp(v, "data:,", 6) == 0))
            continue;
        int ok = 0;
        for (const char *const *a = allowed; *a != NULL; a++)
            ok |= strlen(*a) == n && memcmp(*a, v, n) == 0;
        if (!ok)
            fail_msg("unexpected link %.*s", (int)n, v);
    }
}

/* --- escaping ---------------------------------------------------------------------------- */

static void test_escape_table(void **state)
{
    (void)state;
    static const struct { const char *in; size_t n; const char *out; } t[] = {
        { "plain text", 10, "plain text" },
        { "<script>alert(1)</script>", 25, "&lt;script&gt;alert(1)&lt;/script&gt;" },
        { "\"><img src=x onerror=y>", 23, "&quot;&gt;&lt;img src=x onerror=y&gt;" },
        { "it's & that", 11, "it&#39;s &amp; that" },
        { "&amp;", 5, "&amp;amp;" },
        { "a\0b", 3, "a\\x00b" },
        { "\x1b[31m", 5, "\\x1B[31m" },
        { "\x7f\xc2\x85", 3, "\\x7F\\xC2\\x85" },
        { "\xff\xfe", 2, "\\xFF\\xFE" },
        { "\xe2\x80\xae" "cba", 6, "\\u{202E}cba" },
        { "\xe2\x80\x8b", 3, "\\u{200B}" },
        { "\xef\xbf\xbe", 3, "\\u{FFFE}" },
        { "\xef\xb7\x90", 3, "\\u{FDD0}" },
        { "\xf0\x9f\xbf\xbf", 4, "\\u{1FFFF}" },
        { "caf\xc3\xa9 \xe6\x97\xa5", 9, "caf\xc3\xa9 \xe6\x97\xa5" },
        { "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
        { "\xe2\x80", 2, "\\xE2\\x80" }, /* a cut sequence */
        { "]]>", 3, "]]&gt;" },
        { "<!--", 4, "&lt;!--" },
        { "tab\there\n", 9, "tab\\x09here\\x0A" },
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        rp_out o;
        sink k = { 0 };
        gcsplan__ro_init(&o, NULL, sink_write, &k);
        gcsplan__ro_text(&o, t[i].in, t[i].n);
        assert_int_equal(gcsplan__ro_done(&o), 0);
        if (k.p == NULL || strcmp(k.p, t[i].out) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, k.p ? k.p : "", t[i].out);
        free(k.p);
    }
}

static void test_text_cut(void **state)
{
    (void)state;
    static const struct { const char *in; size_t max; const char *out; } t[] = {
        { "abcdef", 6, "abcdef" },
        { "abcdef", 7, "abcdef" },
        { "abcdefg", 6, "abcde\xE2\x80\xA6" },
        { "\xc3\xa9\xc3\xa9\xc3\xa9", 2, "\xc3\xa9\xE2\x80\xA6" },
        { "<<<<", 3, "&lt;&lt;\xE2\x80\xA6" },
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        rp_out o;
        sink k = { 0 };
        gcsplan__ro_init(&o, NULL, sink_write, &k);
        gcsplan__ro_text_cut(&o, t[i].in, strlen(t[i].in), t[i].max);
        assert_int_equal(gcsplan__ro_done(&o), 0);
        if (strcmp(k.p, t[i].out) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, k.p, t[i].out);
        free(k.p);
    }
}

static void test_url_policy(void **state)
{
    (void)state;
    static const struct { const char *url; int ok; } t[] = {
        { "https://console.cloud.google.com/logs/query;query=x?project=p", 1 },
        { "http://example.com/a?b=c&d=e", 1 },
        { "HTTPS://EXAMPLE.COM/", 1 },
        { "https://", 0 },
        { "javascript:alert(1)", 0 },
        { "JavaScript:alert(1)", 0 },
        { "data:text/html,<script>", 0 },
        { "vbscript:x", 0 },
        { "//evil.example/", 0 },
        { "ftp://x/y", 0 },
        { "https://x/\"onmouseover=alert(1)", 0 },
        { "https://x/'y", 0 },
        { "https://x/<y>", 0 },
        { "https://x/ y", 0 },
        { "https://x/\ty", 0 },
        { "https://x/\xc3\xa9", 0 },
        { " https://x/", 0 },
        { "https://x/`y", 0 },
        { "https://x/\\y", 0 },
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (gcsplan__ro_url_ok(t[i].url, strlen(t[i].url)) != t[i].ok)
            fail_msg("%s: want %d", t[i].url, t[i].ok);
}

static void test_numbers(void **state)
{
    (void)state;
    rp_out o;
    sink k = { 0 };
    gcsplan__ro_init(&o, NULL, sink_write, &k);
    gcsplan__ro_count(&o, 0);
    gcsplan__ro_raw(&o, " ");
    gcsplan__ro_count(&o, 999);
    gcsplan__ro_raw(&o, " ");
    gcsplan__ro_count(&o, 1000);
    gcsplan__ro_raw(&o, " ");
    gcsplan__ro_count(&o, UINT64_MAX);
    gcsplan__ro_raw(&o, " ");
    gcsplan__ro_dec(&o, 12.25);
    gcsplan__ro_raw(&o, " ");
    gcsplan__ro_dec(&o, 3.0);
    gcsplan__ro_raw(&o, " ");
    gcsplan__ro_dec(&o, -0.04);
    gcsplan__ro_raw(&o, " ");
    gcsplan__ro_time(&o, 1714550400123LL);
    gcsplan__ro_raw(&o, " ");
    gcsplan__ro_time(&o, 0);
    gcsplan__ro_raw(&o, " ");
    gcsplan__ro_duration(&o, 3 * 3600 * 1000 + 5 * 60 * 1000);
    assert_int_equal(gcsplan__ro_done(&o), 0);
    assert_string_equal(k.p, "0 999 1,000 18,446,744,073,709,551,615 12.3 3 0 "
                             "2024-05-01 08:00:00 UTC unknown 3 h 05 min");
    free(k.p);
}

/* --- structure --------------------------------------------------------------------------- */

static void test_structure(void **state)
{
    (void)state;
    gcsplan_report *r = report_with_jobs(25, NULL);
    char *page = render(r);
    check_clean(page);
    assert_int_equal(count(page, "<tr id=\"job-"), 25);
    assert_non_null(strstr(page, "<tr id=\"job-1\">"));
    assert_non_null(strstr(page, "<tr id=\"job-25\">"));
    assert_null(strstr(page, "<tr id=\"job-26\">"));
    assert_non_null(strstr(page, "<!DOCTYPE html>"));
    assert_non_null(strstr(page, "default-src 'none'"));
    assert_int_equal(count(page, "<script>"), 1);
    /* No journal: no run section and no run columns. */
    assert_null(strstr(page, "id=\"run\""));
    assert_null(strstr(page, ">State</th>"));
    /* No summary: said so; no pre-flight: said so. */
    assert_non_null(strstr(page, "no prefix summary"));
    assert_non_null(strstr(page, "No pre-flight was given"));
    assert_non_null(strstr(page, "<strong>25</strong>; lower bound 25; the prefix-cut plan needs 26"));
    const char *none[] = { NULL };
    check_links(page, none);
    assert_true(strlen(page) > 1000 && page[strlen(page) - 1] == '\n');
    /* The same report renders the same page. */
    char *again = render(r);
    assert_string_equal(page, again);
    free(again);
    free(page);
    gcsplan_report_free(r);

    gcsplan_report_options o = GCSPLAN_REPORT_OPTIONS_INIT;
    o.flags = GCSPLAN_REPORT_NO_SCRIPT;
    o.title = "Load of May";
    o.generated_ms = 1714550400000LL;
    r = report_with_jobs(1, &o);
    page = render(r);
    assert_int_equal(count(page, "<script"), 0);
    assert_non_null(strstr(page, "script-src 'none'"));
    assert_non_null(strstr(page, "<title>Load of May</title>"));
    assert_non_null(strstr(page, "on 2024-05-01 08:00:00 UTC"));
    free(page);
    gcsplan_report_free(r);
}

/* A finding as gcsplan_preflight gives it. */
static void add_test_finding(gcsplan_report *r, const char *name, size_t name_len,
                             const char *message, const char *hint)
{
    gcsplan_finding_example ex[2] = {
        { name, name_len, 42, NULL, 0, ".txt" },
        { "plain.dcm", 9, 7, NULL, 0, "" },
    };
    gcsplan_finding_kind kinds[1] = { { "<kind>", 3 } };
    gcsplan_finding f = { GCSPLAN_FINDING_NON_DICOM_NAME, GCSPLAN_SEVERITY_WARNING, 3, 49,
                          message, hint, ex, 2, kinds, 1 };
    assert_int_equal(gcsplan_report_add_finding(r, &f, NULL), 0);
}

static void test_findings(void **state)
{
    (void)state;
    gcsplan_report *r = report_with_jobs(2, NULL);
    add_test_finding(r, "a.txt", 5, "3 matched names look like non-DICOM files", "gs://bkt/**.dcm");
    char *page = render(r);
    assert_int_equal(count(page, "class=\"finding warning\""), 1);
    assert_non_null(strstr(page, "<code>non-dicom-name</code>"));
    assert_non_null(strstr(page, "3 matched names look like non-DICOM files"));
    assert_non_null(strstr(page, "Corrected URI: <code>gs://bkt/**.dcm</code>"));
    assert_non_null(strstr(page, "<code>a.txt</code>"));
    assert_non_null(strstr(page, "&lt;kind&gt; 3"));
    assert_non_null(strstr(page, "and 1 more"));
    assert_non_null(strstr(page, "1 warning"));
    free(page);
    gcsplan_report_free(r);

    /* A pre-flight that found nothing says so. */
    r = report_with_jobs(1, NULL);
    assert_int_equal(gcsplan_report_add_preflight_json(r, "{\"findings\":[]}", 15, NULL), 0);
    page = render(r);
    assert_non_null(strstr(page, "Pre-flight found nothing"));
    free(page);
    gcsplan_report_free(r);
}

/* The example document of docs/preflight.md reads as two findings. */
static void test_preflight_json(void **state)
{
    (void)state;
    static const char doc[] =
        "{\"uri\":\"gs://bkt/scans/A/*.dcm\",\"objects\":0,\"bytes\":0,\"examined\":3,"
        "\"examined_prefix\":\"scans/\",\"examined_capped\":false,\"probed\":0,"
        "\"summary\":{\"error\":1,\"warning\":0,\"info\":1},"
        "\"findings\":["
        "{\"code\":\"nothing-matched\",\"severity\":\"error\",\"count\":0,\"bytes\":0,"
        "\"message\":\"gs://bkt/scans/A/*.dcm matches no object; 3 objects under 'scans/A/' do not match it\","
        "\"hint\":null,\"kinds\":[],\"examples\":[]},"
        "{\"code\":\"case-mismatch\",\"severity\":\"info\",\"count\":3,\"bytes\":3000,"
        "\"message\":\"3 objects would match if case were ignored: matching is case-sensitive\","
        "\"hint\":\"gs://bkt/scans/A/*.DCM\",\"kinds\":[{\"kind\":\".DCM\",\"count\":3}],"
        "\"examples\":[{\"name\":\"scans/A/IM-0001.DCM\",\"size\":1000,\"bytes_read\":0,"
        "\"head_hex\":\"00\"}]}]}";
    gcsplan_report *r = report_with_jobs(1, NULL);
    gcsplan_error e;
    assert_int_equal(gcsplan_report_add_preflight_json(r, doc, strlen(doc), &e), 0);
    assert_int_equal(r->n_findings, 2);
    assert_int_equal(r->findings[0].severity, GCSPLAN_SEVERITY_ERROR);
    assert_null(r->findings[0].hint.p);
    assert_int_equal(r->findings[1].n_examples, 1);
    assert_int_equal(r->findings[1].examples[0].size, 1000);
    assert_int_equal(r->findings[1].n_kinds, 1);
    char *page = render(r);
    assert_non_null(strstr(page, "class=\"finding error\""));
    assert_non_null(strstr(page, "class=\"finding info\""));
    assert_non_null(strstr(page, "gs://bkt/scans/A/*.DCM"));
    assert_non_null(strstr(page, "1 error, 0 warnings, 1 info"));
    free(page);

    static const char *const bad[] = {
        "", "[]", "{\"findings\":{}}", "{\"findings\":[1]}", "{\"findings\":[[]]}",
        "{\"findings\":[{\"code\":\"x\",\"severity\":\"fatal\",\"message\":\"m\"}]}",
        "{\"findings\":[{\"code\":\"x\",\"severity\":\"info\"}]}",
        "{\"findings\":[{\"code\":1,\"severity\":\"info\",\"message\":\"m\"}]}",
        "{\"findings\":[{\"code\":\"x\",\"severity\":\"info\",\"message\":\"m\",\"count\":-1}]}",
        "{\"findings\":[{\"code\":\"x\",\"severity\":\"info\",\"message\":\"m\",\"examples\":[1]}]}",
        "{\"findings\":[{\"code\":\"x\",\"severity\":\"info\",\"message\":\"m\",\"examples\":{}}]}",
        "{\"findings\":[{\"code\":\"x\",\"severity\":\"info\",\"message\":\"m\",\"examples\":[[]]}]}",
        "{\"findings\":[{\"code\":\"x\",\"severity\":\"info\",\"message\":\"m\",\"examples\":[{\"size\":\"1\"}]}]}",
        "{\"findings\":[{\"code\":\"x\",\"severity\":\"info\",\"message\":\"m\"}],}",
        /* A scalar "findings" was once taken for a document without findings
         * (found through `gcsplan report`, tests/cli/cases/report_bad_preflight.t). */
        "{\"findings\":5}", "{\"findings\":null}", "{\"findings\":\"none\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = gcsplan_report_add_preflight_json(r, bad[i], strlen(bad[i]), &e);
        if (rc != GCSPLAN_EINVAL)
            fail_msg("bad[%zu]: %d", i, rc);
        assert_int_equal(r->n_findings, 2); /* nothing of a bad document is kept */
    }
    /* Bounds: findings, examples. */
    size_t cap = 1 << 16, n = 0;
    char *big = malloc(cap);
    n += (size_t)snprintf(big + n, cap - n, "{\"findings\":[");
    for (int i = 0; i < GCSPLAN_REPORT_FINDINGS_MAX + 1; i++)
        n += (size_t)snprintf(big + n, cap - n, "%s{\"code\":\"c\",\"severity\":\"info\",\"message\":\"m\"}",
                              i ? "," : "");
    snprintf(big + n, cap - n, "]}");
    assert_int_equal(gcsplan_report_add_preflight_json(r, big, strlen(big), &e), GCSPLAN_ELIMIT);
    n = (size_t)snprintf(big, cap, "{\"findings\":[{\"code\":\"c\",\"severity\":\"info\",\"message\":\"m\",\"examples\":[");
    for (int i = 0; i < GCSPLAN_PREFLIGHT_EXAMPLES_MAX + 1; i++)
        n += (size_t)snprintf(big + n, cap - n, "%s{\"name\":\"n\",\"size\":1}", i ? "," : "");
    snprintf(big + n, cap - n, "]}]}");
    assert_int_equal(gcsplan_report_add_preflight_json(r, big, strlen(big), &e), GCSPLAN_ELIMIT);
    assert_int_equal(r->n_findings, 2);
    free(big);
    gcsplan_report_free(r);
}

/* --- hostile strings --------------------------------------------------------------------- */

static void test_hostile(void **state)
{
    (void)state;
    static const char evil[] = "</script><script>alert(1)</script>\"><img src=x onerror=alert(2)>"
                               "\x1b[2J\xe2\x80\xae\xff";
    gcsplan_report_options o = GCSPLAN_REPORT_OPTIONS_INIT;
    o.title = evil;
    gcsplan_report *r = NULL;
    assert_int_equal(gcsplan_report_new(&r, &o, NULL), 0);
    gcsplan_report_plan p = GCSPLAN_REPORT_PLAN_INIT;
    p.uri = evil;
    p.store = evil;
    p.source = evil;
    p.plan_path = evil;
    assert_int_equal(gcsplan_report_set_plan(r, &p, NULL), 0);
    gcsplan_report_job j = GCSPLAN_REPORT_JOB_INIT;
    j.uri = j.first = j.last = evil;
    j.objects = 2;
    for (int i = 0; i < 4; i++)
        assert_int_equal(gcsplan_report_add_job(r, &j, NULL), 0);
    static const char nul_name[] = "a\0</code><script>x</script>";
    add_test_finding(r, nul_name, sizeof nul_name - 1, evil, evil);

    /* Log URLs: only the two http(s) ones may become links. */
    static const char *const urls[] = { "javascript:alert(3)", "https://ok.example/logs?a=1&b=2",
                                        "https://x/\"><script>alert(4)</script>",
                                        "http://ok.example/other" };
    for (size_t i = 0; i < 4; i++) {
        gcsplan_report_event ev = GCSPLAN_REPORT_EVENT_INIT;
        ev.job = i;
        ev.kind = GCSPLAN_EVENT_SUBMITTED;
        ev.time_ms = 1714550400000LL + (int64_t)i * 1000;
        ev.operation = evil;
        assert_int_equal(gcsplan_report_add_event(r, &ev, NULL), 0);
        ev.kind = GCSPLAN_EVENT_DONE;
        ev.time_ms += 60000;
        ev.state = i % 2 ? GCSPLAN_RUN_FAILED : GCSPLAN_RUN_PARTIAL;
        ev.has_counters = 1;
        ev.success = 1;
        ev.failure = 1;
        ev.logs_url = urls[i];
        ev.error = evil;
        assert_int_equal(gcsplan_report_add_event(r, &ev, NULL), 0);
    }

    /* Summary names with NUL and bytes that are not UTF-8. */
    gcsplan_summary *s = NULL;
    assert_int_equal(gcsplan_summary_new(&s, NULL, NULL), 0);
    static const char n1[] = "\"><img src=x>/\x1b.dcm", n2[] = "evil/\0nul", n3[] = "evil/\xff\xfe";
    assert_int_equal(gcsplan_summary_add(s, n1, sizeof n1 - 1, 10, 0, NULL), 0);
    assert_int_equal(gcsplan_summary_add(s, n2, sizeof n2 - 1, 20, 1, NULL), 0);
    assert_int_equal(gcsplan_summary_add(s, n3, sizeof n3 - 1, 30, 2, NULL), 0);
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    gcsplan_report_set_summary(r, s);

    char *page = render(r);
    check_clean(page);
    assert_int_equal(count(page, "<script"), 1);
    assert_null(strstr(page, "<img"));
    assert_non_null(strstr(page, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;"
                                 "&lt;img src=x onerror=alert(2)&gt;\\x1B[2J\\u{202E}\\xFF"));
    assert_non_null(strstr(page, "a\\x00&lt;/code&gt;&lt;script&gt;x&lt;/script&gt;"));
    assert_non_null(strstr(page, "evil/\\x00nul"));
    assert_non_null(strstr(page, "evil/\\xFF\\xFE"));
    const char *allowed[] = { "https://ok.example/logs?a=1&amp;b=2", "http://ok.example/other",
                              NULL };
    check_links(page, allowed);
    assert_int_equal(count(page, ">logs</a>"), 2);
    assert_non_null(strstr(page, "logs: javascript:alert(3)"));
    /* The plan path is a shell word in the commands, quoted as needed. */
    assert_non_null(strstr(page, "gcsplan import --retry-failed &#39;"));
    free(page);
    gcsplan_report_free(r);
    gcsplan_summary_free(s);
}

/* --- the run ----------------------------------------------------------------------------- */

static void event(gcsplan_report *r, gcsplan_report_event_kind kind, size_t job, int64_t t,
                  const char *op, gcsplan_run_state state, int counters, uint64_t ok,
                  uint64_t failed)
{
    gcsplan_report_event ev = GCSPLAN_REPORT_EVENT_INIT;
    ev.kind = kind;
    ev.job = job;
    ev.time_ms = t;
    ev.operation = op;
    ev.state = state;
    ev.has_counters = counters;
    ev.success = ok;
    ev.failure = failed;
    gcsplan_error e;
    int rc = gcsplan_report_add_event(r, &ev, &e);
    if (rc != 0)
        fail_msg("event: %s", e.message);
}

#define T0 1714550400000LL
#define OP "projects/proj-1/locations/us/datasets/d/operations/"

static void test_run_states(void **state)
{
    (void)state;
    gcsplan_report *r = report_with_jobs(6, NULL);
    /* job 0: succeeded */
    event(r, GCSPLAN_EVENT_SUBMIT, 0, T0, NULL, 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_SUBMITTED, 0, T0 + 500, OP "100", 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_DONE, 0, T0 + 60000, NULL, GCSPLAN_RUN_SUCCEEDED, 1, 10, 0);
    /* job 1: "succeeded" with failures is partial (SPEC section 5) */
    event(r, GCSPLAN_EVENT_SUBMIT, 1, T0, NULL, 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_SUBMITTED, 1, T0 + 500, OP "101", 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_DONE, 1, T0 + 70000, OP "101", GCSPLAN_RUN_SUCCEEDED, 1, 8, 2);
    /* job 2: lost, resubmitted, failed */
    event(r, GCSPLAN_EVENT_SUBMIT, 2, T0, NULL, 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_SUBMIT, 2, T0 + 30000, NULL, 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_SUBMITTED, 2, T0 + 31000, OP "102", 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_DONE, 2, T0 + 90000, NULL, GCSPLAN_RUN_FAILED, 0, 0, 0);
    /* job 3: running with progress */
    event(r, GCSPLAN_EVENT_SUBMIT, 3, T0 + 1000, NULL, 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_SUBMITTED, 3, T0 + 1500, OP "103", 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_PROGRESS, 3, T0 + 50000, NULL, 0, 1, 4, 0);
    /* job 4: submitted, no answer; job 5: never submitted */
    event(r, GCSPLAN_EVENT_SUBMIT, 4, T0 + 2000, NULL, 0, 0, 0, 0);
    assert_int_equal(r->jobs[0].attempts[0].state, GCSPLAN_RUN_SUCCEEDED);
    assert_int_equal(r->jobs[1].attempts[0].state, GCSPLAN_RUN_PARTIAL);
    assert_int_equal(r->jobs[2].n_attempts, 2);
    assert_int_equal(r->jobs[2].attempts[0].state, GCSPLAN_RUN_LOST);
    assert_int_equal(r->jobs[2].attempts[1].state, GCSPLAN_RUN_FAILED);
    assert_int_equal(r->jobs[3].attempts[0].state, GCSPLAN_RUN_RUNNING);
    assert_int_equal(r->jobs[3].attempts[0].success, 4);
    assert_int_equal(r->jobs[4].attempts[0].state, GCSPLAN_RUN_SUBMITTING);
    assert_int_equal(r->jobs[5].n_attempts, 0);

    char *page = render(r);
    check_clean(page);
    assert_non_null(strstr(page, "id=\"run\""));
    assert_non_null(strstr(page, ">State</th>"));
    assert_non_null(strstr(page, "1 succeeded</span>"));
    assert_non_null(strstr(page, "1 partial</span>"));
    assert_non_null(strstr(page, "1 failed</span>"));
    assert_non_null(strstr(page, "1 running</span>"));
    assert_non_null(strstr(page, "1 submitted, no answer journaled</span>"));
    assert_non_null(strstr(page, "1 not submitted</span>"));
    assert_non_null(strstr(page, "gcsplan import --retry-failed PLAN.json"));
    assert_non_null(strstr(page, "<code>gcsplan import PLAN.json</code>"));
    assert_non_null(strstr(page, "operation.id=&quot;101&quot;"));
    assert_non_null(strstr(page, "--project=proj-1"));
    assert_non_null(strstr(page, "resource.type=&quot;healthcare_dicom_store&quot;"));
    assert_non_null(strstr(page, "1 submission got no answer"));
    assert_non_null(strstr(page, "lost submission</span>"));
    assert_non_null(strstr(page, "2 attempts"));
    assert_non_null(strstr(page, "class=\"tl\""));
    /* 22 imported (10 + 8 + 4), 2 failed. */
    assert_non_null(strstr(page, "<strong>22</strong> imported"));
    assert_non_null(strstr(page, "job 3, attempt 1 of 2: lost submission"));
    free(page);
    gcsplan_report_free(r);

    /* All succeeded: nothing to do. */
    r = report_with_jobs(1, NULL);
    gcsplan_report_plan p = GCSPLAN_REPORT_PLAN_INIT;
    p.uri = "gs://bkt/x**";
    p.store = "projects/p/locations/l/datasets/d/fhirStores/f";
    assert_int_equal(gcsplan_report_set_plan(r, &p, NULL), 0);
    event(r, GCSPLAN_EVENT_SUBMITTED, 0, T0, OP "1", 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_DONE, 0, T0 + 1000, NULL, GCSPLAN_RUN_SUCCEEDED, 1, 10, 0);
    page = render(r);
    assert_non_null(strstr(page, "Nothing: every job succeeded."));
    assert_null(strstr(page, "--retry-failed"));
    free(page);
    gcsplan_report_free(r);
}

static void test_event_errors_and_attempts(void **state)
{
    (void)state;
    gcsplan_report *r = report_with_jobs(2, NULL);
    gcsplan_report_event ev = GCSPLAN_REPORT_EVENT_INIT;
    gcsplan_error e;
    ev.job = 2;
    assert_int_equal(gcsplan_report_add_event(r, &ev, &e), GCSPLAN_EINVAL);
    ev.job = 0;
    ev.kind = (gcsplan_report_event_kind)9;
    assert_int_equal(gcsplan_report_add_event(r, &ev, &e), GCSPLAN_EINVAL);
    ev.kind = GCSPLAN_EVENT_DONE;
    ev.state = GCSPLAN_RUN_RUNNING;
    assert_int_equal(gcsplan_report_add_event(r, &ev, &e), GCSPLAN_EINVAL);
    ev.version = 2;
    assert_int_equal(gcsplan_report_add_event(r, &ev, &e), GCSPLAN_EINVAL);
    assert_false(r->have_events);
    /* Many retries: the latest attempts are kept, the count stays true. */
    char op[32];
    for (int i = 0; i < 40; i++) {
        snprintf(op, sizeof op, "operations/%d", i);
        event(r, GCSPLAN_EVENT_SUBMIT, 1, T0 + i * 1000, NULL, 0, 0, 0, 0);
        event(r, GCSPLAN_EVENT_SUBMITTED, 1, T0 + i * 1000 + 10, op, 0, 0, 0, 0);
        event(r, GCSPLAN_EVENT_DONE, 1, T0 + i * 1000 + 500, NULL, GCSPLAN_RUN_FAILED, 0, 0, 0);
    }
    assert_int_equal(r->jobs[1].n_attempts, GCSPLAN_REPORT_ATTEMPTS_MAX);
    assert_int_equal(r->jobs[1].total_attempts, 40);
    assert_memory_equal(r->jobs[1].attempts[GCSPLAN_REPORT_ATTEMPTS_MAX - 1].operation.p,
                        "operations/39", 13);
    /* A DONE for another operation than the last one is an attempt of its own. */
    event(r, GCSPLAN_EVENT_DONE, 0, T0, "operations/x", GCSPLAN_RUN_SUCCEEDED, 1, 1, 0);
    event(r, GCSPLAN_EVENT_DONE, 0, T0 + 5, "operations/y", GCSPLAN_RUN_SUCCEEDED, 1, 1, 0);
    assert_int_equal(r->jobs[0].n_attempts, 2);
    /* An explicit LOST. */
    event(r, GCSPLAN_EVENT_SUBMIT, 0, T0 + 10, NULL, 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_LOST, 0, T0 + 20, NULL, 0, 0, 0, 0);
    assert_int_equal(r->jobs[0].attempts[2].state, GCSPLAN_RUN_LOST);
    char *page = render(r);
    assert_non_null(strstr(page, "40 attempts"));
    check_clean(page);
    size_t normal = strlen(page);
    free(page);
    /* Times no journal holds (before 1970, past the year 9999) are unknown:
     * no overflow, no axis of millions of ticks. */
    event(r, GCSPLAN_EVENT_SUBMIT, 0, 1, NULL, 0, 0, 0, 0);
    event(r, GCSPLAN_EVENT_DONE, 0, INT64_MAX, "operations/z", GCSPLAN_RUN_FAILED, 0, 0, 0);
    event(r, GCSPLAN_EVENT_SUBMIT, 1, INT64_MIN, NULL, 0, 0, 0, 0);
    page = render(r);
    check_clean(page);
    assert_true(strlen(page) < normal + 4096);
    free(page);
    gcsplan_report_free(r);
}

/* --- the treemap ------------------------------------------------------------------------- */

typedef struct box {
    double x, y, w, h;
} box;

/* The filled boxes of the treemap (leaves), in order. */
static size_t leaf_boxes(const char *page, box *out, size_t max)
{
    const char *p = strstr(page, "<svg id=\"treemap\"");
    const char *end = p ? strstr(p, "</svg>") : NULL;
    size_t n = 0;
    assert_non_null(end);
    for (p = strstr(p, "<rect x="); p != NULL && p < end; p = strstr(p + 1, "<rect x=")) {
        box b;
        char tail[16];
        if (sscanf(p, "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\" %15s", &b.x, &b.y,
                   &b.w, &b.h, tail) != 5)
            fail_msg("unreadable rect: %.80s", p);
        if (strncmp(tail, "fill=", 5) == 0 && n < max)
            out[n++] = b;
    }
    return n;
}

/* One folder of 60 objects of various sizes: the boxes tile the folder's
 * inner area, do not overlap, and each has area in proportion to its bytes. */
static void test_treemap_geometry(void **state)
{
    (void)state;
    gcsplan_summary *s = NULL;
    assert_int_equal(gcsplan_summary_new(&s, NULL, NULL), 0);
    uint64_t sizes[60], total = 0;
    char name[32];
    for (int i = 0; i < 60; i++) {
        sizes[i] = 1000 + (uint64_t)((i * 7919) % 61) * 1000 + (i == 5 ? 500000 : 0);
        total += sizes[i];
        snprintf(name, sizeof name, "f%02d", i);
        assert_int_equal(gcsplan_summary_add(s, name, strlen(name), sizes[i], (size_t)i / 10, NULL), 0);
    }
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    gcsplan_report *r = report_with_jobs(6, NULL);
    gcsplan_report_set_summary(r, s);
    char *page = render(r);
    box b[64];
    size_t n = leaf_boxes(page, b, 64);
    assert_int_equal(n, 60);
    /* The root is 960 x 640 with a 15px name strip and 2px padding. */
    double ix = 2, iy = 17, iw = 956, ih = 621, area = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(b[i].x >= ix - 0.06 && b[i].y >= iy - 0.06);
        assert_true(b[i].x + b[i].w <= ix + iw + 0.11 && b[i].y + b[i].h <= iy + ih + 0.11);
        area += b[i].w * b[i].h;
        for (size_t k = 0; k < i; k++) {
            double ox = (b[i].x < b[k].x + b[k].w - 0.2) && (b[k].x < b[i].x + b[i].w - 0.2);
            double oy = (b[i].y < b[k].y + b[k].h - 0.2) && (b[k].y < b[i].y + b[i].h - 0.2);
            if (ox && oy)
                fail_msg("boxes %zu and %zu overlap", i, k);
        }
    }
    assert_true(area > iw * ih * 0.995 && area < iw * ih * 1.005);
    /* Largest first: the first box is the 500 KB object, at the top left,
     * and squarified boxes are not slivers. */
    double share = b[0].w * b[0].h / (iw * ih);
    assert_true(share > (double)sizes[5] / (double)total * 0.97 &&
                share < (double)sizes[5] / (double)total * 1.03);
    assert_true(b[0].x < ix + 0.1 && b[0].y < iy + 0.1);
    for (size_t i = 0; i < n; i++) {
        double ratio = b[i].w > b[i].h ? b[i].w / b[i].h : b[i].h / b[i].w;
        assert_true(ratio < 8);
    }
    /* Every box is focusable and titled; single-job boxes link to their row. */
    assert_int_equal(count(page, "<a class=\"node\" href=\"#job-"), 60);
    assert_non_null(strstr(page, "<title>gs://bkt/f05\n1 object, "));
    assert_non_null(strstr(page, "job 1: gs://bkt/studies/S00000**</title>"));
    assert_non_null(strstr(page, "Prefixes (61 nodes of at most 2,000)"));
    check_clean(page);
    free(page);
    gcsplan_report_free(r);
    gcsplan_summary_free(s);
}

/* --- errors ------------------------------------------------------------------------------ */

static void test_render_errors(void **state)
{
    (void)state;
    gcsplan_report *r = NULL;
    gcsplan_error e;
    assert_int_equal(gcsplan_report_new(&r, NULL, &e), 0);
    sink k = { 0 };
    assert_int_equal(gcsplan_report_render(r, sink_write, &k, &e), GCSPLAN_EINVAL);
    gcsplan_report_plan p = GCSPLAN_REPORT_PLAN_INIT;
    assert_int_equal(gcsplan_report_set_plan(r, &p, &e), GCSPLAN_EINVAL);
    p.uri = "gs://b/x";
    p.version = 7;
    assert_int_equal(gcsplan_report_set_plan(r, &p, &e), GCSPLAN_EINVAL);
    gcsplan_report_job j = GCSPLAN_REPORT_JOB_INIT;
    assert_int_equal(gcsplan_report_add_job(r, &j, &e), GCSPLAN_EINVAL);
    gcsplan_report_free(r);
    gcsplan_report_free(NULL);
    gcsplan_report_options o = GCSPLAN_REPORT_OPTIONS_INIT;
    o.version = 0;
    assert_int_equal(gcsplan_report_new(&r, &o, &e), GCSPLAN_EINVAL);

    r = report_with_jobs(3000, NULL);
    k.stop_after = 1;
    assert_int_equal(gcsplan_report_render(r, sink_write, &k, &e), GCSPLAN_ESOURCE);
    free(k.p);
    gcsplan_report_free(r);
}

typedef struct failing {
    long fail_at, calls, live;
} failing;

static void *f_malloc(size_t n, void *ctx)
{
    failing *f = ctx;
    if (f->calls++ == f->fail_at)
        return NULL;
    f->live++;
    return malloc(n);
}

static void *f_realloc(void *ptr, size_t n, void *ctx)
{
    failing *f = ctx;
    if (f->calls++ == f->fail_at)
        return NULL;
    f->live += ptr == NULL;
    return realloc(ptr, n);
}

static void f_free(void *ptr, void *ctx)
{
    failing *f = ctx;
    f->live -= ptr != NULL;
    free(ptr);
}

/* The whole way, every allocation failing in turn: GCSPLAN_ENOMEM, nothing
 * leaked. */
static void test_allocation_failures(void **state)
{
    (void)state;
    failing f = { -1, 0, 0 };
    gcsplan_allocator a = { f_malloc, f_realloc, f_free, &f };
    for (long k = 0;; k++) {
        f.fail_at = k;
        f.calls = 0;
        gcsplan_report_options o = GCSPLAN_REPORT_OPTIONS_INIT;
        o.allocator = &a;
        o.title = "t";
        gcsplan_summary_options so = GCSPLAN_SUMMARY_OPTIONS_INIT;
        so.allocator = &a;
        gcsplan_report *r = NULL;
        gcsplan_summary *s = NULL;
        int rc = gcsplan_summary_new(&s, &so, NULL);
        if (rc == 0)
            rc = gcsplan_summary_add(s, "a/b", 3, 5, 0, NULL);
        if (rc == 0)
            rc = gcsplan_summary_finish(s, NULL);
        if (rc == 0)
            rc = gcsplan_report_new(&r, &o, NULL);
        gcsplan_report_plan p = GCSPLAN_REPORT_PLAN_INIT;
        p.uri = "gs://b/**";
        p.store = "projects/p/locations/l/datasets/d/dicomStores/s";
        if (rc == 0)
            rc = gcsplan_report_set_plan(r, &p, NULL);
        gcsplan_report_job j = GCSPLAN_REPORT_JOB_INIT;
        j.uri = "gs://b/a**";
        j.first = j.last = "a/b";
        if (rc == 0)
            rc = gcsplan_report_add_job(r, &j, NULL);
        if (rc == 0) {
            gcsplan_finding_example ex = { "a/b", 3, 5, NULL, 0, ".b" };
            gcsplan_finding_kind kind = { ".b", 1 };
            gcsplan_finding fd = { GCSPLAN_FINDING_ZERO_BYTE, GCSPLAN_SEVERITY_WARNING, 1, 0,
                                   "m", "gs://b/**", &ex, 1, &kind, 1 };
            rc = gcsplan_report_add_finding(r, &fd, NULL);
        }
        static const char doc[] = "{\"findings\":[{\"code\":\"x\",\"severity\":\"info\","
                                  "\"message\":\"m\",\"hint\":\"h\",\"kinds\":[{\"kind\":\"k\","
                                  "\"count\":1}],\"examples\":[{\"name\":\"n\",\"size\":1,"
                                  "\"detail\":\"d\"}]}]}";
        if (rc == 0)
            rc = gcsplan_report_add_preflight_json(r, doc, sizeof doc - 1, NULL);
        gcsplan_report_event ev = GCSPLAN_REPORT_EVENT_INIT;
        ev.operation = "operations/1";
        if (rc == 0)
            rc = gcsplan_report_add_event(r, &ev, NULL);
        ev.kind = GCSPLAN_EVENT_DONE;
        ev.state = GCSPLAN_RUN_FAILED;
        ev.error = "e";
        ev.logs_url = "https://l/";
        if (rc == 0)
            rc = gcsplan_report_add_event(r, &ev, NULL);
        if (rc == 0)
            gcsplan_report_set_summary(r, s);
        sink out = { 0 };
        if (rc == 0)
            rc = gcsplan_report_render(r, sink_write, &out, NULL);
        free(out.p);
        gcsplan_report_free(r);
        gcsplan_summary_free(s);
        assert_int_equal(f.live, 0);
        if (rc == 0)
            break;
        if (rc != GCSPLAN_ENOMEM)
            fail_msg("allocation %ld: %d", k, rc);
    }
}

/* --- speed ------------------------------------------------------------------------------- */

/* 2,000 nodes and 10,000 jobs with a journal: well under a second in a
 * release build; the bound is generous for sanitizer builds. */
static void test_speed(void **state)
{
    (void)state;
    gcsplan_summary_options so = GCSPLAN_SUMMARY_OPTIONS_INIT;
    gcsplan_summary *s = NULL;
    assert_int_equal(gcsplan_summary_new(&s, &so, NULL), 0);
    char name[64];
    size_t k = 0;
    for (size_t st = 0; st < 3000; st++)
        for (int sub = 0; sub < 7; sub++)
            for (int im = 0; im < 2; im++, k++) {
                snprintf(name, sizeof name, "studies/S%05zu/%c/IM-%03d.dcm", st, 'a' + sub, im);
                assert_int_equal(gcsplan_summary_add(s, name, strlen(name), 1000 + k % 977 * 1000,
                                                     k / 5, NULL), 0);
            }
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    assert_true(gcsplan_summary_node_count(s) > 1900);
    gcsplan_report *r = report_with_jobs(10000, NULL);
    gcsplan_report_set_summary(r, s);
    for (size_t i = 0; i < 10000; i++) {
        event(r, GCSPLAN_EVENT_SUBMIT, i, T0 + (int64_t)i * 1000, NULL, 0, 0, 0, 0);
        event(r, GCSPLAN_EVENT_SUBMITTED, i, T0 + (int64_t)i * 1000 + 10, OP "1", 0, 0, 0, 0);
        event(r, GCSPLAN_EVENT_DONE, i, T0 + (int64_t)i * 1000 + 5000, NULL,
              i % 50 ? GCSPLAN_RUN_SUCCEEDED : GCSPLAN_RUN_FAILED, 1, 10, 0);
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    char *page = render(r);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    print_message("render: %zu nodes, 10000 jobs: %.3f s, %zu bytes\n",
                  gcsplan_summary_node_count(s), took, strlen(page));
    assert_true(took < 5.0);
    assert_int_equal(count(page, "<tr id=\"job-"), 10000);
    free(page);
    gcsplan_report_free(r);
    gcsplan_summary_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_table),
        cmocka_unit_test(test_text_cut),
        cmocka_unit_test(test_url_policy),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_findings),
        cmocka_unit_test(test_preflight_json),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_run_states),
        cmocka_unit_test(test_event_errors_and_attempts),
        cmocka_unit_test(test_treemap_geometry),
        cmocka_unit_test(test_render_errors),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
