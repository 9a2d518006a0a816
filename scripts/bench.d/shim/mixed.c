/* SPDX-License-Identifier: BSD-3-Clause */
/* A long mixed load: 1024 slots; each step picks one and either
 * allocates into it (if empty), frees it, or reallocs it to a new size
 * (a third each, roughly); sizes log-uniform from 16 B to 1 MiB, the
 * first and last 64 bytes of each block written. 2 M operations; the
 * result counts them (report: operations per second). */
#include <string.h>

#include "bench.h"

#define SLOTS 1024

static size_t pick_size(uint64_t r)
{
	/* 2^4 .. 2^20, log-uniform, then uniform within the power of two */
	unsigned shift = 4 + (unsigned)(r % 17);
	size_t base = (size_t)1 << shift;

	return base + (r >> 8) % base;
}

static void touch(char *p, size_t len, uint64_t r)
{
	size_t n = len < 64 ? len : 64;

	memset(p, (int)r, n);
	memset(p + len - n, (int)r, n);
}

int main(int argc, char **argv)
{
	uint64_t steps = (uint64_t)(2e6 * bench_scale(argc, argv));
	uint64_t seed = 4242;
	static char *slot[SLOTS];
	static size_t len[SLOTS];
	double t0 = bench_now();

	for (uint64_t i = 0; i < steps; i++) {
		uint64_t r = bench_rand(&seed);
		size_t k = (r >> 40) % SLOTS;
		unsigned op = (unsigned)((r >> 32) % 3);

		if (slot[k] == NULL) {
			len[k] = pick_size(r) >> (r % 4 == 0 ? 0 : 6);
			if (len[k] == 0)
				len[k] = 8;
			slot[k] = malloc(len[k]);
			if (slot[k] == NULL)
				return 1;
			touch(slot[k], len[k], r);
		} else if (op == 0) {
			free(slot[k]);
			slot[k] = NULL;
		} else {
			size_t n = op == 1 ? len[k] + len[k] / 2 + 16
					   : pick_size(r) >> 2;
			char *p;

			if (n > ((size_t)1 << 20))
				n = (size_t)1 << 20;
			p = realloc(slot[k], n);
			if (p == NULL)
				return 1;
			slot[k] = p;
			len[k] = n;
			touch(p, n, r);
		}
	}
	for (int k = 0; k < SLOTS; k++)
		free(slot[k]);
	bench_result(bench_now() - t0, (double)steps);
	return 0;
}
