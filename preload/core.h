/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal interfaces of the shim's allocator core, shared by shim.c (start
 * and configuration), heap.c (the malloc family over jemalloc), mmap.c (the
 * mmap family) and ranges.c (address ranges). Nothing here allocates.
 */
#ifndef AML_PRELOAD_CORE_H
#define AML_PRELOAD_CORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shim.h"

/* The interposed functions are the only symbols the shim exports. */
#define SHIM_EXPORT __attribute__((visibility("default")))
#define SHIM_TLS __attribute__((tls_model("initial-exec")))
#define shim_likely(x) __builtin_expect(!!(x), 1)
#define shim_unlikely(x) __builtin_expect(!!(x), 0)

/* Placement target of a request: a rule index, or no rule at all. */
#define SHIM_UNROUTED (-1)

struct aml_area;

/* ------------------------------------------------------------------------
 * Start-up (shim.c)
 */

/* Run the one-time set-up if nobody has; wait for it if another thread
 * runs it. Never called recursively (heap.c's thread state guards that). */
void shim_init_once(void);
/* True once the set-up has finished. */
bool shim_is_ready(void);
/* The rule whose size range holds size (first match), or SHIM_UNROUTED. */
int shim_rule_for_size(size_t size);
/* The Linux area of a rule, in static storage. */
const struct aml_area *shim_rule_area(int rule);
/* Count an allocation (or a routed mmap) for the report; lock-free. */
void shim_count_alloc(int target, size_t size);
void shim_count_mmap(int target, size_t size);

/* ------------------------------------------------------------------------
 * Release census (stats.c): when a report is asked for, the pages of a
 * rule's memory are counted per node just before the shim gives them back
 * to the kernel (purge, unmap, shrink), so that memory freed before exit
 * still shows in the report. Off, it costs one branch per release.
 */

/* Turn the census on (shim.c, before the first allocation). */
void census_enable(void);
bool census_enabled(void);
/* Count where the present pages of [addr, addr + len) of rule are. */
void census_release(int rule, const void *addr, size_t len);

/* ------------------------------------------------------------------------
 * The heap (heap.c)
 */

/* Create one hooked arena per rule and the routing tables. 0 or -1. */
int heap_init(const struct shim_config *cfg);
/* Make the calling thread ready (set-up, arena pinning); false while the
 * thread is already inside the shim (a recursive call). */
bool heap_thread_enter(void);
/* In a fork child: the big-block stash's lock may be held by a thread
 * that is gone. */
void heap_after_fork(void);

/* ------------------------------------------------------------------------
 * Address ranges (ranges.c)
 */

/* Memory jemalloc obtained from the system; pointers outside it were not
 * allocated by the shim ("foreign"). A big mapping holds big blocks only
 * (the big arenas' extents): free tells them apart by it. */
void ranges_heap_add(const void *addr, size_t len);
void ranges_heap_add_big(const void *addr, size_t len);
void ranges_heap_remove(const void *addr, size_t len);

/* The heap map (ranges.c): a byte per 64 KiB granule, in leaves of 1 GiB
 * of address space. Its common answer (a granule wholly inside the heap)
 * is read inline, on free's fast path; the rest goes to
 * ranges_heap_kind_slow. */
#define RANGES_GRANULE_SHIFT 16
#define RANGES_LEAF_SHIFT 14
#define RANGES_TOP_SHIFT (47 - RANGES_GRANULE_SHIFT - RANGES_LEAF_SHIFT)

enum ranges_granule {
	GRANULE_NONE,    /* not the heap's */
	GRANULE_FULL,    /* inside a mapping of the heap */
	GRANULE_PARTIAL, /* ask the exact table */
	GRANULE_BIG,     /* inside a big mapping */
	GRANULE_MAPPED,  /* the first granule of a mapped block */
};

extern _Atomic(atomic_uchar *) ranges_heap_leaves[1UL << RANGES_TOP_SHIFT];
/* GRANULE_NONE (foreign), GRANULE_FULL (the heap's), GRANULE_BIG (the
 * heap's, in a big mapping) or GRANULE_MAPPED (a mapped block's start). */
int ranges_heap_kind_slow(const void *ptr);

/* The kind of ptr, as ranges_heap_kind_slow says. */
static inline int ranges_heap_kind(const void *ptr)
{
	uintptr_t g = (uintptr_t)ptr >> RANGES_GRANULE_SHIFT;
	uintptr_t top = g >> RANGES_LEAF_SHIFT;
	atomic_uchar *leaf;

	if (shim_likely(top < (1UL << RANGES_TOP_SHIFT))) {
		leaf = atomic_load_explicit(&ranges_heap_leaves[top],
					    memory_order_acquire);
		if (shim_likely(leaf != NULL) &&
		    shim_likely(atomic_load_explicit(
					&leaf[g & ((1UL << RANGES_LEAF_SHIFT) -
						   1)],
					memory_order_acquire) == GRANULE_FULL))
			return GRANULE_FULL;
	}
	return ranges_heap_kind_slow(ptr);
}

static inline bool ranges_heap_owns(const void *ptr)
{
	return ranges_heap_kind(ptr) != GRANULE_NONE;
}

/* Mark the granule at addr (64 KiB aligned, wholly inside a mapping of
 * the shim's own: a mapped block, see heap.c) GRANULE_MAPPED, or clear it
 * back to GRANULE_NONE before the mapping goes away. Marking fails (false)
 * only when the map cannot get storage. */
bool ranges_heap_mark_mapped(const void *addr, bool mapped);

/* Ranges mapped from a rule's area (arena extents, routed mmaps). */
void ranges_rule_add(int rule, const void *addr, size_t len);
void ranges_rule_remove(const void *addr, size_t len);
/* The rule of the range holding addr, or SHIM_UNROUTED. */
int ranges_rule_at(const void *addr);
void ranges_rule_foreach(int rule, shim_range_fn fn, void *ctx);
/* Call fn(rule, start, len) for every part of [addr, addr + len) that lies
 * in a rule range, in address order (without the lock held). */
typedef void (*ranges_piece_fn)(int rule, const void *addr, size_t len);
void ranges_rule_pieces(const void *addr, size_t len, ranges_piece_fn fn);

/* In a fork child: the threads holding locks are gone. */
void ranges_after_fork(void);

#endif /* AML_PRELOAD_CORE_H */
