/* Fuzz target: credential files (src/auth.c, src/auth_json.c): a service
 * account key, an authorized user (gcloud's ADC file), or anything else.
 *
 * Input: the file. It is read twice: by the JSON field reader alone, and as
 * $GOOGLE_APPLICATION_CREDENTIALS by gcsplan__auth_new (the file checks,
 * the type and field rules, the token_uri judgement). No network request is
 * made (the handle fetches no token here). Checked: the field reader gives
 * values of the length it says, NUL-terminated, within its cap, and frees
 * them (ASan: wiped and freed by length); the handle is made or refused
 * with a known code; neither a refusal (one line) nor the description ever
 * quotes the file's private key, client secret or refresh token. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "auth_json.h"
#include "fuzz_target.h"
#include "transport.h"


static char path[64];

static const char *fake_getenv(const char *name)
{
    return strcmp(name, "GOOGLE_APPLICATION_CREDENTIALS") == 0 ? path : NULL;
}

static const char *g_email; /* the file's client_email, or NULL */

/* text without our own words (the path, the variable's name) and without
 * the file's client_email, which the description shows by design: a value
 * may repeat any of them without anything leaking. */
static void strip_ours(char *text)
{
    const char *const ours[] = { path, "$GOOGLE_APPLICATION_CREDENTIALS",
                                 g_email != NULL ? g_email : "", NULL };
    for (const char *const *o = ours; *o != NULL; o++) {
        size_t n = strlen(*o);
        char *p;
        while (n > 0 && (p = strstr(text, *o)) != NULL)
            memmove(p, p + n, strlen(p + n) + 1);
    }
}

/* No secret value of the file (16 bytes or more) appears in text. */
static void check_quiet(const char *text, gcsplan__json_field *f, size_t nf, const char *what)
{
    char copy[GCSPLAN_MESSAGE_MAX + GCSPLAN__AUTH_DESCRIBE_MAX];
    snprintf(copy, sizeof copy, "%s", text);
    strip_ours(copy);
    for (size_t i = 0; i < nf; i++)
        if (f[i].value != NULL && f[i].len >= 16 && strlen(f[i].value) == f[i].len)
            FZ_CHECK(strstr(copy, f[i].value) == NULL, "%s quotes %s: %s", what, f[i].path, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input("file", data, size);
    if (size > 70 * 1024)
        return 0;
    if (path[0] == '\0')
        snprintf(path, sizeof path, "/tmp/gcsplan-fuzz-credentials-%d", (int)getpid());
    const gcsplan_allocator *a = &gcsplan__default_allocator;

    gcsplan__json_field f[] = {
        { "private_key", NULL, 0, 0 }, { "client_secret", NULL, 0, 0 },
        { "refresh_token", NULL, 0, 0 }, { "type", NULL, 0, 0 }, { "error.message", NULL, 0, 0 },
        { "client_email", NULL, 0, 0 },
    };
    const size_t nsecret = 3; /* the first three are secrets */
    size_t nf = sizeof f / sizeof f[0];
    gcsplan_error err;
    int rc = gcsplan__json_fields(f, nf, a, (const char *)data, size, &err);
    FZ_CHECK(rc == 0 || rc == GCSPLAN_ESOURCE || rc == GCSPLAN_ELIMIT, "fields rc %d", rc);
    for (size_t i = 0; i < nf; i++) {
        if (rc != 0) {
            FZ_CHECK(f[i].value == NULL, "a value left after an error");
            continue;
        }
        if (f[i].value == NULL)
            continue;
        FZ_CHECK(f[i].len <= GCSPLAN__JSON_VALUE_MAX, "a value of %zu bytes", f[i].len);
        FZ_CHECK(f[i].value[f[i].len] == '\0', "a value not terminated at its length");
    }

    g_email = rc == 0 && f[5].value != NULL && strlen(f[5].value) == f[5].len ? f[5].value : NULL;
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        abort();
    for (size_t off = 0; off < size;) {
        ssize_t k = write(fd, data + off, size - off);
        if (k <= 0)
            abort();
        off += (size_t)k;
    }
    close(fd);
    gcsplan__auth_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.getenv_fn = fake_getenv;
    cfg.gce_product_file = "/nonexistent/gcsplan-fuzz";
    gcsplan__auth *au = NULL;
    rc = gcsplan__auth_new(&au, a, &cfg, &err);
    FZ_CHECK(rc == 0 || rc == GCSPLAN_ESOURCE || rc == GCSPLAN_ELIMIT, "auth rc %d: %s", rc,
          err.message);
    if (rc != 0) {
        FZ_CHECK(au == NULL, "a handle after an error");
        FZ_CHECK(err.message[0] && strchr(err.message, '\n') == NULL, "error not one line");
        check_quiet(err.message, f, nsecret, "the error");
    } else {
        const char *d = gcsplan__auth_describe(au);
        FZ_CHECK(strchr(d, '\n') == NULL && strncmp(d, "credentials: ", 13) == 0,
              "description: %s", d);
        check_quiet(d, f, nsecret, "the description");
        gcsplan__auth_free(au);
    }
    g_email = NULL;
    gcsplan__json_fields_free(f, nf, a);
    unlink(path);
    return 0;
}
