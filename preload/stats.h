/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics (over ranges): what was routed where, counted for the report
 * with relaxed atomics, and the release census. Nothing here allocates.
 */
#ifndef AML_PRELOAD_STATS_H
#define AML_PRELOAD_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "ranges.h"

/* Count an allocation (or a routed mmap) of target (a rule or
 * SHIM_UNROUTED) for the report; lock-free. */
void shim_count_alloc(int target, size_t size);
void shim_count_mmap(int target, size_t size);

/* Per rule: what was routed to its area. */
struct shim_rule_stats {
	unsigned long long calls; /* allocation calls routed */
	unsigned long long bytes; /* bytes requested by those calls */
	unsigned long long mmaps; /* anonymous mmap calls routed */
	unsigned long long mmap_bytes;
};
void shim_rule_stats(int rule, struct shim_rule_stats *out);

/* Calls and bytes that matched no rule (default placement). */
void shim_unrouted_stats(struct shim_rule_stats *out);

/* Pages of a rule counted per node just before the shim gave them back
 * to the kernel (only counted when the report is on). counts[n] is set
 * for n < nnodes; nodes beyond SHIM_CENSUS_NODES are not told apart. */
#define SHIM_CENSUS_NODES 64
void shim_released_pages(int rule, unsigned long long *counts, size_t nnodes);

/* Visit every address range currently mapped from rule's area (extents
 * the allocator holds and routed mmaps still mapped). */
void shim_foreach_range(int rule, shim_range_fn fn, void *ctx);

/* The allocator's metadata: jemalloc maps each arena's base (the arena's
 * own structures, extent records) through the arena's extent hooks, so a
 * rule's metadata is placed by the rule; extent.c enters each such block
 * here, and the report counts its pages apart from the program's. At most
 * SHIM_METADATA_MAX blocks are told apart (each is 2 MiB or more). */
#define SHIM_METADATA_MAX 64
void stats_metadata_add(int rule, const void *addr, size_t len);
/* Visit the metadata blocks of rule (within its ranges). */
void shim_metadata_foreach(int rule, shim_range_fn fn, void *ctx);

/* The release census: when a report is asked for, the pages of a
 * rule's memory are counted per node just before the shim gives them back
 * to the kernel (purge, unmap, shrink), so that memory freed before exit
 * still shows in the report. Off, it costs one branch per release. */
/* Turn the census on (init.c, before the first allocation). */
void census_enable(void);
bool census_enabled(void);
/* Count where the present pages of [addr, addr + len) of rule are. */
void census_release(int rule, const void *addr, size_t len);

#endif /* AML_PRELOAD_STATS_H */
