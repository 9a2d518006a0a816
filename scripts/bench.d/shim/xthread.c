/* SPDX-License-Identifier: BSD-3-Clause */
/* Producer/consumer: one thread allocates small objects (16-256 B) and
 * hands them through a ring to another thread that frees them (2 M). */
#include <pthread.h>
#include <stdatomic.h>

#include "bench.h"

#define RING 4096

static void *_Atomic ring[RING];
static uint64_t count;

static void *consume(void *arg)
{
	(void)arg;
	for (uint64_t i = 0; i < count; i++) {
		void *_Atomic *cell = &ring[i % RING];
		void *p;

		while ((p = atomic_exchange_explicit(
				cell, NULL, memory_order_acquire)) == NULL)
			;
		free(p);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	uint64_t seed = 7;
	pthread_t consumer;
	double t0;

	count = (uint64_t)(2e6 * bench_scale(argc, argv));
	t0 = bench_now();
	pthread_create(&consumer, NULL, consume, NULL);
	for (uint64_t i = 0; i < count; i++) {
		void *_Atomic *cell = &ring[i % RING];
		char *p = malloc(16 + bench_rand(&seed) % 241);

		p[0] = 1;
		while (atomic_load_explicit(cell, memory_order_relaxed) != NULL)
			;
		atomic_store_explicit(cell, p, memory_order_release);
	}
	pthread_join(consumer, NULL);
	bench_result(bench_now() - t0, (double)count);
	return 0;
}
