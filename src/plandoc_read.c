/* The plan reader: yajl's callback parser, fed any chunking, building only
 * what a plan needs.
 *
 * The document's shape is fixed and shallow, so the reader keeps a stack of
 * the containers it is in (one byte each, GCSPLAN_PLAN_DEPTH_MAX deep) and
 * the key whose value comes next. A value under a key it does not know is
 * skipped: a container there is pushed as "skip", and so is everything
 * inside it, until it closes; no recursion anywhere, whatever the nesting.
 *
 * yajl holds a token that spans two chunks in its own buffer, so a huge
 * string would cost its size even when its key is skipped. Before each
 * chunk goes to yajl a small scanner follows strings and escapes and stops
 * at the first token longer than GCSPLAN_PLAN_TOKEN_MAX; yajl is given the
 * bytes before that point, so that an error earlier in the document is the
 * one reported, whatever the chunking. The document's size is bounded the
 * same way.
 *
 * The same document must give the same error whatever the chunking, and
 * yajl places a syntax error differently when the token it is about was
 * split between two of its calls (it measures back from the end of the
 * call). So yajl is only ever called up to a "flush point": just after a
 * structural byte or white space outside strings, where no token is open,
 * or just after the second of two tokens that nothing separates (which is
 * never JSON, and yajl stops there). The bytes since the last flush point
 * are held back (at most two tokens and a byte) and handed over, together,
 * with the rest of the run, in the next call.
 *
 * Two members are read only when asked (the report needs them, verify does
 * not): "summary" goes event by event to the summary reader of
 * report_summary_parse.c, which checks it as gcsplan_summary_parse does, so
 * its text is never held; "preflight" is written again, compactly, into a
 * capped buffer, for gcsplan_report_add_preflight_json to read later. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "gcsplan/plandoc.h"
#include "gcsplan/report.h"
#include "internal.h"
#include "plandoc_internal.h"
#include "report_json.h"
#include "report_summary.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/num.h"

#define READ_CHUNK ((size_t)64 << 10)
/* Two tokens with their quotes and a byte: the most held back (see above). */
#define HOLD_MAX (2 * (GCSPLAN_PLAN_TOKEN_MAX + 2) + 1)
#define NO_FLUSH ((size_t)-1)

/* Containers. */
enum { C_ROOT = 1, C_LIMITS, C_JOBS, C_JOB, C_WARNINGS, C_SKIP,
       C_SUMMARY,                   /* the summary and everything in it */
       C_KEEP_MAP, C_KEEP_ARRAY };  /* the pre-flight's containers */

/* Keys the reader knows; K_SKIP is any other. Each is a bit of a "seen" mask. */
enum {
    K_SKIP = 0,
    K_URI, K_OBJECTS, K_BYTES, K_LIMITS, K_EXCLUDED, K_LOWER_BOUND, K_PREFIX_CUT, K_STORE,
    K_CS, K_JOBS, K_PLAN_DIGEST,
    K_MAX_OBJECTS, K_MAX_BYTES, K_MAX_JOBS,
    K_J_URI, K_J_OBJECTS, K_J_BYTES, K_J_LARGEST, K_J_FIRST, K_J_LAST, K_J_DIGEST, K_J_WARNINGS,
    K_SUMMARY, K_PREFLIGHT
};

typedef struct key_name {
    const char *name;
    int key;
} key_name;

static const key_name root_keys[] = {
    { "uri", K_URI }, { "objects", K_OBJECTS }, { "bytes", K_BYTES }, { "limits", K_LIMITS },
    { "excluded", K_EXCLUDED }, { "lower_bound", K_LOWER_BOUND },
    { "prefix_cut_jobs", K_PREFIX_CUT }, { "store", K_STORE },
    { "content_structure", K_CS }, { "jobs", K_JOBS }, { "plan_digest", K_PLAN_DIGEST },
    { "summary", K_SUMMARY }, { "preflight", K_PREFLIGHT }, { NULL, 0 },
};
static const key_name limit_keys[] = {
    { "max_objects", K_MAX_OBJECTS }, { "max_bytes", K_MAX_BYTES }, { "max_jobs", K_MAX_JOBS },
    { NULL, 0 },
};
static const key_name job_keys[] = {
    { "uri", K_J_URI }, { "objects", K_J_OBJECTS }, { "bytes", K_J_BYTES },
    { "largest", K_J_LARGEST }, { "first", K_J_FIRST }, { "last", K_J_LAST },
    { "digest", K_J_DIGEST }, { "warnings", K_J_WARNINGS }, { NULL, 0 },
};

/* The JSON name of a key, for messages. */
static const char *key_text(int key)
{
    const key_name *tables[] = { root_keys, limit_keys, job_keys };
    for (size_t t = 0; t < 3; t++)
        for (const key_name *k = tables[t]; k->name != NULL; k++)
            if (k->key == key)
                return k->name;
    return "?";
}

/* Kinds of value. */
enum { V_NULL, V_BOOL, V_NUMBER, V_STRING, V_MAP, V_ARRAY };

struct gcsplan_plan_reader {
    gcsplan_allocator alloc;
    yajl_handle y;
    uint64_t max_document;
    size_t max_jobs;
    unsigned int flags;        /* GCSPLAN_PLAN_READ_* */
    uint64_t fed;              /* bytes handed to yajl so far */
    uint64_t scanned;          /* bytes the scanner has seen (fed, or held) */
    /* the scanner that bounds tokens and finds flush points */
    int in_string, escape;
    size_t token;              /* bytes of the open string or number/literal */
    int run;                   /* tokens since the last flush point */
    /* the bytes since the last flush point (at most HOLD_MAX) */
    char *hold;
    size_t hold_len;
    /* where the parser is */
    unsigned char stack[GCSPLAN_PLAN_DEPTH_MAX];
    size_t depth;
    int key;                   /* the key whose value comes next, in a map */
    uint64_t seen;             /* keys of the root and "limits" met so far */
    uint64_t job_seen;         /* keys of the current job met so far */
    int done;                  /* the root object closed */
    /* what is kept */
    gcsplan_plan_doc *doc;
    gcsplan_plan_job job;      /* the job being read */
    int has_plan_digest;
    uint64_t plan_digest;
    /* "summary", while it is read */
    gcsplan__summary_reader *summary;
    /* "preflight", while it is written again */
    gcsplan__buf keep;
    int keep_open;             /* keep is initialised */
    int keep_after_key;        /* a key was written: its value needs no comma */
    unsigned char keep_more[GCSPLAN_PLAN_DEPTH_MAX]; /* the container has a member */
    /* the first error, returned again by every later call */
    int failed;
    gcsplan_error err;
};

/* Record the first error; returns 0 so that a callback cancels the parse.
 * Inside a job (or its "warnings"), with in_job, the message says which. */
static int vfail(gcsplan_plan_reader *r, int code, int in_job, const char *fmt, va_list ap)
{
    if (r->failed)
        return 0;
    gcsplan_error_clear(&r->err);
    r->err.code = code;
    r->err.offset = (size_t)r->fed;
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, r->err.message, sizeof r->err.message);
    int job = 0;
    for (size_t i = 0; i < r->depth; i++)
        job |= r->stack[i] == C_JOB;
    if (in_job && (job || (r->depth > 0 && r->stack[r->depth - 1] == C_JOBS)))
        gcsplan__buf_printf(&b, "job %zu: ", r->doc->njobs + 1);
    gcsplan__buf_vprintf(&b, fmt, ap);
    r->failed = code;
    return 0;
}

static int fail(gcsplan_plan_reader *r, int code, const char *fmt, ...) GCSPLAN_PRINTF(3, 4);

static int fail(gcsplan_plan_reader *r, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r, code, 1, fmt, ap);
    va_end(ap);
    return 0;
}

/* An error about the document as a whole: no job named. */
static int fail_doc(gcsplan_plan_reader *r, int code, const char *fmt, ...) GCSPLAN_PRINTF(3, 4);

static int fail_doc(gcsplan_plan_reader *r, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r, code, 0, fmt, ap);
    va_end(ap);
    return 0;
}

static int push(gcsplan_plan_reader *r, int container)
{
    if (r->depth == GCSPLAN_PLAN_DEPTH_MAX)
        return fail(r, GCSPLAN_ELIMIT, "nested deeper than %d levels: not a plan",
                    GCSPLAN_PLAN_DEPTH_MAX);
    r->stack[r->depth++] = (unsigned char)container;
    return 1;
}

static int number(gcsplan_plan_reader *r, int type, const char *s, size_t n, int key,
                  uint64_t *out)
{
    if (type != V_NUMBER || gcsplan__parse_u64(s, n, UINT64_MAX, out) != 0)
        return fail(r, GCSPLAN_EINVAL, "\"%s\" is not an integer from 0 to 2^64-1",
                    key_text(key));
    return 1;
}

/* A string value kept in the document: at most max bytes, no NUL. */
static int string(gcsplan_plan_reader *r, int type, const char *s, size_t n, int key,
                  size_t max, const char *what, const char **out, size_t *out_len)
{
    if (type != V_STRING)
        return fail(r, GCSPLAN_EINVAL, "\"%s\" %s", key_text(key), what);
    if (n > max)
        return fail(r, GCSPLAN_ELIMIT, "\"%s\" is longer than %zu bytes", key_text(key), max);
    if (memchr(s, '\0', n) != NULL)
        return fail(r, GCSPLAN_EINVAL, "\"%s\" holds a NUL byte", key_text(key));
    /* yajl checks the raw bytes, but decodes a lone low surrogate escape
     * (\udc00) to bytes that are not UTF-8: they could not be written back. */
    if (!gcsplan__utf8_valid(s, n))
        return fail(r, GCSPLAN_EINVAL, "\"%s\" is not UTF-8 once unescaped (half a surrogate "
                                       "pair?)", key_text(key));
    char *copy = gcsplan__doc_strdup(r->doc, s, n);
    if (copy == NULL)
        return fail(r, GCSPLAN_ENOMEM, "out of memory");
    *out = copy;
    if (out_len != NULL)
        *out_len = n;
    return 1;
}

static int digest(gcsplan_plan_reader *r, int type, const char *s, size_t n, int key,
                  uint64_t *out)
{
    if (type != V_STRING || gcsplan__parse_hex64(s, n, out) != 0)
        return fail(r, GCSPLAN_EINVAL, "\"%s\" is not 16 hexadecimal digits", key_text(key));
    return 1;
}

/* --- "summary": events to the summary reader --------------------------------------- */

/* The summary reader's verdict on an event (ok: 1 to go on). */
static int summary_said(gcsplan_plan_reader *r, int ok)
{
    if (ok)
        return 1;
    const gcsplan__rj *w = gcsplan__summary_reader_walker(r->summary);
    return fail(r, w->rc ? w->rc : GCSPLAN_EINVAL, "\"summary\": %s", w->message);
}

static int summary_begin(gcsplan_plan_reader *r, int type)
{
    if (type != V_MAP)
        return fail(r, GCSPLAN_EINVAL, "\"summary\" is not an object");
    gcsplan_summary_options so = GCSPLAN_SUMMARY_OPTIONS_INIT;
    so.allocator = &r->alloc;
    gcsplan_error e;
    if (gcsplan__summary_reader_new(&r->summary, &so, &e) != 0)
        return fail(r, e.code, "%s", e.message);
    if (!push(r, C_SUMMARY))
        return 0;
    return summary_said(r, gcsplan__rj_open(gcsplan__summary_reader_walker(r->summary), 1));
}

/* A value inside the summary. */
static int summary_value(gcsplan_plan_reader *r, int type, const char *s, size_t n)
{
    gcsplan__rj *w = gcsplan__summary_reader_walker(r->summary);
    switch (type) {
    case V_MAP:
    case V_ARRAY:
        if (!push(r, C_SUMMARY))
            return 0;
        return summary_said(r, gcsplan__rj_open(w, type == V_MAP));
    case V_NULL: return summary_said(r, gcsplan__rj_scalar(w, GCSPLAN__RJ_NULL, NULL, 0));
    case V_BOOL: return summary_said(r, gcsplan__rj_scalar(w, GCSPLAN__RJ_BOOL, NULL, n));
    case V_NUMBER: return summary_said(r, gcsplan__rj_scalar(w, GCSPLAN__RJ_NUMBER, s, n));
    default: return summary_said(r, gcsplan__rj_scalar(w, GCSPLAN__RJ_STRING, s, n));
    }
}

/* The summary's object closed: the whole must hold. */
static int summary_end(gcsplan_plan_reader *r)
{
    gcsplan_summary *s;
    gcsplan_error e;
    int rc = gcsplan__summary_reader_finish(r->summary, &s, "\"summary\"", &e);
    gcsplan__summary_reader_free(r->summary);
    r->summary = NULL;
    if (rc != 0)
        return fail(r, rc, "%s", e.message);
    r->doc->summary = s;
    return 1;
}

/* --- "preflight": written again ------------------------------------------------------ */

static int keep_said(gcsplan_plan_reader *r)
{
    int e = gcsplan__buf_error(&r->keep);
    if (e == GCSPLAN_ELIMIT)
        return fail(r, e, "\"preflight\" is larger than %zu bytes", GCSPLAN_PLAN_PREFLIGHT_MAX);
    if (e != 0)
        return fail(r, e, "out of memory");
    return 1;
}

/* A comma before a member, or before a value of an array, but the first. */
static void keep_sep(gcsplan_plan_reader *r)
{
    unsigned char *more = &r->keep_more[r->depth - 1];
    if (*more)
        gcsplan__buf_putc(&r->keep, ',');
    *more = 1;
}

static int keep_open(gcsplan_plan_reader *r, int type)
{
    gcsplan__buf_putc(&r->keep, type == V_MAP ? '{' : '[');
    if (!push(r, type == V_MAP ? C_KEEP_MAP : C_KEEP_ARRAY))
        return 0;
    r->keep_more[r->depth - 1] = 0;
    return keep_said(r);
}

static int keep_begin(gcsplan_plan_reader *r, int type)
{
    if (type != V_MAP)
        return fail(r, GCSPLAN_EINVAL, "\"preflight\" is not an object");
    gcsplan__buf_dynamic(&r->keep, &r->alloc, GCSPLAN_PLAN_PREFLIGHT_MAX);
    r->keep_open = 1;
    return keep_open(r, type);
}

static int keep_value(gcsplan_plan_reader *r, int type, const char *s, size_t n)
{
    gcsplan__buf *b = &r->keep;
    if (!r->keep_after_key)
        keep_sep(r);
    r->keep_after_key = 0;
    switch (type) {
    case V_MAP:
    case V_ARRAY: return keep_open(r, type);
    case V_NULL: gcsplan__buf_puts(b, "null"); break;
    case V_BOOL: gcsplan__buf_puts(b, n ? "true" : "false"); break;
    case V_NUMBER: gcsplan__buf_put(b, s, n); break; /* as written: yajl checked it */
    default: gcsplan__json_str(b, s, n); break;
    }
    return keep_said(r);
}

static int keep_key(gcsplan_plan_reader *r, const char *key, size_t len)
{
    keep_sep(r);
    gcsplan__json_str(&r->keep, key, len);
    gcsplan__buf_putc(&r->keep, ':');
    r->keep_after_key = 1;
    return keep_said(r);
}

static int keep_end(gcsplan_plan_reader *r)
{
    char *text = gcsplan__doc_strdup(r->doc, r->keep.p, r->keep.len);
    if (text == NULL)
        return fail(r, GCSPLAN_ENOMEM, "out of memory");
    r->doc->preflight = text;
    r->doc->preflight_len = r->keep.len;
    gcsplan__buf_free(&r->keep);
    r->keep_open = 0;
    return 1;
}

/* A value in the root object, under r->key. */
static int root_value(gcsplan_plan_reader *r, int type, const char *s, size_t n)
{
    gcsplan_plan_head *h = &r->doc->head;
    switch (r->key) {
    case K_URI:
        return string(r, type, s, n, K_URI, GCSPLAN_URI_MAX, "is missing or not a string",
                      &h->uri, &h->uri_len);
    case K_OBJECTS: return number(r, type, s, n, r->key, &h->objects);
    case K_BYTES: return number(r, type, s, n, r->key, &h->bytes);
    case K_EXCLUDED: return number(r, type, s, n, r->key, &h->excluded);
    case K_LOWER_BOUND: return number(r, type, s, n, r->key, &h->lower_bound);
    case K_PREFIX_CUT: return number(r, type, s, n, r->key, &h->prefix_cut_jobs);
    case K_LIMITS:
        if (type == V_NULL)
            return 1;
        if (type != V_MAP)
            return fail(r, GCSPLAN_EINVAL, "\"limits\" is not an object");
        return push(r, C_LIMITS);
    case K_STORE: {
        if (type == V_NULL)
            return 1;
        gcsplan_store st;
        if (!string(r, type, s, n, K_STORE, GCSPLAN_STORE_MAX, "is not a string", &h->store,
                    NULL))
            return 0;
        if (gcsplan_store_parse(&st, s, n, NULL) != 0)
            return fail(r, GCSPLAN_EINVAL, "\"store\" is not projects/P/locations/L/datasets/D/"
                                           "dicomStores/S or .../fhirStores/S");
        return 1;
    }
    case K_CS:
        if (type == V_NULL)
            return 1;
        if (type != V_STRING || !gcsplan_content_structure_valid(s, n))
            return fail(r, GCSPLAN_EINVAL, "\"content_structure\" is not BUNDLE, RESOURCE, "
                                           "BUNDLE_PRETTY or RESOURCE_PRETTY");
        return string(r, type, s, n, K_CS, n, "", &h->content_structure, NULL);
    case K_JOBS:
        if (type != V_ARRAY)
            return fail(r, GCSPLAN_EINVAL, "\"jobs\" is missing or not an array");
        return push(r, C_JOBS);
    case K_PLAN_DIGEST:
        r->has_plan_digest = 1;
        return digest(r, type, s, n, r->key, &r->plan_digest);
    case K_SUMMARY:
        return summary_begin(r, type);
    case K_PREFLIGHT:
        return keep_begin(r, type);
    default: /* K_SKIP */
        return type == V_MAP || type == V_ARRAY ? push(r, C_SKIP) : 1;
    }
}

static int limit_value(gcsplan_plan_reader *r, int type, const char *s, size_t n)
{
    gcsplan_plan_head *h = &r->doc->head;
    uint64_t *to = r->key == K_MAX_OBJECTS ? &h->max_objects
                   : r->key == K_MAX_BYTES ? &h->max_bytes
                   : r->key == K_MAX_JOBS  ? &h->max_jobs
                                           : NULL;
    if (to == NULL)
        return type == V_MAP || type == V_ARRAY ? push(r, C_SKIP) : 1;
    if (type == V_NULL) {
        *to = 0;
        return 1;
    }
    return number(r, type, s, n, r->key, to);
}

static int job_value(gcsplan_plan_reader *r, int type, const char *s, size_t n)
{
    gcsplan_plan_job *j = &r->job;
    switch (r->key) {
    case K_J_URI:
        return string(r, type, s, n, K_J_URI, GCSPLAN_URI_MAX, "is missing or not a string",
                      &j->uri, &j->uri_len);
    case K_J_OBJECTS: return number(r, type, s, n, r->key, &j->objects);
    case K_J_BYTES: return number(r, type, s, n, r->key, &j->bytes);
    case K_J_LARGEST:
        j->has |= GCSPLAN_PLAN_JOB_LARGEST;
        return number(r, type, s, n, r->key, &j->largest);
    case K_J_FIRST:
        j->has |= GCSPLAN_PLAN_JOB_FIRST;
        return string(r, type, s, n, K_J_FIRST, GCSPLAN_NAME_MAX, "is not a string", &j->first,
                      &j->first_len);
    case K_J_LAST:
        j->has |= GCSPLAN_PLAN_JOB_LAST;
        return string(r, type, s, n, K_J_LAST, GCSPLAN_NAME_MAX, "is not a string", &j->last,
                      &j->last_len);
    case K_J_DIGEST:
        j->has |= GCSPLAN_PLAN_JOB_DIGEST;
        return digest(r, type, s, n, r->key, &j->digest);
    case K_J_WARNINGS:
        if (type != V_ARRAY)
            return fail(r, GCSPLAN_EINVAL, "\"warnings\" is not an array of strings");
        return push(r, C_WARNINGS);
    default:
        return type == V_MAP || type == V_ARRAY ? push(r, C_SKIP) : 1;
    }
}

/* Every value of the document comes here, containers as they open. */
static int value(gcsplan_plan_reader *r, int type, const char *s, size_t n)
{
    if (r->failed)
        return 0;
    if (r->depth == 0) {
        if (type != V_MAP)
            return fail(r, GCSPLAN_EINVAL, "not a plan: the document is not a JSON object");
        return push(r, C_ROOT);
    }
    switch (r->stack[r->depth - 1]) {
    case C_ROOT: return root_value(r, type, s, n);
    case C_LIMITS: return limit_value(r, type, s, n);
    case C_JOB: return job_value(r, type, s, n);
    case C_SUMMARY: return summary_value(r, type, s, n);
    case C_KEEP_MAP:
    case C_KEEP_ARRAY: return keep_value(r, type, s, n);
    case C_JOBS:
        if (type != V_MAP)
            return fail(r, GCSPLAN_EINVAL, "not a JSON object");
        if (r->doc->njobs >= r->max_jobs)
            return fail(r, GCSPLAN_ELIMIT, "more than %zu jobs", r->max_jobs);
        memset(&r->job, 0, sizeof r->job);
        r->job_seen = 0;
        return push(r, C_JOB);
    case C_WARNINGS:
        if (type != V_STRING)
            return fail(r, GCSPLAN_EINVAL, "\"warnings\" is not an array of strings");
        /* Other warnings may come with later versions: ignored. */
        if (n == 8 && memcmp(s, "oversize", 8) == 0)
            r->job.flags |= GCSPLAN_JOB_OVERSIZE;
        else if (n == 11 && memcmp(s, "inseparable", 11) == 0)
            r->job.flags |= GCSPLAN_JOB_INSEPARABLE;
        return 1;
    default: /* C_SKIP */
        return type == V_MAP || type == V_ARRAY ? push(r, C_SKIP) : 1;
    }
}

static int end_job(gcsplan_plan_reader *r)
{
    static const int required[] = { K_J_URI, K_J_OBJECTS, K_J_BYTES };
    for (size_t i = 0; i < 3; i++)
        if (!(r->job_seen & (1ull << required[i])))
            return fail(r, GCSPLAN_EINVAL, "\"%s\" is missing%s", key_text(required[i]),
                        required[i] == K_J_URI ? " or not a string" : "");
    if (gcsplan__doc_push(r->doc, &r->job) != 0)
        return fail(r, GCSPLAN_ENOMEM, "out of memory");
    return 1;
}

static int end_container(gcsplan_plan_reader *r)
{
    if (r->failed)
        return 0;
    int c = r->stack[r->depth - 1];
    if (c == C_JOB && !end_job(r))
        return 0;
    if (c == C_SUMMARY &&
        !summary_said(r, gcsplan__rj_close(gcsplan__summary_reader_walker(r->summary))))
        return 0;
    if (c == C_KEEP_MAP || c == C_KEEP_ARRAY) {
        gcsplan__buf_putc(&r->keep, c == C_KEEP_MAP ? '}' : ']');
        if (!keep_said(r))
            return 0;
    }
    r->depth--;
    if (c == C_ROOT)
        r->done = 1;
    /* The member's own value closed: back in the root object. */
    if (r->depth > 0 && r->stack[r->depth - 1] == C_ROOT) {
        if (c == C_SUMMARY)
            return summary_end(r);
        if (c == C_KEEP_MAP)
            return keep_end(r);
    }
    return 1;
}

static int map_key(void *ctx, const unsigned char *key, size_t len)
{
    gcsplan_plan_reader *r = ctx;
    if (r->failed)
        return 0;
    int c = r->stack[r->depth - 1];
    if (c == C_SUMMARY)
        return summary_said(r, gcsplan__rj_map_key(gcsplan__summary_reader_walker(r->summary),
                                                   (const char *)key, len));
    if (c == C_KEEP_MAP)
        return keep_key(r, (const char *)key, len);
    const key_name *table = c == C_ROOT ? root_keys : c == C_LIMITS ? limit_keys
                            : c == C_JOB ? job_keys : NULL;
    r->key = K_SKIP;
    for (const key_name *k = table; k != NULL && k->name != NULL; k++)
        if (strlen(k->name) == len && memcmp(k->name, key, len) == 0) {
            r->key = k->key;
            break;
        }
    /* Not asked for: skipped like any unknown key. */
    if ((r->key == K_SUMMARY && !(r->flags & GCSPLAN_PLAN_READ_SUMMARY)) ||
        (r->key == K_PREFLIGHT && !(r->flags & GCSPLAN_PLAN_READ_PREFLIGHT)))
        r->key = K_SKIP;
    if (r->key == K_SKIP)
        return 1;
    /* A key given twice would leave it to chance which value counts. */
    uint64_t *seen = c == C_JOB ? &r->job_seen : &r->seen;
    if (*seen & (1ull << r->key))
        return fail(r, GCSPLAN_EINVAL, "\"%s\" appears twice", key_text(r->key));
    *seen |= 1ull << r->key;
    return 1;
}

static int on_null(void *ctx) { return value(ctx, V_NULL, NULL, 0); }
static int on_bool(void *ctx, int b) { return value(ctx, V_BOOL, NULL, b != 0); }
static int on_number(void *ctx, const char *s, size_t n) { return value(ctx, V_NUMBER, s, n); }
static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    return value(ctx, V_STRING, (const char *)s, n);
}
static int on_start_map(void *ctx) { return value(ctx, V_MAP, NULL, 0); }
static int on_start_array(void *ctx) { return value(ctx, V_ARRAY, NULL, 0); }
static int on_end(void *ctx) { return end_container(ctx); }

static const yajl_callbacks callbacks = {
    on_null, on_bool, NULL, NULL, on_number, on_string,
    on_start_map, map_key, on_end, on_start_array, on_end,
};

int gcsplan_plan_reader_new(gcsplan_plan_reader **out, const gcsplan_plan_read_options *opts,
                            gcsplan_error *err)
{
    if (out == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out is NULL");
    *out = NULL;
    gcsplan_plan_read_options o = GCSPLAN_PLAN_READ_OPTIONS_INIT;
    if (opts != NULL) {
        if (opts->version != 1 && opts->version != GCSPLAN_PLAN_READ_OPTIONS_VERSION)
            return gcsplan__error_set(err, GCSPLAN_EINVAL, "unsupported options version %u",
                                      opts->version);
        /* A version 1 struct ends before flags: only its own fields are read. */
        o.allocator = opts->allocator;
        o.max_document = opts->max_document;
        o.max_jobs = opts->max_jobs;
        if (opts->version >= 2)
            o.flags = opts->flags;
        if (o.flags & ~(GCSPLAN_PLAN_READ_SUMMARY | GCSPLAN_PLAN_READ_PREFLIGHT))
            return gcsplan__error_set(err, GCSPLAN_EINVAL, "unknown flags 0x%x", o.flags);
    }
    const gcsplan_allocator *a = gcsplan__allocator_or_default(o.allocator);
    gcsplan_plan_reader *r = gcsplan__malloc(a, sizeof *r);
    if (r == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(r, 0, sizeof *r);
    r->alloc = *a;
    r->max_document = o.max_document ? o.max_document : GCSPLAN_PLAN_DOCUMENT_MAX;
    r->max_jobs = o.max_jobs ? o.max_jobs : GCSPLAN_PLAN_JOBS_MAX;
    r->flags = o.flags;
    r->doc = gcsplan__malloc(a, sizeof *r->doc);
    if (r->doc != NULL) {
        memset(r->doc, 0, sizeof *r->doc);
        r->doc->alloc = *a;
    }
    /* yajl does not check its own allocations, so it gets the C library's
     * allocator (docs/internals.md); its state is a few kilobytes plus one
     * token, which the scanner bounds. */
    r->y = r->doc ? yajl_alloc(&callbacks, NULL, r) : NULL;
    if (r->y == NULL) {
        gcsplan_plan_reader_free(r);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    *out = r;
    return 0;
}

static int failed(gcsplan_plan_reader *r, gcsplan_error *err)
{
    if (err != NULL)
        *err = r->err;
    return r->failed;
}

typedef struct scanned {
    size_t limit;        /* bytes that may go to yajl before a bound is broken */
    size_t first, last;  /* the first and last flush point, or NO_FLUSH */
    int code;            /* the bound broken at limit, or 0 */
    char msg[GCSPLAN_MESSAGE_MAX];
} scanned;

static void flush_at(scanned *sc, size_t at)
{
    if (sc->first == NO_FLUSH)
        sc->first = at;
    sc->last = at;
}

/* Follow the n bytes at p: where the flush points are, and where a bound
 * is broken (reported only when yajl finds nothing earlier). */
static void scan(gcsplan_plan_reader *r, const char *p, size_t n, scanned *sc)
{
    sc->code = 0;
    sc->first = sc->last = NO_FLUSH;
    uint64_t room = r->max_document - r->scanned;
    sc->limit = n;
    if ((uint64_t)n > room) {
        sc->limit = (size_t)room;
        sc->code = GCSPLAN_ELIMIT;
        snprintf(sc->msg, sizeof sc->msg, "the document is larger than %llu bytes: not a plan",
                 (unsigned long long)r->max_document);
    }
    for (size_t i = 0; i < sc->limit; i++) {
        char c = p[i];
        if (r->in_string) {
            if (r->escape) {
                r->escape = 0;
            } else if (c == '\\') {
                r->escape = 1;
            } else if (c == '"') {
                r->in_string = 0;
                r->token = 0;
                if (r->run >= 2) /* a second token, complete */
                    flush_at(sc, i + 1);
                continue;
            }
        } else if (c == '"') {
            /* A number or literal before it ends here: a second token
             * complete with its look-ahead byte. */
            if (r->token > 0 && r->run >= 2)
                flush_at(sc, i + 1);
            r->in_string = 1;
            r->token = 0;
            r->run++;
            continue;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' || c == '}' ||
                   c == '[' || c == ']' || c == ',' || c == ':') {
            r->token = 0;
            r->run = 0;
            flush_at(sc, i + 1);
            continue;
        } else if (r->token == 0) {
            r->run++;
        }
        if (++r->token > GCSPLAN_PLAN_TOKEN_MAX) {
            sc->code = GCSPLAN_ELIMIT;
            snprintf(sc->msg, sizeof sc->msg, "a string or number longer than %d bytes: not a plan",
                     GCSPLAN_PLAN_TOKEN_MAX);
            sc->limit = i;
            break;
        }
    }
    r->scanned += sc->limit;
}

/* After yajl refused the text: its message, on one line. */
static void syntax_error(gcsplan_plan_reader *r, uint64_t at)
{
    unsigned char *e = yajl_get_error(r->y, 0, NULL, 0);
    const char *text = e ? (const char *)e : "malformed";
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
        len--;
    r->fed = at;
    fail_doc(r, GCSPLAN_EINVAL, "not JSON at byte %llu: %.*s", (unsigned long long)at, (int)len,
             text);
    r->err.offset = (size_t)at;
    if (e != NULL)
        yajl_free_error(r->y, e);
}

/* yajl's verdict on the n bytes at p, fed after r->fed bytes. */
static int parse(gcsplan_plan_reader *r, const char *p, size_t n, int complete)
{
    uint64_t start = r->fed;
    yajl_status st = complete ? yajl_complete_parse(r->y)
                              : yajl_parse(r->y, (const unsigned char *)p, n);
    uint64_t at = start + yajl_get_bytes_consumed(r->y);
    if (st == yajl_status_ok) {
        r->fed = start + n;
        return 0;
    }
    if (st == yajl_status_client_canceled) {
        r->err.offset = (size_t)at;
        r->fed = at;
        return r->failed;
    }
    syntax_error(r, complete ? start : at);
    return r->failed;
}

static int hold(gcsplan_plan_reader *r, const char *p, size_t n)
{
    if (n == 0)
        return 0;
    if (r->hold == NULL) {
        r->hold = gcsplan__malloc(&r->alloc, HOLD_MAX);
        if (r->hold == NULL)
            return fail_doc(r, GCSPLAN_ENOMEM, "out of memory"), GCSPLAN_ENOMEM;
    }
    /* Cannot happen (the scanner bounds the run); refused rather than trusted. */
    if (n > HOLD_MAX - r->hold_len)
        return fail_doc(r, GCSPLAN_ELIMIT, "a string or number longer than %d bytes: not a plan",
                        GCSPLAN_PLAN_TOKEN_MAX), GCSPLAN_ELIMIT;
    memcpy(r->hold + r->hold_len, p, n);
    r->hold_len += n;
    return 0;
}

/* The held bytes to yajl, in one call. */
static int release(gcsplan_plan_reader *r)
{
    size_t n = r->hold_len;
    r->hold_len = 0;
    return n > 0 ? parse(r, r->hold, n, 0) : 0;
}

int gcsplan_plan_reader_feed(gcsplan_plan_reader *r, const char *data, size_t len,
                             gcsplan_error *err)
{
    if (r->failed)
        return failed(r, err);
    scanned sc;
    scan(r, data, len, &sc);
    /* After a bound is broken nothing follows: all that may go, goes. */
    size_t first = sc.code ? (sc.first != NO_FLUSH ? sc.first : sc.limit) : sc.first;
    size_t last = sc.code ? sc.limit : sc.last;
    if (first == NO_FLUSH) {
        /* No flush point: the run goes on into the next chunk. */
        if (hold(r, data, sc.limit) != 0)
            return failed(r, err);
        return 0;
    }
    /* The held run and its end, in one call; then up to the last flush
     * point; the rest is held. */
    if (hold(r, data, first) != 0 || release(r) != 0)
        return failed(r, err);
    if (last > first && parse(r, data + first, last - first, 0) != 0)
        return failed(r, err);
    if (hold(r, data + last, sc.limit - last) != 0)
        return failed(r, err);
    if (sc.code != 0) {
        if (release(r) != 0)
            return failed(r, err);
        fail_doc(r, sc.code, "%s", sc.msg);
        r->err.offset = (size_t)r->fed;
        return failed(r, err);
    }
    return 0;
}

/* The summary must describe this plan: the same objects and bytes, and job
 * indexes that are the plan's (the report links and colours by them). A
 * plan edited by hand (a job dropped) fails here, not in the page. */
static int summary_matches(gcsplan_plan_reader *r)
{
    const gcsplan_plan_doc *d = r->doc;
    gcsplan_summary_totals t;
    gcsplan_summary_totals_get(d->summary, &t);
    if (t.objects != d->head.objects || t.bytes != d->head.bytes)
        return fail_doc(r, GCSPLAN_EINVAL, "\"summary\" counts %llu objects of %llu bytes, the "
                                           "plan %llu of %llu: it is not this plan's",
                        (unsigned long long)t.objects, (unsigned long long)t.bytes,
                        (unsigned long long)d->head.objects, (unsigned long long)d->head.bytes);
    if (t.jobs > d->njobs)
        return fail_doc(r, GCSPLAN_EINVAL, "\"summary\" names job %zu, the plan has %zu: it is "
                                           "not this plan's", t.jobs, d->njobs);
    return 1;
}

int gcsplan_plan_reader_finish(gcsplan_plan_reader *r, gcsplan_plan_doc **out,
                               gcsplan_error *err)
{
    if (out == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out is NULL");
    *out = NULL;
    if (r->failed || release(r) != 0 || parse(r, NULL, 0, 1) != 0)
        return failed(r, err);
    gcsplan_plan_doc *d = r->doc;
    static const int required[] = { K_URI, K_OBJECTS, K_BYTES, K_JOBS };
    static const char *const missing[] = { "is missing or not a string", "is missing",
                                           "is missing", "is missing or not an array" };
    for (size_t i = 0; i < 4; i++)
        if (!(r->seen & (1ull << required[i]))) {
            fail(r, GCSPLAN_EINVAL, "\"%s\" %s", key_text(required[i]), missing[i]);
            return failed(r, err);
        }
    gcsplan_store st;
    if (d->head.content_structure != NULL && d->head.store != NULL &&
        gcsplan_store_parse(&st, d->head.store, strlen(d->head.store), NULL) == 0 &&
        st.kind != GCSPLAN_STORE_FHIR) {
        fail(r, GCSPLAN_EINVAL, "\"content_structure\" is for FHIR stores, and \"store\" is "
                                "a DICOM store");
        return failed(r, err);
    }
    if (d->summary != NULL && summary_matches(r) == 0)
        return failed(r, err);
    d->digest = gcsplan_plan_digest_uri(GCSPLAN_DIGEST_INIT, d->head.uri, d->head.uri_len);
    for (size_t i = 0; i < d->njobs; i++)
        d->digest = gcsplan_plan_digest_job(d->digest, &d->jobs[i]);
    if (r->has_plan_digest && r->plan_digest != d->digest) {
        fail(r, GCSPLAN_EINVAL, "\"plan_digest\" is not the digest of the jobs: the document "
                                "was changed after it was written");
        return failed(r, err);
    }
    *out = d;
    r->doc = NULL;
    return 0;
}

void gcsplan_plan_reader_free(gcsplan_plan_reader *r)
{
    if (r == NULL)
        return;
    if (r->y != NULL)
        yajl_free(r->y);
    gcsplan__free(&r->alloc, r->hold);
    gcsplan__summary_reader_free(r->summary);
    if (r->keep_open)
        gcsplan__buf_free(&r->keep);
    gcsplan_plan_doc_free(r->doc);
    gcsplan__free(&r->alloc, r);
}

int gcsplan_plan_read_file(gcsplan_plan_doc **out, const char *path,
                           const gcsplan_plan_read_options *opts, gcsplan_error *err)
{
    if (out == NULL || path == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out or path is NULL");
    *out = NULL;
    gcsplan_plan_reader *r;
    int rc = gcsplan_plan_reader_new(&r, opts, err);
    if (rc != 0)
        return rc;
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    char *buf = fd >= 0 ? gcsplan__malloc(&r->alloc, READ_CHUNK) : NULL;
    struct stat sb;
    if (fd < 0) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "cannot open: %s", strerror(errno));
    } else if (buf == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    } else if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
               (uint64_t)sb.st_size > r->max_document) {
        rc = gcsplan__error_set(err, GCSPLAN_ELIMIT,
                                "the document is larger than %llu bytes: not a plan",
                                (unsigned long long)r->max_document);
    } else {
        for (;;) {
            ssize_t k = read(fd, buf, READ_CHUNK);
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0) {
                rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "cannot read: %s",
                                        strerror(errno));
                break;
            }
            if (k == 0) {
                rc = gcsplan_plan_reader_finish(r, out, err);
                break;
            }
            rc = gcsplan_plan_reader_feed(r, buf, (size_t)k, err);
            if (rc != 0)
                break;
        }
    }
    if (fd >= 0 && !is_stdin)
        close(fd);
    gcsplan__free(&r->alloc, buf);
    gcsplan_plan_reader_free(r);
    return rc;
}
