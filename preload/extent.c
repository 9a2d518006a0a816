/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The extent hooks of the shim's arenas: a rule's arena gets its memory
 * from the rule's area (mapped, then bound before the first touch), and
 * every mapping is entered in the heap map (ranges.c). jemalloc's own
 * mappings (plain arena, metadata) come through shimje_os_mmap.
 *
 * Arena 0 gets the same hooks with default placement (heap_plain_hooks):
 * jemalloc gives each new thread a zeroed 32 KiB stack of cache slots from
 * arena 0, reused from the last thread's, and zeroes it with a forced
 * purge (madvise, then eight page faults) under its default hooks but
 * with memset under any others: a quarter of a thread's start and exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "heap-internal.h"
#include "os.h"
#include "ranges.h"
#include "stats.h"

struct heap_area {
	extent_hooks_t hooks; /* first: jemalloc passes this pointer back */
	int rule;	      /* SHIM_UNROUTED: default placement */
	bool big;	      /* a big arena: its mappings are marked big */
};

static struct heap_area heap_areas[SHIM_MAX_RULES];
static struct heap_area heap_areas_big[SHIM_MAX_RULES + 1]; /* target + 1 */
static struct heap_area heap_area_plain;		    /* arena 0 */

void *area_map(int rule, void *addr, size_t len, int extra_flags)
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
	/* The area's own mmap hook, not aml_area_mmap: that one records
	 * each mapping in the library's registry (a lock and a record per
	 * call, for aml_area_munmap_ptr), while jemalloc splits, merges and
	 * trims these extents, so no record would stay true. Unmapping is
	 * munmap(2) (aml_os_munmap), all the Linux area's munmap does. */
	area = shim_rule_area(rule);
	return area->ops->mmap(area->data, len,
			       (struct aml_area_mmap_options *)&opts);
}

/* Map len bytes aligned to alignment: over-map, then trim both ends (the
 * binding covers the whole mapping, so what stays is bound). */
void *area_map_aligned(int rule, size_t len, size_t alignment)
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
		if (rule != SHIM_UNROUTED)
			stash_cool(size);
	}
	ranges_rule_add(rule, p, size);
	/* jemalloc maps an arena's base (its metadata) aligned to a huge
	 * page, extents aligned to a page (they grow retained memory). */
	if (new_addr == NULL && alignment >= ((size_t)2 << 20))
		stats_metadata_add(rule, p, size);
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

/* The hooks' own mappings are never decommitted, so jemalloc asks this
 * only of arena 0's extents mapped before the hooks were set: under strict
 * overcommit its default hooks map retained memory PROT_NONE. */
static bool hook_commit(extent_hooks_t *hooks, void *addr, size_t size,
			size_t offset, size_t length, unsigned arena_ind)
{
	(void)hooks, (void)size, (void)arena_ind;
	return aml_os_mprotect((char *)addr + offset, length,
			       PROT_READ | PROT_WRITE) != 0;
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
			      size_t offset, size_t length, unsigned arena_ind)
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

extent_hooks_t *heap_area_hooks(int target, bool big)
{
	struct heap_area *ha =
		big ? &heap_areas_big[target + 1] : &heap_areas[target];

	ha->hooks = heap_hooks;
	ha->rule = target;
	ha->big = big;
	return &ha->hooks;
}

/* Default placement, for extents made before the hooks too: they were
 * mapped through shimje_os_mmap (entered in the heap map), and are
 * purged, split and merged as the hooks' own. */
extent_hooks_t *heap_plain_hooks(void)
{
	heap_area_plain.hooks = heap_hooks;
	heap_area_plain.rule = SHIM_UNROUTED;
	heap_area_plain.big = false;
	return &heap_area_plain.hooks;
}

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
