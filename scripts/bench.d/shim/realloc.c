/* SPDX-License-Identifier: BSD-3-Clause */
/* Realloc growth: 64 buffers grown side by side, 64 B at a time, up to
 * 1 MiB each (like strings and vectors built by appending); then freed;
 * 4 rounds. */
#include <string.h>

#include "bench.h"

#define BUFFERS 64
#define STEP 64

int main(int argc, char **argv)
{
	size_t max = (size_t)((1 << 20) * bench_scale(argc, argv));
	double t0 = bench_now(), ops = 0;

	for (int round = 0; round < 4; round++) {
		char *buf[BUFFERS] = {0};

		for (size_t len = STEP; len <= max; len += STEP) {
			for (int b = 0; b < BUFFERS; b++) {
				buf[b] = realloc(buf[b], len);
				memset(buf[b] + len - STEP, b, STEP);
				ops++;
			}
		}
		for (int b = 0; b < BUFFERS; b++)
			free(buf[b]);
	}
	bench_result(bench_now() - t0, ops);
	return 0;
}
