// SPDX-License-Identifier: BSD-3-Clause
// Large temporary buffers: 20 live zero-filled buffers of 5-25 MiB
// (std::make_unique<char[]>), one replaced at random per step, 2000 steps;
// with an argument "2m" every buffer is 2 MiB (and 40000 steps).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "bench.h"

int main(int argc, char **argv)
{
	bool fixed = argc > 2 && std::strcmp(argv[2], "2m") == 0;
	double scale = bench_scale(argc, argv);
	uint64_t seed = 99;
	int steps = static_cast<int>((fixed ? 40000 : 2000) * scale);
	std::unique_ptr<char[]> live[20];
	double t0 = bench_now();
	long check = 0;

	for (int i = 0; i < steps; i++) {
		uint64_t r = bench_rand(&seed);
		size_t len = fixed ? (size_t)2 << 20
				   : ((size_t)5 << 20) + r % ((size_t)20 << 20);

		live[r % 20] = std::make_unique<char[]>(len);
		check += live[r % 20][len / 2];
	}
	bench_result(bench_now() - t0, steps);
	return check != 0;
}
