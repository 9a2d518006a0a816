/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * scripts/bench cuda-copy: host <-> device copy bandwidth through areas.
 *
 * For each size, four ways to get the two buffers, each then copied with
 * cudaMemcpy host->device and device->host:
 *   raw pageable   malloc                      + cudaMalloc
 *   area pageable  aml_area_linux (static)     + aml_area_cuda (static)
 *   raw pinned     cudaHostAlloc               + cudaMalloc
 *   area pinned    a CUDA area, ALLOC_HOST     + aml_area_cuda
 * The four run alternately, round after round; the medians are printed in
 * GB/s with the ratio area / raw (target: >= 0.95, the same copies) and
 * the gain of pinned over pageable memory.
 *
 * Without a CUDA device it says so and exits 77 (the usual "skipped").
 *
 * usage: cuda-copy [rounds]      (default 15)
 */
#define _POSIX_C_SOURCE 200809L
#include <cuda_runtime_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aml.h"
#include "aml/area/cuda.h"
#include "aml/area/linux.h"

#define MAX_ROUNDS 101

enum way { RAW_PAGEABLE, AREA_PAGEABLE, RAW_PINNED, AREA_PINNED, WAYS };

static const char *const way_name[WAYS] = {"raw pageable", "area pageable",
					   "raw pinned", "area pinned"};

static struct aml_area *pinned_area;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void check(cudaError_t err, const char *what)
{
	if (err != cudaSuccess) {
		fprintf(stderr, "cuda-copy: %s: %s\n", what,
			cudaGetErrorString(err));
		exit(1);
	}
}

static void *host_alloc(enum way w, size_t size)
{
	void *p = NULL;

	switch (w) {
	case RAW_PAGEABLE:
		p = malloc(size);
		break;
	case AREA_PAGEABLE:
		p = aml_area_mmap(&aml_area_linux, size, NULL);
		break;
	case RAW_PINNED:
		check(cudaHostAlloc(&p, size, cudaHostAllocDefault),
		      "cudaHostAlloc");
		break;
	default:
		p = aml_area_mmap(pinned_area, size, NULL);
		break;
	}
	if (p == NULL) {
		fprintf(stderr, "cuda-copy: %s: no host buffer of %zu bytes\n",
			way_name[w], size);
		exit(1);
	}
	memset(p, 0x5a, size); /* pageable pages must exist before copying */
	return p;
}

static void host_free(enum way w, void *p, size_t size)
{
	switch (w) {
	case RAW_PAGEABLE:
		free(p);
		break;
	case AREA_PAGEABLE:
		aml_area_munmap(&aml_area_linux, p, size);
		break;
	case RAW_PINNED:
		cudaFreeHost(p);
		break;
	default:
		aml_area_munmap(pinned_area, p, size);
		break;
	}
}

static void *device_alloc(enum way w, size_t size)
{
	void *d = NULL;

	if (w == RAW_PAGEABLE || w == RAW_PINNED)
		check(cudaMalloc(&d, size), "cudaMalloc");
	else
		d = aml_area_mmap(&aml_area_cuda, size, NULL);
	if (d == NULL) {
		fprintf(stderr, "cuda-copy: %s: no device buffer: %s\n",
			way_name[w], aml_strerror(aml_errno));
		exit(1);
	}
	return d;
}

static void device_free(enum way w, void *d, size_t size)
{
	if (w == RAW_PAGEABLE || w == RAW_PINNED)
		cudaFree(d);
	else
		aml_area_munmap(&aml_area_cuda, d, size);
}

/* Seconds per copy, each direction, of one round (a few copies each). */
static void one_round(enum way w, size_t size, double *h2d, double *d2h)
{
	void *h = host_alloc(w, size);
	void *d = device_alloc(w, size);
	int reps = size < (1 << 20) ? 64 : size < (64 << 20) ? 8 : 2;
	double t0;

	/* One untimed copy each way: first-touch costs are not bandwidth. */
	check(cudaMemcpy(d, h, size, cudaMemcpyHostToDevice), "warm-up");
	check(cudaMemcpy(h, d, size, cudaMemcpyDeviceToHost), "warm-up");
	t0 = now_s();
	for (int i = 0; i < reps; i++)
		check(cudaMemcpy(d, h, size, cudaMemcpyHostToDevice), "H2D");
	*h2d = (now_s() - t0) / reps;
	t0 = now_s();
	for (int i = 0; i < reps; i++)
		check(cudaMemcpy(h, d, size, cudaMemcpyDeviceToHost), "D2H");
	*d2h = (now_s() - t0) / reps;
	device_free(w, d, size);
	host_free(w, h, size);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {4 << 10, 1 << 20, 64 << 20, 256 << 20};
	static double h2d[WAYS][MAX_ROUNDS], d2h[WAYS][MAX_ROUNDS];
	int rounds = argc > 1 ? atoi(argv[1]) : 15;
	int count = 0;

	if (rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: cuda-copy [rounds 1-%d]\n", MAX_ROUNDS);
		return 2;
	}
	if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
		printf("cuda-copy: no CUDA device (cudaGetDeviceCount): "
		       "skipped\n");
		return 77;
	}
	if (aml_init(&argc, &argv) != AML_SUCCESS ||
	    aml_area_cuda_create(&pinned_area, -1,
				 AML_AREA_CUDA_FLAG_ALLOC_HOST) !=
		    AML_SUCCESS) {
		fprintf(stderr, "cuda-copy: no pinned host area: %s\n",
			aml_strerror(aml_errno));
		return 1;
	}
	printf("host<->device cudaMemcpy bandwidth, GB/s, median of %d "
	       "alternating rounds (device 0 of %d)\n",
	       rounds, count);
	printf("%-8s %-4s %13s %13s %6s %13s %13s %6s %13s\n", "size", "dir",
	       way_name[0], way_name[1], "ratio", way_name[2], way_name[3],
	       "ratio", "pinned gain");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); s++) {
		double gbs[2][WAYS];

		for (int r = 0; r < rounds; r++)
			for (int w = 0; w < WAYS; w++)
				one_round((enum way)w, sizes[s], &h2d[w][r],
					  &d2h[w][r]);
		for (int w = 0; w < WAYS; w++) {
			gbs[0][w] =
				(double)sizes[s] / median(h2d[w], rounds) / 1e9;
			gbs[1][w] =
				(double)sizes[s] / median(d2h[w], rounds) / 1e9;
		}
		for (int dir = 0; dir < 2; dir++) {
			const double *g = gbs[dir];

			printf("%-8zu %-4s %13.2f %13.2f %6.3f %13.2f %13.2f "
			       "%6.3f %12.2fx\n",
			       sizes[s], dir ? "D2H" : "H2D", g[RAW_PAGEABLE],
			       g[AREA_PAGEABLE],
			       g[AREA_PAGEABLE] / g[RAW_PAGEABLE],
			       g[RAW_PINNED], g[AREA_PINNED],
			       g[AREA_PINNED] / g[RAW_PINNED],
			       g[AREA_PINNED] / g[AREA_PAGEABLE]);
		}
	}
	aml_area_cuda_destroy(&pinned_area);
	aml_finalize();
	return 0;
}
