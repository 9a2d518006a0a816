/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * jemalloc's non-standard API over the shim's heap (entry points, beside
 * alloc.c), for programs linked with jemalloc (-ljemalloc). Without it,
 * their mallocx and friends reach the system libjemalloc, a second heap
 * that knows nothing of the shim's blocks: sdallocx, rallocx and xallocx
 * on memory from malloc crash, sallocx says a wrong size, and mallocx
 * memory given to free leaks.
 *
 * Here every function takes and gives blocks of the shim's heap, by way
 * of the shim's own malloc family (so they are placed by the same rules,
 * and a block may go from one API to the other freely):
 * - MALLOCX_ALIGN / MALLOCX_LG_ALIGN and MALLOCX_ZERO are honoured;
 * - MALLOCX_ARENA and MALLOCX_TCACHE are ignored (the program's arena
 *   numbers mean nothing in the shim's jemalloc; the rules pick arenas);
 * - xallocx grows or shrinks in place only where the block stays under
 *   the same rule, and says the block's size otherwise (allowed: "could
 *   not resize");
 * - sdallocx's size is not needed.
 * mallctl answers the entries programs read (version, epoch, stats.*,
 * arenas.* sizes, opt.*, config.*, thread.allocated/deallocated) from the
 * shim's jemalloc, does the harmless commands (epoch, thread.tcache.flush,
 * arena.<i>.purge and .decay), and says ENOENT to the rest (arena
 * creation, hooks, thread.arena, prof.*, resets): the shim's arenas are
 * its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heap-internal.h"
#include "init.h"
#include "ranges.h"
#include "stats.h"

/* The shim's jemalloc (renamed by jemalloc.syms): the parts of its API
 * only this file uses. */
int shimje_mallctlnametomib(const char *name, size_t *mibp, size_t *miblenp);
int shimje_mallctlbymib(const size_t *mib, size_t miblen, void *oldp,
			size_t *oldlenp, void *newp, size_t newlen);
void shimje_malloc_stats_print(void (*write_cb)(void *, const char *),
			       void *cbopaque, const char *opts);

#define FLAGS_LG_ALIGN_MASK 0x3f

static size_t flags_alignment(int flags)
{
	return (size_t)1 << (flags & FLAGS_LG_ALIGN_MASK);
}

/* What the shim's jemalloc may see of the flags: alignment and zero. */
static int flags_kept(int flags)
{
	return flags & (FLAGS_LG_ALIGN_MASK | MALLOCX_ZERO);
}

/* Zero [from, the usable end) of p. */
static void zero_tail(void *p, size_t from)
{
	size_t usable = malloc_usable_size(p);

	if (usable > from)
		memset((char *)p + from, 0, usable - from);
}

SHIM_EXPORT void *mallocx(size_t size, int flags)
{
	size_t alignment = flags_alignment(flags);
	void *p;

	if (size == 0)
		size = 1;
	if (alignment > 1)
		p = memalign(alignment, size);
	else if (flags & MALLOCX_ZERO)
		p = calloc(1, size);
	else
		p = malloc(size);
	if (p != NULL && (flags & MALLOCX_ZERO))
		zero_tail(p, alignment > 1 ? 0 : size);
	return p;
}

SHIM_EXPORT void *rallocx(void *ptr, size_t size, int flags)
{
	size_t alignment = flags_alignment(flags);
	size_t old = malloc_usable_size(ptr);
	void *p, *q;

	if (size == 0)
		size = 1;
	if (alignment > 1 && old != 0 &&
	    ((uintptr_t)ptr & (alignment - 1)) != 0) {
		/* Not aligned as asked: a new block, then copy. */
		p = mallocx(size, flags);
		if (p == NULL)
			return NULL;
		memcpy(p, ptr, old < size ? old : size);
		free(ptr);
		return p;
	}
	p = realloc(ptr, size);
	if (p == NULL)
		return NULL;
	if (alignment > 1 && ((uintptr_t)p & (alignment - 1)) != 0) {
		/* Moved to a place not aligned as asked. */
		q = mallocx(size, flags);
		if (q == NULL) {
			/* ptr is gone: keep the data (misaligned) rather
			 * than lose it. */
			return p;
		}
		memcpy(q, p, size);
		free(p);
		p = q;
	}
	if (flags & MALLOCX_ZERO)
		zero_tail(p, old < size ? old : size);
	return p;
}

/* Would a block of usable size old keep its placement at any size up to
 * hi? No rule bound may fall between the smallest size its class may
 * have come from (old / 2 + 1, as region_ambiguous reckons) and hi. */
static bool placement_stable(size_t old, size_t hi)
{
	return !sizes_split(old / 2 + 1, hi < old ? old : hi);
}

SHIM_EXPORT size_t xallocx(void *ptr, size_t size, size_t extra, int flags)
{
	int kind = ranges_heap_kind(ptr);
	size_t old, want, got;

	if (kind != GRANULE_FULL && kind != GRANULE_BIG)
		return malloc_usable_size(ptr); /* mapped, or not the shim's */
	if (!shim_thread_enter())
		return malloc_usable_size(ptr);
	old = malloc_usable_size(ptr);
	if (__builtin_add_overflow(size, extra, &want))
		want = SIZE_MAX;
	if (!placement_stable(old, want) || !placement_stable(old, size))
		return old;
	got = shimje_xallocx(ptr, size, extra, flags_kept(flags));
	if (got > old)
		shim_count_alloc(target_of(got), got);
	return got;
}

SHIM_EXPORT size_t sallocx(const void *ptr, int flags)
{
	(void)flags;
	return malloc_usable_size((void *)ptr);
}

SHIM_EXPORT void dallocx(void *ptr, int flags)
{
	(void)flags;
	free(ptr);
}

SHIM_EXPORT void sdallocx(void *ptr, size_t size, int flags)
{
	(void)size, (void)flags;
	free(ptr);
}

SHIM_EXPORT size_t nallocx(size_t size, int flags)
{
	shim_thread_enter();
	return shimje_nallocx(size ? size : 1, flags_kept(flags));
}

/* ------------------------------------------------------------------------
 * mallctl
 */

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* arena.<digits>.<cmd> */
static bool arena_command(const char *name, const char *cmd)
{
	const char *p = name + strlen("arena.");

	if (!has_prefix(name, "arena.") || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '.' && strcmp(p + 1, cmd) == 0;
}

/* Entries read without side effects. */
static bool entry_readable(const char *name)
{
	if (!strcmp(name, "version") || !strcmp(name, "epoch") ||
	    !strcmp(name, "thread.allocated") ||
	    !strcmp(name, "thread.deallocated"))
		return true;
	if (has_suffix(name, ".reset") || !strcmp(name, "arenas.create") ||
	    !strcmp(name, "arenas.lookup"))
		return false;
	return has_prefix(name, "stats.") || has_prefix(name, "arenas.") ||
	       has_prefix(name, "opt.") || has_prefix(name, "config.");
}

/* Commands that change nothing the program could notice. */
static bool entry_command(const char *name)
{
	return !strcmp(name, "thread.tcache.flush") ||
	       arena_command(name, "purge") || arena_command(name, "decay");
}

SHIM_EXPORT int mallctl(const char *name, void *oldp, size_t *oldlenp,
			void *newp, size_t newlen)
{
	if (name == NULL)
		return EINVAL;
	shim_thread_enter();
	/* A thread in its warm-up has no cache yet (init.c): nothing to
	 * flush, rather than jemalloc's EFAULT. */
	if (shim_thread_is_warm() && !strcmp(name, "thread.tcache.flush") &&
	    oldp == NULL && newp == NULL)
		return 0;
	if (!strcmp(name, "epoch") ||
	    (newp == NULL && newlen == 0 && entry_readable(name)) ||
	    (oldp == NULL && newp == NULL && entry_command(name)))
		return shimje_mallctl(name, oldp, oldlenp, newp, newlen);
	if (entry_readable(name))
		return EPERM; /* read-only here */
	return ENOENT;
}

/* The MIB of "epoch", the one entry mallctlbymib may write. */
static size_t epoch_mib[1];
static size_t epoch_miblen;

SHIM_EXPORT int mallctlnametomib(const char *name, size_t *mibp,
				 size_t *miblenp)
{
	if (name == NULL)
		return EINVAL;
	shim_thread_enter();
	if (!entry_readable(name) && !entry_command(name))
		return ENOENT;
	if (epoch_miblen == 0) {
		size_t len = 1;

		if (shimje_mallctlnametomib("epoch", epoch_mib, &len) == 0)
			epoch_miblen = len;
	}
	return shimje_mallctlnametomib(name, mibp, miblenp);
}

/* By MIB the name is not known: reads only, and "epoch". A MIB can only
 * come from mallctlnametomib above; a command (no old, no new value) is
 * let through as it was checked there. */
SHIM_EXPORT int mallctlbymib(const size_t *mib, size_t miblen, void *oldp,
			     size_t *oldlenp, void *newp, size_t newlen)
{
	shim_thread_enter();
	if ((newp != NULL || newlen != 0) &&
	    !(epoch_miblen == 1 && miblen == 1 && mib[0] == epoch_mib[0]))
		return EPERM;
	return shimje_mallctlbymib(mib, miblen, oldp, oldlenp, newp, newlen);
}

SHIM_EXPORT void malloc_stats_print(void (*write_cb)(void *, const char *),
				    void *cbopaque, const char *opts)
{
	shim_thread_enter();
	shimje_malloc_stats_print(write_cb, cbopaque, opts);
}
