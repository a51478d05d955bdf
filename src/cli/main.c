/* gcsplan: dispatch to a subcommand; stdout's one rule for every command. */
#include <signal.h>
#include <string.h>

#include "cli.h"
#include "out.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    { "check", cmd_check },
    { "match", cmd_match },
    { "ls", cmd_ls },
    { "preflight", cmd_preflight },
    { "plan", cmd_plan },
    { "verify", cmd_verify },
    { "report", cmd_report },
    { "import", cmd_import },
};

static int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return diag_usage(NULL, "a command is required");
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        cli_print_help(argc > 2 && strcmp(sub, "help") == 0 ? argv[2] : NULL);
        return EXIT_YES;
    }
    if (strcmp(sub, "-V") == 0 || strcmp(sub, "--version") == 0) {
        out_printf("gcsplan %s\n", gcsplan_version());
        return EXIT_YES;
    }
    if (strcmp(sub, "--man") == 0) {
        cli_print_man();
        return EXIT_YES;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(sub, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    return diag_usage(NULL, "unknown command '%s'", sub);
}

int main(int argc, char **argv)
{
    /* A closed pipe (gcsplan ... | head) is seen as EPIPE and ends the
     * output quietly instead of killing the process. */
    signal(SIGPIPE, SIG_IGN);
    diag_init();
    if (out_init() != 0) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    /* Whatever the command, a failed write to stdout ends as out.h says. */
    return out_finish(dispatch(argc, argv));
}
