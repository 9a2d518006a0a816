/* SPDX-License-Identifier: BSD-3-Clause */
/* Cross-thread frees: a producer allocates 64-byte blocks in batches of
 * 256 and hands each batch through a locked queue (at most 64 batches
 * waiting) to a consumer that frees them; 8 M blocks. No busy-waiting:
 * the waiting side sleeps on a condition variable, so the figure does not
 * depend on both threads having a core of their own. The result counts
 * frees (report: frees per second). */
#include <pthread.h>

#include "bench.h"

#define BATCH 256
#define QUEUE 64

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	void **batch[QUEUE];
	int head, count;
} q = {PTHREAD_MUTEX_INITIALIZER,
       PTHREAD_COND_INITIALIZER,
       PTHREAD_COND_INITIALIZER,
       {0},
       0,
       0};

static uint64_t batches;

static void *consume(void *arg)
{
	(void)arg;
	for (uint64_t n = 0; n < batches; n++) {
		void **b;

		pthread_mutex_lock(&q.lock);
		while (q.count == 0)
			pthread_cond_wait(&q.more, &q.lock);
		b = q.batch[q.head];
		q.head = (q.head + 1) % QUEUE;
		q.count--;
		pthread_cond_signal(&q.room);
		pthread_mutex_unlock(&q.lock);
		for (int i = 0; i < BATCH; i++)
			free(b[i]);
		free(b);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t consumer;
	double t0;

	batches = (uint64_t)(8e6 / BATCH * bench_scale(argc, argv));
	t0 = bench_now();
	pthread_create(&consumer, NULL, consume, NULL);
	for (uint64_t n = 0; n < batches; n++) {
		void **b = malloc(BATCH * sizeof(void *));

		if (b == NULL)
			return 1;
		for (int i = 0; i < BATCH; i++) {
			char *p = malloc(64);

			if (p == NULL)
				return 1;
			p[0] = (char)i;
			b[i] = p;
		}
		pthread_mutex_lock(&q.lock);
		while (q.count == QUEUE)
			pthread_cond_wait(&q.room, &q.lock);
		q.batch[(q.head + q.count) % QUEUE] = b;
		q.count++;
		pthread_cond_signal(&q.more);
		pthread_mutex_unlock(&q.lock);
	}
	pthread_join(consumer, NULL);
	bench_result(bench_now() - t0, (double)batches * BATCH);
	return 0;
}
