/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "foreign.h"
#include "heap-internal.h"
#include "init.h"
#include "log.h"
#include "os.h"
#include "profile.h"
#include "ranges.h"
/*
 * free and malloc_usable_size, and foreign pointers: memory the shim did not
 * allocate (ld.so's early allocations, glibc's own malloc called by name). free
 * leaves it alone, realloc copies what can be read of it, malloc_usable_size
 * says 0.
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

void *realloc_foreign(void *ptr, size_t size)
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
		/* The other allocator's block (foreign.c). */
		if (foreign_aside) {
			foreign_free(ptr);
			return;
		}
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
	if (shim_unlikely(site_profiling)) /* aml-run --profile */
		profile_free(ptr);
	kind = ranges_heap_kind(ptr);
	if (shim_likely(kind == GRANULE_FULL)) {
		/* Frees count in a thread's warm-up too (init.c): a thread
		 * that only frees gets its cache. */
		if (shim_unlikely(!shim_thread_is_ready()))
			shim_thread_enter();
		shimje_free(ptr);
	} else {
		free_slow(ptr, kind);
	}
}

SHIM_EXPORT size_t malloc_usable_size(void *ptr)
{
	int kind;

	if (ptr == NULL)
		return 0;
	kind = ranges_heap_kind(ptr);
	if (kind == GRANULE_NONE) /* foreign.c's, if aside */
		return foreign_aside ? foreign_usable_size(ptr) : 0;
	if (kind == GRANULE_MAPPED)
		return mapped_usable(ptr);
	return shimje_malloc_usable_size(ptr);
}
