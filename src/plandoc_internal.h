/* What the plan reader (plandoc_read.c) builds and plandoc.c hands out. */
#ifndef GCSPLAN_PLANDOC_INTERNAL_H
#define GCSPLAN_PLANDOC_INTERNAL_H

#include "gcsplan/plandoc.h"

/* Strings of a document live in blocks that never move, so the pointers in
 * the head and the jobs stay valid while the jobs array grows. */
typedef struct gcsplan__block {
    struct gcsplan__block *next;
    size_t used, cap;
    char data[];
} gcsplan__block;

struct gcsplan_plan_doc {
    gcsplan_allocator alloc;
    gcsplan_plan_head head;
    gcsplan_plan_job *jobs;
    size_t njobs, cap;
    gcsplan__block *blocks;
    uint64_t digest;
    struct gcsplan_summary *summary; /* GCSPLAN_PLAN_READ_SUMMARY; owned */
    const char *preflight;           /* GCSPLAN_PLAN_READ_PREFLIGHT; in blocks */
    size_t preflight_len;
};

/* A copy of s[0..n) and a NUL in d's blocks, or NULL when out of memory. */
char *gcsplan__doc_strdup(gcsplan_plan_doc *d, const char *s, size_t n);
/* Append a job (its strings already in d's blocks). 0 or GCSPLAN_ENOMEM. */
int gcsplan__doc_push(gcsplan_plan_doc *d, const gcsplan_plan_job *j);

/* 16 hexadecimal digits, either case, as a number. 0, or -1 when s is not that. */
int gcsplan__parse_hex64(const char *s, size_t n, uint64_t *out);

#endif
