/* The Cloud Healthcare API's import calls and long-running operations, as
 * the import runner (import.c) uses them through the API client:
 *
 *   POST {endpoint}/v1/{store}:import   -> an Operation {"name": ...}
 *   GET  {endpoint}/v1/{operation}      -> the Operation, until "done"
 *
 * The Operation reader is strict about the shape of what it keeps and skips
 * everything else at any depth (up to GCSPLAN__OPERATION_DEPTH_MAX): a
 * server's document is data, never trusted, and it is fuzzed
 * (fuzz/fuzz_operation.c). It allocates nothing of its own (yajl's parser
 * state comes from the C library, docs/internals.md): every kept value has
 * a fixed place in gcsplan__operation. */
#ifndef GCSPLAN_HEALTHCARE_H
#define GCSPLAN_HEALTHCARE_H

#include <stddef.h>
#include <stdint.h>

#include "gcsplan/error.h"
#include "gcsplan/import.h"
#include "gcsplan/plandoc.h"

/* Nesting of an Operation document: ours need 3 levels; the details of an
 * error may nest more, as error documents may (docs/security.md: 64). */
#define GCSPLAN__OPERATION_DEPTH_MAX 64
/* The bytes of an error message kept before it is masked and cut to
 * GCSPLAN__SERVER_TEXT_MAX (redact.h examines no more than this). */
#define GCSPLAN__OPERATION_TEXT_MAX 4096

typedef struct gcsplan__operation {
    char name[GCSPLAN_OPERATION_NAME_MAX + 1]; /* "" when absent */
    size_t name_len;
    int done;                 /* "done": true */
    int has_error;            /* "error" is an object */
    int error_code;           /* error.code (google.rpc.Code), 0 when absent */
    char error_message[GCSPLAN__OPERATION_TEXT_MAX + 1]; /* raw, cut; "" when absent */
    size_t error_message_len;
    int has_response;         /* "response" is an object */
    int has_counters;         /* metadata.counter holds success or failure */
    uint64_t success, failure;/* absent keys are 0 (proto JSON leaves zeros out) */
    char logs_url[GCSPLAN_LOGS_URL_MAX + 1]; /* http(s), no space or control; else "" */
    size_t logs_url_len;
    int logs_url_dropped;     /* there was one, but too long or not a plain URL */
    int64_t create_ms, end_ms;/* metadata.createTime/endTime, Unix ms; 0 when absent
                               * or not RFC 3339 */
} gcsplan__operation;

/* Read an Operation (an import call's answer or a poll's) from json[0..len).
 * Kept: name, done, error.code, error.message, response (its presence),
 * metadata.logsUrl, metadata.createTime, metadata.endTime,
 * metadata.counter.success and .failure (int64 as a JSON string, as proto
 * JSON writes it, or as a number; 0 to 2^63-1). A known key given twice or
 * of the wrong type (null is absent), a document that is not one JSON
 * object, or nesting past the bound is malformed: GCSPLAN_EINVAL with a
 * message naming the key. Thread-safe. */
int gcsplan__operation_parse(gcsplan__operation *op, const char *json, size_t len,
                             gcsplan_error *err);

/* Nonzero when name[0..len) is an operation of the dataset that store
 * belongs to: projects/P/locations/L/datasets/D/operations/ID with the
 * store's P, L and D and ID of letters, digits, '-', '_' or '.' (polls go
 * only where the store's own dataset keeps its operations). */
int gcsplan__operation_name_ok(const char *name, size_t len, const char *store);

/* Nonzero when s[0..n) is a logsUrl worth keeping whole: at most
 * GCSPLAN_LOGS_URL_MAX bytes, http:// or https://, no space, control
 * character or DEL (it is shown and linked as it is, never cut). */
int gcsplan__logs_url_ok(const char *s, size_t n);

/* The ID of an operation's name (after its last '/'). */
const char *gcsplan__operation_id(const char *name);

#endif
