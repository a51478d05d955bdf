/* The gcsplan command-line tool: shared declarations of its subcommands. */
#ifndef GCSPLAN_CLI_H
#define GCSPLAN_CLI_H

#include <stdio.h>
#include <yajl/yajl_gen.h>
#include "gcsplan/gcsplan.h"

/* Exit statuses, SPEC section 2. */
enum {
    EXIT_YES = 0,    /* success */
    EXIT_NO = 1,     /* invalid URI for check; nothing matched */
    EXIT_USAGE = 2,  /* usage error, or an invalid URI given to match/ls/plan */
    EXIT_SOURCE = 3  /* the source failed */
};

/* Subcommands: each takes argv with argv[0] the subcommand's name. */
int cmd_check(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_preflight(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* Help texts (help_text.c): the one source of --help and the man page. */
typedef struct help_page {
    const char *name;     /* subcommand, or NULL for the tool itself */
    const char *summary;  /* one line */
    const char *text;     /* usage and options, as --help prints it */
} help_page;
extern const help_page cli_help_pages[];
const help_page *cli_help(const char *name);
void cli_print_help(FILE *f, const char *name);
void cli_print_man(FILE *f);

/* Diagnostics on stderr (diag.c), coloured on a terminal unless NO_COLOR. */
void diag_init(void);
/* Nonzero when stderr gets colour (a terminal, no NO_COLOR, TERM not dumb). */
int diag_color(void);
void diag_uri_error(const char *uri, size_t len, const gcsplan_error *err);
void diag_uri_warning(const char *uri, size_t len, const gcsplan_warning *w);
void diag_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* "gcsplan SUBCOMMAND: msg" and "Try 'gcsplan SUBCOMMAND --help'.", returns EXIT_USAGE. */
int diag_usage(const char *sub, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* JSON output through yajl (json_out.c). Strings that are not valid UTF-8
 * have each bad byte replaced by U+FFFD, so the output is always JSON. */
yajl_gen json_open(FILE *f);
void json_str(yajl_gen g, const char *s, size_t len);
void json_cstr(yajl_gen g, const char *s);
void json_key(yajl_gen g, const char *key);
void json_int(yajl_gen g, long long v);
/* Write what was generated as one line to f and reset the generator. */
void json_line(yajl_gen g, FILE *f);
/* The warnings array of a compiled pattern, and an error object. */
void json_warnings(yajl_gen g, const gcsplan_pattern *p);
void json_error(yajl_gen g, const gcsplan_error *err);

#endif
