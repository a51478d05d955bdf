/* -o FILE: stdout into a file people keep (a plan, a report page).
 *
 * The file is written beside its final name and renamed over it once it is
 * complete, so a run that fails part way never leaves half a plan or half a
 * page where a whole one was, or a partial file where there was none. A
 * name that exists and is not a regular file (a FIFO, a terminal,
 * /dev/stdout, a symbolic link) is written in place instead: renaming over
 * it would replace it, not write to it. "-" is stdout itself. */
#ifndef GCSPLAN_CLI_OUT_FILE_H
#define GCSPLAN_CLI_OUT_FILE_H

#include "opts.h"

/* -o FILE, --output FILE, for the commands that take it (opts.h). state: a
 * const char * set to FILE. */
extern const struct option out_file_options[];
int out_file_take(void *state, int id, const char *arg, const char *cmd);
#define OUT_FILE_GROUP(path) { out_file_options, out_file_take, (path) }

typedef struct out_file {
    const char *path; /* as given; NULL or "-": stdout */
    char *tmp;        /* the file being written, renamed to path at the end; NULL: in place */
    int fd;           /* -1 when nothing is open */
} out_file;

/* Send stdout (out.h) to path from now on. Returns EXIT_YES, or EXIT_SOURCE
 * after reporting why the file cannot be written. */
int out_file_open(out_file *f, const char *path);

/* The command is done with its output, with status. For a result (EXIT_YES
 * or EXIT_NO) that was written whole, the file is put in place; otherwise
 * the temporary file is removed (a failed write is then out_finish's to
 * report, against the file's name). Returns status, or EXIT_SOURCE after
 * reporting a failure to close or rename. */
int out_file_close(out_file *f, int status);

#endif
