/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Placement by allocation site (heap layer): the site= rules' code
 * locations resolved into address ranges at start-up and whenever a
 * library is loaded or unloaded (dlopen, dlclose), and the per-request
 * match, a lock-free read of the table in force.
 */
#ifndef AML_PRELOAD_SITE_H
#define AML_PRELOAD_SITE_H

#include <stddef.h>

#include "rules.h"

/* Set when site= rules are in force; requests of site_min bytes and up
 * then ask site_route. */
extern int site_rules_active;
extern size_t site_min;

/* At the heap's set-up, after its routing tables: resolve the sites of
 * cfg, keep the site= rules' sizes off the fast path and the thread
 * cache. Returns the number of site= rules (the last ones of cfg), which
 * size routing (target_of) must then leave out. */
int site_init(const struct shim_config *cfg);

/* The target of a request of size bytes made from the code calling the
 * allocator: the first site= rule whose sizes hold size and one of whose
 * sites is among the frames above the allocator, else target. Adds
 * MALLOCX_TCACHE_NONE to *flags when it picks a site= rule. */
int site_route(size_t size, int target, int *flags);

/* Re-resolve after a library was loaded or unloaded (why: "dlopen" or
 * "dlclose", for the debug log). */
void site_refresh(const char *why);

/* For the report: the sites of rule as text ("make_grid@1: 3 allocations,
 * 48 MiB; ..."), "" when it has none. Returns the length it needed. */
size_t site_rule_text(int rule, char *buf, size_t len);

#endif /* AML_PRELOAD_SITE_H */
