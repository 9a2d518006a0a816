/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The malloc family over the shim's private jemalloc.
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
 * and call jemalloc's own malloc/free. With one rule for all sizes (or
 * none), every call is a fast one. Without a report, nothing is counted:
 * malloc is then two compares and a jump into jemalloc, free one look-up
 * in the heap map (callgrind, small-object churn: 87 instructions per
 * malloc/free pair above jemalloc's own before, 23 after).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "heap.h"
#include "init.h"
#include "jemalloc-private.h"
#include "log.h"
#include "os.h"
#include "placement.h"
#include "ranges.h"
#include "stats.h"

/* Read by jemalloc at its start. No huge arena (it purges freed large
 * extents at once, so every large temporary array faults in again), no
 * sbrk (the heap map only knows mmap'ed memory), thread caches up to
 * 64 KiB instead of 32 (server-like churn of objects up to 64 KiB: 10 %
 * faster, same RSS). */
const char *shimje_malloc_conf =
	"dss:disabled,oversize_threshold:0,tcache_max:65536";

#define HEAP_BIG ((size_t)4 << 20)

static struct {
	size_t fast_max;  /* sizes 1..fast_max: the fast path */
	size_t quick_max; /* fast_max, 0 when counting for the report */
	size_t tcache_max;
	int nrules;
	int pinned;            /* the target of the fast path */
	unsigned pinned_arena; /* 0: threads stay on automatic arenas */
	unsigned arena[SHIM_MAX_RULES + 1]; /* by target + 1; [0] plain */
	unsigned big_arena[SHIM_MAX_RULES + 1]; /* HEAP_BIG and up */
	size_t min_size[SHIM_MAX_RULES];
	size_t max_size[SHIM_MAX_RULES];
	unsigned char *split; /* per 16-byte granule up to tcache_max */
	size_t big_cache;     /* freed big bytes stashed per placement */
	long big_decay_ms;    /* how long they may stay; -1: no limit */
	size_t page_mask;
} heap = {.fast_max = SIZE_MAX, .pinned = SHIM_UNROUTED, .page_mask = 4095};

/* ------------------------------------------------------------------------
 * Routing
 */

static int target_of(size_t size)
{
	for (int i = 0; i < heap.nrules; i++)
		if (size >= heap.min_size[i] && size <= heap.max_size[i])
			return i;
	return SHIM_UNROUTED;
}

/* Does a rule boundary fall inside the sizes first..last (inclusive)? */
static bool sizes_split(size_t first, size_t last)
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

static bool class_split(size_t usize)
{
	return heap.split != NULL && heap.split[(usize + 15) >> 4];
}

/* May a region of usable size usize have been placed by another target
 * than target_of(usize)? Its class lies inside (usize / 2, usize]. */
static bool region_ambiguous(size_t usize)
{
	return sizes_split(usize / 2 + 1, usize);
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

static int arena_flags(int target, size_t size)
{
	if (size >= HEAP_BIG)
		return MALLOCX_ARENA(heap.big_arena[target + 1]);
	return MALLOCX_ARENA(heap.arena[target + 1]);
}

/* ------------------------------------------------------------------------
 * Extent hooks: a rule's arena gets its memory from the rule's area
 */

struct heap_area {
	extent_hooks_t hooks; /* first: jemalloc passes this pointer back */
	int rule;             /* SHIM_UNROUTED: default placement */
	bool big;             /* a big arena: its mappings are marked big */
};

static struct heap_area heap_areas[SHIM_MAX_RULES];
static struct heap_area heap_areas_big[SHIM_MAX_RULES + 1]; /* target + 1 */

static void *area_map(int rule, void *addr, size_t len, int extra_flags)
{
	struct aml_area_linux_mmap_options opts = {
		.ptr = addr,
		.flags = MAP_PRIVATE | MAP_ANONYMOUS | extra_flags,
		.mode = PROT_READ | PROT_WRITE,
		.fd = -1,
		.offset = 0,
	};
	const struct aml_area *area;
	void *p;

	if (rule == SHIM_UNROUTED) {
		if (aml_os_mmap(&p, addr, len, opts.mode, opts.flags, -1, 0))
			return NULL;
		return p;
	}
	area = shim_rule_area(rule);
	return area->ops->mmap(area->data, len,
			       (struct aml_area_mmap_options *)&opts);
}

/* Map len bytes aligned to alignment: over-map, then trim both ends (the
 * binding covers the whole mapping, so what stays is bound). */
static void *area_map_aligned(int rule, size_t len, size_t alignment)
{
	size_t page = aml_os_page_size(), over, lead;
	uintptr_t p;
	void *first = area_map(rule, NULL, len, 0);

	if (first == NULL || ((uintptr_t)first & (alignment - 1)) == 0)
		return first;
	aml_os_munmap(first, len);
	over = len + alignment - page;
	first = area_map(rule, NULL, over, 0);
	if (first == NULL)
		return NULL;
	p = ((uintptr_t)first + alignment - 1) & ~(alignment - 1);
	lead = p - (uintptr_t)first;
	if (lead)
		aml_os_munmap(first, lead);
	if (over - lead - len)
		aml_os_munmap((void *)(p + len), over - lead - len);
	return (void *)p;
}

static void stash_cool(size_t len);

static void *hook_alloc(extent_hooks_t *hooks, void *new_addr, size_t size,
			size_t alignment, bool *zero, bool *commit,
			unsigned arena_ind)
{
	struct heap_area *ha = (struct heap_area *)hooks;
	int rule = ha->rule;
	size_t page = aml_os_page_size();
	void *p;

	(void)arena_ind;
	if (alignment < page)
		alignment = page;
	if (new_addr != NULL) {
		p = area_map(rule, new_addr, size, MAP_FIXED_NOREPLACE);
		if (p != NULL && p != new_addr) {
			/* A kernel without MAP_FIXED_NOREPLACE took it as
			 * a hint and put it elsewhere: give up. */
			aml_os_munmap(p, size);
			p = NULL;
		}
	} else {
		p = area_map_aligned(rule, size, alignment);
	}
	if (p == NULL)
		return NULL;
	if (ha->big) {
		ranges_heap_add_big(p, size);
	} else {
		ranges_heap_add(p, size);
		stash_cool(size);
	}
	ranges_rule_add(rule, p, size);
	*zero = true;
	*commit = true;
	return p;
}

/* Keep the mapping (and its binding) for reuse: jemalloc retains it. */
static bool hook_dalloc(extent_hooks_t *hooks, void *addr, size_t size,
			bool committed, unsigned arena_ind)
{
	(void)hooks, (void)addr, (void)size, (void)committed, (void)arena_ind;
	return true;
}

static void hook_destroy(extent_hooks_t *hooks, void *addr, size_t size,
			 bool committed, unsigned arena_ind)
{
	(void)committed, (void)arena_ind;
	if (census_enabled())
		census_release(((struct heap_area *)hooks)->rule, addr, size);
	ranges_rule_remove(addr, size);
	ranges_heap_remove(addr, size);
	aml_os_munmap(addr, size);
}

static bool hook_commit(extent_hooks_t *hooks, void *addr, size_t size,
			size_t offset, size_t length, unsigned arena_ind)
{
	(void)hooks, (void)addr, (void)size, (void)offset, (void)length;
	(void)arena_ind;
	return false; /* never decommitted, so always committed */
}

/* Refuse: decommitting by mapping PROT_NONE over the range would replace
 * the mapping and drop its policy. jemalloc purges instead. */
static bool hook_decommit(extent_hooks_t *hooks, void *addr, size_t size,
			  size_t offset, size_t length, unsigned arena_ind)
{
	(void)hooks, (void)addr, (void)size, (void)offset, (void)length;
	(void)arena_ind;
	return true;
}

/* With the census on, the pages are counted first, and a lazy purge
 * becomes a forced one: pages freed lazily stay present until the kernel
 * reclaims them, and a later forced purge of the same range would count
 * them twice. */
static bool hook_purge(extent_hooks_t *hooks, void *addr, size_t offset,
		       size_t length, int advice)
{
	char *start = (char *)addr + offset;

	if (census_enabled()) {
		census_release(((struct heap_area *)hooks)->rule, start,
			       length);
		advice = MADV_DONTNEED;
	}
	return aml_os_madvise(start, length, advice) != 0;
}

static bool hook_purge_lazy(extent_hooks_t *hooks, void *addr, size_t size,
			    size_t offset, size_t length, unsigned arena_ind)
{
	(void)size, (void)arena_ind;
	return hook_purge(hooks, addr, offset, length, MADV_FREE);
}

static bool hook_purge_forced(extent_hooks_t *hooks, void *addr, size_t size,
			      size_t offset, size_t length,
			      unsigned arena_ind)
{
	(void)size, (void)arena_ind;
	return hook_purge(hooks, addr, offset, length, MADV_DONTNEED);
}

/* Mappings of one area may be split and merged freely. */
static bool hook_split(extent_hooks_t *hooks, void *addr, size_t size,
		       size_t size_a, size_t size_b, bool committed,
		       unsigned arena_ind)
{
	(void)hooks, (void)addr, (void)size, (void)size_a, (void)size_b;
	(void)committed, (void)arena_ind;
	return false;
}

static bool hook_merge(extent_hooks_t *hooks, void *addr_a, size_t size_a,
		       void *addr_b, size_t size_b, bool committed,
		       unsigned arena_ind)
{
	(void)hooks, (void)addr_a, (void)size_a, (void)addr_b, (void)size_b;
	(void)committed, (void)arena_ind;
	return false;
}

static const extent_hooks_t heap_hooks = {
	.alloc = hook_alloc,
	.dalloc = hook_dalloc,
	.destroy = hook_destroy,
	.commit = hook_commit,
	.decommit = hook_decommit,
	.purge_lazy = hook_purge_lazy,
	.purge_forced = hook_purge_forced,
	.split = hook_split,
	.merge = hook_merge,
};

/* jemalloc's own mmap/munmap (plain arena, automatic arenas, metadata). */
void *shimje_os_mmap(void *addr, size_t len, int prot, int flags, int fd,
		     long offset)
{
	void *p;
	int err = aml_os_mmap(&p, addr, len, prot, flags, fd, offset);

	if (err) {
		errno = -err;
		return MAP_FAILED;
	}
	ranges_heap_add(p, len);
	return p;
}

int shimje_os_munmap(void *addr, size_t len)
{
	int err = aml_os_munmap(addr, len);

	if (err) {
		errno = -err;
		return -1;
	}
	ranges_heap_remove(addr, len);
	return 0;
}

/* ------------------------------------------------------------------------
 * The big-block stash: freed big blocks stay allocated (mapped, bound,
 * their pages resident) for the next big request of the same placement,
 * up to AML_BIG_CACHE bytes per placement, for at most AML_BIG_DECAY_MS;
 * beyond either bound the oldest go back to jemalloc, whose big arenas
 * give their pages back to the kernel at once. So the cache shrinks to
 * its bound, oldest first, instead of all at once. A request takes the
 * smallest stashed block that holds it. The bounds are checked on each big
 * allocation and free, so a program that frees big blocks and allocates
 * none after keeps up to AML_BIG_CACHE of them.
 */

#define STASH_MAX 64
#define STASH_NONE (-2) /* not a block of a big arena */
/* Stashed blocks tried for growth when none holds a request (5-25 MiB
 * buffers: one try grows 17 of 49, four 27 of 109). */
#define STASH_GROW_TRIES 4

struct stash_block {
	void *ptr;
	size_t usize;
	int target;
	bool cold; /* its pages were given back (stash_cool) */
	uint64_t freed_ms;
};

static struct {
	atomic_int held;
	int count;
	struct stash_block block[STASH_MAX]; /* oldest first */
	size_t bytes[SHIM_MAX_RULES + 1];    /* resident, by target + 1 */
} stash;

static void stash_lock(void)
{
	while (atomic_exchange_explicit(&stash.held, 1, memory_order_acquire))
		sched_yield();
}

static void stash_unlock(void)
{
	atomic_store_explicit(&stash.held, 0, memory_order_release);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The target whose big arena allocated ptr, or STASH_NONE. */
static int stash_target_of(void *ptr)
{
	unsigned arena;
	size_t len = sizeof(arena);

	if (shimje_mallctl("arenas.lookup", &arena, &len, &ptr, sizeof(ptr)))
		return STASH_NONE;
	for (int i = 0; i <= heap.nrules; i++)
		if (heap.big_arena[i] == arena)
			return i - 1;
	return STASH_NONE;
}

static void *stash_remove(int i)
{
	struct stash_block *b = &stash.block[i];
	void *ptr = b->ptr;

	if (!b->cold)
		stash.bytes[b->target + 1] -= b->usize;
	stash.count--;
	memmove(b, b + 1, (size_t)(stash.count - i) * sizeof(*b));
	return ptr;
}

/* Take the blocks beyond the bounds out into out[] (to be freed without
 * the lock): those older than the decay time, and the oldest of target
 * while it holds more than the cache size. */
static int stash_expire(int target, uint64_t now, void **out)
{
	int n = 0, i = 0;

	while (i < stash.count) {
		struct stash_block *b = &stash.block[i];
		bool old = heap.big_decay_ms >= 0 &&
			   now - b->freed_ms >= (uint64_t)heap.big_decay_ms;
		bool over = b->target == target &&
			    stash.bytes[target + 1] > heap.big_cache;

		if (old || over)
			out[n++] = stash_remove(i);
		else
			i++;
	}
	return n;
}

static void stash_release(void **blocks, int n)
{
	for (int i = 0; i < n; i++)
		shimje_free(blocks[i]);
}

/* Keep a freed big block; false if it is not one, or the stash is off. */
static bool stash_put(void *ptr)
{
	void *expired[STASH_MAX + 1];
	int target, n = 0;
	size_t usize;

	if (heap.big_decay_ms == 0 || heap.big_cache == 0)
		return false;
	target = stash_target_of(ptr);
	if (target == STASH_NONE)
		return false;
	usize = shimje_malloc_usable_size(ptr);
	if (usize > heap.big_cache)
		return false;
	stash_lock();
	if (stash.count == STASH_MAX)
		expired[n++] = stash_remove(0);
	stash.block[stash.count++] = (struct stash_block){
		.ptr = ptr,
		.usize = usize,
		.target = target,
		.cold = false,
		.freed_ms = now_ms(),
	};
	stash.bytes[target + 1] += usize;
	n += stash_expire(target, stash.block[stash.count - 1].freed_ms,
			  expired + n);
	stash_unlock();
	stash_release(expired, n);
	return true;
}

/* Put a block back where its age puts it (the stash is oldest first). */
static void stash_return(const struct stash_block *blk)
{
	void *expired = NULL;
	int i;

	stash_lock();
	if (stash.count == STASH_MAX)
		expired = stash_remove(0);
	i = stash.count;
	while (i > 0 && stash.block[i - 1].freed_ms > blk->freed_ms)
		i--;
	memmove(&stash.block[i + 1], &stash.block[i],
		(size_t)(stash.count - i) * sizeof(*blk));
	stash.block[i] = *blk;
	stash.count++;
	if (!blk->cold)
		stash.bytes[blk->target + 1] += blk->usize;
	stash_unlock();
	if (expired != NULL)
		shimje_free(expired);
}

/*
 * The heap of a rule grows by len bytes (a new extent of a small arena):
 * the program's live memory is growing, and the stashed blocks, kept for
 * big requests that may never come, are resident memory on top of it
 * (python3 growing a dict keeps each old table: 1.21x glibc's peak RSS).
 * Give back the pages of the oldest warm blocks, len bytes' worth at
 * least; the blocks stay stashed (address space only) and fault in afresh
 * if taken. Called from jemalloc's extent hook, so it calls nothing of
 * jemalloc, and it skips the work when the stash is busy (never waits: the
 * thread holding the lock may be this one).
 */
static void stash_cool(size_t len)
{
	size_t done = 0;

	if (atomic_exchange_explicit(&stash.held, 1, memory_order_acquire))
		return;
	for (int i = 0; i < stash.count && done < len; i++) {
		struct stash_block *b = &stash.block[i];
		/* jemalloc starts big blocks at a random cache line of their
		 * first page (opt.cache_oblivious): whole pages only. */
		uintptr_t start = ((uintptr_t)b->ptr + heap.page_mask) &
				  ~(uintptr_t)heap.page_mask;
		uintptr_t end = ((uintptr_t)b->ptr + b->usize) &
				~(uintptr_t)heap.page_mask;

		if (b->cold || end <= start ||
		    aml_os_madvise((void *)start, end - start,
				   MADV_DONTNEED) != 0)
			continue;
		b->cold = true;
		stash.bytes[b->target + 1] -= b->usize;
		done += b->usize;
	}
	stash_unlock();
}

/* The smallest stashed block of target that holds size at alignment;
 * NULL if none. One more than twice the size is cut down to it (the tail
 * goes back to the kernel); a smaller one is taken whole: its tail stays
 * resident, but a stash that only ever cut would refault most of what it
 * kept (5-25 MiB buffers: 1.9x glibc's page faults). When none holds
 * size, the largest smaller one is grown in place if the address space
 * after it is free (jemalloc's xallocx): its pages stay, only the
 * difference faults in; otherwise it goes back to the stash. */
static void *stash_take(int target, size_t size, size_t alignment)
{
	void *expired[STASH_MAX], *p = NULL;
	size_t mask = alignment ? alignment - 1 : 0, usize = 0;
	int n, best = -1, ngrow = 0;
	struct stash_block grow[STASH_GROW_TRIES];

	stash_lock();
	n = stash_expire(target, now_ms(), expired);
	for (int i = 0; i < stash.count; i++) {
		struct stash_block *b = &stash.block[i];

		if (b->target == target && b->usize >= size &&
		    ((uintptr_t)b->ptr & mask) == 0 &&
		    (best < 0 || b->usize < stash.block[best].usize))
			best = i;
	}
	if (best >= 0) {
		usize = stash.block[best].usize;
		p = stash_remove(best);
	}
	/* None holds it: take out the largest smaller ones to grow. */
	while (p == NULL && ngrow < STASH_GROW_TRIES) {
		int cand = -1;

		for (int i = 0; i < stash.count; i++) {
			struct stash_block *b = &stash.block[i];

			if (b->target == target &&
			    ((uintptr_t)b->ptr & mask) == 0 &&
			    (cand < 0 || b->usize > stash.block[cand].usize))
				cand = i;
		}
		if (cand < 0)
			break;
		grow[ngrow++] = stash.block[cand];
		stash_remove(cand);
	}
	stash_unlock();
	stash_release(expired, n);
	if (p != NULL) {
		if (usize / 2 > size)
			shimje_xallocx(p, size, 0, 0);
		return p;
	}
	for (int i = 0; i < ngrow; i++) {
		if (p == NULL &&
		    shimje_xallocx(grow[i].ptr, size, 0, 0) >= size)
			p = grow[i].ptr;
		else
			stash_return(&grow[i]);
	}
	return p;
}

void heap_after_fork(void)
{
	atomic_store(&stash.held, 0);
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
	struct heap_area *ha = &heap_areas_big[target + 1];
	char name[64];
	ssize_t dirty = 0;
	ssize_t muzzy = 0;

	ha->hooks = heap_hooks;
	ha->rule = target;
	ha->big = true;
	if (arena_create(&ha->hooks, out))
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

int heap_init(const struct shim_config *cfg)
{
	size_t len = sizeof(heap.tcache_max);

	if (shimje_mallctl("arenas.tcache_max", &heap.tcache_max, &len, NULL,
			   0))
		heap.tcache_max = 32768;
	heap.big_cache = cfg->big_cache;
	heap.big_decay_ms = cfg->big_decay_ms;
	decay_set(cfg->dirty_decay_ms);
	if (arena_create(NULL, &heap.arena[0]) ||
	    arena_create_big(SHIM_UNROUTED, &heap.big_arena[0]))
		return -1;
	for (int i = 0; i < cfg->nrules; i++) {
		heap_areas[i].hooks = heap_hooks;
		heap_areas[i].rule = i;
		heap.min_size[i] = cfg->rules[i].min_size;
		heap.max_size[i] = cfg->rules[i].max_size;
		if (arena_create(&heap_areas[i].hooks, &heap.arena[i + 1]) ||
		    arena_create_big(i, &heap.big_arena[i + 1]))
			return -1;
	}
	heap.nrules = cfg->nrules;
	heap.page_mask = aml_os_page_size() - 1;
	if (routing_build_split()) {
		heap.nrules = 0;
		return -1;
	}
	heap.pinned = target_of(1);
	if (heap.pinned != SHIM_UNROUTED)
		heap.pinned_arena = heap.arena[heap.pinned + 1];
	heap.fast_max = routing_fast_max();
	if (heap.fast_max >= HEAP_BIG)
		heap.fast_max = HEAP_BIG - 1;
	heap.quick_max = cfg->report ? 0 : heap.fast_max;
	return 0;
}

/* ------------------------------------------------------------------------
 * Threads
 */

void heap_thread_pin(void)
{
	if (heap.pinned_arena != 0)
		shimje_mallctl("thread.arena", NULL, NULL, &heap.pinned_arena,
			       sizeof(heap.pinned_arena));
}

static bool fast(size_t size)
{
	return shim_thread_is_ready() &&
	       shim_likely(size - 1 < heap.fast_max);
}

/* A fast request that nobody counts (no report asked for). */
static bool quick(size_t size)
{
	return shim_thread_is_ready() &&
	       shim_likely(size - 1 < heap.quick_max);
}

/* ------------------------------------------------------------------------
 * Allocation
 */

static int lg2(size_t alignment)
{
	return __builtin_ctzl(alignment);
}

/* The routed path: every request that is not a fast one. */
static void *heap_alloc(size_t size, size_t alignment, int flags)
{
	size_t usize = size ? size : 1;
	int target;
	void *p;

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
	if (usize >= HEAP_BIG) {
		p = stash_take(target, size ? size : 1, alignment);
		if (p != NULL) {
			if (flags & MALLOCX_ZERO)
				memset(p, 0, size);
			shim_count_alloc(target, size);
			return p;
		}
	}
	p = shimje_mallocx(size ? size : 1, flags | arena_flags(target, usize));
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	shim_count_alloc(target, size);
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
 * Mapped blocks: what realloc grows to MAPPED_MIN and up, when jemalloc
 * cannot extend the block in place, moves into a mapping of its own, as
 * glibc's mmapped chunks: mapped from the area of the size's rule (bound
 * before the first touch), grown and shrunk with mremap (the kernel moves
 * page tables, copies nothing, and the mapping keeps its policy and its
 * pages), unmapped by free. jemalloc instead copies each growth into the
 * next size class and keeps the old extent dirty for its decay time (64
 * buffers grown to 256 KiB: 1.54x glibc's peak RSS; 1.12x with mapped
 * blocks from 32 KiB, 1.23x from 64 KiB, 1.52x from glibc's 128 KiB).
 *
 * A header before the block holds the mapping's length and rule. The
 * mapping starts on a heap-map granule (64 KiB) and spans at least one, so
 * that granule is wholly the block's: the heap map marks it
 * GRANULE_MAPPED, which free, realloc and malloc_usable_size read (free's
 * fast path is unchanged: FULL granules only). The mark is set before the
 * block is handed out and cleared before its address space is given back,
 * so that no other mapping can land in a marked granule.
 */

#define MAPPED_MIN ((size_t)32 << 10)
#define MAPPED_ALIGN ((size_t)1 << RANGES_GRANULE_SHIFT)
#define MAPPED_HDR ((size_t)16)
/* Live mapped blocks at most (each is a mapping: the kernel allows 65530
 * per process); beyond, realloc stays in jemalloc. */
#define MAPPED_COUNT_MAX 8192

static atomic_int mapped_count;

struct mapped_hdr {
	size_t len; /* of the whole mapping, header included */
	int target;
};

_Static_assert(sizeof(struct mapped_hdr) <= MAPPED_HDR, "header too big");

static struct mapped_hdr *mapped_hdr(void *ptr)
{
	return (struct mapped_hdr *)((char *)ptr - MAPPED_HDR);
}

/* The mapping length for size bytes: the header, a quarter more for the
 * next growths when slack (address space only: untouched pages cost no
 * memory), whole pages, one granule at least. 0 on overflow. */
static size_t mapped_len(size_t size, bool slack)
{
	size_t len = size + MAPPED_HDR + (slack ? size / 4 : 0);

	if (size > SIZE_MAX / 2)
		return 0;
	len = (len + heap.page_mask) & ~heap.page_mask;
	return len < MAPPED_ALIGN ? MAPPED_ALIGN : len;
}

static size_t mapped_usable(void *ptr)
{
	return mapped_hdr(ptr)->len - MAPPED_HDR;
}

/* A new mapped block of target holding size bytes; NULL if the mapping
 * fails (nothing is set then). */
static void *mapped_new(int target, size_t size)
{
	size_t len = mapped_len(size, true);
	struct mapped_hdr *h;

	if (len == 0)
		return NULL;
	if (atomic_fetch_add_explicit(&mapped_count, 1,
				      memory_order_relaxed) >=
	    MAPPED_COUNT_MAX) {
		atomic_fetch_sub_explicit(&mapped_count, 1,
					  memory_order_relaxed);
		return NULL;
	}
	h = area_map_aligned(target, len, MAPPED_ALIGN);
	if (h != NULL) {
		h->len = len;
		h->target = target;
		if (ranges_heap_mark_mapped(h, true)) {
			ranges_rule_add(target, h, len);
			return (char *)h + MAPPED_HDR;
		}
		aml_os_munmap(h, len);
	}
	atomic_fetch_sub_explicit(&mapped_count, 1, memory_order_relaxed);
	return NULL;
}

static void mapped_free(void *ptr)
{
	struct mapped_hdr *h = mapped_hdr(ptr);
	size_t len = h->len;
	int target = h->target;

	if (census_enabled())
		census_release(target, h, len);
	ranges_rule_remove(h, len);
	ranges_heap_mark_mapped(h, false);
	aml_os_munmap(h, len);
	atomic_fetch_sub_explicit(&mapped_count, 1, memory_order_relaxed);
}

/* Move the mapping to a fresh granule-aligned place of len bytes: reserve
 * the address space, then let mremap replace the reservation. */
static struct mapped_hdr *mapped_move(struct mapped_hdr *h, size_t len)
{
	size_t over = len + MAPPED_ALIGN - heap.page_mask - 1, lead;
	uintptr_t res, at;
	void *p;

	if (aml_os_mmap(&p, NULL, over, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0))
		return NULL;
	res = (uintptr_t)p;
	at = (res + MAPPED_ALIGN - 1) & ~(MAPPED_ALIGN - 1);
	lead = at - res;
	if (!ranges_heap_mark_mapped((void *)at, true)) {
		aml_os_munmap(p, over);
		return NULL;
	}
	/* The old range leaves the tables before the kernel can give it to
	 * another mapping; the block is the caller's until realloc returns. */
	ranges_heap_mark_mapped(h, false);
	ranges_rule_remove(h, h->len);
	if (aml_os_mremap(&p, h, h->len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			  (void *)at)) {
		ranges_rule_add(h->target, h, h->len);
		ranges_heap_mark_mapped((void *)at, false);
		ranges_heap_mark_mapped(h, true);
		aml_os_munmap((void *)res, over);
		return NULL;
	}
	if (lead)
		aml_os_munmap((void *)res, lead);
	if (over - lead - len)
		aml_os_munmap((void *)(at + len), over - lead - len);
	h = p;
	h->len = len;
	ranges_rule_add(h->target, h, len);
	return h;
}

/* Resize a mapped block within its placement: in place if the kernel can,
 * else moved. NULL if neither (the block is unchanged). */
static void *mapped_resize(void *ptr, size_t size)
{
	struct mapped_hdr *h = mapped_hdr(ptr), *moved;
	size_t len = h->len, want;
	void *p;

	if (size <= len - MAPPED_HDR) {
		/* Shrink only below the slack a growth to size would add. */
		if (mapped_len(size, true) >= len)
			return ptr;
		want = mapped_len(size, false);
		if (census_enabled())
			census_release(h->target, (char *)h + want, len - want);
		ranges_rule_remove((char *)h + want, len - want);
		if (aml_os_mremap(&p, h, len, want, 0, NULL) == 0)
			h->len = want;
		else
			ranges_rule_add(h->target, h, len);
		return ptr;
	}
	want = mapped_len(size, true);
	if (want == 0)
		return NULL;
	if (aml_os_mremap(&p, h, len, want, 0, NULL) == 0) {
		h->len = want;
		ranges_rule_add(h->target, h, want);
		return ptr;
	}
	moved = mapped_move(h, want);
	if (moved == NULL)
		return NULL;
	return (char *)moved + MAPPED_HDR;
}

/* realloc of a mapped block. A size of another rule, or below half
 * MAPPED_MIN, leaves the mapping (copied out); so does one the kernel
 * cannot resize (then through jemalloc). NULL and ENOMEM with the block
 * intact if nothing can hold size. */
static void *mapped_realloc(void *ptr, size_t size)
{
	struct mapped_hdr *h = mapped_hdr(ptr);
	size_t old = h->len - MAPPED_HDR;
	int target = target_of(size);
	void *p = NULL;

	if (target == h->target && size >= MAPPED_MIN / 2)
		p = mapped_resize(ptr, size);
	if (p != NULL) {
		shim_count_alloc(target, size);
		return p;
	}
	if (size >= MAPPED_MIN && target != h->target)
		p = mapped_new(target, size);
	if (p != NULL)
		shim_count_alloc(target, size);
	else
		p = heap_alloc(size, 0, 0);
	if (p == NULL)
		return NULL; /* heap_alloc set ENOMEM */
	memcpy(p, ptr, old < size ? old : size);
	mapped_free(ptr);
	return p;
}

/* realloc growing a jemalloc block to MAPPED_MIN or more: in place if
 * jemalloc can (same placement), else into a mapped block. NULL if
 * neither (the caller goes on with jemalloc's realloc). */
static void *realloc_to_mapped(void *ptr, size_t old, size_t size)
{
	int target = target_of(size);
	void *p;

	if (target == target_of(old) && !region_ambiguous(old) &&
	    (old >= HEAP_BIG) == (size >= HEAP_BIG) &&
	    shimje_xallocx(ptr, size, 0, 0) >= size) {
		shim_count_alloc(target, size);
		return ptr;
	}
	p = mapped_new(target, size);
	if (p == NULL)
		return NULL;
	memcpy(p, ptr, old);
	shimje_free(ptr);
	shim_count_alloc(target, size);
	return p;
}

/* ------------------------------------------------------------------------
 * Foreign pointers: memory the shim did not allocate (ld.so's early
 * allocations, glibc's own malloc called by name). free leaves it alone,
 * realloc copies what can be read of it, malloc_usable_size says 0.
 */

static atomic_int foreign_said;

static void foreign_note(const char *what, void *ptr)
{
	if (atomic_exchange(&foreign_said, 1) == 0)
		shim_log(2, "%s(%p): not allocated by the shim, left alone",
			 what, ptr);
}

/* Copy up to len bytes of ptr, stopping where its memory ends (the
 * kernel checks the addresses; nothing faults). */
static void copy_foreign(void *dst, void *src, size_t len)
{
	struct iovec local = {dst, len}, remote = {src, len};
	int saved = errno;

	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) < 0) {
		/* Partial reads stop at the first unreadable page; try
		 * page by page up to it. */
		size_t page = aml_os_page_size();
		size_t first = page - ((uintptr_t)src & (page - 1));

		local.iov_len = remote.iov_len = first < len ? first : len;
		process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	}
	errno = saved;
}

static void *realloc_foreign(void *ptr, size_t size)
{
	void *p = malloc(size);

	foreign_note("realloc", ptr);
	if (p != NULL)
		copy_foreign(p, ptr, size);
	return p;
}

/* Big blocks, the edges of mappings, foreign pointers. */
__attribute__((noinline)) static void free_slow(void *ptr, int kind)
{
	if (kind == GRANULE_NONE) {
		foreign_note("free", ptr);
		return;
	}
	if (kind == GRANULE_MAPPED) {
		mapped_free(ptr);
		return;
	}
	if (kind == GRANULE_BIG && stash_put(ptr))
		return;
	shimje_free(ptr);
}

SHIM_EXPORT void free(void *ptr)
{
	int kind;

	if (shim_unlikely(ptr == NULL))
		return;
	kind = ranges_heap_kind(ptr);
	if (shim_likely(kind == GRANULE_FULL))
		shimje_free(ptr);
	else
		free_slow(ptr, kind);
}

SHIM_EXPORT size_t malloc_usable_size(void *ptr)
{
	int kind;

	if (ptr == NULL)
		return 0;
	kind = ranges_heap_kind(ptr);
	if (kind == GRANULE_NONE)
		return 0;
	if (kind == GRANULE_MAPPED)
		return mapped_usable(ptr);
	return shimje_malloc_usable_size(ptr);
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
		flags = arena_flags(target, size);
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

/* ------------------------------------------------------------------------
 * Aligned allocation
 */

static bool power_of_two(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static void *heap_aligned(size_t alignment, size_t size)
{
	void *p;

	if (!shim_thread_enter()) {
		if (alignment < sizeof(void *))
			alignment = sizeof(void *);
		if (shimje_posix_memalign(&p, alignment, size)) {
			errno = ENOMEM;
			return NULL;
		}
		return p;
	}
	return heap_alloc(size, alignment, 0);
}

SHIM_EXPORT int posix_memalign(void **out, size_t alignment, size_t size)
{
	int saved = errno;
	void *p;

	if (!power_of_two(alignment) || alignment % sizeof(void *) != 0)
		return EINVAL;
	p = heap_aligned(alignment, size);
	errno = saved;
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

SHIM_EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
	if (!power_of_two(alignment)) {
		errno = EINVAL;
		return NULL;
	}
	return heap_aligned(alignment, size);
}

SHIM_EXPORT void *memalign(size_t alignment, size_t size)
{
	/* glibc rounds a non-power-of-two alignment up. */
	if (alignment > ((size_t)1 << (8 * sizeof(size_t) - 1))) {
		errno = EINVAL;
		return NULL;
	}
	while (!power_of_two(alignment))
		alignment = alignment ? (alignment | (alignment - 1)) + 1 : 1;
	return heap_aligned(alignment, size);
}

SHIM_EXPORT void *valloc(size_t size)
{
	return heap_aligned(aml_os_page_size(), size);
}

SHIM_EXPORT void *pvalloc(size_t size)
{
	size_t page = aml_os_page_size();
	size_t rounded;

	if (__builtin_add_overflow(size ? size : 1, page - 1, &rounded)) {
		errno = ENOMEM;
		return NULL;
	}
	return heap_aligned(page, rounded & ~(page - 1));
}
