/* Buckets backed by a JSON Lines listing, sorted once at load time. */
#include "bucket.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

/* A line is one object: a 1024-byte name and a few keys. Anything far longer
 * is a broken or hostile file, refused before it is held. */
#define LINE_MAX_BYTES (64 * 1024)
/* About 100 bytes each in memory: a few GiB at most. */
#define OBJECTS_MAX ((size_t)50 * 1000 * 1000)
/* Objects whose bytes come from a file ("file"): fixtures, held in memory. */
#define FILE_BYTES_MAX ((size_t)16 << 20)
#define FILES_BYTES_MAX ((size_t)256 << 20)

typedef struct {
    char *name;
    size_t len;
    uint64_t size;
    content_kind content;
    char *data; /* CONTENT_FILE: the file's bytes */
    size_t datalen;
    size_t seq; /* line order, so that a later duplicate wins */
} file_obj;

typedef struct {
    bucket base;
    file_obj *objs;
    size_t n;
} file_bucket;

/* Where "file" paths start, and how much they hold so far. */
typedef struct {
    char dir[4096];
    size_t total;
} load_ctx;

static size_t fb_count(const bucket *b) { return ((const file_bucket *)b)->n; }

static const char *fb_name(const bucket *b, size_t i, char *buf, size_t *len)
{
    (void)buf;
    const file_obj *o = &((const file_bucket *)b)->objs[i];
    *len = o->len;
    return o->name;
}

static uint64_t fb_size(const bucket *b, size_t i) { return ((const file_bucket *)b)->objs[i].size; }

static content_kind fb_content(const bucket *b, size_t i)
{
    return ((const file_bucket *)b)->objs[i].content;
}

static size_t fb_lower_bound(const bucket *b, const char *key, size_t keylen)
{
    const file_bucket *fb = (const file_bucket *)b;
    size_t lo = 0, hi = fb->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (srv_bytes_cmp(fb->objs[mid].name, fb->objs[mid].len, key, keylen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void fb_destroy(bucket *b)
{
    file_bucket *fb = (file_bucket *)b;
    for (size_t i = 0; i < fb->n; i++) {
        free(fb->objs[i].name);
        free(fb->objs[i].data);
    }
    free(fb->objs);
}

static const struct bucket_ops file_ops = {fb_count, fb_name, fb_size, fb_content,
                                           fb_lower_bound, fb_destroy};

const char *bucket_file_data(const bucket *b, size_t i, size_t *len)
{
    *len = 0;
    if (b->ops != &file_ops)
        return NULL;
    const file_obj *o = &((const file_bucket *)b)->objs[i];
    *len = o->datalen;
    return o->data;
}

/* Reads the file an object's "file" names into o. */
static int load_data(load_ctx *lc, const char *rel, file_obj *o, char *err, size_t errlen)
{
    char path[8192];
    snprintf(path, sizeof path, "%s%s", rel[0] == '/' ? "" : lc->dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "\"file\": %.200s: %s", rel, strerror(errno));
        return -1;
    }
    char *buf = malloc(FILE_BYTES_MAX + 1);
    size_t n = buf ? fread(buf, 1, FILE_BYTES_MAX + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > FILE_BYTES_MAX || lc->total + n > FILES_BYTES_MAX) {
        free(buf);
        snprintf(err, errlen, "\"file\": %.200s: unreadable, or over %zu bytes (%zu in all)",
                 rel, FILE_BYTES_MAX, FILES_BYTES_MAX);
        return -1;
    }
    lc->total += n;
    o->data = buf;
    o->datalen = n;
    o->content = CONTENT_FILE;
    return 0;
}

static int obj_cmp(const void *a, const void *b)
{
    const file_obj *x = a, *y = b;
    return srv_bytes_cmp(x->name, x->len, y->name, y->len);
}

static int obj_seq_cmp(const void *a, const void *b)
{
    const file_obj *x = a, *y = b;
    int c = obj_cmp(a, b);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* 1 when the JSON text holds the escape \u0000 (after an odd run of
 * backslashes, so not a literal backslash then "u0000"). yajl's tree API
 * gives NUL-terminated strings, so such a name would be cut short silently. */
static int has_nul_escape(const char *line)
{
    for (const char *p = strstr(line, "u0000"); p; p = strstr(p + 1, "u0000")) {
        size_t k = 0;
        while (p - k > line && p[-(long)k - 1] == '\\')
            k++;
        if (k % 2 == 1)
            return 1;
    }
    return 0;
}

/* "content" or "dicom" into o->content. Returns 0, or -1 with a message. */
static int content_of(yajl_val v, file_obj *o, char *err, size_t errlen)
{
    const char *cp[] = {"content", NULL}, *dp[] = {"dicom", NULL};
    o->content = CONTENT_AUTO;
    yajl_val c = yajl_tree_get(v, cp, yajl_t_string);
    yajl_val d = yajl_tree_get(v, dp, yajl_t_any);
    if (c) {
        const char *s = YAJL_GET_STRING(c);
        if (!strcmp(s, "dicom"))
            o->content = CONTENT_DICOM;
        else if (!strcmp(s, "text"))
            o->content = CONTENT_TEXT;
        else if (!strcmp(s, "zero"))
            o->content = CONTENT_ZERO;
        else {
            snprintf(err, errlen, "\"content\" must be dicom, text or zero");
            return -1;
        }
    } else if (d && YAJL_IS_TRUE(d)) {
        o->content = CONTENT_DICOM;
    } else if (d && YAJL_IS_FALSE(d)) {
        o->content = CONTENT_TEXT;
    }
    return 0;
}

/* Parses one line into o. Returns 0, or -1 with a message. */
static int parse_line(load_ctx *lc, const char *line, file_obj *o, char *err, size_t errlen)
{
    if (has_nul_escape(line)) {
        snprintf(err, errlen, "a name cannot hold NUL (\\u0000)");
        return -1;
    }
    char yerr[256];
    yajl_val v = yajl_tree_parse(line, yerr, sizeof yerr);
    if (!v) {
        snprintf(err, errlen, "invalid JSON: %s", yerr);
        return -1;
    }
    int rc = -1;
    if (!YAJL_IS_OBJECT(v)) {
        snprintf(err, errlen, "not a JSON object");
        goto out;
    }
    const char *np[] = {"name", NULL}, *sp[] = {"size", NULL};
    const char *cp[] = {"content", NULL}, *dp[] = {"dicom", NULL}, *fp[] = {"file", NULL};
    yajl_val name = yajl_tree_get(v, np, yajl_t_string);
    yajl_val size = yajl_tree_get(v, sp, yajl_t_any);
    yajl_val file = yajl_tree_get(v, fp, yajl_t_any);
    const char *nm = name ? YAJL_GET_STRING(name) : NULL;
    memset(o, 0, sizeof *o);
    if (file && (!YAJL_IS_STRING(file) || !*YAJL_GET_STRING(file))) {
        snprintf(err, errlen, "\"file\" must be a path");
        goto out;
    }
    if (!nm || (!size && !file)) {
        snprintf(err, errlen, "needs \"name\" (string) and \"size\"");
        goto out;
    }
    size_t len = strlen(nm);
    if (len == 0 || len > BUCKET_NAME_MAX) {
        snprintf(err, errlen, "object name must be 1..%d bytes", BUCKET_NAME_MAX);
        goto out;
    }
    if (file && load_data(lc, YAJL_GET_STRING(file), o, err, errlen) != 0)
        goto out;
    const char *digits = NULL; /* without "size", a "file" gives its own below */
    if (size && YAJL_IS_STRING(size))
        digits = YAJL_GET_STRING(size);
    else if (size && YAJL_IS_NUMBER(size))
        /* the number's own text: sizes from 2^63 to 2^64-1 overflow yajl's
         * integer but are still digits */
        digits = YAJL_GET_NUMBER(size);
    char *end = NULL;
    errno = 0;
    unsigned long long sz = digits && digits[0] >= '0' && digits[0] <= '9'
                                ? strtoull(digits, &end, 10) : 0;
    if (size && (!digits || !end || *end || errno)) {
        snprintf(err, errlen, "\"size\" must be a non-negative integer or decimal string");
        goto out;
    }
    if (file) {
        if (size && sz != o->datalen) {
            snprintf(err, errlen, "\"size\" is %llu but the file holds %zu bytes", sz,
                     o->datalen);
            goto out;
        }
        sz = o->datalen;
        if (yajl_tree_get(v, cp, yajl_t_any) || yajl_tree_get(v, dp, yajl_t_any)) {
            snprintf(err, errlen, "\"file\" gives the content: no \"content\" or \"dicom\"");
            goto out;
        }
    } else if (content_of(v, o, err, errlen) != 0) {
        goto out;
    }
    o->name = strdup(nm);
    if (!o->name) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    o->len = len;
    o->size = sz;
    rc = 0;
out:
    if (rc != 0) {
        free(o->data);
        o->data = NULL;
    }
    yajl_tree_free(v);
    return rc;
}

/* getline with a cap: returns the line length, LINE_MAX_BYTES + 1 when the
 * line is longer (the rest of it is not kept), -1 at the end of the file. */
static ssize_t read_line(FILE *f, char **line, size_t *cap)
{
    if (!*line) {
        *cap = LINE_MAX_BYTES + 2;
        *line = malloc(*cap);
        if (!*line)
            return -1;
    }
    if (!fgets(*line, (int)*cap, f))
        return -1;
    size_t n = strlen(*line);
    if (n == *cap - 1 && (*line)[n - 1] != '\n')
        return LINE_MAX_BYTES + 1;
    return (ssize_t)n;
}

bucket *bucket_file_load(const char *id, const char *path, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    file_bucket *fb = calloc(1, sizeof *fb);
    load_ctx lc;
    memset(&lc, 0, sizeof lc);
    const char *slash = strrchr(path, '/');
    if (slash && (size_t)(slash - path) + 2 < sizeof lc.dir)
        memcpy(lc.dir, path, (size_t)(slash - path) + 1);
    size_t cap = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    int ok = fb != NULL;
    while (ok && (got = read_line(f, &line, &linecap)) >= 0) {
        lineno++;
        if (got > LINE_MAX_BYTES) {
            snprintf(err, errlen, "%s:%lu: line longer than %d bytes", path, lineno,
                     LINE_MAX_BYTES);
            ok = 0;
            break;
        }
        if (fb->n == OBJECTS_MAX) {
            snprintf(err, errlen, "%s:%lu: more than %zu objects", path, lineno, OBJECTS_MAX);
            ok = 0;
            break;
        }
        const char *p = line;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p)
            continue;
        if (fb->n == cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            file_obj *no = realloc(fb->objs, ncap * sizeof *no);
            if (!no) {
                snprintf(err, errlen, "out of memory");
                ok = 0;
                break;
            }
            fb->objs = no;
            cap = ncap;
        }
        char msg[300];
        if (parse_line(&lc, line, &fb->objs[fb->n], msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%s:%lu: %s", path, lineno, msg);
            ok = 0;
            break;
        }
        fb->n++;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (!ok) {
        if (fb) {
            fb_destroy(&fb->base);
            free(fb);
        }
        return NULL;
    }
    for (size_t i = 0; i < fb->n; i++)
        fb->objs[i].seq = i;
    qsort(fb->objs, fb->n, sizeof *fb->objs, obj_seq_cmp);
    /* Drop duplicates (keep one entry per name): a bucket holds a name once. */
    size_t w = 0;
    for (size_t i = 0; i < fb->n; i++) {
        if (w > 0 && obj_cmp(&fb->objs[w - 1], &fb->objs[i]) == 0) {
            free(fb->objs[w - 1].name);
            free(fb->objs[w - 1].data);
            fb->objs[w - 1] = fb->objs[i];
            continue;
        }
        fb->objs[w++] = fb->objs[i];
    }
    fb->n = w;
    fb->base.ops = &file_ops;
    fb->base.id = strdup(id);
    return &fb->base;
}
