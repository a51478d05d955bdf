#include "iam.h"
#include "fields.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

static iam_policy policies[IAM_MAX_BUCKETS];
static size_t n_policies;
static iam_policy project_policies[PROJECTS_MAX];
static size_t n_project_policies;
static project projects[PROJECTS_MAX];
static size_t n_projects;
static role_def roles[ROLES_MAX];
static size_t n_roles;

/* ---- policies ---------------------------------------------------------------- */

static int fail(char *err, size_t errlen, const char *what, const char *detail)
{
    snprintf(err, errlen, "--iam: %s%s%.200s", what, detail ? ": " : "", detail ? detail : "");
    return -1;
}

/* Reads at most IAM_FILE_MAX bytes; NULL when the file is longer or unreadable. */
static char *read_small_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "--iam: %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(IAM_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, IAM_FILE_MAX + 1, f) : 0;
    int bad = !buf || ferror(f) || n > IAM_FILE_MAX;
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "--iam: %s: unreadable or larger than %d bytes", path,
                 IAM_FILE_MAX);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static void gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* Checks one binding and writes it to g; -1 with a message when malformed. */
static int gen_binding(yajl_gen g, yajl_val v, int *conditional, char *err, size_t errlen)
{
    const char *rp[] = {"role", NULL}, *mp[] = {"members", NULL}, *cp[] = {"condition", NULL};
    yajl_val role = YAJL_IS_OBJECT(v) ? yajl_tree_get(v, rp, yajl_t_string) : NULL;
    yajl_val members = YAJL_IS_OBJECT(v) ? yajl_tree_get(v, mp, yajl_t_array) : NULL;
    if (!role || !members)
        return fail(err, errlen, "each binding needs \"role\" (string) and \"members\" (array)",
                    NULL);
    yajl_gen_map_open(g);
    gen_str(g, "role");
    gen_str(g, YAJL_GET_STRING(role));
    gen_str(g, "members");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < YAJL_GET_ARRAY(members)->len; i++) {
        yajl_val m = YAJL_GET_ARRAY(members)->values[i];
        if (!YAJL_IS_STRING(m))
            return fail(err, errlen, "members are strings", NULL);
        gen_str(g, YAJL_GET_STRING(m));
    }
    yajl_gen_array_close(g);
    yajl_val cond = yajl_tree_get(v, cp, yajl_t_any);
    if (cond) {
        static const char *const keys[] = {"title", "description", "expression"};
        if (!YAJL_IS_OBJECT(cond))
            return fail(err, errlen, "\"condition\" is an object", NULL);
        *conditional = 1;
        gen_str(g, "condition");
        yajl_gen_map_open(g);
        for (size_t k = 0; k < 3; k++) {
            const char *path[] = {keys[k], NULL};
            yajl_val s = yajl_tree_get(cond, path, yajl_t_string);
            if (s) {
                gen_str(g, keys[k]);
                gen_str(g, YAJL_GET_STRING(s));
            }
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_map_close(g);
    return 0;
}

static int load_policy(iam_policy *p, const char *path, char *err, size_t errlen)
{
    char *text = read_small_file(path, err, errlen);
    if (!text)
        return -1;
    char yerr[256];
    yajl_val root = yajl_tree_parse(text, yerr, sizeof yerr);
    free(text);
    if (!root)
        return fail(err, errlen, "invalid JSON", path);
    int rc = -1;
    const char *bp[] = {"bindings", NULL}, *ep[] = {"etag", NULL}, *vp[] = {"version", NULL};
    yajl_val bindings = YAJL_IS_OBJECT(root) ? yajl_tree_get(root, bp, yajl_t_array) : NULL;
    yajl_val etag = YAJL_IS_OBJECT(root) ? yajl_tree_get(root, ep, yajl_t_string) : NULL;
    yajl_val version = YAJL_IS_OBJECT(root) ? yajl_tree_get(root, vp, yajl_t_number) : NULL;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!bindings) {
        fail(err, errlen, "a policy file holds an object with a \"bindings\" array", path);
        goto out;
    }
    if (!g) {
        fail(err, errlen, "out of memory", NULL);
        goto out;
    }
    yajl_gen_array_open(g);
    for (size_t i = 0; i < YAJL_GET_ARRAY(bindings)->len; i++)
        if (gen_binding(g, YAJL_GET_ARRAY(bindings)->values[i], &p->conditional, err, errlen))
            goto out;
    yajl_gen_array_close(g);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    p->bindings = strndup((const char *)buf, len);
    if (etag) {
        const char *e = YAJL_GET_STRING(etag);
        for (const char *c = e; *c; c++)
            if (*c < 0x21 || *c > 0x7E || *c == '"' || *c == '\\') {
                fail(err, errlen, "\"etag\" is visible ASCII", path);
                goto out;
            }
        p->etag = strdup(e);
    }
    if (version) {
        if (!YAJL_IS_INTEGER(version) || (YAJL_GET_INTEGER(version) != 1 &&
                                          YAJL_GET_INTEGER(version) != 3)) {
            fail(err, errlen, "\"version\" is 1 or 3", path);
            goto out;
        }
        p->version = (long)YAJL_GET_INTEGER(version);
    }
    rc = p->bindings && (!etag || p->etag) ? 0 : fail(err, errlen, "out of memory", NULL);
out:
    if (g)
        yajl_gen_free(g);
    yajl_tree_free(root);
    return rc;
}

/* KEY=FILE.json | KEY=deny into table[*n] (bucket policies, project policies). */
static int policy_add(iam_policy *table, size_t *n, size_t max, const char *spec,
                      const char *what, const char *key, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1] || (size_t)(eq - spec) > 222) {
        snprintf(err, errlen, "%s: expected %s=FILE.json or %s=deny: %.200s", what, key, key,
                 spec);
        return -1;
    }
    if (*n == max)
        return fail(err, errlen, "too many policies", NULL);
    iam_policy *p = &table[*n];
    memset(p, 0, sizeof *p);
    p->bucket = strndup(spec, (size_t)(eq - spec));
    if (!p->bucket)
        return fail(err, errlen, "out of memory", NULL);
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(table[i].bucket, p->bucket)) {
            free(p->bucket);
            snprintf(err, errlen, "%s: %s given twice: %.200s", what, key, spec);
            return -1;
        }
    if (!strcmp(eq + 1, "deny")) {
        p->deny = 1;
    } else if (load_policy(p, eq + 1, err, errlen) != 0) {
        free(p->bucket);
        free(p->bindings);
        free(p->etag);
        return -1;
    }
    (*n)++;
    return 0;
}

int iam_add(const char *spec, char *err, size_t errlen)
{
    return policy_add(policies, &n_policies, IAM_MAX_BUCKETS, spec, "--iam", "BUCKET", err,
                      errlen);
}

int project_iam_add(const char *spec, char *err, size_t errlen)
{
    return policy_add(project_policies, &n_project_policies, PROJECTS_MAX, spec, "--project-iam",
                      "ID", err, errlen);
}

const iam_policy *project_iam_find(const char *id)
{
    for (size_t i = 0; i < n_project_policies; i++)
        if (!strcmp(project_policies[i].bucket, id))
            return &project_policies[i];
    return NULL;
}

const char *project_iam_unknown(void)
{
    for (size_t i = 0; i < n_project_policies; i++)
        if (!project_find(project_policies[i].bucket))
            return project_policies[i].bucket;
    return NULL;
}

void project_iam_render(sbuf *b, const iam_policy *p)
{
    long version = p && p->version ? p->version : p && p->conditional ? 3 : 1;
    sbuf_puts(b, "{\"version\":");
    sbuf_u64(b, (uint64_t)version);
    sbuf_puts(b, ",\"etag\":\"");
    sbuf_puts(b, p && p->etag ? p->etag : "BwXhqDvsY5Y=");
    sbuf_puts(b, "\",\"bindings\":");
    sbuf_puts(b, p ? p->bindings
                   : "[{\"role\":\"roles/owner\",\"members\":[\"user:owner@example.com\"]}]");
    sbuf_puts(b, "}\n");
}

const iam_policy *iam_find(const char *bucket)
{
    for (size_t i = 0; i < n_policies; i++)
        if (!strcmp(policies[i].bucket, bucket))
            return &policies[i];
    return NULL;
}

const char *iam_unknown_bucket(int (*known)(const char *bucket, void *ctx), void *ctx)
{
    for (size_t i = 0; i < n_policies; i++)
        if (!known(policies[i].bucket, ctx))
            return policies[i].bucket;
    return NULL;
}

void iam_render(sbuf *b, const fmask *m, const char *bucket, const iam_policy *p)
{
    /* A new bucket's policy: the legacy convenience bindings of its project. */
    static const char default_bindings[] =
        "[{\"role\":\"roles/storage.legacyBucketOwner\",\"members\":["
        "\"projectEditor:" DEFAULT_PROJECT_ID "\",\"projectOwner:" DEFAULT_PROJECT_ID "\"]},"
        "{\"role\":\"roles/storage.legacyBucketReader\",\"members\":["
        "\"projectViewer:" DEFAULT_PROJECT_ID "\"]},"
        "{\"role\":\"roles/storage.legacyObjectOwner\",\"members\":["
        "\"projectEditor:" DEFAULT_PROJECT_ID "\",\"projectOwner:" DEFAULT_PROJECT_ID "\"]},"
        "{\"role\":\"roles/storage.legacyObjectReader\",\"members\":["
        "\"projectViewer:" DEFAULT_PROJECT_ID "\"]}]";
    long version = p && p->version ? p->version : p && p->conditional ? 3 : 1;
    int first = 1;
#define KEY(k) if (fmask_get(m, k) && (sbuf_puts(b, first ? "\"" k "\":" : ",\"" k "\":"), first = 0, 1))
    sbuf_putc(b, '{');
    KEY("kind") sbuf_puts(b, "\"storage#policy\"");
    KEY("resourceId") {
        sbuf_puts(b, "\"projects/_/buckets/");
        sbuf_puts(b, bucket); /* bucket names need no escaping */
        sbuf_putc(b, '"');
    }
    KEY("version") sbuf_u64(b, (uint64_t)version);
    KEY("etag") {
        sbuf_putc(b, '"');
        sbuf_puts(b, p && p->etag ? p->etag : "CAE=");
        sbuf_putc(b, '"');
    }
    KEY("bindings") sbuf_puts(b, p ? p->bindings : default_bindings);
#undef KEY
    sbuf_puts(b, "}\n");
}

static void free_policies(iam_policy *table, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        free(table[i].bucket);
        free(table[i].bindings);
        free(table[i].etag);
    }
    *n = 0;
}

void iam_free_all(void)
{
    free_policies(policies, &n_policies);
    free_policies(project_policies, &n_project_policies);
    for (size_t i = 0; i < n_roles; i++) {
        free(roles[i].name);
        for (size_t k = 0; k < roles[i].nperms; k++)
            free(roles[i].perms[k]);
    }
    n_roles = 0;
}

/* ---- projects -------------------------------------------------------------------- */

int project_add(const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    size_t idn = eq ? (size_t)(eq - spec) : 0;
    if (!eq || idn < 1 || idn >= sizeof projects[0].id || strlen(eq + 1) < 1 ||
        strlen(eq + 1) >= sizeof projects[0].number) {
        snprintf(err, errlen, "--project: expected ID=NUMBER: %.200s", spec);
        return -1;
    }
    for (size_t i = 0; i < idn; i++)
        if (!((spec[i] >= 'a' && spec[i] <= 'z') || (spec[i] >= '0' && spec[i] <= '9') ||
              spec[i] == '-' || spec[i] == '.' || spec[i] == ':')) {
            snprintf(err, errlen, "--project: an id is lowercase letters, digits and -: %.200s",
                     spec);
            return -1;
        }
    for (const char *d = eq + 1; *d; d++)
        if (*d < '0' || *d > '9') {
            snprintf(err, errlen, "--project: a project number is digits: %.200s", spec);
            return -1;
        }
    if (n_projects == PROJECTS_MAX) {
        snprintf(err, errlen, "--project: at most %d", PROJECTS_MAX);
        return -1;
    }
    project *p = &projects[n_projects++];
    memcpy(p->id, spec, idn);
    p->id[idn] = '\0';
    snprintf(p->number, sizeof p->number, "%s", eq + 1);
    return 0;
}

const project *project_find(const char *id)
{
    static const project fallback = {DEFAULT_PROJECT_ID, DEFAULT_PROJECT_NUMBER};
    if (n_projects == 0)
        return !strcmp(id, fallback.id) || !strcmp(id, fallback.number) ? &fallback : NULL;
    for (size_t i = 0; i < n_projects; i++)
        if (!strcmp(projects[i].id, id) || !strcmp(projects[i].number, id))
            return &projects[i];
    return NULL;
}

/* A creation time derived from the number, so that it is stable. */
static void create_time(sbuf *b, const project *p)
{
    uint64_t h = srv_hash64(p->number, strlen(p->number), 11);
    int year = 2016 + (int)(h % 8), month = 1 + (int)((h >> 8) % 12);
    int day = 1 + (int)((h >> 16) % 28);
    char t[64];
    snprintf(t, sizeof t, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"", year, month, day,
             (int)((h >> 24) % 24), (int)((h >> 32) % 60), (int)((h >> 40) % 60),
             (int)((h >> 48) % 1000));
    sbuf_puts(b, t);
}

void project_render_v1(sbuf *b, const project *p)
{
    sbuf_puts(b, "{\"projectNumber\":\"");
    sbuf_puts(b, p->number);
    sbuf_puts(b, "\",\"projectId\":\"");
    sbuf_puts(b, p->id);
    sbuf_puts(b, "\",\"lifecycleState\":\"ACTIVE\",\"name\":\"");
    sbuf_puts(b, p->id);
    sbuf_puts(b, "\",\"createTime\":");
    create_time(b, p);
    sbuf_puts(b, "}\n");
}

void project_render_v3(sbuf *b, const project *p)
{
    sbuf_puts(b, "{\"name\":\"projects/");
    sbuf_puts(b, p->number);
    sbuf_puts(b, "\",\"projectId\":\"");
    sbuf_puts(b, p->id);
    sbuf_puts(b, "\",\"state\":\"ACTIVE\",\"displayName\":\"");
    sbuf_puts(b, p->id);
    sbuf_puts(b, "\",\"createTime\":");
    create_time(b, p);
    sbuf_puts(b, ",\"updateTime\":");
    create_time(b, p);
    sbuf_puts(b, ",\"etag\":\"W/\\\"");
    sbuf_puts(b, p->number);
    sbuf_puts(b, "\\\"\"}\n");
}

/* ---- roles ----------------------------------------------------------------------- */

/* roles/X, projects/P/roles/X, organizations/O/roles/X, in the characters
 * role names use. */
static int role_name_ok(const char *n, size_t len)
{
    char buf[300];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, n, len);
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (!((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' && buf[i] <= 'Z') ||
              (buf[i] >= '0' && buf[i] <= '9') || strchr("._-/", buf[i])))
            return 0;
    char *roles_at = strstr(buf, "roles/");
    if (!roles_at || !roles_at[6] || strchr(roles_at + 6, '/'))
        return 0;
    if (roles_at == buf)
        return 1;
    const char *kinds[] = {"projects/", "organizations/"};
    for (int k = 0; k < 2; k++) {
        size_t kl = strlen(kinds[k]);
        if (!strncmp(buf, kinds[k], kl) && roles_at > buf + kl && roles_at[-1] == '/' &&
            !memchr(buf + kl, '/', (size_t)(roles_at - 1 - (buf + kl))))
            return 1;
    }
    return 0;
}

int role_add(const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    if (!eq || !role_name_ok(spec, (size_t)(eq - spec))) {
        snprintf(err, errlen, "--role: expected NAME=PERM[,PERM...] (NAME roles/X, "
                 "projects/P/roles/X or organizations/O/roles/X): %.200s", spec);
        return -1;
    }
    if (n_roles == ROLES_MAX) {
        snprintf(err, errlen, "--role: at most %d", ROLES_MAX);
        return -1;
    }
    role_def *r = &roles[n_roles];
    memset(r, 0, sizeof *r);
    r->name = strndup(spec, (size_t)(eq - spec));
    if (!r->name)
        return fail(err, errlen, "out of memory", NULL);
    if (role_find(r->name)) {
        snprintf(err, errlen, "--role: given twice: %.200s", r->name);
        free(r->name);
        return -1;
    }
    const char *v = eq + 1;
    if (!strcmp(v, "deny")) {
        r->deny = 1;
    } else {
        if (!strncmp(v, "deleted:", 8)) {
            r->deleted = 1;
            v += 8;
        }
        while (*v) {
            const char *comma = strchr(v, ',');
            size_t n = comma ? (size_t)(comma - v) : strlen(v);
            if (n == 0 || r->nperms == ROLE_PERMS_MAX) {
                snprintf(err, errlen, "--role: 1 to %d permissions, comma-separated: %.200s",
                         ROLE_PERMS_MAX, spec);
                for (size_t k = 0; k < r->nperms; k++)
                    free(r->perms[k]);
                free(r->name);
                return -1;
            }
            r->perms[r->nperms++] = strndup(v, n);
            v += n + (comma != NULL);
        }
    }
    n_roles++;
    return 0;
}

const role_def *role_find(const char *name)
{
    for (size_t i = 0; i < n_roles; i++)
        if (!strcmp(roles[i].name, name))
            return &roles[i];
    return NULL;
}

void role_render(sbuf *b, const role_def *r)
{
    const char *title = strrchr(r->name, '/') + 1;
    sbuf_puts(b, "{\"name\":\"");
    sbuf_puts(b, r->name); /* checked: role names need no escaping */
    sbuf_puts(b, "\",\"title\":\"");
    sbuf_puts(b, title);
    sbuf_puts(b, "\",\"includedPermissions\":[");
    for (size_t k = 0; k < r->nperms; k++) {
        if (k)
            sbuf_putc(b, ',');
        sbuf_json_str(b, r->perms[k], strlen(r->perms[k]));
    }
    sbuf_puts(b, "],\"stage\":\"GA\",\"etag\":\"BwWKmjvelug=\"");
    if (r->deleted)
        sbuf_puts(b, ",\"deleted\":true");
    sbuf_puts(b, "}\n");
}
