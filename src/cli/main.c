/* gcsplan: dispatch to a subcommand. */
#include <signal.h>
#include <string.h>

#include "cli.h"

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
};

int main(int argc, char **argv)
{
    /* A closed pipe (gcsplan ... | head) is seen as EPIPE and ends the
     * output quietly instead of killing the process. */
    signal(SIGPIPE, SIG_IGN);
    diag_init();
    if (argc < 2)
        return diag_usage(NULL, "a command is required");
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        cli_print_help(stdout, argc > 2 && strcmp(sub, "help") == 0 ? argv[2] : NULL);
        return EXIT_YES;
    }
    if (strcmp(sub, "-V") == 0 || strcmp(sub, "--version") == 0) {
        printf("gcsplan %s\n", gcsplan_version());
        return EXIT_YES;
    }
    if (strcmp(sub, "--man") == 0) {
        cli_print_man(stdout);
        return EXIT_YES;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(sub, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    return diag_usage(NULL, "unknown command '%s'", sub);
}
