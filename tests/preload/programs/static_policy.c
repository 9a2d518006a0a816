/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A statically linked program (no shim can be preloaded into it): prints
 * its process memory policy and where the pages of its static data, heap
 * (brk) and stack are, counted page by page with move_pages.
 *
 *   static_policy NODE   prints "policy=MODE pages=N on=K": N pages
 *                        counted, K of them on NODE
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096
#define STATIC_BYTES ((size_t)8 << 20)
#define HEAP_BLOCKS 256
#define HEAP_BLOCK ((size_t)64 << 10) /* below glibc's mmap threshold */
#define STACK_BYTES ((size_t)256 << 10)

static char data[STATIC_BYTES];
static int pages_seen, pages_on;

/* Count the pages of [addr, addr + len), all touched, by node. */
static void count(char *addr, size_t len, int node)
{
	enum { BATCH = 256 };
	void *pages[BATCH];
	int status[BATCH];
	char *start =
		(char *)(((unsigned long)addr + PAGE - 1) & ~(PAGE - 1UL));

	for (char *p = start; p + PAGE <= addr + len;) {
		int n = 0;

		while (n < BATCH && p + PAGE <= addr + len) {
			pages[n++] = p;
			p += PAGE;
		}
		if (syscall(SYS_move_pages, 0, n, pages, NULL, status, 0))
			continue;
		for (int i = 0; i < n; i++) {
			pages_seen++;
			pages_on += status[i] == node;
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long mask[16] = {0};
	int mode = -1, node = argc > 1 ? atoi(argv[1]) : 0;
	volatile char stack[STACK_BYTES];

	if (syscall(SYS_get_mempolicy, &mode, mask, 8 * sizeof(mask), NULL,
		    0UL))
		mode = -1;
	memset(data, 1, sizeof(data));
	count(data, sizeof(data), node);
	for (int i = 0; i < HEAP_BLOCKS; i++) {
		char *b = malloc(HEAP_BLOCK);

		memset(b, 1, HEAP_BLOCK);
		count(b, HEAP_BLOCK, node);
	}
	memset((char *)stack, 1, sizeof(stack));
	count((char *)stack, sizeof(stack), node);
	printf("policy=%d pages=%d on=%d\n", mode, pages_seen, pages_on);
	return 0;
}
