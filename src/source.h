/* The inside of a lister: where candidate objects come from.
 *
 * A source yields objects in strictly increasing byte order of name. It may
 * yield names the pattern does not match (a listing returns what a prefix
 * holds); the lister matches each against the pattern, applies the exclusion
 * filter, checks the order and counts. Sources use the pattern to read less:
 * its literal prefix, its segments. */
#ifndef GCSPLAN_SOURCE_H
#define GCSPLAN_SOURCE_H

#include <stdint.h>
#include "gcsplan/list.h"

typedef struct gcsplan__transport gcsplan__transport;
typedef struct gcsplan__auth gcsplan__auth;

typedef struct gcsplan__source gcsplan__source;

/* What every source is given; owned by the lister, valid while it lives. */
typedef struct gcsplan__source_env {
    const gcsplan_allocator *alloc;
    const gcsplan_pattern *pattern;
    const gcsplan_lister_options *opts; /* with defaults filled in */
    gcsplan_list_stats *stats;          /* the source counts listed, pages, requests... */
    gcsplan_error *err;                 /* where a failing source explains itself */
    /* Tests only (gcsplan__lister_new_with): the live source's transport and
     * credentials, borrowed, and the environment it reads; NULL: the real ones. */
    gcsplan__transport *transport;
    gcsplan__auth *auth;
    const char *(*getenv_fn)(const char *name);
} gcsplan__source_env;

/* What a test may put in place of the network, the credentials and the
 * environment of a lister. */
typedef struct gcsplan__lister_hooks {
    gcsplan__transport *transport;
    gcsplan__auth *auth;
    const char *(*getenv_fn)(const char *name);
} gcsplan__lister_hooks;

/* gcsplan_lister_new with hooks (NULL: none). */
int gcsplan__lister_new_with(gcsplan_lister **out, const gcsplan_pattern *pattern,
                             const gcsplan_lister_options *opts,
                             const gcsplan__lister_hooks *hooks, gcsplan_error *err);

typedef struct gcsplan__source_ops {
    /* The next candidate into *obj (its name borrowed until the next call).
     * Returns 0, GCSPLAN_ITEROVER, or an error code with env->err filled. */
    int (*next)(gcsplan__source *s, gcsplan_object *obj);
    /* Describe the plan, one step per line, through the appender. */
    void (*explain)(const gcsplan__source *s, void (*put)(void *ctx, const char *text),
                    void *ctx);
    void (*free)(gcsplan__source *s);
} gcsplan__source_ops;

struct gcsplan__source {
    const gcsplan__source_ops *ops;
    const gcsplan__source_env *env;
};

/* Constructors: each fills *out (a struct that starts with gcsplan__source)
 * or returns an error code with env->err filled. */
int gcsplan__source_file_new(gcsplan__source **out, const gcsplan__source_env *env);
int gcsplan__source_dir_new(gcsplan__source **out, const gcsplan__source_env *env);
int gcsplan__source_live_new(gcsplan__source **out, const gcsplan__source_env *env);

#endif
