/* Fuzz target: the FHIR sniffer (src/fhir_sniff.c), the parser of the
 * bytes a FHIR import's sample reads.
 *
 * Input: the first bytes of an object. Read as the whole object and as cut
 * at the read limit, and cut again at a few lengths. Checked: no read past
 * the input (ASan), a consistent verdict (a kind always; fits only for FHIR;
 * what fits and what stores Bundles as resources never overlap; no more
 * resources without id than resources); bytes the sniffer takes for FHIR
 * are JSON that yajl accepts too; a prefix of them, read as cut, is never
 * "not JSON" or "not FHIR" and never counts more resources or missing ids. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "fhir_sniff.h"
#include "fuzz_target.h"


static void consistent(const gcsplan__fhir_head *h, size_t n)
{
    FZ_CHECK(h->status >= GCSPLAN__FHIR_EMPTY && h->status <= GCSPLAN__FHIR_OK, "status %d", h->status);
    FZ_CHECK(h->kind != NULL && h->kind[0] != '\0', "no kind");
    FZ_CHECK((h->fits & ~GCSPLAN__CS_ALL) == 0 && (h->as_resource & ~GCSPLAN__CS_ALL) == 0,
          "bits outside the four structures");
    FZ_CHECK((h->fits & h->as_resource) == 0, "a structure both fits and stores Bundles whole");
    FZ_CHECK(h->missing_id <= h->resources, "%u missing of %u", h->missing_id, h->resources);
    if (h->status == GCSPLAN__FHIR_OK) {
        FZ_CHECK(h->types != 0 && h->layout != GCSPLAN__FHIR_LAYOUT_NONE, "OK without a type or layout");
        FZ_CHECK(h->values >= 1, "OK without a value");
    } else {
        FZ_CHECK(h->fits == 0 && h->as_resource == 0 && h->resources == 0, "fits for non-FHIR");
    }
    if (h->status == GCSPLAN__FHIR_NOT_JSON)
        FZ_CHECK(h->error_offset <= n, "error at %zu of %zu", h->error_offset, n);
}

/* yajl's verdict on the whole input as JSON text of several values. */
static int yajl_accepts(const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        p += 3;
        n -= 3;
    }
    yajl_handle y = yajl_alloc(NULL, NULL, NULL);
    if (y == NULL)
        return -1;
    yajl_config(y, yajl_allow_multiple_values, 1);
    int ok = yajl_parse(y, p, n) == yajl_status_ok && yajl_complete_parse(y) == yajl_status_ok;
    yajl_free(y);
    return ok;
}

/* Nesting past the sniffer's stack makes it stop reading: no oracle then. */
static int shallow(const unsigned char *p, size_t n)
{
    size_t open = 0;
    for (size_t i = 0; i < n; i++)
        open += p[i] == '{' || p[i] == '[';
    return open < GCSPLAN__FHIR_DEPTH_MAX;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input("head", data, size);
    /* An exact copy, so that a read past the end is ASan's to see. */
    unsigned char *p = malloc(size ? size : 1);
    if (p == NULL)
        return 0;
    memcpy(p, data, size);
    gcsplan__fhir_head whole, cut;
    gcsplan__fhir_sniff(&whole, p, size, 1);
    consistent(&whole, size);
    gcsplan__fhir_sniff(&cut, p, size, 0);
    consistent(&cut, size);
    if (whole.status == GCSPLAN__FHIR_OK && shallow(p, size)) {
        int y = yajl_accepts(p, size);
        FZ_CHECK(y != 0, "FHIR by the sniffer, not JSON by yajl");
    }
    /* Prefixes of what reads as FHIR, read as cut. */
    if (whole.status == GCSPLAN__FHIR_OK) {
        size_t lens[8] = { 0, 1, size / 3, size / 2, size - size / 4, size > 0 ? size - 1 : 0,
                           size > 7 ? size - 7 : 0, size };
        for (size_t k = 0; k < 8; k++) {
            size_t m = lens[k];
            unsigned char *q = malloc(m ? m : 1);
            if (q == NULL)
                break;
            memcpy(q, p, m);
            gcsplan__fhir_head h;
            gcsplan__fhir_sniff(&h, q, m, 0);
            free(q);
            consistent(&h, m);
            FZ_CHECK(h.status != GCSPLAN__FHIR_NOT_JSON && h.status != GCSPLAN__FHIR_NOT_FHIR,
                  "the first %zu bytes of FHIR read as %s", m, h.kind);
            FZ_CHECK(h.resources <= whole.resources && h.missing_id <= whole.missing_id,
                  "the first %zu bytes count more than the whole", m);
        }
    }
    free(p);
    return 0;
}
