/*
 * A bucket is a sorted, random-access sequence of objects. Two sources
 * implement it: a JSON Lines listing loaded and sorted in memory
 * (bucket_file.c) and a name template expanded on demand (bucket_gen.c).
 *
 * The listing logic only needs "name of the i-th object" and "index of the
 * first name >= key" (lower_bound), so a generated bucket of 10^7 objects
 * costs no memory: both operations are computed arithmetically.
 */
#ifndef GCS_TEST_SERVER_BUCKET_H
#define GCS_TEST_SERVER_BUCKET_H

#include <stddef.h>
#include <stdint.h>

/* Cloud Storage object names are at most 1024 bytes of UTF-8. */
#define BUCKET_NAME_MAX 1024

typedef enum {
    CONTENT_AUTO = 0, /* DICOM for names ending in ".dcm", text otherwise */
    CONTENT_DICOM,
    CONTENT_TEXT,
    CONTENT_ZERO,
    CONTENT_FILE      /* the bytes of a file named by the listing ("file") */
} content_kind;

typedef struct bucket bucket;

struct bucket_ops {
    size_t (*count)(const bucket *b);
    /* Name of object i. May write into buf (BUCKET_NAME_MAX + 1 bytes) and
     * return it, or return storage owned by the bucket. Never NUL-free. */
    const char *(*name)(const bucket *b, size_t i, char *buf, size_t *len);
    uint64_t (*size)(const bucket *b, size_t i);
    content_kind (*content)(const bucket *b, size_t i);
    /* Smallest i whose name is >= key in byte order; count() when none. */
    size_t (*lower_bound)(const bucket *b, const char *key, size_t keylen);
    void (*destroy)(bucket *b);
};

struct bucket {
    const struct bucket_ops *ops;
    char *id; /* the bucket name */
};

static inline size_t bucket_count(const bucket *b) { return b->ops->count(b); }
static inline const char *bucket_name(const bucket *b, size_t i, char *buf, size_t *len)
{
    return b->ops->name(b, i, buf, len);
}
static inline uint64_t bucket_size(const bucket *b, size_t i) { return b->ops->size(b, i); }
static inline size_t bucket_lower_bound(const bucket *b, const char *k, size_t n)
{
    return b->ops->lower_bound(b, k, n);
}
content_kind bucket_content(const bucket *b, size_t i);
void bucket_free(bucket *b);

/* Index of the object named exactly name, or (size_t)-1. */
size_t bucket_find(const bucket *b, const char *name, size_t len);

/* Loads a JSON Lines listing: one {"name": str, "size": number|decimal string}
 * per line, optional "content": "dicom"|"text"|"zero" or "dicom": bool, or
 * "file": PATH (the object's bytes are that file's, read at load time, a path
 * relative to the listing's directory; "size" may then be left out); other
 * keys ignored, blank lines skipped; a later duplicate name replaces an earlier
 * one. On error returns NULL and writes a message naming the line to err. */
bucket *bucket_file_load(const char *id, const char *path, char *err, size_t errlen);
/* The bytes of object i when its content is CONTENT_FILE, else NULL. */
const char *bucket_file_data(const bucket *b, size_t i, size_t *len);

/* Parses a generator spec (see docs/test-server.md):
 *   COUNTS[:TEMPLATE[:SIZE]]   e.g. 1000x10x100:studies/S%d/series-%d/IM-%d.dcm
 * Returns NULL with a message in err when the spec is invalid. */
bucket *bucket_gen_new(const char *id, const char *spec, char *err, size_t errlen);

#endif
