#include "json_out.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct {
    sbuf *b;
    int first;
} jobj;

/* Writes the key if m selects it; *sub gets the mask for its value. */
static int key(jobj *o, const fmask *m, const char *k, const fmask **sub)
{
    const fmask *s = fmask_get(m, k);
    if (!s)
        return 0;
    if (!o->first)
        sbuf_putc(o->b, ',');
    o->first = 0;
    sbuf_putc(o->b, '"');
    sbuf_puts(o->b, k);
    sbuf_puts(o->b, "\":");
    if (sub)
        *sub = s;
    return 1;
}

static void str(sbuf *b, const char *s) { sbuf_json_str(b, s, strlen(s)); }

void object_meta_of(const char *name, size_t len, object_meta *m)
{
    m->hash = srv_hash64(name, len, 0x6763737465737431ULL);
    /* microseconds since the epoch, like real generations: 2017..2023 */
    m->generation = 1500000000000000ULL + m->hash % 200000000000000ULL;
    m->metageneration = 1 + (m->hash >> 60) % 3;
}

const char *content_type_of(content_kind k)
{
    switch (k) {
    case CONTENT_DICOM: return "application/dicom";
    case CONTENT_TEXT: return "text/plain";
    case CONTENT_FILE: return "application/octet-stream";
    default: return "application/octet-stream";
    }
}

static void rfc3339(sbuf *b, uint64_t micros)
{
    time_t t = (time_t)(micros / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char s[40];
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
    sbuf_putc(b, '"');
    sbuf_puts(b, s);
    unsigned ms = (unsigned)(micros / 1000 % 1000);
    char frac[6] = {'.', (char)('0' + ms / 100), (char)('0' + ms / 10 % 10),
                    (char)('0' + ms % 10), 'Z', '"'};
    sbuf_put(b, frac, sizeof frac);
}

static void b64_of(sbuf *b, uint64_t a, uint64_t c, size_t n)
{
    unsigned char raw[16];
    for (int i = 0; i < 8; i++) {
        raw[i] = (unsigned char)(a >> (8 * i));
        raw[8 + i] = (unsigned char)(c >> (8 * i));
    }
    sbuf_putc(b, '"');
    sbuf_base64(b, raw, n);
    sbuf_putc(b, '"');
}

static void etag(sbuf *b, uint64_t generation)
{
    /* real etags are a small protobuf: field 1 = generation, field 2 = 1 */
    unsigned char raw[16];
    size_t n = 0;
    raw[n++] = 0x08;
    do {
        raw[n++] = (unsigned char)((generation & 0x7F) | (generation > 0x7F ? 0x80 : 0));
        generation >>= 7;
    } while (generation);
    raw[n++] = 0x10;
    raw[n++] = 0x01;
    sbuf_putc(b, '"');
    sbuf_base64(b, raw, n);
    sbuf_putc(b, '"');
}

/* Nested objects that carry keys named like the object's own ("name",
 * "size"): a client that does not track nesting depth takes the wrong value. */
static void nested(jobj *o, const fmask *m, const char *bucket_id, const char *name,
                   size_t len, const object_meta *om)
{
    const fmask *s;
    if (key(o, m, "metadata", &s)) {
        jobj n = {o->b, 1};
        sbuf_putc(o->b, '{');
        if (key(&n, s, "name", NULL))
            str(o->b, "metadata-name-is-not-the-object-name");
        if (key(&n, s, "size", NULL))
            sbuf_json_u64str(o->b, om->hash % 999983);
        if (key(&n, s, "source", NULL))
            str(o->b, "gcs-test-server");
        sbuf_putc(o->b, '}');
    }
    if (key(o, m, "owner", &s)) {
        jobj n = {o->b, 1};
        sbuf_putc(o->b, '{');
        if (key(&n, s, "entity", NULL))
            str(o->b, "user-owner@example.com");
        if (key(&n, s, "entityId", NULL))
            str(o->b, "00b4903a97d2c1f8e1e3c2c8e8b0e5b4f7f3b0d6e2b4a2f0e1c3d5e7f9a1b3c5");
        if (key(&n, s, "name", NULL))
            str(o->b, "owner");
        sbuf_putc(o->b, '}');
    }
    if (key(o, m, "acl", &s)) {
        jobj n = {o->b, 1};
        sbuf_puts(o->b, "[{");
        if (key(&n, s, "kind", NULL))
            str(o->b, "storage#objectAccessControl");
        if (key(&n, s, "object", NULL))
            sbuf_json_str(o->b, name, len);
        if (key(&n, s, "bucket", NULL))
            str(o->b, bucket_id);
        if (key(&n, s, "generation", NULL))
            sbuf_json_u64str(o->b, om->generation);
        if (key(&n, s, "entity", NULL))
            str(o->b, "project-owners-123456789012");
        if (key(&n, s, "role", NULL))
            str(o->b, "OWNER");
        if (key(&n, s, "name", NULL))
            str(o->b, "acl-entry-name");
        if (key(&n, s, "size", NULL))
            sbuf_puts(o->b, "\"0\"");
        if (key(&n, s, "projectTeam", NULL))
            sbuf_puts(o->b, "{\"projectNumber\":\"123456789012\",\"team\":\"owners\"}");
        sbuf_puts(o->b, "}]");
    }
}

void json_object(sbuf *b, const fmask *m, const bucket *bk, size_t idx, const char *base_url)
{
    json_object_ex(b, m, bk, idx, base_url, NULL);
}

void json_object_ex(sbuf *b, const fmask *m, const bucket *bk, size_t idx, const char *base_url,
                    const char *size)
{
    char buf[BUCKET_NAME_MAX + 1];
    size_t len;
    const char *name = bucket_name(bk, idx, buf, &len);
    object_meta om;
    object_meta_of(name, len, &om);
    content_kind ck = bucket_content(bk, idx);
    jobj o = {b, 1};
    sbuf_putc(b, '{');
    /* Real responses have a fixed key order, but clients must not rely on it:
     * half of the objects put the nested decoys first. */
    int decoys_first = (int)(om.hash & 1);
    if (decoys_first)
        nested(&o, m, bk->id, name, len, &om);
    if (key(&o, m, "kind", NULL))
        sbuf_puts(b, "\"storage#object\"");
    if (key(&o, m, "id", NULL)) {
        /* bucket/name/generation, escaped as one string */
        char raw[BUCKET_NAME_MAX + 320];
        size_t bl = strlen(bk->id), n = 0;
        if (bl > 256)
            bl = 256;
        memcpy(raw, bk->id, bl);
        n = bl;
        raw[n++] = '/';
        memcpy(raw + n, name, len);
        n += len;
        n += (size_t)snprintf(raw + n, sizeof raw - n, "/%llu", (unsigned long long)om.generation);
        sbuf_json_str(b, raw, n);
    }
    if (key(&o, m, "selfLink", NULL)) {
        sbuf_putc(b, '"');
        sbuf_puts(b, base_url);
        sbuf_puts(b, "/storage/v1/b/");
        sbuf_pct(b, bk->id, strlen(bk->id));
        sbuf_puts(b, "/o/");
        sbuf_pct(b, name, len);
        sbuf_putc(b, '"');
    }
    if (key(&o, m, "mediaLink", NULL)) {
        sbuf_putc(b, '"');
        sbuf_puts(b, base_url);
        sbuf_puts(b, "/download/storage/v1/b/");
        sbuf_pct(b, bk->id, strlen(bk->id));
        sbuf_puts(b, "/o/");
        sbuf_pct(b, name, len);
        sbuf_puts(b, "?generation=");
        sbuf_u64(b, om.generation);
        sbuf_puts(b, "&alt=media\"");
    }
    if (key(&o, m, "name", NULL))
        sbuf_json_str(b, name, len);
    if (key(&o, m, "bucket", NULL))
        str(b, bk->id);
    if (key(&o, m, "generation", NULL))
        sbuf_json_u64str(b, om.generation);
    if (key(&o, m, "metageneration", NULL))
        sbuf_json_u64str(b, om.metageneration);
    if (key(&o, m, "contentType", NULL))
        str(b, content_type_of(ck));
    if (key(&o, m, "storageClass", NULL))
        sbuf_puts(b, "\"STANDARD\"");
    if (key(&o, m, "size", NULL)) {
        if (size) {
            sbuf_putc(b, '"');
            sbuf_puts(b, size);
            sbuf_putc(b, '"');
        } else {
            sbuf_json_u64str(b, bucket_size(bk, idx));
        }
    }
    if (key(&o, m, "md5Hash", NULL))
        b64_of(b, om.hash, srv_mix64(om.hash), 16);
    if (key(&o, m, "crc32c", NULL))
        b64_of(b, srv_mix64(om.hash + 1), 0, 4);
    if (key(&o, m, "etag", NULL))
        etag(b, om.generation);
    if (key(&o, m, "timeCreated", NULL))
        rfc3339(b, om.generation);
    if (key(&o, m, "updated", NULL))
        rfc3339(b, om.generation);
    if (key(&o, m, "timeStorageClassUpdated", NULL))
        rfc3339(b, om.generation);
    if (!decoys_first)
        nested(&o, m, bk->id, name, len, &om);
    sbuf_putc(b, '}');
}

void json_list_page(sbuf *b, const fmask *m, const bucket *bk, const list_page *pg,
                    const char *base_url)
{
    jobj o = {b, 1};
    const fmask *s;
    sbuf_putc(b, '{');
    if (key(&o, m, "kind", NULL))
        sbuf_puts(b, "\"storage#objects\"");
    if (pg->next_token && key(&o, m, "nextPageToken", NULL))
        str(b, pg->next_token);
    if (pg->n_prefixes && key(&o, m, "prefixes", NULL)) {
        sbuf_putc(b, '[');
        for (size_t i = 0; i < pg->n_prefixes; i++) {
            if (i)
                sbuf_putc(b, ',');
            str(b, pg->prefixes[i]);
        }
        sbuf_putc(b, ']');
    }
    if (pg->n_items && key(&o, m, "items", &s)) {
        sbuf_putc(b, '[');
        for (size_t i = 0; i < pg->n_items; i++) {
            sbuf_puts(b, i ? ",\n " : "\n ");
            json_object(b, s, bk, pg->items[i], base_url);
        }
        sbuf_putc(b, ']');
    }
    sbuf_puts(b, "}\n");
}

void json_bucket(sbuf *b, const fmask *m, const bucket *bk, const char *base_url)
{
    jobj o = {b, 1};
    uint64_t h = srv_hash64(bk->id, strlen(bk->id), 7);
    sbuf_putc(b, '{');
    if (key(&o, m, "kind", NULL))
        sbuf_puts(b, "\"storage#bucket\"");
    if (key(&o, m, "selfLink", NULL)) {
        sbuf_putc(b, '"');
        sbuf_puts(b, base_url);
        sbuf_puts(b, "/storage/v1/b/");
        sbuf_pct(b, bk->id, strlen(bk->id));
        sbuf_putc(b, '"');
    }
    if (key(&o, m, "id", NULL))
        str(b, bk->id);
    if (key(&o, m, "name", NULL))
        str(b, bk->id);
    if (key(&o, m, "projectNumber", NULL))
        sbuf_puts(b, "\"123456789012\"");
    if (key(&o, m, "metageneration", NULL))
        sbuf_puts(b, "\"1\"");
    if (key(&o, m, "location", NULL))
        sbuf_puts(b, "\"US\"");
    if (key(&o, m, "storageClass", NULL))
        sbuf_puts(b, "\"STANDARD\"");
    if (key(&o, m, "etag", NULL))
        sbuf_puts(b, "\"CAE=\"");
    if (key(&o, m, "timeCreated", NULL))
        rfc3339(b, 1500000000000000ULL + h % 100000000000000ULL);
    if (key(&o, m, "updated", NULL))
        rfc3339(b, 1500000000000000ULL + h % 100000000000000ULL);
    if (key(&o, m, "locationType", NULL))
        sbuf_puts(b, "\"multi-region\"");
    if (key(&o, m, "iamConfiguration", NULL))
        sbuf_puts(b, "{\"bucketPolicyOnly\":{\"enabled\":false},"
                     "\"uniformBucketLevelAccess\":{\"enabled\":false},"
                     "\"publicAccessPrevention\":\"inherited\"}");
    if (key(&o, m, "hierarchicalNamespace", NULL))
        sbuf_puts(b, "{\"enabled\":false}");
    sbuf_putc(b, '}');
}

void json_error(sbuf *b, unsigned code, const char *reason, const char *message)
{
    json_error_n(b, code, reason, message, strlen(message));
}

void json_error_n(sbuf *b, unsigned code, const char *reason, const char *message, size_t len)
{
    sbuf_puts(b, "{\"error\":{\"code\":");
    sbuf_u64(b, code);
    sbuf_puts(b, ",\"message\":");
    sbuf_json_str(b, message, len);
    sbuf_puts(b, ",\"errors\":[{\"message\":");
    sbuf_json_str(b, message, len);
    sbuf_puts(b, ",\"domain\":\"global\",\"reason\":");
    str(b, reason);
    sbuf_puts(b, "}]}}\n");
}
