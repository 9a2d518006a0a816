/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's private jemalloc 5.3: the public API under the names given by
 * jemalloc.syms (objcopy --redefine-syms), hidden from the program. Types
 * and flag encodings are those of <jemalloc/jemalloc.h>, which cannot be
 * included next to the shim's own malloc.
 */
#ifndef AML_PRELOAD_JEMALLOC_PRIVATE_H
#define AML_PRELOAD_JEMALLOC_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#define MALLOCX_LG_ALIGN(la) ((int)(la))
#define MALLOCX_ZERO ((int)0x40)
#define MALLOCX_TCACHE(tc) ((int)(((tc) + 2) << 8))
#define MALLOCX_TCACHE_NONE MALLOCX_TCACHE(-1)
#define MALLOCX_ARENA(a) ((((int)(a)) + 1) << 20)

typedef struct extent_hooks_s extent_hooks_t;
typedef void *(extent_alloc_t)(extent_hooks_t *, void *, size_t, size_t, bool *,
			       bool *, unsigned);
typedef bool(extent_dalloc_t)(extent_hooks_t *, void *, size_t, bool, unsigned);
typedef void(extent_destroy_t)(extent_hooks_t *, void *, size_t, bool,
			       unsigned);
typedef bool(extent_commit_t)(extent_hooks_t *, void *, size_t, size_t, size_t,
			      unsigned);
typedef bool(extent_decommit_t)(extent_hooks_t *, void *, size_t, size_t,
				size_t, unsigned);
typedef bool(extent_purge_t)(extent_hooks_t *, void *, size_t, size_t, size_t,
			     unsigned);
typedef bool(extent_split_t)(extent_hooks_t *, void *, size_t, size_t, size_t,
			     bool, unsigned);
typedef bool(extent_merge_t)(extent_hooks_t *, void *, size_t, void *, size_t,
			     bool, unsigned);

struct extent_hooks_s {
	extent_alloc_t *alloc;
	extent_dalloc_t *dalloc;
	extent_destroy_t *destroy;
	extent_commit_t *commit;
	extent_decommit_t *decommit;
	extent_purge_t *purge_lazy;
	extent_purge_t *purge_forced;
	extent_split_t *split;
	extent_merge_t *merge;
};

void *shimje_malloc(size_t size);
void *shimje_calloc(size_t n, size_t size);
void *shimje_realloc(void *ptr, size_t size);
void shimje_free(void *ptr);
int shimje_posix_memalign(void **out, size_t alignment, size_t size);
size_t shimje_malloc_usable_size(void *ptr);
void *shimje_mallocx(size_t size, int flags);
void *shimje_rallocx(void *ptr, size_t size, int flags);
size_t shimje_xallocx(void *ptr, size_t size, size_t extra, int flags);
size_t shimje_nallocx(size_t size, int flags);
int shimje_mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp,
		   size_t newlen);
int shimje_mallctlnametomib(const char *name, size_t *mibp, size_t *miblenp);
int shimje_mallctlbymib(const size_t *mib, size_t miblen, void *oldp,
			size_t *oldlenp, void *newp, size_t newlen);

/* jemalloc's own mmap/munmap calls land here (heap.c). */
void *shimje_os_mmap(void *addr, size_t len, int prot, int flags, int fd,
		     long offset);
int shimje_os_munmap(void *addr, size_t len);

#endif /* AML_PRELOAD_JEMALLOC_PRIVATE_H */
