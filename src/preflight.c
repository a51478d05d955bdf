/* Pre-flight: findings about the objects a URI matches, and about why it
 * matches nothing.
 *
 * Every finding is an accumulator: a count, a byte total, the first few
 * example names (copied), a small tally of kinds (extensions, content
 * kinds) and a hint. Objects stream through add() (matched) and
 * add_candidate() (listed but not matched); nothing else is kept, so memory
 * does not grow with the number of objects.
 *
 * The near-miss tests compare a name with variants of the pattern compiled
 * once in new(): the pattern in NFC and case-folded (utf8proc), the pattern
 * with its extension opened up, and a matcher where '*' crosses '/'. A hint
 * is a corrected URI built from the first example and kept only when it
 * compiles and matches that example. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "gcsplan/plandoc.h"
#include "gcsplan/preflight.h"
#include "access.h"
#include "fhir_sniff.h"
#include "internal.h"
#include "probe.h"
#include "util/ascii.h"
#include "util/clock.h"
#include "util/escape.h"
#include "util/name.h"
#include "util/num.h"
#include "util/utf8.h"

/* Code points a name or pattern may expand to under normalisation and case
 * folding: folding triples a character at most, and a name is at most 1024
 * bytes; beyond this the name is simply not compared. */
#define UCS_MAX (4 * 2 * GCSPLAN_NAME_MAX + 1)
/* Bytes of a folded or normalised object pattern. */
#define MAPPED_MAX (4 * (2 * GCSPLAN_NAME_MAX + 1))
/* A detail note of an example ("HTTP 404", an extension). */
#define DETAIL_MAX 96
/* The longest extension tallied as itself; longer ones are "(long)". */
#define EXT_MAX 16
/* A finding's message: the access findings quote what the servers said. */
#define MESSAGE_MAX 1024
/* A kind's name: an extension, a content kind ("NDJSON of resources and Bundles"). */
#define KIND_NAME_MAX 48

/* Internal index of each finding code. */
enum {
    F_NOTHING, F_NORM, F_CASE, F_STAR, F_EXT, F_EMPTY_PREFIX, F_EMPTY_BUCKET,
    F_ZERO, F_FOLDER, F_OVER, F_WILDCARD, F_SPACE, F_CONTROL, F_NONDICOM,
    F_NOT_DICOM, F_PROBE_FAILED, F_PROBE_UNAVAILABLE,
    F_NOT_FHIR, F_FHIR_CS, F_FHIR_AS_RESOURCE, F_FHIR_MISSING_ID,
    F_NO_ACCESS, F_ACCESS_CONDITIONAL, F_ACCESS_UNDECIDED, F_ACCESS_UNCHECKED, F_COUNT
};

static const struct {
    int code;
    gcsplan_severity severity;
    const char *name;
} finding_info[F_COUNT] = {
    { GCSPLAN_FINDING_NOTHING_MATCHED, GCSPLAN_SEVERITY_ERROR, "nothing-matched" },
    { GCSPLAN_FINDING_NORMALIZATION, GCSPLAN_SEVERITY_INFO, "unicode-normalization" },
    { GCSPLAN_FINDING_CASE_MISMATCH, GCSPLAN_SEVERITY_INFO, "case-mismatch" },
    { GCSPLAN_FINDING_STAR_CROSSES_SLASH, GCSPLAN_SEVERITY_INFO, "star-crosses-slash" },
    { GCSPLAN_FINDING_OTHER_EXTENSION, GCSPLAN_SEVERITY_INFO, "other-extension" },
    { GCSPLAN_FINDING_EMPTY_PREFIX, GCSPLAN_SEVERITY_INFO, "empty-prefix" },
    { GCSPLAN_FINDING_EMPTY_BUCKET, GCSPLAN_SEVERITY_INFO, "empty-bucket" },
    { GCSPLAN_FINDING_ZERO_BYTE, GCSPLAN_SEVERITY_WARNING, "zero-byte" },
    { GCSPLAN_FINDING_FOLDER_PLACEHOLDER, GCSPLAN_SEVERITY_WARNING, "folder-placeholder" },
    { GCSPLAN_FINDING_OVER_SIZE, GCSPLAN_SEVERITY_WARNING, "over-size-limit" },
    { GCSPLAN_FINDING_WILDCARD_NAME, GCSPLAN_SEVERITY_WARNING, "wildcard-in-name" },
    { GCSPLAN_FINDING_SPACE_EDGE, GCSPLAN_SEVERITY_WARNING, "space-edge-name" },
    { GCSPLAN_FINDING_CONTROL_CHAR, GCSPLAN_SEVERITY_WARNING, "control-char-name" },
    { GCSPLAN_FINDING_NON_DICOM_NAME, GCSPLAN_SEVERITY_WARNING, "non-dicom-name" },
    { GCSPLAN_FINDING_NOT_DICOM, GCSPLAN_SEVERITY_ERROR, "not-dicom" },
    { GCSPLAN_FINDING_PROBE_FAILED, GCSPLAN_SEVERITY_WARNING, "probe-failed" },
    { GCSPLAN_FINDING_PROBE_UNAVAILABLE, GCSPLAN_SEVERITY_INFO, "probe-unavailable" },
    { GCSPLAN_FINDING_NOT_FHIR, GCSPLAN_SEVERITY_ERROR, "not-fhir" },
    { GCSPLAN_FINDING_FHIR_CONTENT_STRUCTURE, GCSPLAN_SEVERITY_ERROR, "fhir-content-structure" },
    { GCSPLAN_FINDING_FHIR_BUNDLE_AS_RESOURCE, GCSPLAN_SEVERITY_WARNING, "fhir-bundle-as-resource" },
    { GCSPLAN_FINDING_FHIR_MISSING_ID, GCSPLAN_SEVERITY_ERROR, "fhir-missing-id" },
    { GCSPLAN_FINDING_AGENT_NO_ACCESS, GCSPLAN_SEVERITY_ERROR, "agent-no-access" },
    { GCSPLAN_FINDING_AGENT_ACCESS_CONDITIONAL, GCSPLAN_SEVERITY_WARNING, "agent-access-conditional" },
    { GCSPLAN_FINDING_AGENT_ACCESS_UNDECIDED, GCSPLAN_SEVERITY_WARNING, "agent-access-undecided" },
    { GCSPLAN_FINDING_ACCESS_UNCHECKED, GCSPLAN_SEVERITY_INFO, "access-unchecked" },
};

typedef struct example {
    char *name;
    size_t len;
    uint64_t size;
    unsigned char head[GCSPLAN_PROBE_BYTES];
    size_t head_len;
    int has_head;
    char detail[DETAIL_MAX];
} example;

typedef struct kind {
    char name[KIND_NAME_MAX];
    uint64_t count;
    char *hint;          /* OTHER_EXTENSION: the URI with this extension, or NULL */
} kind;

/* An object kept for the content sample. */
typedef struct sampled {
    char name[GCSPLAN_NAME_MAX + 1];
    size_t len;
    uint64_t size;
} sampled;

typedef struct acc {
    int present;          /* a finding about the whole import (access): shown without objects */
    uint64_t count, bytes;
    example ex[GCSPLAN_PREFLIGHT_EXAMPLES_MAX];
    size_t nex;
    kind kinds[GCSPLAN_FINDING_KINDS_MAX];
    size_t nkinds;
    uint64_t other_kinds; /* objects whose kind did not fit the tally */
    char *hint;
} acc;

struct gcsplan_preflight {
    gcsplan_allocator alloc;
    gcsplan_preflight_options opts;
    const gcsplan_pattern *pat;
    const char *bucket;
    const char *op;      /* the object pattern */
    size_t op_len;
    const char *prefix;
    size_t prefix_len;
    int pins_extension;  /* the pattern ends in a literal ".ext" */
    gcsplan_pattern *pat_nfc, *pat_fold, *pat_stem_dot, *pat_stem_bare;
    size_t ext_off;      /* offset of the extension's '.' in op, when pinned */
    utf8proc_int32_t *ucs;
    char *mapped;        /* scratch for a normalised or folded name */
    char *uri;           /* scratch for hints: GCSPLAN_URI_MAX + 1 */
    char *work;          /* scratch for hint construction */
    acc f[F_COUNT];
    uint64_t objects, bytes, examined, under_prefix, excluded, probed;
    int examined_capped, analysed, analysis_skipped, finished;
    char analysis_prefix[GCSPLAN_NAME_MAX + 1];
    size_t analysis_prefix_len;
    gcsplan__probe *probe;
    gcsplan_probe_stats pstats;
    double next_progress;
    int probe_failed;
    /* the store checks */
    unsigned int checks;      /* GCSPLAN_PREFLIGHT_CHECK_*, defaults applied */
    int has_store;
    gcsplan_store store;
    unsigned int cs;          /* FHIR: the content structure's bit */
    int sampling;             /* the content sample is taken */
    sampled *sample;          /* 2 * sample_max slots: every stride-th eligible object */
    size_t nsample, sample_cap;
    uint64_t sample_seen, sample_stride, sample_chosen;
    uint64_t undecided;       /* sampled objects whose structure the bytes read do not tell */
    unsigned int fits_all;    /* content structures that fit every FHIR object read */
    int cs_resources_misfit;  /* BUNDLE asked, and resources found where Bundles were wanted */
    gcsplan_probe_stats sstats;
    gcsplan__access_result access;
    int access_verdict;
    /* findings, built by finish() */
    gcsplan_finding out[F_COUNT];
    gcsplan_finding_example out_ex[F_COUNT][GCSPLAN_PREFLIGHT_EXAMPLES_MAX];
    gcsplan_finding_kind out_kinds[F_COUNT][GCSPLAN_FINDING_KINDS_MAX + 1];
    char messages[F_COUNT][MESSAGE_MAX];
    size_t nout;
};

const char *gcsplan_finding_code_name(int code)
{
    for (int i = 0; i < F_COUNT; i++)
        if (finding_info[i].code == code)
            return finding_info[i].name;
    return "unknown";
}

const char *gcsplan_severity_name(int severity)
{
    switch (severity) {
    case GCSPLAN_SEVERITY_INFO: return "info";
    case GCSPLAN_SEVERITY_WARNING: return "warning";
    case GCSPLAN_SEVERITY_ERROR: return "error";
    default: return "unknown";
    }
}

/* --- Unicode ------------------------------------------------------------------------ */

/* s mapped by utf8proc with options into pf->mapped; returns its length, or
 * -1 when s is not UTF-8 or would not fit. */
static long umap(gcsplan_preflight *pf, const char *s, size_t len, utf8proc_option_t options)
{
    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                                            pf->ucs, UCS_MAX - 1, options);
    if (n < 0 || n > UCS_MAX - 1)
        return -1;
    n = utf8proc_reencode(pf->ucs, n, options);
    if (n < 0 || (size_t)n >= MAPPED_MAX)
        return -1;
    memcpy(pf->mapped, pf->ucs, (size_t)n);
    pf->mapped[n] = '\0';
    return (long)n;
}

#define OPT_NFC (UTF8PROC_STABLE | UTF8PROC_COMPOSE)
#define OPT_NFD (UTF8PROC_STABLE | UTF8PROC_DECOMPOSE)
#define OPT_FOLD (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD)

/* Compile "gs://BUCKET/" + object (len bytes); NULL when it is not a valid URI. */
static gcsplan_pattern *compile_object(gcsplan_preflight *pf, const char *object, size_t len)
{
    size_t blen = strlen(pf->bucket);
    if (5 + blen + 1 + len > GCSPLAN_URI_MAX)
        return NULL;
    char *u = pf->uri;
    memcpy(u, "gs://", 5);
    memcpy(u + 5, pf->bucket, blen);
    u[5 + blen] = '/';
    memcpy(u + 6 + blen, object, len);
    u[6 + blen + len] = '\0';
    gcsplan_pattern_options po = GCSPLAN_PATTERN_OPTIONS_INIT;
    po.allocator = &pf->alloc;
    gcsplan_pattern *p = NULL;
    if (gcsplan_pattern_compile(&p, u, 6 + blen + len, &po, NULL) != 0)
        return NULL;
    return p;
}

/* A hint: keep the URI of object when it compiles and matches name. */
static char *hint_if_matches(gcsplan_preflight *pf, const char *object, size_t len,
                             const char *name, size_t name_len)
{
    gcsplan_pattern *p = compile_object(pf, object, len);
    if (p == NULL)
        return NULL;
    char *h = NULL;
    if (gcsplan_pattern_match(p, name, name_len))
        h = gcsplan__strndup(&pf->alloc, gcsplan_pattern_uri(p), strlen(gcsplan_pattern_uri(p)));
    gcsplan_pattern_free(p);
    return h;
}

/* --- pattern shape -------------------------------------------------------------------- */

static int is_wild(char c) { return c == '*' || c == '?'; }

/* Offset of the last segment of op. */
static size_t last_segment(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && s[i - 1] != '/')
        i--;
    return i;
}

/* When op ends in a literal extension (".dcm" after the last wildcard of
 * the last segment), the offset of its '.'; else (size_t)-1. */
static size_t extension_offset(const char *op, size_t len)
{
    size_t seg = last_segment(op, len), tail = seg;
    for (size_t i = seg; i < len; i++)
        if (is_wild(op[i]))
            tail = i + 1;
    for (size_t i = len; i > tail; i--)
        if (op[i - 1] == '.')
            return i < len ? i - 1 : (size_t)-1;
    return (size_t)-1;
}

/* '*' matching any bytes, '/' included; '?' one character other than '/'.
 * The classic greedy matcher with one backtrack point: quadratic at worst,
 * and only run on near-miss candidates, which are capped. */
static int match_crossing(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '*') {
            star_p = ++pi;
            star_s = si;
        } else if (pi < pn && p[pi] == '?' && s[si] != '/') {
            pi++;
            si += gcsplan__utf8_char((const unsigned char *)s + si, sn - si);
        } else if (pi < pn && p[pi] != '?' && p[pi] == s[si]) {
            pi++;
            si++;
        } else if (star_p != (size_t)-1) {
            pi = star_p;
            si = ++star_s;
        } else {
            return 0;
        }
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

/* --- accumulation --------------------------------------------------------------------- */

/* Count o in finding f and keep it as an example when it is among the
 * max_examples first names in byte order: the listing's order, and the
 * same whatever order the probe's results come back in. Returns the example
 * kept, or NULL; *rc gets GCSPLAN_ENOMEM when the copy failed. */
static example *note_ex(gcsplan_preflight *pf, int f, const gcsplan_object *o, const char *detail,
                        int *rc)
{
    acc *a = &pf->f[f];
    a->count++;
    gcsplan__add_u64_sat(&a->bytes, o->size);
    size_t at = a->nex;
    while (at > 0 && gcsplan__name_cmp(o->name, o->name_len, a->ex[at - 1].name, a->ex[at - 1].len) < 0)
        at--;
    if (at >= pf->opts.max_examples)
        return NULL;
    char *copy = gcsplan__strndup(&pf->alloc, o->name, o->name_len);
    if (copy == NULL) {
        *rc = GCSPLAN_ENOMEM;
        return NULL;
    }
    if (a->nex == pf->opts.max_examples) /* the last one drops out */
        gcsplan__free(&pf->alloc, a->ex[--a->nex].name);
    memmove(&a->ex[at + 1], &a->ex[at], (a->nex - at) * sizeof a->ex[0]);
    a->nex++;
    example *e = &a->ex[at];
    memset(e, 0, sizeof *e);
    e->name = copy;
    e->len = o->name_len;
    e->size = o->size;
    snprintf(e->detail, sizeof e->detail, "%s", detail ? detail : "");
    return e;
}

static int note(gcsplan_preflight *pf, int f, const gcsplan_object *o, const char *detail)
{
    int rc = 0;
    note_ex(pf, f, o, detail, &rc);
    return rc;
}

/* Count one object of kind name in f's tally; *first is set when the kind is
 * new (so its hint can be made). */
static kind *tally(gcsplan_preflight *pf, int f, const char *name, int *first)
{
    acc *a = &pf->f[f];
    *first = 0;
    for (size_t i = 0; i < a->nkinds; i++)
        if (strcmp(a->kinds[i].name, name) == 0) {
            a->kinds[i].count++;
            return &a->kinds[i];
        }
    if (a->nkinds == GCSPLAN_FINDING_KINDS_MAX) {
        a->other_kinds++;
        return NULL;
    }
    kind *k = &a->kinds[a->nkinds++];
    /* Kind names are short by construction; a longer one is cut. */
    size_t n = strlen(name);
    if (n >= sizeof k->name)
        n = sizeof k->name - 1;
    memcpy(k->name, name, n);
    k->name[n] = '\0';
    k->count = 1;
    *first = 1;
    return k;
}

/* The extension of a name's last segment (".txt"), "no extension" or "(long)". */
static void name_extension(const char *name, size_t len, char *out, size_t cap)
{
    size_t seg = last_segment(name, len);
    for (size_t i = len; i > seg; i--) {
        if (name[i - 1] == '.') {
            if (i - 1 == seg) /* ".bashrc": a hidden name, not an extension */
                break;
            size_t n = len - (i - 1);
            if (n > EXT_MAX)
                snprintf(out, cap, "(long)");
            else
                snprintf(out, cap, "%.*s", (int)n, name + i - 1);
            return;
        }
    }
    snprintf(out, cap, "no extension");
}

/* Names that are not DICOM instances: what archives hold beside them. */
static const char *const non_dicom_ext[] = {
    ".txt", ".json", ".xml", ".csv", ".tsv", ".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz",
    ".7z", ".rar", ".pdf", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".html", ".htm", ".md",
    ".log", ".ini", ".yaml", ".yml", ".bak", ".tmp", ".exe", ".sh", ".py", ".doc", ".docx",
    ".xls", ".xlsx", ".mp4", ".avi", ".mov", NULL
};
static const char *const non_dicom_base[] = {
    "DICOMDIR", ".DS_Store", "Thumbs.db", "desktop.ini", "LOCKFILE", "VERSION", NULL
};

/* The kind of non-DICOM file a name looks like, or NULL. */
static const char *non_dicom_kind(const char *name, size_t len)
{
    size_t seg = last_segment(name, len);
    const char *base = name + seg;
    size_t blen = len - seg;
    for (const char *const *b = non_dicom_base; *b; b++)
        if (gcsplan__ascii_ieq(base, blen, *b))
            return *b;
    for (const char *const *e = non_dicom_ext; *e; e++) {
        size_t el = strlen(*e);
        if (blen > el && gcsplan__ascii_ieq(base + blen - el, el, *e))
            return *e;
    }
    return NULL;
}

static int is_space_at(const unsigned char *s, size_t n, size_t i, size_t *w)
{
    if (s[i] == ' ' || s[i] == '\t') {
        *w = 1;
        return 1;
    }
    /* U+00A0 NO-BREAK SPACE and U+3000 IDEOGRAPHIC SPACE, which look alike. */
    if (i + 1 < n && s[i] == 0xC2 && s[i + 1] == 0xA0) {
        *w = 2;
        return 1;
    }
    if (i + 2 < n && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80) {
        *w = 3;
        return 1;
    }
    return 0;
}

static int space_edge(const char *name, size_t len)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t start = 0, w;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '/')
            continue;
        if (i > start) {
            if (is_space_at(s, i, start, &w))
                return 1;
            /* trailing: look at the last one to three bytes */
            for (size_t k = 1; k <= 3 && k <= i - start; k++)
                if (is_space_at(s, i, i - k, &w) && w == k)
                    return 1;
        }
        start = i + 1;
    }
    return 0;
}

/* Control characters, bytes that are not UTF-8, and the invisible format
 * characters that reorder or hide text: whatever a terminal would not show
 * as it is (util/escape.h). */
static int control_or_bad_utf8(const char *name, size_t len)
{
    return !gcsplan__term_safe(name, len);
}

static void maybe_progress(gcsplan_preflight *pf, int force)
{
    if (pf->opts.progress == NULL)
        return;
    double t = gcsplan__clock_s();
    if (!force && t < pf->next_progress)
        return;
    pf->next_progress = t + pf->opts.progress_interval_ms / 1000.0;
    pf->opts.progress(&pf->pstats, pf->opts.progress_ctx);
}

/* --- the probe's results -------------------------------------------------------------- */

static const char *content_kind(const unsigned char *h, size_t n)
{
    if (n == 0)
        return "empty";
    if (n >= 4 && memcmp(h, "DICM", 4) == 0)
        return "DICM at byte 0 (no preamble)";
    /* A DICOM data set without the Part 10 header starts with group 0002 or 0008. */
    if (n >= 4 && (h[0] == 0x02 || h[0] == 0x08) && h[1] == 0x00 && h[3] == 0x00)
        return "DICOM data set without Part 10 header";
    if (n >= 4 && memcmp(h, "PK\003\004", 4) == 0)
        return "zip";
    if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
        return "gzip";
    if (n >= 4 && memcmp(h, "%PDF", 4) == 0)
        return "pdf";
    if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF)
        return "jpeg";
    if (n >= 4 && memcmp(h, "\x89PNG", 4) == 0)
        return "png";
    if (n < GCSPLAN_PROBE_BYTES)
        return "shorter than 132 bytes";
    size_t z = 0;
    while (z < n && h[z] == 0)
        z++;
    if (z == n)
        return "all zeros";
    int text = 1;
    for (size_t i = 0; i < n && text; i++)
        text = h[i] == '\n' || h[i] == '\r' || h[i] == '\t' || (h[i] >= 0x20 && h[i] < 0x7F) ||
               h[i] >= 0x80;
    return text ? "text" : "other";
}

static void on_probe_result(void *ctx, const char *name, size_t len, uint64_t size,
                            const unsigned char *head, size_t n, int failed, const char *why)
{
    gcsplan_preflight *pf = ctx;
    gcsplan_object o;
    memset(&o, 0, sizeof o);
    o.name = name;
    o.name_len = len;
    o.size = size;
    pf->probed++;
    if (failed) {
        if (note(pf, F_PROBE_FAILED, &o, why) != 0)
            pf->probe_failed = GCSPLAN_ENOMEM;
        return;
    }
    if (n == GCSPLAN_PROBE_BYTES && memcmp(head + 128, "DICM", 4) == 0)
        return;
    pf->pstats.not_dicom++;
    const char *k = content_kind(head, n);
    int first;
    tally(pf, F_NOT_DICOM, k, &first);
    int rc = 0;
    example *e = note_ex(pf, F_NOT_DICOM, &o, k, &rc);
    if (rc != 0) {
        pf->probe_failed = GCSPLAN_ENOMEM;
        return;
    }
    if (e != NULL) {
        memcpy(e->head, head, n);
        e->head_len = n;
        e->has_head = 1;
    }
}

/* A sampled object of a FHIR import, read: what the sniffer says of its
 * head, against the content structure asked for. */
static void on_fhir_result(void *ctx, const char *name, size_t len, uint64_t size,
                           const unsigned char *head, size_t n, int failed, const char *why)
{
    gcsplan_preflight *pf = ctx;
    gcsplan_object o;
    memset(&o, 0, sizeof o);
    o.name = name;
    o.name_len = len;
    o.size = size;
    pf->probed++;
    int rc = 0, first;
    if (failed) {
        if (note(pf, F_PROBE_FAILED, &o, why) != 0)
            pf->probe_failed = GCSPLAN_ENOMEM;
        return;
    }
    gcsplan__fhir_head h;
    gcsplan__fhir_sniff(&h, head, n, n < GCSPLAN__FHIR_SAMPLE_BYTES || n == size);
    switch (h.status) {
    case GCSPLAN__FHIR_EMPTY:
    case GCSPLAN__FHIR_UNDECIDED:
        pf->undecided++;
        return;
    case GCSPLAN__FHIR_NOT_JSON:
    case GCSPLAN__FHIR_NOT_FHIR: {
        char detail[DETAIL_MAX];
        if (strcmp(h.kind, "not JSON") == 0)
            snprintf(detail, sizeof detail, "not JSON at byte %zu", h.error_offset);
        else
            snprintf(detail, sizeof detail, "%s", h.kind);
        tally(pf, F_NOT_FHIR, h.kind, &first);
        example *e = note_ex(pf, F_NOT_FHIR, &o, detail, &rc);
        if (e != NULL) {
            size_t k = n < GCSPLAN_PROBE_BYTES ? n : GCSPLAN_PROBE_BYTES;
            memcpy(e->head, head, k);
            e->head_len = k;
            e->has_head = 1;
        }
        break;
    }
    case GCSPLAN__FHIR_OK:
        pf->fits_all &= h.fits;
        if (h.fits & pf->cs) {
            /* read as meant */
        } else if (h.as_resource & pf->cs) {
            rc |= note(pf, F_FHIR_AS_RESOURCE, &o, h.kind);
        } else {
            if (pf->cs == GCSPLAN__CS_BUNDLE && !(h.types & GCSPLAN__FHIR_HAS_BUNDLE))
                pf->cs_resources_misfit = 1;
            tally(pf, F_FHIR_CS, h.kind, &first);
            rc |= note(pf, F_FHIR_CS, &o, h.kind);
        }
        if (h.missing_id > 0) {
            char detail[DETAIL_MAX];
            snprintf(detail, sizeof detail, "%u of %u resource%s read without \"id\"",
                     (unsigned)h.missing_id, (unsigned)h.resources, h.resources == 1 ? "" : "s");
            rc |= note(pf, F_FHIR_MISSING_ID, &o, detail);
        }
        break;
    }
    if (rc != 0)
        pf->probe_failed = GCSPLAN_ENOMEM;
}

/* --- public: new, add ----------------------------------------------------------------- */

/* The store options, checked: the store's parts and the content
 * structure's bit (BUNDLE, the API's default, for a FHIR store without
 * one). */
static int store_options(const gcsplan_preflight_options *o, gcsplan_store *store,
                         unsigned int *cs, gcsplan_error *err)
{
    if (o->store == NULL) {
        if (o->content_structure != NULL)
            return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                      "a content structure is for a FHIR store: no store given");
        return 0;
    }
    if (gcsplan_store_parse(store, o->store, strlen(o->store), NULL) != 0)
        return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                  "the store is projects/P/locations/L/datasets/D/dicomStores/S "
                                  "or .../fhirStores/S");
    if (store->kind == GCSPLAN_STORE_DICOM) {
        if (o->content_structure != NULL)
            return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                      "a content structure is for a FHIR store, not a DICOM one");
        return 0;
    }
    if (o->probe)
        return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                  "the DICM probe reads DICOM files: a FHIR store's objects are "
                                  "sampled instead");
    const char *c = o->content_structure != NULL ? o->content_structure : "BUNDLE";
    *cs = gcsplan__cs_bit(c, strlen(c));
    if (*cs == 0)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "the content structure is BUNDLE, "
                                  "RESOURCE, BUNDLE_PRETTY or RESOURCE_PRETTY");
    return 0;
}

/* Offer an object to the sample: every stride-th eligible object is kept;
 * when the slots are full, every other one is dropped and the stride
 * doubles. What is kept is spread evenly over the listing, whatever its
 * length, in memory bounded by the slots, and the same for the same
 * listing. */
static void sample_offer(gcsplan_preflight *pf, const gcsplan_object *o)
{
    /* Folder placeholders are not files; empty objects hold nothing to read
     * (zero-byte says so). */
    if (o->size == 0 || (o->name_len > 0 && o->name[o->name_len - 1] == '/') ||
        o->name_len > GCSPLAN_NAME_MAX)
        return;
    uint64_t i = pf->sample_seen++;
    if (i % pf->sample_stride != 0)
        return;
    if (pf->nsample == pf->sample_cap) {
        size_t k = 0;
        for (size_t j = 0; j < pf->nsample; j += 2)
            pf->sample[k++] = pf->sample[j];
        pf->nsample = k;
        pf->sample_stride *= 2;
        if (i % pf->sample_stride != 0)
            return;
    }
    sampled *e = &pf->sample[pf->nsample++];
    memcpy(e->name, o->name, o->name_len);
    e->name[o->name_len] = '\0';
    e->len = o->name_len;
    e->size = o->size;
}

int gcsplan_preflight_new(gcsplan_preflight **out, const gcsplan_pattern *pattern,
                          const gcsplan_preflight_options *opts, gcsplan_error *err)
{
    if (out == NULL || pattern == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out or pattern is NULL");
    *out = NULL;
    gcsplan_preflight_options o = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    if (opts != NULL) {
        if (opts->version == 1) /* before the store checks: the fields up to store */
            memcpy(&o, opts, offsetof(gcsplan_preflight_options, store));
        else if (opts->version == GCSPLAN_PREFLIGHT_OPTIONS_VERSION)
            o = *opts;
        else
            return gcsplan__error_set(err, GCSPLAN_EINVAL, "unsupported options version %u",
                                      opts->version);
        o.version = GCSPLAN_PREFLIGHT_OPTIONS_VERSION;
    }
    gcsplan_store store;
    memset(&store, 0, sizeof store);
    unsigned int cs = 0;
    int rc = store_options(&o, &store, &cs, err);
    if (rc != 0)
        return rc;
    if (o.max_examples == 0)
        o.max_examples = GCSPLAN_PREFLIGHT_EXAMPLES_DEFAULT;
    if (o.max_examples > GCSPLAN_PREFLIGHT_EXAMPLES_MAX)
        o.max_examples = GCSPLAN_PREFLIGHT_EXAMPLES_MAX;
    if (o.max_examined == 0)
        o.max_examined = GCSPLAN_PREFLIGHT_EXAMINE_DEFAULT;
    if (o.probe_parallel == 0)
        o.probe_parallel = GCSPLAN_PROBE_PARALLEL_DEFAULT;
    if (o.probe_parallel > GCSPLAN_PROBE_PARALLEL_MAX)
        o.probe_parallel = GCSPLAN_PROBE_PARALLEL_MAX;
    if (o.progress_interval_ms == 0)
        o.progress_interval_ms = 200;
    if (o.sample_max == 0)
        o.sample_max = GCSPLAN_PREFLIGHT_SAMPLE_DEFAULT;
    if (o.sample_max > GCSPLAN_PREFLIGHT_SAMPLE_MAX)
        o.sample_max = GCSPLAN_PREFLIGHT_SAMPLE_MAX;
    const gcsplan_allocator *a = gcsplan__allocator_or_default(o.allocator);
    gcsplan_preflight *pf = gcsplan__malloc(a, sizeof *pf);
    if (pf == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(pf, 0, sizeof *pf);
    pf->alloc = *a;
    pf->opts = o;
    pf->opts.allocator = &pf->alloc;
    pf->pat = pattern;
    pf->bucket = gcsplan_pattern_bucket(pattern);
    pf->op = gcsplan_pattern_object(pattern, &pf->op_len);
    pf->prefix = gcsplan_pattern_prefix(pattern, &pf->prefix_len);
    pf->ucs = gcsplan__malloc(a, UCS_MAX * sizeof *pf->ucs);
    pf->mapped = gcsplan__malloc(a, MAPPED_MAX);
    pf->uri = gcsplan__malloc(a, GCSPLAN_URI_MAX + 1);
    pf->work = gcsplan__malloc(a, MAPPED_MAX);
    pf->checks = o.checks ? o.checks : GCSPLAN_PREFLIGHT_CHECK_NAMES |
                                           GCSPLAN_PREFLIGHT_CHECK_CONTENT |
                                           GCSPLAN_PREFLIGHT_CHECK_ACCESS;
    pf->has_store = o.store != NULL;
    pf->store = store;
    pf->cs = cs;
    pf->fits_all = GCSPLAN__CS_ALL;
    pf->sample_stride = 1;
    /* The sample: for a FHIR store always, for a DICOM store unless the
     * probe reads every object anyway. */
    pf->sampling = pf->has_store && (pf->checks & GCSPLAN_PREFLIGHT_CHECK_CONTENT) &&
                   !(store.kind == GCSPLAN_STORE_DICOM && o.probe);
    if (pf->sampling) {
        pf->sample_cap = 2 * (size_t)o.sample_max;
        pf->sample = gcsplan__malloc(a, pf->sample_cap * sizeof *pf->sample);
    }
    if (pf->ucs == NULL || pf->mapped == NULL || pf->uri == NULL || pf->work == NULL ||
        (pf->sampling && pf->sample == NULL)) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
        goto fail;
    }
    /* Variants of the pattern for the near-miss tests. A variant that does
     * not compile (folding made it too long, say) just finds nothing. */
    long n = umap(pf, pf->op, pf->op_len, OPT_NFC);
    if (n >= 0)
        pf->pat_nfc = compile_object(pf, pf->mapped, (size_t)n);
    n = umap(pf, pf->op, pf->op_len, OPT_FOLD);
    if (n >= 0)
        pf->pat_fold = compile_object(pf, pf->mapped, (size_t)n);
    pf->ext_off = extension_offset(pf->op, pf->op_len);
    pf->pins_extension = gcsplan_pattern_kind_of(pattern) == GCSPLAN_PATTERN_LITERAL ||
                         pf->ext_off != (size_t)-1;
    if (pf->ext_off != (size_t)-1) {
        /* The stem opens up: a/IM-STAR.dcm becomes a/IM-STAR.STAR and a/IM-STAR
     * (STAR being '*'); a/STARSTAR.dcm becomes a/STARSTAR. */
        memcpy(pf->work, pf->op, pf->ext_off);
        if (gcsplan_pattern_kind_of(pattern) == GCSPLAN_PATTERN_RECURSIVE) {
            pf->pat_stem_dot = compile_object(pf, pf->work, pf->ext_off);
        } else {
            memcpy(pf->work + pf->ext_off, ".*", 2);
            pf->pat_stem_dot = compile_object(pf, pf->work, pf->ext_off + 2);
            pf->pat_stem_bare = compile_object(pf, pf->work, pf->ext_off);
        }
    }
    if (pf->opts.probe && (pf->checks & GCSPLAN_PREFLIGHT_CHECK_CONTENT) &&
        pf->opts.source != NULL && pf->opts.source->source != GCSPLAN_SOURCE_LISTING) {
        gcsplan__probe_config pc;
        memset(&pc, 0, sizeof pc);
        pc.alloc = &pf->alloc;
        pc.source = pf->opts.source;
        pc.bucket = pf->bucket;
        pc.parallel = pf->opts.probe_parallel;
        pc.on_result = on_probe_result;
        pc.ctx = pf;
        pc.stats = &pf->pstats;
        if ((rc = gcsplan__probe_new(&pf->probe, &pc, err)) != 0)
            goto fail;
    }
    *out = pf;
    return 0;
fail:
    gcsplan_preflight_free(pf);
    return rc;
}

/* The DICM probe of every object, when it runs. */
static int probe_object(gcsplan_preflight *pf, const gcsplan_object *o, gcsplan_error *err)
{
    if (pf->probe == NULL)
        return 0;
    int rc = gcsplan__probe_submit(pf->probe, o, err);
    if (rc != 0)
        return rc;
    maybe_progress(pf, 0);
    if (pf->probe_failed)
        return gcsplan__error_set(err, pf->probe_failed, "out of memory");
    return 0;
}

int gcsplan_preflight_add(gcsplan_preflight *pf, const gcsplan_object *o, gcsplan_error *err)
{
    if (pf == NULL || o == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "pf or obj is NULL");
    pf->objects++;
    gcsplan__add_u64_sat(&pf->bytes, o->size);
    if (pf->sampling)
        sample_offer(pf, o);
    if (!(pf->checks & GCSPLAN_PREFLIGHT_CHECK_NAMES))
        return probe_object(pf, o, err);
    int rc = 0;
    if (o->name_len > 0 && o->name[o->name_len - 1] == '/')
        rc |= note(pf, F_FOLDER, o, NULL);
    else if (o->size == 0)
        rc |= note(pf, F_ZERO, o, NULL);
    if (pf->opts.max_object_size > 0 && o->size > pf->opts.max_object_size) {
        char sz[32];
        snprintf(sz, sizeof sz, "%llu bytes", (unsigned long long)o->size);
        rc |= note(pf, F_OVER, o, sz);
    }
    if (memchr(o->name, '*', o->name_len) != NULL || memchr(o->name, '?', o->name_len) != NULL)
        rc |= note(pf, F_WILDCARD, o, NULL);
    if (space_edge(o->name, o->name_len))
        rc |= note(pf, F_SPACE, o, NULL);
    if (control_or_bad_utf8(o->name, o->name_len))
        rc |= note(pf, F_CONTROL, o, NULL);
    /* .json and .ndjson are what a FHIR store imports. */
    if (!pf->pins_extension && !(pf->has_store && pf->store.kind == GCSPLAN_STORE_FHIR)) {
        const char *k = non_dicom_kind(o->name, o->name_len);
        if (k != NULL) {
            int first;
            tally(pf, F_NONDICOM, k, &first);
            rc |= note(pf, F_NONDICOM, o, k);
        }
    }
    if (rc != 0)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    return probe_object(pf, o, err);
}

/* --- near misses ---------------------------------------------------------------------- */

/* Bytes of the first k code points of s (from the end when back). */
static int cp_span(const char *s, size_t n, size_t k, int back, size_t *bytes)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, c = 0;
    if (!back) {
        while (c < k && i < n) {
            i += gcsplan__utf8_char(u + i, n - i);
            c++;
        }
    } else {
        size_t j = n;
        while (c < k && j > 0) {
            j--;
            while (j > 0 && (u[j] & 0xC0) == 0x80)
                j--;
            c++;
        }
        i = n - j;
    }
    if (c < k)
        return -1;
    *bytes = i;
    return 0;
}

static size_t cp_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; c++)
        i += gcsplan__utf8_char((const unsigned char *)s + i, n - i);
    return c;
}

/* Re-case one pattern piece (a segment, or the whole pattern for "**")
 * from the name piece it nearly matched: the literal head and tail take the
 * name's characters, the middle stays. Appends to w; -1 when it cannot. */
static int recase_piece(const char *p, size_t pn, const char *s, size_t sn, char *w, size_t *wl,
                        size_t cap, int recursive)
{
    size_t first = pn, last = 0;
    for (size_t i = 0; i < pn; i++)
        if (is_wild(p[i])) {
            if (first == pn)
                first = i;
            last = i + 1;
        }
    if (*wl + pn + sn + 4 > cap)
        return -1;
    if (first == pn) { /* literal: the name's own bytes */
        memcpy(w + *wl, s, sn);
        *wl += sn;
        return 0;
    }
    (void)recursive;
    size_t hb, tb;
    if (cp_span(s, sn, cp_count(p, first), 0, &hb) != 0 ||
        cp_span(s, sn, cp_count(p + last, pn - last), 1, &tb) != 0 || hb + tb > sn)
        return -1;
    memcpy(w + *wl, s, hb);
    *wl += hb;
    memcpy(w + *wl, p + first, last - first);
    *wl += last - first;
    memcpy(w + *wl, s + sn - tb, tb);
    *wl += tb;
    return 0;
}

static char *recase_hint(gcsplan_preflight *pf, const char *name, size_t len)
{
    const char *p = pf->op;
    size_t pn = pf->op_len, wl = 0;
    char *w = pf->work;
    if (gcsplan_pattern_kind_of(pf->pat) == GCSPLAN_PATTERN_RECURSIVE) {
        if (recase_piece(p, pn, name, len, w, &wl, MAPPED_MAX, 1) != 0)
            return NULL;
    } else {
        size_t pi = 0, si = 0;
        for (;;) {
            const char *pe = memchr(p + pi, '/', pn - pi);
            const char *se = memchr(name + si, '/', len - si);
            size_t pl = pe ? (size_t)(pe - p) - pi : pn - pi;
            size_t sl = se ? (size_t)(se - name) - si : len - si;
            if ((pe == NULL) != (se == NULL))
                return NULL;
            if (recase_piece(p + pi, pl, name + si, sl, w, &wl, MAPPED_MAX, 0) != 0)
                return NULL;
            if (pe == NULL)
                break;
            w[wl++] = '/';
            pi += pl + 1;
            si += sl + 1;
        }
    }
    return hint_if_matches(pf, w, wl, name, len);
}

static char *normalization_hint(gcsplan_preflight *pf, const char *name, size_t len)
{
    static const utf8proc_option_t forms[] = { OPT_NFC, OPT_NFD };
    for (size_t i = 0; i < 2; i++) {
        long n = umap(pf, pf->op, pf->op_len, forms[i]);
        if (n < 0)
            continue;
        memcpy(pf->work, pf->mapped, (size_t)n);
        char *h = hint_if_matches(pf, pf->work, (size_t)n, name, len);
        if (h != NULL)
            return h;
    }
    return NULL;
}

/* The trailing literal of the last segment, for PREFIX**TAIL. */
static char *star_hint(gcsplan_preflight *pf, const char *name, size_t len)
{
    size_t seg = last_segment(pf->op, pf->op_len), tail = seg;
    for (size_t i = seg; i < pf->op_len; i++)
        if (is_wild(pf->op[i]))
            tail = i + 1;
    size_t tl = pf->op_len - tail, wl = 0;
    memcpy(pf->work, pf->prefix, pf->prefix_len);
    wl = pf->prefix_len;
    memcpy(pf->work + wl, "**", 2);
    wl += 2;
    memcpy(pf->work + wl, pf->op + tail, tl);
    wl += tl;
    char *h = hint_if_matches(pf, pf->work, wl, name, len);
    if (h == NULL) { /* the tail did not fit: the whole prefix, then */
        wl = pf->prefix_len + 2;
        h = hint_if_matches(pf, pf->work, wl, name, len);
    }
    return h;
}

static char *extension_hint(gcsplan_preflight *pf, const char *ext, const char *name, size_t len)
{
    size_t wl = pf->ext_off;
    memcpy(pf->work, pf->op, wl);
    if (strcmp(ext, "no extension") != 0 && strcmp(ext, "(long)") != 0) {
        size_t el = strlen(ext);
        memcpy(pf->work + wl, ext, el);
        wl += el;
    }
    return hint_if_matches(pf, pf->work, wl, name, len);
}

int gcsplan_preflight_add_candidate(gcsplan_preflight *pf, const gcsplan_object *o,
                                    gcsplan_error *err)
{
    if (pf == NULL || o == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "pf or obj is NULL");
    const char *name = o->name;
    size_t len = o->name_len;
    pf->examined++;
    if (gcsplan_pattern_match(pf->pat, name, len)) {
        /* A match that never reached add(): --exclude dropped it. */
        pf->excluded++;
        return 0;
    }
    int under = gcsplan__name_starts(name, len, pf->prefix, pf->prefix_len);
    int rc = 0, f = -1;
    char *hint = NULL;
    long n;
    if (pf->pat_nfc != NULL && (n = umap(pf, name, len, OPT_NFC)) >= 0 &&
        gcsplan_pattern_match(pf->pat_nfc, pf->mapped, (size_t)n)) {
        f = F_NORM;
        if (pf->f[f].hint == NULL)
            hint = normalization_hint(pf, name, len);
    } else if (pf->pat_fold != NULL && (n = umap(pf, name, len, OPT_FOLD)) >= 0 &&
               gcsplan_pattern_match(pf->pat_fold, pf->mapped, (size_t)n)) {
        f = F_CASE;
        if (pf->f[f].hint == NULL)
            hint = recase_hint(pf, name, len);
    } else if (gcsplan_pattern_kind_of(pf->pat) == GCSPLAN_PATTERN_SEGMENTED &&
               match_crossing(pf->op, pf->op_len, name, len)) {
        f = F_STAR;
        if (pf->f[f].hint == NULL)
            hint = star_hint(pf, name, len);
    } else if (len > 0 && name[len - 1] != '/' && /* a folder placeholder has no extension */
               ((pf->pat_stem_dot != NULL && gcsplan_pattern_match(pf->pat_stem_dot, name, len)) ||
                (pf->pat_stem_bare != NULL &&
                 gcsplan_pattern_match(pf->pat_stem_bare, name, len)))) {
        f = F_EXT;
        char ext[KIND_NAME_MAX];
        name_extension(name, len, ext, sizeof ext);
        int first;
        kind *k = tally(pf, F_EXT, ext, &first);
        if (k != NULL && first)
            k->hint = extension_hint(pf, ext, name, len);
        rc |= note(pf, F_EXT, o, ext);
    }
    if (f >= 0 && f != F_EXT) {
        if (hint != NULL)
            pf->f[f].hint = hint;
        rc |= note(pf, f, o, NULL);
    }
    if (under) {
        pf->under_prefix++;
        if (f < 0)
            rc |= note(pf, F_NOTHING, o, NULL);
    } else if (pf->under_prefix == 0) {
        rc |= note(pf, F_EMPTY_PREFIX, o, NULL);
    }
    if (rc != 0)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    return 0;
}

/* The folder the analysis lists: the literal prefix without its last path
 * component, so that a wrong-case or misspelt last folder is still seen. */
static void analysis_prefix(gcsplan_preflight *pf)
{
    size_t n = pf->prefix_len;
    if (n > 0 && pf->prefix[n - 1] == '/')
        n--;
    while (n > 0 && pf->prefix[n - 1] != '/')
        n--;
    memcpy(pf->analysis_prefix, pf->prefix, n);
    pf->analysis_prefix[n] = '\0';
    pf->analysis_prefix_len = n;
}

static int analyse(gcsplan_preflight *pf, const char *prefix, size_t plen, gcsplan_error *err)
{
    char obj[GCSPLAN_NAME_MAX + 3];
    memcpy(obj, prefix, plen);
    memcpy(obj + plen, "**", 2);
    gcsplan_pattern *p = compile_object(pf, obj, plen + 2);
    if (p == NULL)
        return 0;
    gcsplan_lister_options lo = *pf->opts.source;
    lo.allocator = &pf->alloc;
    lo.exclude = NULL;
    lo.progress = NULL;
    lo.strategy = GCSPLAN_STRATEGY_AUTO;
    gcsplan_lister *l = NULL;
    int rc = gcsplan_lister_new(&l, p, &lo, err);
    const gcsplan_object *o;
    while (rc == 0 && (rc = gcsplan_lister_next(&o, l)) == 0) {
        if (pf->examined >= pf->opts.max_examined) {
            pf->examined_capped = 1;
            break;
        }
        rc = gcsplan_preflight_add_candidate(pf, o, err);
    }
    if (rc == GCSPLAN_ITEROVER || (rc == 0 && pf->examined_capped))
        rc = 0;
    else if (rc != 0 && l != NULL && err != NULL && rc != GCSPLAN_ENOMEM)
        *err = *gcsplan_lister_error(l);
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
    return rc;
}

/* --- the store checks ----------------------------------------------------------------- */

/* Read the sample: sample_max of the kept objects, evenly spaced among them
 * (the first always), a few KiB each for a FHIR store, the DICM check's
 * bytes for a DICOM store. A listing file has no contents to read. */
static int read_sample(gcsplan_preflight *pf, gcsplan_error *err)
{
    const gcsplan_lister_options *src = pf->opts.source;
    if (!pf->sampling || pf->nsample == 0 || src == NULL || src->source == GCSPLAN_SOURCE_LISTING)
        return 0;
    int fhir = pf->store.kind == GCSPLAN_STORE_FHIR;
    size_t k = pf->nsample < pf->opts.sample_max ? pf->nsample : pf->opts.sample_max;
    gcsplan__probe_config pc;
    memset(&pc, 0, sizeof pc);
    pc.alloc = &pf->alloc;
    pc.source = src;
    pc.bucket = pf->bucket;
    pc.parallel = k < pf->opts.probe_parallel ? (unsigned int)k : pf->opts.probe_parallel;
    pc.bytes = fhir ? GCSPLAN__FHIR_SAMPLE_BYTES : GCSPLAN_PROBE_BYTES;
    pc.on_result = fhir ? on_fhir_result : on_probe_result;
    pc.ctx = pf;
    pc.stats = &pf->sstats;
    gcsplan__probe *p = NULL;
    int rc = gcsplan__probe_new(&p, &pc, err);
    for (size_t j = 0; rc == 0 && j < k; j++) {
        const sampled *e = &pf->sample[j * pf->nsample / k];
        gcsplan_object o;
        memset(&o, 0, sizeof o);
        o.name = e->name;
        o.name_len = e->len;
        o.size = e->size;
        rc = gcsplan__probe_submit(p, &o, err);
    }
    if (rc == 0)
        rc = gcsplan__probe_drain(p, err);
    gcsplan__probe_free(p);
    pf->sample_chosen = k;
    if (rc == 0 && pf->probe_failed)
        rc = gcsplan__error_set(err, pf->probe_failed, "out of memory");
    return rc;
}

static int check_access(gcsplan_preflight *pf, gcsplan_error *err)
{
    const gcsplan_lister_options *src = pf->opts.source;
    if (!pf->has_store || !(pf->checks & GCSPLAN_PREFLIGHT_CHECK_ACCESS) || src == NULL)
        return 0;
    memset(&pf->access, 0, sizeof pf->access);
    if (src->source != GCSPLAN_SOURCE_LIVE) {
        pf->access_verdict = pf->access.verdict = GCSPLAN_ACCESS_UNKNOWN;
        snprintf(pf->access.why, sizeof pf->access.why,
                 "the objects come from %s, not from the bucket, whose IAM policy was not read",
                 src->source == GCSPLAN_SOURCE_DIR ? "a directory" : "a listing file");
        return 0;
    }
    gcsplan__access_config ac;
    memset(&ac, 0, sizeof ac);
    ac.alloc = &pf->alloc;
    ac.source = src;
    ac.bucket = pf->bucket;
    ac.project = pf->store.project;
    ac.project_len = pf->store.project_len;
    ac.project_number = pf->opts.project_number;
    int rc = gcsplan__access_check(&pf->access, &ac, err);
    if (rc == 0)
        pf->access_verdict = pf->access.verdict;
    return rc;
}

/* The first content structure of mask, as an option: the NDJSON ones
 * before the pretty ones, since a one-line object fits both. */
static char *cs_hint(gcsplan_preflight *pf, unsigned int mask)
{
    static const unsigned int order[] = { GCSPLAN__CS_BUNDLE, GCSPLAN__CS_RESOURCE,
                                          GCSPLAN__CS_BUNDLE_PRETTY, GCSPLAN__CS_RESOURCE_PRETTY };
    for (size_t i = 0; i < 4; i++)
        if (mask & order[i]) {
            char h[64];
            int n = snprintf(h, sizeof h, "--content-structure %s", gcsplan__cs_name(order[i]));
            return gcsplan__strndup(&pf->alloc, h, (size_t)n);
        }
    return NULL;
}

/* The store findings that need the whole sample or the access check. */
static int store_findings(gcsplan_preflight *pf)
{
    acc *f = pf->f;
    /* A structure is offered only when every FHIR object read fits it: one
     * under which some objects' Bundles would become Bundle resources is
     * not a correction. */
    if (f[F_FHIR_CS].count > 0) {
        unsigned int mask = pf->fits_all & ~pf->cs;
        if (mask && (f[F_FHIR_CS].hint = cs_hint(pf, mask)) == NULL)
            return GCSPLAN_ENOMEM;
    }
    if (f[F_FHIR_AS_RESOURCE].count > 0) {
        unsigned int mask = pf->fits_all & (GCSPLAN__CS_BUNDLE | GCSPLAN__CS_BUNDLE_PRETTY);
        if (mask && (f[F_FHIR_AS_RESOURCE].hint = cs_hint(pf, mask)) == NULL)
            return GCSPLAN_ENOMEM;
    }
    int a = -1;
    switch (pf->access_verdict) {
    case GCSPLAN_ACCESS_NONE: a = F_NO_ACCESS; break;
    case GCSPLAN_ACCESS_CONDITIONAL: a = F_ACCESS_CONDITIONAL; break;
    case GCSPLAN_ACCESS_UNDECIDED: a = F_ACCESS_UNDECIDED; break;
    case GCSPLAN_ACCESS_UNKNOWN: a = F_ACCESS_UNCHECKED; break;
    default: break;
    }
    if (a >= 0) {
        f[a].present = 1;
        f[a].count = pf->objects;
        f[a].bytes = pf->bytes;
        if (pf->access.hint[0] != '\0' &&
            (f[a].hint = gcsplan__strndup(&pf->alloc, pf->access.hint,
                                          strlen(pf->access.hint))) == NULL)
            return GCSPLAN_ENOMEM;
    }
    return 0;
}

/* --- finish --------------------------------------------------------------------------- */

static void plural(char *buf, size_t cap, uint64_t n, const char *one, const char *many)
{
    snprintf(buf, cap, "%llu %s", (unsigned long long)n, n == 1 ? one : many);
}

static void set_message(gcsplan_preflight *pf, int f, const char *fmt, ...) GCSPLAN_PRINTF(3, 4);
static void set_message(gcsplan_preflight *pf, int f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pf->messages[f], MESSAGE_MAX, fmt, ap);
    va_end(ap);
}

static void kinds_sort(acc *a)
{
    for (size_t i = 1; i < a->nkinds; i++)
        for (size_t j = i; j > 0 && (a->kinds[j].count > a->kinds[j - 1].count ||
                                     (a->kinds[j].count == a->kinds[j - 1].count &&
                                      strcmp(a->kinds[j].name, a->kinds[j - 1].name) < 0));
             j--) {
            kind t = a->kinds[j];
            a->kinds[j] = a->kinds[j - 1];
            a->kinds[j - 1] = t;
        }
}

/* What each content structure reads, for messages. */
static const char *cs_means(unsigned int cs)
{
    switch (cs) {
    case GCSPLAN__CS_BUNDLE: return "one Bundle per line";
    case GCSPLAN__CS_RESOURCE: return "one resource per line";
    case GCSPLAN__CS_BUNDLE_PRETTY: return "one Bundle per object, over any number of lines";
    default: return "one resource per object, over any number of lines";
    }
}

static void compose_store_messages(gcsplan_preflight *pf)
{
    acc *f = pf->f;
    unsigned long long read = pf->sample_chosen;
    const char *cs = gcsplan__cs_name(pf->cs);
    const char *objs = read == 1 ? "object" : "objects";
    set_message(pf, F_NOT_FHIR, "%llu of %llu sampled %s %s not FHIR JSON (JSON objects with "
                "a \"resourceType\"): fhirStores.import cannot read %s",
                (unsigned long long)f[F_NOT_FHIR].count, read, objs,
                f[F_NOT_FHIR].count == 1 ? "is" : "are", f[F_NOT_FHIR].count == 1 ? "it" : "them");
    set_message(pf, F_FHIR_CS, "%llu of %llu sampled %s %s not fit --content-structure %s "
                "(%s)%s%s", (unsigned long long)f[F_FHIR_CS].count, read, objs,
                f[F_FHIR_CS].count == 1 ? "does" : "do", cs, cs_means(pf->cs),
                pf->cs_resources_misfit
                    ? ": the import fails with \"no bundle is found; if you intend to import "
                      "individual resources, make sure you specify the appropriate "
                      "ContentStructure in the request\""
                    : f[F_FHIR_CS].count == 1 ? ": the import cannot read it as that"
                                              : ": the import cannot read them as that",
                pf->fits_all == 0 ? "; no one content structure fits every sampled object: "
                                    "import them in separate jobs"
                                  : "");
    set_message(pf, F_FHIR_AS_RESOURCE, "%llu of %llu sampled %s hold Bundles: with "
                "--content-structure %s each Bundle is stored as one Bundle resource, its "
                "entries are not imported as resources of their own",
                (unsigned long long)f[F_FHIR_AS_RESOURCE].count, read, objs, cs);
    set_message(pf, F_FHIR_MISSING_ID, "%llu of %llu sampled %s hold resources without "
                "\"id\": fhirStores.import needs a client-supplied id on every resource, so "
                "those resources fail and their job ends with failures",
                (unsigned long long)f[F_FHIR_MISSING_ID].count, read, objs);
    const char *agent = pf->access.member[0] ? pf->access.member + 15 /* "serviceAccount:" */
                                             : "of the store's project";
    set_message(pf, F_NO_ACCESS, "the Cloud Healthcare Service Agent %s cannot read gs://%s: %s",
                agent, pf->bucket, pf->access.why);
    set_message(pf, F_ACCESS_CONDITIONAL, "the Cloud Healthcare Service Agent %s reads gs://%s "
                "only under IAM conditions, which are not evaluated here: %s", agent, pf->bucket,
                pf->access.granted_by);
    set_message(pf, F_ACCESS_UNDECIDED, "whether the Cloud Healthcare Service Agent %s can read "
                "gs://%s is not decided: %s", agent, pf->bucket, pf->access.why);
    set_message(pf, F_ACCESS_UNCHECKED, "the Cloud Healthcare Service Agent's access to gs://%s "
                "was not checked: %s", pf->bucket, pf->access.why);
}

static void compose_messages(gcsplan_preflight *pf)
{
    char n[64];
    const char *uri = gcsplan_pattern_uri(pf->pat);
    acc *f = pf->f;
    if (f[F_NOTHING].count > 0 || pf->objects == 0) {
        if (pf->analysis_skipped)
            set_message(pf, F_NOTHING, "%s matches no object (the listing came from standard "
                        "input, which cannot be read again to look for near misses)", uri);
        else if (pf->excluded > 0)
            set_message(pf, F_NOTHING,
                        "%s matches no object once --exclude is applied: it matches %llu that "
                        "the exclusions drop", uri, (unsigned long long)pf->excluded);
        else if (pf->under_prefix > 0)
            set_message(pf, F_NOTHING, "%s matches no object; %llu objects under '%.*s' do not "
                        "match it%s", uri, (unsigned long long)pf->under_prefix,
                        (int)pf->prefix_len, pf->prefix,
                        pf->f[F_NOTHING].nex ? ", e.g." : "");
        else
            set_message(pf, F_NOTHING, "%s matches no object", uri);
    }
    plural(n, sizeof n, f[F_NORM].count, "object", "objects");
    set_message(pf, F_NORM, "%s would match after Unicode normalisation (NFC/NFD): the names "
                "and the URI spell the same characters with different code points", n);
    plural(n, sizeof n, f[F_CASE].count, "object", "objects");
    set_message(pf, F_CASE, "%s would match if case were ignored: matching is case-sensitive", n);
    plural(n, sizeof n, f[F_STAR].count, "object", "objects");
    set_message(pf, F_STAR, "%s would match if '*' crossed '/': they sit in deeper folders; "
                "'**' crosses folders", n);
    plural(n, sizeof n, f[F_EXT].count, "object", "objects");
    set_message(pf, F_EXT, "%s under '%.*s' %s another extension than '%s'", n,
                (int)pf->prefix_len, pf->prefix, f[F_EXT].count == 1 ? "has" : "have",
                pf->ext_off != (size_t)-1 ? pf->op + pf->ext_off : "");
    if (pf->analysis_prefix_len > 0)
        set_message(pf, F_EMPTY_PREFIX, "no object's name starts with '%.*s'; the folder "
                    "'%s' holds %llu%s object%s%s", (int)pf->prefix_len, pf->prefix,
                    pf->analysis_prefix, (unsigned long long)pf->examined,
                    pf->examined_capped ? " or more" : "", pf->examined == 1 ? "" : "s",
                    f[F_EMPTY_PREFIX].nex ? ", e.g." : "");
    else
        set_message(pf, F_EMPTY_PREFIX, "no object's name starts with '%.*s'; the bucket holds "
                    "%llu%s other object%s%s", (int)pf->prefix_len, pf->prefix,
                    (unsigned long long)pf->examined, pf->examined_capped ? " or more" : "",
                    pf->examined == 1 ? "" : "s", f[F_EMPTY_PREFIX].nex ? ", e.g." : "");
    set_message(pf, F_EMPTY_BUCKET, "the bucket %s holds no object at all%s", pf->bucket,
                pf->opts.source && pf->opts.source->source == GCSPLAN_SOURCE_DIR
                    ? " (the directory is empty)" : "");
    plural(n, sizeof n, f[F_ZERO].count, "matched object is", "matched objects are");
    if (pf->has_store && pf->store.kind == GCSPLAN_STORE_FHIR)
        set_message(pf, F_ZERO, "%s empty (0 bytes): it holds no FHIR resource", n);
    else
        set_message(pf, F_ZERO, "%s empty (0 bytes): an import cannot read such a file as "
                    "DICOM", n);
    plural(n, sizeof n, f[F_FOLDER].count, "folder placeholder", "folder placeholders");
    set_message(pf, F_FOLDER, "%s matched (names ending in '/', made by consoles and sync "
                "tools): they are not files", n);
    plural(n, sizeof n, f[F_OVER].count, "matched object is", "matched objects are");
    set_message(pf, F_OVER, "%s larger than the limit of %llu bytes", n,
                (unsigned long long)pf->opts.max_object_size);
    plural(n, sizeof n, f[F_WILDCARD].count, "name holds", "names hold");
    set_message(pf, F_WILDCARD, "%s a literal '*' or '?': no import URI can name such an object "
                "alone, and a URI written for it matches others too", n);
    plural(n, sizeof n, f[F_SPACE].count, "name has", "names have");
    set_message(pf, F_SPACE, "%s white space at the start or end of a folder or file name: "
                "easy to lose when a URI is copied", n);
    plural(n, sizeof n, f[F_CONTROL].count, "name holds", "names hold");
    set_message(pf, F_CONTROL, "%s control characters or bytes that are not UTF-8", n);
    plural(n, sizeof n, f[F_NONDICOM].count, "matched name looks", "matched names look");
    set_message(pf, F_NONDICOM, "%s like non-DICOM files: the URI does not pin an extension", n);
    plural(n, sizeof n, f[F_NOT_DICOM].count, "object is", "objects are");
    if (pf->sampling)
        set_message(pf, F_NOT_DICOM, "%llu of %llu sampled object%s %s not DICOM Part 10: no "
                    "\"DICM\" at byte 128", (unsigned long long)f[F_NOT_DICOM].count,
                    (unsigned long long)pf->sample_chosen, pf->sample_chosen == 1 ? "" : "s",
                    f[F_NOT_DICOM].count == 1 ? "is" : "are");
    else
        set_message(pf, F_NOT_DICOM, "%s not DICOM Part 10 %s: no \"DICM\" at byte 128", n,
                    f[F_NOT_DICOM].count == 1 ? "file" : "files");
    plural(n, sizeof n, f[F_PROBE_FAILED].count, "object", "objects");
    set_message(pf, F_PROBE_FAILED, "%s could not be read by the probe", n);
    if (pf->sampling)
        set_message(pf, F_PROBE_UNAVAILABLE, "the store's content check needs the objects' "
                    "contents: a listing file has none, so none of the %llu matched objects "
                    "was read", (unsigned long long)pf->objects);
    else
        set_message(pf, F_PROBE_UNAVAILABLE, "--probe needs the objects' contents: a listing "
                    "file has none, so %llu matched objects were not read",
                    (unsigned long long)pf->objects);
    compose_store_messages(pf);
}

static void publish(gcsplan_preflight *pf, int f)
{
    acc *a = &pf->f[f];
    gcsplan_finding *o = &pf->out[pf->nout++];
    memset(o, 0, sizeof *o);
    o->code = finding_info[f].code;
    o->severity = finding_info[f].severity;
    o->count = a->count;
    o->bytes = a->bytes;
    o->message = pf->messages[f];
    o->hint = a->hint ? a->hint : "";
    for (size_t i = 0; i < a->nex; i++) {
        gcsplan_finding_example *e = &pf->out_ex[f][i];
        e->name = a->ex[i].name;
        e->name_len = a->ex[i].len;
        e->size = a->ex[i].size;
        e->head = a->ex[i].has_head ? a->ex[i].head : NULL;
        e->head_len = a->ex[i].head_len;
        e->detail = a->ex[i].detail;
    }
    o->examples = pf->out_ex[f];
    o->example_count = a->nex;
    kinds_sort(a);
    size_t k = 0;
    for (; k < a->nkinds; k++) {
        pf->out_kinds[f][k].kind = a->kinds[k].name;
        pf->out_kinds[f][k].count = a->kinds[k].count;
    }
    if (a->other_kinds > 0) {
        pf->out_kinds[f][k].kind = "(other)";
        pf->out_kinds[f][k++].count = a->other_kinds;
    }
    o->kinds = pf->out_kinds[f];
    o->kind_count = k;
}

int gcsplan_preflight_finish(gcsplan_preflight *pf, gcsplan_error *err)
{
    if (pf == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "pf is NULL");
    if (pf->finished)
        return 0;
    pf->finished = 1;
    int rc = 0;
    if (pf->probe != NULL) {
        while (rc == 0 && pf->pstats.done < pf->pstats.queued) {
            rc = gcsplan__probe_poll(pf->probe, 100, err);
            maybe_progress(pf, 0);
        }
        if (rc == 0)
            rc = gcsplan__probe_drain(pf->probe, err);
        maybe_progress(pf, 1);
        if (rc == 0 && pf->probe_failed)
            rc = gcsplan__error_set(err, pf->probe_failed, "out of memory");
    }
    int names = (pf->checks & GCSPLAN_PREFLIGHT_CHECK_NAMES) != 0;
    if (rc == 0 && names && pf->objects == 0 && pf->examined == 0 && pf->opts.source != NULL) {
        const gcsplan_lister_options *s = pf->opts.source;
        if (s->source == GCSPLAN_SOURCE_LISTING && s->path != NULL && strcmp(s->path, "-") == 0) {
            /* Standard input was read once already: there is nothing to list again. */
            pf->analysis_skipped = 1;
        } else {
            analysis_prefix(pf);
            pf->analysed = 1;
            rc = analyse(pf, pf->analysis_prefix, pf->analysis_prefix_len, err);
            if (rc == 0 && pf->examined == 0 && pf->analysis_prefix_len > 0) {
                pf->analysis_prefix_len = 0;
                pf->analysis_prefix[0] = '\0';
                rc = analyse(pf, "", 0, err);
            }
        }
    } else if (names && pf->objects == 0 && pf->examined > 0) {
        pf->analysed = 1; /* the caller fed the candidates */
    }
    if (rc == 0)
        rc = read_sample(pf, err);
    if (rc == 0)
        rc = check_access(pf, err);
    if (rc == 0 && store_findings(pf) != 0)
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    /* The empty-prefix hint: the parent folder with the same extension. */
    if (pf->under_prefix == 0 && pf->f[F_EMPTY_PREFIX].nex > 0) {
        example *e = &pf->f[F_EMPTY_PREFIX].ex[0];
        size_t wl = pf->analysis_prefix_len;
        memcpy(pf->work, pf->analysis_prefix, wl);
        memcpy(pf->work + wl, "**", 2);
        wl += 2;
        if (pf->ext_off != (size_t)-1) {
            size_t el = pf->op_len - pf->ext_off;
            memcpy(pf->work + wl, pf->op + pf->ext_off, el);
            pf->f[F_EMPTY_PREFIX].hint = hint_if_matches(pf, pf->work, wl + el, e->name, e->len);
        }
        if (pf->f[F_EMPTY_PREFIX].hint == NULL)
            pf->f[F_EMPTY_PREFIX].hint = hint_if_matches(pf, pf->work, wl, e->name, e->len);
    }
    acc *ext = &pf->f[F_EXT];
    kinds_sort(ext);
    for (size_t i = 0; i < ext->nkinds && ext->hint == NULL; i++)
        if (ext->kinds[i].hint != NULL)
            ext->hint = gcsplan__strndup(&pf->alloc, ext->kinds[i].hint,
                                         strlen(ext->kinds[i].hint));
    compose_messages(pf);
    /* In order: errors, warnings, infos; by code within each. */
    pf->nout = 0;
    for (int sev = GCSPLAN_SEVERITY_ERROR; sev >= GCSPLAN_SEVERITY_INFO; sev--) {
        int order[F_COUNT], n = 0;
        for (int f = 0; f < F_COUNT; f++)
            if ((int)finding_info[f].severity == sev)
                order[n++] = f;
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0 && finding_info[order[j]].code < finding_info[order[j - 1]].code; j--) {
                int t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        for (int i = 0; i < n; i++) {
            int f = order[i];
            int present;
            if (f == F_NOTHING)
                present = pf->objects == 0 && names;
            else if (f == F_EMPTY_PREFIX)
                /* A case or normalisation near miss explains it better. */
                present = pf->objects == 0 && pf->analysed && pf->under_prefix == 0 &&
                          pf->examined > 0 && pf->excluded == 0 && pf->f[F_CASE].count == 0 &&
                          pf->f[F_NORM].count == 0;
            else if (f == F_EMPTY_BUCKET)
                present = pf->objects == 0 && pf->analysed && pf->examined == 0 &&
                          pf->analysis_prefix_len == 0;
            else if (f == F_PROBE_UNAVAILABLE)
                present = pf->objects > 0 && (pf->checks & GCSPLAN_PREFLIGHT_CHECK_CONTENT) &&
                          ((pf->opts.probe && pf->probe == NULL && !pf->sampling) ||
                           (pf->sampling && pf->nsample > 0 && pf->opts.source != NULL &&
                            pf->opts.source->source == GCSPLAN_SOURCE_LISTING));
            else
                present = pf->f[f].count > 0 || pf->f[f].present;
            if (present)
                publish(pf, f);
        }
    }
    return rc;
}

size_t gcsplan_preflight_count(const gcsplan_preflight *pf)
{
    return pf ? pf->nout : 0;
}

const gcsplan_finding *gcsplan_preflight_finding(const gcsplan_preflight *pf, size_t i)
{
    return pf != NULL && i < pf->nout ? &pf->out[i] : NULL;
}

int gcsplan_preflight_worst(const gcsplan_preflight *pf)
{
    int w = -1;
    for (size_t i = 0; pf != NULL && i < pf->nout; i++)
        if ((int)pf->out[i].severity > w)
            w = (int)pf->out[i].severity;
    return w;
}

void gcsplan_preflight_totals_get(const gcsplan_preflight *pf, gcsplan_preflight_totals *t)
{
    memset(t, 0, sizeof *t);
    if (pf == NULL)
        return;
    t->uri = gcsplan_pattern_uri(pf->pat);
    t->objects = pf->objects;
    t->bytes = pf->bytes;
    t->examined = pf->examined;
    t->probed = pf->probed;
    t->examined_capped = pf->examined_capped;
    t->examined_prefix = pf->analysed && !pf->analysis_skipped ? pf->analysis_prefix : NULL;
}

const char *gcsplan_access_verdict_name(int verdict)
{
    switch (verdict) {
    case GCSPLAN_ACCESS_NOT_CHECKED: return "not-checked";
    case GCSPLAN_ACCESS_GRANTED: return "granted";
    case GCSPLAN_ACCESS_CONDITIONAL: return "conditional";
    case GCSPLAN_ACCESS_UNDECIDED: return "undecided";
    case GCSPLAN_ACCESS_NONE: return "none";
    case GCSPLAN_ACCESS_UNKNOWN: return "unknown";
    default: return "unknown";
    }
}

int gcsplan_preflight_store_get(const gcsplan_preflight *pf, gcsplan_preflight_store_result *out)
{
    if (pf == NULL || out == NULL || out->version != GCSPLAN_PREFLIGHT_STORE_RESULT_VERSION)
        return GCSPLAN_EINVAL;
    int v = pf->access_verdict;
    out->store = pf->has_store ? pf->opts.store : NULL;
    out->kind = pf->has_store ? (int)pf->store.kind : 0;
    out->content_structure = pf->cs ? gcsplan__cs_name(pf->cs) : NULL;
    out->sampled = pf->sample_chosen;
    out->undecided = pf->undecided;
    out->access = v;
    out->member = pf->access.member;
    out->project_number = pf->access.project_number;
    out->granted_by = v == GCSPLAN_ACCESS_GRANTED || v == GCSPLAN_ACCESS_CONDITIONAL
                          ? pf->access.granted_by : "";
    out->detail = v == GCSPLAN_ACCESS_GRANTED || v == GCSPLAN_ACCESS_NOT_CHECKED ||
                          v == GCSPLAN_ACCESS_CONDITIONAL
                      ? "" : pf->access.why;
    return 0;
}

void gcsplan_preflight_free(gcsplan_preflight *pf)
{
    if (pf == NULL)
        return;
    gcsplan__probe_free(pf->probe);
    for (int f = 0; f < F_COUNT; f++) {
        acc *a = &pf->f[f];
        for (size_t i = 0; i < a->nex; i++)
            gcsplan__free(&pf->alloc, a->ex[i].name);
        for (size_t i = 0; i < a->nkinds; i++)
            gcsplan__free(&pf->alloc, a->kinds[i].hint);
        gcsplan__free(&pf->alloc, a->hint);
    }
    gcsplan__free(&pf->alloc, pf->sample);
    gcsplan_pattern_free(pf->pat_nfc);
    gcsplan_pattern_free(pf->pat_fold);
    gcsplan_pattern_free(pf->pat_stem_dot);
    gcsplan_pattern_free(pf->pat_stem_bare);
    gcsplan__free(&pf->alloc, pf->ucs);
    gcsplan__free(&pf->alloc, pf->mapped);
    gcsplan__free(&pf->alloc, pf->uri);
    gcsplan__free(&pf->alloc, pf->work);
    gcsplan__free(&pf->alloc, pf);
}
