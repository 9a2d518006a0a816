/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The heap's internals, shared by its files (one concern each, as
 * mimalloc splits its allocator):
 *   heap.c          routing tables, the routed path, set-up (arenas)
 *   extent.c        the arenas' extent hooks: memory from the rules' areas
 *   stash.c         the big-block stash
 *   mapped.c        mapped blocks (what realloc grows big)
 *   alloc.c         malloc, calloc, realloc, reallocarray
 *   alloc-aligned.c posix_memalign, aligned_alloc, memalign, valloc, pvalloc
 *   free.c          free, malloc_usable_size, foreign pointers
 * The routing helpers on the fast paths are inline here.
 */
#ifndef AML_PRELOAD_HEAP_INTERNAL_H
#define AML_PRELOAD_HEAP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "guard.h"
#include "jemalloc-private.h"
#include "placement.h"

#define HEAP_BIG ((size_t)4 << 20)
/* realloc moves a block of this size and up into a mapping of its own
 * (mapped.c). */
#define MAPPED_MIN ((size_t)32 << 10)

struct heap_state {
	size_t fast_max;  /* sizes 1..fast_max: the fast path */
	size_t quick_max; /* fast_max, 0 when counting for the report */
	size_t tcache_max;
	int nrules;
	int pinned;	       /* the target of the fast path */
	unsigned pinned_arena; /* 0: threads stay on automatic arenas */
	/* By target + 1 ([0]: plain), made on first use (0: not yet). */
	_Atomic unsigned arena[SHIM_MAX_RULES + 1];
	_Atomic unsigned big_arena[SHIM_MAX_RULES + 1]; /* HEAP_BIG and up */
	struct shim_spin arena_lock;			/* while one is made */
	size_t pin_mib[2]; /* "thread.arena", looked up once */
	size_t pin_miblen;
	size_t tcache_mib[3]; /* "thread.tcache.enabled" */
	size_t tcache_miblen;
	int warm_flags; /* the fast path's arena, for warming threads */
	size_t min_size[SHIM_MAX_RULES];
	size_t max_size[SHIM_MAX_RULES];
	unsigned char *split; /* per 16-byte granule up to tcache_max */
	size_t big_cache;     /* freed big bytes stashed per placement */
	long big_decay_ms;    /* how long they may stay; -1: no limit */
	size_t page_mask;
};

extern struct heap_state heap;

/* heap.c: does a rule boundary fall inside the sizes first..last
 * (inclusive)? */
bool sizes_split(size_t first, size_t last);
/* The routed path of every request that is not a fast one. */
void *heap_alloc(size_t size, size_t alignment, int flags);

static inline int target_of(size_t size)
{
	for (int i = 0; i < heap.nrules; i++)
		if (size >= heap.min_size[i] && size <= heap.max_size[i])
			return i;
	return SHIM_UNROUTED;
}

static inline bool class_split(size_t usize)
{
	return heap.split != NULL && heap.split[(usize + 15) >> 4];
}

/* May a region of usable size usize have been placed by another target
 * than target_of(usize)? Its class lies inside (usize / 2, usize]. */
static inline bool region_ambiguous(size_t usize)
{
	return sizes_split(usize / 2 + 1, usize);
}

/* heap.c: the arena of target (big: its big arena), made now; 0 if it
 * cannot be made. */
unsigned heap_arena_make(int target, bool big);

/* The mallocx flags of target's arena for size (its big arena from
 * HEAP_BIG); false if that arena cannot be made. */
static inline bool arena_flags(int target, size_t size, int *flags)
{
	bool big = size >= HEAP_BIG;
	unsigned a = atomic_load_explicit(big ? &heap.big_arena[target + 1]
					      : &heap.arena[target + 1],
					  memory_order_acquire);

	if (shim_unlikely(a == 0) && (a = heap_arena_make(target, big)) == 0)
		return false;
	*flags = MALLOCX_ARENA(a);
	return true;
}

static inline bool fast(size_t size)
{
	return shim_thread_is_ready() && shim_likely(size - 1 < heap.fast_max);
}

/* A fast-path size in a thread's warm-up (init.c): mallocx with
 * heap.warm_flags, no thread cache yet. */
static inline bool warm(size_t size)
{
	return shim_thread_is_warm() && size - 1 < heap.fast_max;
}

/* A fast request that nobody counts (no report asked for). */
static inline bool quick(size_t size)
{
	return shim_thread_is_ready() && shim_likely(size - 1 < heap.quick_max);
}

/* extent.c: map len bytes of rule's area (SHIM_UNROUTED: default
 * placement) at addr (a hint, or exact with MAP_FIXED_NOREPLACE in
 * extra_flags), or aligned to alignment. NULL on failure. */
void *area_map(int rule, void *addr, size_t len, int extra_flags);
void *area_map_aligned(int rule, size_t len, size_t alignment);
/* The hooks of target's arena (big: of its big arena), set up for it. */
extent_hooks_t *heap_area_hooks(int target, bool big);
/* The hooks of arena 0: default placement (extent.c explains why). */
extent_hooks_t *heap_plain_hooks(void);

/* stash.c: take a stashed big block of target holding size bytes aligned
 * to alignment (NULL: none), its first size bytes zero with zero; stash a freed
 * big block (false: not stashed); give back the pages of warm blocks, len
 * bytes' worth. */
void *stash_take(int target, size_t size, size_t alignment, bool zero);
bool stash_put(void *ptr);
void stash_cool(size_t len);
/* Bytes (usable sizes) of the big blocks the stash holds for reuse, and
 * their count; with drain, they are given back to jemalloc first (and 0
 * is held after): malloc_trim and mallinfo (mallinfo.c). */
size_t stash_usage(bool drain, size_t *count);

/* mapped.c: the mapped block at ptr (its first granule is
 * GRANULE_MAPPED). */
size_t mapped_usable(void *ptr);
void mapped_free(void *ptr);
void *mapped_realloc(void *ptr, size_t size);
/* Move the jemalloc block ptr (old usable bytes) into a mapped block of
 * size bytes; NULL: it stays where it is. */
void *realloc_to_mapped(void *ptr, size_t old, size_t size);
/* Live mapped blocks: their bytes, and count (mallinfo.c). */
size_t mapped_usage(size_t *count);
/* Unmap the freed mapped blocks kept for reuse (memory trimming); the
 * cache's lock after fork. */
void mapped_cache_drain(void);
void mapped_after_fork(void);

/* free.c: realloc of a pointer the shim did not allocate. */
void *realloc_foreign(void *ptr, size_t size);

#endif /* AML_PRELOAD_HEAP_INTERNAL_H */
