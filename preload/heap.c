/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The heap: the malloc family over the shim's private jemalloc, its routing
 * tables and its set-up (the other parts: heap-internal.h).
 *
 * Every rule gets a jemalloc arena whose extent hooks take memory from the
 * rule's Linux area (mmap, then mbind before the first touch); sizes that
 * match no rule come from a plain arena (kernel default placement).
 *
 * Routing and jemalloc's thread cache. Below tcache_max (64 KiB) a thread's
 * cache hands out, for a size class, whatever region of that class was
 * freed last, whichever arena it came from. So the rule is: all regions of
 * one cached size class must share one placement. A class whose sizes all
 * map to the same rule ("pure") is allocated through the cache from that
 * rule's arena; a class that a rule boundary splits is allocated with
 * MALLOCX_TCACHE_NONE (never from the cache; frees of such regions may sit
 * in the cache but nothing takes them out). Aligned requests are routed by
 * the class they occupy.
 *
 * Big blocks (HEAP_BIG and up) come from a second arena of the same
 * placement whose freed pages go back to the kernel at once, as glibc
 * unmaps its big blocks: without it, a program whose buffers keep growing
 * keeps every earlier buffer resident (the 64 MiB size sweep of the
 * placement test peaked at 4.8x glibc's RSS, 1.06x with 8 MiB here).
 * In front of it, the big-block stash keeps a bounded number of freed big
 * blocks whole for the next big request (see below).
 *
 * The fast path: the sizes 1..fast_max all go to the rule of size 1 and sit
 * in pure classes; threads are pinned (thread.arena) to that rule's arena
 * and call jemalloc's own malloc/free. A thread's first calls (its
 * warm-up, init.c) take those sizes to the same arena with mallocx, with
 * no thread cache yet; the pinning and the cache come after. With one
 * rule for all sizes (or none), every call is a fast one. Without a
 * report, nothing is counted: malloc is then two compares and a jump into
 * jemalloc, free one look-up in the heap map (callgrind, small-object
 * churn: 87 instructions per malloc/free pair above jemalloc's own
 * before, 23 after).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "foreign.h"
#include "heap-internal.h"
#include "heap.h"
#include "os.h"
#include "profile.h"
#include "site.h"
#include "stats.h"

/* Read by jemalloc at its start. No huge arena (it purges freed large
 * extents at once, so every large temporary array faults in again), no
 * sbrk (the heap map only knows mmap'ed memory), thread caches up to
 * 64 KiB instead of 32 (server-like churn of objects up to 64 KiB: 10 %
 * faster, same RSS), and no thread cache until a thread's warm-up is over
 * (init.c). */
const char *shimje_malloc_conf =
	"dss:disabled,oversize_threshold:0,tcache_max:65536,tcache:false";

/* Read after MALLOC_CONF, so that no setting of the program's turns it
 * back on: jemalloc's heap profiler, whose references to libm are weak in
 * the shim's copy (jemalloc-rename.sh). */
const char *shimje_malloc_conf_2_conf_harder = "prof:false";

struct heap_state heap = {
	.fast_max = SIZE_MAX, .pinned = SHIM_UNROUTED, .page_mask = 4095};

/* ------------------------------------------------------------------------
 * Routing
 */

/* Does a rule boundary fall inside the sizes first..last (inclusive)? */
bool sizes_split(size_t first, size_t last)
{
	for (int i = 0; i < heap.nrules; i++) {
		size_t lo = heap.min_size[i], hi = heap.max_size[i];

		if (lo > first && lo <= last)
			return true;
		if (hi != SIZE_MAX && hi + 1 > first && hi + 1 <= last)
			return true;
	}
	return false;
}

/* Mark every 16-byte granule of a split cached class. */
static int routing_build_split(void)
{
	size_t prev = 0, len = (heap.tcache_max >> 4) + 2;
	void *p;

	if (aml_os_mmap(&p, NULL, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
		return -1;
	heap.split = p;
	while (prev < heap.tcache_max) {
		size_t hi = shimje_nallocx(prev + 1, 0);
		bool split = sizes_split(prev + 1, hi);

		if (hi <= prev)
			break;
		for (size_t s = prev + 1; s <= hi && s <= heap.tcache_max;
		     s += 16 - ((s - 1) & 15))
			heap.split[(s + 15) >> 4] |= split;
		prev = hi;
	}
	heap.split[0] = heap.split[1] || target_of(0) != target_of(1);
	return 0;
}

/* Largest size such that 1..size are pure and go to the target of 1. */
static size_t routing_fast_max(void)
{
	size_t first_break = SIZE_MAX, below;

	for (int i = 0; i < heap.nrules; i++) {
		size_t lo = heap.min_size[i], hi = heap.max_size[i];

		if (lo > 1 && lo < first_break)
			first_break = lo;
		if (hi != SIZE_MAX && hi + 1 > 1 && hi + 1 < first_break)
			first_break = hi + 1;
	}
	if (first_break == SIZE_MAX)
		return SIZE_MAX;
	below = first_break - 1;
	if (below > heap.tcache_max)
		return below;
	/* Stop at the end of the last pure class below the boundary. */
	while (below > 0 && class_split(below))
		below -= (below & 15) ? (below & 15) : 16;
	return below;
}

/* ------------------------------------------------------------------------
 * Set-up
 */

static int arena_create(const extent_hooks_t *hooks, unsigned *out)
{
	size_t len = sizeof(*out);

	if (hooks == NULL)
		return shimje_mallctl("arenas.create", out, &len, NULL, 0);
	return shimje_mallctl("arenas.create", out, &len, (void *)&hooks,
			      sizeof(hooks));
}

/* An arena for big blocks of a target. Its freed pages go back to the
 * kernel at once (the stash decides what stays); muzzy (MADV_FREE) is
 * skipped: those pages still count in the RSS. */
static int arena_create_big(int target, unsigned *out)
{
	char name[64];
	ssize_t dirty = 0;
	ssize_t muzzy = 0;

	if (arena_create(heap_area_hooks(target, true), out))
		return -1;
	snprintf(name, sizeof(name), "arena.%u.dirty_decay_ms", *out);
	shimje_mallctl(name, NULL, NULL, &dirty, sizeof(dirty));
	snprintf(name, sizeof(name), "arena.%u.muzzy_decay_ms", *out);
	shimje_mallctl(name, NULL, NULL, &muzzy, sizeof(muzzy));
	return 0;
}

/* The dirty decay of the arenas made from now on, and of arena 0. */
static void decay_set(long ms)
{
	ssize_t decay = ms;

	shimje_mallctl("arenas.dirty_decay_ms", NULL, NULL, &decay,
		       sizeof(decay));
	shimje_mallctl("arena.0.dirty_decay_ms", NULL, NULL, &decay,
		       sizeof(decay));
}

unsigned heap_arena_make(int target, bool big)
{
	_Atomic unsigned *slot =
		big ? &heap.big_arena[target + 1] : &heap.arena[target + 1];
	unsigned a;

	shim_spin_lock(&heap.arena_lock);
	a = atomic_load_explicit(slot, memory_order_relaxed);
	if (a == 0) {
		if (big ? arena_create_big(target, &a)
			: arena_create(target == SHIM_UNROUTED
					       ? NULL
					       : heap_area_hooks(target, false),
				       &a))
			a = 0;
		atomic_store_explicit(slot, a, memory_order_release);
	}
	shim_spin_unlock(&heap.arena_lock);
	if (a == 0)
		errno = ENOMEM;
	return a;
}

int heap_init(const struct shim_config *cfg)
{
	size_t len = sizeof(heap.tcache_max);
	extent_hooks_t *plain = heap_plain_hooks();

	/* Arena 0's hooks (extent.c): a cheaper thread start and exit. */
	shimje_mallctl("arena.0.extent_hooks", NULL, NULL, &plain,
		       sizeof(plain));
	heap.tcache_miblen = 3;
	if (shimje_mallctlnametomib("thread.tcache.enabled", heap.tcache_mib,
				    &heap.tcache_miblen))
		heap.tcache_miblen = 0;
	if (shimje_mallctl("arenas.tcache_max", &heap.tcache_max, &len, NULL,
			   0))
		heap.tcache_max = 32768;
	heap.big_cache = cfg->big_cache;
	heap.big_decay_ms = cfg->big_decay_ms;
	decay_set(cfg->dirty_decay_ms);
	for (int i = 0; i < cfg->nrules; i++) {
		heap.min_size[i] = cfg->rules[i].min_size;
		heap.max_size[i] = cfg->rules[i].max_size;
	}
	heap.nrules = cfg->nrules;
	heap.page_mask = aml_os_page_size() - 1;
	if (routing_build_split()) {
		heap.nrules = 0;
		return -1;
	}
	heap.pinned = target_of(1);
	/* The other arenas are made on first use: each costs metadata and
	 * the first pages of a first extent (a small program's footprint). */
	if (heap.pinned != SHIM_UNROUTED) {
		heap.pinned_arena = heap_arena_make(heap.pinned, false);
		heap.pin_miblen = 2;
		if (heap.pinned_arena == 0 ||
		    shimje_mallctlnametomib("thread.arena", heap.pin_mib,
					    &heap.pin_miblen)) {
			heap.pinned_arena = 0;
			heap.nrules = 0;
			return -1;
		}
	}
	heap.warm_flags =
		heap.pinned_arena ? MALLOCX_ARENA(heap.pinned_arena) : 0;
	heap.fast_max = routing_fast_max();
	if (heap.fast_max >= HEAP_BIG)
		heap.fast_max = HEAP_BIG - 1;
	heap.quick_max = cfg->report ? 0 : heap.fast_max;
	/* site= rules (site.c; the last rules): routed by site_route only */
	heap.nrules -= site_init(cfg);
	return 0;
}

/* ------------------------------------------------------------------------
 * The routed path
 */

static int lg2(size_t alignment)
{
	return __builtin_ctzl(alignment);
}

/* The routed path: every request that is not a fast one. */
void *heap_alloc(size_t size, size_t alignment, int flags)
{
	size_t usize = size ? size : 1;
	int target, arena;
	void *p;

	/* Another allocator serves (foreign.c). */
	if (shim_unlikely(foreign_aside))
		return foreign_alloc(size, alignment, flags & MALLOCX_ZERO);
	if (alignment > 1) {
		flags |= MALLOCX_LG_ALIGN(lg2(alignment));
		usize = shimje_nallocx(usize, flags);
		if (usize == 0) {
			errno = ENOMEM;
			return NULL;
		}
	}
	if (usize <= heap.tcache_max && !class_split(usize)) {
		target = target_of(usize);
	} else {
		target = target_of(size);
		flags |= MALLOCX_TCACHE_NONE;
	}
	/* site= rules (site.c): only sizes one of them may hold */
	if (site_rules_active && size >= site_min)
		target = site_route(size, target, &flags);
	if (usize >= HEAP_BIG) {
		p = stash_take(target, size ? size : 1, alignment,
			       flags & MALLOCX_ZERO);
		if (p != NULL) {
			shim_count_alloc(target, size);
			if (site_profiling) /* aml-run --profile (profile.c) */
				profile_alloc(p, size);
			return p;
		}
	}
	if (!arena_flags(target, usize, &arena))
		return NULL; /* ENOMEM */
	p = shimje_mallocx(size ? size : 1, flags | arena);
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	shim_count_alloc(target, size);
	if (site_profiling) /* aml-run --profile (profile.c) */
		profile_alloc(p, size);
	return p;
}

/* ------------------------------------------------------------------------
 * Threads
 */

/* Another allocator serves (foreign.c): every call takes the routed
 * path, where that is checked. */
void heap_step_aside(void)
{
	heap.quick_max = 0;
	heap.fast_max = 0;
}

/* Pinned first, so that the cache is made for that arena (re-associating
 * a cache merges its statistics). */
void heap_thread_ready(void)
{
	bool on = true;

	if (heap.pinned_arena != 0)
		shimje_mallctlbymib(heap.pin_mib, heap.pin_miblen, NULL, NULL,
				    &heap.pinned_arena,
				    sizeof(heap.pinned_arena));
	if (heap.tcache_miblen != 0)
		shimje_mallctlbymib(heap.tcache_mib, heap.tcache_miblen, NULL,
				    NULL, &on, sizeof(on));
}
