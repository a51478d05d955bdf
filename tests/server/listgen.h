/*
 * A list page shaped by hostile rules, produced as a stream: pages of
 * millions of items, items padded with gigabytes, injected evil names,
 * overridden sizes and the page tokens of the token modes, all in bounded
 * memory. The listing itself still honours every objects.list parameter:
 * the page is walked in chunks of at most LIST_MAX_RESULTS entries with
 * listing_run, items first, then (a second walk over the same chunks) the
 * collapsed prefixes, then nextPageToken, so nothing but one chunk and one
 * rendered item is ever held.
 */
#ifndef GCS_TEST_SERVER_LISTGEN_H
#define GCS_TEST_SERVER_LISTGEN_H

#include "bucket.h"
#include "hostile.h"
#include "listing.h"

#include <stddef.h>
#include <sys/types.h>

typedef struct listgen listgen;

/* p is copied (its page_token is the ordinary token the page starts at,
 * already unwrapped from req_token). req_token is the decoded hostile token
 * the request carried, or NULL. fields is the raw `fields` parameter or
 * NULL. Returns NULL with a message in err when the listing parameters are
 * invalid (HTTP 400) or memory runs out. */
listgen *listgen_new(const bucket *b, const list_params *p, const char *fields,
                     const hostile_shape *shape, const htoken *req_token,
                     const char *base_url, char *err, size_t errlen);
/* Writes up to max bytes of the page; returns how many, 0 at its end, -1 on
 * an error mid-way (the connection is then cut). */
ssize_t listgen_read(listgen *g, char *buf, size_t max);
void listgen_free(listgen *g);

#endif
