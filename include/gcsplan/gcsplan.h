/* gcsplan: expand Cloud Storage wildcard URIs and plan Cloud Healthcare imports.
 *
 * The umbrella header. Modules:
 *   gcsplan/error.h    return codes, URI rules, error struct, allocator hooks
 *   gcsplan/pattern.h  compile, inspect and match import URIs
 *   gcsplan/filter.h   exclusion filters (PCRE2)
 *   gcsplan/list.h     list the objects a URI matches, live or offline
 *   gcsplan/preflight.h  findings about an import before it runs
 *   gcsplan/plan.h     split the objects into import jobs, and prove the plan
 *   gcsplan/plandoc.h  plan documents: read, write, digest, URI containment
 *   gcsplan/report.h   the prefix summary and the HTML report of a plan and its run
 *   gcsplan/import.h   run a plan's imports, with a journal to resume from
 *   gcsplan/version.h  version macros and runtime query */
#ifndef GCSPLAN_H
#define GCSPLAN_H

#include "gcsplan/export.h"
#include "gcsplan/version.h"
#include "gcsplan/error.h"
#include "gcsplan/pattern.h"
#include "gcsplan/filter.h"
#include "gcsplan/list.h"
#include "gcsplan/preflight.h"
#include "gcsplan/plan.h"
#include "gcsplan/plandoc.h"
#include "gcsplan/report.h"
#include "gcsplan/import.h"

#endif
