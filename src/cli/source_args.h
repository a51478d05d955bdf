/* Options shared by the commands that list objects (ls, plan): where the
 * objects come from, how to list them, what to exclude, progress. */
#ifndef GCSPLAN_CLI_SOURCE_ARGS_H
#define GCSPLAN_CLI_SOURCE_ARGS_H

#include "cli.h"

typedef struct source_args {
    gcsplan_lister_options opts;
    gcsplan_filter *exclude;
    int explain;
    int progress;      /* 1 on, 0 off, -1 when stderr is a terminal */
    const char *uri;
} source_args;

void source_args_init(source_args *s);
/* Try argv[*i] (and its value) as a source option. Returns 1 when consumed
 * (and advances *i past a value), 0 when not one, -1 after a usage error
 * (already reported for command `sub`). */
int source_args_take(source_args *s, const char *sub, int argc, char **argv, int *i);
/* What is left of a command line once the command's own options are taken:
 * --help (prints the command's help), an unknown option (a usage error), or
 * the URI (only one). Returns 1 when the argument was the URI, 0 after
 * --help, -1 after a usage error (reported). */
int source_args_rest(source_args *s, const char *sub, const char *a);
/* After the arguments: the URI must have been given. Returns 0, or -1 after
 * reporting a usage error. */
int source_args_need_uri(const source_args *s, const char *sub);

/* Compile the URI (reporting errors and warnings) and make the lister.
 * Returns EXIT_YES or the exit status to return. */
int source_args_open(source_args *s, const char *sub, gcsplan_pattern **pattern,
                     gcsplan_lister **lister);
/* After listing: progress line cleared, --explain summary, error report.
 * rc is what the listing ended with. Returns the exit status for an error,
 * or EXIT_YES when rc is GCSPLAN_ITEROVER/0. */
int source_args_close(source_args *s, gcsplan_lister *l, int rc);
void source_args_free(source_args *s);

#endif
