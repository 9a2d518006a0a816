/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the allocation patterns share: a small random generator, a clock,
 * and the one line each prints for scripts/bench.d/shim.py:
 *   result SECONDS OPS PEAK_KIB
 * (OPS: operations done, so that the runner can give a throughput;
 * PEAK_KIB: the process's peak resident set, VmHWM, read by the process
 * itself: the runner's wait4 figure starts from the forked runner's own
 * resident set, about 16 MiB of Python, which hides small programs').
 * usage of every pattern: PATTERN [SCALE]  (SCALE multiplies the work,
 * default 1.0; scripts/bench shim --quick passes 0.25).
 */
#ifndef AML_BENCH_SHIM_H
#define AML_BENCH_SHIM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint64_t bench_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double bench_scale(int argc, char **argv)
{
	return argc > 1 ? atof(argv[1]) : 1.0;
}

/* VmHWM of /proc/self/status in KiB; 0 if it cannot be read. */
static inline long bench_peak_kib(void)
{
	char line[256];
	long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			kib = atol(line + 6);
	fclose(f);
	return kib;
}

static inline void bench_result(double seconds, double ops)
{
	printf("result %.6f %.0f %ld\n", seconds, ops, bench_peak_kib());
}

#endif /* AML_BENCH_SHIM_H */
