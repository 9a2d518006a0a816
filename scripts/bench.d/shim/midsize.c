/* SPDX-License-Identifier: BSD-3-Clause */
/* Many live mid-size objects: 6000 live objects of 1-64 KiB (about
 * 200 MiB), each written in full, one replaced at random per step
 * (1 M steps). */
#include <string.h>

#include "bench.h"

#define SLOTS 6000

int main(int argc, char **argv)
{
	static char *slot[SLOTS];
	uint64_t seed = 5, steps = (uint64_t)(1e6 * bench_scale(argc, argv));
	double t0 = bench_now();

	for (uint64_t i = 0; i < steps; i++) {
		uint64_t r = bench_rand(&seed);
		size_t k = r % SLOTS, len = 1024 + (r >> 24) % (63 * 1024);

		free(slot[k]);
		slot[k] = malloc(len);
		memset(slot[k], (int)i, len);
	}
	bench_result(bench_now() - t0, (double)steps);
	for (size_t k = 0; k < SLOTS; k++)
		free(slot[k]);
	return 0;
}
