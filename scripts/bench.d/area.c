/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cost of the Linux area's mapping path against the system calls it
 * wraps: aml_area_mmap + touch + aml_area_munmap on an area bound to one
 * node, versus mmap + mbind + touch + munmap. Both run alternately, round
 * after round, and the medians are compared (target: ratio <= 1.05).
 *
 * usage: area [rounds]   (default 31)
 */
#define _GNU_SOURCE
#include <aml.h>
#include <aml/area/linux.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE ((size_t)4096)

struct size_case {
	const char *name;
	size_t size;
	int batch; /* operations per timed sample */
};

static const struct size_case cases[] = {
	{"4 KiB", (size_t)4 << 10, 2000},
	{"2 MiB", (size_t)2 << 20, 20},
	{"256 MiB", (size_t)256 << 20, 1},
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void touch(char *p, size_t size)
{
	for (size_t i = 0; i < size; i += PAGE)
		p[i] = 1;
}

static struct aml_area *area;
static unsigned long node_mask;

static double sample_aml(size_t size, int batch)
{
	double t0 = now();

	for (int i = 0; i < batch; i++) {
		char *p = aml_area_mmap(area, size, NULL);

		if (p == NULL) {
			aml_perror("aml_area_mmap");
			exit(1);
		}
		touch(p, size);
		if (aml_area_munmap(area, p, size) != AML_SUCCESS) {
			aml_perror("aml_area_munmap");
			exit(1);
		}
	}
	return (now() - t0) / batch;
}

static double sample_raw(size_t size, int batch)
{
	double t0 = now();

	for (int i = 0; i < batch; i++) {
		char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("mmap");
			exit(1);
		}
		/* A fresh mapping has no pages to move: flags 0, as the
		 * area binds it (MPOL_MF_MOVE would cost a drain of every
		 * CPU's LRU caches per call). */
		if (mbind(p, size, MPOL_BIND, &node_mask, 8 * sizeof(node_mask),
			  0) != 0) {
			perror("mbind");
			exit(1);
		}
		touch(p, size);
		munmap(p, size);
	}
	return (now() - t0) / batch;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double run_case(const struct size_case *c, int rounds)
{
	double *aml = calloc((size_t)rounds, sizeof(double));
	double *raw = calloc((size_t)rounds, sizeof(double));
	double ma, mr;

	/* Warm up both paths once. */
	sample_aml(c->size, 1);
	sample_raw(c->size, 1);
	for (int r = 0; r < rounds; r++) {
		/* Alternate which goes first so neither always runs warm. */
		if (r % 2) {
			aml[r] = sample_aml(c->size, c->batch);
			raw[r] = sample_raw(c->size, c->batch);
		} else {
			raw[r] = sample_raw(c->size, c->batch);
			aml[r] = sample_aml(c->size, c->batch);
		}
	}
	ma = median(aml, rounds);
	mr = median(raw, rounds);
	printf("%-8s  aml %12.2f us  raw %12.2f us  ratio %.3f\n", c->name,
	       ma * 1e6, mr * 1e6, ma / mr);
	free(aml);
	free(raw);
	return ma / mr;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 31;
	struct aml_bitmap mask;
	double worst = 0;

	if (rounds < 1)
		rounds = 1;
	aml_bitmap_zero(&mask);
	aml_bitmap_set(&mask, 0);
	node_mask = 1;
	if (aml_area_linux_create(&area, &mask, AML_AREA_LINUX_POLICY_BIND)) {
		aml_perror("aml_area_linux_create");
		return 1;
	}
	printf("Linux area (BIND to node 0) vs mmap+mbind, touch every page, "
	       "munmap; median of %d alternating rounds\n",
	       rounds);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		double ratio = run_case(&cases[i], rounds);

		if (ratio > worst)
			worst = ratio;
	}
	printf("worst ratio %.3f (target <= 1.05)\n", worst);
	aml_area_linux_destroy(&area);
	return 0;
}
