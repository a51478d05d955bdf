#include "content.h"

#include <stdio.h>
#include <string.h>

/* After "DICM": (0002,0000) UL group length, (0002,0010) UI transfer syntax
 * Explicit VR Little Endian, in explicit VR little endian encoding. */
static const unsigned char dicom_meta[] = {
    0x02, 0x00, 0x00, 0x00, 'U', 'L', 0x04, 0x00, 0x1c, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x10, 0x00, 'U', 'I', 0x14, 0x00,
    '1', '.', '2', '.', '8', '4', '0', '.', '1', '0', '0', '0', '8', '.',
    '1', '.', '2', '.', '1', 0x00,
};

void content_init(content_src *c, content_kind kind, const char *name, size_t len)
{
    c->kind = kind;
    int n = snprintf(c->line, sizeof c->line, "gcs-test-server synthetic object %.*s\n",
                     (int)(len > 100 ? 100 : len), name);
    c->linelen = n > 0 ? (size_t)n : 0;
}

static char dicom_byte(uint64_t off)
{
    if (off < 128)
        return 0;
    if (off < 132)
        return "DICM"[off - 128];
    off -= 132;
    if (off < sizeof dicom_meta)
        return (char)dicom_meta[off];
    return (char)(off * 31 % 251);
}

void content_fill(const content_src *c, uint64_t off, char *out, size_t n)
{
    switch (c->kind) {
    case CONTENT_DICOM:
        for (size_t i = 0; i < n; i++)
            out[i] = dicom_byte(off + i);
        break;
    case CONTENT_TEXT:
        for (size_t i = 0; i < n; i++)
            out[i] = c->line[(off + i) % c->linelen];
        break;
    case CONTENT_FILE:
        /* The object's size is the file's: a read never goes past it. */
        for (size_t i = 0; i < n; i++)
            out[i] = off + i < c->datalen ? c->data[off + i] : 0;
        break;
    default:
        memset(out, 0, n);
    }
}
