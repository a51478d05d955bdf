/* The gcsplan command-line tool: shared declarations of its subcommands. */
#ifndef GCSPLAN_CLI_H
#define GCSPLAN_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>
#include "gcsplan/gcsplan.h"

/* Exit statuses, SPEC section 2. */
enum {
    EXIT_YES = 0,    /* success */
    EXIT_NO = 1,     /* invalid URI for check; nothing matched */
    EXIT_USAGE = 2,  /* usage error, or an invalid URI given to match/ls/plan */
    EXIT_SOURCE = 3  /* the source failed; I/O; no plan exists (GCSPLAN_EPLAN) */
};

/* Subcommands: each takes argv with argv[0] the subcommand's name. */
int cmd_check(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_preflight(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_import(int argc, char **argv);

/* Help texts (help_text.c): the one source of --help and the man page. */
typedef struct help_page {
    const char *name;     /* subcommand, or NULL for the tool itself */
    const char *summary;  /* one line */
    const char *text;     /* usage and options, as --help prints it */
} help_page;
extern const help_page cli_help_pages[];
const help_page *cli_help(const char *name);
/* The help of a command (NULL: the tool's), and the man page, on stdout. */
void cli_print_help(const char *name);
void cli_print_man(void);

/* Diagnostics on stderr (diag.c), coloured on a terminal unless NO_COLOR.
 * Everything they print is escaped for the terminal first. */
void diag_init(void);
/* Nonzero when stderr gets colour (a terminal, no NO_COLOR, TERM not dumb). */
int diag_color(void);
void diag_uri_error(const char *uri, size_t len, const gcsplan_error *err);
void diag_uri_warning(const char *uri, size_t len, const gcsplan_warning *w);
/* "gcsplan: error: msg" */
void diag_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* "gcsplan SUBCOMMAND: warning: msg" */
void diag_warning(const char *sub, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* One line as it is (a summary): "msg" */
void diag_note(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Lines of text (a library's explanation), each escaped, line ends kept. */
void diag_text(const char *text);
/* "gcsplan SUBCOMMAND: msg" and "Try 'gcsplan SUBCOMMAND --help'.", returns EXIT_USAGE. */
int diag_usage(const char *sub, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* JSON Lines output through yajl (json_out.c). Strings that are not valid
 * UTF-8 have each bad byte replaced by U+FFFD, so the output is always JSON. */
yajl_gen json_open(void);
void json_str(yajl_gen g, const char *s, size_t len);
void json_cstr(yajl_gen g, const char *s);
void json_key(yajl_gen g, const char *key);
void json_int(yajl_gen g, long long v);
/* A count or size: unsigned 64-bit, all of it (2^63 and up included). */
void json_u64(yajl_gen g, uint64_t v);
/* A value that is already JSON (a library's document, compact, valid
 * UTF-8), inserted as it is. */
void json_raw(yajl_gen g, const char *json, size_t len);
/* Write what was generated as one line on stdout (out.h) and reset the generator. */
void json_line(yajl_gen g);
/* The warnings array of a compiled pattern, and an error object. */
void json_warnings(yajl_gen g, const gcsplan_pattern *p);
void json_error(yajl_gen g, const gcsplan_error *err);

#endif
