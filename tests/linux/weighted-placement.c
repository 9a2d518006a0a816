/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the pages of weighted areas land (suite 'numa', inside
 * scripts/numa-vm: nodes 0-2 with CPUs, node 3 memory-only, 1 GiB each).
 * Pages are counted node by node with move_pages; the split must be exact
 * to within one stripe per node, every period of stripes must hold each
 * node's share (a sweep draws on every node throughout), and one mapping
 * must stay within its VMA budget (lines of /proc/self/maps).
 *
 * With AML_TEST_HMAT set to the --hmat figures the VM was started with
 * ('bw=B0,B1,B2,B3;...'), weights from the machine must follow them.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "area/linux-weighted.h"
#include "numa-test.h"

#define PAGE NUMA_TEST_PAGE
#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)
#define GiB ((size_t)1 << 30)
#define MAX_NODES 64

struct ratio {
	int count;
	int nodes[3];
	unsigned int weights[3];
};

static const struct ratio one_one = {2, {0, 1}, {1, 1}};
static const struct ratio three_one = {2, {0, 3}, {3, 1}};
static const struct ratio eight_two = {2, {0, 1}, {8, 2}};
static const struct ratio three_two_one = {3, {0, 1, 2}, {3, 2, 1}};

static const struct aml_area_linux_weights *weights_of(struct aml_area *a)
{
	return ((struct aml_area_linux_data *)a->data)->weights;
}

/* Lines of /proc/self/maps that overlap [p, p + size). */
static size_t vmas_in(const char *p, size_t size)
{
	unsigned long lo, hi, a = (unsigned long)p, b = a + size;
	char line[512];
	size_t n = 0;
	FILE *maps = fopen("/proc/self/maps", "r");

	cr_assert_not_null(maps);
	while (fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo < b && hi > a)
			n++;
	fclose(maps);
	return n;
}

/* |have - want| <= tolerance, all in bytes; want = total * w / sum. */
static void assert_share(const struct ratio *r, int i, size_t have,
			 size_t total, size_t tolerance, const char *what)
{
	unsigned long sum = 0;
	long double want;

	for (int k = 0; k < r->count; k++)
		sum += r->weights[k];
	want = (long double)total * r->weights[i] / sum;
	cr_assert((long double)have <= want + tolerance &&
			  (long double)have + tolerance >= want,
		  "%s: node %d holds %zu bytes of %zu, want %.0Lf +- %zu", what,
		  r->nodes[i], have, total, want, tolerance);
}

/*
 * Map `size` bytes over `r` with smallest stripe `stripe`, touch every
 * page, and check the split, the periods, the VMAs and the binding.
 */
static void place(const struct ratio *r, size_t size, size_t stripe)
{
	size_t counts[MAX_NODES], window[MAX_NODES], s, period_bytes;
	struct aml_area *area;
	const struct aml_area_linux_weights *w;
	char what[96];
	char *p;

	snprintf(what, sizeof(what), "%d nodes, %zu bytes, stripe %zu",
		 r->count, size, stripe);
	cr_assert_eq(aml_area_linux_weighted_create(&area, r->nodes, r->weights,
						    (size_t)r->count),
		     0);
	cr_assert_eq(aml_area_linux_weighted_set_stripe(area, stripe, 0), 0);
	w = weights_of(area);
	cr_assert_eq(w->engine, AML_AREA_LINUX_WEIGHTED_STRIPES,
		     "the 6.1 kernel has no MPOL_WEIGHTED_INTERLEAVE");
	s = aml_area_linux_weights_stripe_for(w, size);
	cr_assert_geq(s, stripe);
	p = numa_test_map_touched(area, size);

	numa_test_count_pages(p, size, counts, MAX_NODES);
	for (int i = 0; i < r->count; i++)
		assert_share(r, i, counts[r->nodes[i]] * PAGE, size, s, what);
	for (int n = 0, i; n < numa_test_nodes(); n++) {
		for (i = 0; i < r->count && r->nodes[i] != n; i++)
			;
		if (i == r->count)
			cr_assert_eq(counts[n], 0, "%s: node %d is not asked",
				     what, n);
	}
	/* Each whole period of stripes holds each node's exact share. */
	period_bytes = w->period * s;
	for (size_t off = 0; off + period_bytes <= size; off += period_bytes) {
		numa_test_count_pages(p + off, period_bytes, window, MAX_NODES);
		for (int i = 0; i < r->count; i++)
			cr_assert_eq(window[r->nodes[i]] * PAGE,
				     w->reduced[i] * s,
				     "%s: period at %zu, node %d", what, off,
				     r->nodes[i]);
	}
	cr_assert_leq(vmas_in(p, size), w->max_vmas, "%s: VMAs", what);
	cr_assert_eq(aml_area_linux_check_binding(
			     (struct aml_area_linux_data *)area->data, p, size),
		     1, "%s: check_binding", what);
	cr_assert_eq(aml_area_munmap(area, p, size), 0);
	aml_area_linux_destroy(&area);
}

static void place_sizes(const struct ratio *r)
{
	const size_t sizes[] = {PAGE, 7 * PAGE, MiB + 3 * PAGE, 64 * MiB};
	const size_t stripes[] = {4 * KiB, 64 * KiB, 2 * MiB};

	numa_test_need_nodes(4);
	for (int s = 0; s < 3; s++)
		for (int z = 0; z < 4; z++)
			place(r, sizes[z], stripes[s]);
}

Test(weighted_placement, ratio_1_1_over_2_nodes)
{
	place_sizes(&one_one);
}

Test(weighted_placement, ratio_3_1_with_the_memory_only_node)
{
	place_sizes(&three_one);
}

Test(weighted_placement, ratio_8_2_over_2_nodes)
{
	place_sizes(&eight_two);
}

Test(weighted_placement, ratio_3_2_1_over_3_nodes)
{
	place_sizes(&three_two_one);
}

/* 1 GiB does not fit a 1 GiB node: 512 MiB per node at most here. */
Test(weighted_placement, large_mappings_stay_within_the_vma_budget)
{
	const struct ratio one_one_far = {2, {1, 2}, {1, 1}};
	const struct ratio three_two_one_far = {3, {1, 2, 0}, {3, 2, 1}};

	numa_test_need_nodes(4);
	place(&one_one_far, GiB, 4 * KiB);
	place(&three_two_one_far, 768 * MiB, 4 * KiB);
	place(&eight_two, 512 * MiB, 64 * KiB);
	place(&three_one, 256 * MiB + 5 * PAGE, 2 * MiB);
}

/* ---- the engine: the 6.1 kernel refuses mode 6 ----------------------- */

static int kernel_takes_weighted_interleave(void)
{
	unsigned long mask = 3;
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ok;

	cr_assert_neq(p, MAP_FAILED);
	ok = mbind(p, PAGE, AML_MPOL_WEIGHTED_INTERLEAVE, &mask, 64, 0) == 0;
	munmap(p, PAGE);
	return ok;
}

static char root[64];

/* A fake sysfs whose kernel weights for nodes 0 and 1 are w0, w1. */
static void fake_kernel_weights(const char *w0, const char *w1)
{
	char path[256];
	FILE *f;

	strcpy(root, "/tmp/aml-wp-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	snprintf(path, sizeof(path),
		 "mkdir -p %s/kernel/mm/mempolicy/"
		 "weighted_interleave",
		 root);
	cr_assert_eq(system(path), 0);
	for (int n = 0; n < 2; n++) {
		snprintf(path, sizeof(path),
			 "%s/kernel/mm/mempolicy/weighted_interleave/node%d",
			 root, n);
		f = fopen(path, "w");
		cr_assert_not_null(f);
		fputs(n ? w1 : w0, f);
		fclose(f);
	}
	aml_linux_weighted_sysfs_root(root);
}

static enum aml_area_linux_weighted_engine engine_for(const struct ratio *r)
{
	struct aml_area_linux_weights w;

	cr_assert_eq(aml_area_linux_weights_init(&w, r->nodes, r->weights,
						 (size_t)r->count),
		     0);
	return w.engine;
}

Test(weighted_placement, the_fallback_engages_where_the_kernel_refuses_mode_6)
{
	numa_test_need_nodes(4);
	if (kernel_takes_weighted_interleave())
		cr_skip_test("this kernel has MPOL_WEIGHTED_INTERLEAVE");
	/* Even with system weights in the asked ratio. */
	fake_kernel_weights("8\n", "2\n");
	cr_assert_eq(engine_for(&eight_two), AML_AREA_LINUX_WEIGHTED_STRIPES);
	place(&eight_two, 8 * MiB, 4 * KiB);
}

Test(weighted_placement, a_faked_yes_picks_the_kernel_only_for_its_ratio)
{
	const struct ratio four_one = {2, {0, 1}, {4, 1}};
	struct aml_area *area;

	numa_test_need_nodes(4);
	fake_kernel_weights("8\n", "2\n");
	aml_linux_weighted_fake_probe(1);
	cr_assert_eq(engine_for(&eight_two), AML_AREA_LINUX_WEIGHTED_KERNEL);
	cr_assert_eq(engine_for(&four_one), AML_AREA_LINUX_WEIGHTED_KERNEL);
	cr_assert_eq(engine_for(&three_one), AML_AREA_LINUX_WEIGHTED_STRIPES);
	cr_assert_eq(engine_for(&one_one), AML_AREA_LINUX_WEIGHTED_STRIPES);
	aml_linux_weighted_fake_probe(0);
	cr_assert_eq(engine_for(&eight_two), AML_AREA_LINUX_WEIGHTED_STRIPES);
	/* The kernel engine asks mode 6 of mbind: refused here, no mapping. */
	if (!kernel_takes_weighted_interleave()) {
		aml_linux_weighted_fake_probe(1);
		cr_assert_eq(
			aml_area_linux_weighted_create(&area, eight_two.nodes,
						       eight_two.weights, 2),
			0);
		cr_assert_null(aml_area_mmap(area, MiB, NULL));
		cr_assert_eq(aml_errno, AML_FAILURE);
		aml_area_linux_destroy(&area);
	}
}

/* ---- weights from the VM's HMAT --------------------------------------- */

/* The bandwidths of AML_TEST_HMAT ("bw=B0,...;lat=..."), or skip. */
static void hmat_bandwidths(unsigned long bw[4])
{
	const char *spec = getenv("AML_TEST_HMAT"), *b;
	int n;

	if (spec == NULL || (b = strstr(spec, "bw=")) == NULL)
		cr_skip_test("needs a VM started with --hmat 'bw=...' and "
			     "AML_TEST_HMAT set to it");
	n = sscanf(b, "bw=%lu,%lu,%lu,%lu", &bw[0], &bw[1], &bw[2], &bw[3]);
	if (n == 1)
		bw[1] = bw[2] = bw[3] = bw[0];
	else
		cr_assert_eq(n, 4, "AML_TEST_HMAT bw= needs 1 or 4 values");
}

static unsigned long gcd(unsigned long a, unsigned long b)
{
	return b ? gcd(b, a % b) : a;
}

Test(weighted_placement, auto_weights_follow_the_hmat_bandwidths)
{
	unsigned long bw[4], g;
	struct ratio r = {2, {0, 3}, {0, 0}};
	enum aml_area_linux_weights_source used;

	numa_test_need_nodes(4);
	hmat_bandwidths(bw);
	cr_assert_eq(aml_area_linux_weights_from_machine(
			     r.nodes, 2, r.weights, AML_AREA_LINUX_WEIGHTS_AUTO,
			     &used),
		     0, "no weights from the HMAT");
	cr_assert_eq(used, AML_AREA_LINUX_WEIGHTS_HMAT);
	g = gcd(bw[0], bw[3]);
	cr_assert(r.weights[0] == bw[0] / g && r.weights[1] == bw[3] / g,
		  "weights %u:%u for bandwidths %lu:%lu", r.weights[0],
		  r.weights[1], bw[0], bw[3]);
	place(&r, 64 * MiB, 4 * KiB);
}

Test(weighted_placement, hmat_weights_need_figures_relative_to_our_cpus)
{
	const int nodes[] = {0, 3};
	unsigned int w[2];
	unsigned long bw[4];
	cpu_set_t cpus;

	numa_test_need_nodes(4);
	hmat_bandwidths(bw);
	/* Node 3 hangs off node 2: from node 0's CPU the figures are not
	 * ours. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	cr_assert_eq(sched_setaffinity(0, sizeof(cpus), &cpus), 0);
	cr_assert_eq(aml_area_linux_weights_from_machine(
			     nodes, 2, w, AML_AREA_LINUX_WEIGHTS_HMAT, NULL),
		     -AML_ENOTSUP);
}
