/* Endpoints of the Google APIs we call, resolved once for every engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "internal.h"
#include "transport.h"
#include "util/buf.h"
#include "util/escape.h"

static const struct {
    const char *name;
    const char *env;        /* the override variable */
    const char *google;     /* the default */
} services[GCSPLAN__SVC_COUNT] = {
    [GCSPLAN__SVC_STORAGE] = { "Cloud Storage", "STORAGE_EMULATOR_HOST", GCSPLAN__DEFAULT_ENDPOINT },
    [GCSPLAN__SVC_HEALTHCARE] = { "Cloud Healthcare API", "CLOUDSDK_API_ENDPOINT_OVERRIDES_HEALTHCARE",
                                  "https://healthcare.googleapis.com/" },
    [GCSPLAN__SVC_RESOURCE_MANAGER] = { "Resource Manager",
                                        "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER",
                                        "https://cloudresourcemanager.googleapis.com/" },
    [GCSPLAN__SVC_IAM] = { "IAM", "CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM", "https://iam.googleapis.com/" },
};

static const char *env_value(const char *(*getenv_fn)(const char *), const char *name)
{
    const char *v = getenv_fn ? getenv_fn(name) : getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

const char *gcsplan__service_name(gcsplan__service svc)
{
    return (unsigned)svc < GCSPLAN__SVC_COUNT ? services[svc].name : "unknown service";
}

/* The value quoted for a message: escaped, cut. */
static void quoted(char *out, size_t cap, const char *v)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, out, cap);
    size_t n = strlen(v);
    gcsplan__term_str(&b, v, n > 200 ? 200 : n);
}

int gcsplan__endpoint_resolve(gcsplan__endpoint *out, gcsplan__service svc, const char *override,
                              const char *(*getenv_fn)(const char *), int anonymous,
                              gcsplan_error *err)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)svc >= GCSPLAN__SVC_COUNT)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "unknown service");
    const char *v = override, *origin = svc == GCSPLAN__SVC_STORAGE ? "--endpoint" : "--api-endpoint";
    if (v == NULL && (v = env_value(getenv_fn, services[svc].env)) != NULL)
        origin = svc == GCSPLAN__SVC_STORAGE ? "$STORAGE_EMULATOR_HOST"
                                             : services[svc].env;
    out->overridden = v != NULL;
    if (v == NULL) {
        v = services[svc].google;
        origin = "default";
    }
    out->origin = origin;
    /* STORAGE_EMULATOR_HOST is host:port as often as a URL. */
    int scheme = strstr(v, "://") != NULL;
    int n = snprintf(out->base, sizeof out->base, "%s%s",
                     scheme || svc != GCSPLAN__SVC_STORAGE ? "" : "http://", v);
    char shown[1024];
    quoted(shown, sizeof shown, v);
    if (n < 0 || (size_t)n >= sizeof out->base)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "the %s endpoint (%s) is longer than %d bytes",
                                  services[svc].name, origin, GCSPLAN__ENDPOINT_MAX - 1);
    gcsplan__url u;
    if (gcsplan__url_parse(&u, out->base) != 0)
        return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                  "the %s endpoint '%s' (%s) is not an http or https URL",
                                  services[svc].name, shown, origin);
    size_t len = (size_t)n;
    while (len > 0 && out->base[len - 1] == '/')
        out->base[--len] = '\0';
    static const char api[] = "/storage/v1";
    if (svc == GCSPLAN__SVC_STORAGE && len >= sizeof api - 1 &&
        strcmp(out->base + len - (sizeof api - 1), api) == 0)
        out->base[len - (sizeof api - 1)] = '\0';
    if (svc == GCSPLAN__SVC_STORAGE) {
        /* An endpoint of one's own needs no Google credentials (SPEC section 2). */
        out->credentials = !out->overridden && !anonymous;
        return 0;
    }
    if (!gcsplan__url_may_carry_secrets(out->base))
        return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                  "the %s endpoint '%s' (%s) would carry credentials in clear "
                                  "text to another machine: use https (plain http only to "
                                  "127.0.0.1, ::1 or localhost), and no user name in the URL",
                                  services[svc].name, shown, origin);
    out->credentials = 1;
    return 0;
}
