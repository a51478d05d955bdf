/* Diagnostics on stderr, shown the way a compiler shows them. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int color;

void diag_init(void)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    color = isatty(STDERR_FILENO) && (no == NULL || no[0] == '\0') &&
            !(term != NULL && strcmp(term, "dumb") == 0);
}

int diag_color(void) { return color; }

static const char *c_on(const char *code) { return color ? code : ""; }
static const char *c_off(void) { return color ? "\033[0m" : ""; }

static void show(const char *what, const char *col, int rule, const char *uri, size_t len,
                 size_t offset, size_t length, const char *message, const char *hint)
{
    char small[4096];
    size_t need = gcsplan_render_caret(small, sizeof small, uri, len, offset, length, "  ");
    char *caret = small;
    if (need >= sizeof small) {
        caret = malloc(need + 1);
        if (caret != NULL)
            gcsplan_render_caret(caret, need + 1, uri, len, offset, length, "  ");
        else
            caret = small; /* truncated, still useful */
    }
    fprintf(stderr, "%s%s[%s]%s at byte %zu: %s\n", c_on(col), what, gcsplan_rule_name(rule),
            c_off(), offset, message);
    /* The caret line gets the colour of the diagnostic. */
    char *nl = strchr(caret, '\n');
    if (nl != NULL) {
        fwrite(caret, 1, (size_t)(nl - caret) + 1, stderr);
        fprintf(stderr, "%s%s%s", c_on(col), nl + 1, c_off());
    }
    if (hint != NULL && hint[0] != '\0')
        fprintf(stderr, "  %shint:%s %s\n", c_on("\033[1;32m"), c_off(), hint);
    if (caret != small)
        free(caret);
}

void diag_uri_error(const char *uri, size_t len, const gcsplan_error *err)
{
    if (err->code != GCSPLAN_EURI) {
        diag_error("%s", err->message[0] ? err->message : gcsplan_strerror(err->code));
        return;
    }
    show("error", "\033[1;31m", err->rule, uri, len, err->offset, err->length, err->message,
         err->hint);
}

void diag_uri_warning(const char *uri, size_t len, const gcsplan_warning *w)
{
    show("warning", "\033[1;33m", w->rule, uri, len, w->offset, w->length, w->message, w->hint);
}

void diag_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "gcsplan: %serror:%s ", c_on("\033[1;31m"), c_off());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int diag_usage(const char *sub, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "gcsplan%s%s: ", sub ? " " : "", sub ? sub : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'gcsplan%s%s --help'.\n", sub ? " " : "", sub ? sub : "");
    return EXIT_USAGE;
}
