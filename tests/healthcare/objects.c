#define PCRE2_CODE_UNIT_WIDTH 8
#include "objects.h"

#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#define MAX_FAIL_REGEX 16

typedef struct {
    char *name;
    size_t len;
} obj;

typedef struct {
    char *id;
    obj *objs; /* sorted in byte order, no duplicates */
    size_t n;
    fhir_content content;
} listing;

static listing buckets[OBJ_MAX_BUCKETS];
static size_t n_buckets;
static pcre2_code *fail_re[MAX_FAIL_REGEX];
static size_t n_fail_re;
static obj *fail_names; /* sorted */
static size_t n_fail_names;

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static int obj_cmp(const void *x, const void *y)
{
    const obj *a = x, *b = y;
    return cmp_bytes(a->name, a->len, b->name, b->len);
}

static listing *find(const char *id)
{
    for (size_t i = 0; i < n_buckets; i++)
        if (!strcmp(buckets[i].id, id))
            return &buckets[i];
    return NULL;
}

/* fgets with a cap: the line length, OBJ_LINE_MAX + 1 when longer, -1 at the end. */
static long read_line(FILE *f, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, f))
        return -1;
    size_t n = strlen(buf);
    if (n == cap - 1 && buf[n - 1] != '\n')
        return OBJ_LINE_MAX + 1;
    return (long)n;
}

static int push(obj **v, size_t *n, size_t *cap, const char *name, size_t len)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        obj *p = realloc(*v, nc * sizeof *p);
        if (!p)
            return -1;
        *v = p;
        *cap = nc;
    }
    char *c = malloc(len + 1);
    if (!c)
        return -1;
    memcpy(c, name, len);
    c[len] = '\0';
    (*v)[*n].name = c;
    (*v)[*n].len = len;
    (*n)++;
    return 0;
}

static void free_objs(obj *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

/* Sorts and keeps one entry per name. */
static void sort_unique(obj *v, size_t *n)
{
    qsort(v, *n, sizeof *v, obj_cmp);
    size_t w = 0;
    for (size_t i = 0; i < *n; i++) {
        if (w && obj_cmp(&v[w - 1], &v[i]) == 0) {
            free(v[i].name);
            continue;
        }
        v[w++] = v[i];
    }
    *n = w;
}

int objects_add_bucket(const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || (size_t)(eq - spec) > GSURI_BUCKET_MAX) {
        snprintf(err, errlen, "--bucket: expected NAME=FILE.jsonl: %.200s", spec);
        return -1;
    }
    if (n_buckets == OBJ_MAX_BUCKETS) {
        snprintf(err, errlen, "--bucket: at most %d", OBJ_MAX_BUCKETS);
        return -1;
    }
    const char *path = eq + 1;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    listing *l = &buckets[n_buckets];
    memset(l, 0, sizeof *l);
    char *line = malloc(OBJ_LINE_MAX + 2);
    size_t cap = 0;
    unsigned long lineno = 0;
    long got;
    int rc = line ? 0 : -1;
    if (!line)
        snprintf(err, errlen, "out of memory");
    while (rc == 0 && (got = read_line(f, line, OBJ_LINE_MAX + 2)) >= 0) {
        lineno++;
        if (got > OBJ_LINE_MAX) {
            snprintf(err, errlen, "%s:%lu: line longer than %d bytes", path, lineno, OBJ_LINE_MAX);
            rc = -1;
            break;
        }
        if (strspn(line, " \t\r\n") == (size_t)got)
            continue;
        if (l->n == OBJ_MAX_OBJECTS) {
            snprintf(err, errlen, "%s:%lu: more than %zu objects", path, lineno, OBJ_MAX_OBJECTS);
            rc = -1;
            break;
        }
        char yerr[128];
        yajl_val v = yajl_tree_parse(line, yerr, sizeof yerr);
        const char *np[] = {"name", NULL};
        yajl_val name = v ? yajl_tree_get(v, np, yajl_t_string) : NULL;
        const char *nm = name ? YAJL_GET_STRING(name) : NULL;
        size_t len = nm ? strlen(nm) : 0;
        if (!nm || len == 0 || len > GSURI_NAME_MAX || strstr(line, "\\u0000")) {
            snprintf(err, errlen, "%s:%lu: needs a \"name\" of 1..1024 bytes", path, lineno);
            rc = -1;
        } else if (push(&l->objs, &l->n, &cap, nm, len) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
        yajl_tree_free(v);
    }
    free(line);
    fclose(f);
    if (rc == 0)
        l->id = strndup(spec, (size_t)(eq - spec));
    if (rc != 0 || !l->id) {
        free_objs(l->objs, l->n);
        if (rc == 0)
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    sort_unique(l->objs, &l->n);
    n_buckets++;
    return 0;
}

int objects_set_fhir_content(const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    char id[GSURI_BUCKET_MAX + 1];
    if (!eq || eq == spec || (size_t)(eq - spec) > GSURI_BUCKET_MAX ||
        (strcmp(eq + 1, "ndjson-resources") && strcmp(eq + 1, "bundles"))) {
        snprintf(err, errlen, "--fhir-content: expected BUCKET=ndjson-resources|bundles: %.200s",
                 spec);
        return -1;
    }
    snprintf(id, sizeof id, "%.*s", (int)(eq - spec), spec);
    listing *l = find(id);
    if (!l) {
        snprintf(err, errlen, "--fhir-content: give --bucket %s=FILE first", id);
        return -1;
    }
    l->content = strcmp(eq + 1, "bundles") ? FHIR_NDJSON_RESOURCES : FHIR_ANY;
    return 0;
}

int objects_add_fail_regex(const char *re, char *err, size_t errlen)
{
    if (n_fail_re == MAX_FAIL_REGEX) {
        snprintf(err, errlen, "--fail-objects: at most %d", MAX_FAIL_REGEX);
        return -1;
    }
    int code;
    PCRE2_SIZE off;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                  PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED |
                                      PCRE2_ENDANCHORED,
                                  &code, &off, NULL);
    if (!c) {
        PCRE2_UCHAR msg[200];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(err, errlen, "--fail-objects: %s at offset %zu", (const char *)msg, (size_t)off);
        return -1;
    }
    fail_re[n_fail_re++] = c;
    return 0;
}

int objects_add_fail_list(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = malloc(OBJ_LINE_MAX + 2);
    size_t cap = n_fail_names;
    long got;
    int rc = 0;
    if (!line) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    while (rc == 0 && (got = read_line(f, line, OBJ_LINE_MAX + 2)) >= 0) {
        if (got > GSURI_NAME_MAX + 2 || n_fail_names == OBJ_MAX_OBJECTS) {
            snprintf(err, errlen, "%s: a name longer than 1024 bytes, or too many", path);
            rc = -1;
            break;
        }
        size_t len = (size_t)got;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len && push(&fail_names, &n_fail_names, &cap, line, len) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
    }
    free(line);
    fclose(f);
    if (rc == 0)
        sort_unique(fail_names, &n_fail_names);
    return rc;
}

void objects_free_all(void)
{
    for (size_t i = 0; i < n_buckets; i++) {
        free_objs(buckets[i].objs, buckets[i].n);
        free(buckets[i].id);
    }
    n_buckets = 0;
    for (size_t i = 0; i < n_fail_re; i++)
        pcre2_code_free(fail_re[i]);
    n_fail_re = 0;
    free_objs(fail_names, n_fail_names);
    fail_names = NULL;
    n_fail_names = 0;
}

int objects_known(const char *bucket) { return find(bucket) != NULL; }

fhir_content objects_fhir_content(const char *bucket)
{
    const listing *l = find(bucket);
    return l ? l->content : FHIR_ANY;
}

static int fails(const obj *o)
{
    obj key = {o->name, o->len};
    if (n_fail_names && bsearch(&key, fail_names, n_fail_names, sizeof *fail_names, obj_cmp))
        return 1;
    for (size_t i = 0; i < n_fail_re; i++) {
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(fail_re[i], NULL);
        int rc = md ? pcre2_match(fail_re[i], (PCRE2_SPTR)o->name, o->len, 0, 0, md, NULL) : -1;
        pcre2_match_data_free(md);
        if (rc >= 0)
            return 1;
    }
    return 0;
}

void objects_each(const gsuri *u, int all_fail,
                  int (*fn)(const char *name, size_t len, int failed, void *ctx), void *ctx)
{
    const listing *l = find(u->bucket);
    if (!l)
        return;
    /* the first name >= the pattern's literal prefix */
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_bytes(l->objs[mid].name, l->objs[mid].len, u->pattern, u->prefix_len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < l->n; i++) {
        const obj *o = &l->objs[i];
        if (o->len < u->prefix_len || memcmp(o->name, u->pattern, u->prefix_len) != 0)
            break;
        if (gsuri_match(u, o->name, o->len) && fn(o->name, o->len, all_fail || fails(o), ctx))
            break;
    }
}

static int count_one(const char *name, size_t len, int failed, void *ctx)
{
    match_count *c = ctx;
    c->matched++;
    if (failed) {
        if (!c->failed++)
            snprintf(c->first_failed, sizeof c->first_failed, "%.*s", (int)len, name);
    }
    return 0;
}

void objects_count(const gsuri *u, int all_fail, match_count *out)
{
    memset(out, 0, sizeof *out);
    objects_each(u, all_fail, count_one, out);
}
