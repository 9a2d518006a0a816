/* SPDX-License-Identifier: BSD-3-Clause */
/* Zero-initialised large buffers from calloc: 20 live buffers, one
 * replaced per step by a new one of random size 5-25 MiB (2000 steps);
 * the new one is allocated before the old one is freed, as a C++
 * assignment of a new buffer does. Only one byte of each is read: a
 * calloc that knows its pages are fresh need not touch them (the C++
 * version, bigbuf.cpp, writes every byte with its value-initialisation). */
#include "bench.h"

#define LIVE 20

int main(int argc, char **argv)
{
	int steps = (int)(2000 * bench_scale(argc, argv));
	uint64_t seed = 99;
	char *live[LIVE] = {0};
	long check = 0;
	double t0 = bench_now();

	for (int i = 0; i < steps; i++) {
		uint64_t r = bench_rand(&seed);
		size_t len = ((size_t)5 << 20) + r % ((size_t)20 << 20);
		char *p = calloc(len, 1);

		if (p == NULL)
			return 1;
		check += p[len / 2] + p[r % len];
		free(live[r % LIVE]);
		live[r % LIVE] = p;
	}
	for (int i = 0; i < LIVE; i++)
		free(live[i]);
	bench_result(bench_now() - t0, steps);
	return check != 0;
}
