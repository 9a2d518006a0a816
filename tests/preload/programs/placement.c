/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs under the shim inside the NUMA VM. Allocates every size class from
 * 16 B to 64 MiB through the malloc family and anonymous mmap, touches
 * every page, and asks the kernel where each page landed
 * (get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR)); then again for a few sizes
 * in short-lived threads (each makes fewer requests than the shim's
 * warm-up, so they are served without a thread cache), and in threads past
 * the warm-up (pinned to the rule's arena, with their own cache).
 *
 *   placement all MASK              every page on a node of MASK (hex)
 *   placement split SMALL LARGE N   sizes < N on SMALL, the rest on LARGE
 *
 * Prints "ok", or each wrong page, and exits 0 or 1.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <numaif.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "node-of.h"

#define MAX_SIZE ((size_t)64 << 20)
#define PAGE 4096UL

static unsigned long small_mask, large_mask;
static size_t threshold = SIZE_MAX;
static int failures, checked;

static void check_range(const char *how, char *p, size_t size, size_t request)
{
	unsigned long mask = request < threshold ? small_mask : large_mask;
	size_t npages = (size + PAGE - 1) / PAGE;
	size_t step = npages > 256 ? npages / 256 : 1;

	memset(p, 0x5a, size);
	for (size_t i = 0; i < npages; i += step) {
		char *addr = i == 0 ? p
				    : (char *)((uintptr_t)(p + i * PAGE) &
					       ~(PAGE - 1));
		int node = node_of(addr);

		checked++;
		if (node < 0 || !(mask >> node & 1)) {
			if (failures++ < 20)
				printf("%s(%zu): page %zu on node %d, "
				       "want mask %#lx\n",
				       how, request, i, node, mask);
		}
	}
}

/* One block at a time, so that the program needs little memory on the
 * node (other tests run beside it). */
static void check_one_size(size_t n)
{
	char *p = malloc(n);

	if (p == NULL)
		goto fail;
	check_range("malloc", p, n, n);
	p = realloc(p, n * 2);
	if (p == NULL)
		goto fail;
	check_range("realloc", p, n * 2, n * 2);
	free(p);
	p = calloc(1, n);
	if (p == NULL)
		goto fail;
	check_range("calloc", p, n, n);
	free(p);
	if (posix_memalign((void **)&p, 64, n) != 0)
		goto fail;
	check_range("posix_memalign", p, n, n);
	free(p);
	return;
fail:
	printf("allocation of %zu failed\n", n);
	failures++;
}

static void check_all_sizes(void)
{
	for (size_t size = 16; size <= MAX_SIZE; size *= 2) {
		size_t sizes[] = {size - size / 4, size, size + size / 8};

		for (int k = 0; k < 3; k++)
			check_one_size(sizes[k]);
	}
	for (size_t size = PAGE; size <= MAX_SIZE; size *= 4) {
		char *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED) {
			failures++;
			continue;
		}
		check_range("mmap", m, size, size);
		munmap(m, size);
	}
}

/* Seven requests per size: 28 for the thread. */
static void *check_few_sizes(void *arg)
{
	static const size_t sizes[] = {24, 200, 3000, 40000};

	(void)arg;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		check_one_size(sizes[k]);
	return NULL;
}

/* Past the warm-up first (128 calls: pinned, a cache), then the same
 * checks. */
static void *check_after_warm_up(void *arg)
{
	for (int i = 0; i < 64; i++) {
		char *volatile p = malloc(64);

		free(p);
	}
	return check_few_sizes(arg);
}

/* One thread at a time: the counters are not shared safely. */
static void check_threads(void *(*check)(void *))
{
	for (int i = 0; i < 4; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, check, NULL) != 0) {
			printf("pthread_create failed\n");
			failures++;
			return;
		}
		pthread_join(t, NULL);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "all") == 0) {
		small_mask = large_mask = strtoul(argv[2], NULL, 16);
	} else if (argc == 5 && strcmp(argv[1], "split") == 0) {
		small_mask = strtoul(argv[2], NULL, 16);
		large_mask = strtoul(argv[3], NULL, 16);
		threshold = strtoull(argv[4], NULL, 0);
	} else {
		fprintf(stderr, "usage: placement all MASK | split SMALL "
				"LARGE THRESHOLD\n");
		return 2;
	}
	check_all_sizes();
	check_threads(check_few_sizes);
	check_threads(check_after_warm_up);
	if (failures == 0)
		printf("ok: %d pages checked\n", checked);
	return failures != 0;
}
