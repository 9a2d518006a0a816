/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the pages of Linux areas really land (suite 'numa': runs inside
 * scripts/numa-vm with AML_TEST_NUMA_NODES set; a missing node is then a
 * failure, elsewhere a skip). Pages are counted one by one with
 * aml_area_linux_pages_per_node (move_pages) and cross-checked with
 * get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "numa-test.h"

#define PAGE NUMA_TEST_PAGE
#define MAX_NODES 64
/* Divisible by 2, 3 and 4: interleaving is exact. */
#define NPAGES ((size_t)240)

static struct aml_bitmap mask_of(const int *nodes, int n)
{
	struct aml_bitmap mask;

	aml_bitmap_zero(&mask);
	for (int i = 0; i < n; i++)
		aml_bitmap_set(&mask, (unsigned int)nodes[i]);
	return mask;
}

static struct aml_area *area_on(const int *nodes, int n,
				enum aml_area_linux_policy policy)
{
	struct aml_bitmap mask = mask_of(nodes, n);
	struct aml_area *area;

	cr_assert_eq(aml_area_linux_create(&area, &mask, policy), 0);
	return area;
}

static struct aml_area_linux_data *linux_data(struct aml_area *area)
{
	return (struct aml_area_linux_data *)area->data;
}

/* Map `npages` from `area`, 4 KiB pages only, every page touched. */
static char *map_and_touch(struct aml_area *area, size_t npages)
{
	return numa_test_map_touched(area, npages * PAGE);
}

/* Pages per node of [p, p + npages pages); every page must be present. */
static void count_pages(const char *p, size_t npages, size_t counts[MAX_NODES])
{
	numa_test_count_pages(p, npages * PAGE, counts, MAX_NODES);
}

/* The node of the page at p, as get_mempolicy reports it. */
static int node_of_page(const void *p)
{
	int node = -1;

	cr_assert_eq(get_mempolicy(&node, NULL, 0, (void *)p,
				   MPOL_F_NODE | MPOL_F_ADDR),
		     0);
	return node;
}

static void assert_all_pages_on(const char *p, size_t npages, int node)
{
	size_t counts[MAX_NODES];

	count_pages(p, npages, counts);
	for (int n = 0; n < numa_test_nodes(); n++)
		cr_assert_eq(counts[n], n == node ? npages : 0,
			     "node %d holds %zu of %zu pages, all should be on "
			     "node %d",
			     n, counts[n], npages, node);
}

/* ---- BIND --------------------------------------------------------- */

Test(linux_placement, bind_places_every_page_on_the_single_node)
{
	numa_test_need_nodes(4);
	for (int node = 0; node < numa_test_nodes(); node++) {
		struct aml_area *area =
			area_on(&node, 1, AML_AREA_LINUX_POLICY_BIND);
		char *p = map_and_touch(area, NPAGES);

		assert_all_pages_on(p, NPAGES, node);
		for (size_t i = 0; i < NPAGES; i++)
			cr_assert_eq(node_of_page(p + i * PAGE), node,
				     "page %zu", i);
		cr_assert_eq(aml_area_linux_check_binding(linux_data(area), p,
							  NPAGES * PAGE),
			     1);
		cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
		aml_area_linux_destroy(&area);
	}
}

Test(linux_placement, bind_to_two_nodes_uses_only_those_nodes)
{
	const int nodes[] = {2, 3};
	struct aml_area *area;
	size_t counts[MAX_NODES];
	char *p;

	numa_test_need_nodes(4);
	area = area_on(nodes, 2, AML_AREA_LINUX_POLICY_BIND);
	p = map_and_touch(area, NPAGES);
	count_pages(p, NPAGES, counts);
	cr_assert_eq(counts[2] + counts[3], NPAGES);
	cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
	aml_area_linux_destroy(&area);
}

/* ---- INTERLEAVE --------------------------------------------------- */

static void assert_interleaved_over_first(int k)
{
	int nodes[MAX_NODES];
	size_t counts[MAX_NODES], even = NPAGES / (size_t)k;
	struct aml_area *area;
	char *p;

	for (int i = 0; i < k; i++)
		nodes[i] = i;
	area = area_on(nodes, k, AML_AREA_LINUX_POLICY_INTERLEAVE);
	p = map_and_touch(area, NPAGES);
	count_pages(p, NPAGES, counts);
	for (int n = 0; n < numa_test_nodes(); n++) {
		if (n < k)
			cr_assert(counts[n] + 1 >= even &&
					  counts[n] <= even + 1,
				  "interleave over %d nodes: node %d holds %zu "
				  "pages, expected %zu +- 1",
				  k, n, counts[n], even);
		else
			cr_assert_eq(counts[n], 0, "node %d outside the mask",
				     n);
	}
	cr_assert_eq(aml_area_linux_check_binding(linux_data(area), p,
						  NPAGES * PAGE),
		     1);
	cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
	aml_area_linux_destroy(&area);
}

Test(linux_placement, interleave_over_2_nodes_spreads_pages_evenly)
{
	numa_test_need_nodes(4);
	assert_interleaved_over_first(2);
}

Test(linux_placement, interleave_over_3_nodes_spreads_pages_evenly)
{
	numa_test_need_nodes(4);
	assert_interleaved_over_first(3);
}

Test(linux_placement, interleave_over_4_nodes_spreads_pages_evenly)
{
	numa_test_need_nodes(4);
	assert_interleaved_over_first(4);
}

/* ---- PREFERRED ---------------------------------------------------- */

Test(linux_placement, preferred_places_pages_on_the_preferred_node)
{
	numa_test_need_nodes(4);
	for (int node = 0; node < numa_test_nodes(); node++) {
		struct aml_area *area =
			area_on(&node, 1, AML_AREA_LINUX_POLICY_PREFERRED);
		char *p = map_and_touch(area, NPAGES);

		assert_all_pages_on(p, NPAGES, node);
		cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
		aml_area_linux_destroy(&area);
	}
}

Test(linux_placement, preferred_with_two_nodes_prefers_the_first)
{
	const int nodes[] = {1, 3};
	struct aml_area *area;
	char *p;

	numa_test_need_nodes(4);
	area = area_on(nodes, 2, AML_AREA_LINUX_POLICY_PREFERRED);
	p = map_and_touch(area, NPAGES);
	assert_all_pages_on(p, NPAGES, 1);
	cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
	aml_area_linux_destroy(&area);
}

/* ---- legacy constructor, shared mappings ------------------------- */

Test(linux_placement, create_flags_bind_is_mpol_bind_on_the_node)
{
	struct aml_bitmap mask;
	struct aml_area *area;
	int mode = -1;
	char *p;

	numa_test_need_nodes(4);
	aml_bitmap_zero(&mask);
	aml_bitmap_set(&mask, 3);
	cr_assert_eq(
		aml_area_linux_create(&area, AML_AREA_LINUX_MMAP_FLAG_PRIVATE,
				      &mask, AML_AREA_LINUX_BINDING_FLAG_BIND),
		0);
	p = map_and_touch(area, NPAGES);
	assert_all_pages_on(p, NPAGES, 3);
	cr_assert_eq(get_mempolicy(&mode, NULL, 0, p, MPOL_F_ADDR), 0);
	cr_assert_eq(mode, MPOL_BIND);
	cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
	aml_area_linux_destroy(&area);
}

Test(linux_placement, shared_bound_area_pages_are_seen_by_a_child_and_placed)
{
	struct aml_bitmap mask;
	struct aml_area *area;
	int status;
	pid_t pid;
	char *p;

	numa_test_need_nodes(4);
	aml_bitmap_zero(&mask);
	aml_bitmap_set(&mask, 2);
	cr_assert_eq(
		aml_area_linux_create(&area, AML_AREA_LINUX_MMAP_FLAG_SHARED,
				      &mask, AML_AREA_LINUX_BINDING_FLAG_BIND),
		0);
	p = aml_area_mmap(area, NPAGES * PAGE);
	cr_assert_not_null(p);
	numa_test_no_huge_pages(p, NPAGES * PAGE);

	/* The child touches every page first. */
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		for (size_t i = 0; i < NPAGES; i++)
			p[i * PAGE] = (char)(i + 1);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	for (size_t i = 0; i < NPAGES; i++)
		cr_assert_eq(p[i * PAGE], (char)(i + 1), "page %zu", i);
	assert_all_pages_on(p, NPAGES, 2);
	cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
	aml_area_linux_destroy(&area);
}

/* ---- memory-only nodes -------------------------------------------- */

/* A node with memory and no CPU, or -1. */
static int memory_only_node(void)
{
	struct bitmask *cpus = numa_allocate_cpumask();
	int found = -1;

	for (int node = 0; node < numa_test_nodes() && found < 0; node++) {
		if (numa_node_to_cpus(node, cpus) != 0)
			continue;
		if (numa_bitmask_weight(cpus) == 0 &&
		    numa_node_size64(node, NULL) > 0)
			found = node;
	}
	numa_bitmask_free(cpus);
	return found;
}

/* The memory-only node of the VM; skips (fails in the VM) without one. */
static int need_memory_only_node(void)
{
	int node;

	numa_test_need_nodes(2);
	node = memory_only_node();
	if (node < 0) {
		if (getenv("AML_TEST_MEMORY_ONLY_NODES") != NULL)
			cr_assert_fail("AML_TEST_MEMORY_ONLY_NODES=%s but no "
				       "node without CPUs",
				       getenv("AML_TEST_MEMORY_ONLY_NODES"));
		cr_skip_test("needs a memory-only node; runs inside "
			     "scripts/numa-vm --memory-only-nodes 1");
	}
	return node;
}

Test(linux_placement, bind_to_a_memory_only_node_places_pages_there)
{
	int node = need_memory_only_node();
	struct aml_area *area = area_on(&node, 1, AML_AREA_LINUX_POLICY_BIND);
	char *p = map_and_touch(area, NPAGES);

	assert_all_pages_on(p, NPAGES, node);
	cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
	aml_area_linux_destroy(&area);
}

/*
 * MAP_POPULATE faults the pages in before the area binds the mapping, on
 * the CPU's node (never the memory-only one): the bind must move them.
 * (A plain anonymous mapping is bound without MPOL_MF_MOVE, as it has no
 * pages yet; this is the case where moving matters.)
 */
Test(linux_placement, populated_mapping_is_moved_to_the_bound_node)
{
	int node = need_memory_only_node();
	struct aml_area *area = area_on(&node, 1, AML_AREA_LINUX_POLICY_BIND);
	struct aml_area_linux_mmap_options opts = {
		.ptr = NULL,
		.flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		.mode = PROT_READ | PROT_WRITE,
		.fd = -1,
		.offset = 0,
	};
	char *p = aml_area_mmap(area, NPAGES * PAGE,
				(struct aml_area_mmap_options *)&opts);

	cr_assert_not_null(p, "aml_errno %d", aml_errno);
	assert_all_pages_on(p, NPAGES, node);
	cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
	aml_area_linux_destroy(&area);
}

/* ---- check_binding ------------------------------------------------ */

static void
assert_check_binding_tells_masks_apart(enum aml_area_linux_policy policy)
{
	const int right[] = {1, 2}, wrong[] = {0, 3}, first[] = {1};
	struct aml_area *area = area_on(right, 2, policy);
	struct aml_area *bad = area_on(wrong, 2, policy);
	char *p = map_and_touch(area, NPAGES);

	cr_assert_eq(aml_area_linux_check_binding(linux_data(area), p,
						  NPAGES * PAGE),
		     1);
	cr_assert_eq(
		aml_area_linux_check_binding(linux_data(bad), p, NPAGES * PAGE),
		0);
	if (policy == AML_AREA_LINUX_POLICY_PREFERRED) {
		/* Only the first node of the mask counts. */
		struct aml_area *same = area_on(first, 1, policy);

		cr_assert_eq(
			aml_area_linux_check_binding(linux_data(same), p, PAGE),
			1);
		aml_area_linux_destroy(&same);
	} else {
		/* The mask must be equal, not just intersect. */
		struct aml_area *subset = area_on(first, 1, policy);

		cr_assert_eq(aml_area_linux_check_binding(linux_data(subset), p,
							  PAGE),
			     0);
		aml_area_linux_destroy(&subset);
	}
	cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
	aml_area_linux_destroy(&area);
	aml_area_linux_destroy(&bad);
}

Test(linux_placement, check_binding_tells_bind_masks_apart)
{
	numa_test_need_nodes(4);
	assert_check_binding_tells_masks_apart(AML_AREA_LINUX_POLICY_BIND);
}

Test(linux_placement, check_binding_tells_interleave_masks_apart)
{
	numa_test_need_nodes(4);
	assert_check_binding_tells_masks_apart(
		AML_AREA_LINUX_POLICY_INTERLEAVE);
}

Test(linux_placement, check_binding_tells_preferred_nodes_apart)
{
	numa_test_need_nodes(4);
	assert_check_binding_tells_masks_apart(AML_AREA_LINUX_POLICY_PREFERRED);
}

Test(linux_placement, check_binding_of_default_memory_rejects_bound_areas)
{
	const int node[] = {1};
	struct aml_area *bind;
	char *p;

	numa_test_need_nodes(4);
	bind = area_on(node, 1, AML_AREA_LINUX_POLICY_BIND);
	p = map_and_touch(&aml_area_linux, NPAGES);
	cr_assert_eq(aml_area_linux_check_binding(linux_data(&aml_area_linux),
						  p, NPAGES * PAGE),
		     1);
	cr_assert_eq(aml_area_linux_check_binding(linux_data(bind), p,
						  NPAGES * PAGE),
		     0);
	cr_assert_eq(aml_area_munmap(p, NPAGES * PAGE), 0);
	aml_area_linux_destroy(&bind);
}
