/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threads allocate and free without pause while the main thread forks:
 * children either exec a program or allocate and exit. Every child must
 * finish; a deadlock shows as the test's timeout.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4
#define FORKS 200

static atomic_int stop;

static void *churn(void *arg)
{
	void *slots[64] = {0};
	unsigned i = (unsigned)(size_t)arg;

	while (!atomic_load(&stop)) {
		unsigned k = (i * 2654435761u) % 64;

		free(slots[k]);
		slots[k] = malloc(16 + (i % 70000));
		if (slots[k] != NULL)
			memset(slots[k], 1, 16);
		i++;
	}
	for (int k = 0; k < 64; k++)
		free(slots[k]);
	return NULL;
}

int main(void)
{
	pthread_t threads[THREADS];
	int bad = 0;

	for (int t = 0; t < THREADS; t++)
		pthread_create(&threads[t], NULL, churn, (void *)(size_t)t);
	for (int f = 0; f < FORKS; f++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			if (f % 2 == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			for (int i = 0; i < 1000; i++)
				free(malloc(16 + i * 64));
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	}
	atomic_store(&stop, 1);
	for (int t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	printf("%d of %d children failed\n", bad, FORKS);
	return bad != 0;
}
