/* The listing snapshot: one binary record per object in a temporary file
 * (removed by the system when closed): length, size, generation, excluded
 * flag, name. */
#include <string.h>

#include "spool.h"

#define SPOOL_BUFFER (1u << 20)

int spool_open(spool *s)
{
    memset(s, 0, sizeof *s);
    s->f = tmpfile();
    if (s->f == NULL)
        return -1;
    setvbuf(s->f, NULL, _IOFBF, SPOOL_BUFFER);
    return 0;
}

int spool_put(spool *s, const char *name, size_t len, uint64_t size, int64_t generation,
              int excluded)
{
    unsigned char head[19];
    head[0] = (unsigned char)(len & 0xff);
    head[1] = (unsigned char)(len >> 8);
    for (int i = 0; i < 8; i++) {
        head[2 + i] = (unsigned char)(size >> (8 * i));
        head[10 + i] = (unsigned char)((uint64_t)generation >> (8 * i));
    }
    head[18] = (unsigned char)(excluded != 0);
    if (len > 1024 || fwrite(head, 1, sizeof head, s->f) != sizeof head ||
        fwrite(name, 1, len, s->f) != len)
        return -1;
    s->count++;
    return 0;
}

int spool_rewind(spool *s)
{
    if (fflush(s->f) != 0)
        return -1;
    rewind(s->f);
    return 0;
}

int spool_next(spool *s)
{
    unsigned char head[19];
    size_t k = fread(head, 1, sizeof head, s->f);
    if (k == 0)
        return ferror(s->f) ? -1 : 0;
    if (k != sizeof head)
        return -1;
    s->len = (size_t)head[0] | (size_t)head[1] << 8;
    s->size = 0;
    uint64_t g = 0;
    for (int i = 0; i < 8; i++) {
        s->size |= (uint64_t)head[2 + i] << (8 * i);
        g |= (uint64_t)head[10 + i] << (8 * i);
    }
    s->generation = (int64_t)g;
    s->excluded = head[18];
    if (s->len > 1024 || fread(s->name, 1, s->len, s->f) != s->len)
        return -1;
    s->name[s->len] = '\0';
    return 1;
}

void spool_close(spool *s)
{
    if (s->f != NULL)
        fclose(s->f);
    s->f = NULL;
}
