/* The directory source through the public API: byte order across
 * directories, pruning (counted in stats.pages, one per directory read),
 * symbolic links, odd local names and failures naming the path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "gcsplan/list.h"

typedef struct result {
    int rc;
    size_t yielded;
    char text[8192];    /* "name size\n" per object */
    gcsplan_error err;
    gcsplan_list_stats stats;
} result;

static char root[64];

/* Make root/rel with size bytes, creating its directories. */
static void mk(const char *rel, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < size; i++)
        fputc('x', f);
    fclose(f);
}

static void rm_tree(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", root, root);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/gcsplan-dir-XXXXXX");
    return mkdtemp(root) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    rm_tree();
    return 0;
}

static void run(result *r, const char *uri, gcsplan_filter *exclude)
{
    memset(r, 0, sizeof *r);
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, NULL), 0);
    gcsplan_lister_options o = GCSPLAN_LISTER_OPTIONS_INIT;
    o.source = GCSPLAN_SOURCE_DIR;
    o.path = root;
    o.exclude = exclude;
    gcsplan_lister *l;
    assert_int_equal(gcsplan_lister_new(&l, p, &o, NULL), 0);
    const gcsplan_object *obj;
    size_t len = 0;
    while ((r->rc = gcsplan_lister_next(&obj, l)) == 0) {
        assert_int_equal(obj->generation, 0);
        len += (size_t)snprintf(r->text + len, sizeof r->text - len, "%s %llu\n", obj->name,
                                (unsigned long long)obj->size);
        assert_true(len < sizeof r->text);
        r->yielded++;
    }
    r->err = *gcsplan_lister_error(l);
    gcsplan_lister_stats(l, &r->stats);
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
}

static void expect(const result *r, const char *text)
{
    if (r->rc != GCSPLAN_ITEROVER)
        fail_msg("listing failed: %s", r->err.message);
    assert_string_equal(r->text, text);
}

/* A directory sorts as "name/": '-' and '.' come before '/', '0' after. */
static void test_order(void **state)
{
    (void)state;
    mk("a0", 1);
    mk("a/y/z", 2);
    mk("a.txt", 3);
    mk("a/x", 4);
    mk("a-b", 5);
    mk("b", 6);
    mk("a/x-y/1", 7);
    mk("a/x.y", 8);
    result r;
    run(&r, "gs://bkt/**", NULL);
    expect(&r, "a-b 5\na.txt 3\na/x 4\na/x-y/1 7\na/x.y 8\na/y/z 2\na0 1\nb 6\n");
    assert_int_equal(r.stats.listed, 8);
    assert_int_equal(r.stats.pages, 4); /* root, a, a/x-y, a/y */
}

static void build_studies(void)
{
    mk("studies/S1/series-1/IM-1.dcm", 10);
    mk("studies/S1/series-1/IM-2.dcm", 11);
    mk("studies/S1/series-1/notes.txt", 12);
    mk("studies/S1/series-2/IM-1.dcm", 13);
    mk("studies/S1/series-10/IM-1.dcm", 14);
    mk("studies/S1/other/IM-1.dcm", 15);
    mk("studies/S2/series-1/IM-1.dcm", 16);
    mk("studies/S2/series-1/deeper/IM-9.dcm", 17);
    mk("studies/S2/series-3/IM-1.dcm", 18);
    mk("archive/S1/series-1/IM-1.dcm", 19);
}

typedef struct prune_case {
    const char *uri;
    const char *text;
    unsigned pages; /* directories read */
} prune_case;

static void test_pruning(void **state)
{
    (void)state;
    build_studies();
    static const prune_case cases[] = {
        /* studies/S1, series-1, series-2 */
        { "gs://bkt/studies/S1/series-?/*.dcm",
          "studies/S1/series-1/IM-1.dcm 10\nstudies/S1/series-1/IM-2.dcm 11\n"
          "studies/S1/series-2/IM-1.dcm 13\n", 3 },
        /* studies, S1, S2, S1/series-1, S2/series-1 */
        { "gs://bkt/studies/*/series-1/IM-1.dcm",
          "studies/S1/series-1/IM-1.dcm 10\nstudies/S2/series-1/IM-1.dcm 16\n", 5 },
        /* studies/S2, series-1, deeper, series-3 */
        { "gs://bkt/studies/S2/**.dcm",
          "studies/S2/series-1/IM-1.dcm 16\nstudies/S2/series-1/deeper/IM-9.dcm 17\n"
          "studies/S2/series-3/IM-1.dcm 18\n", 4 },
        /* studies/S1 with "series-1" only: series-1 and series-10 */
        { "gs://bkt/studies/S1/series-1**",
          "studies/S1/series-1/IM-1.dcm 10\nstudies/S1/series-1/IM-2.dcm 11\n"
          "studies/S1/series-1/notes.txt 12\nstudies/S1/series-10/IM-1.dcm 14\n", 3 },
        { "gs://bkt/studies/S1/series-2/IM-1.dcm", "studies/S1/series-2/IM-1.dcm 13\n", 1 },
        { "gs://bkt/studies/S3/**", "", 0 },
        { "gs://bkt/studies/S1/series-1/IM-1.dcm/x", "", 0 },
        { "gs://bkt/studies//S1/*", "", 0 },
        { "gs://bkt/studies/../archive/**", "", 0 },
        /* root only: no file at depth 1 */
        { "gs://bkt/*", "", 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        result r;
        run(&r, cases[i].uri, NULL);
        if (r.rc != GCSPLAN_ITEROVER || strcmp(r.text, cases[i].text) != 0 ||
            r.stats.pages != cases[i].pages)
            fail_msg("case %zu %s: rc %d pages %llu\n%s", i, cases[i].uri, r.rc,
                     (unsigned long long)r.stats.pages, r.text);
    }
}

static void test_links_and_special_files(void **state)
{
    (void)state;
    mk("d/f", 3);
    char path[512], target[512];
    snprintf(path, sizeof path, "%s/d/loop", root);
    assert_int_equal(symlink("..", path), 0);          /* a cycle: not followed */
    snprintf(path, sizeof path, "%s/d/link", root);
    snprintf(target, sizeof target, "%s/d/f", root);
    assert_int_equal(symlink(target, path), 0);        /* a file: an object */
    snprintf(path, sizeof path, "%s/d/dangling", root);
    assert_int_equal(symlink("nowhere", path), 0);
    snprintf(path, sizeof path, "%s/d/fifo", root);
    assert_int_equal(mkfifo(path, 0600), 0);
    result r;
    run(&r, "gs://bkt/**", NULL);
    expect(&r, "d/f 3\nd/link 3\n");
    /* A prefix through the directory link is not followed either. */
    run(&r, "gs://bkt/d/loop/d/*", NULL);
    expect(&r, "");
}

static void test_odd_local_names(void **state)
{
    (void)state;
    mk("new\nline.dcm", 1);
    mk("bad\xff.dcm", 2);
    mk("sp ace#?*.dcm", 3);
    result r;
    run(&r, "gs://bkt/**.dcm", NULL);
    expect(&r, "bad\xff.dcm 2\nnew\nline.dcm 1\nsp ace#?*.dcm 3\n");
    run(&r, "gs://bkt/*e*", NULL);
    expect(&r, "new\nline.dcm 1\nsp ace#?*.dcm 3\n");
}

static void test_exclude(void **state)
{
    (void)state;
    build_studies();
    gcsplan_filter *f;
    assert_int_equal(gcsplan_filter_new(&f, NULL, NULL), 0);
    assert_int_equal(gcsplan_filter_add(f, ".*/series-1/.*", 14, NULL), 0);
    result r;
    run(&r, "gs://bkt/studies/**.dcm", f);
    expect(&r, "studies/S1/other/IM-1.dcm 15\nstudies/S1/series-10/IM-1.dcm 14\n"
               "studies/S1/series-2/IM-1.dcm 13\nstudies/S2/series-3/IM-1.dcm 18\n");
    assert_int_equal(r.stats.excluded, 4);
    gcsplan_filter_free(f);
}

static void test_failures(void **state)
{
    (void)state;
    result r;
    char saved[sizeof root];
    memcpy(saved, root, sizeof root);
    strcat(root, "/missing"); /* mkdtemp's name is 23 bytes: it fits */
    run(&r, "gs://bkt/**", NULL);
    assert_int_equal(r.rc, GCSPLAN_ESOURCE);
    assert_non_null(strstr(r.err.message, "missing': No such file or directory"));
    memcpy(root, saved, sizeof root);

    /* A directory removed between two steps of the walk. */
    mk("a/f", 1);
    mk("b/g", 2);
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, "gs://bkt/**", 11, NULL, NULL), 0);
    gcsplan_lister_options o = GCSPLAN_LISTER_OPTIONS_INIT;
    o.source = GCSPLAN_SOURCE_DIR;
    o.path = root;
    gcsplan_lister *l;
    const gcsplan_object *obj;
    assert_int_equal(gcsplan_lister_new(&l, p, &o, NULL), 0);
    char text[512];
    gcsplan_lister_explain(l, text, sizeof text);
    assert_non_null(strstr(text, "walk directory"));
    assert_int_equal(gcsplan_lister_next(&obj, l), 0);
    assert_string_equal(obj->name, "a/f");
    char path[512];
    snprintf(path, sizeof path, "%s/b/g", root);
    assert_int_equal(unlink(path), 0);
    snprintf(path, sizeof path, "%s/b", root);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(gcsplan_lister_next(&obj, l), GCSPLAN_ESOURCE);
    assert_non_null(strstr(gcsplan_lister_error(l)->message, "cannot read directory"));
    assert_non_null(strstr(gcsplan_lister_error(l)->message, "/b': No such file"));
    gcsplan_lister_free(l);

    /* Freed mid-walk, with levels on the stack: nothing may leak. */
    mk("b/c/d/e", 1);
    mk("b/c/d/f", 1);
    assert_int_equal(gcsplan_lister_new(&l, p, &o, NULL), 0);
    assert_int_equal(gcsplan_lister_next(&obj, l), 0);
    assert_int_equal(gcsplan_lister_next(&obj, l), 0);
    assert_string_equal(obj->name, "b/c/d/e");
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);

    /* Root can read any directory: the permission case needs a user. */
    if (geteuid() != 0) {
        snprintf(path, sizeof path, "%s/b/c", root);
        assert_int_equal(chmod(path, 0), 0);
        run(&r, "gs://bkt/**", NULL);
        assert_int_equal(r.rc, GCSPLAN_ESOURCE);
        assert_non_null(strstr(r.err.message, "/b/c': Permission denied"));
        assert_int_equal(chmod(path, 0755), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pruning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links_and_special_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_local_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exclude, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
