/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Weighted interleave of the Linux area on any machine (one node is
 * enough): argument checks, the stripe layout, the choice of the kernel
 * engine with the probe faked both ways, weights from fake sysfs trees.
 * Where pages land over several nodes: weighted-placement.c (suite numa).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "area/linux-weighted.h"

#define PAGE ((size_t)4096)
#define MiB ((size_t)1 << 20)
#define GiB ((size_t)1 << 30)

static const int node0[] = {0};

static const struct aml_area_linux_weights *linux_weights(struct aml_area *a)
{
	return ((struct aml_area_linux_data *)a->data)->weights;
}

/* ---- a fake sysfs tree under a temporary directory ------------------- */

static char root[64];

static void fake_root(void)
{
	strcpy(root, "/tmp/aml-weighted-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	aml_linux_weighted_sysfs_root(root);
}

/* Write `text` to root/path, making the directories on the way. */
static void fake_file(const char *path, const char *text)
{
	char full[512];
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", root, path);
	for (char *s = full + strlen(root) + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(full, 0755);
			*s = '/';
		}
	f = fopen(full, "w");
	cr_assert_not_null(f, "%s", full);
	fputs(text, f);
	fclose(f);
}

static void remove_fake_root(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	cr_assert_eq(system(cmd), 0);
	aml_linux_weighted_sysfs_root(NULL);
}

/*
 * Two nodes: node 0 with every CPU, node 1 memory-only, both near the CPUs
 * of node 0, with the given HMAT bandwidths (MB/s); "" leaves one out.
 */
static void fake_hmat(const char *rd0, const char *wr0, const char *rd1,
		      const char *wr1)
{
	const char *d0 = "devices/system/node/node0/access0/initiators/";
	const char *d1 = "devices/system/node/node1/access0/initiators/";
	char path[256];

	fake_file("devices/system/node/online", "0-1\n");
	fake_file("devices/system/node/node0/cpulist", "0-8191\n");
	fake_file("devices/system/node/node1/cpulist", "\n");
	const char *fig[4][2] = {{d0, rd0}, {d0, wr0}, {d1, rd1}, {d1, wr1}};
	for (int i = 0; i < 4; i++) {
		if (fig[i][1][0] == '\0')
			continue;
		snprintf(path, sizeof(path), "%s%s", fig[i][0],
			 i % 2 ? "write_bandwidth" : "read_bandwidth");
		fake_file(path, fig[i][1]);
	}
	snprintf(path, sizeof(path), "%snode0", d0);
	fake_file(path, "");
	snprintf(path, sizeof(path), "%snode0", d1);
	fake_file(path, "");
}

/* ---- argument checks -------------------------------------------------- */

static int create(const int *nodes, const unsigned int *weights, size_t n,
		  int expect)
{
	struct aml_area *area = (struct aml_area *)&area;
	int err = aml_area_linux_weighted_create(&area, nodes, weights, n);

	cr_assert_eq(err, expect, "create gave %d, expected %d", err, expect);
	if (expect != 0)
		cr_assert_null(area, "area must be NULL on error");
	aml_area_linux_destroy(&area);
	return err;
}

Test(linux_weighted, a_weight_of_0_is_edom)
{
	const unsigned int w[] = {0};

	create(node0, w, 1, -AML_EDOM);
	cr_assert_str_eq(aml_area_linux_weights_problem(node0, w, 1),
			 "the weight of node 0 is 0: weights are 1 to 255");
}

Test(linux_weighted, a_weight_over_255_is_edom)
{
	const unsigned int w[] = {256};

	create(node0, w, 1, -AML_EDOM);
	cr_assert_str_eq(aml_area_linux_weights_problem(node0, w, 1),
			 "the weight of node 0 is 256: weights are 1 to 255");
}

Test(linux_weighted, weights_1_and_255_are_accepted)
{
	const unsigned int lo[] = {1}, hi[] = {255};

	create(node0, lo, 1, 0);
	create(node0, hi, 1, 0);
	cr_assert_null(aml_area_linux_weights_problem(node0, hi, 1));
}

Test(linux_weighted, a_node_listed_twice_is_einval)
{
	const int nodes[] = {0, 0};
	const unsigned int w[] = {3, 1};

	create(nodes, w, 2, -AML_EINVAL);
	cr_assert_str_eq(aml_area_linux_weights_problem(nodes, w, 2),
			 "node 0 is listed twice");
}

Test(linux_weighted, weights_without_nodes_are_einval)
{
	const unsigned int w[] = {3, 1};

	create(NULL, w, 2, -AML_EINVAL);
	cr_assert_str_eq(aml_area_linux_weights_problem(NULL, w, 2),
			 "weights without nodes");
}

Test(linux_weighted, no_nodes_and_nodes_without_weights_are_einval)
{
	const unsigned int w[] = {1};

	create(node0, w, 0, -AML_EINVAL);
	create(node0, NULL, 1, -AML_EINVAL);
	cr_assert_eq(aml_area_linux_weighted_create(NULL, node0, w, 1),
		     -AML_EINVAL);
}

Test(linux_weighted, a_node_the_process_may_not_use_is_edom)
{
	const int nodes[] = {0, 2047}, bad[] = {-1};
	const unsigned int w[] = {1, 1};

	create(nodes, w, 2, -AML_EDOM);
	cr_assert_str_eq(aml_area_linux_weights_problem(nodes, w, 2),
			 "node 2047 is not one this process may use");
	create(bad, w, 1, -AML_EDOM);
}

Test(linux_weighted, more_than_64_nodes_is_einval)
{
	int nodes[65];
	unsigned int w[65];

	for (int i = 0; i < 65; i++) {
		nodes[i] = i;
		w[i] = 1;
	}
	create(nodes, w, 65, -AML_EINVAL);
}

Test(linux_weighted, set_stripe_takes_page_multiples_on_weighted_areas_only)
{
	const unsigned int w[] = {2};
	struct aml_area *area;

	cr_assert_eq(
		aml_area_linux_weighted_set_stripe(&aml_area_linux, PAGE, 0),
		-AML_EINVAL);
	cr_assert_eq(aml_area_linux_weighted_create(&area, node0, w, 1), 0);
	cr_assert_eq(aml_area_linux_weighted_set_stripe(area, PAGE + 1, 0),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_linux_weighted_set_stripe(area, 16 * PAGE, 7), 0);
	cr_assert_eq(linux_weights(area)->stripe, 16 * PAGE);
	cr_assert_eq(linux_weights(area)->max_vmas, 7);
	cr_assert_eq(aml_area_linux_weighted_set_stripe(area, 0, 0), 0);
	cr_assert_eq(linux_weights(area)->stripe, 0, "0 is automatic");
	cr_assert_eq(linux_weights(area)->max_vmas,
		     AML_AREA_LINUX_WEIGHTED_MAX_VMAS);
	aml_area_linux_destroy(&area);
}

/* ---- the stripe layout ------------------------------------------------ */

/* A policy over nodes 0, 1, ... with these weights, filled by hand. */
static struct aml_area_linux_weights layout_of(const unsigned int *weights,
					       unsigned int count)
{
	struct aml_area_linux_weights w;

	memset(&w, 0, sizeof(w));
	w.count = count;
	for (unsigned int i = 0; i < count; i++) {
		w.nodes[i] = (int)i;
		w.weights[i] = weights[i];
	}
	aml_linux_weighted_layout(&w);
	w.stripe = PAGE;
	w.max_vmas = AML_AREA_LINUX_WEIGHTED_MAX_VMAS;
	w.engine = AML_AREA_LINUX_WEIGHTED_STRIPES;
	return w;
}

/* Every prefix of one period holds each node's share to within 1. */
static void assert_prefixes_within_one(const unsigned int *weights,
				       unsigned int count)
{
	struct aml_area_linux_weights w = layout_of(weights, count);
	long state[AML_AREA_LINUX_WEIGHTED_MAX_NODES] = {0};
	long got[AML_AREA_LINUX_WEIGHTED_MAX_NODES] = {0};

	for (unsigned int m = 1; m <= w.period; m++) {
		got[aml_linux_weighted_next(w.reduced, count, w.period,
					    state)]++;
		for (unsigned int i = 0; i < count; i++) {
			/* |got - m * r / period| < 1, in integers. */
			long d = got[i] * (long)w.period -
				 (long)m * (long)w.reduced[i];

			cr_assert(d > -(long)w.period && d < (long)w.period,
				  "weights %u,%u,...: after %u stripes node %u "
				  "has %ld",
				  weights[0], weights[1], m, i, got[i]);
		}
	}
	for (unsigned int i = 0; i < count; i++)
		cr_assert_eq(got[i], (long)w.reduced[i]);
	for (unsigned int i = 0; i < count; i++)
		cr_assert_eq(state[i], 0,
			     "the state is back at 0 after a period");
}

Test(linux_weighted, every_prefix_holds_each_share_to_within_one_stripe)
{
	unsigned int w[4];

	for (w[0] = 1; w[0] <= 16; w[0]++)
		for (w[1] = 1; w[1] <= 16; w[1]++)
			assert_prefixes_within_one(w, 2);
	for (w[0] = 1; w[0] <= 8; w[0]++)
		for (w[1] = 1; w[1] <= 8; w[1]++)
			for (w[2] = 1; w[2] <= 8; w[2]++)
				assert_prefixes_within_one(w, 3);
	for (w[0] = 1; w[0] <= 5; w[0]++)
		for (w[1] = 1; w[1] <= 5; w[1]++)
			for (w[2] = 1; w[2] <= 5; w[2]++)
				for (w[3] = 1; w[3] <= 5; w[3]++)
					assert_prefixes_within_one(w, 4);
	const unsigned int big[][3] = {
		{255, 1, 0}, {255, 254, 0}, {255, 128, 1}, {200, 3, 7}};
	for (int i = 0; i < 4; i++)
		assert_prefixes_within_one(big[i], big[i][2] ? 3 : 2);
}

Test(linux_weighted, weights_are_reduced_and_runs_counted_cyclically)
{
	const unsigned int one[] = {1, 1}, three[] = {3, 1}, eight[] = {8, 2},
			   six[] = {3, 2, 1};
	struct aml_area_linux_weights w;

	w = layout_of(one, 2);
	cr_assert(w.period == 2 && w.runs == 2);
	w = layout_of(three, 2); /* A A B A: the A runs join across periods */
	cr_assert(w.period == 4 && w.runs == 2);
	w = layout_of(eight, 2); /* 4:1, A A B A A */
	cr_assert(w.reduced[0] == 4 && w.reduced[1] == 1);
	cr_assert(w.period == 5 && w.runs == 2);
	w = layout_of(six, 3); /* A B A C B A */
	cr_assert(w.period == 6 && w.runs == 5, "runs %u", w.runs);
}

/* Runs (kernel VMAs) of a mapping of `size` bytes in stripes. */
static size_t runs_of(const struct aml_area_linux_weights *w, size_t size,
		      size_t stripe)
{
	long state[AML_AREA_LINUX_WEIGHTED_MAX_NODES] = {0};
	size_t runs = 0;
	unsigned int prev = ~0u, next;

	for (size_t off = 0; off < size; off += stripe) {
		next = aml_linux_weighted_next(w->reduced, w->count, w->period,
					       state);
		runs += next != prev;
		prev = next;
	}
	return runs;
}

Test(linux_weighted, the_stripe_grows_to_keep_a_mapping_within_the_vma_budget)
{
	const unsigned int ratios[][3] = {{1, 1, 0}, {3, 1, 0},	  {8, 2, 0},
					  {3, 2, 1}, {255, 1, 0}, {5, 7, 11}};
	const size_t sizes[] = {PAGE,	  3 * PAGE,	    MiB + 5 * PAGE,
				64 * MiB, 256 * MiB + PAGE, GiB,
				64 * GiB};
	const size_t budgets[] = {AML_AREA_LINUX_WEIGHTED_MAX_VMAS, 100, 8};

	for (int r = 0; r < 6; r++) {
		struct aml_area_linux_weights w =
			layout_of(ratios[r], ratios[r][2] ? 3 : 2);

		for (int b = 0; b < 3; b++) {
			w.max_vmas = budgets[b];
			for (int s = 0; s < 7; s++) {
				size_t stripe =
					aml_area_linux_weights_stripe_for(
						&w, sizes[s]);
				size_t runs = runs_of(&w, sizes[s], stripe);

				cr_assert_eq(stripe % PAGE, 0);
				if (stripe >= 2 * MiB)
					cr_assert_eq(stripe % (2 * MiB), 0);
				cr_assert(runs <= budgets[b] ||
						  runs <= w.runs + 1,
					  "ratio %d size %zu: %zu runs with "
					  "stripe %zu, budget %zu",
					  r, sizes[s], runs, stripe,
					  budgets[b]);
				/* Not grown twice what the budget needs. */
				if (stripe >= 2 * PAGE && stripe < 2 * MiB)
					cr_assert_gt(runs_of(&w, sizes[s],
							     stripe / 2 / PAGE *
								     PAGE),
						     budgets[b],
						     "ratio %d size %zu stripe "
						     "%zu grown too far",
						     r, sizes[s], stripe);
			}
		}
	}
}

Test(linux_weighted, an_unbounded_budget_keeps_the_smallest_stripe)
{
	const unsigned int ratio[] = {255, 254, 1};
	struct aml_area_linux_weights w = layout_of(ratio, 3);

	w.max_vmas = ~(size_t)0;
	cr_assert_eq(aml_area_linux_weights_stripe_for(&w, ~(size_t)0 / 2),
		     PAGE);
}

Test(linux_weighted, small_mappings_keep_the_smallest_stripe)
{
	const unsigned int one[] = {1, 1};
	struct aml_area_linux_weights w = layout_of(one, 2);

	/* 1024 VMAs: 511 periods of 2 stripes. */
	cr_assert_eq(aml_area_linux_weights_stripe_for(&w, 1022 * PAGE), PAGE);
	cr_assert_eq(aml_area_linux_weights_stripe_for(&w, 1023 * PAGE),
		     2 * PAGE);
	/* 1 GiB 1:1 in 4 KiB stripes would be 262144 VMAs. */
	cr_assert_eq(aml_area_linux_weights_stripe_for(&w, GiB), 257 * PAGE);
	w.stripe = 2 * MiB;
	cr_assert_eq(aml_area_linux_weights_stripe_for(&w, PAGE), 2 * MiB);
	w.engine = AML_AREA_LINUX_WEIGHTED_KERNEL;
	cr_assert_eq(aml_area_linux_weights_stripe_for(&w, GiB), PAGE);
}

Test(linux_weighted, the_auto_stripe_is_a_huge_page_from_a_period_of_them)
{
	const unsigned int three[] = {3, 1};
	struct aml_area_linux_weights w = layout_of(three, 2);

	w.stripe = 0;
	w.thp = 1;
	cr_assert_lt(aml_area_linux_weights_stripe_for(&w, 4 * MiB), 2 * MiB);
	cr_assert_eq(aml_area_linux_weights_stripe_for(&w, 8 * MiB), 2 * MiB);
	cr_assert_eq(
		aml_area_linux_weights_stripe_for(&w, 64 * GiB) % (2 * MiB), 0);
	w.thp = 0;
	cr_assert_lt(aml_area_linux_weights_stripe_for(&w, 8 * MiB), 2 * MiB);
}

Test(linux_weighted, init_reads_whether_huge_pages_are_always_on)
{
	const unsigned int w0 = 1;
	struct aml_area_linux_weights w;

	fake_root();
	fake_file("kernel/mm/transparent_hugepage/enabled",
		  "always [madvise] never\n");
	cr_assert_eq(aml_area_linux_weights_init(&w, node0, &w0, 1), 0);
	cr_assert_eq(w.thp, 0);
	fake_file("kernel/mm/transparent_hugepage/enabled",
		  "[always] madvise never\n");
	cr_assert_eq(aml_area_linux_weights_init(&w, node0, &w0, 1), 0);
	cr_assert_eq(w.thp, 1);
	remove_fake_root();
}

Test(linux_weighted, huge_stripes_start_on_a_huge_page_boundary)
{
	struct aml_area *area;
	const unsigned int w = 2;
	char *p;

	aml_linux_weighted_fake_probe(0);
	cr_assert_eq(aml_area_linux_weighted_create(&area, node0, &w, 1), 0);
	cr_assert_eq(aml_area_linux_weighted_set_stripe(area, 2 * MiB, 0), 0);
	for (size_t size = PAGE; size <= 16 * MiB; size = size * 4 + PAGE) {
		p = aml_area_mmap(area, size, NULL);
		cr_assert_not_null(p);
		cr_assert_eq((size_t)p % (2 * MiB), 0, "%zu bytes at %p", size,
			     (void *)p);
		memset(p, 1, size);
		cr_assert_eq(aml_area_linux_check_binding(
				     (struct aml_area_linux_data *)area->data,
				     p, size),
			     1);
		cr_assert_eq(aml_area_munmap(area, p, size), 0);
	}
	aml_area_linux_destroy(&area);
}

Test(linux_weighted, the_auto_stripe_leaves_about_1_mib_per_vma)
{
	const unsigned int ratios[][3] = {{1, 1, 0}, {3, 1, 0}, {3, 2, 1}};

	for (int r = 0; r < 3; r++) {
		struct aml_area_linux_weights w =
			layout_of(ratios[r], ratios[r][2] ? 3 : 2);

		w.stripe = 0;
		for (size_t size = PAGE; size <= GiB; size = size * 2 + PAGE) {
			size_t stripe =
				aml_area_linux_weights_stripe_for(&w, size);
			size_t runs = runs_of(&w, size, stripe);
			size_t most = size / MiB > w.runs + 1 ? size / MiB
							      : w.runs + 1;

			cr_assert_leq(runs, most,
				      "ratio %d, %zu bytes: %zu VMAs of stripe "
				      "%zu",
				      r, size, runs, stripe);
		}
	}
}

/* ---- the engine: kernel or stripes ------------------------------------ */

static enum aml_area_linux_weighted_engine engine_of(const unsigned int w0)
{
	struct aml_area_linux_weights w;

	cr_assert_eq(aml_area_linux_weights_init(&w, node0, &w0, 1), 0);
	return w.engine;
}

/* 1 if this kernel takes MPOL_WEIGHTED_INTERLEAVE on node 0. */
static int kernel_takes_weighted_interleave(void)
{
	unsigned long mask = 1;
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ok;

	cr_assert_neq(p, MAP_FAILED);
	ok = mbind(p, PAGE, AML_MPOL_WEIGHTED_INTERLEAVE, &mask, 64, 0) == 0;
	munmap(p, PAGE);
	return ok;
}

Test(linux_weighted, kernel_engine_when_the_probe_says_yes_and_weights_match)
{
	fake_root();
	fake_file("kernel/mm/mempolicy/weighted_interleave/node0", "4\n");
	aml_linux_weighted_fake_probe(1);
	cr_assert_eq(engine_of(2), AML_AREA_LINUX_WEIGHTED_KERNEL);
	aml_linux_weighted_fake_probe(0);
	cr_assert_eq(engine_of(2), AML_AREA_LINUX_WEIGHTED_STRIPES);
	remove_fake_root();
}

Test(linux_weighted, stripes_when_the_kernel_has_no_weights)
{
	fake_root();
	aml_linux_weighted_fake_probe(1);
	cr_assert_eq(engine_of(2), AML_AREA_LINUX_WEIGHTED_STRIPES);
	fake_file("kernel/mm/mempolicy/weighted_interleave/node0", "0\n");
	cr_assert_eq(engine_of(2), AML_AREA_LINUX_WEIGHTED_STRIPES);
	remove_fake_root();
}

Test(linux_weighted, the_real_probe_follows_what_the_kernel_accepts)
{
	struct aml_area *area;
	const unsigned int w[] = {3};
	int want = kernel_takes_weighted_interleave(), mode = -1;
	char *p;

	fake_root();
	fake_file("kernel/mm/mempolicy/weighted_interleave/node0", "1\n");
	cr_assert_eq(engine_of(3), want ? AML_AREA_LINUX_WEIGHTED_KERNEL
					: AML_AREA_LINUX_WEIGHTED_STRIPES);
	cr_assert_eq(aml_area_linux_weighted_create(&area, node0, w, 1), 0);
	p = aml_area_mmap(area, MiB, NULL);
	cr_assert_not_null(p);
	memset(p, 1, MiB);
	cr_assert_eq(get_mempolicy(&mode, NULL, 0, p, MPOL_F_ADDR), 0);
	cr_assert_eq(mode,
		     want ? AML_MPOL_WEIGHTED_INTERLEAVE : MPOL_PREFERRED);
	cr_assert_eq(aml_area_linux_check_binding(
			     (struct aml_area_linux_data *)area->data, p, MiB),
		     1);
	cr_assert_eq(aml_area_munmap(area, p, MiB), 0);
	aml_area_linux_destroy(&area);
	remove_fake_root();
}

/* ---- the stripe engine on one node ------------------------------------ */

static struct aml_area *stripes_area(unsigned int weight)
{
	struct aml_area *area;

	aml_linux_weighted_fake_probe(0);
	cr_assert_eq(aml_area_linux_weighted_create(&area, node0, &weight, 1),
		     0);
	cr_assert_eq(linux_weights(area)->engine,
		     AML_AREA_LINUX_WEIGHTED_STRIPES);
	return area;
}

Test(linux_weighted, stripes_bind_preferred_and_check_binding_sees_them)
{
	struct aml_area *area = stripes_area(3);
	struct aml_area_linux_data *data =
		(struct aml_area_linux_data *)area->data;
	size_t counts[1] = {0}, absent = 0;
	unsigned long other = 1;
	int mode = -1;
	char *p;

	p = aml_area_mmap(area, MiB, NULL);
	cr_assert_not_null(p);
	memset(p, 1, MiB);
	cr_assert_eq(get_mempolicy(&mode, NULL, 0, p + MiB - PAGE, MPOL_F_ADDR),
		     0);
	cr_assert_eq(mode, MPOL_PREFERRED);
	cr_assert_eq(aml_area_linux_check_binding(data, p, MiB), 1);
	cr_assert_eq(aml_area_linux_pages_per_node(p, MiB, counts, 1, &absent),
		     0);
	cr_assert_eq(counts[0], MiB / PAGE);
	/* One page bound otherwise: the check sees it. */
	cr_assert_eq(mbind(p + 9 * PAGE, PAGE, MPOL_BIND, &other, 64, 0), 0);
	cr_assert_eq(aml_area_linux_check_binding(data, p, MiB), 0);
	/* mbind on existing memory restores the policy. */
	cr_assert_eq(aml_area_linux_mbind(data, p, MiB), 0);
	cr_assert_eq(aml_area_linux_check_binding(data, p, MiB), 1);
	cr_assert_eq(aml_area_munmap(area, p, MiB), 0);
	aml_area_linux_destroy(&area);
}

Test(linux_weighted, fprintf_shows_weights_engine_and_stripe)
{
	struct aml_area *area = stripes_area(3);
	char text[1024] = {0};
	FILE *f = fmemopen(text, sizeof(text) - 1, "w");

	cr_assert_eq(aml_area_fprintf(f, "p", area), 0);
	fclose(f);
	cr_assert_not_null(strstr(text, "p: policy: weighted\n"
					"p: weights: 0:3\n"
					"p: engine: stripes\n"
					"p: stripe: auto, 1024 VMAs at most\n"),
			   "%s", text);
	aml_area_linux_destroy(&area);
}

/* ---- weights from the machine ----------------------------------------- */

static int from_machine(unsigned int w[2],
			enum aml_area_linux_weights_source source,
			enum aml_area_linux_weights_source *used)
{
	const int nodes[] = {0, 1};

	return aml_area_linux_weights_from_machine(nodes, 2, w, source, used);
}

Test(linux_weighted, hmat_weights_follow_the_smaller_bandwidth)
{
	enum aml_area_linux_weights_source used = -1;
	unsigned int w[2];

	fake_root();
	fake_hmat("40000", "38000", "10000", "9500");
	cr_assert_eq(from_machine(w, AML_AREA_LINUX_WEIGHTS_AUTO, &used), 0);
	cr_assert_eq(used, AML_AREA_LINUX_WEIGHTS_HMAT);
	cr_assert(w[0] == 4 && w[1] == 1, "weights %u:%u", w[0], w[1]);
	remove_fake_root();
}

Test(linux_weighted, hmat_weights_are_scaled_to_255)
{
	unsigned int w[2];

	fake_root();
	fake_hmat("100000", "", "300", "");
	cr_assert_eq(from_machine(w, AML_AREA_LINUX_WEIGHTS_HMAT, NULL), 0);
	cr_assert(w[0] == 255 && w[1] == 1, "weights %u:%u", w[0], w[1]);
	remove_fake_root();
}

Test(linux_weighted, kernel_weights_when_hmat_lacks_a_node)
{
	enum aml_area_linux_weights_source used = -1;
	unsigned int w[2];

	fake_root();
	fake_hmat("40000", "40000", "", "");
	fake_file("kernel/mm/mempolicy/weighted_interleave/node0", "5\n");
	fake_file("kernel/mm/mempolicy/weighted_interleave/node1", "2\n");
	cr_assert_eq(from_machine(w, AML_AREA_LINUX_WEIGHTS_AUTO, &used), 0);
	cr_assert_eq(used, AML_AREA_LINUX_WEIGHTS_KERNEL);
	cr_assert(w[0] == 5 && w[1] == 2, "weights %u:%u", w[0], w[1]);
	cr_assert_eq(from_machine(w, AML_AREA_LINUX_WEIGHTS_HMAT, NULL),
		     -AML_ENOTSUP);
	remove_fake_root();
}

Test(linux_weighted, hmat_of_other_initiators_does_not_count)
{
	unsigned int w[2];
	char path[512];

	fake_root();
	fake_hmat("40000", "40000", "10000", "10000");
	/* Node 1 is near node 1's CPUs only, and those are not ours. */
	snprintf(path, sizeof(path),
		 "%s/devices/system/node/node1/access0/"
		 "initiators/node0",
		 root);
	cr_assert_eq(unlink(path), 0);
	fake_file("devices/system/node/node1/access0/initiators/node1", "");
	cr_assert_eq(from_machine(w, AML_AREA_LINUX_WEIGHTS_HMAT, NULL),
		     -AML_ENOTSUP);
	remove_fake_root();
}

Test(linux_weighted, no_figures_at_all_is_enotsup)
{
	unsigned int w[2];

	fake_root();
	fake_file("devices/system/node/online", "0-1\n");
	cr_assert_eq(from_machine(w, AML_AREA_LINUX_WEIGHTS_AUTO, NULL),
		     -AML_ENOTSUP);
	cr_assert_eq(aml_errno, AML_ENOTSUP);
	cr_assert_eq(from_machine(w, AML_AREA_LINUX_WEIGHTS_KERNEL, NULL),
		     -AML_ENOTSUP);
	remove_fake_root();
}

Test(linux_weighted, from_machine_rejects_bad_arguments)
{
	const int twice[] = {1, 1};
	unsigned int w[2];

	cr_assert_eq(aml_area_linux_weights_from_machine(NULL, 2, w, 0, NULL),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_linux_weights_from_machine(twice, 2, w, 0, NULL),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_linux_weights_from_machine(node0, 0, w, 0, NULL),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_linux_weights_from_machine(node0, 1, w, 9, NULL),
		     -AML_EINVAL);
}
