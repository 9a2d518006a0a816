/* SPDX-License-Identifier: BSD-3-Clause */
/* Single-thread small-object churn: a table of 1000 live objects of
 * 16-512 B, one replaced at random per step (20 M steps). */
#include <string.h>

#include "bench.h"

#define SLOTS 1000

int main(int argc, char **argv)
{
	static char *slot[SLOTS];
	uint64_t seed = 42, steps = (uint64_t)(20e6 * bench_scale(argc, argv));
	double t0 = bench_now();

	for (uint64_t i = 0; i < steps; i++) {
		uint64_t r = bench_rand(&seed);
		size_t k = r % SLOTS, len = 16 + (r >> 20) % 497;

		free(slot[k]);
		slot[k] = malloc(len);
		slot[k][0] = (char)i;
	}
	bench_result(bench_now() - t0, (double)steps);
	for (size_t k = 0; k < SLOTS; k++)
		free(slot[k]);
	return 0;
}
