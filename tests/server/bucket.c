/* Operations shared by every bucket source. */
#include "bucket.h"
#include "util.h"

#include <stdlib.h>

static int ends_with_dcm(const char *s, size_t n)
{
    return n >= 4 && s[n - 4] == '.' && (s[n - 3] | 0x20) == 'd' && (s[n - 2] | 0x20) == 'c' &&
           (s[n - 1] | 0x20) == 'm';
}

content_kind bucket_content(const bucket *b, size_t i)
{
    content_kind c = b->ops->content(b, i);
    if (c != CONTENT_AUTO)
        return c;
    char buf[BUCKET_NAME_MAX + 1];
    size_t len;
    const char *name = bucket_name(b, i, buf, &len);
    return ends_with_dcm(name, len) ? CONTENT_DICOM : CONTENT_TEXT;
}

size_t bucket_find(const bucket *b, const char *name, size_t len)
{
    size_t i = bucket_lower_bound(b, name, len);
    if (i >= bucket_count(b))
        return (size_t)-1;
    char buf[BUCKET_NAME_MAX + 1];
    size_t n;
    const char *got = bucket_name(b, i, buf, &n);
    return srv_bytes_cmp(got, n, name, len) == 0 ? i : (size_t)-1;
}

void bucket_free(bucket *b)
{
    if (!b)
        return;
    b->ops->destroy(b);
    free(b->id);
    free(b);
}
