/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exported allocation entry points: malloc and calloc (a quick path
 * inline, the counted and routed paths out of line), realloc and
 * reallocarray. Routing is explained in heap.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "foreign.h"
#include "heap-internal.h"
#include "init.h"
#include "ranges.h"
#include "stats.h"

/* A fast-path size in the thread's warm-up: the same arena, no cache. */
static void *warm_alloc(size_t size, int flags)
{
	void *p = shimje_mallocx(size, heap.warm_flags | flags);

	if (p == NULL)
		errno = ENOMEM;
	else
		shim_count_alloc(heap.pinned, size);
	return p;
}

/* Out of line, so that the quick path needs no stack frame. */
__attribute__((noinline)) static void *malloc_counted(size_t size)
{
	void *p;

	if (fast(size)) {
		p = shimje_malloc(size);
		if (shim_likely(p != NULL))
			shim_count_alloc(heap.pinned, size);
		return p;
	}
	if (!shim_thread_enter())
		return shimje_malloc(size);
	if (warm(size))
		return warm_alloc(size, 0);
	return heap_alloc(size, 0, 0);
}

SHIM_EXPORT void *malloc(size_t size)
{
	if (quick(size))
		return shimje_malloc(size);
	return malloc_counted(size);
}

__attribute__((noinline)) static void *calloc_counted(size_t n, size_t size,
						      size_t total)
{
	void *p;

	if (fast(total)) {
		p = shimje_calloc(n, size);
		if (shim_likely(p != NULL))
			shim_count_alloc(heap.pinned, total);
		return p;
	}
	if (!shim_thread_enter())
		return shimje_calloc(n, size);
	if (warm(total))
		return warm_alloc(total, MALLOCX_ZERO);
	return heap_alloc(total, 0, MALLOCX_ZERO);
}

SHIM_EXPORT void *calloc(size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	if (quick(total))
		return shimje_calloc(n, size);
	return calloc_counted(n, size, total);
}

/* ------------------------------------------------------------------------
 * Reallocation
 */

static void *realloc_routed(void *ptr, size_t old, size_t size)
{
	int target = target_of(size), flags;
	void *p;

	if (target == target_of(old) && !region_ambiguous(old) &&
	    !(size <= heap.tcache_max && class_split(size))) {
		/* Same placement: resize in place or move within it. */
		if (!arena_flags(target, size, &flags))
			return NULL; /* ENOMEM */
		if (size > heap.tcache_max)
			flags |= MALLOCX_TCACHE_NONE;
		p = shimje_rallocx(ptr, size, flags);
		if (p == NULL)
			errno = ENOMEM;
		else
			shim_count_alloc(target, size);
		return p;
	}
	p = heap_alloc(size, 0, 0);
	if (p == NULL)
		return NULL;
	memcpy(p, ptr, old < size ? old : size);
	shimje_free(ptr);
	return p;
}

/* With another allocator serving (foreign.c): a block of the shim's heap
 * moves out to it. */
static void *realloc_out(void *ptr, size_t size)
{
	size_t old = malloc_usable_size(ptr);
	void *p = foreign_alloc(size, 0, false);

	if (p == NULL)
		return NULL;
	memcpy(p, ptr, old < size ? old : size);
	free(ptr);
	return p;
}

SHIM_EXPORT void *realloc(void *ptr, size_t size)
{
	size_t old;
	void *p;
	int kind;

	if (ptr == NULL)
		return malloc(size);
	if (size == 0) {
		/* glibc's behaviour: free and return NULL. */
		free(ptr);
		return NULL;
	}
	kind = ranges_heap_kind(ptr);
	/* With another allocator serving (foreign.c), its blocks stay its
	 * own and the shim's move out to it. */
	if (shim_unlikely(foreign_aside))
		return kind == GRANULE_NONE ? foreign_realloc(ptr, size)
					    : realloc_out(ptr, size);
	if (kind == GRANULE_NONE)
		return realloc_foreign(ptr, size);
	if (kind == GRANULE_MAPPED) {
		shim_thread_enter();
		return mapped_realloc(ptr, size);
	}
	if (!shim_thread_enter())
		return shimje_realloc(ptr, size);
	old = shimje_malloc_usable_size(ptr);
	if (size >= MAPPED_MIN && size > old) {
		p = realloc_to_mapped(ptr, old, size);
		if (p != NULL)
			return p;
	}
	if (fast(size) && fast(old)) {
		p = shimje_realloc(ptr, size);
		if (p != NULL)
			shim_count_alloc(heap.pinned, size);
		return p;
	}
	if (warm(size) && warm(old)) {
		p = shimje_rallocx(ptr, size, heap.warm_flags);
		if (p == NULL)
			errno = ENOMEM;
		else
			shim_count_alloc(heap.pinned, size);
		return p;
	}
	return realloc_routed(ptr, old, size);
}

SHIM_EXPORT void *reallocarray(void *ptr, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(ptr, total);
}
