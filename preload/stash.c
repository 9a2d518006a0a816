/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "heap-internal.h"
#include "heap.h"
#include "os.h"
#include "ranges.h"
#include "stats.h"
/*
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
	struct shim_spin lock;
	int count;
	struct stash_block block[STASH_MAX]; /* oldest first */
	size_t bytes[SHIM_MAX_RULES + 1];    /* resident, by target + 1 */
} stash;

/* The target whose big arena allocated ptr, or STASH_NONE. */
static int stash_target_of(void *ptr)
{
	unsigned arena;
	size_t len = sizeof(arena);

	if (shimje_mallctl("arenas.lookup", &arena, &len, &ptr, sizeof(ptr)))
		return STASH_NONE;
	for (int i = 0; i <= heap.nrules; i++)
		if (arena != 0 && heap.big_arena[i] == arena)
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
bool stash_put(void *ptr)
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
	shim_spin_lock(&stash.lock);
	if (stash.count == STASH_MAX)
		expired[n++] = stash_remove(0);
	stash.block[stash.count++] = (struct stash_block){
		.ptr = ptr,
		.usize = usize,
		.target = target,
		.cold = false,
		.freed_ms = shim_now_ms(),
	};
	stash.bytes[target + 1] += usize;
	n += stash_expire(target, stash.block[stash.count - 1].freed_ms,
			  expired + n);
	shim_spin_unlock(&stash.lock);
	stash_release(expired, n);
	return true;
}

/* Put a block back where its age puts it (the stash is oldest first). */
static void stash_return(const struct stash_block *blk)
{
	void *expired = NULL;
	int i;

	shim_spin_lock(&stash.lock);
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
	shim_spin_unlock(&stash.lock);
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
void stash_cool(size_t len)
{
	size_t done = 0;

	if (!shim_spin_trylock(&stash.lock))
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
		    aml_os_madvise((void *)start, end - start, MADV_DONTNEED) !=
			    0)
			continue;
		b->cold = true;
		stash.bytes[b->target + 1] -= b->usize;
		done += b->usize;
	}
	shim_spin_unlock(&stash.lock);
}

/* Clear len bytes at p without faulting a page in: resident pages are
 * cleared with memset (~25 times cheaper than the fault a fresh page
 * costs); the others are zero already if they were never written, and
 * madvise(MADV_DONTNEED) makes sure of it (a swapped-out page is not
 * resident either). A big block that calloc handed out and the program
 * read sparsely is mostly such pages: clearing it in full for the next
 * calloc faulted ~400 pages per reuse of a 5-25 MiB block. */
static void zero_resident(char *p, size_t len)
{
	size_t page = heap.page_mask + 1;
	uintptr_t lo = ((uintptr_t)p + heap.page_mask) & ~heap.page_mask;
	uintptr_t hi = ((uintptr_t)p + len) & ~heap.page_mask;
	unsigned char vec[512];

	if (hi <= lo) {
		memset(p, 0, len);
		return;
	}
	memset(p, 0, lo - (uintptr_t)p);
	memset((void *)hi, 0, (uintptr_t)p + len - hi);
	for (uintptr_t at = lo; at < hi;) {
		size_t n = (hi - at) / page;

		if (n > sizeof(vec))
			n = sizeof(vec);
		if (aml_os_mincore((void *)at, n * page, vec) != 0)
			memset(vec, 1, n); /* unknown: clear it all */
		for (size_t i = 0, j; i < n; i = j) {
			char *run = (char *)at + i * page;

			for (j = i + 1; j < n && (vec[j] & 1) == (vec[i] & 1);
			     j++)
				;
			if ((vec[i] & 1) ||
			    aml_os_madvise(run, (j - i) * page, MADV_DONTNEED))
				memset(run, 0, (j - i) * page);
		}
		at += n * page;
	}
}

/* Clear the first size bytes of a block taken from the stash, except
 * what is known zero: a cold block's whole pages (given back with
 * MADV_DONTNEED, they fault in zeroed) and a grown block's new tail
 * (jemalloc zeroes it, or knows it fresh, for MALLOCX_ZERO); a warm
 * block's pages that are not resident (zero_resident). */
static void stash_zero(const struct stash_block *b, size_t size, size_t kept)
{
	uintptr_t p = (uintptr_t)b->ptr, lo, hi;

	if (kept > size)
		kept = size;
	if (!b->cold) {
		zero_resident(b->ptr, kept);
		return;
	}
	lo = (p + heap.page_mask) & ~(uintptr_t)heap.page_mask;
	hi = (p + b->usize) & ~(uintptr_t)heap.page_mask;
	if (hi > p + kept)
		hi = p + kept;
	if (hi <= lo) {
		memset(b->ptr, 0, kept);
		return;
	}
	memset(b->ptr, 0, lo - p);
	memset((void *)hi, 0, p + kept - hi);
}

/* The smallest stashed block of target that holds size at alignment;
 * NULL if none. One more than twice the size is cut down to it (the tail
 * goes back to the kernel); a smaller one is taken whole: its tail stays
 * resident, but a stash that only ever cut would refault most of what it
 * kept (5-25 MiB buffers: 1.9x glibc's page faults). When none holds
 * size, the largest smaller one is grown in place if the address space
 * after it is free (jemalloc's xallocx): its pages stay, only the
 * difference faults in; otherwise it goes back to the stash. With zero,
 * the block's first size bytes are zero. */
void *stash_take(int target, size_t size, size_t alignment, bool zero)
{
	void *expired[STASH_MAX], *p = NULL;
	size_t mask = alignment ? alignment - 1 : 0;
	int n, best = -1, ngrow = 0;
	struct stash_block grow[STASH_GROW_TRIES], taken;

	shim_spin_lock(&stash.lock);
	n = stash_expire(target, shim_now_ms(), expired);
	for (int i = 0; i < stash.count; i++) {
		struct stash_block *b = &stash.block[i];

		if (b->target == target && b->usize >= size &&
		    ((uintptr_t)b->ptr & mask) == 0 &&
		    (best < 0 || b->usize < stash.block[best].usize))
			best = i;
	}
	if (best >= 0) {
		taken = stash.block[best];
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
	shim_spin_unlock(&stash.lock);
	stash_release(expired, n);
	if (p != NULL) {
		if (taken.usize / 2 > size)
			shimje_xallocx(p, size, 0, 0);
		if (zero)
			stash_zero(&taken, size, size);
		return p;
	}
	for (int i = 0; i < ngrow; i++) {
		if (p == NULL &&
		    shimje_xallocx(grow[i].ptr, size, 0,
				   zero ? MALLOCX_ZERO : 0) >= size) {
			p = grow[i].ptr;
			if (zero)
				stash_zero(&grow[i], size, grow[i].usize);
		} else {
			stash_return(&grow[i]);
		}
	}
	return p;
}

size_t stash_usage(bool drain, size_t *count)
{
	void *out[STASH_MAX];
	size_t bytes = 0;
	int n = 0;

	shim_spin_lock(&stash.lock);
	*count = (size_t)stash.count;
	for (int i = 0; i < stash.count; i++)
		bytes += stash.block[i].usize;
	while (drain && stash.count > 0)
		out[n++] = stash_remove(0);
	shim_spin_unlock(&stash.lock);
	stash_release(out, n);
	return bytes;
}

void heap_after_fork(void)
{
	shim_spin_unlock(&stash.lock);
	shim_spin_unlock(&heap.arena_lock);
	mapped_after_fork();
}
