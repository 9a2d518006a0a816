/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Producers allocate blocks and fill them with a pattern, consumers on
 * other threads check the pattern and free them, while other threads fork
 * and exec /bin/true, or fork and allocate in the child. Exits 0 only if
 * every block arrived intact and every child exited 0.
 *
 * usage: xthread_fork PAIRS BLOCKS_PER_PRODUCER FORKERS FORKS_PER_FORKER
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define QUEUE_LEN 64

struct block {
	size_t size;
	uint64_t seed;
	unsigned char data[];
};

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct block *slot[QUEUE_LEN];
	unsigned head, tail;
	int done;
};

static long blocks_per_producer, forks_per_forker;
static long transferred, corrupt, children_failed;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned char pattern(uint64_t seed, size_t i)
{
	return (unsigned char)((seed * 2654435761u) >> (i % 29) ^ i);
}

/* Mostly small blocks, some past the thread cache, a few large. */
static size_t block_size(uint64_t r)
{
	switch (r % 16) {
	case 0:
		return 1 << 20 | (r & 0xffff);
	case 1:
	case 2:
		return 32768 + (r & 0x3ffff);
	default:
		return 8 + (r & 0x7ff);
	}
}

static void queue_push(struct queue *q, struct block *b)
{
	pthread_mutex_lock(&q->lock);
	while (q->tail - q->head == QUEUE_LEN)
		pthread_cond_wait(&q->changed, &q->lock);
	q->slot[q->tail++ % QUEUE_LEN] = b;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

static struct block *queue_pop(struct queue *q)
{
	struct block *b = NULL;

	pthread_mutex_lock(&q->lock);
	while (q->tail == q->head && !q->done)
		pthread_cond_wait(&q->changed, &q->lock);
	if (q->tail != q->head)
		b = q->slot[q->head++ % QUEUE_LEN];
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	return b;
}

static void *producer(void *arg)
{
	struct queue *q = arg;
	uint64_t r = (uint64_t)(uintptr_t)arg;

	for (long i = 0; i < blocks_per_producer; i++) {
		struct block *b;
		size_t size;

		r = r * 6364136223846793005u + 1442695040888963407u;
		size = block_size(r >> 20);
		b = malloc(sizeof(*b) + size);
		if (!b) {
			perror("malloc");
			exit(2);
		}
		b->size = size;
		b->seed = r;
		for (size_t k = 0; k < size; k++)
			b->data[k] = pattern(r, k);
		queue_push(q, b);
	}
	pthread_mutex_lock(&q->lock);
	q->done = 1;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void *consumer(void *arg)
{
	struct queue *q = arg;
	struct block *b;
	long got = 0, bad = 0;

	while ((b = queue_pop(q)) != NULL) {
		for (size_t k = 0; k < b->size; k++)
			if (b->data[k] != pattern(b->seed, k)) {
				bad++;
				break;
			}
		free(b);
		got++;
	}
	pthread_mutex_lock(&count_lock);
	transferred += got;
	corrupt += bad;
	pthread_mutex_unlock(&count_lock);
	return NULL;
}

/* Half the children exec /bin/true, half allocate and exit. */
static int child_run(long i)
{
	char *argv[] = {"/bin/true", NULL};

	if (i % 2 == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	for (int k = 0; k < 100; k++) {
		char *p = malloc(64 + k * 1000);

		if (!p)
			_exit(3);
		memset(p, k, 64 + k * 1000);
		free(p);
	}
	_exit(0);
}

static void *forker(void *arg)
{
	long failed = 0;

	(void)arg;
	for (long i = 0; i < forks_per_forker; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0)
			child_run(i);
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	pthread_mutex_lock(&count_lock);
	children_failed += failed;
	pthread_mutex_unlock(&count_lock);
	return NULL;
}

int main(int argc, char **argv)
{
	long pairs, forkers;
	pthread_t *threads;
	struct queue *queues;
	long n = 0;

	if (argc != 5)
		return 2;
	pairs = atol(argv[1]);
	blocks_per_producer = atol(argv[2]);
	forkers = atol(argv[3]);
	forks_per_forker = atol(argv[4]);
	alarm(300); /* a deadlock ends as SIGALRM, not as a hung test */

	threads = calloc((size_t)(2 * pairs + forkers), sizeof(*threads));
	queues = calloc((size_t)pairs, sizeof(*queues));
	for (long i = 0; i < pairs; i++) {
		pthread_mutex_init(&queues[i].lock, NULL);
		pthread_cond_init(&queues[i].changed, NULL);
		pthread_create(&threads[n++], NULL, producer, &queues[i]);
		pthread_create(&threads[n++], NULL, consumer, &queues[i]);
	}
	for (long i = 0; i < forkers; i++)
		pthread_create(&threads[n++], NULL, forker, NULL);
	for (long i = 0; i < n; i++)
		pthread_join(threads[i], NULL);

	printf("%ld blocks crossed threads, %ld corrupt; %ld forks, %ld "
	       "failed\n",
	       transferred, corrupt, forkers * forks_per_forker,
	       children_failed);
	free(threads);
	free(queues);
	return transferred == pairs * blocks_per_producer && corrupt == 0 &&
			       children_failed == 0
		       ? 0
		       : 1;
}
