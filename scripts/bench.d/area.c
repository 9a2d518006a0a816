/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cost of the Linux area's mapping path against the system calls it
 * wraps: aml_area_mmap + touch + aml_area_munmap on an area bound to one
 * node, versus mmap + mbind + touch + munmap. Both run alternately, round
 * after round, and the medians are compared (target: ratio <= 1.05).
 *
 * usage: area [rounds]   (default 31)
 *
 * area weighted [rounds] [NODE:WEIGHT,...] [MAX_MIB]
 *   (default 11 rounds, 0:3,1:1, sizes up to 1024 MiB)
 *   the weighted-interleave area against an area bound to the first node
 *   and a plain interleave area over the same nodes: map + touch + unmap,
 *   4 KiB to 1 GiB (the sizes the first node can hold), medians of
 *   alternating rounds, ratio to interleave (target <= 1.05); and the
 *   kernel VMAs a 1 GiB mapping makes. Needs the nodes (scripts/numa-vm).
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
static int weighted_main(int argc, char **argv);

/* One sample of area a: map, touch, unmap `batch` times; seconds each. */
static double sample_area(struct aml_area *a, size_t size, int batch)
{
	double t0 = now();

	for (int i = 0; i < batch; i++) {
		char *p = aml_area_mmap(a, size, NULL);

		if (p == NULL) {
			aml_perror("aml_area_mmap");
			exit(1);
		}
		touch(p, size);
		if (aml_area_munmap(a, p, size) != AML_SUCCESS) {
			aml_perror("aml_area_munmap");
			exit(1);
		}
	}
	return (now() - t0) / batch;
}

static double sample_aml(size_t size, int batch)
{
	return sample_area(area, size, batch);
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

	if (argc > 1 && strcmp(argv[1], "weighted") == 0)
		return weighted_main(argc - 1, argv + 1);
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

/* ---- weighted interleave against bind and interleave ------------------ */

#define MAX_W 8

static struct aml_area *w_areas[3]; /* weighted, bound, interleave */

/* Lines of /proc/self/maps overlapping [p, p + size). */
static size_t vmas_in(const char *p, size_t size)
{
	unsigned long lo, hi, a = (unsigned long)p, b = a + size;
	char line[512];
	size_t n = 0;
	FILE *maps = fopen("/proc/self/maps", "r");

	if (maps == NULL)
		return 0;
	while (fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo < b && hi > a)
			n++;
	fclose(maps);
	return n;
}

/* VMAs of a 1 GiB weighted mapping with smallest stripe `stripe` (0:
 * automatic); the stripe it got into *got. */
static size_t vmas_of_a_gib(size_t stripe, size_t *got)
{
	const struct aml_area_linux_weights *w =
		((struct aml_area_linux_data *)w_areas[0]->data)->weights;
	size_t gib = (size_t)1 << 30, n;
	char *p;

	aml_area_linux_weighted_set_stripe(w_areas[0], stripe, 0);
	*got = aml_area_linux_weights_stripe_for(w, gib);
	p = aml_area_mmap(w_areas[0], gib, NULL);
	if (p == NULL) {
		aml_perror("aml_area_mmap");
		exit(1);
	}
	n = vmas_in(p, gib);
	aml_area_munmap(w_areas[0], p, gib);
	aml_area_linux_weighted_set_stripe(w_areas[0], 0, 0);
	return n;
}

static int parse_weights(const char *s, int *nodes, unsigned int *weights)
{
	int n = 0, used;

	while (n < MAX_W &&
	       sscanf(s, "%d:%u%n", &nodes[n], &weights[n], &used) == 2) {
		n++;
		s += used;
		if (*s != ',')
			break;
		s++;
	}
	return n;
}

static int weighted_main(int argc, char **argv)
{
	static const struct size_case sizes[] = {
		{"4 KiB", (size_t)4 << 10, 1000},
		{"2 MiB", (size_t)2 << 20, 20},
		{"64 MiB", (size_t)64 << 20, 2},
		{"256 MiB", (size_t)256 << 20, 1},
		{"1 GiB", (size_t)1 << 30, 1},
	};
	int rounds = argc > 1 ? atoi(argv[1]) : 11, nodes[MAX_W], n;
	size_t max_size = (size_t)(argc > 3 ? atoi(argv[3]) : 1024) << 20;
	unsigned int weights[MAX_W];
	struct aml_bitmap first, all;
	const struct aml_area_linux_weights *w;
	double worst = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	n = parse_weights(argc > 2 ? argv[2] : "0:3,1:1", nodes, weights);
	if (rounds < 1 || n < 2) {
		fprintf(stderr, "usage: area weighted [rounds] N:W,N:W,...\n");
		return 2;
	}
	aml_bitmap_zero(&first);
	aml_bitmap_zero(&all);
	aml_bitmap_set(&first, (unsigned int)nodes[0]);
	for (int i = 0; i < n; i++)
		aml_bitmap_set(&all, (unsigned int)nodes[i]);
	if (aml_area_linux_weighted_create(&w_areas[0], nodes, weights,
					   (size_t)n) ||
	    aml_area_linux_create(&w_areas[1], &first,
				  AML_AREA_LINUX_POLICY_BIND) ||
	    aml_area_linux_create(&w_areas[2], &all,
				  AML_AREA_LINUX_POLICY_INTERLEAVE)) {
		aml_perror("creating the areas");
		return 1;
	}
	w = ((struct aml_area_linux_data *)w_areas[0]->data)->weights;
	printf("weighted (%s engine, THP always: %s) vs bound to node %d vs "
	       "interleave; map + touch + unmap, median of %d alternating "
	       "rounds\n",
	       w->engine == AML_AREA_LINUX_WEIGHTED_KERNEL ? "kernel"
							   : "stripes",
	       w->thp ? "yes" : "no", nodes[0], rounds);
	printf("%-8s %8s %12s %12s %12s %7s\n", "size", "stripe", "weighted us",
	       "bound us", "interl. us", "w/i");
	for (size_t c = 0; c < sizeof(sizes) / sizeof(*sizes); c++) {
		double t[3][64], m[3];
		long long need = (long long)sizes[c].size;

		if (sizes[c].size > max_size)
			continue;
		/* The bound area puts everything on the first node. */
		if (numa_node_size64(nodes[0], NULL) < need + (need >> 2)) {
			printf("%-8s does not fit node %d: skipped\n",
			       sizes[c].name, nodes[0]);
			continue;
		}
		for (int a = 0; a < 3; a++)
			sample_area(w_areas[a], sizes[c].size, 1);
		for (int r = 0; r < rounds && r < 64; r++)
			for (int k = 0; k < 3; k++) {
				int a = (k + r) % 3;

				t[a][r] = sample_area(w_areas[a], sizes[c].size,
						      sizes[c].batch);
			}
		for (int a = 0; a < 3; a++)
			m[a] = median(t[a], rounds < 64 ? rounds : 64);
		printf("%-8s %7zuK %12.1f %12.1f %12.1f %7.3f\n", sizes[c].name,
		       aml_area_linux_weights_stripe_for(w, sizes[c].size) >>
			       10,
		       m[0] * 1e6, m[1] * 1e6, m[2] * 1e6, m[0] / m[2]);
		if (m[0] / m[2] > worst)
			worst = m[0] / m[2];
	}
	printf("worst weighted/interleave %.3f (target <= 1.05)\n", worst);
	for (size_t smallest = 0; smallest <= 4096; smallest += 4096) {
		size_t got, vmas = vmas_of_a_gib(smallest, &got);

		printf("VMAs of a 1 GiB weighted mapping, %s stripe: %zu "
		       "(stripe %zu KiB; budget %zu)\n",
		       smallest ? "smallest 4 KiB" : "automatic", vmas,
		       got >> 10, w->max_vmas);
	}
	for (int a = 0; a < 3; a++)
		aml_area_linux_destroy(&w_areas[a]);
	return 0;
}
