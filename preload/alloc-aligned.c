/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exported aligned-allocation entry points: posix_memalign,
 * aligned_alloc, memalign, valloc and pvalloc, with glibc's answers to
 * bad alignments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

#include "heap-internal.h"
#include "init.h"
#include "os.h"

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
