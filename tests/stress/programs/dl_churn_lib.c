/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A library that allocates in its constructor, frees in its destructor,
 * and allocates from threads of its own (blocks freed by other threads).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define HELD 64
#define THREADS 4

static char *held[HELD];
static char *handoff[THREADS][32];

__attribute__((constructor)) static void dl_churn_start(void)
{
	for (int i = 0; i < HELD; i++) {
		held[i] = malloc((size_t)(16 << (i % 12)));
		if (held[i])
			memset(held[i], i, (size_t)(16 << (i % 12)));
	}
}

__attribute__((destructor)) static void dl_churn_end(void)
{
	for (int i = 0; i < HELD; i++) {
		free(held[i]);
		held[i] = NULL;
	}
}

/* Allocate for the next thread and free what the previous one left. */
static void *dl_churn_thread(void *arg)
{
	long t = (long)arg;
	long sum = 0;

	for (int i = 0; i < 32; i++) {
		handoff[t][i] = malloc((size_t)(24 + i * 700));
		if (!handoff[t][i])
			return (void *)-1L;
		memset(handoff[t][i], (int)t, (size_t)(24 + i * 700));
	}
	for (int i = 0; i < 32; i++)
		sum += (unsigned char)handoff[t][i][i];
	return (void *)sum;
}

/* The number of bytes found intact in the constructor's blocks and the
 * threads' blocks; -1 on a failed allocation. */
long dl_churn_work(void)
{
	pthread_t threads[THREADS];
	long total = 0;
	void *ret;

	for (long t = 0; t < THREADS; t++)
		if (pthread_create(&threads[t], NULL, dl_churn_thread,
				   (void *)t) != 0)
			return -1;
	for (long t = 0; t < THREADS; t++) {
		pthread_join(threads[t], &ret);
		if ((long)ret != 32 * t)
			return -1;
	}
	/* Free each thread's blocks here, on another thread. */
	for (int t = 0; t < THREADS; t++)
		for (int i = 0; i < 32; i++) {
			free(handoff[t][i]);
			handoff[t][i] = NULL;
		}
	for (int i = 0; i < HELD; i++) {
		if (!held[i] || held[i][15] != (char)i)
			return -1;
		total += 16 << (i % 12);
	}
	return total;
}
