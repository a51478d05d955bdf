/*
 * Synthetic object bytes for alt=media: a DICOM Part 10 preamble (128 zero
 * bytes, "DICM", a small file meta group) for DICOM objects, a repeated text
 * line for text objects, zeros otherwise, or the bytes a listing's "file"
 * named. Computable at any offset, so a Range request on a "1 TB" object
 * costs nothing.
 */
#ifndef GCS_TEST_SERVER_CONTENT_H
#define GCS_TEST_SERVER_CONTENT_H

#include "bucket.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    content_kind kind;
    char line[160]; /* the text line repeated by text objects */
    size_t linelen;
    const char *data; /* CONTENT_FILE: the bytes, borrowed from the bucket */
    size_t datalen;
} content_src;

void content_init(content_src *c, content_kind kind, const char *name, size_t len);
/* Fills out[0..n) with the bytes at offset off. */
void content_fill(const content_src *c, uint64_t off, char *out, size_t n);

#endif
