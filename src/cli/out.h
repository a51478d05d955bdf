/* Standard output, one layer for every command.
 *
 * Buffered writes straight to the file descriptor: large writes, no stdio
 * locking per record, and a closed pipe seen as EPIPE rather than SIGPIPE.
 * One rule for every command (docs/cli.md): a write error stops the output
 * and is reported once, at the end, as "gcsplan: error: writing stdout: ..."
 * with exit status 3; a reader that closed the pipe (EPIPE) only stops the
 * output: the command ends with the status it would have had.
 *
 * Text from outside (object names, URIs, file contents) reaches a terminal
 * only escaped (src/util/escape.h): out_text always escapes it, for reports
 * people read; out_record escapes a newline-separated name when stdout is a
 * terminal and writes the raw bytes to pipes and files (and with -0); out_json
 * writes JSON and, on a terminal, spells the characters that could move the
 * cursor or reorder text (DEL, C1 controls, bidirectional and invisible
 * format characters) as \uXXXX escapes, which is the same JSON value. */
#ifndef GCSPLAN_CLI_OUT_H
#define GCSPLAN_CLI_OUT_H

#include <stddef.h>

#define OUT_SIZE (1u << 18)

typedef struct out_writer {
    int fd;
    char *buf;
    size_t len;
    int failed; /* errno of the first failed write, or 0; later writes are dropped */
    int tty;    /* fd is a terminal: escape names, flush each line */
    const char *name; /* what fd is, for messages; NULL: stdout */
} out_writer;

int out_open(out_writer *w, int fd);
/* Raw bytes: the tool's own text, or JSON already escaped. */
void out_write(out_writer *w, const char *s, size_t n);
/* A name and its separator: escaped on a terminal when sep is '\n'. */
void out_record(out_writer *w, const char *s, size_t n, char sep);
void out_flush(out_writer *w);
void out_close(out_writer *w);

/* --- the tool's stdout ------------------------------------------------------------ */

/* Open stdout's writer (main, once). 0 or -1 when out of memory. */
int out_init(void);
/* The writer of stdout, for the record-oriented calls above. */
out_writer *out_stdout(void);
/* From now on what goes to stdout goes to fd instead (-o FILE), named name
 * in messages: what was written before is flushed to the old descriptor
 * first. The one rule above holds for fd as for stdout. */
void out_redirect(int fd, const char *name);
/* The tool's own text (no outside bytes in it). */
void out_puts(const char *s);
void out_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Text from outside in a report: always escaped for a terminal. */
void out_text(const char *s, size_t n);
void out_ctext(const char *s);
/* JSON text (see above). */
void out_json(const char *s, size_t n);
/* Nonzero once a write failed or the reader left: stop producing output. */
int out_stopped(void);
/* End of the command: flush, report a write error other than EPIPE once,
 * and return the exit status: status, or 3 after such an error. */
int out_finish(int status);

/* --- small helpers of the tool ------------------------------------------------------ */

/* Seconds since *start, which the first call sets; never less than 1 ms,
 * so that rates can be divided by it. For status lines. */
double cli_elapsed(double *start);
/* SIZE: bytes, or a number with K, M, G or T (powers of 1024). 0 or -1. */
int cli_parse_size(const char *s, unsigned long long *out);
/* A positive decimal count. 0 or -1. */
int cli_parse_count(const char *s, unsigned long long *out);

#endif
