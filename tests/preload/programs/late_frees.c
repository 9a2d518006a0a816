/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frees that arrive when the process ends: threads still allocating and
 * freeing while exit runs, thread-specific data freed by key destructors,
 * an atexit handler, and (in late_frees_lib.c, finalised after the shim)
 * frees after the shim's destructor. Prints what late_frees_lib says;
 * exits 0 unless something broke.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHURNERS 4

int late_frees_blocks(void); /* late_frees_lib.c */

static pthread_key_t key;
static char *kept;

/* Runs until the process is gone. */
static void *churn(void *arg)
{
	size_t salt = (size_t)arg;

	for (size_t i = 0;; i++) {
		size_t len = 16 + (i * 7919 + salt) % 100000;
		char *p = malloc(len);

		if (p == NULL)
			continue;
		p[0] = p[len - 1] = 1;
		free(p);
	}
	return NULL;
}

static void *with_key(void *arg)
{
	(void)arg;
	pthread_setspecific(key, malloc(1000));
	return NULL;
}

static void free_kept(void)
{
	free(kept);
}

int main(void)
{
	pthread_t t;

	if (late_frees_blocks() != 64 || pthread_key_create(&key, free) != 0)
		return 2;
	kept = malloc(123456);
	atexit(free_kept);
	for (size_t i = 0; i < CHURNERS; i++) {
		if (pthread_create(&t, NULL, churn, (void *)i) != 0)
			return 2;
		pthread_detach(t);
	}
	for (int i = 0; i < 50; i++) {
		if (pthread_create(&t, NULL, with_key, NULL) != 0)
			return 2;
		pthread_join(t, NULL);
	}
	usleep(20000);
	return 0; /* exit with the churners still running */
}
