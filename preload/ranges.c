/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address ranges the shim knows about, in storage from aml_os_mmap:
 *
 * - the heap: every mapping jemalloc made. free() asks whether a pointer is
 *   in it, so the common answer comes from a two-level byte map over 64 KiB
 *   granules (FULL: inside; BIG: inside a big mapping; NONE: outside);
 *   granules at the edge of a mapping are PARTIAL and answered from an
 *   exact table read under a sequence counter (no lock on the free path);
 * - rule ranges: what each rule's area mapped (arena extents, routed
 *   mmaps), for the report. Updated under a spin lock.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>

#include "ranges.h"
#include "os.h"

static void *storage_map(size_t len)
{
	void *p;

	if (aml_os_mmap(&p, NULL, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0))
		return NULL;
	return p;
}

/* ------------------------------------------------------------------------
 * The heap map
 */

#define GRANULE_SHIFT RANGES_GRANULE_SHIFT
#define LEAF_SHIFT RANGES_LEAF_SHIFT /* granules per leaf: 1 GiB */
#define TOP_SHIFT RANGES_TOP_SHIFT
#define HEAP_EXACT_MAX 4096

/* Read inline by ranges_heap_owns (core.h). */
_Atomic(atomic_uchar *) ranges_heap_leaves[1UL << TOP_SHIFT];

struct heap_exact {
	atomic_uintptr_t start, end; /* end == 0: free slot */
	atomic_uchar kind;	     /* GRANULE_FULL or GRANULE_BIG */
};
static struct heap_exact heap_exact[HEAP_EXACT_MAX];
static atomic_size_t heap_exact_count;
static atomic_uint heap_seq; /* odd while the exact table changes */
static struct shim_spin heap_lock;

static atomic_uchar *granule_slot(uintptr_t g, bool create)
{
	uintptr_t top = g >> LEAF_SHIFT;
	atomic_uchar *leaf, *fresh = NULL;

	if (top >= (1UL << TOP_SHIFT))
		return NULL;
	leaf = atomic_load_explicit(&ranges_heap_leaves[top],
				    memory_order_acquire);
	if (leaf == NULL && create) {
		/* Only called under heap_lock: no race for the slot. */
		fresh = storage_map(1UL << LEAF_SHIFT);
		if (fresh == NULL)
			return NULL;
		atomic_store_explicit(&ranges_heap_leaves[top], fresh,
				      memory_order_release);
		leaf = fresh;
	}
	if (leaf == NULL)
		return NULL;
	return &leaf[g & ((1UL << LEAF_SHIFT) - 1)];
}

static void exact_insert(uintptr_t start, uintptr_t end, unsigned char kind)
{
	size_t n =
		atomic_load_explicit(&heap_exact_count, memory_order_relaxed);

	for (size_t i = 0; i < n; i++) {
		if (atomic_load_explicit(&heap_exact[i].end,
					 memory_order_relaxed) == 0) {
			atomic_store_explicit(&heap_exact[i].kind, kind,
					      memory_order_relaxed);
			atomic_store_explicit(&heap_exact[i].start, start,
					      memory_order_relaxed);
			atomic_store_explicit(&heap_exact[i].end, end,
					      memory_order_relaxed);
			return;
		}
	}
	if (n == HEAP_EXACT_MAX)
		return; /* full: the edges were marked FULL by the caller */
	atomic_store_explicit(&heap_exact[n].kind, kind, memory_order_relaxed);
	atomic_store_explicit(&heap_exact[n].start, start,
			      memory_order_relaxed);
	atomic_store_explicit(&heap_exact[n].end, end, memory_order_relaxed);
	atomic_store_explicit(&heap_exact_count, n + 1, memory_order_release);
}

/* Cut [start, end) out of every exact range; a cut in the middle keeps the
 * lower part and inserts the upper one. */
static void exact_cut(uintptr_t start, uintptr_t end)
{
	size_t n =
		atomic_load_explicit(&heap_exact_count, memory_order_relaxed);

	for (size_t i = 0; i < n; i++) {
		uintptr_t s = atomic_load_explicit(&heap_exact[i].start,
						   memory_order_relaxed);
		uintptr_t e = atomic_load_explicit(&heap_exact[i].end,
						   memory_order_relaxed);

		if (e == 0 || e <= start || s >= end)
			continue;
		if (s < start) {
			atomic_store_explicit(&heap_exact[i].end, start,
					      memory_order_relaxed);
			if (e > end)
				exact_insert(end, e,
					     atomic_load_explicit(
						     &heap_exact[i].kind,
						     memory_order_relaxed));
		} else if (e > end) {
			atomic_store_explicit(&heap_exact[i].start, end,
					      memory_order_relaxed);
		} else {
			atomic_store_explicit(&heap_exact[i].end, 0,
					      memory_order_relaxed);
		}
	}
}

static void heap_write_begin(void)
{
	shim_spin_lock(&heap_lock);
	atomic_fetch_add_explicit(&heap_seq, 1, memory_order_acq_rel);
}

static void heap_write_end(void)
{
	atomic_fetch_add_explicit(&heap_seq, 1, memory_order_release);
	shim_spin_unlock(&heap_lock);
}

static void heap_add(const void *addr, size_t len, unsigned char kind)
{
	uintptr_t start = (uintptr_t)addr, end = start + len;
	bool exact_full;

	if (len == 0)
		return;
	heap_write_begin();
	exact_full =
		atomic_load_explicit(&heap_exact_count, memory_order_relaxed) ==
		HEAP_EXACT_MAX;
	exact_insert(start, end, kind);
	for (uintptr_t g = start >> GRANULE_SHIFT;
	     g <= (end - 1) >> GRANULE_SHIFT; g++) {
		atomic_uchar *slot = granule_slot(g, true);
		uintptr_t gs = g << GRANULE_SHIFT;
		bool inside = gs >= start && gs + (1UL << GRANULE_SHIFT) <= end;

		if (slot == NULL)
			continue;
		if (inside || exact_full)
			atomic_store_explicit(slot, kind, memory_order_release);
		else if (atomic_load_explicit(slot, memory_order_relaxed) ==
			 GRANULE_NONE)
			atomic_store_explicit(slot, GRANULE_PARTIAL,
					      memory_order_release);
	}
	heap_write_end();
}

void ranges_heap_add(const void *addr, size_t len)
{
	heap_add(addr, len, GRANULE_FULL);
}

void ranges_heap_add_big(const void *addr, size_t len)
{
	heap_add(addr, len, GRANULE_BIG);
}

void ranges_heap_remove(const void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)addr, end = start + len;

	if (len == 0)
		return;
	heap_write_begin();
	exact_cut(start, end);
	/* Never back to NONE: the exact table decides from now on. */
	for (uintptr_t g = start >> GRANULE_SHIFT;
	     g <= (end - 1) >> GRANULE_SHIFT; g++) {
		atomic_uchar *slot = granule_slot(g, false);

		if (slot != NULL &&
		    atomic_load_explicit(slot, memory_order_relaxed) !=
			    GRANULE_NONE)
			atomic_store_explicit(slot, GRANULE_PARTIAL,
					      memory_order_release);
	}
	heap_write_end();
}

bool ranges_heap_mark_mapped(const void *addr, bool mapped)
{
	atomic_uchar *slot;

	heap_write_begin();
	slot = granule_slot((uintptr_t)addr >> GRANULE_SHIFT, mapped);
	if (slot != NULL)
		atomic_store_explicit(slot,
				      mapped ? GRANULE_MAPPED : GRANULE_NONE,
				      memory_order_release);
	heap_write_end();
	return slot != NULL;
}

/* The kind of the exact range holding p, or GRANULE_NONE. */
static int exact_kind(uintptr_t p)
{
	size_t n =
		atomic_load_explicit(&heap_exact_count, memory_order_acquire);

	for (size_t i = 0; i < n; i++) {
		uintptr_t s = atomic_load_explicit(&heap_exact[i].start,
						   memory_order_relaxed);
		uintptr_t e = atomic_load_explicit(&heap_exact[i].end,
						   memory_order_relaxed);

		if (p >= s && p < e)
			return atomic_load_explicit(&heap_exact[i].kind,
						    memory_order_relaxed);
	}
	return GRANULE_NONE;
}

/* Big mappings, the granules at the edges of mappings, and outside. */
int ranges_heap_kind_slow(const void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;
	atomic_uchar *slot = granule_slot(p >> GRANULE_SHIFT, false);
	unsigned char v;
	unsigned seq;
	int found;

	if (slot == NULL)
		return GRANULE_NONE;
	v = atomic_load_explicit(slot, memory_order_acquire);
	if (v != GRANULE_PARTIAL)
		return v;
	do {
		seq = atomic_load_explicit(&heap_seq, memory_order_acquire);
		if (seq & 1) {
			sched_yield();
			continue;
		}
		found = exact_kind(p);
		atomic_thread_fence(memory_order_acquire);
	} while ((seq & 1) ||
		 seq != atomic_load_explicit(&heap_seq, memory_order_relaxed));
	return found;
}

/* ------------------------------------------------------------------------
 * Rule ranges
 */

#define RULE_RANGES_MAX (1UL << 16)

struct rule_range {
	uintptr_t start, end; /* end == 0: free slot */
	int rule;
};

static struct rule_range *rule_ranges;
static size_t rule_ranges_count;
static uintptr_t rule_ranges_low = UINTPTR_MAX, rule_ranges_high;
static struct shim_spin rule_lock;

static void rule_insert(int rule, uintptr_t start, uintptr_t end)
{
	size_t i;

	if (rule_ranges == NULL) {
		rule_ranges = storage_map(RULE_RANGES_MAX *
					  sizeof(struct rule_range));
		if (rule_ranges == NULL)
			return;
	}
	for (i = 0; i < rule_ranges_count; i++)
		if (rule_ranges[i].end == 0)
			break;
	if (i == rule_ranges_count) {
		if (i == RULE_RANGES_MAX)
			return; /* the report will miss this range */
		rule_ranges_count++;
	}
	rule_ranges[i] = (struct rule_range){start, end, rule};
}

static void rule_cut(uintptr_t start, uintptr_t end)
{
	for (size_t i = 0; i < rule_ranges_count; i++) {
		struct rule_range *r = &rule_ranges[i];
		uintptr_t e = r->end;

		if (e == 0 || e <= start || r->start >= end)
			continue;
		if (r->start < start) {
			r->end = start;
			if (e > end)
				rule_insert(r->rule, end, e);
		} else if (e > end) {
			r->start = end;
		} else {
			r->end = 0;
		}
	}
}

/*
 * Extend a range of `rule` that ends at `start` or begins at `end` (joining
 * the two when both exist) to cover [start, end); false if none does.
 * The kernel places new mappings next to the last ones, so a program's
 * routed mappings of one rule mostly make one range, and the linear scans
 * here stay short however many mappings there are (one-page mmaps were
 * quadratic in their number before).
 */
static bool rule_extend(int rule, uintptr_t start, uintptr_t end)
{
	struct rule_range *left = NULL, *right = NULL;

	for (size_t i = 0; i < rule_ranges_count; i++) {
		struct rule_range *r = &rule_ranges[i];

		if (r->end == 0 || r->rule != rule)
			continue;
		if (r->end == start)
			left = r;
		else if (r->start == end)
			right = r;
	}
	if (left != NULL && right != NULL) {
		left->end = right->end;
		right->end = 0;
	} else if (left != NULL) {
		left->end = end;
	} else if (right != NULL) {
		right->start = start;
	} else {
		return false;
	}
	return true;
}

void ranges_rule_add(int rule, const void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)addr;

	if (len == 0 || rule < 0)
		return;
	shim_spin_lock(&rule_lock);
	if (start < rule_ranges_high && start + len > rule_ranges_low)
		rule_cut(start, start + len);
	if (!rule_extend(rule, start, start + len))
		rule_insert(rule, start, start + len);
	/* Bounds of every range ever added (rule_cut's splits stay inside):
	 * what lies outside needs no scan. */
	if (start < rule_ranges_low)
		rule_ranges_low = start;
	if (start + len > rule_ranges_high)
		rule_ranges_high = start + len;
	shim_spin_unlock(&rule_lock);
}

void ranges_rule_remove(const void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)addr;

	if (len == 0)
		return;
	shim_spin_lock(&rule_lock);
	if (start < rule_ranges_high && start + len > rule_ranges_low)
		rule_cut(start, start + len);
	shim_spin_unlock(&rule_lock);
}

int ranges_rule_at(const void *addr)
{
	uintptr_t p = (uintptr_t)addr;
	int rule = SHIM_UNROUTED;

	shim_spin_lock(&rule_lock);
	for (size_t i = 0; i < rule_ranges_count; i++) {
		if (rule_ranges[i].end != 0 && p >= rule_ranges[i].start &&
		    p < rule_ranges[i].end) {
			rule = rule_ranges[i].rule;
			break;
		}
	}
	shim_spin_unlock(&rule_lock);
	return rule;
}

/* The callback runs without the lock: it may map memory itself. */
void ranges_rule_foreach(int rule, shim_range_fn fn, void *ctx)
{
	for (size_t i = 0;; i++) {
		struct rule_range r;

		shim_spin_lock(&rule_lock);
		if (i >= rule_ranges_count) {
			shim_spin_unlock(&rule_lock);
			return;
		}
		r = rule_ranges[i];
		shim_spin_unlock(&rule_lock);
		if (r.end != 0 && r.rule == rule)
			fn((void *)r.start, r.end - r.start, ctx);
	}
}

/* The first piece of [cursor, end) inside a rule range, or false. */
static bool rule_first_piece(uintptr_t cursor, uintptr_t end,
			     struct rule_range *piece)
{
	bool found = false;

	for (size_t i = 0; i < rule_ranges_count; i++) {
		struct rule_range r = rule_ranges[i];

		if (r.end == 0 || r.end <= cursor || r.start >= end)
			continue;
		if (r.start < cursor)
			r.start = cursor;
		if (!found || r.start < piece->start) {
			*piece = r;
			found = true;
		}
	}
	if (found && piece->end > end)
		piece->end = end;
	return found;
}

void ranges_rule_pieces(const void *addr, size_t len, ranges_piece_fn fn)
{
	uintptr_t cursor = (uintptr_t)addr, end = cursor + len;
	struct rule_range piece = {0, 0, SHIM_UNROUTED};
	bool found;

	while (cursor < end) {
		shim_spin_lock(&rule_lock);
		found = rule_first_piece(cursor, end, &piece);
		shim_spin_unlock(&rule_lock);
		if (!found)
			return;
		fn(piece.rule, (const void *)piece.start,
		   piece.end - piece.start);
		cursor = piece.end;
	}
}

void ranges_after_fork(void)
{
	/* The heap table is only written under jemalloc's own locks, which
	 * its fork handlers hold across fork; a routed mmap may have been
	 * mid-update in a thread that no longer exists. */
	atomic_store(&heap_lock.held, 0);
	if (atomic_load(&heap_seq) & 1)
		atomic_fetch_add(&heap_seq, 1);
	atomic_store(&rule_lock.held, 0);
}
