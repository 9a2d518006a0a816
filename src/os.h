/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operating-system primitives of the library: every mmap, munmap,
 * mremap, mprotect, mbind, get_mempolicy and move_pages goes through here,
 * and the few file reads (sysfs) and scheduler queries of the library.
 *
 * Contract of every primitive: it is a raw system call (no libc wrapper that
 * could be interposed, no dlsym), it never allocates, it is async-signal-safe,
 * and it returns 0 (or the mapping) on success and a negative errno value on
 * failure without touching the thread's errno. The preload shim calls these
 * from inside malloc.
 */
#ifndef AML_SRC_OS_H
#define AML_SRC_OS_H

#include <stddef.h>
#include <sys/types.h>

#define AML_INTERNAL __attribute__((visibility("hidden")))

/* mmap(2). On success *out is the mapping and 0 is returned. */
AML_INTERNAL int aml_os_mmap(void **out, void *addr, size_t len, int prot,
			     int flags, int fd, off_t offset);
AML_INTERNAL int aml_os_munmap(void *addr, size_t len);
/* mremap(2); new_addr is used only with MREMAP_FIXED. */
AML_INTERNAL int aml_os_mremap(void **out, void *old_addr, size_t old_len,
			       size_t new_len, int flags, void *new_addr);
AML_INTERNAL int aml_os_madvise(void *addr, size_t len, int advice);
AML_INTERNAL int aml_os_mprotect(void *addr, size_t len, int prot);
/* mbind(2): maxnode is the number of bits in nodemask. */
AML_INTERNAL int aml_os_mbind(void *addr, size_t len, int mode,
			      const unsigned long *nodemask,
			      unsigned long maxnode, unsigned int flags);
/* set_mempolicy(2): the calling thread's policy (and so of the threads
 * and children it makes later); maxnode is the number of bits in nodemask. */
AML_INTERNAL int aml_os_set_mempolicy(int mode, const unsigned long *nodemask,
				      unsigned long maxnode);
/* mincore(2): one byte per page of [addr, addr + len), bit 0 resident. */
AML_INTERNAL int aml_os_mincore(void *addr, size_t len, unsigned char *vec);
/* get_mempolicy(2). */
AML_INTERNAL int aml_os_get_mempolicy(int *mode, unsigned long *nodemask,
				      unsigned long maxnode, void *addr,
				      unsigned long flags);
/* move_pages(2) on the calling process (pid 0). */
AML_INTERNAL int aml_os_move_pages(unsigned long count, void **pages,
				   const int *nodes, int *status, int flags);
/*
 * Read up to len - 1 bytes of the file at `path` into buf and end them with
 * a NUL (sysfs files are small). Returns the number of bytes read.
 */
AML_INTERNAL long aml_os_read_file(const char *path, char *buf, size_t len);
/* 0 if `path` exists (faccessat F_OK), else a negative errno value. */
AML_INTERNAL int aml_os_path_exists(const char *path);
/*
 * sched_getaffinity(2) of the calling thread into mask (len bytes). Returns
 * the number of bytes the kernel wrote.
 */
AML_INTERNAL long aml_os_sched_getaffinity(unsigned long *mask, size_t len);
/* Size of a base page, read once from the auxiliary vector. */
AML_INTERNAL size_t aml_os_page_size(void);

#endif /* AML_SRC_OS_H */
