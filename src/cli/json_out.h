/* The tool's JSON Lines output: yajl's generator, and helpers that keep
 * what it writes valid JSON (json_out.c). Only the commands that print
 * --json include it, so yajl reaches no other file of the tool. */
#ifndef GCSPLAN_CLI_JSON_OUT_H
#define GCSPLAN_CLI_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "gcsplan/error.h"
#include "gcsplan/pattern.h"

/* A new generator; out of memory, the tool exits with status 3. Strings that
 * are not valid UTF-8 have each bad byte replaced by U+FFFD, so the output is
 * always JSON. */
yajl_gen json_open(void);
void json_str(yajl_gen g, const char *s, size_t len);
void json_cstr(yajl_gen g, const char *s);
void json_key(yajl_gen g, const char *key);
void json_int(yajl_gen g, long long v);
/* A count or size: unsigned 64-bit, all of it (2^63 and up included). */
void json_u64(yajl_gen g, uint64_t v);
/* A value that is already JSON (a library's document, compact, valid
 * UTF-8), inserted as it is. */
void json_raw(yajl_gen g, const char *json, size_t len);
/* Write what was generated as one line on stdout (out.h) and reset the generator. */
void json_line(yajl_gen g);
/* The warnings array of a compiled pattern, and an error object. */
void json_warnings(yajl_gen g, const gcsplan_pattern *p);
void json_error(yajl_gen g, const gcsplan_error *err);

#endif
