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

static const uint8_t *g_in;
static size_t g_len;

#define CHECK(cond, ...)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fz_print_bytes("body", g_in, g_len);                                              \
            fz_fail(__VA_ARGS__);                                                             \
        }                                                                                     \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_in = data;
    g_len = size;
    static gcsplan__operation op, again, zero;
    gcsplan_error err;
    int rc = gcsplan__operation_parse(&op, (const char *)data, size, &err);
    CHECK(rc == 0 || rc == GCSPLAN_EINVAL, "rc %d", rc);
    int rc2 = gcsplan__operation_parse(&again, (const char *)data, size, NULL);
    CHECK(rc2 == rc, "a second reading differs");
    if (rc != 0) {
        CHECK(memcmp(&op, &zero, sizeof op) == 0, "something kept after an error");
        CHECK(err.message[0] != '\0' && strchr(err.message, '\n') == NULL,
              "the error is not one line");
        return 0;
    }
    CHECK(memcmp(&op, &again, sizeof op) == 0, "a second reading keeps something else");
    CHECK(op.name_len <= GCSPLAN_OPERATION_NAME_MAX && strlen(op.name) == op.name_len,
          "name: %zu bytes", op.name_len);
    CHECK(op.success <= (uint64_t)INT64_MAX && op.failure <= (uint64_t)INT64_MAX, "counters");
    CHECK(op.has_counters || (op.success == 0 && op.failure == 0), "counters without counter");
    CHECK(op.logs_url_len == strlen(op.logs_url), "logsUrl length");
    CHECK(op.logs_url_len == 0 || gcsplan__logs_url_ok(op.logs_url, op.logs_url_len),
          "a logsUrl kept that is not plain: '%s'", op.logs_url);
    CHECK(!op.logs_url_dropped || op.logs_url_len == 0, "a dropped logsUrl kept");
    CHECK(op.error_message_len <= GCSPLAN__OPERATION_TEXT_MAX, "error message length");
    CHECK(op.error_code >= 0, "error code");
    /* What the runner shows of the message: masked, one line, bounded. */
    char out[4 * 200 + 64];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, out, sizeof out);
    if (gcsplan__server_text(&b, op.error_message, op.error_message_len, 200, NULL) == 0) {
        CHECK(gcsplan__buf_total(&b) < sizeof out, "the quoted message overflows");
        CHECK(gcsplan__term_safe(out, b.len) && strchr(out, '\n') == NULL,
              "the quoted message is not one safe line: '%s'", out);
    }
    /* The filter of a name is made only of a name of the store's dataset. */
    char filter[GCSPLAN_IMPORT_FILTER_MAX];
    size_t n = gcsplan_import_logging_filter(filter, sizeof filter, STORE, op.name);
    int ok = gcsplan__operation_name_ok(op.name, op.name_len, STORE);
    CHECK((n > 0) == ok, "a filter for a name that is not an operation, or none for one");
    if (ok) {
        CHECK(n < sizeof filter && strstr(filter, gcsplan__operation_id(op.name)) != NULL,
              "the filter: '%s'", filter);
        CHECK(strchr(gcsplan__operation_id(op.name), '"') == NULL, "a quote in an id");
    }
    return 0;
}
