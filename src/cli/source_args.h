/* Options shared by the commands that list objects (ls, plan, preflight,
 * verify): where the objects come from, how to list them, what to
 * exclude, progress; and the listing's start and end around them. import
 * takes the storage endpoint alone, for its pre-flight checks. */
#ifndef GCSPLAN_CLI_SOURCE_ARGS_H
#define GCSPLAN_CLI_SOURCE_ARGS_H

#include "cli.h"
#include "opts.h"

typedef struct source_args {
    gcsplan_lister_options opts;
    gcsplan_filter *exclude;
    int explain;
    int progress;      /* 1 on, 0 off, -1 when stderr is a terminal */
    const char *uri;
} source_args;

void source_args_init(source_args *s);

/* The source groups of a command's option table (opts.h): two groups, the
 * storage group and the listing options. */
extern const struct option source_options[];
int source_args_take(void *state, int id, const char *arg, const char *cmd);
#define SOURCE_GROUP(s) STORAGE_GROUP(s), { source_options, source_args_take, (s) }

/* --endpoint alone: where live Cloud Storage is, for a command that reads
 * objects and policies without listing (import's pre-flight checks). The
 * state is a source_args whose source stays live. */
extern const struct option storage_options[];
#define STORAGE_GROUP(s) { storage_options, source_args_take, (s) }

/* The one URI operand of ls, plan and preflight into s->uri. Returns 0, or
 * -1 after reporting a usage error (none, or more than one). */
int source_args_uri(source_args *s, const char *cmd, const cli_operands *ops);

/* Compile the URI (reporting errors and warnings) and make the lister.
 * Returns EXIT_YES or the exit status to return. */
int source_args_open(source_args *s, gcsplan_pattern **pattern, gcsplan_lister **lister);
/* After listing: progress line cleared, --explain summary, error report.
 * rc is what the listing ended with. Returns the exit status for an error,
 * or EXIT_YES when rc is GCSPLAN_ITEROVER/0. */
int source_args_close(source_args *s, gcsplan_lister *l, int rc);
void source_args_free(source_args *s);

#endif
