/* Reading a plan file with yajl's tree API: a plan is one document of
 * bounded size, so holding its tree is simpler than streaming it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "plan_read.h"

/* The whole file, NUL-terminated; NULL with why set on failure. */
static char *slurp(const char *path, size_t *len, char *why, size_t whylen, int *nomem)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        if (n + 1 == cap) {
            if (cap >= PLAN_FILE_MAX) {
                snprintf(why, whylen, "%s: larger than %zu MiB: not a plan", path,
                         PLAN_FILE_MAX >> 20);
                free(buf);
                buf = NULL;
                break;
            }
            char *b = realloc(buf, cap * 2);
            if (b == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                snprintf(why, whylen, "%s: %s", path, strerror(errno));
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (buf == NULL && why[0] == '\0')
        *nomem = 1;
    if (!is_stdin)
        fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static int get_count(yajl_val obj, const char *key, uint64_t *out)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(obj, path, yajl_t_any);
    if (v == NULL || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
        return -1;
    *out = (uint64_t)YAJL_GET_INTEGER(v);
    return 0;
}

static char *get_string(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(obj, path, yajl_t_string);
    return v ? YAJL_GET_STRING(v) : NULL;
}

static int parse_digest(const char *s, uint64_t *out)
{
    uint64_t d = 0;
    size_t i;
    for (i = 0; s[i] != '\0'; i++) {
        int c = s[i], x;
        if (c >= '0' && c <= '9')
            x = c - '0';
        else if (c >= 'a' && c <= 'f')
            x = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            x = c - 'A' + 10;
        else
            return -1;
        if (i == 16)
            return -1;
        d = d << 4 | (uint64_t)x;
    }
    if (i != 16)
        return -1;
    *out = d;
    return 0;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

int plan_read(plan_doc *doc, const char *path, char *why, size_t whylen)
{
    memset(doc, 0, sizeof *doc);
    why[0] = '\0';
    size_t len = 0;
    int nomem = 0;
    char *text = slurp(path, &len, why, whylen, &nomem);
    if (text == NULL)
        return nomem ? PLAN_READ_NOMEM : PLAN_READ_BAD;
    if (memchr(text, '\0', len) != NULL) {
        snprintf(why, whylen, "%s: not JSON (it holds a NUL byte)", path);
        free(text);
        return PLAN_READ_BAD;
    }
    char err[512];
    yajl_val root = yajl_tree_parse(text, err, sizeof err);
    free(text);
    int rc = PLAN_READ_BAD;
    if (root == NULL) {
        /* yajl's message continues with the text around the error on more lines. */
        err[strcspn(err, "\n")] = '\0';
        snprintf(why, whylen, "%s: not JSON: %s", path, err);
        return PLAN_READ_BAD;
    }
    if (!YAJL_IS_OBJECT(root)) {
        snprintf(why, whylen, "%s: not a plan: the document is not a JSON object", path);
        goto done;
    }
    const char *uri = get_string(root, "uri");
    if (uri == NULL) {
        snprintf(why, whylen, "%s: not a plan: \"uri\" is missing or not a string", path);
        goto done;
    }
    if (get_count(root, "objects", &doc->objects) != 0 || get_count(root, "bytes", &doc->bytes) != 0) {
        snprintf(why, whylen, "%s: not a plan: \"objects\" and \"bytes\" must be non-negative "
                 "integers", path);
        goto done;
    }
    const char *jpath[] = { "jobs", NULL };
    yajl_val jobs = yajl_tree_get(root, jpath, yajl_t_array);
    if (jobs == NULL) {
        snprintf(why, whylen, "%s: not a plan: \"jobs\" is missing or not an array", path);
        goto done;
    }
    doc->uri = dup_str(uri);
    size_t n = YAJL_GET_ARRAY(jobs)->len;
    doc->jobs = calloc(n ? n : 1, sizeof *doc->jobs);
    if (doc->uri == NULL || doc->jobs == NULL) {
        rc = PLAN_READ_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        yajl_val j = YAJL_GET_ARRAY(jobs)->values[i];
        plan_job *pj = &doc->jobs[i];
        const char *ju = YAJL_IS_OBJECT(j) ? get_string(j, "uri") : NULL;
        if (ju == NULL) {
            snprintf(why, whylen, "%s: job %zu: %s", path, i + 1,
                     YAJL_IS_OBJECT(j) ? "\"uri\" is missing or not a string"
                                       : "not a JSON object");
            goto done;
        }
        if (get_count(j, "objects", &pj->objects) != 0 || get_count(j, "bytes", &pj->bytes) != 0) {
            snprintf(why, whylen, "%s: job %zu: \"objects\" and \"bytes\" must be non-negative "
                     "integers", path, i + 1);
            goto done;
        }
        const char *dpath[] = { "digest", NULL };
        yajl_val d = yajl_tree_get(j, dpath, yajl_t_any);
        if (d != NULL) {
            if (!YAJL_IS_STRING(d) || parse_digest(YAJL_GET_STRING(d), &pj->digest) != 0) {
                snprintf(why, whylen, "%s: job %zu: \"digest\" is not 16 hexadecimal digits",
                         path, i + 1);
                goto done;
            }
            pj->has_digest = 1;
        }
        pj->uri = dup_str(ju);
        if (pj->uri == NULL) {
            rc = PLAN_READ_NOMEM;
            goto done;
        }
        doc->n_jobs = i + 1;
    }
    rc = PLAN_READ_OK;
done:
    yajl_tree_free(root);
    return rc;
}

void plan_doc_free(plan_doc *doc)
{
    for (size_t i = 0; i < doc->n_jobs; i++)
        free(doc->jobs[i].uri);
    free(doc->jobs);
    free(doc->uri);
    memset(doc, 0, sizeof *doc);
}
