/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run under the shim with a weighted rule for 4 MiB and up and a bound
 * rule below (test_weighted_numa.c): prints, for each kind of block, the
 * pages found on nodes 0-3 after touching every page:
 *   big      a 16 MiB malloc
 *   small    a 64 KiB malloc (the bound rule)
 *   grown    a block realloc'd from 5 MiB to 24 MiB (mremap growth)
 *   reused   a 16 MiB malloc after freeing one (the big-block stash)
 *   child    a 16 MiB malloc in a child after fork
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node-of.h"

#define MiB ((size_t)1 << 20)

static void count(const char *what, char *p, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n[5] = {0};

	memset(p, 1, size);
	for (size_t off = 0; off + (size_t)page <= size; off += (size_t)page) {
		int node = node_of(p + off);

		n[node >= 0 && node < 4 ? node : 4]++;
	}
	printf("%s %zu %zu %zu %zu %zu\n", what, n[0], n[1], n[2], n[3], n[4]);
	fflush(stdout);
}

int main(void)
{
	char *big = malloc(16 * MiB), *small = malloc(64 << 10), *g, *again;
	pid_t pid;
	int status;

	if (big == NULL || small == NULL)
		return 2;
	count("big", big, 16 * MiB);
	count("small", small, 64 << 10);
	g = malloc(5 * MiB);
	if (g == NULL)
		return 2;
	memset(g, 1, 5 * MiB);
	for (size_t s = 6; s <= 24; s += 6) {
		g = realloc(g, s * MiB);
		if (g == NULL)
			return 2;
	}
	count("grown", g, 24 * MiB);
	free(big);
	again = malloc(16 * MiB);
	if (again == NULL)
		return 2;
	count("reused", again, 16 * MiB);
	pid = fork();
	if (pid == 0) {
		char *c = malloc(16 * MiB);

		if (c == NULL)
			_exit(2);
		count("child", c, 16 * MiB);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 3;
	free(again);
	free(g);
	free(small);
	return 0;
}
