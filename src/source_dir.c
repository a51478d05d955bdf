/* The directory source: a local directory read as a bucket's contents. An
 * object's name is its path relative to the directory, with '/' between
 * components; its size is the file's size; its generation is 0.
 *
 * Names come out in strictly increasing byte order without the tree ever
 * being held: a depth-first walk that sorts each directory's entries, where
 * a subdirectory sorts as "name/" ("a-b" < "a/x" < "a.txt" < "a0", since
 * '-' < '/' < '.' < '0'). Everything under "a/" starts with it, so yielding
 * each subtree whole at the place of its key keeps the global order. Memory
 * is the entries of the directories on the current path.
 *
 * The pattern cuts the walk short: it starts in the deepest directory its
 * literal prefix names, descends only into directories whose name matches
 * the pattern's segment at that depth, never below the last segment (unless
 * "**" lets names cross '/'), and stats only the files the pattern matches.
 *
 * Only regular files are objects. A symbolic link to a regular file is one;
 * symbolic links to directories are not followed (a link back up the tree
 * would make the walk endless), and sockets, FIFOs and devices are skipped. */
#define _DEFAULT_SOURCE /* d_type and DT_* in struct dirent */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "source.h"
#include "util/name.h"

/* Most entries, and most bytes of their names, kept for one directory. */
#define DIR_ENTRIES_MAX ((size_t)1 << 24)
#define DIR_NAME_BYTES_MAX ((size_t)1 << 30)
/* Every level adds at least "x/" to a name of at most GCSPLAN_NAME_MAX bytes. */
#define DIR_DEPTH_MAX (GCSPLAN_NAME_MAX / 2 + 1)
/* Longest directory entry name the walk keeps (NAME_MAX on Linux). */
#define DIR_ENTRY_NAME_MAX 255

typedef struct dir_entry {
    size_t off, len;   /* the key in the level's names: a directory ends with '/' */
    int is_dir;
    int have_size;     /* a followed symbolic link was stat'ed already */
    uint64_t size;
} dir_entry;

/* One directory on the current path, its entries sorted. */
typedef struct level {
    dir_entry *e;
    size_t n, cap, i;
    char *names;
    size_t names_len, names_cap;
    size_t rel_len;    /* length of the relative name of this directory, '/' included */
    size_t seg;        /* pattern segment its entries' names stand for */
} level;

typedef struct dir_source {
    gcsplan__source base;
    const gcsplan_allocator *a;
    const char *root;
    size_t root_len;
    const gcsplan_pattern *pattern;
    int recursive;
    size_t nsegs;
    int started, done;
    level *stack;      /* DIR_DEPTH_MAX levels */
    size_t depth;      /* levels in use */
    char *path;        /* root "/" rel name: scratch for system calls */
    char rel[GCSPLAN_NAME_MAX + 1];
    size_t start_len;  /* the relative name of the first directory read */
    char name[GCSPLAN_NAME_MAX + 1];
} dir_source;

static int fail_path(dir_source *s, const char *what, const char *path, int errnum)
{
    return gcsplan__error_set(s->base.env->err, GCSPLAN_ESOURCE, "%s '%.180s': %s", what, path,
                              strerror(errnum));
}

static int oom(dir_source *s)
{
    return gcsplan__error_set(s->base.env->err, GCSPLAN_ENOMEM, "out of memory");
}

/* s->path = root "/" rel[0, rel_len) name */
static const char *make_path(dir_source *s, size_t rel_len, const char *name, size_t len)
{
    char *p = s->path;
    memcpy(p, s->root, s->root_len);
    p += s->root_len;
    *p++ = '/';
    memcpy(p, s->rel, rel_len);
    p += rel_len;
    memcpy(p, name, len);
    p[len] = '\0';
    return s->path;
}

/* --- pruning ------------------------------------------------------------------------ */

/* Can a directory named name, in a directory at segment seg, hold matches? */
static int dir_wanted(const dir_source *s, size_t seg, size_t rel_len, const char *name,
                      size_t len)
{
    if (rel_len + len + 2 > GCSPLAN_NAME_MAX) /* "name/x" must still fit */
        return 0;
    if (s->recursive && seg + 1 >= s->nsegs) {
        /* Inside "**": its own level must start with the literal part,
         * everything deeper may match. */
        return seg + 1 > s->nsegs ||
               gcsplan_pattern_match_segment(s->pattern, seg, name, len);
    }
    return seg + 1 < s->nsegs && gcsplan_pattern_match_segment(s->pattern, seg, name, len);
}

/* Only files whose whole name matches are kept (and stat'ed later). */
static int file_wanted(dir_source *s, size_t rel_len, const char *name, size_t len)
{
    if (rel_len + len > GCSPLAN_NAME_MAX)
        return 0;
    memcpy(s->rel + rel_len, name, len);
    return gcsplan_pattern_match(s->pattern, s->rel, rel_len + len);
}

/* --- reading one directory ----------------------------------------------------------- */

static int add_entry(dir_source *s, level *L, const char *name, size_t len, int is_dir,
                     int have_size, uint64_t size)
{
    if (L->n == DIR_ENTRIES_MAX || L->names_len + len + 1 > DIR_NAME_BYTES_MAX)
        return gcsplan__error_set(s->base.env->err, GCSPLAN_ELIMIT,
                                  "directory '%.180s' has more entries than %zu",
                                  make_path(s, L->rel_len, "", 0), (size_t)DIR_ENTRIES_MAX);
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 64;
        dir_entry *e = gcsplan__realloc(s->a, L->e, cap * sizeof *e);
        if (e == NULL)
            return oom(s);
        L->e = e;
        L->cap = cap;
    }
    if (L->names_cap - L->names_len < len + 1) {
        size_t cap = L->names_cap ? L->names_cap : 4096;
        while (cap - L->names_len < len + 1)
            cap *= 2;
        char *n = gcsplan__realloc(s->a, L->names, cap);
        if (n == NULL)
            return oom(s);
        L->names = n;
        L->names_cap = cap;
    }
    memcpy(L->names + L->names_len, name, len);
    if (is_dir)
        L->names[L->names_len + len++] = '/';
    L->e[L->n++] = (dir_entry){ L->names_len, len, is_dir, have_size, size };
    L->names_len += len;
    return 0;
}

/* Classify an entry: 1 file, 2 directory, 0 skip; negative on error. */
static int classify(dir_source *s, int dfd, const struct dirent *d, size_t rel_len,
                    uint64_t *size, int *have_size)
{
    struct stat st;
    unsigned char type = d->d_type;
    *have_size = 0;
    if (type == DT_REG)
        return 1;
    if (type == DT_DIR)
        return 2;
    if (type != DT_LNK && type != DT_UNKNOWN)
        return 0;
    if (type == DT_UNKNOWN) {
        if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            return fail_path(s, "cannot stat",
                             make_path(s, rel_len, d->d_name, strlen(d->d_name)), errno);
        if (S_ISREG(st.st_mode))
            return 1;
        if (S_ISDIR(st.st_mode))
            return 2;
        if (!S_ISLNK(st.st_mode))
            return 0;
    }
    /* A symbolic link: an object when it leads to a regular file. A link
     * that leads nowhere is no object either. */
    if (fstatat(dfd, d->d_name, &st, 0) != 0)
        return 0;
    if (!S_ISREG(st.st_mode))
        return 0;
    *size = (uint64_t)st.st_size;
    *have_size = 1;
    return 1;
}

static int entry_cmp(const level *L, const dir_entry *x, const dir_entry *y)
{
    return gcsplan__name_cmp(L->names + x->off, x->len, L->names + y->off, y->len);
}

/* Insertion sort for small directories, heap sort beyond: in place, no
 * allocation, O(n log n). */
static void sift(const level *L, dir_entry *e, size_t i, size_t n)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && entry_cmp(L, &e[c], &e[c + 1]) < 0)
            c++;
        if (entry_cmp(L, &e[i], &e[c]) >= 0)
            return;
        dir_entry t = e[i];
        e[i] = e[c];
        e[c] = t;
        i = c;
    }
}

static void sort_entries(level *L)
{
    dir_entry *e = L->e;
    size_t n = L->n;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            dir_entry t = e[i];
            size_t j = i;
            for (; j > 0 && entry_cmp(L, &e[j - 1], &t) > 0; j--)
                e[j] = e[j - 1];
            e[j] = t;
        }
        return;
    }
    for (size_t i = n / 2; i-- > 0;)
        sift(L, e, i, n);
    for (size_t end = n; end-- > 1;) {
        dir_entry t = e[0];
        e[0] = e[end];
        e[end] = t;
        sift(L, e, 0, end);
    }
}

/* Read the directory rel[0, rel_len) into a new level at segment seg. */
static int push_level(dir_source *s, size_t rel_len, size_t seg)
{
    if (s->depth == DIR_DEPTH_MAX)
        return gcsplan__error_set(s->base.env->err, GCSPLAN_ELIMIT, "directories nest too deep");
    level *L = &s->stack[s->depth];
    memset(L, 0, sizeof *L);
    L->rel_len = rel_len;
    L->seg = seg;
    s->depth++;
    /* Without the trailing '/', which would make even O_NOFOLLOW resolve a
     * link. O_NOFOLLOW: the directory must still be the one classified, not
     * a symbolic link put in its place since. */
    const char *path = make_path(s, rel_len > 0 ? rel_len - 1 : 0, "", 0);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (rel_len > 0 ? O_NOFOLLOW : 0));
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return fail_path(s, "cannot read directory", path, e);
    }
    s->base.env->stats->pages++;
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (de == NULL) {
            if (errno != 0)
                rc = fail_path(s, "cannot read directory", path, errno);
            break;
        }
        const char *name = de->d_name;
        size_t len = strlen(name);
        if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
            continue;
        uint64_t size = 0;
        int have_size;
        int kind = classify(s, fd, de, rel_len, &size, &have_size);
        if (kind < 0) {
            rc = kind;
            break;
        }
        if (kind == 1) {
            s->base.env->stats->listed++;
            if (file_wanted(s, rel_len, name, len))
                rc = add_entry(s, L, name, len, 0, have_size, size);
        } else if (kind == 2 && dir_wanted(s, seg, rel_len, name, len)) {
            rc = add_entry(s, L, name, len, 1, 0, 0);
        }
        if (rc != 0)
            break;
    }
    closedir(d);
    if (rc == 0)
        sort_entries(L);
    return rc;
}

static void pop_level(dir_source *s)
{
    level *L = &s->stack[--s->depth];
    gcsplan__free(s->a, L->e);
    gcsplan__free(s->a, L->names);
    memset(L, 0, sizeof *L);
}

/* --- the start: the deepest directory the literal prefix names ------------------------ */

static int start(dir_source *s)
{
    struct stat st;
    s->started = 1;
    if (stat(s->root, &st) != 0)
        return fail_path(s, "cannot read directory", s->root, errno);
    if (!S_ISDIR(st.st_mode))
        return fail_path(s, "cannot read directory", s->root, ENOTDIR);
    size_t plen;
    const char *prefix = gcsplan_pattern_prefix(s->pattern, &plen);
    size_t rel_len = 0, seg = 0;
    for (size_t i = 0; i < plen; i++) {
        if (prefix[i] != '/')
            continue;
        const char *comp = prefix + rel_len;
        size_t clen = i - rel_len;
        /* No local path has an empty, "." or ".." component: nothing matches. */
        if (clen == 0 || (comp[0] == '.' && (clen == 1 || (clen == 2 && comp[1] == '.')))) {
            s->done = 1;
            return 0;
        }
        memcpy(s->rel + rel_len, comp, clen);
        const char *path = make_path(s, rel_len + clen, "", 0);
        int r = lstat(path, &st);
        if (r != 0 && errno != ENOENT && errno != ENOTDIR)
            return fail_path(s, "cannot stat", path, errno);
        if (r != 0 || !S_ISDIR(st.st_mode)) {
            s->done = 1; /* missing, a file, or a link the walk would not follow */
            return 0;
        }
        s->rel[rel_len + clen] = '/';
        rel_len = i + 1;
        seg++;
    }
    s->start_len = rel_len;
    return push_level(s, rel_len, seg);
}

/* --- the source --------------------------------------------------------------------- */

static int dir_next(gcsplan__source *base, gcsplan_object *obj)
{
    dir_source *s = (dir_source *)base;
    if (!s->started) {
        int rc = start(s);
        if (rc != 0) {
            s->done = 1;
            return rc;
        }
    }
    while (!s->done && s->depth > 0) {
        level *L = &s->stack[s->depth - 1];
        if (L->i == L->n) {
            pop_level(s);
            continue;
        }
        const dir_entry *e = &L->e[L->i++];
        memcpy(s->rel + L->rel_len, L->names + e->off, e->len);
        size_t len = L->rel_len + e->len;
        if (e->is_dir) {
            int rc = push_level(s, len, L->seg + 1);
            if (rc != 0)
                return rc;
            continue;
        }
        uint64_t size = e->size;
        if (!e->have_size) {
            struct stat st;
            const char *path = make_path(s, len, "", 0);
            if (stat(path, &st) != 0)
                return fail_path(s, "cannot stat", path, errno);
            size = (uint64_t)st.st_size;
        }
        memcpy(s->name, s->rel, len);
        s->name[len] = '\0';
        obj->name = s->name;
        obj->name_len = len;
        obj->size = size;
        obj->generation = 0;
        return 0;
    }
    s->done = 1;
    return GCSPLAN_ITEROVER;
}

static void dir_explain(const gcsplan__source *base, void (*put)(void *, const char *),
                        void *ctx)
{
    const dir_source *s = (const dir_source *)base;
    size_t plen;
    const char *prefix = gcsplan_pattern_prefix(s->pattern, &plen);
    size_t from = 0;
    for (size_t i = 0; i < plen; i++)
        if (prefix[i] == '/')
            from = i;
    const char *how = s->recursive ? "everything below the prefix"
                                   : "pruning directories by segment";
    char line[512];
    snprintf(line, sizeof line, "walk directory %.180s from %.180s%s%.*s, %s\n", s->root,
             s->root, from > 0 ? "/" : "", (int)(from > 200 ? 200 : from), prefix, how);
    put(ctx, line);
}

static void dir_free(gcsplan__source *base)
{
    dir_source *s = (dir_source *)base;
    while (s->depth > 0)
        pop_level(s);
    gcsplan__free(s->a, s->stack);
    gcsplan__free(s->a, s->path);
    gcsplan__free(s->a, s);
}

static const gcsplan__source_ops dir_ops = { dir_next, dir_explain, dir_free };

int gcsplan__source_dir_new(gcsplan__source **out, const gcsplan__source_env *env)
{
    const gcsplan_allocator *a = env->alloc;
    dir_source *s = gcsplan__malloc(a, sizeof *s);
    if (s == NULL)
        return gcsplan__error_set(env->err, GCSPLAN_ENOMEM, "out of memory");
    memset(s, 0, sizeof *s);
    s->base.ops = &dir_ops;
    s->base.env = env;
    s->a = a;
    s->root = env->opts->path;
    s->root_len = strlen(s->root);
    s->pattern = env->pattern;
    s->recursive = gcsplan_pattern_crosses_slash(env->pattern);
    s->nsegs = gcsplan_pattern_segment_count(env->pattern);
    s->stack = gcsplan__malloc(a, DIR_DEPTH_MAX * sizeof *s->stack);
    s->path = gcsplan__malloc(a, s->root_len + 1 + GCSPLAN_NAME_MAX + DIR_ENTRY_NAME_MAX + 2);
    if (s->stack == NULL || s->path == NULL) {
        dir_free(&s->base);
        return gcsplan__error_set(env->err, GCSPLAN_ENOMEM, "out of memory");
    }
    *out = &s->base;
    return 0;
}
