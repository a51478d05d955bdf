/* The pattern classes the benchmarks measure, each written three ways with
 * the same meaning on the benchmark corpus: a gcsplan URI, the closest glibc
 * fnmatch() pattern and flags, and the equivalent anchored regex (PCRE2 for
 * bench_match, POSIX ERE for the grep comparison in cli_match.sh).
 *
 * fnmatch has no '**': the recursive class runs fnmatch without
 * FNM_PATHNAME, where '*' crosses '/', which is what '**' means there. The
 * other classes use FNM_PATHNAME. fnmatch runs in the C locale, its fastest,
 * where '?' is one byte, not one character; no '?' in these patterns faces a
 * non-ASCII character in the corpus, and bench_match checks that every
 * engine counts the same matches. */
#ifndef GCSPLAN_BENCH_CASES_H
#define GCSPLAN_BENCH_CASES_H

#include <fnmatch.h>

#include "names.h"

typedef struct bench_case {
    const char *name;      /* short label for the table */
    const char *uri;       /* gcsplan */
    const char *fnmatch;   /* glibc fnmatch pattern */
    int fnmatch_flags;
    const char *regex;     /* anchored at both ends by the caller */
    const char *prefix;    /* memcmp baseline, for PREFIX**SUFFIX only */
    const char *suffix;
} bench_case;

#define BENCH_URI(object) "gs://bench-bucket/" object

static const bench_case bench_cases[] = {
    { "recursive", BENCH_URI("studies/2019/**.dcm"),
      "studies/2019/*.dcm", 0,
      "studies/2019/.*\\.dcm", "studies/2019/", ".dcm" },
    { "segments", BENCH_URI("studies/20?9/patient-*/series-?/IM-*-00?2.dcm"),
      "studies/20?9/patient-*/series-?/IM-*-00?2.dcm", FNM_PATHNAME,
      "studies/20[^/]9/patient-[^/]*/series-[^/]/IM-[^/]*-00[^/]2\\.dcm", NULL, NULL },
    { "literal", BENCH_URI(BENCH_KNOWN_NAME),
      BENCH_KNOWN_NAME, FNM_PATHNAME,
      "studies/2019/patient-00123/series-4/IM-0001-0042\\.dcm", NULL, NULL },
    /* Seven stars in one segment, each before a character that is common
     * there: a backtracking matcher tries many placements per name. */
    { "many-star", BENCH_URI("studies/*/*/*/*0*0*0*0*0*0*1.dcm"),
      "studies/*/*/*/*0*0*0*0*0*0*1.dcm", FNM_PATHNAME,
      "studies/[^/]*/[^/]*/[^/]*/[^/]*0[^/]*0[^/]*0[^/]*0[^/]*0[^/]*0[^/]*1\\.dcm", NULL, NULL },
    { "no-match", BENCH_URI("studies/*/patient-*/series-*/*.nii.gz"),
      "studies/*/patient-*/series-*/*.nii.gz", FNM_PATHNAME,
      "studies/[^/]*/patient-[^/]*/series-[^/]*/[^/]*\\.nii\\.gz", NULL, NULL },
};

#define BENCH_NCASES (sizeof bench_cases / sizeof bench_cases[0])

#endif
