/* A snapshot of a listing on disk: the planner reads the objects once to
 * plan, and again (or more, with --max-jobs) to prove and to refine, so
 * every pass sees the same objects even when the source is live. */
#ifndef GCSPLAN_CLI_SPOOL_H
#define GCSPLAN_CLI_SPOOL_H

#include <stdint.h>
#include <stdio.h>

typedef struct spool {
    FILE *f;
    uint64_t count;
    char name[1025];
    size_t len;
    uint64_t size;
    int64_t generation;
    int excluded;
} spool;

int spool_open(spool *s);
int spool_put(spool *s, const char *name, size_t len, uint64_t size, int64_t generation,
              int excluded);
/* Start reading from the beginning. */
int spool_rewind(spool *s);
/* The next record into s->name/len/size/excluded: 1, 0 at the end, -1 on error. */
int spool_next(spool *s);
void spool_close(spool *s);

#endif
