/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "aml.h"
#include "heap-internal.h"
#include "os.h"
#include "ranges.h"
#include "stats.h"
/*
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
 *
 * Freed mapped blocks are kept, mapped, bound and marked, in a small cache
 * (MAPPED_CACHE_MAX blocks, MAPPED_CACHE_LEN bytes of mappings, at most
 * AML_BIG_DECAY_MS; oldest out first) for the next block of the same rule:
 * a load that grows blocks by realloc and frees them soon (sizes to 1 MiB,
 * a third reallocs) otherwise maps, binds and unmaps on every step (per
 * 500 k operations: 124 k munmap, 68 k mmap, 57 k mbind; 1.7-1.9 s of
 * system time against glibc's 0.1 s).
 */

#define MAPPED_ALIGN ((size_t)1 << RANGES_GRANULE_SHIFT)
#define MAPPED_HDR ((size_t)16)
/* Live mapped blocks at most (each is a mapping: the kernel allows 65530
 * per process); beyond, realloc stays in jemalloc. */
#define MAPPED_COUNT_MAX 8192

#define MAPPED_CACHE_MAX 32
#define MAPPED_CACHE_LEN ((size_t)8 << 20)

static atomic_int mapped_count;
/* The bytes of the live mapped blocks (mallinfo.c). */
static atomic_size_t mapped_bytes;

size_t mapped_usage(size_t *count)
{
	*count = (size_t)atomic_load_explicit(&mapped_count,
					      memory_order_relaxed);
	return atomic_load_explicit(&mapped_bytes, memory_order_relaxed);
}

struct mapped_hdr;

static struct {
	struct shim_spin lock;
	int count;
	size_t len; /* of the mappings held */
	struct {
		struct mapped_hdr *h;
		uint64_t freed_ms;
	} block[MAPPED_CACHE_MAX]; /* oldest first */
} cache;

struct mapped_hdr {
	size_t len; /* of the whole mapping, header included */
	int target;
};

_Static_assert(sizeof(struct mapped_hdr) <= MAPPED_HDR, "header too big");

static struct mapped_hdr *mapped_hdr(void *ptr)
{
	return (struct mapped_hdr *)((char *)ptr - MAPPED_HDR);
}

/* The mapping length for size bytes: the header, as much again for the
 * next growths when slack (address space only: untouched pages cost no
 * memory; with a quarter, a load growing blocks by half remapped at every
 * step), whole pages, one granule at least. 0 on overflow. */
static size_t mapped_len(size_t size, bool slack)
{
	size_t len = size + MAPPED_HDR + (slack ? size : 0);

	if (size > SIZE_MAX / 4)
		return 0;
	len = (len + heap.page_mask) & ~heap.page_mask;
	return len < MAPPED_ALIGN ? MAPPED_ALIGN : len;
}

size_t mapped_usable(void *ptr)
{
	return mapped_hdr(ptr)->len - MAPPED_HDR;
}

static struct mapped_hdr *cache_remove(int i)
{
	struct mapped_hdr *h = cache.block[i].h;

	cache.len -= h->len;
	cache.count--;
	memmove(&cache.block[i], &cache.block[i + 1],
		(size_t)(cache.count - i) * sizeof(cache.block[0]));
	return h;
}

/* Give a mapping back to the kernel (out of the tables first). */
static void mapped_unmap(struct mapped_hdr *h)
{
	size_t len = h->len;

	if (census_enabled())
		census_release(h->target, h, len);
	ranges_rule_remove(h, len);
	ranges_heap_mark_mapped(h, false);
	aml_os_munmap(h, len);
	atomic_fetch_sub_explicit(&mapped_count, 1, memory_order_relaxed);
}

/* Keep a freed block; false if the cache is off. Blocks beyond the bounds
 * (oldest first, and those older than the decay time) are unmapped. */
static bool cache_put(struct mapped_hdr *h)
{
	struct mapped_hdr *out[MAPPED_CACHE_MAX + 1];
	uint64_t now;
	int n = 0;

	if (heap.big_decay_ms == 0 || h->len > MAPPED_CACHE_LEN)
		return false;
	now = shim_now_ms();
	shim_spin_lock(&cache.lock);
	while (cache.count > 0 &&
	       (cache.count == MAPPED_CACHE_MAX ||
		cache.len + h->len > MAPPED_CACHE_LEN ||
		(heap.big_decay_ms > 0 &&
		 now - cache.block[0].freed_ms >= (uint64_t)heap.big_decay_ms)))
		out[n++] = cache_remove(0);
	cache.block[cache.count].h = h;
	cache.block[cache.count].freed_ms = now;
	cache.count++;
	cache.len += h->len;
	shim_spin_unlock(&cache.lock);
	for (int i = 0; i < n; i++)
		mapped_unmap(out[i]);
	return true;
}

/* A cached block of target for size bytes: the smallest that holds size
 * (one of more than twice the length wanted is cut down with mremap), else
 * the largest, if mremap grows it in place. NULL if none. */
static struct mapped_hdr *cache_take(int target, size_t size)
{
	size_t need = mapped_len(size, false), want = mapped_len(size, true);
	struct mapped_hdr *h = NULL;
	int best = -1, big = -1;
	void *p;

	shim_spin_lock(&cache.lock);
	for (int i = 0; i < cache.count; i++) {
		size_t len = cache.block[i].h->len;

		if (cache.block[i].h->target != target)
			continue;
		if (len >= need && (best < 0 || len < cache.block[best].h->len))
			best = i;
		if (big < 0 || len > cache.block[big].h->len)
			big = i;
	}
	if (best >= 0)
		h = cache_remove(best);
	else if (big >= 0)
		h = cache_remove(big);
	shim_spin_unlock(&cache.lock);
	if (h == NULL || h->len == want)
		return h;
	if (h->len > 2 * want) {
		if (census_enabled())
			census_release(target, (char *)h + want, h->len - want);
		ranges_rule_remove((char *)h + want, h->len - want);
		if (aml_os_mremap(&p, h, h->len, want, 0, NULL) == 0)
			h->len = want;
		else
			ranges_rule_add(target, h, h->len);
	} else if (h->len < need) {
		if (aml_os_mremap(&p, h, h->len, want, 0, NULL) != 0) {
			if (!cache_put(h)) /* stays for a smaller block */
				mapped_unmap(h);
			return NULL;
		}
		h->len = want;
		ranges_rule_add(target, h, want);
		placement_regrown(target, h, want);
	}
	return h;
}

/* Give every cached block back (memory trimming on request). */
void mapped_cache_drain(void)
{
	struct mapped_hdr *out[MAPPED_CACHE_MAX];
	int n = 0;

	shim_spin_lock(&cache.lock);
	while (cache.count > 0)
		out[n++] = cache_remove(0);
	shim_spin_unlock(&cache.lock);
	for (int i = 0; i < n; i++)
		mapped_unmap(out[i]);
}

void mapped_after_fork(void)
{
	shim_spin_unlock(&cache.lock);
}

/* A new mapped block of target holding size bytes: a cached one, else a
 * fresh mapping; NULL if the mapping fails (nothing is set then). */
static void *mapped_new(int target, size_t size)
{
	size_t len = mapped_len(size, true);
	struct mapped_hdr *h;

	if (len == 0)
		return NULL;
	h = cache_take(target, size);
	if (h != NULL) {
		atomic_fetch_add_explicit(&mapped_bytes, h->len,
					  memory_order_relaxed);
		return (char *)h + MAPPED_HDR;
	}
	if (atomic_fetch_add_explicit(&mapped_count, 1, memory_order_relaxed) >=
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
			atomic_fetch_add_explicit(&mapped_bytes, len,
						  memory_order_relaxed);
			return (char *)h + MAPPED_HDR;
		}
		aml_os_munmap(h, len);
	}
	atomic_fetch_sub_explicit(&mapped_count, 1, memory_order_relaxed);
	return NULL;
}

void mapped_free(void *ptr)
{
	struct mapped_hdr *h = mapped_hdr(ptr);

	atomic_fetch_sub_explicit(&mapped_bytes, h->len, memory_order_relaxed);
	if (!cache_put(h))
		mapped_unmap(h);
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
	atomic_fetch_add_explicit(&mapped_bytes, len - h->len,
				  memory_order_relaxed);
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
		if (aml_os_mremap(&p, h, len, want, 0, NULL) == 0) {
			h->len = want;
			atomic_fetch_sub_explicit(&mapped_bytes, len - want,
						  memory_order_relaxed);
		} else {
			ranges_rule_add(h->target, h, len);
		}
		return ptr;
	}
	want = mapped_len(size, true);
	if (want == 0)
		return NULL;
	if (aml_os_mremap(&p, h, len, want, 0, NULL) == 0) {
		h->len = want;
		atomic_fetch_add_explicit(&mapped_bytes, want - len,
					  memory_order_relaxed);
		ranges_rule_add(h->target, h, want);
		placement_regrown(h->target, h, want);
		return ptr;
	}
	moved = mapped_move(h, want);
	if (moved == NULL)
		return NULL;
	placement_regrown(moved->target, moved, want);
	return (char *)moved + MAPPED_HDR;
}

/* A mapped block of one rule joins another rule in place: bound to that
 * rule's area, its pages moved there by the kernel, nothing copied and no
 * page faulted afresh (a load whose blocks realloc grows and shrinks
 * across a rule's size bound faulted twice the pages of one rule, copying
 * each block into a new mapping). false: it stays with its rule. */
static bool mapped_retarget(struct mapped_hdr *h, int target)
{
	int from = h->target;

	if (target < 0 || from < 0)
		return false; /* default placement moves nothing */
	if (census_enabled())
		census_release(from, h, h->len);
	ranges_rule_remove(h, h->len);
	if (placement_rebind(target, h, h->len) != 0) {
		placement_rebind(from, h, h->len);
		ranges_rule_add(from, h, h->len);
		return false;
	}
	h->target = target;
	ranges_rule_add(target, h, h->len);
	return true;
}

/* realloc of a mapped block. A size of another rule takes the block to
 * that rule (in place if both are rules, else copied out), one below half
 * MAPPED_MIN leaves the mapping (copied out); so does one the kernel
 * cannot resize (then through jemalloc). NULL and ENOMEM with the block
 * intact if nothing can hold size. */
void *mapped_realloc(void *ptr, size_t size)
{
	struct mapped_hdr *h = mapped_hdr(ptr);
	size_t old = h->len - MAPPED_HDR;
	int target = target_of(size);
	void *p = NULL;

	if (target == h->target && size >= MAPPED_MIN / 2)
		p = mapped_resize(ptr, size);
	else if (size >= MAPPED_MIN && mapped_retarget(h, target))
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
void *realloc_to_mapped(void *ptr, size_t old, size_t size)
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
