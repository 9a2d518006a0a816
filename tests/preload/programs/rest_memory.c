/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The memory of a process that no allocation call gives: a thread's stack,
 * the brk heap, static data. Run under the shim by the rest-of-the-process
 * tests.
 *
 *   rest_memory policy       the process memory policy: "mode M nodes 0x.."
 *   rest_memory pages [CPU]  (pinned to CPU if given) touch a thread's
 *                            stack (256 KiB), 16 MiB of brk heap and 8 MiB
 *                            of static data; one line each with the nodes
 *                            of their pages: "stack node2=64"
 */
#define _GNU_SOURCE
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "node-of.h"

#define PAGE 4096
#define MAX_NODES 64
#define STACK_BYTES (256 << 10)
#define BRK_BYTES (16 << 20)
#define STATIC_BYTES (8 << 20)

static char static_data[STATIC_BYTES];

static void print_nodes(const char *what, char *p, size_t len)
{
	unsigned counts[MAX_NODES + 1] = {0};

	for (size_t off = 0; off < len; off += PAGE) {
		int node = node_of(p + off);

		counts[node >= 0 && node < MAX_NODES ? node : MAX_NODES]++;
	}
	printf("%s", what);
	for (int n = 0; n <= MAX_NODES; n++) {
		if (!counts[n])
			continue;
		if (n == MAX_NODES)
			printf(" unknown=%u", counts[n]);
		else
			printf(" node%d=%u", n, counts[n]);
	}
	printf("\n");
}

static void *stack_user(void *arg)
{
	volatile char buf[STACK_BYTES];

	(void)arg;
	for (size_t off = 0; off < sizeof(buf); off += PAGE)
		buf[off] = 1;
	/* The pages of buf that are whole pages. */
	print_nodes("stack",
		    (char *)(((unsigned long)buf + PAGE - 1) &
			     ~(unsigned long)(PAGE - 1)),
		    sizeof(buf) - PAGE);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "policy")) {
		unsigned long mask[16] = {0};
		int mode = -1;

		if (syscall(SYS_get_mempolicy, &mode, mask, 1024, NULL, 0)) {
			perror("get_mempolicy");
			return 1;
		}
		printf("mode %d nodes 0x%lx\n", mode, mask[0]);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "pages")) {
		pthread_t thread;
		char *heap;

		if (argc >= 3) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(atoi(argv[2]), &set);
			if (sched_setaffinity(0, sizeof(set), &set)) {
				perror("sched_setaffinity");
				return 1;
			}
		}
		if (pthread_create(&thread, NULL, stack_user, NULL) ||
		    pthread_join(thread, NULL))
			return 1;
		heap = sbrk(0);
		heap = (char *)(((unsigned long)heap + PAGE - 1) &
				~(unsigned long)(PAGE - 1));
		if (brk(heap + BRK_BYTES)) {
			perror("brk");
			return 1;
		}
		memset(heap, 1, BRK_BYTES);
		print_nodes("brk", heap, BRK_BYTES);
		memset(static_data, 1, sizeof(static_data));
		print_nodes("static",
			    (char *)(((unsigned long)static_data + PAGE - 1) &
				     ~(unsigned long)(PAGE - 1)),
			    sizeof(static_data) - PAGE);
		fflush(stdout);
		return 0;
	}
	fprintf(stderr, "usage: rest_memory policy | pages [CPU]\n");
	return 2;
}
