/*
 * Import URIs as the Cloud Healthcare API takes them in gcsSource.uri
 * (SPEC.md section 1), written independently of the gcsplan library: the
 * stand-in is an oracle for the plans gcsplan makes, so it must not share
 * gcsplan's code.
 *
 *   gs://BUCKET/PATTERN   `*` any run of characters but '/', `?` one UTF-8
 *   code point but '/', `**` only at the end with an optional literal suffix
 *   without '/' (and then no other wildcard); anchored, byte-exact.
 */
#ifndef GCS_HC_GSURI_H
#define GCS_HC_GSURI_H

#include <stddef.h>

#define GSURI_BUCKET_MAX 222
#define GSURI_NAME_MAX 1024

typedef struct {
    char bucket[GSURI_BUCKET_MAX + 1];
    const char *pattern; /* points into the URI given to gsuri_parse */
    size_t len;
    int deep;            /* PREFIX**SUFFIX */
    size_t prefix_len;   /* literal bytes before the first wildcard */
} gsuri;

/* Checks uri against section 1. 0, or -1 with a one-line reason in why. */
int gsuri_parse(const char *uri, gsuri *out, char *why, size_t whylen);
/* 1 when the object name matches the whole pattern. */
int gsuri_match(const gsuri *u, const char *name, size_t len);

#endif
