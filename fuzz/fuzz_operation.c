/* Fuzz target: what the Cloud Healthcare API answers to an import call and
 * to a poll of its operation (src/healthcare.c), and what the runner keeps
 * of it.
 *
 * Input: a response body. The Operation reader must accept it or refuse it
 * cleanly (GCSPLAN_EINVAL, one line, nothing kept); what it keeps must stay
 * in its bounds (a name of at most 1024 bytes without NUL, counters up to
 * 2^63-1, a logsUrl that is whole, plain and http(s), or none); reading
 * twice gives the same; and what the runner makes of it for people (the
 * error message quoted as server text, the Cloud Logging filter of the
 * name) is one bounded line safe for a terminal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "gcsplan/import.h"
#include "healthcare.h"
#include "redact.h"
#include "util/escape.h"

#define STORE "projects/p/locations/us/datasets/d/dicomStores/s"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input("body", data, size);
    static gcsplan__operation op, again, zero;
    gcsplan_error err;
    int rc = gcsplan__operation_parse(&op, (const char *)data, size, &err);
    FZ_CHECK(rc == 0 || rc == GCSPLAN_EINVAL, "rc %d", rc);
    int rc2 = gcsplan__operation_parse(&again, (const char *)data, size, NULL);
    FZ_CHECK(rc2 == rc, "a second reading differs");
    if (rc != 0) {
        FZ_CHECK(memcmp(&op, &zero, sizeof op) == 0, "something kept after an error");
        FZ_CHECK(err.message[0] != '\0' && strchr(err.message, '\n') == NULL,
              "the error is not one line");
        return 0;
    }
    FZ_CHECK(memcmp(&op, &again, sizeof op) == 0, "a second reading keeps something else");
    FZ_CHECK(op.name_len <= GCSPLAN_OPERATION_NAME_MAX && strlen(op.name) == op.name_len,
          "name: %zu bytes", op.name_len);
    FZ_CHECK(op.success <= (uint64_t)INT64_MAX && op.failure <= (uint64_t)INT64_MAX, "counters");
    FZ_CHECK(op.has_counters || (op.success == 0 && op.failure == 0), "counters without counter");
    FZ_CHECK(op.logs_url_len == strlen(op.logs_url), "logsUrl length");
    FZ_CHECK(op.logs_url_len == 0 || gcsplan__logs_url_ok(op.logs_url, op.logs_url_len),
          "a logsUrl kept that is not plain: '%s'", op.logs_url);
    FZ_CHECK(!op.logs_url_dropped || op.logs_url_len == 0, "a dropped logsUrl kept");
    FZ_CHECK(op.error_message_len <= GCSPLAN__OPERATION_TEXT_MAX, "error message length");
    FZ_CHECK(op.error_code >= 0, "error code");
    /* What the runner shows of the message: masked, one line, bounded. */
    char out[4 * 200 + 64];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, out, sizeof out);
    if (gcsplan__server_text(&b, op.error_message, op.error_message_len, 200, NULL) == 0) {
        FZ_CHECK(gcsplan__buf_total(&b) < sizeof out, "the quoted message overflows");
        FZ_CHECK(gcsplan__term_safe(out, b.len) && strchr(out, '\n') == NULL,
              "the quoted message is not one safe line: '%s'", out);
    }
    /* The filter of a name is made only of a name of the store's dataset. */
    char filter[GCSPLAN_IMPORT_FILTER_MAX];
    size_t n = gcsplan_import_logging_filter(filter, sizeof filter, STORE, op.name);
    int ok = gcsplan__operation_name_ok(op.name, op.name_len, STORE);
    FZ_CHECK((n > 0) == ok, "a filter for a name that is not an operation, or none for one");
    if (ok) {
        FZ_CHECK(n < sizeof filter && strstr(filter, gcsplan__operation_id(op.name)) != NULL,
              "the filter: '%s'", filter);
        FZ_CHECK(strchr(gcsplan__operation_id(op.name), '"') == NULL, "a quote in an id");
    }
    return 0;
}
