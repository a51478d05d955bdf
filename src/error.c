/* Return codes, rule names and the caller's error struct. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *gcsplan_strerror(int code)
{
    switch (code) {
    case GCSPLAN_OK: return "success";
    case GCSPLAN_ERROR: return "internal error";
    case GCSPLAN_ENOMEM: return "out of memory";
    case GCSPLAN_EINVAL: return "invalid argument";
    case GCSPLAN_EURI: return "invalid import URI";
    case GCSPLAN_ELIMIT: return "input exceeds a limit";
    case GCSPLAN_ESOURCE: return "object source failed";
    case GCSPLAN_EPLAN: return "no plan satisfies the invariants";
    case GCSPLAN_ESTOPPED: return "stopped on request";
    case GCSPLAN_EJOURNAL: return "not a journal of this import";
    case GCSPLAN_EBUSY: return "the journal is in use by another run";
    case GCSPLAN_ITEROVER: return "no more items";
    default: return "unknown error";
    }
}

/* Indexed by rule number; the names are part of the JSON output and stable. */
static const struct { int rule; const char *name; } rule_names[] = {
    { GCSPLAN_RULE_NONE, "none" },
    { GCSPLAN_RULE_SCHEME, "scheme" },
    { GCSPLAN_RULE_BUCKET_EMPTY, "bucket-empty" },
    { GCSPLAN_RULE_BUCKET_LENGTH, "bucket-length" },
    { GCSPLAN_RULE_BUCKET_CHAR, "bucket-char" },
    { GCSPLAN_RULE_BUCKET_EDGE, "bucket-edge" },
    { GCSPLAN_RULE_BUCKET_PART, "bucket-part" },
    { GCSPLAN_RULE_BUCKET_IPV4, "bucket-ipv4" },
    { GCSPLAN_RULE_BUCKET_GOOG, "bucket-goog" },
    { GCSPLAN_RULE_BUCKET_GOOGLE, "bucket-google" },
    { GCSPLAN_RULE_BUCKET_WILDCARD, "bucket-wildcard" },
    { GCSPLAN_RULE_OBJECT_EMPTY, "object-empty" },
    { GCSPLAN_RULE_UTF8, "utf8" },
    { GCSPLAN_RULE_NEWLINE, "newline" },
    { GCSPLAN_RULE_RECURSIVE_NOT_LAST, "recursive-not-last" },
    { GCSPLAN_RULE_RECURSIVE_TWICE, "recursive-twice" },
    { GCSPLAN_RULE_TRIPLE_STAR, "triple-star" },
    { GCSPLAN_RULE_RECURSIVE_MIXED, "recursive-mixed" },
    { GCSPLAN_RULE_TOO_LONG, "too-long" },
    { GCSPLAN_RULE_DOT_NAME, "dot-name" },
    { GCSPLAN_RULE_W_TRAILING_SLASH, "trailing-slash" },
    { GCSPLAN_RULE_W_SUFFIX_NO_DOT, "suffix-no-dot" },
    { GCSPLAN_RULE_W_EMPTY_SEGMENT, "empty-segment" },
    { GCSPLAN_RULE_W_LITERAL_META, "literal-meta" },
    { GCSPLAN_RULE_W_PARTIAL_RECURSIVE, "partial-recursive" },
    { GCSPLAN_RULE_W_SPACE_EDGE, "space-edge" },
};

const char *gcsplan_rule_name(int rule)
{
    for (size_t i = 0; i < sizeof rule_names / sizeof rule_names[0]; i++)
        if (rule_names[i].rule == rule)
            return rule_names[i].name;
    return "unknown";
}

int gcsplan_rule_is_warning(int rule)
{
    return rule >= 100;
}

void gcsplan_error_clear(gcsplan_error *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->rule = 0;
    err->offset = 0;
    err->length = 0;
    err->http_status = 0;
    err->message[0] = '\0';
    err->hint[0] = '\0';
}

int gcsplan__error_set(gcsplan_error *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    gcsplan_error_clear(err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}
