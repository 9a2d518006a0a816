/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address ranges (over placement): the memory the shim's jemalloc got from
 * the system (the heap map, read on free's fast path) and the ranges mapped
 * from each rule's area. Nothing here allocates through malloc.
 */
#ifndef AML_PRELOAD_RANGES_H
#define AML_PRELOAD_RANGES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "placement.h"

/* Visit a range: addr, len, and the caller's context. */
typedef void (*shim_range_fn)(void *addr, size_t len, void *ctx);

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
	GRANULE_NONE,	 /* not the heap's */
	GRANULE_FULL,	 /* inside a mapping of the heap */
	GRANULE_PARTIAL, /* ask the exact table */
	GRANULE_BIG,	 /* inside a big mapping */
	GRANULE_MAPPED,	 /* the first granule of a mapped block */
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
		    shim_likely(
			    atomic_load_explicit(
				    &leaf[g & ((1UL << RANGES_LEAF_SHIFT) - 1)],
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

#endif /* AML_PRELOAD_RANGES_H */
