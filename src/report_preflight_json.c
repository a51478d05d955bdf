/* Reading the findings of a pre-flight JSON document (docs/preflight.md)
 * into a report. Only "findings" is read; every other key is skipped, so a
 * plan document that embeds the pre-flight under another key, or a later
 * version with more keys, reads the same. Counts are bounded before
 * anything is kept, and strings are cut at GCSPLAN_REPORT_TEXT_MAX. */
#include <string.h>

#include "internal.h"
#include "report_internal.h"
#include "report_json.h"
#include "util/num.h"

/* Example names and kinds kept per finding (the pre-flight keeps at most
 * GCSPLAN_PREFLIGHT_EXAMPLES_MAX and GCSPLAN_FINDING_KINDS_MAX). */
#define EXAMPLES_MAX GCSPLAN_PREFLIGHT_EXAMPLES_MAX
#define KINDS_MAX 32

enum { HAVE_CODE = 1, HAVE_SEVERITY = 2, HAVE_MESSAGE = 4 };

typedef struct reader {
    const gcsplan_allocator *a;
    rp_finding *f;
    size_t n, cap;
    unsigned have;            /* of the current finding */
    int in_finding;
} reader;

static int bad(gcsplan__rj *w, const char *what)
{
    return gcsplan__rj_fail(w, GCSPLAN_EINVAL, "%s", what);
}

static int nomem(gcsplan__rj *w)
{
    return gcsplan__rj_fail(w, GCSPLAN_ENOMEM, "out of memory");
}

static int u64_of(gcsplan__rj *w, gcsplan__rj_type t, const char *s, size_t n, uint64_t *v)
{
    if (t != GCSPLAN__RJ_NUMBER || gcsplan__parse_u64(s, n, UINT64_MAX, v) != 0)
        return bad(w, "a count is not a non-negative integer");
    return 0;
}

static int severity_of(const char *s, size_t n)
{
    for (int k = GCSPLAN_SEVERITY_INFO; k <= GCSPLAN_SEVERITY_ERROR; k++) {
        const char *name = gcsplan_severity_name(k);
        if (strlen(name) == n && memcmp(name, s, n) == 0)
            return k;
    }
    return -1;
}

/* Open a new example or kind entry (depth 5: doc, findings, finding, list, entry). */
static int open_entry(reader *r, gcsplan__rj *w, int examples)
{
    rp_finding *f = &r->f[r->n - 1];
    size_t *n = examples ? &f->n_examples : &f->n_kinds;
    size_t max = examples ? EXAMPLES_MAX : KINDS_MAX;
    if (*n == max)
        return gcsplan__rj_fail(w, GCSPLAN_ELIMIT, "more than %zu %s in a finding", max,
                                examples ? "examples" : "kinds");
    if (examples && f->examples == NULL) {
        f->examples = gcsplan__malloc(r->a, EXAMPLES_MAX * sizeof *f->examples);
        if (f->examples == NULL)
            return nomem(w);
    } else if (!examples && f->kinds == NULL) {
        f->kinds = gcsplan__malloc(r->a, KINDS_MAX * sizeof *f->kinds);
        if (f->kinds == NULL)
            return nomem(w);
    }
    if (examples)
        memset(&f->examples[*n], 0, sizeof *f->examples);
    else
        memset(&f->kinds[*n], 0, sizeof *f->kinds);
    (*n)++;
    return 0;
}

static int entry_value(reader *r, gcsplan__rj *w, gcsplan__rj_type t, const char *s, size_t n)
{
    rp_finding *f = &r->f[r->n - 1];
    const char *key = w->frames[4].key;
    if (gcsplan__rj_key(w, 2, "examples")) {
        rp_example *e = &f->examples[f->n_examples - 1];
        if (strcmp(key, "name") == 0 || strcmp(key, "detail") == 0) {
            if (t != GCSPLAN__RJ_STRING)
                return bad(w, "an example's name or detail is not a string");
            if (gcsplan__rp_str_set(r->a, key[0] == 'n' ? &e->name : &e->detail, s, n) != 0)
                return nomem(w);
        } else if (strcmp(key, "size") == 0) {
            return u64_of(w, t, s, n, &e->size);
        }
        return 0;
    }
    rp_kind *k = &f->kinds[f->n_kinds - 1];
    if (strcmp(key, "kind") == 0) {
        if (t != GCSPLAN__RJ_STRING)
            return bad(w, "a kind is not a string");
        if (gcsplan__rp_str_set(r->a, &k->kind, s, n) != 0)
            return nomem(w);
    } else if (strcmp(key, "count") == 0) {
        return u64_of(w, t, s, n, &k->count);
    }
    return 0;
}

static int finding_value(reader *r, gcsplan__rj *w, gcsplan__rj_type t, const char *s, size_t n)
{
    rp_finding *f = &r->f[r->n - 1];
    const char *key = w->frames[2].key;
    if (strcmp(key, "severity") == 0) {
        int sev = t == GCSPLAN__RJ_STRING ? severity_of(s, n) : -1;
        if (sev < 0)
            return bad(w, "severity is error, warning or info");
        f->severity = sev;
        r->have |= HAVE_SEVERITY;
        return 0;
    }
    static const char *const strs[] = { "code", "message", "hint" };
    for (int k = 0; k < 3; k++) {
        if (strcmp(key, strs[k]) != 0)
            continue;
        if (k == 2 && t == GCSPLAN__RJ_NULL)
            return 0;
        if (t != GCSPLAN__RJ_STRING)
            return bad(w, "code, message and hint are strings");
        rp_str *d = k == 0 ? &f->code : k == 1 ? &f->message : &f->hint;
        if (gcsplan__rp_str_set(r->a, d, s, n) != 0)
            return nomem(w);
        r->have |= k == 0 ? HAVE_CODE : k == 1 ? HAVE_MESSAGE : 0;
        return 0;
    }
    if (strcmp(key, "count") == 0)
        return u64_of(w, t, s, n, &f->count);
    if (strcmp(key, "bytes") == 0)
        return u64_of(w, t, s, n, &f->bytes);
    return 0;
}

static int on_event(gcsplan__rj *w, gcsplan__rj_type t, const char *s, size_t n, void *ctx)
{
    reader *r = ctx;
    size_t d = w->depth;
    if (d >= 1 && !w->frames[0].is_map)
        return bad(w, "not a JSON object");
    if (d == 0)
        return bad(w, "not a JSON object");
    if (!gcsplan__rj_key(w, 0, "findings"))
        return 0; /* the top map itself, or a key this reader does not use */
    if (d == 1) /* "findings" itself: a scalar here is not the array it must be */
        return t == GCSPLAN__RJ_END ? 0 : bad(w, "\"findings\" is an array");
    if (d == 2)
        return t == GCSPLAN__RJ_ARRAY || t == GCSPLAN__RJ_END ? 0 : bad(w, "\"findings\" is an array");
    if (d == 3 && t == GCSPLAN__RJ_MAP) {
        if (r->n == GCSPLAN_REPORT_FINDINGS_MAX)
            return gcsplan__rj_fail(w, GCSPLAN_ELIMIT, "more than %d findings",
                                    GCSPLAN_REPORT_FINDINGS_MAX);
        if (r->n == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 8;
            rp_finding *p = gcsplan__realloc(r->a, r->f, cap * sizeof *p);
            if (p == NULL)
                return nomem(w);
            r->f = p;
            r->cap = cap;
        }
        memset(&r->f[r->n++], 0, sizeof *r->f);
        r->have = 0;
        return 0;
    }
    if (d == 3 && t == GCSPLAN__RJ_END) {
        if (w->frames[2].is_map == 0)
            return bad(w, "a finding is an object");
        unsigned need = HAVE_CODE | HAVE_SEVERITY | HAVE_MESSAGE;
        return (r->have & need) == need ? 0 : bad(w, "a finding needs code, severity, message");
    }
    if (!w->frames[2].is_map)
        return bad(w, "a finding is an object");
    if (d == 3)
        return finding_value(r, w, t, s, n);
    if (!gcsplan__rj_key(w, 2, "examples") && !gcsplan__rj_key(w, 2, "kinds"))
        return 0; /* inside an unknown key of a finding */
    if (d == 4) {
        /* The list itself opens or closes; nothing else belongs here. */
        if (w->frames[3].is_map)
            return bad(w, "examples and kinds are arrays");
        if (t == GCSPLAN__RJ_ARRAY || t == GCSPLAN__RJ_END)
            return 0;
        return bad(w, "an example or kind is an object");
    }
    if (d == 5) {
        if (!w->frames[4].is_map)
            return bad(w, "an example or kind is an object");
        if (t == GCSPLAN__RJ_MAP)
            return open_entry(r, w, gcsplan__rj_key(w, 2, "examples"));
        if (t == GCSPLAN__RJ_END)
            return 0;
        return entry_value(r, w, t, s, n);
    }
    return 0; /* containers inside an entry: keys this reader does not use */
}

int gcsplan_report_add_preflight_json(gcsplan_report *r, const char *json, size_t len,
                                      gcsplan_error *err)
{
    if (r == NULL || (json == NULL && len > 0))
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "no report or document");
    reader rd;
    memset(&rd, 0, sizeof rd);
    rd.a = &r->alloc;
    int rc = gcsplan__rj_parse(json, len, on_event, &rd, "pre-flight document", err);
    if (rc == 0)
        rc = gcsplan__rp_take_findings(r, rd.f, rd.n, err);
    if (rc != 0)
        for (size_t i = 0; i < rd.n; i++)
            gcsplan__rp_finding_free(rd.a, &rd.f[i]);
    gcsplan__free(rd.a, rd.f);
    return rc;
}
