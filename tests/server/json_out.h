/*
 * JSON documents of the Cloud Storage JSON API: object and bucket resources,
 * objects.list pages and error bodies, honouring a `fields` selection.
 */
#ifndef GCS_TEST_SERVER_JSON_OUT_H
#define GCS_TEST_SERVER_JSON_OUT_H

#include "bucket.h"
#include "fields.h"
#include "listing.h"
#include "util.h"

/* Per-object metadata derived from the name alone, so it is stable. */
typedef struct {
    uint64_t hash;
    uint64_t generation;
    uint64_t metageneration;
} object_meta;

void object_meta_of(const char *name, size_t len, object_meta *m);
const char *content_type_of(content_kind k);

/* base_url is "http://host:port" as the client reached us. */
void json_object(sbuf *b, const fmask *m, const bucket *bk, size_t idx, const char *base_url);
/* The same with "size" replaced by the given digits (a hostile rule's:
 * visible ASCII, never quoted or escaped) unless size is NULL. */
void json_object_ex(sbuf *b, const fmask *m, const bucket *bk, size_t idx, const char *base_url,
                    const char *size);
void json_list_page(sbuf *b, const fmask *m, const bucket *bk, const list_page *pg,
                    const char *base_url);
void json_bucket(sbuf *b, const fmask *m, const bucket *bk, const char *base_url);
/* {"error":{"code":N,"message":M,"errors":[{"message":M,"domain":"global","reason":R}]}} */
void json_error(sbuf *b, unsigned code, const char *reason, const char *message);
/* The same for a message of len bytes that may hold NUL. */
void json_error_n(sbuf *b, unsigned code, const char *reason, const char *message, size_t len);

#endif
