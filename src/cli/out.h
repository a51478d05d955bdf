/* Buffered output straight to a file descriptor: large writes, no stdio
 * locking per record, and a closed pipe seen as EPIPE rather than SIGPIPE. */
#ifndef GCSPLAN_CLI_OUT_H
#define GCSPLAN_CLI_OUT_H

#include <stddef.h>

#define OUT_SIZE (1u << 18)

typedef struct out_writer {
    int fd;
    char *buf;
    size_t len;
    int failed; /* errno of the first failed write, or 0; later writes are dropped */
} out_writer;

int out_open(out_writer *w, int fd);
void out_write(out_writer *w, const char *s, size_t n);
/* s, then the separator byte. */
void out_record(out_writer *w, const char *s, size_t n, char sep);
void out_flush(out_writer *w);
void out_close(out_writer *w);

/* Seconds since *start, which the first call sets; never less than 1 ms,
 * so that rates can be divided by it. For status lines. */
double cli_elapsed(double *start);
/* SIZE: bytes, or a number with K, M, G or T (powers of 1024). 0 or -1. */
int cli_parse_size(const char *s, unsigned long long *out);
/* A positive decimal count. 0 or -1. */
int cli_parse_count(const char *s, unsigned long long *out);

#endif
