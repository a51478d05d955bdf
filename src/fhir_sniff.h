/* The FHIR sniffer: what the first bytes of an object say about how
 * fhirStores.import will read it.
 *
 * The import reads an object in one of four content structures (SPEC
 * section 5): BUNDLE and RESOURCE are newline-delimited JSON, one Bundle or
 * one resource per line; BUNDLE_PRETTY and RESOURCE_PRETTY are one JSON
 * value, a Bundle or a resource, over as many lines as it likes. The
 * sniffer reads at most GCSPLAN__FHIR_SAMPLE_BYTES of an object, usually
 * less than the whole, and tells
 *
 *   - whether the bytes are JSON at all, and FHIR (objects with a string
 *     "resourceType");
 *   - the layout: several values one per line (NDJSON), one value over many
 *     lines (pretty), one value on one line (either), or something else;
 *   - whether the values are Bundles, other resources, or both;
 *   - which of the four structures fit, and under which a Bundle would be
 *     stored as a Bundle resource instead of being unpacked;
 *   - resources without "id": top-level resources and the resources of a
 *     Bundle's entries (entry[].resource), counted only when their object
 *     closed within the bytes read, or their "id" was seen before the cut.
 *
 * It is a parser of outside input: one pass, no allocation, a fixed stack
 * of GCSPLAN__FHIR_DEPTH_MAX containers (deeper is treated as the end of
 * what can be read), every string and number checked as JSON's grammar
 * says, UTF-8 checked inside strings. Thread-safe: no state outside *out. */
#ifndef GCSPLAN_FHIR_SNIFF_H
#define GCSPLAN_FHIR_SNIFF_H

#include <stddef.h>
#include <stdint.h>

/* Bytes read of each sampled object of a FHIR import: enough for several
 * NDJSON lines of small resources, or the head of a Bundle and its first
 * entries. */
#define GCSPLAN__FHIR_SAMPLE_BYTES 4096
/* Containers open at once; FHIR resources nest far less. */
#define GCSPLAN__FHIR_DEPTH_MAX 64
/* The longest resourceType read (FHIR's longest is 36 characters); only
 * "Bundle" matters. */
#define GCSPLAN__FHIR_TYPE_MAX 48

/* The content structures, as bits. */
#define GCSPLAN__CS_BUNDLE 0x1u
#define GCSPLAN__CS_RESOURCE 0x2u
#define GCSPLAN__CS_BUNDLE_PRETTY 0x4u
#define GCSPLAN__CS_RESOURCE_PRETTY 0x8u
#define GCSPLAN__CS_ALL 0xfu

typedef enum gcsplan__fhir_status {
    GCSPLAN__FHIR_EMPTY = 0,  /* nothing but white space (or nothing) */
    GCSPLAN__FHIR_NOT_JSON,   /* a syntax error, or not text that starts like JSON */
    GCSPLAN__FHIR_NOT_FHIR,   /* JSON, but not objects with a string "resourceType" */
    GCSPLAN__FHIR_UNDECIDED,  /* JSON so far, but no resourceType within the bytes read */
    GCSPLAN__FHIR_OK          /* FHIR resources: layout, types and fits below */
} gcsplan__fhir_status;

typedef enum gcsplan__fhir_layout {
    GCSPLAN__FHIR_LAYOUT_NONE = 0,
    GCSPLAN__FHIR_NDJSON,     /* two or more values, one per line, none spanning lines */
    GCSPLAN__FHIR_PRETTY,     /* one value spanning lines, nothing after it */
    GCSPLAN__FHIR_ONE_LINE,   /* one value on one line (whole, or cut before any newline) */
    GCSPLAN__FHIR_OTHER       /* several values of which one spans lines, or two on a line */
} gcsplan__fhir_layout;

#define GCSPLAN__FHIR_HAS_BUNDLE 0x1u
#define GCSPLAN__FHIR_HAS_RESOURCE 0x2u

typedef struct gcsplan__fhir_head {
    gcsplan__fhir_status status;
    gcsplan__fhir_layout layout;
    /* A short, static description for tallies and examples: "NDJSON of
     * resources", "one Bundle over many lines", "not JSON", "XML", "no
     * resourceType", ... */
    const char *kind;
    unsigned int types;       /* GCSPLAN__FHIR_HAS_* of the values whose type is known */
    unsigned int fits;        /* GCSPLAN__CS_* under which the import reads it as meant */
    unsigned int as_resource; /* GCSPLAN__CS_* under which its Bundles become Bundle resources */
    uint32_t values;          /* top-level values begun */
    uint32_t resources;       /* resources whose "id" is known present or absent */
    uint32_t missing_id;      /* of those, without a string "id" */
    size_t error_offset;      /* NOT_JSON after a syntax error: the byte */
} gcsplan__fhir_head;

/* Sniff p[0..n). whole: the bytes are the whole object (else they were cut
 * at the read limit, and the last value may be unfinished). Never fails;
 * fills *out. */
void gcsplan__fhir_sniff(gcsplan__fhir_head *out, const unsigned char *p, size_t n, int whole);

/* "BUNDLE", "RESOURCE", "BUNDLE_PRETTY", "RESOURCE_PRETTY" for one bit; "" otherwise. */
const char *gcsplan__cs_name(unsigned int cs);
/* The bit of a content structure's name (len bytes), or 0. */
unsigned int gcsplan__cs_bit(const char *name, size_t len);

#endif
