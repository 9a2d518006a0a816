/* SPDX-License-Identifier: BSD-3-Clause */
/* Thread start/exit churn: rounds of 10 threads; each thread allocates one
 * small zeroed object (16 words, calloc), swaps it into a random slot of
 * an array shared by all threads, frees what it took out, and exits.
 * 1000 rounds (10 000 threads). */
#include <pthread.h>
#include <stdatomic.h>

#include "bench.h"

#define THREADS 10
#define SLOTS 64

static void *_Atomic slot[SLOTS];

static void *visit(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg * 2654435761u + 1;
	long *obj = calloc(16, sizeof(long));
	void *old;

	if (obj == NULL)
		return NULL;
	obj[0] = (long)seed;
	old = atomic_exchange(&slot[bench_rand(&seed) % SLOTS], obj);
	free(old);
	return NULL;
}

int main(int argc, char **argv)
{
	int rounds = (int)(1000 * bench_scale(argc, argv));
	pthread_t t[THREADS];
	double t0 = bench_now();

	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < THREADS; i++)
			if (pthread_create(
				    &t[i], NULL, visit,
				    (void *)(uintptr_t)(r * THREADS + i + 1)))
				return 1;
		for (int i = 0; i < THREADS; i++)
			pthread_join(t[i], NULL);
	}
	for (int i = 0; i < SLOTS; i++)
		free(atomic_load(&slot[i]));
	bench_result(bench_now() - t0, (double)rounds * THREADS);
	return 0;
}
