/*
 * What the stand-in knows of Cloud Storage: bucket listings (--bucket
 * NAME=FILE.jsonl, the test server's JSON Lines format) and which objects an
 * import fails on (--fail-objects REGEX, --fail-list FILE), so that an
 * operation's counters are computed from the objects its URI matches.
 */
#ifndef GCS_HC_OBJECTS_H
#define GCS_HC_OBJECTS_H

#include "gsuri.h"

#include <stddef.h>
#include <stdint.h>

#define OBJ_MAX_BUCKETS 64
#define OBJ_MAX_OBJECTS ((size_t)10 * 1000 * 1000)
#define OBJ_LINE_MAX (64 * 1024)

typedef enum { FHIR_ANY, FHIR_NDJSON_RESOURCES } fhir_content;

/* --bucket NAME=FILE.jsonl. 0, or -1 with a message naming the line. */
int objects_add_bucket(const char *spec, char *err, size_t errlen);
/* --fhir-content NAME=ndjson-resources|bundles. */
int objects_set_fhir_content(const char *spec, char *err, size_t errlen);
/* --fail-objects REGEX (PCRE2, matched against the whole name); repeatable. */
int objects_add_fail_regex(const char *re, char *err, size_t errlen);
/* --fail-list FILE: one object name per line. */
int objects_add_fail_list(const char *path, char *err, size_t errlen);
void objects_free_all(void);

/* 1 when --bucket gave a listing for this bucket. */
int objects_known(const char *bucket);
fhir_content objects_fhir_content(const char *bucket);

typedef struct {
    uint64_t matched, failed;
    /* the first failing object's name, for the stand-in's log (may be cut) */
    char first_failed[GSURI_NAME_MAX + 1];
} match_count;

/* Counts the objects u matches in its bucket's listing and how many of
 * them are set to fail (all_fail: every one fails). */
void objects_count(const gsuri *u, int all_fail, match_count *out);

/* Calls fn for each object u matches (name, length, failed), in byte order,
 * until fn returns non-zero; for the failure log. */
void objects_each(const gsuri *u, int all_fail,
                  int (*fn)(const char *name, size_t len, int failed, void *ctx), void *ctx);

#endif
