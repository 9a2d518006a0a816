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
 */

#define MAPPED_ALIGN ((size_t)1 << RANGES_GRANULE_SHIFT)
#define MAPPED_HDR ((size_t)16)
/* Live mapped blocks at most (each is a mapping: the kernel allows 65530
 * per process); beyond, realloc stays in jemalloc. */
#define MAPPED_COUNT_MAX 8192

static atomic_int mapped_count;
/* The bytes of the live mapped blocks (mallinfo.c). */
static atomic_size_t mapped_bytes;

size_t mapped_usage(size_t *count)
{
	*count = (size_t)atomic_load_explicit(&mapped_count,
					      memory_order_relaxed);
	return atomic_load_explicit(&mapped_bytes, memory_order_relaxed);
}

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

size_t mapped_usable(void *ptr)
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
	size_t len = h->len;
	int target = h->target;

	if (census_enabled())
		census_release(target, h, len);
	ranges_rule_remove(h, len);
	ranges_heap_mark_mapped(h, false);
	aml_os_munmap(h, len);
	atomic_fetch_sub_explicit(&mapped_count, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&mapped_bytes, len, memory_order_relaxed);
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

/* realloc of a mapped block. A size of another rule, or below half
 * MAPPED_MIN, leaves the mapping (copied out); so does one the kernel
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
