/* SPDX-License-Identifier: BSD-3-Clause */
/* A tiny program: a few hundred small strings and one 64 KiB buffer, as
 * a short command-line tool allocates; its peak RSS is mostly what the
 * allocator itself costs at start-up. */
#include <string.h>

#include "bench.h"

int main(int argc, char **argv)
{
	int n = (int)(400 * bench_scale(argc, argv));
	char **words = malloc((size_t)n * sizeof(*words));
	char *buf = malloc(65536);
	double t0 = bench_now();
	long check = 0;

	if (words == NULL || buf == NULL)
		return 1;
	memset(buf, 'x', 65536);
	for (int i = 0; i < n; i++) {
		words[i] = malloc(16 + (size_t)(i % 48));
		if (words[i] == NULL)
			return 1;
		memcpy(words[i], buf, 16);
		check += words[i][i % 16];
	}
	for (int i = 0; i < n; i++)
		free(words[i]);
	free(words);
	free(buf);
	bench_result(bench_now() - t0, n);
	return check == 0;
}
