/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threads that make three requests and exit, eight at a time, as a task
 * pool's workers do: under the shim they never leave its warm-up (no
 * thread cache, init.c). Each callocs a block that an earlier thread
 * filled and freed, checks that it is zero, grows a block with realloc
 * and checks its bytes; then one thread runs far past the warm-up.
 *
 *   short_threads ROUNDS   prints "ok N" (N: the allocations made by the
 *                          threads), or what was wrong, and exits 0 or 1
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 8
#define BLOCK 200

static atomic_int wrong;
static atomic_long made;

static void say(const char *what)
{
	if (atomic_fetch_add(&wrong, 1) < 10)
		printf("%s\n", what);
}

static void *short_life(void *arg)
{
	unsigned char *z = calloc(1, BLOCK);
	char *r = malloc(40);

	(void)arg;
	if (z == NULL || r == NULL) {
		say("allocation failed");
		return NULL;
	}
	for (int i = 0; i < BLOCK; i++)
		if (z[i] != 0) {
			say("calloc gave a block that is not zero");
			break;
		}
	memset(z, 0xa5, BLOCK); /* for the next thread's calloc */
	memset(r, 'r', 40);
	r = realloc(r, 3000);
	if (r == NULL) {
		say("realloc failed");
	} else {
		for (int i = 0; i < 40; i++)
			if (r[i] != 'r') {
				say("realloc lost the block's bytes");
				break;
			}
	}
	free(z);
	free(r);
	atomic_fetch_add(&made, 3);
	return NULL;
}

/* Long enough to leave the warm-up with blocks of both sides live. */
static void *long_life(void *arg)
{
	char *keep[256] = {0};

	(void)arg;
	for (int i = 0; i < 4096; i++) {
		int k = i % 256;

		if (keep[k] != NULL) {
			if (keep[k][0] != (char)(k + 1) ||
			    keep[k][47] != (char)(k + 1))
				say("a block changed under the thread");
			free(keep[k]);
		}
		keep[k] = malloc(48);
		if (keep[k] == NULL) {
			say("allocation failed");
			break;
		}
		memset(keep[k], k + 1, 48);
		atomic_fetch_add(&made, 1);
	}
	for (int k = 0; k < 256; k++)
		free(keep[k]);
	return NULL;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 25;
	pthread_t t[BATCH];

	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < BATCH; i++)
			if (pthread_create(&t[i], NULL, short_life, NULL))
				return 2;
		for (int i = 0; i < BATCH; i++)
			pthread_join(t[i], NULL);
	}
	if (pthread_create(&t[0], NULL, long_life, NULL))
		return 2;
	pthread_join(t[0], NULL);
	if (atomic_load(&wrong))
		return 1;
	printf("ok %ld\n", atomic_load(&made));
	return 0;
}
