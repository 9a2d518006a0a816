/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * syscall(3) sets errno; the primitives must not, so they use an inline
 * system call and return the kernel's -errno directly.
 */
#if defined(__x86_64__)
static long raw_syscall6(long n, long a1, long a2, long a3, long a4, long a5,
			 long a6)
{
	long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#else
/* Other architectures: libc's syscall(3), keeping the caller's errno. */
static long raw_syscall6(long n, long a1, long a2, long a3, long a4, long a5,
			 long a6)
{
	int saved = errno;
	long ret = syscall(n, a1, a2, a3, a4, a5, a6);

	if (ret == -1)
		ret = -errno;
	errno = saved;
	return ret;
}
#endif

#define SYS6(n, a, b, c, d, e, f)                                              \
	raw_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), \
		     (long)(f))

static int as_error(long ret)
{
	return (ret < 0 && ret > -4096) ? (int)ret : 0;
}

int aml_os_mmap(void **out, void *addr, size_t len, int prot, int flags, int fd,
		off_t offset)
{
	long ret = SYS6(SYS_mmap, addr, len, prot, flags, fd, offset);

	if (as_error(ret))
		return as_error(ret);
	*out = (void *)ret;
	return 0;
}

int aml_os_munmap(void *addr, size_t len)
{
	return as_error(SYS6(SYS_munmap, addr, len, 0, 0, 0, 0));
}

int aml_os_mremap(void **out, void *old_addr, size_t old_len, size_t new_len,
		  int flags, void *new_addr)
{
	long ret = SYS6(SYS_mremap, old_addr, old_len, new_len, flags, new_addr,
			0);

	if (as_error(ret))
		return as_error(ret);
	*out = (void *)ret;
	return 0;
}

int aml_os_madvise(void *addr, size_t len, int advice)
{
	return as_error(SYS6(SYS_madvise, addr, len, advice, 0, 0, 0));
}

int aml_os_mprotect(void *addr, size_t len, int prot)
{
	return as_error(SYS6(SYS_mprotect, addr, len, prot, 0, 0, 0));
}

int aml_os_mbind(void *addr, size_t len, int mode,
		 const unsigned long *nodemask, unsigned long maxnode,
		 unsigned int flags)
{
	return as_error(
		SYS6(SYS_mbind, addr, len, mode, nodemask, maxnode, flags));
}

int aml_os_set_mempolicy(int mode, const unsigned long *nodemask,
			 unsigned long maxnode)
{
	return as_error(
		SYS6(SYS_set_mempolicy, mode, nodemask, maxnode, 0, 0, 0));
}

int aml_os_mincore(void *addr, size_t len, unsigned char *vec)
{
	return as_error(SYS6(SYS_mincore, addr, len, vec, 0, 0, 0));
}

int aml_os_get_mempolicy(int *mode, unsigned long *nodemask,
			 unsigned long maxnode, void *addr, unsigned long flags)
{
	return as_error(SYS6(SYS_get_mempolicy, mode, nodemask, maxnode, addr,
			     flags, 0));
}

int aml_os_move_pages(unsigned long count, void **pages, const int *nodes,
		      int *status, int flags)
{
	return as_error(
		SYS6(SYS_move_pages, 0, count, pages, nodes, status, flags));
}

long aml_os_read_file(const char *path, char *buf, size_t len)
{
	long fd, n = 0, got = 0;

	if (len == 0)
		return -EINVAL;
	fd = SYS6(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0, 0, 0);
	if (as_error(fd))
		return as_error(fd);
	while ((size_t)got < len - 1) {
		n = SYS6(SYS_read, fd, buf + got, len - 1 - (size_t)got, 0, 0,
			 0);
		if (n == -EINTR)
			continue;
		if (as_error(n) || n == 0)
			break;
		got += n;
	}
	SYS6(SYS_close, fd, 0, 0, 0, 0, 0);
	if (as_error(n) && got == 0)
		return as_error(n);
	buf[got] = '\0';
	return got;
}

int aml_os_path_exists(const char *path)
{
	return as_error(SYS6(SYS_faccessat, AT_FDCWD, path, F_OK, 0, 0, 0));
}

long aml_os_sched_getaffinity(unsigned long *mask, size_t len)
{
	long ret = SYS6(SYS_sched_getaffinity, 0, len, mask, 0, 0, 0);

	return as_error(ret) ? as_error(ret) : ret;
}

size_t aml_os_page_size(void)
{
	static size_t page_size;

	if (page_size == 0) {
		unsigned long v = getauxval(AT_PAGESZ);
		page_size = v ? v : 4096;
	}
	return page_size;
}
