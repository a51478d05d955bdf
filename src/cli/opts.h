/* Command lines parsed from tables (getopt_long).
 *
 * Each command declares its options as groups: the groups several commands
 * share (the source options, the pre-flight options, --json, -0) are
 * declared once, beside the code that applies them, and each command
 * composes its table from them and its own:
 *
 *     cli_group groups[] = { SOURCE_GROUP(&src), PREFLIGHT_GROUP(&pfa),
 *                            CLI_JSON_GROUP(&json), { plan_options, plan_take, &cfg } };
 *     int rc = cli_parse("plan", argc, argv, groups, CLI_GROUPS(groups), &operands);
 *
 * A shared group's macro may stand for more than one group (SOURCE_GROUP is
 * the storage endpoint and the listing options, so that import can take the
 * first alone): count them with CLI_GROUPS.
 *
 * Every command takes -h/--help. "--opt=value" and "--opt value" are the
 * same; options may follow operands; "--" ends the options. Long options are
 * spelled out in full: getopt_long's abbreviations are refused, so that a
 * new option never changes what a script's abbreviation meant. Usage errors
 * are reported in the tool's words ("gcsplan CMD: unknown option '--x'",
 * "--max-bytes needs a value", then "Try 'gcsplan CMD --help'.") and give
 * exit status 2. */
#ifndef GCSPLAN_CLI_OPTS_H
#define GCSPLAN_CLI_OPTS_H

#include <getopt.h>
#include <stddef.h>

/* One id per option of the whole tool, so that groups compose without
 * clashes; a short option's id is its character. */
enum cli_opt_id {
    OPT_NULL = '0',
    OPT_HELP = 'h',
    OPT_OUTPUT = 'o',
    OPT_LONG_ONLY = 256,
    /* the source group (source_args.c) */
    OPT_LISTING, OPT_BUCKET_DIR, OPT_ENDPOINT, OPT_EXCLUDE, OPT_PARALLEL, OPT_PAGE_SIZE,
    OPT_RETRIES, OPT_RETRY_BASE_MS, OPT_RETRY_MAX_MS, OPT_TIMEOUT, OPT_STRATEGY, OPT_EXPLAIN,
    OPT_PROGRESS, OPT_NO_PROGRESS,
    OPT_STALL_TIMEOUT, OPT_STALL_BYTES,
    /* the pre-flight group (cmd_preflight.c) */
    OPT_PROBE, OPT_NO_PREFLIGHT, OPT_PROBE_PARALLEL, OPT_MAX_OBJECT_SIZE, OPT_EXAMPLES,
    OPT_MAX_EXAMINED, OPT_FAIL_ON,
    /* the store checks of preflight and import (cmd_preflight.c); --store
     * and --content-structure share plan's ids */
    OPT_PROJECT_NUMBER, OPT_SAMPLE,
    /* the output group */
    OPT_JSON,
    /* plan's own (cmd_plan.c) */
    OPT_MAX_OBJECTS, OPT_MAX_BYTES, OPT_MAX_JOBS, OPT_FORMAT, OPT_STORE, OPT_CONTENT_STRUCTURE,
    OPT_API_ENDPOINT, OPT_NO_SUMMARY, OPT_SUMMARY_NODES,
    /* report's own (cmd_report.c) */
    OPT_TITLE,
    /* import's own (cmd_import.c; it also takes --store, --content-structure,
     * --api-endpoint, --retries, --progress and --no-progress) */
    OPT_CONCURRENCY, OPT_POLL_INTERVAL, OPT_JOURNAL, OPT_RETRY_FAILED,
};

/* Options, and how to apply one: take returns 0, or -1 after reporting a
 * usage error (diag_usage) for command cmd. arg is NULL for an option
 * without a value. */
typedef struct cli_group {
    const struct option *options; /* ends with a zeroed entry */
    int (*take)(void *state, int id, const char *arg, const char *cmd);
    void *state;
} cli_group;

/* The number of groups in an array of them. */
#define CLI_GROUPS(g) (sizeof(g) / sizeof((g)[0]))

/* The options of all groups of one command, at most. */
#define CLI_OPTIONS_MAX 64

/* --json (and nothing else yet): the output group. state: an int set to 1. */
extern const struct option cli_json_options[];
int cli_json_take(void *state, int id, const char *arg, const char *cmd);
#define CLI_JSON_GROUP(flag) { cli_json_options, cli_json_take, (flag) }

/* -0, --null: names separated by NUL. state: a char set to '\0'. */
extern const struct option cli_null_options[];
int cli_null_take(void *state, int id, const char *arg, const char *cmd);
#define CLI_NULL_GROUP(sep) { cli_null_options, cli_null_take, (sep) }

/* The operands, in the order given (pointers into argv). */
typedef struct cli_operands {
    char **v;
    size_t n;
} cli_operands;

enum { CLI_PARSED = 0, CLI_HELPED = 1, CLI_BAD = -1 };

/* Parse argv (argv[0] is the command's name) against the groups. Returns
 * CLI_PARSED with the operands in *ops (free with cli_operands_free), or
 * CLI_HELPED after printing the command's help, or CLI_BAD after reporting
 * a usage error. */
int cli_parse(const char *cmd, int argc, char **argv, const cli_group *groups, size_t ngroups,
              cli_operands *ops);
void cli_operands_free(cli_operands *ops);

/* The exit status for what cli_parse returned: 0 after --help, 2 after a
 * usage error. */
int cli_parse_status(int rc);

#endif
