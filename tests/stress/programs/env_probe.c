/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a program sees of the shim's configuration: the kernel's policy of
 * a touched heap block and of a touched anonymous mmap, whether the
 * process runs with AT_SECURE, and whether malloc is the shim's. Prints
 * one line, "ok heap=MODE mmap=MODE secure=N shim=N", and exits 0.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SIZE (8UL << 20)

static const char *policy_name(void *addr)
{
	static const char *const names[] = {"default", "preferred", "bind",
					    "interleave", "local"};
	int mode = -1;

	if (syscall(SYS_get_mempolicy, &mode, NULL, 0UL, addr, 2UL) != 0)
		return "error";
	mode &= 0xff; /* drop the mode flags */
	return mode >= 0 && mode < 5 ? names[mode] : "other";
}

static int malloc_is_the_shims(void)
{
	Dl_info info;
	void *sym = dlsym(RTLD_DEFAULT, "malloc");

	return sym && dladdr(sym, &info) && info.dli_fname &&
	       strstr(info.dli_fname, "libaml-preload") != NULL;
}

int main(void)
{
	char *heap = malloc(SIZE);
	char *map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	alarm(60);
	if (!heap || map == MAP_FAILED)
		return 1;
	memset(heap, 1, SIZE);
	memset(map, 1, SIZE);
	printf("ok heap=%s mmap=%s secure=%lu shim=%d\n", policy_name(heap),
	       policy_name(map), getauxval(AT_SECURE), malloc_is_the_shims());
	free(heap);
	munmap(map, SIZE);
	return 0;
}
