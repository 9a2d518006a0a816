/* SPDX-License-Identifier: BSD-3-Clause */
/* Server-like churn: 4 threads, each with 10000 live objects of mixed
 * sizes (mostly small, some up to 64 KiB), replaced at random; every 16th
 * object is handed to the next thread, which frees it. */
#include <pthread.h>
#include <stdatomic.h>

#include "bench.h"

#define THREADS 4
#define SLOTS 10000
#define MAILBOX 1024

struct worker {
	pthread_t thread;
	uint64_t seed, steps;
	void *_Atomic mailbox[MAILBOX];
	char *slot[SLOTS];
} __attribute__((aligned(64)));

static struct worker workers[THREADS];

static size_t request_size(uint64_t r)
{
	if (r % 100 < 90)
		return 16 + r % 240;
	if (r % 100 < 99)
		return 256 + r % 4000;
	return 4096 + r % 61440;
}

static void *work(void *arg)
{
	struct worker *w = arg, *next = &workers[(w - workers + 1) % THREADS];

	for (uint64_t i = 0; i < w->steps; i++) {
		uint64_t r = bench_rand(&w->seed);
		size_t k = (r >> 24) % SLOTS;
		void *mine = atomic_exchange(&w->mailbox[i % MAILBOX], NULL);

		free(mine);
		if (i % 16 == 0 && w->slot[k] != NULL) {
			void *old = atomic_exchange(&next->mailbox[i % MAILBOX],
						    w->slot[k]);
			free(old);
		} else {
			free(w->slot[k]);
		}
		w->slot[k] = malloc(request_size(r));
		w->slot[k][0] = 1;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	uint64_t steps = (uint64_t)(5e6 * bench_scale(argc, argv));
	double t0 = bench_now();

	for (int t = 0; t < THREADS; t++) {
		workers[t].seed = 1000 + (uint64_t)t;
		workers[t].steps = steps;
		pthread_create(&workers[t].thread, NULL, work, &workers[t]);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_join(workers[t].thread, NULL);
	bench_result(bench_now() - t0, (double)steps * THREADS);
	return 0;
}
