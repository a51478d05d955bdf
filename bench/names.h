/* A deterministic corpus of realistic Cloud Storage object names for the
 * benchmarks: DICOM studies, archives with deep date paths, uploads under
 * UTF-8 folder names, exports, a few short names. The same count and seed
 * give the same names, byte for byte, on every machine. */
#ifndef GCSPLAN_BENCH_NAMES_H
#define GCSPLAN_BENCH_NAMES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One name that every corpus holds (at indices congruent to
 * BENCH_KNOWN_EVERY - 1), so that a literal pattern has matches. */
#define BENCH_KNOWN_NAME "studies/2019/patient-00123/series-4/IM-0001-0042.dcm"
#define BENCH_KNOWN_EVERY 10000u

typedef struct bench_names {
    char *text;       /* all names, each followed by a NUL */
    size_t *off;      /* name i starts at text + off[i] */
    uint32_t *len;    /* and is len[i] bytes long (no NUL) */
    size_t count;
    size_t bytes;     /* total name bytes, without the NULs */
} bench_names;

/* Generate count names from seed. Returns 0, or -1 when memory runs out. */
int bench_names_generate(bench_names *n, size_t count, uint64_t seed);

void bench_names_free(bench_names *n);

/* Write the names, one per line, to f. Returns 0 or -1 on a write error. */
int bench_names_write(const bench_names *n, FILE *f);

#endif
