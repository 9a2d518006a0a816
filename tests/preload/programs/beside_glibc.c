/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A program using a library that exports mi_malloc without replacing
 * malloc: the shim must stay in place (no "own allocator" message) and
 * serve that memory. Prints "ok" when malloc_usable_size knows the block.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

void *mi_malloc(size_t size);

int main(void)
{
	char *p = mi_malloc(1000);

	if (p == NULL || malloc_usable_size(p) < 1000) {
		printf("mi_malloc's block unknown to malloc_usable_size\n");
		return 1;
	}
	free(p);
	printf("ok\n");
	return 0;
}
