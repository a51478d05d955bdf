/* Reading a few named fields out of a small JSON document: credential files
 * and token endpoint responses. A streaming yajl parse picks the values it
 * is asked for and keeps nothing else, so a private key sitting in a field
 * nobody asked for is never copied. */
#ifndef GCSPLAN_AUTH_JSON_H
#define GCSPLAN_AUTH_JSON_H

#include <stddef.h>
#include "internal.h"

/* The longest value kept; a PEM key is the biggest field we read. */
#define GCSPLAN__JSON_VALUE_MAX (16 * 1024)
/* Keys longer than this are not any we look for. */
#define GCSPLAN__JSON_KEY_MAX 64

/* Nesting deeper than this is refused: nothing we read nests beyond 3. */
#define GCSPLAN__JSON_FIELDS_DEPTH_MAX 64

typedef struct gcsplan__json_field {
    const char *path;  /* "key" at the top level, or "parent.key" one level down */
    char *value;       /* out: the string, or a number's text; NULL when absent */
    int is_string;     /* out: 1 for a JSON string */
    size_t len;        /* out: bytes of value (a string may hold \u0000) */
} gcsplan__json_field;

/* Fill each field's value from the JSON object in json[0..len). A value of
 * another type (object, array, bool, null) counts as absent; with a repeated
 * key the last one wins. Returns 0, GCSPLAN_ESOURCE when the text is not a
 * JSON object or nests deeper than GCSPLAN__JSON_FIELDS_DEPTH_MAX (the
 * message never quotes it), GCSPLAN_ELIMIT for a wanted value over
 * GCSPLAN__JSON_VALUE_MAX, GCSPLAN_ENOMEM. On error no value is
 * left allocated. Thread-safe. */
int gcsplan__json_fields(gcsplan__json_field *fields, size_t n, const gcsplan_allocator *a,
                         const char *json, size_t len, gcsplan_error *err);

/* Wipe and free the values (they may be secrets) and reset them to NULL. */
void gcsplan__json_fields_free(gcsplan__json_field *fields, size_t n,
                               const gcsplan_allocator *a);

/* Wipe n bytes of a block that held a secret and free it. Accepts NULL.
 * By length, never by strlen: a secret may hold a NUL, or lack one. */
void gcsplan__free_secret_n(const gcsplan_allocator *a, void *p, size_t n);

/* Wipe and free a string that held a secret and is known to end at its
 * first NUL (one we built ourselves). Accepts NULL. */
void gcsplan__free_secret(const gcsplan_allocator *a, char *s);

#endif
