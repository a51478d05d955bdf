/* Where the requests of each Google API go, and whether they carry
 * credentials (docs/credentials.md, "Endpoints").
 *
 *   Cloud Storage:    --endpoint, else $STORAGE_EMULATOR_HOST, else
 *                     https://storage.googleapis.com. Both overrides get no
 *                     credentials (SPEC section 2: emulators and test servers).
 *   Cloud Healthcare: --api-endpoint, else
 *                     $CLOUDSDK_API_ENDPOINT_OVERRIDES_HEALTHCARE, else
 *                     https://healthcare.googleapis.com/.
 *   Resource Manager: an override, else
 *                     $CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER,
 *                     else https://cloudresourcemanager.googleapis.com/.
 *   IAM:              an override, else $CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM,
 *                     else https://iam.googleapis.com/.
 *
 * Healthcare, Resource Manager and IAM need credentials wherever they are:
 * like gcloud, an override gets them, but only over https or over plain
 * http to this machine (a test server); an override that would carry them
 * in clear to another host is refused. */
#ifndef GCSPLAN_ENDPOINT_H
#define GCSPLAN_ENDPOINT_H

#include <stddef.h>

#include "gcsplan/error.h"

#define GCSPLAN__DEFAULT_ENDPOINT "https://storage.googleapis.com"
/* The longest endpoint base URL accepted. */
#define GCSPLAN__ENDPOINT_MAX 1024

typedef enum gcsplan__service {
    GCSPLAN__SVC_STORAGE = 0,
    GCSPLAN__SVC_HEALTHCARE,
    GCSPLAN__SVC_RESOURCE_MANAGER,
    GCSPLAN__SVC_IAM,
    GCSPLAN__SVC_COUNT
} gcsplan__service;

typedef struct gcsplan__endpoint {
    char base[GCSPLAN__ENDPOINT_MAX]; /* scheme://host[:port][/path], no trailing '/' */
    const char *origin;  /* where it came from, for --explain ("--endpoint", "$VAR", "default") */
    int overridden;      /* not Google's own */
    int credentials;     /* requests carry Authorization */
} gcsplan__endpoint;

/* Resolve the endpoint of svc: override (NULL: none), else the service's
 * environment variable (read through getenv_fn; NULL: getenv), else
 * Google's. For Cloud Storage, a value without a scheme means http://, and a
 * trailing "/storage/v1" is dropped (paths are added); anonymous withholds
 * credentials even from Google. Returns 0, or GCSPLAN_EINVAL (err filled)
 * for a value that is not an http(s) URL, is too long, or would carry
 * credentials in clear to another machine. Thread-safe. */
int gcsplan__endpoint_resolve(gcsplan__endpoint *out, gcsplan__service svc, const char *override,
                              const char *(*getenv_fn)(const char *), int anonymous,
                              gcsplan_error *err);

/* A name for messages: "Cloud Storage", "Cloud Healthcare API", ... */
const char *gcsplan__service_name(gcsplan__service svc);

#endif
