/* Command lines parsed from tables (opts.h). */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opts.h"

const struct option cli_json_options[] = {
    { "json", no_argument, NULL, OPT_JSON },
    { NULL, 0, NULL, 0 },
};

int cli_json_take(void *state, int id, const char *arg, const char *cmd)
{
    (void)id;
    (void)arg;
    (void)cmd;
    *(int *)state = 1;
    return 0;
}

const struct option cli_null_options[] = {
    { "null", no_argument, NULL, OPT_NULL },
    { NULL, 0, NULL, 0 },
};

int cli_null_take(void *state, int id, const char *arg, const char *cmd)
{
    (void)id;
    (void)arg;
    (void)cmd;
    *(char *)state = '\0';
    return 0;
}

static const struct option help_option = { "help", no_argument, NULL, OPT_HELP };

/* The option of the table with this id, or NULL. */
static const struct option *by_id(const struct option *all, int id)
{
    for (const struct option *o = all; o->name != NULL; o++)
        if (o->val == id)
            return o;
    return NULL;
}

/* The argv element that held the long option getopt_long just returned:
 * it is the last one consumed, or the one before when the value came
 * separately. Options are not permuted ('-' mode), so this holds. */
static const char *long_element(char **argv, const struct option *o)
{
    const char *e = argv[optind - 1];
    if (o->has_arg != no_argument && optarg == e && optind >= 2)
        e = argv[optind - 2];
    return e;
}

/* "--name" or "--name=...", spelled out in full. */
static int spelled_out(const char *e, const char *name)
{
    size_t n = strlen(name);
    return strncmp(e, "--", 2) == 0 && strncmp(e + 2, name, n) == 0 &&
           (e[2 + n] == '\0' || e[2 + n] == '=');
}

/* A usage error about an option, in the tool's words rather than getopt's. */
static int bad_option(const char *cmd, char **argv, const struct option *all, int c)
{
    const char *e = optind >= 1 ? argv[optind - 1] : "";
    const struct option *o = optopt ? by_id(all, optopt) : NULL;
    if (c == ':') {
        if (o != NULL && strncmp(e, "--", 2) == 0)
            return diag_usage(cmd, "--%s needs a value", o->name), CLI_BAD;
        return diag_usage(cmd, "-%c needs a value", optopt), CLI_BAD;
    }
    if (o != NULL && strncmp(e, "--", 2) == 0 && strchr(e, '=') != NULL)
        return diag_usage(cmd, "--%s takes no value", o->name), CLI_BAD;
    if (optopt > 0 && optopt < 256 && strncmp(e, "--", 2) != 0)
        return diag_usage(cmd, "unknown option '-%c'", optopt), CLI_BAD;
    return diag_usage(cmd, "unknown option '%s'", e), CLI_BAD;
}

int cli_parse(const char *cmd, int argc, char **argv, const cli_group *groups, size_t ngroups,
              cli_operands *ops)
{
    struct option all[CLI_OPTIONS_MAX + 2];
    /* '-': operands come back in order as option 1, whatever POSIXLY_CORRECT
     * says; ':': a missing value is ':', not '?'. */
    char shorts[2 * CLI_OPTIONS_MAX + 4] = "-:";
    size_t n = 0, ns = 2;
    all[n++] = help_option;
    for (size_t g = 0; g < ngroups; g++)
        for (const struct option *o = groups[g].options; o->name != NULL; o++) {
            if (n == CLI_OPTIONS_MAX)
                abort(); /* a table too large is a bug of the tool */
            all[n++] = *o;
        }
    memset(&all[n], 0, sizeof all[n]);
    for (size_t i = 0; i < n; i++)
        if (all[i].val > 0 && all[i].val < OPT_LONG_ONLY) {
            shorts[ns++] = (char)all[i].val;
            if (all[i].has_arg == required_argument)
                shorts[ns++] = ':';
        }
    shorts[ns] = '\0';

    ops->n = 0;
    ops->v = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *ops->v);
    if (ops->v == NULL) {
        diag_error("out of memory");
        return CLI_BAD;
    }
    opterr = 0; /* our messages, not getopt's */
    optind = 0; /* a full reset, should a process parse twice */
    for (;;) {
        int idx = -1;
        int c = getopt_long(argc, argv, shorts, all, &idx);
        if (c == -1)
            break;
        if (c == 1) {
            ops->v[ops->n++] = optarg;
            continue;
        }
        if (c == '?' || c == ':') {
            cli_operands_free(ops);
            return bad_option(cmd, argv, all, c);
        }
        if (idx >= 0 && !spelled_out(long_element(argv, &all[idx]), all[idx].name)) {
            cli_operands_free(ops);
            return diag_usage(cmd, "unknown option '%s'", long_element(argv, &all[idx])), CLI_BAD;
        }
        if (c == OPT_HELP) {
            cli_operands_free(ops);
            cli_print_help(cmd);
            return CLI_HELPED;
        }
        for (size_t g = 0; g < ngroups; g++)
            if (by_id(groups[g].options, c) != NULL) {
                if (groups[g].take(groups[g].state, c, optarg, cmd) != 0) {
                    cli_operands_free(ops);
                    return CLI_BAD;
                }
                break;
            }
    }
    /* After "--": everything is an operand. */
    while (optind < argc)
        ops->v[ops->n++] = argv[optind++];
    return CLI_PARSED;
}

void cli_operands_free(cli_operands *ops)
{
    free(ops->v);
    ops->v = NULL;
    ops->n = 0;
}

int cli_parse_status(int rc)
{
    return rc == CLI_HELPED ? EXIT_YES : EXIT_USAGE;
}
