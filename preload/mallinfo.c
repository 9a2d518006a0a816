/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * glibc's heap API over the shim's heap (entry points): malloc_trim,
 * mallinfo, mallinfo2 and malloc_stats. Without them they reach glibc's own
 * heap, idle under the shim: malloc_trim frees nothing, mallinfo2 says zeros.
 *
 * The figures come from the shim's jemalloc (mallctl "stats.*", after an
 * "epoch" refresh), less the big blocks the stash keeps for reuse (free
 * to the program, allocated to jemalloc), plus realloc's mapped blocks
 * (mapped.c), which jemalloc does not know:
 *   arena     stats.mapped (bytes jemalloc has mapped)
 *   ordblks   stashed big blocks   fordblks  active bytes not in use
 *   hblks     mapped blocks        hblkhd    their bytes
 *   uordblks  bytes in use (stats.allocated less the stash)
 *   usmblks, smblks, fsmblks, keepcost: 0
 * jemalloc counts small blocks in the thread caches as in use.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "foreign.h"
#include "heap-internal.h"
#include "init.h"

struct heap_figures {
	size_t allocated, active, resident, mapped;
	size_t stash, stash_count;
	size_t blocks, blocks_count; /* mapped blocks */
};

static size_t stat_of(const char *name)
{
	size_t value = 0, len = sizeof(value);

	if (shimje_mallctl(name, &value, &len, NULL, 0))
		return 0;
	return value;
}

static void figures_read(struct heap_figures *f)
{
	uint64_t epoch = 1;
	size_t len = sizeof(epoch);

	memset(f, 0, sizeof(*f));
	shim_thread_enter();
	shimje_mallctl("epoch", &epoch, &len, &epoch, sizeof(epoch));
	f->allocated = stat_of("stats.allocated");
	f->active = stat_of("stats.active");
	f->resident = stat_of("stats.resident");
	f->mapped = stat_of("stats.mapped");
	f->stash = stash_usage(false, &f->stash_count);
	f->blocks = mapped_usage(&f->blocks_count);
}

static size_t in_use(const struct heap_figures *f)
{
	return f->allocated > f->stash ? f->allocated - f->stash : 0;
}

SHIM_EXPORT struct mallinfo2 mallinfo2(void)
{
	struct heap_figures f;
	struct mallinfo2 mi;
	size_t used;

	figures_read(&f);
	used = in_use(&f);
	memset(&mi, 0, sizeof(mi));
	mi.arena = f.mapped;
	mi.ordblks = f.stash_count;
	mi.hblks = f.blocks_count;
	mi.hblkhd = f.blocks;
	mi.uordblks = used;
	mi.fordblks = f.active > used ? f.active - used : 0;
	return mi;
}

static int clamp_int(size_t v)
{
	return v > INT_MAX ? INT_MAX : (int)v;
}

/* The old form, with int fields: figures above INT_MAX say INT_MAX. */
SHIM_EXPORT struct mallinfo mallinfo(void)
{
	struct mallinfo2 m2 = mallinfo2();
	struct mallinfo mi;

	memset(&mi, 0, sizeof(mi));
	mi.arena = clamp_int(m2.arena);
	mi.ordblks = clamp_int(m2.ordblks);
	mi.hblks = clamp_int(m2.hblks);
	mi.hblkhd = clamp_int(m2.hblkhd);
	mi.uordblks = clamp_int(m2.uordblks);
	mi.fordblks = clamp_int(m2.fordblks);
	return mi;
}

/* Empty the stash and the calling thread's cache, purge every arena's
 * unused pages. 1 if the resident figure went down (or the stash held
 * something), as glibc's says whether memory was released. pad (bytes to
 * keep at the top of glibc's heap) has no counterpart. */
SHIM_EXPORT int malloc_trim(size_t pad)
{
	struct heap_figures before, after;
	size_t drained, n;
	int other = -1;

	figures_read(&before);
	drained = stash_usage(true, &n);
	mapped_cache_drain();
	shimje_mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
	/* 4096: MALLCTL_ARENAS_ALL */
	shimje_mallctl("arena.4096.purge", NULL, NULL, NULL, 0);
	figures_read(&after);
	if (foreign_aside)
		other = foreign_trim(pad);
	return drained > 0 || after.resident < before.resident || other > 0;
}

SHIM_EXPORT void malloc_stats(void)
{
	struct heap_figures f;

	figures_read(&f);
	fprintf(stderr,
		"aml-preload heap (jemalloc):\n"
		"system bytes     = %10zu\n"
		"in use bytes     = %10zu\n"
		"resident bytes   = %10zu\n"
		"stashed blocks   = %10zu (%zu bytes)\n"
		"Total (incl. mmap):\n"
		"system bytes     = %10zu\n"
		"in use bytes     = %10zu\n"
		"mapped blocks    = %10zu (%zu bytes)\n",
		f.mapped, in_use(&f), f.resident, f.stash_count, f.stash,
		f.mapped + f.blocks, in_use(&f) + f.blocks, f.blocks_count,
		f.blocks);
}
