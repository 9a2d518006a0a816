/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * glibc's heap API under the shim: mallinfo2's bytes in use follow what
 * the program allocates and frees, malloc_trim gives freed memory back
 * (the resident size drops), malloc_stats prints the heap's figures.
 * Prints "ok" when every check held, else what failed (exit 1).
 *
 *   heap_info info | trim | stats
 *
 * trim expects freed pages to stay resident until trimmed: run it with
 * AML_DIRTY_DECAY_MS=-1 and AML_BIG_DECAY_MS=-1 (no decay).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rss.h"

#define COUNT 200
#define BLOCK ((size_t)512 << 10)
#define MIB ((size_t)1 << 20)

static char *blocks[COUNT];

/* COUNT blocks of BLOCK bytes, and two big ones (the stash's), touched. */
static void allocate(void)
{
	for (int i = 0; i < COUNT; i++) {
		blocks[i] = malloc(BLOCK);
		memset(blocks[i], 1, BLOCK);
	}
}

static void release(void)
{
	for (int i = 0; i < COUNT; i++)
		free(blocks[i]);
}

static int info(void)
{
	size_t total = COUNT * BLOCK, before, during, after;
	struct mallinfo old;

	before = mallinfo2().uordblks;
	allocate();
	during = mallinfo2().uordblks;
	old = mallinfo(); /* the int form says the same */
	if (old.uordblks < 0 || (size_t)old.uordblks + total / 10 < during) {
		printf("mallinfo uordblks %d, mallinfo2 %zu\n", old.uordblks,
		       during);
		return 1;
	}
	release();
	after = mallinfo2().uordblks;
	/* jemalloc's own small blocks come and go around it: 10 % slack. */
	if (during < before + total - total / 10 ||
	    during > before + total + total / 4) {
		printf("uordblks %zu -> %zu after allocating %zu\n", before,
		       during, total);
		return 1;
	}
	if (after > before + total / 10) {
		printf("uordblks %zu -> %zu -> %zu after freeing\n", before,
		       during, after);
		return 1;
	}
	/* A big block freed stays stashed for reuse: not in use. */
	char *big = malloc(16 * MIB);
	memset(big, 1, 16 * MIB);
	during = mallinfo2().uordblks;
	free(big);
	after = mallinfo2().uordblks;
	if (after + 16 * MIB > during) {
		printf("big block: uordblks %zu -> %zu after free\n", during,
		       after);
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int trim(void)
{
	size_t held, trimmed;
	char *big;
	int r;

	allocate();
	big = malloc(32 * MIB);
	memset(big, 1, 32 * MIB);
	release();
	free(big);
	held = rss();
	r = malloc_trim(0);
	trimmed = rss();
	if (r != 1 || trimmed + (COUNT * BLOCK + 32 * MIB) / 2 > held) {
		printf("malloc_trim returned %d; RSS %zu MiB -> %zu MiB\n", r,
		       held / MIB, trimmed / MIB);
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int stats(void)
{
	char text[4096];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	allocate();
	fflush(stderr);
	dup2(fileno(f), 2);
	malloc_stats();
	fflush(stderr);
	dup2(saved, 2);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	release();
	if (!strstr(text, "in use bytes") || !strstr(text, "aml-preload")) {
		printf("malloc_stats printed: %s\n", text);
		return 1;
	}
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "info"))
		return info();
	if (argc > 1 && !strcmp(argv[1], "trim"))
		return trim();
	if (argc > 1 && !strcmp(argv[1], "stats"))
		return stats();
	fprintf(stderr, "usage: heap_info info|trim|stats\n");
	return 2;
}
