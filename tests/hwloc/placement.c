/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where hwloc areas put pages, on a machine with several NUMA nodes, a
 * distance matrix with near and far nodes, and a memory-only node:
 *
 *   bash scripts/numa-vm --nodes 4 --memory-only-nodes 1 --mem 1G \
 *     --distances '10,20,30,40;20,10,20,30;30,20,10,20;40,30,20,10' -- \
 *     env AML_TEST_NUMA_NODES=4 AML_TEST_MEMORY_ONLY_NODES=1 \
 *     meson test -C build --suite numa
 *
 * Expected orders come from the kernel's distance table in sysfs, not from
 * hwloc. The spilling tests fill whole nodes, so this program runs its
 * tests one at a time (its own main). With AML_TEST_NUMA_NODES set, a missing
 * node, a memory-only node missing or a uniform matrix is a failure; without it
 * these tests skip.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "aml.h"
#include "aml/area/hwloc.h"
#include "aml/area/linux.h"
#include "aml/utils/backend/hwloc.h"
#include "numa-test.h"
#include "topology.h"

#define NODES 4
#define PAGE NUMA_TEST_PAGE
#define MiB (1UL << 20)

static unsigned distance[NODES][NODES];

static void read_distances(void)
{
	unsigned i, j, off_diagonal = 0;
	char path[64];
	FILE *f;

	for (i = 0; i < NODES; i++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%u/distance", i);
		f = fopen(path, "r");
		cr_assert_not_null(f, "%s", path);
		for (j = 0; j < NODES; j++)
			cr_assert_eq(fscanf(f, "%u", &distance[i][j]), 1);
		fclose(f);
	}
	for (i = 0; i < NODES; i++)
		for (j = 0; j < NODES; j++)
			if (i != j && distance[i][j] != distance[0][1])
				off_diagonal++;
	cr_assert_gt(off_diagonal, 0,
		     "the VM's distance matrix is uniform: start it with "
		     "--distances (near and far nodes)");
}

static void setup(void)
{
	numa_test_need_nodes(NODES);
	read_distances();
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
}

static void teardown(void)
{
	aml_finalize();
}

static hwloc_obj_t node_obj(unsigned os)
{
	hwloc_obj_t n = hwloc_get_numanode_obj_by_os_index(aml_topology, os);

	cr_assert_not_null(n, "no NUMA node P#%u", os);
	return n;
}

static hwloc_obj_t logical_node(unsigned i)
{
	hwloc_obj_t n =
		hwloc_get_obj_by_type(aml_topology, HWLOC_OBJ_NUMANODE, i);

	cr_assert_not_null(n, "no NUMA node L#%u", i);
	return n;
}

/* The core whose local node is `os`, NULL for a memory-only node. */
static hwloc_obj_t core_of_node(unsigned os)
{
	hwloc_obj_t core = NULL;

	while ((core = hwloc_get_next_obj_by_type(aml_topology, HWLOC_OBJ_CORE,
						  core)) != NULL)
		if (hwloc_bitmap_intersects(core->cpuset,
					    node_obj(os)->cpuset) &&
		    numa_node_of_cpu((int)hwloc_bitmap_first(core->cpuset)) ==
			    (int)os)
			return core;
	return NULL;
}

static void check_order(struct aml_area *area, unsigned from)
{
	struct aml_area_hwloc_preferred_data *d =
		(struct aml_area_hwloc_preferred_data *)area->data;
	unsigned k, order[NODES], expected[NODES];
	char want[64], got[64];

	cr_assert_eq(d->num_nodes, NODES);
	unsigned row[NODES], logical[NODES];

	for (k = 0; k < NODES; k++)
		order[k] = d->numanodes[k]->os_index;
	/* Equal distances are ordered by logical index, not os index. */
	for (k = 0; k < NODES; k++)
		row[k] = distance[from][logical_node(k)->os_index];
	test_order_from_row(row, NODES, 0, logical);
	for (k = 0; k < NODES; k++)
		expected[k] = logical_node(logical[k])->os_index;
	cr_expect_arr_eq(order, expected, sizeof(order),
			 "from node %u: want %s, got %s", from,
			 test_order_string(expected, NODES, want, sizeof(want)),
			 test_order_string(order, NODES, got, sizeof(got)));
}

/* ------------------------------------------------------------------------
 * Order
 */

Test(hwloc_placement, preferred_order_from_each_cpu_follows_the_matrix,
     .init = setup, .fini = teardown)
{
	struct aml_area *area;
	unsigned os, cpu_nodes = 0;
	hwloc_obj_t core;

	for (os = 0; os < NODES; os++) {
		core = core_of_node(os);
		if (core == NULL)
			continue;
		cpu_nodes++;
		cr_assert_eq(hwloc_set_cpubind(aml_topology, core->cpuset,
					       HWLOC_CPUBIND_THREAD),
			     0);
		cr_assert_eq(aml_area_hwloc_preferred_local_create(&area, 0),
			     AML_SUCCESS);
		check_order(area, os);
		aml_area_hwloc_preferred_destroy(&area);
	}
	cr_assert_geq(cpu_nodes, 2);
}

Test(hwloc_placement, memory_only_node_orders_from_itself_and_from_cpus,
     .init = setup, .fini = teardown)
{
	struct aml_area *area;
	unsigned os, memory_only = NODES;

	for (os = 0; os < NODES; os++)
		if (hwloc_bitmap_iszero(node_obj(os)->cpuset) ||
		    core_of_node(os) == NULL)
			memory_only = os;
	if (memory_only == NODES &&
	    getenv("AML_TEST_MEMORY_ONLY_NODES") == NULL)
		cr_skip_test(
			"needs a memory-only node (--memory-only-nodes 1)");
	cr_assert_neq(memory_only, NODES, "no memory-only node in the VM");
	cr_assert_eq(aml_area_hwloc_preferred_create(&area,
						     node_obj(memory_only), 0),
		     AML_SUCCESS);
	check_order(area, memory_only);
	aml_area_hwloc_preferred_destroy(&area);
}

/* ------------------------------------------------------------------------
 * Spilling
 */

Test(hwloc_placement, request_larger_than_the_nearest_node_spills_to_the_next,
     .init = setup, .fini = teardown)
{
	struct aml_area_hwloc_preferred_data *d;
	size_t counts[NODES], head[NODES], tail[NODES], size, pages;
	unsigned near, next, os;
	long long free_near;
	struct aml_area *area;
	char *ptr;

	cr_assert_eq(aml_area_hwloc_preferred_create(&area, core_of_node(1), 0),
		     AML_SUCCESS);
	d = (struct aml_area_hwloc_preferred_data *)area->data;
	near = d->numanodes[0]->os_index;
	next = d->numanodes[1]->os_index;
	cr_assert_gt(numa_node_size64((int)near, &free_near), 0);
	size = ((size_t)free_near + 64 * MiB) / PAGE * PAGE;
	pages = size / PAGE;

	ptr = numa_test_map_touched(area, size);
	numa_test_count_pages(ptr, size, counts, NODES);
	cr_expect_gt(counts[near], pages / 2, "node %u got %zu of %zu pages",
		     near, counts[near], pages);
	cr_expect_geq(counts[next], 64 * MiB / PAGE,
		      "node %u got %zu pages, not the spilled 64 MiB", next,
		      counts[next]);
	cr_expect_eq(counts[near] + counts[next], pages);
	for (os = 0; os < NODES; os++)
		if (os != near && os != next)
			cr_expect_eq(counts[os], 0, "node %u got %zu pages", os,
				     counts[os]);
	/* Nearest first: the start on the near node, the end on the next. */
	numa_test_count_pages(ptr, MiB, head, NODES);
	numa_test_count_pages(ptr + size - MiB, MiB, tail, NODES);
	cr_expect_eq(head[near], MiB / PAGE);
	cr_expect_eq(tail[next], MiB / PAGE);
	cr_assert_eq(aml_area_munmap(area, ptr, size), AML_SUCCESS);
	aml_area_hwloc_preferred_destroy(&area);
}

Test(hwloc_placement, min_size_blocks_are_never_split_between_nodes,
     .init = setup, .fini = teardown)
{
	struct aml_area_hwloc_options opts = {.min_size = 48 * MiB};
	struct aml_area_hwloc_preferred_data *d;
	size_t counts[NODES], size;
	long long free_near;
	struct aml_area *area;
	unsigned near;
	char *ptr;

	cr_assert_eq(aml_area_hwloc_preferred_create(&area, core_of_node(0), 0),
		     AML_SUCCESS);
	d = (struct aml_area_hwloc_preferred_data *)area->data;
	near = d->numanodes[0]->os_index;
	cr_assert_gt(numa_node_size64((int)near, &free_near), 0);
	size = ((size_t)free_near + 100 * MiB) / opts.min_size * opts.min_size;
	ptr = aml_area_mmap(area, size, (struct aml_area_mmap_options *)&opts);
	cr_assert_not_null(ptr, "%s", aml_strerror(aml_errno));
	numa_test_no_huge_pages(ptr, size);
	memset(ptr, 1, size);
	numa_test_count_pages(ptr, size, counts, NODES);
	cr_expect_gt(counts[near], 0);
	cr_expect_eq(counts[near] % (opts.min_size / PAGE), 0,
		     "node %u got %zu pages, not whole 48 MiB blocks", near,
		     counts[near]);
	cr_assert_eq(aml_area_munmap(area, ptr, size), AML_SUCCESS);
	aml_area_hwloc_preferred_destroy(&area);
}

/* ------------------------------------------------------------------------
 * Static and created areas
 */

Test(hwloc_placement, bind_places_every_page_on_the_nodeset, .init = setup,
     .fini = teardown)
{
	size_t counts[NODES], size = 16 * MiB;
	struct aml_area *area;
	unsigned os;
	char *ptr;

	for (os = 0; os < NODES; os++) {
		cr_assert_eq(aml_area_hwloc_create(&area, node_obj(os)->nodeset,
						   HWLOC_MEMBIND_BIND),
			     AML_SUCCESS);
		ptr = numa_test_map_touched(area, size);
		numa_test_count_pages(ptr, size, counts, NODES);
		cr_expect_eq(counts[os], size / PAGE, "node %u got %zu pages",
			     os, counts[os]);
		cr_expect_eq(aml_area_hwloc_check_binding(area, ptr, size), 1);
		aml_area_munmap(area, ptr, size);
		aml_area_hwloc_destroy(&area);
	}
}

Test(hwloc_placement, interleave_spreads_pages_over_every_node, .init = setup,
     .fini = teardown)
{
	size_t counts[NODES], size = 16 * MiB, share = size / PAGE / NODES;
	unsigned os;
	char *ptr;

	ptr = numa_test_map_touched(&aml_area_hwloc_interleave, size);
	numa_test_count_pages(ptr, size, counts, NODES);
	for (os = 0; os < NODES; os++)
		cr_expect(counts[os] + 1 >= share && counts[os] <= share + 1,
			  "node %u got %zu pages, want %zu", os, counts[os],
			  share);
	cr_expect_eq(aml_area_hwloc_check_binding(&aml_area_hwloc_interleave,
						  ptr, size),
		     1);
	aml_area_munmap(&aml_area_hwloc_interleave, ptr, size);
}

Test(hwloc_placement, firsttouch_places_pages_near_the_touching_cpu,
     .init = setup, .fini = teardown)
{
	size_t counts[NODES], size = 16 * MiB;
	hwloc_obj_t core = core_of_node(2);
	char *ptr;

	cr_assert_not_null(core);
	cr_assert_eq(hwloc_set_cpubind(aml_topology, core->cpuset,
				       HWLOC_CPUBIND_THREAD),
		     0);
	ptr = numa_test_map_touched(&aml_area_hwloc_firsttouch, size);
	numa_test_count_pages(ptr, size, counts, NODES);
	cr_expect_eq(counts[2], size / PAGE, "node 2 got %zu pages", counts[2]);
	aml_area_munmap(&aml_area_hwloc_firsttouch, ptr, size);
}

Test(hwloc_placement, check_binding_tells_one_node_from_another, .init = setup,
     .fini = teardown)
{
	struct aml_area *on1, *on2;
	size_t size = MiB;
	char *ptr;

	cr_assert_eq(aml_area_hwloc_create(&on1, node_obj(1)->nodeset,
					   HWLOC_MEMBIND_BIND),
		     AML_SUCCESS);
	cr_assert_eq(aml_area_hwloc_create(&on2, node_obj(2)->nodeset,
					   HWLOC_MEMBIND_BIND),
		     AML_SUCCESS);
	ptr = numa_test_map_touched(on2, size);
	cr_expect_eq(aml_area_hwloc_check_binding(on2, ptr, size), 1);
	cr_expect_eq(aml_area_hwloc_check_binding(on1, ptr, size), 0);
	aml_area_munmap(on2, ptr, size);
	aml_area_hwloc_destroy(&on1);
	aml_area_hwloc_destroy(&on2);
}

/* One test at a time: the spilling tests fill whole nodes. */
int main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	int result = 0;

	criterion_options.jobs = 1;
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
