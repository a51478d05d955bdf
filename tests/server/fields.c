#include "fields.h"

#include <stdlib.h>
#include <string.h>

const fmask FMASK_ALL = {NULL, NULL, 0, 1};

#define FMASK_DEPTH_MAX 16

static void node_clear(fmask *m)
{
    for (size_t i = 0; i < m->n; i++)
        node_clear(&m->kids[i]);
    free(m->kids);
    free(m->name);
}

void fmask_free(fmask *m)
{
    if (!m || m == &FMASK_ALL)
        return;
    node_clear(m);
    free(m);
}

static fmask *child(fmask *m, const char *s, size_t n)
{
    for (size_t i = 0; i < m->n; i++)
        if (strlen(m->kids[i].name) == n && !memcmp(m->kids[i].name, s, n))
            return &m->kids[i];
    fmask *k = realloc(m->kids, (m->n + 1) * sizeof *k);
    if (!k)
        return NULL;
    m->kids = k;
    fmask *c = &k[m->n];
    memset(c, 0, sizeof *c);
    c->name = strndup(s, n);
    if (!c->name)
        return NULL;
    m->n++;
    return c;
}

static int is_sep(char c) { return c == ',' || c == '/' || c == '(' || c == ')' || c == '\0'; }

static int parse_list(fmask *m, const char *s, size_t *pos, int depth)
{
    if (depth > FMASK_DEPTH_MAX)
        return -1;
    for (;;) {
        fmask *cur = m;
        for (;;) {
            while (s[*pos] == ' ')
                (*pos)++;
            size_t st = *pos;
            while (!is_sep(s[*pos]) && s[*pos] != ' ')
                (*pos)++;
            if (*pos == st)
                return -1;
            cur = child(cur, s + st, *pos - st);
            if (!cur)
                return -1;
            while (s[*pos] == ' ')
                (*pos)++;
            if (s[*pos] != '/')
                break;
            (*pos)++;
        }
        if (s[*pos] == '(') {
            (*pos)++;
            if (parse_list(cur, s, pos, depth + 1) != 0 || s[*pos] != ')')
                return -1;
            (*pos)++;
        } else {
            cur->all = 1;
        }
        while (s[*pos] == ' ')
            (*pos)++;
        if (s[*pos] != ',')
            return 0;
        (*pos)++;
    }
}

fmask *fmask_parse(const char *s)
{
    fmask *m = calloc(1, sizeof *m);
    size_t pos = 0;
    if (!m || parse_list(m, s, &pos, 0) != 0 || s[pos] != '\0') {
        fmask_free(m);
        return NULL;
    }
    return m;
}

const fmask *fmask_get(const fmask *m, const char *key)
{
    if (m == &FMASK_ALL || m->all)
        return &FMASK_ALL;
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->kids[i].name, key))
            return m->kids[i].all || m->kids[i].n == 0 ? &FMASK_ALL : &m->kids[i];
    return NULL;
}
