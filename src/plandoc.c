/* Plan documents: the document a reader hands out, the plan digest, store
 * names and content structures. The reader is plandoc_read.c, the writer
 * plandoc_write.c, URI containment plan_contain.c. */
#include <stdio.h>
#include <string.h>

#include "gcsplan/plandoc.h"
#include "gcsplan/report.h"
#include "internal.h"
#include "plandoc_internal.h"

/* Strings are small (at most GCSPLAN_URI_MAX + 1 bytes); blocks are large
 * enough that a document of many jobs needs few allocations. */
#define BLOCK_SIZE ((size_t)64 << 10)

#define FNV_PRIME 0x100000001b3ull

char *gcsplan__doc_strdup(gcsplan_plan_doc *d, const char *s, size_t n)
{
    gcsplan__block *b = d->blocks;
    if (b == NULL || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > BLOCK_SIZE ? n + 1 : BLOCK_SIZE;
        gcsplan__block *nb = gcsplan__malloc(&d->alloc, sizeof *nb + cap);
        if (nb == NULL)
            return NULL;
        nb->next = d->blocks;
        nb->used = 0;
        nb->cap = cap;
        d->blocks = nb;
        b = nb;
    }
    char *p = b->data + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

int gcsplan__doc_push(gcsplan_plan_doc *d, const gcsplan_plan_job *j)
{
    if (d->njobs == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        gcsplan_plan_job *jobs = gcsplan__realloc(&d->alloc, d->jobs, cap * sizeof *jobs);
        if (jobs == NULL)
            return GCSPLAN_ENOMEM;
        d->jobs = jobs;
        d->cap = cap;
    }
    d->jobs[d->njobs++] = *j;
    return 0;
}

int gcsplan__parse_hex64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n != 16)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned x;
        if (c >= '0' && c <= '9')
            x = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            x = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            x = (unsigned)(c - 'A' + 10);
        else
            return -1;
        v = v << 4 | x;
    }
    *out = v;
    return 0;
}

const gcsplan_plan_head *gcsplan_plan_doc_head(const gcsplan_plan_doc *d)
{
    return &d->head;
}

size_t gcsplan_plan_doc_job_count(const gcsplan_plan_doc *d)
{
    return d->njobs;
}

const gcsplan_plan_job *gcsplan_plan_doc_job(const gcsplan_plan_doc *d, size_t i)
{
    return i < d->njobs ? &d->jobs[i] : NULL;
}

uint64_t gcsplan_plan_doc_digest(const gcsplan_plan_doc *d)
{
    return d->digest;
}

const struct gcsplan_summary *gcsplan_plan_doc_summary(const gcsplan_plan_doc *d)
{
    return d->summary;
}

const char *gcsplan_plan_doc_preflight(const gcsplan_plan_doc *d, size_t *len)
{
    if (len != NULL)
        *len = d->preflight_len;
    return d->preflight;
}

void gcsplan_plan_doc_free(gcsplan_plan_doc *d)
{
    if (d == NULL)
        return;
    for (gcsplan__block *b = d->blocks, *next; b != NULL; b = next) {
        next = b->next;
        gcsplan__free(&d->alloc, b);
    }
    gcsplan__free(&d->alloc, d->jobs);
    gcsplan_summary_free(d->summary);
    gcsplan__free(&d->alloc, d);
}

void gcsplan_plan_job_from(gcsplan_plan_job *out, const gcsplan_job *j)
{
    memset(out, 0, sizeof *out);
    out->uri = j->uri;
    out->uri_len = j->uri_len;
    out->objects = j->objects;
    out->bytes = j->bytes;
    out->largest = j->largest;
    out->first = j->first;
    out->first_len = strlen(j->first);
    out->last = j->last;
    out->last_len = strlen(j->last);
    out->digest = j->digest;
    out->has = GCSPLAN_PLAN_JOB_LARGEST | GCSPLAN_PLAN_JOB_FIRST | GCSPLAN_PLAN_JOB_LAST |
               GCSPLAN_PLAN_JOB_DIGEST;
    out->flags = j->flags & (GCSPLAN_JOB_OVERSIZE | GCSPLAN_JOB_INSEPARABLE);
}

/* --- the plan digest ------------------------------------------------------------------ */

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    return h;
}

uint64_t gcsplan_plan_digest_uri(uint64_t digest, const char *uri, size_t len)
{
    return fnv(fnv(digest, uri, len), "\n", 1);
}

uint64_t gcsplan_plan_digest_job(uint64_t digest, const gcsplan_plan_job *job)
{
    char tail[64];
    int n;
    if (job->has & GCSPLAN_PLAN_JOB_DIGEST)
        n = snprintf(tail, sizeof tail, "%c%llu%c%llu%c%016llx\n", 0,
                     (unsigned long long)job->objects, 0, (unsigned long long)job->bytes, 0,
                     (unsigned long long)job->digest);
    else
        n = snprintf(tail, sizeof tail, "%c%llu%c%llu%c\n", 0, (unsigned long long)job->objects,
                     0, (unsigned long long)job->bytes, 0);
    return fnv(fnv(digest, job->uri, job->uri_len), tail, (size_t)n);
}

/* --- stores and content structures ----------------------------------------------------- */

static int id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
}

int gcsplan_store_parse(gcsplan_store *out, const char *store, size_t len, gcsplan_error *err)
{
    static const char *const keys[] = { "projects", "locations", "datasets" };
    if (out == NULL || store == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out or store is NULL");
    const char **parts[] = { &out->project, &out->location, &out->dataset, &out->id };
    size_t *lens[] = { &out->project_len, &out->location_len, &out->dataset_len, &out->id_len };
    memset(out, 0, sizeof *out);
    if (len > GCSPLAN_STORE_MAX)
        goto bad;
    size_t at = 0;
    for (int i = 0; i < 4; i++) {
        /* The collection name before each id; the last says the kind. */
        const char *key = i < 3 ? keys[i] : NULL;
        size_t k;
        if (key == NULL) {
            if (len - at >= 12 && memcmp(store + at, "dicomStores/", 12) == 0) {
                out->kind = GCSPLAN_STORE_DICOM;
                k = 11;
            } else if (len - at >= 11 && memcmp(store + at, "fhirStores/", 11) == 0) {
                out->kind = GCSPLAN_STORE_FHIR;
                k = 10;
            } else {
                goto bad;
            }
        } else {
            k = strlen(key);
            if (len - at < k + 1 || memcmp(store + at, key, k) != 0 || store[at + k] != '/')
                goto bad;
        }
        at += k + 1;
        size_t n = 0;
        while (at + n < len && id_char(store[at + n]))
            n++;
        if (n == 0)
            goto bad;
        *parts[i] = store + at;
        *lens[i] = n;
        at += n;
        if (i < 3 && (at == len || store[at] != '/'))
            goto bad;
        at += i < 3;
    }
    if (at != len)
        goto bad;
    return 0;
bad:
    memset(out, 0, sizeof *out);
    return gcsplan__error_set(err, GCSPLAN_EINVAL,
                              "a store is projects/P/locations/L/datasets/D/dicomStores/S or "
                              ".../fhirStores/S, each id letters, digits, '-', '_' or '.'");
}

int gcsplan_content_structure_valid(const char *s, size_t len)
{
    static const char *const valid[] = { "BUNDLE", "RESOURCE", "BUNDLE_PRETTY",
                                         "RESOURCE_PRETTY" };
    for (size_t i = 0; s != NULL && i < sizeof valid / sizeof valid[0]; i++)
        if (strlen(valid[i]) == len && memcmp(valid[i], s, len) == 0)
            return 1;
    return 0;
}
