/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Placement (over settings): the configuration in force and, per rule, the
 * Linux area its memory comes from, in static storage. A request's size
 * picks the rule (first match) and so the area.
 */
#ifndef AML_PRELOAD_PLACEMENT_H
#define AML_PRELOAD_PLACEMENT_H

#include <stddef.h>

#include "settings.h"

/* Placement target of a request: a rule index, or no rule at all. */
#define SHIM_UNROUTED (-1)

struct aml_area;

/* Read the configuration from the environment (settings.h). 0, or -1 with
 * the problem in err; the configuration then has no rules. */
int placement_load(char *err, size_t errlen);
/* Drop every rule: default placement from now on. */
void placement_disable(void);
/* Make the area of every rule (after placement_load). 0, or -1 if a rule
 * cannot have an area (then call placement_disable). */
int placement_build(void);

/* A mapped block of the rule's area was grown by mremap to size bytes at
 * ptr: re-apply a weighted rule's layout to all of it (other policies
 * carry over to the tail by themselves). */
void placement_regrown(int rule, void *ptr, size_t size);
/* A mapped block of another rule's area joins this rule's in place: bind
 * it to the rule's area, moving the pages already there. 0, or -1 (the
 * rule has no area, or the kernel refused). */
int placement_rebind(int rule, void *ptr, size_t size);

/* The configuration in force (valid once the shim is initialised). */
const struct shim_config *shim_config(void);
/* The rule whose size range holds size (first match), or SHIM_UNROUTED. */
int shim_rule_for_size(size_t size);
/* The Linux area of a rule, in static storage. */
const struct aml_area *shim_rule_area(int rule);

#endif /* AML_PRELOAD_PLACEMENT_H */
