/* The FHIR sniffer (src/fhir_sniff.c): a table of heads, whole and cut,
 * with what each says about the four content structures; then every head
 * cut at every length, which must never read past what it was given (ASan)
 * and never call a prefix of valid JSON "not JSON". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fhir_sniff.h"

#define B GCSPLAN__CS_BUNDLE
#define R GCSPLAN__CS_RESOURCE
#define BP GCSPLAN__CS_BUNDLE_PRETTY
#define RP GCSPLAN__CS_RESOURCE_PRETTY

typedef struct head_case {
    const char *what;
    const char *text;
    int whole;
    gcsplan__fhir_status status;
    const char *kind;
    unsigned int fits, as_resource;
    uint32_t resources, missing_id;
} head_case;

#define PAT "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"name\":[{\"family\":\"Doe\"}]}"
#define OBS "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"valueQuantity\":{\"value\":-1.5e3}}"
#define BUN "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[" \
            "{\"fullUrl\":\"urn:uuid:1\",\"resource\":" PAT "}," \
            "{\"resource\":" OBS "}]}"

static const head_case cases[] = {
    { "NDJSON of resources", PAT "\n" OBS "\n" PAT "\n", 1, GCSPLAN__FHIR_OK,
      "NDJSON of resources", R, 0, 3, 0 },
    { "NDJSON of resources, CRLF", PAT "\r\n" OBS "\r\n", 1, GCSPLAN__FHIR_OK,
      "NDJSON of resources", R, 0, 2, 0 },
    { "NDJSON of resources, no final newline", PAT "\n" OBS, 1, GCSPLAN__FHIR_OK,
      "NDJSON of resources", R, 0, 2, 0 },
    { "NDJSON of resources, BOM", "\xEF\xBB\xBF" PAT "\n" OBS "\n", 1, GCSPLAN__FHIR_OK,
      "NDJSON of resources", R, 0, 2, 0 },
    { "NDJSON of Bundles", BUN "\n" BUN "\n", 1, GCSPLAN__FHIR_OK, "NDJSON of Bundles", B, R,
      4, 0 },
    { "NDJSON of both", BUN "\n" PAT "\n", 1, GCSPLAN__FHIR_OK,
      "NDJSON of resources and Bundles", 0, R, 3, 0 },
    { "one resource over many lines",
      "{\n  \"resourceType\": \"Patient\",\n  \"id\": \"p1\",\n  \"active\": true\n}\n", 1,
      GCSPLAN__FHIR_OK, "one resource over many lines", RP, 0, 1, 0 },
    { "one Bundle over many lines",
      "{\r\n \"resourceType\" : \"Bundle\",\r\n \"entry\" : [ { \"resource\" : " PAT " } ]\r\n}", 1,
      GCSPLAN__FHIR_OK, "one Bundle over many lines", BP, RP, 1, 0 },
    { "one resource on one line", PAT "\n", 1, GCSPLAN__FHIR_OK, "one resource on one line",
      R | RP, 0, 1, 0 },
    { "one Bundle on one line", BUN, 1, GCSPLAN__FHIR_OK, "one Bundle on one line", B | BP,
      R | RP, 2, 0 },
    { "two pretty values", "{\n\"resourceType\":\"Patient\",\"id\":\"a\"\n}\n"
      "{\n\"resourceType\":\"Patient\",\"id\":\"b\"\n}\n", 1, GCSPLAN__FHIR_OK,
      "several JSON values, not one per line", 0, 0, 2, 0 },
    { "two values on one line", PAT " " PAT "\n", 1, GCSPLAN__FHIR_OK,
      "several JSON values, not one per line", 0, 0, 2, 0 },
    /* ids */
    { "resources without id",
      "{\"resourceType\":\"Patient\"}\n{\"resourceType\":\"Patient\",\"id\":\"\"}\n" PAT "\n", 1,
      GCSPLAN__FHIR_OK, "NDJSON of resources", R, 0, 3, 2 },
    { "id not a string", "{\"resourceType\":\"Patient\",\"id\":7}\n", 1, GCSPLAN__FHIR_OK,
      "one resource on one line", R | RP, 0, 1, 1 },
    { "a Bundle's own id is not needed; its entries' are",
      "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\"}},"
      "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient/x\"}},"
      "{\"resource\":{\"id\":\"x\",\"resourceType\":\"Patient\"}}]}", 1, GCSPLAN__FHIR_OK,
      "one Bundle on one line", B | BP, R | RP, 2, 1 },
    { "id found through an escape", "{\"resourceType\":\"Patient\",\"\\u0069d\":\"p\\u0031\"}", 1,
      GCSPLAN__FHIR_OK, "one resource on one line", R | RP, 0, 1, 0 },
    { "a nested id does not count",
      "{\"resourceType\":\"Patient\",\"contact\":[{\"id\":\"c\"}]}", 1, GCSPLAN__FHIR_OK,
      "one resource on one line", R | RP, 0, 1, 1 },
    { "resourceType after the entries",
      "{\"entry\":[{\"resource\":{\"resourceType\":\"Patient\"}}],\"resourceType\":\"Bundle\"}",
      1, GCSPLAN__FHIR_OK, "one Bundle on one line", B | BP, R | RP, 1, 1 },
    { "a repeated resourceType: the first counts, as more bytes would never change it",
      "{\"resourceType\":\"Bundle\",\"resourceType\":\"Patient\",\"entry\":[{\"resource\":"
      "{\"id\":\"a\"}},{\"resource\":{\"id\":\"b\"}}]}", 1, GCSPLAN__FHIR_OK,
      "one Bundle on one line", B | BP, R | RP, 2, 0 },
    { "a List's entries are not resources",
      "{\"resourceType\":\"List\",\"id\":\"l\",\"entry\":[{\"resource\":{\"x\":1}}]}", 1,
      GCSPLAN__FHIR_OK, "one resource on one line", R | RP, 0, 1, 0 },
    /* cut at the read limit */
    { "NDJSON cut in the third line", PAT "\n" PAT "\n{\"resourceType\":\"Pat", 0,
      GCSPLAN__FHIR_OK, "NDJSON of resources", R, 0, 2, 0 },
    { "a cut line whose id was seen", PAT "\n{\"resourceType\":\"Patient\",\"id\":\"z\",\"na", 0,
      GCSPLAN__FHIR_OK, "NDJSON of resources", R, 0, 2, 0 },
    { "a cut line without its id yet", PAT "\n{\"resourceType\":\"Patient\",\"na", 0,
      GCSPLAN__FHIR_OK, "NDJSON of resources", R, 0, 1, 0 },
    { "one long line cut", "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":" PAT "},{\"res",
      0, GCSPLAN__FHIR_OK, "one Bundle on one line", B | BP, R | RP, 1, 0 },
    { "a pretty Bundle cut", "{\n \"resourceType\": \"Bundle\",\n \"entry\": [\n  {\"resource\": {"
      "\"id\": \"a\", \"resourceType\": \"Patient\", \"name\": [{\"fam", 0, GCSPLAN__FHIR_OK,
      "one Bundle over many lines", BP, RP, 1, 0 },
    { "cut inside a string escape", "{\"resourceType\":\"Patient\",\"text\":\"a\\u00", 0,
      GCSPLAN__FHIR_OK, "one resource on one line", R | RP, 0, 0, 0 },
    { "cut inside a UTF-8 character", "{\"resourceType\":\"Patient\",\"n\":\"M\xC3", 0,
      GCSPLAN__FHIR_OK, "one resource on one line", R | RP, 0, 0, 0 },
    { "cut before resourceType", "{\"id\":\"x\",\"text\":{\"div\":\"<div>", 0,
      GCSPLAN__FHIR_UNDECIDED, "no resourceType within the bytes read", 0, 0, 0, 0 },
    /* not JSON, not FHIR */
    { "empty", "", 1, GCSPLAN__FHIR_EMPTY, "empty", 0, 0, 0, 0 },
    { "white space", " \r\n\n", 1, GCSPLAN__FHIR_EMPTY, "empty", 0, 0, 0, 0 },
    { "text", "hello, world\n", 1, GCSPLAN__FHIR_NOT_JSON, "not JSON", 0, 0, 0, 0 },
    { "XML", "<?xml version=\"1.0\"?><Patient xmlns=\"http://hl7.org/fhir\"/>", 1,
      GCSPLAN__FHIR_NOT_JSON, "XML", 0, 0, 0, 0 },
    { "gzip", "\x1f\x8b\x08\x00", 0, GCSPLAN__FHIR_NOT_JSON, "gzip", 0, 0, 0, 0 },
    { "UTF-16", "\xff\xfe{\0", 0, GCSPLAN__FHIR_NOT_JSON, "UTF-16", 0, 0, 0, 0 },
    { "a syntax error in line 2", PAT "\n{\"resourceType\":\"Patient\",}\n", 1,
      GCSPLAN__FHIR_NOT_JSON, "not JSON", 0, 0, 0, 0 },
    { "a raw newline in a string", "{\"resourceType\":\"Pat\nient\"}", 1, GCSPLAN__FHIR_NOT_JSON,
      "not JSON", 0, 0, 0, 0 },
    { "a leading zero", "{\"resourceType\":\"Patient\",\"n\":01}", 1, GCSPLAN__FHIR_NOT_JSON,
      "not JSON", 0, 0, 0, 0 },
    { "a bad literal", "{\"resourceType\":\"Patient\",\"b\":tru}", 1, GCSPLAN__FHIR_NOT_JSON,
      "not JSON", 0, 0, 0, 0 },
    { "bad UTF-8", "{\"resourceType\":\"Patient\",\"n\":\"\xC0\xAF\"}", 1, GCSPLAN__FHIR_NOT_JSON,
      "not UTF-8", 0, 0, 0, 0 },
    { "a surrogate in UTF-8", "{\"resourceType\":\"Patient\",\"n\":\"\xED\xA0\x80\"}", 1,
      GCSPLAN__FHIR_NOT_JSON, "not UTF-8", 0, 0, 0, 0 },
    { "the whole file ends inside a value", PAT "\n{\"resourceType\":\"Patient\"", 1,
      GCSPLAN__FHIR_NOT_JSON, "JSON cut short", 0, 0, 0, 0 },
    { "a JSON array of resources", "[" PAT "," PAT "]", 1, GCSPLAN__FHIR_NOT_FHIR, "JSON array",
      0, 0, 0, 0 },
    { "a number", "42\n", 1, GCSPLAN__FHIR_NOT_FHIR, "not a JSON object", 0, 0, 0, 0 },
    { "no resourceType", "{\"id\":\"x\",\"name\":\"y\"}\n", 1, GCSPLAN__FHIR_NOT_FHIR,
      "no resourceType", 0, 0, 0, 0 },
    { "no resourceType in line 2", PAT "\n{\"id\":\"x\"}\n", 1, GCSPLAN__FHIR_NOT_FHIR,
      "no resourceType", 0, 0, 0, 0 },
    { "resourceType not a string", "{\"resourceType\":{\"x\":1}}", 1, GCSPLAN__FHIR_NOT_FHIR,
      "resourceType not a string", 0, 0, 0, 0 },
    { "garbage after the value", PAT "x", 1, GCSPLAN__FHIR_NOT_JSON, "not JSON", 0, 0, 0, 0 },
};

static void check_case(const head_case *c)
{
    gcsplan__fhir_head h;
    size_t n = strlen(c->text);
    if (strcmp(c->what, "UTF-16") == 0)
        n = 4;
    gcsplan__fhir_sniff(&h, (const unsigned char *)c->text, n, c->whole);
    if (h.status != c->status || strcmp(h.kind, c->kind) != 0 || h.fits != c->fits ||
        h.as_resource != c->as_resource || h.resources != c->resources ||
        h.missing_id != c->missing_id) {
        print_error("%s: status %d kind '%s' fits %u as_resource %u resources %u missing %u\n",
                    c->what, h.status, h.kind, h.fits, h.as_resource, h.resources, h.missing_id);
        fail();
    }
}

static void table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
}

/* Every prefix of a valid head, read as cut: never "not JSON", and what it
 * says about ids never more than the whole says. Each prefix is copied to a
 * block of its own size, so that a read past it is ASan's to see. */
static void every_cut(void **state)
{
    (void)state;
    const char *valid[] = { PAT "\n" OBS "\n", BUN "\n" BUN "\n",
                            "{\n  \"resourceType\": \"Bundle\",\n  \"entry\": [ {\"resource\": " OBS
                            "} ]\n}\n",
                            "\xEF\xBB\xBF{\"resourceType\":\"Patient\",\"n\":\"M\xC3\xBCller \\u00e9\"}" };
    for (size_t v = 0; v < sizeof valid / sizeof valid[0]; v++) {
        size_t n = strlen(valid[v]);
        gcsplan__fhir_head whole;
        gcsplan__fhir_sniff(&whole, (const unsigned char *)valid[v], n, 1);
        assert_int_equal(whole.status, GCSPLAN__FHIR_OK);
        for (size_t k = 0; k <= n; k++) {
            unsigned char *p = malloc(k ? k : 1);
            memcpy(p, valid[v], k);
            gcsplan__fhir_head h;
            gcsplan__fhir_sniff(&h, p, k, 0);
            free(p);
            if (h.status == GCSPLAN__FHIR_NOT_JSON || h.status == GCSPLAN__FHIR_NOT_FHIR) {
                print_error("valid %zu cut at %zu: %s\n", v, k, h.kind);
                fail();
            }
            assert_true(h.resources <= whole.resources);
            assert_true(h.missing_id <= whole.missing_id);
        }
    }
}

/* Nesting past the stack is read as a cut there, not an overflow. */
static void deep_nesting(void **state)
{
    (void)state;
    size_t depth = 100000, n = 0;
    char *p = malloc(2 * depth + 64);
    n += (size_t)sprintf(p, "{\"resourceType\":\"Patient\",\"x\":");
    for (size_t i = 0; i < depth; i++)
        p[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        p[n++] = ']';
    p[n++] = '}';
    gcsplan__fhir_head h;
    gcsplan__fhir_sniff(&h, (const unsigned char *)p, n, 1);
    assert_int_equal(h.status, GCSPLAN__FHIR_OK);
    assert_int_equal(h.types, GCSPLAN__FHIR_HAS_RESOURCE);
    assert_int_equal(h.resources, 0); /* the object never closed within what was read */
    free(p);
}

static void names(void **state)
{
    (void)state;
    for (unsigned int b = 1; b <= GCSPLAN__CS_RESOURCE_PRETTY; b <<= 1)
        assert_int_equal(gcsplan__cs_bit(gcsplan__cs_name(b), strlen(gcsplan__cs_name(b))), b);
    assert_string_equal(gcsplan__cs_name(3), "");
    assert_int_equal(gcsplan__cs_bit("bundle", 6), 0);
    assert_int_equal(gcsplan__cs_bit("BUNDLE_", 7), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(every_cut),
        cmocka_unit_test(deep_nesting),
        cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
