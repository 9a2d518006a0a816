/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frees at the very end of the process, after the shim wrote its report:
 * atexit handlers, pthread key destructors and C++ thread_local objects of
 * threads that exit while the process exits, a static object's destructor,
 * and detached threads still allocating when exit() runs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

static pthread_key_t key;
static std::atomic<int> started{0};

struct holder {
	std::vector<std::string> strings;
	std::unique_ptr<char[]> block;

	holder() : block(new char[100000])
	{
		for (int i = 0; i < 200; i++)
			strings.push_back(std::string(20 + i, 'a' + i % 26));
		memset(block.get(), 7, 100000);
	}
	~holder()
	{
		for (size_t i = 0; i < 200; i++)
			if (strings[i].size() != 20 + i)
				abort();
		if (block[99999] != 7)
			abort();
	}
};

static thread_local holder per_thread;
static holder process_wide;
static char *freed_at_exit[64];

static void key_free(void *p)
{
	free(p);
}

static void exit_frees(void)
{
	for (int i = 0; i < 64; i++)
		free(freed_at_exit[i]);
}

/* Churns until the process dies under it. */
static void *churn(void *)
{
	void *p = malloc(64);

	pthread_setspecific(key, p);
	per_thread.strings.push_back("x");
	per_thread.strings.pop_back();
	started++;
	for (unsigned i = 0;; i++) {
		std::string s(16 + i % 5000, 'z');
		char *q = static_cast<char *>(malloc(32 + i % 70000));

		if (!q)
			abort();
		q[0] = s[0];
		free(q);
	}
	return nullptr;
}

/* Exits by itself: key destructor and thread_local run on its way out. */
static void *short_lived(void *)
{
	pthread_setspecific(key, malloc(1000));
	per_thread.strings.push_back(std::string(5000, 'q'));
	return nullptr;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t;

	alarm(60);
	pthread_key_create(&key, key_free);
	atexit(exit_frees);
	for (int i = 0; i < 64; i++)
		freed_at_exit[i] = static_cast<char *>(malloc(16 << (i % 14)));
	pthread_setspecific(key, malloc(333));
	per_thread.strings.push_back("main");
	for (int i = 0; i < threads; i++) {
		pthread_create(&t, nullptr, short_lived, nullptr);
		pthread_detach(t);
		pthread_create(&t, nullptr, churn, nullptr);
		pthread_detach(t);
	}
	while (started < threads)
		sched_yield();
	printf("late frees: %zu strings at exit\n",
	       process_wide.strings.size());
	fflush(stdout);
	return 0;
}
