/* -o FILE (out_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "out.h"
#include "out_file.h"

const struct option out_file_options[] = {
    { "output", required_argument, NULL, OPT_OUTPUT },
    { NULL, 0, NULL, 0 },
};

int out_file_take(void *state, int id, const char *arg, const char *cmd)
{
    (void)id;
    if (arg[0] == '\0')
        return diag_usage(cmd, "-o needs a file name (or - for stdout)"), -1;
    *(const char **)state = arg;
    return 0;
}

int out_file_open(out_file *f, const char *path)
{
    f->path = path;
    f->tmp = NULL;
    f->fd = -1;
    if (path == NULL || strcmp(path, "-") == 0)
        return EXIT_YES;
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (f->fd < 0) {
            diag_error("cannot write %s: %s", path, strerror(errno));
            return EXIT_SOURCE;
        }
        out_redirect(f->fd, path);
        return EXIT_YES;
    }
    size_t n = strlen(path);
    f->tmp = malloc(n + sizeof ".XXXXXX");
    if (f->tmp == NULL) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    memcpy(f->tmp, path, n);
    memcpy(f->tmp + n, ".XXXXXX", sizeof ".XXXXXX");
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        diag_error("cannot write %s: %s", path, strerror(errno));
        free(f->tmp);
        f->tmp = NULL;
        return EXIT_SOURCE;
    }
    /* mkstemp makes the file private (0600); the file is a plan or a page
     * to share, so it gets the mode a new file gets (0666 less the umask). */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(f->fd, 0666 & ~mask) != 0) {
        diag_error("cannot write %s: %s", path, strerror(errno));
        close(f->fd);
        unlink(f->tmp);
        free(f->tmp);
        f->tmp = NULL;
        f->fd = -1;
        return EXIT_SOURCE;
    }
    out_redirect(f->fd, path);
    return EXIT_YES;
}

int out_file_close(out_file *f, int status)
{
    if (f->fd < 0)
        return status;
    out_flush(out_stdout());
    int whole = !out_stopped() && (status == EXIT_YES || status == EXIT_NO);
    /* A failed write stays with the writer, for out_finish to report
     * against the file's name; otherwise stdout is stdout again. */
    if (!out_stopped())
        out_redirect(STDOUT_FILENO, NULL);
    int rc = close(f->fd);
    f->fd = -1;
    if (whole && rc != 0) {
        /* Some file systems report a failed write only at close. */
        diag_error("writing %s: %s", f->path, strerror(errno));
        whole = 0;
        status = EXIT_SOURCE;
    }
    if (f->tmp != NULL) {
        if (whole && rename(f->tmp, f->path) != 0) {
            diag_error("cannot write %s: %s", f->path, strerror(errno));
            status = EXIT_SOURCE;
            whole = 0;
        }
        if (!whole)
            unlink(f->tmp);
        free(f->tmp);
        f->tmp = NULL;
    }
    return status;
}
