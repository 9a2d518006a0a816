/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory that a program frees before it exits, for the report's release
 * census: fills a block, frees it, and exits.
 *
 *   release malloc MIB   malloc, fill, free
 *   release mmap MIB     anonymous mmap, fill, munmap
 *   release shrink MIB   anonymous mmap, fill, mremap to one page, munmap
 *
 * Pages are 4 KiB (no transparent huge pages), so that counts are exact.
 * Prints "ok" and exits 0.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static char *map_filled(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(3);
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 1, len);
	return p;
}

int main(int argc, char **argv)
{
	size_t len;
	char *p;

	if (argc != 3)
		return 2;
	len = strtoul(argv[2], NULL, 0) << 20;
	if (strcmp(argv[1], "malloc") == 0) {
		p = malloc(len);
		if (p == NULL)
			return 3;
		madvise(p, len, MADV_NOHUGEPAGE);
		memset(p, 1, len);
		__asm__ volatile("" : : "r"(p) : "memory");
		free(p);
	} else if (strcmp(argv[1], "mmap") == 0) {
		munmap(map_filled(len), len);
	} else if (strcmp(argv[1], "shrink") == 0) {
		p = mremap(map_filled(len), len, 4096, 0);
		if (p == MAP_FAILED)
			return 3;
		munmap(p, 4096);
	} else {
		return 2;
	}
	puts("ok");
	return 0;
}
