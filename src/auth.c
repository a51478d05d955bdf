/* Where credentials come from, and the cached access token. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "auth_json.h"
#include "auth_token.h"
#include "jwt.h"
#include "util/clock.h"

#define JWT_LIFETIME_S 3600
#define JWT_GRANT "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define METADATA_TOKEN_PATH "/computeMetadata/v1/instance/service-accounts/default/token"
#define METADATA_HOST_GCE "metadata.google.internal"
#define GCE_PRODUCT_FILE "/sys/class/dmi/id/product_name"
#define GCE_PRODUCT_MAX 256
#define HOST_MAX 255
#define TYPE_SHOWN_MAX 40
#define WHAT_MAX 160
#define BEARER "Bearer "

enum kind { K_NONE, K_TOKEN, K_SERVICE_ACCOUNT, K_AUTHORIZED_USER, K_METADATA };

struct gcsplan__auth {
    const gcsplan_allocator *alloc;
    enum kind kind;
    unsigned int timeout_ms;
    time_t (*now_fn)(void);
    char *header;      /* "Bearer TOKEN", or NULL until fetched */
    time_t refresh_at; /* a fetched token is replaced from this time on */
    char *token_url;   /* the token endpoint, or the metadata server's token URL */
    char *email, *key_id, *private_key;              /* service account */
    char *client_id, *client_secret, *refresh_token; /* authorized user */
    char describe[GCSPLAN__AUTH_DESCRIBE_MAX];
};

static time_t monotonic_now(void)
{
    return (time_t)(gcsplan__clock_ms() / 1000u);
}

/* An unset and an empty variable mean the same, as in Google's tools. */
static const char *env(const gcsplan__auth_config *cfg, const char *name)
{
    const char *v = cfg->getenv_fn ? cfg->getenv_fn(name) : getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static int read_file(char **out, size_t *out_len, const gcsplan_allocator *a, const char *path,
                     const char *origin, gcsplan_error *err)
{
    int rc = 0;
    char *buf = NULL;
    FILE *f = fopen(path, "rb");
    *out = NULL;
    if (f == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "cannot read %s (%s): %s", path, origin,
                                strerror(errno));
        goto done;
    }
    buf = gcsplan__malloc(a, GCSPLAN__AUTH_FILE_MAX + 1);
    if (buf == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory reading %s", path);
        goto done;
    }
    /* One byte more than the cap tells a file at the cap from a bigger one. */
    size_t n = fread(buf, 1, GCSPLAN__AUTH_FILE_MAX + 1, f);
    if (ferror(f)) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "cannot read %s (%s)", path, origin);
        goto done;
    }
    if (n > GCSPLAN__AUTH_FILE_MAX) {
        rc = gcsplan__error_set(err, GCSPLAN_ELIMIT, "%s (%s) is over %d bytes", path, origin,
                                GCSPLAN__AUTH_FILE_MAX);
        goto done;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    buf = NULL;
done:
    if (f != NULL)
        fclose(f);
    if (buf != NULL)
        gcsplan__free_secret(a, buf);
    return rc;
}

static int set_header(gcsplan__auth *au, const char *token, size_t len)
{
    char *h = gcsplan__malloc(au->alloc, sizeof BEARER + len);
    if (h == NULL)
        return GCSPLAN_ENOMEM;
    memcpy(h, BEARER, sizeof BEARER - 1);
    memcpy(h + sizeof BEARER - 1, token, len);
    h[sizeof BEARER - 1 + len] = '\0';
    gcsplan__free_secret(au->alloc, au->header);
    au->header = h;
    return 0;
}

/* A token given by the user, trimmed of surrounding white space. */
static int use_given_token(gcsplan__auth *au, const char *text, size_t len, const char *origin,
                           gcsplan_error *err)
{
    while (len > 0 && isspace((unsigned char)*text)) {
        text++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len == 0)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "%s holds no access token", origin);
    if (!gcsplan__token_ok(text, len))
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "%s does not hold an access token (one line of at most %d "
                                  "printable characters)", origin, GCSPLAN__TOKEN_MAX);
    if (set_header(au, text, len) != 0)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for a token");
    au->kind = K_TOKEN;
    return 0;
}

static int from_token_file(gcsplan__auth *au, const char *path, gcsplan_error *err)
{
    char *text = NULL;
    size_t len = 0;
    char origin[GCSPLAN__AUTH_PATH_MAX + 64];
    snprintf(origin, sizeof origin, "%s, named by $CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", path);
    int rc = read_file(&text, &len, au->alloc, path, "$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", err);
    if (rc == 0)
        rc = use_given_token(au, text, len, origin, err);
    if (rc == 0)
        snprintf(au->describe, sizeof au->describe,
                 "credentials: access token from $CLOUDSDK_AUTH_ACCESS_TOKEN_FILE (%s)", path);
    gcsplan__free_secret(au->alloc, text);
    return rc;
}

/* Secrets may go over plain http only to this machine (a test server). */
static int token_uri_ok(const char *uri)
{
    static const char *const local[] = { "http://127.0.0.1:", "http://127.0.0.1/",
                                         "http://localhost:", "http://localhost/",
                                         "http://[::1]:", "http://[::1]/" };
    if (strncmp(uri, "https://", 8) == 0)
        return strlen(uri) > 8;
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        if (strncmp(uri, local[i], strlen(local[i])) == 0)
            return 1;
    return 0;
}

/* Takes ownership of a string field's value. */
static char *take(gcsplan__json_field *f)
{
    char *v = f->is_string ? f->value : NULL;
    if (v != NULL)
        f->value = NULL;
    return v;
}

enum { F_TYPE, F_EMAIL, F_KEY, F_KEY_ID, F_TOKEN_URI, F_CLIENT_ID, F_SECRET, F_REFRESH, F_N };

static int adc_fields(gcsplan__auth *au, gcsplan__json_field *f, const char *path,
                      const char *origin, gcsplan_error *err)
{
    const char *type = f[F_TYPE].is_string ? f[F_TYPE].value : NULL;
    const char *missing = NULL;
    if (type != NULL && strcmp(type, "service_account") == 0) {
        missing = !f[F_EMAIL].is_string ? "client_email" : !f[F_KEY].is_string ? "private_key" : NULL;
        au->kind = K_SERVICE_ACCOUNT;
        au->email = take(&f[F_EMAIL]);
        au->private_key = take(&f[F_KEY]);
        au->key_id = take(&f[F_KEY_ID]);
    } else if (type != NULL && strcmp(type, "authorized_user") == 0) {
        missing = !f[F_CLIENT_ID].is_string ? "client_id"
                  : !f[F_SECRET].is_string  ? "client_secret"
                  : !f[F_REFRESH].is_string ? "refresh_token" : NULL;
        au->kind = K_AUTHORIZED_USER;
        au->client_id = take(&f[F_CLIENT_ID]);
        au->client_secret = take(&f[F_SECRET]);
        au->refresh_token = take(&f[F_REFRESH]);
    } else {
        int show = type != NULL && strlen(type) <= TYPE_SHOWN_MAX;
        for (const char *p = type; show && *p; p++)
            show = isalnum((unsigned char)*p) || *p == '_' || *p == '-';
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "%s (%s): credential type %s%s%s is not supported "
                                  "(service_account, authorized_user)", path, origin,
                                  show ? "\"" : "", show ? type : "unknown", show ? "\"" : "");
    }
    if (missing != NULL)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "%s (%s): %s credentials without %s",
                                  path, origin, type, missing);
    const char *uri = f[F_TOKEN_URI].is_string ? f[F_TOKEN_URI].value : GCSPLAN__AUTH_TOKEN_URI;
    if (!token_uri_ok(uri) || strlen(uri) > GCSPLAN__JWT_CLAIM_MAX)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "%s (%s): token_uri must be an https URL (http only to "
                                  "localhost)", path, origin);
    au->token_url = gcsplan__strndup(au->alloc, uri, strlen(uri));
    if (au->token_url == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for credentials");
    if (au->kind == K_SERVICE_ACCOUNT)
        snprintf(au->describe, sizeof au->describe,
                 "credentials: service account key from %s (%s)", origin, au->email);
    else
        snprintf(au->describe, sizeof au->describe,
                 "credentials: authorized user from %s (%s)", origin, path);
    return 0;
}

/* An Application Default Credentials file: a service account key or a
 * user's refresh token, as gcloud writes it. */
static int from_adc_file(gcsplan__auth *au, const char *path, const char *origin,
                         gcsplan_error *err)
{
    gcsplan__json_field f[F_N] = {
        [F_TYPE] = { "type", NULL, 0 },
        [F_EMAIL] = { "client_email", NULL, 0 },
        [F_KEY] = { "private_key", NULL, 0 },
        [F_KEY_ID] = { "private_key_id", NULL, 0 },
        [F_TOKEN_URI] = { "token_uri", NULL, 0 },
        [F_CLIENT_ID] = { "client_id", NULL, 0 },
        [F_SECRET] = { "client_secret", NULL, 0 },
        [F_REFRESH] = { "refresh_token", NULL, 0 },
    };
    char *text = NULL;
    size_t len = 0;
    int rc = read_file(&text, &len, au->alloc, path, origin, err);
    if (rc != 0)
        goto done;
    gcsplan_error jerr;
    rc = gcsplan__json_fields(f, F_N, au->alloc, text, len, &jerr);
    if (rc != 0) {
        rc = gcsplan__error_set(err, rc, "%s (%s): %s", path, origin, jerr.message);
        goto done;
    }
    rc = adc_fields(au, f, path, origin, err);
done:
    gcsplan__json_fields_free(f, F_N, au->alloc);
    gcsplan__free_secret(au->alloc, text);
    return rc;
}

/* gcloud's ADC file, "" when there is no directory to look in. */
static void gcloud_adc_path(char *out, size_t cap, const gcsplan__auth_config *cfg)
{
    const char *dir = env(cfg, "CLOUDSDK_CONFIG");
    const char *home = env(cfg, "HOME");
    int n = -1;
    if (dir != NULL)
        n = snprintf(out, cap, "%s/application_default_credentials.json", dir);
    else if (home != NULL)
        n = snprintf(out, cap, "%s/.config/gcloud/application_default_credentials.json", home);
    if (n < 0 || (size_t)n >= cap)
        out[0] = '\0';
}

static int on_gce(const gcsplan__auth_config *cfg)
{
    char buf[GCE_PRODUCT_MAX];
    FILE *f = fopen(cfg->gce_product_file ? cfg->gce_product_file : GCE_PRODUCT_FILE, "r");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, "Google") != NULL;
}

/* The metadata server, only where one is known to be: named by the user, or
 * on a GCE VM. Anywhere else metadata.google.internal may resolve to a
 * stranger, and tests must not reach outside the machine. Returns 1 when
 * chosen, 0 when not available, or an error. */
static int from_metadata(gcsplan__auth *au, const gcsplan__auth_config *cfg, gcsplan_error *err)
{
    const char *host = env(cfg, "GCE_METADATA_HOST");
    const char *origin = "$GCE_METADATA_HOST";
    if (host == NULL) {
        if (!on_gce(cfg))
            return 0;
        host = METADATA_HOST_GCE;
        origin = "GCE";
    }
    size_t n = strlen(host);
    int ok = n > 0 && n <= HOST_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)host[i]) || strchr(".-_:[]", host[i]) != NULL;
    if (!ok)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "GCE_METADATA_HOST must be HOST or HOST:PORT");
    au->token_url = gcsplan__malloc(au->alloc, sizeof "http://" + n + sizeof METADATA_TOKEN_PATH);
    if (au->token_url == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for credentials");
    sprintf(au->token_url, "http://%s%s", host, METADATA_TOKEN_PATH);
    au->kind = K_METADATA;
    snprintf(au->describe, sizeof au->describe, "credentials: metadata server %s (%s)", host,
             origin);
    return 1;
}

static int choose(gcsplan__auth *au, const gcsplan__auth_config *cfg, gcsplan_error *err)
{
    const char *v;
    char path[GCSPLAN__AUTH_PATH_MAX];
    if (cfg->anonymous) {
        au->kind = K_NONE;
        snprintf(au->describe, sizeof au->describe, "credentials: none (anonymous requests)");
        return 0;
    }
    if ((v = env(cfg, "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE")) != NULL)
        return from_token_file(au, v, err);
    if ((v = env(cfg, "GOOGLE_OAUTH_ACCESS_TOKEN")) != NULL) {
        snprintf(au->describe, sizeof au->describe,
                 "credentials: access token from $GOOGLE_OAUTH_ACCESS_TOKEN");
        return use_given_token(au, v, strlen(v), "$GOOGLE_OAUTH_ACCESS_TOKEN", err);
    }
    if ((v = env(cfg, "GOOGLE_APPLICATION_CREDENTIALS")) != NULL)
        return from_adc_file(au, v, "$GOOGLE_APPLICATION_CREDENTIALS", err);
    gcloud_adc_path(path, sizeof path, cfg);
    /* gcloud's file is optional: only its absence moves on. */
    FILE *f = path[0] ? fopen(path, "rb") : NULL;
    if (f != NULL || (path[0] && errno != ENOENT && errno != ENOTDIR)) {
        if (f != NULL)
            fclose(f);
        return from_adc_file(au, path, "gcloud application default credentials", err);
    }
    int rc = from_metadata(au, cfg, err);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = gcsplan__error_set(err, GCSPLAN_ESOURCE,
                            "no credentials found: set GOOGLE_APPLICATION_CREDENTIALS, "
                            "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE or GOOGLE_OAUTH_ACCESS_TOKEN, run "
                            "'gcloud auth application-default login', or use "
                            "STORAGE_EMULATOR_HOST");
    if (err != NULL)
        snprintf(err->hint, sizeof err->hint,
                 "looked for $CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, $GOOGLE_OAUTH_ACCESS_TOKEN, "
                 "$GOOGLE_APPLICATION_CREDENTIALS, %.2000s, and a metadata server "
                 "($GCE_METADATA_HOST, or a GCE VM)", path[0] ? path : "gcloud's ADC file");
    return rc;
}

int gcsplan__auth_new(gcsplan__auth **out, const gcsplan_allocator *a,
                      const gcsplan__auth_config *cfg, gcsplan_error *err)
{
    if (out == NULL || cfg == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "gcsplan__auth_new: NULL argument");
    *out = NULL;
    a = gcsplan__allocator_or_default(a);
    gcsplan__auth *au = gcsplan__malloc(a, sizeof *au);
    if (au == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for credentials");
    memset(au, 0, sizeof *au);
    au->alloc = a;
    au->timeout_ms = cfg->timeout_ms;
    au->now_fn = cfg->now_fn ? cfg->now_fn : monotonic_now;
    int rc = choose(au, cfg, err);
    if (rc != 0) {
        gcsplan__auth_free(au);
        return rc;
    }
    *out = au;
    return 0;
}

/* The form body of a token request, and the secrets it carries. */
static int token_body(gcsplan__auth *au, char **body, size_t *len, char **jwt,
                      gcsplan_error *err)
{
    if (au->kind == K_AUTHORIZED_USER) {
        const char *pairs[] = { "grant_type", "refresh_token", "client_id", au->client_id,
                                "client_secret", au->client_secret, "refresh_token",
                                au->refresh_token, NULL };
        return gcsplan__form_encode(body, len, au->alloc, pairs, err);
    }
    time_t now = time(NULL);
    gcsplan__jwt_claims c = { au->key_id, au->email, GCSPLAN__AUTH_SCOPE, au->token_url,
                              (long long)now, (long long)now + JWT_LIFETIME_S };
    gcsplan_error jerr;
    int rc = gcsplan__jwt_sign_rs256(jwt, au->alloc, au->private_key, &c, &jerr);
    if (rc != 0)
        return gcsplan__error_set(err, rc, "service account key (%s): %s", au->email,
                                  jerr.message);
    const char *pairs[] = { "grant_type", JWT_GRANT, "assertion", *jwt, NULL };
    return gcsplan__form_encode(body, len, au->alloc, pairs, err);
}

static int fetch(gcsplan__auth *au, gcsplan_error *err)
{
    char *body = NULL, *jwt = NULL;
    size_t body_len = 0;
    gcsplan__token tok = { NULL, 0 };
    char what[WHAT_MAX];
    const char *form_headers[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
    const char *metadata_headers[] = { "Metadata-Flavor: Google", NULL };
    gcsplan__http_request req = { "GET", au->token_url, metadata_headers, NULL, 0,
                                  au->timeout_ms, 1 };
    int rc = 0;
    if (au->kind == K_METADATA) {
        snprintf(what, sizeof what, "metadata server token request");
    } else {
        rc = token_body(au, &body, &body_len, &jwt, err);
        if (rc != 0)
            goto done;
        snprintf(what, sizeof what, "token request to %s", au->token_url);
        req.method = "POST";
        req.headers = form_headers;
        req.body = body;
        req.body_len = body_len;
        req.no_proxy = 0;
    }
    const char *secrets[] = { jwt ? jwt : "", au->client_secret ? au->client_secret : "",
                              au->refresh_token ? au->refresh_token : "", NULL };
    rc = gcsplan__token_fetch(&tok, au->alloc, &req, what, secrets, err);
    if (rc != 0)
        goto done;
    if (set_header(au, tok.access_token, strlen(tok.access_token)) != 0) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for a token");
        goto done;
    }
    long long margin = GCSPLAN__AUTH_REFRESH_MARGIN_S;
    if (margin > tok.expires_in / 2)
        margin = tok.expires_in / 2;
    au->refresh_at = au->now_fn() + (time_t)(tok.expires_in - margin);
done:
    gcsplan__free_secret(au->alloc, tok.access_token);
    gcsplan__free_secret(au->alloc, body);
    gcsplan__free_secret(au->alloc, jwt);
    return rc;
}

int gcsplan__auth_header(gcsplan__auth *au, const char **header, gcsplan_error *err)
{
    *header = NULL;
    if (au->kind == K_NONE)
        return 0;
    if (au->kind != K_TOKEN && (au->header == NULL || au->now_fn() >= au->refresh_at)) {
        int rc = fetch(au, err);
        if (rc != 0)
            return rc;
    }
    *header = au->header;
    return 0;
}

int gcsplan__auth_invalidate(gcsplan__auth *au)
{
    if (au == NULL || au->kind == K_NONE || au->kind == K_TOKEN)
        return 0;
    gcsplan__free_secret(au->alloc, au->header);
    au->header = NULL;
    return 1;
}

const char *gcsplan__auth_describe(const gcsplan__auth *au)
{
    return au != NULL ? au->describe : "credentials: none";
}

void gcsplan__auth_free(gcsplan__auth *au)
{
    if (au == NULL)
        return;
    const gcsplan_allocator *a = au->alloc;
    gcsplan__free_secret(a, au->header);
    gcsplan__free_secret(a, au->token_url);
    gcsplan__free_secret(a, au->email);
    gcsplan__free_secret(a, au->key_id);
    gcsplan__free_secret(a, au->private_key);
    gcsplan__free_secret(a, au->client_id);
    gcsplan__free_secret(a, au->client_secret);
    gcsplan__free_secret(a, au->refresh_token);
    gcsplan__free(a, au);
}

int gcsplan__auth_header_line(gcsplan__auth *a, char *line, size_t cap, const char **out,
                              gcsplan_error *err)
{
    const char *value = NULL;
    *out = NULL;
    if (a != NULL) {
        int rc = gcsplan__auth_header(a, &value, err);
        if (rc != 0)
            return rc;
    }
    if (value == NULL)
        return 0;
    int n = snprintf(line, cap, "Authorization: %s", value);
    if (n < 0 || (size_t)n >= cap)
        return gcsplan__error_set(err, GCSPLAN_ELIMIT, "the access token is too long");
    *out = line;
    return 0;
}
