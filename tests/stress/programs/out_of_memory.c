/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocation failure seen from a program: every failing call returns NULL
 * (MAP_FAILED for mmap) with errno ENOMEM, memory already held stays
 * intact, and the program keeps running once it frees.
 *
 * usage: out_of_memory limits   (run under a small RLIMIT_AS)
 *        out_of_memory fill     (allocate touched 16 MiB blocks until NULL)
 *        out_of_memory maps     (one-page mmaps until MAP_FAILED)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BLOCK (16UL << 20)
#define MAX_BLOCKS 4096
#define MAX_MAPS 200000

static int failures;

static void expect_enomem(const char *call, int failed)
{
	int err = errno;

	if (failed && err == ENOMEM)
		return;
	printf("%s: %s, errno %d\n", call, failed ? "failed" : "succeeded",
	       err);
	failures++;
}

/* Big requests that cannot fit: NULL + ENOMEM from each entry point. */
static void limits(void)
{
	char *small = malloc(100);
	void *p;

	memset(small, 'x', 100);
	errno = 0;
	expect_enomem("malloc(1 GiB)", malloc(1UL << 30) == NULL);
	errno = 0;
	expect_enomem("calloc(1 GiB)", calloc(1UL << 18, 4096) == NULL);
	errno = 0;
	p = realloc(small, 1UL << 30);
	expect_enomem("realloc(100 B -> 1 GiB)", p == NULL);
	if (p == NULL && (small[0] != 'x' || small[99] != 'x')) {
		printf("realloc lost the old block's contents\n");
		failures++;
	}
	errno = 0;
	expect_enomem("posix_memalign(1 GiB)",
		      (errno = posix_memalign(&p, 4096, 1UL << 30)) != 0);
	errno = 0;
	expect_enomem("aligned_alloc(1 GiB)",
		      aligned_alloc(4096, 1UL << 30) == NULL);
	errno = 0;
	expect_enomem("mmap(1 GiB)",
		      mmap(NULL, 1UL << 30, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
	free(p == NULL ? small : p);
}

/* Touched blocks until malloc says no. */
static void fill(void)
{
	static char *blocks[MAX_BLOCKS];
	long n = 0;

	errno = 0;
	while (n < MAX_BLOCKS && (blocks[n] = malloc(BLOCK)) != NULL) {
		memset(blocks[n], (int)n, BLOCK);
		n++;
	}
	printf("%ld blocks of 16 MiB before NULL\n", n);
	expect_enomem("malloc(16 MiB) when full", n < MAX_BLOCKS);
	for (long i = 0; i < n; i++)
		if (blocks[i][BLOCK - 1] != (char)i) {
			printf("block %ld lost its contents\n", i);
			failures++;
			break;
		}
	while (n > 0)
		free(blocks[--n]);
}

/* Alternate protections so that neighbours never merge into one VMA. */
static void maps(void)
{
	static void *map[MAX_MAPS];
	long n = 0;
	void *big;

	errno = 0;
	while (n < MAX_MAPS) {
		int prot = n % 2 ? PROT_READ : PROT_READ | PROT_WRITE;

		map[n] = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			      0);
		if (map[n] == MAP_FAILED)
			break;
		n++;
	}
	printf("%ld one-page mappings before MAP_FAILED\n", n);
	expect_enomem("mmap(4 KiB) at the map count limit", n < MAX_MAPS);
	errno = 0;
	big = malloc(64UL << 20);
	expect_enomem("malloc(64 MiB) at the map count limit", big == NULL);
	free(big);
	for (long i = 0; i < n; i++)
		munmap(map[i], 4096);
}

int main(int argc, char **argv)
{
	char *after;

	if (argc != 2)
		return 2;
	alarm(120);
	if (strcmp(argv[1], "limits") == 0)
		limits();
	else if (strcmp(argv[1], "fill") == 0)
		fill();
	else if (strcmp(argv[1], "maps") == 0)
		maps();
	else
		return 2;
	/* Still alive and able to allocate. */
	after = malloc(4096);
	if (!after)
		return 1;
	memset(after, 1, 4096);
	free(after);
	after = malloc(BLOCK);
	if (!after)
		return 1;
	memset(after, 1, BLOCK);
	free(after);
	printf("%s after the failures\n", failures ? "FAILED" : "OK");
	return failures ? 1 : 0;
}
