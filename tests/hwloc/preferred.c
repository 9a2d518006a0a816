/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The preferred area's node order, driven by XML topologies loaded through
 * AML_TOPOLOGY (no VM needed): a synthetic machine of 2 packages x 2 NUMA
 * nodes with one core each (core i is local to node i), with and without
 * distance matrices. Mapping is checked on this machine's own topology.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "aml.h"
#include "aml/area/hwloc.h"
#include "aml/area/linux.h"
#include "aml/utils/backend/hwloc.h"
#include "../common/area-text.h"
#include "topology.h"

#define SYNTHETIC "pack:2 numa:2 core:1 pu:1"
#define NODES 4

/* A line of nodes: 0 - 1 - 2 - 3. */
static const unsigned latency[NODES * NODES] = {
	10, 20, 30, 40, 20, 10, 20, 30, 30, 20, 10, 20, 40, 30, 20, 10,
};

/* Bandwidth that disagrees with the latency: node 3 is best for all. */
static const unsigned bandwidth[NODES * NODES] = {
	50, 10, 20, 90, 10, 50, 20, 90, 20, 20, 50, 90, 90, 90, 90, 50,
};

static char *xml_path;

static void load_xml(const struct test_matrix *matrices, unsigned n)
{
	xml_path = test_topology_xml(SYNTHETIC, matrices, n);
	setenv("AML_TOPOLOGY", xml_path, 1);
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	cr_assert_eq(hwloc_get_nbobjs_by_type(aml_topology, HWLOC_OBJ_NUMANODE),
		     NODES, "the XML topology was not loaded");
}

static void unload_xml(void)
{
	aml_finalize();
	unsetenv("AML_TOPOLOGY");
	if (xml_path != NULL)
		test_topology_remove(xml_path);
	xml_path = NULL;
}

static void with_latency(void)
{
	const struct test_matrix m[] = {
		{HWLOC_DISTANCES_KIND_FROM_USER |
			 HWLOC_DISTANCES_KIND_MEANS_LATENCY,
		 latency},
	};

	load_xml(m, 1);
}

static void with_latency_and_bandwidth(void)
{
	const struct test_matrix m[] = {
		{HWLOC_DISTANCES_KIND_FROM_USER |
			 HWLOC_DISTANCES_KIND_MEANS_LATENCY,
		 latency},
		{HWLOC_DISTANCES_KIND_FROM_USER |
			 HWLOC_DISTANCES_KIND_MEANS_BANDWIDTH,
		 bandwidth},
	};

	load_xml(m, 2);
}

static void without_distances(void)
{
	load_xml(NULL, 0);
}

/* The order (os indexes) of a preferred area from `initiator`. */
static void preferred_order(hwloc_obj_t initiator, unsigned long kind,
			    unsigned *order)
{
	struct aml_area_hwloc_preferred_data *data;
	struct aml_area *area;
	unsigned k;

	cr_assert_eq(
		aml_area_hwloc_preferred_create(
			&area, initiator, (enum hwloc_distances_kind_e)kind),
		AML_SUCCESS);
	data = (struct aml_area_hwloc_preferred_data *)area->data;
	cr_assert_eq(data->num_nodes, NODES);
	for (k = 0; k < NODES; k++)
		order[k] = data->numanodes[k]->os_index;
	aml_area_hwloc_preferred_destroy(&area);
	cr_assert_null(area);
}

static void expect_order(hwloc_obj_t initiator, unsigned long kind,
			 const unsigned *expected)
{
	unsigned order[NODES];
	char want[64], got[64];

	preferred_order(initiator, kind, order);
	cr_expect_arr_eq(order, expected, sizeof(order),
			 "from %s L#%u: want %s, got %s",
			 hwloc_obj_type_string(initiator->type),
			 initiator->logical_index,
			 test_order_string(expected, NODES, want, sizeof(want)),
			 test_order_string(order, NODES, got, sizeof(got)));
}

static hwloc_obj_t obj(hwloc_obj_type_t type, unsigned i)
{
	hwloc_obj_t o = hwloc_get_obj_by_type(aml_topology, type, i);

	cr_assert_not_null(o);
	return o;
}

/* ------------------------------------------------------------------------
 * Order from a distance matrix
 */

Test(hwloc_preferred_xml, latency_orders_nodes_from_each_core_like_the_matrix,
     .init = with_latency, .fini = unload_xml)
{
	unsigned core, expected[NODES];

	for (core = 0; core < NODES; core++) {
		test_order_from_row(&latency[core * NODES], NODES, 0, expected);
		expect_order(obj(HWLOC_OBJ_CORE, core),
			     HWLOC_DISTANCES_KIND_MEANS_LATENCY, expected);
	}
}

Test(hwloc_preferred_xml, equal_distances_keep_the_logical_order,
     .init = with_latency, .fini = unload_xml)
{
	/* From node 1, nodes 0 and 2 are both at 20. */
	static const unsigned expected[NODES] = {1, 0, 2, 3};

	expect_order(obj(HWLOC_OBJ_CORE, 1), 0, expected);
}

Test(hwloc_preferred_xml, a_numa_node_orders_from_itself, .init = with_latency,
     .fini = unload_xml)
{
	static const unsigned expected[NODES] = {3, 2, 1, 0};

	expect_order(obj(HWLOC_OBJ_NUMANODE, 3), 0, expected);
}

Test(hwloc_preferred_xml, a_package_orders_by_the_mean_of_its_nodes,
     .init = with_latency, .fini = unload_xml)
{
	/* Package 1 holds nodes 2 and 3: means 35, 25, 15, 15. */
	static const unsigned expected[NODES] = {2, 3, 1, 0};

	expect_order(obj(HWLOC_OBJ_PACKAGE, 1), 0, expected);
}

Test(hwloc_preferred_xml, bandwidth_orders_the_largest_value_first,
     .init = with_latency_and_bandwidth, .fini = unload_xml)
{
	unsigned core, expected[NODES];

	for (core = 0; core < NODES; core++) {
		test_order_from_row(&bandwidth[core * NODES], NODES, 1,
				    expected);
		expect_order(obj(HWLOC_OBJ_CORE, core),
			     HWLOC_DISTANCES_KIND_MEANS_BANDWIDTH, expected);
	}
}

Test(hwloc_preferred_xml, kind_selects_the_latency_matrix,
     .init = with_latency_and_bandwidth, .fini = unload_xml)
{
	unsigned expected[NODES];

	test_order_from_row(&latency[0], NODES, 0, expected);
	expect_order(obj(HWLOC_OBJ_CORE, 0),
		     HWLOC_DISTANCES_KIND_FROM_USER |
			     HWLOC_DISTANCES_KIND_MEANS_LATENCY,
		     expected);
}

Test(hwloc_preferred_xml, matrix_round_trips_through_the_xml_file,
     .init = with_latency, .fini = unload_xml)
{
	struct hwloc_distances_s *d;
	unsigned nr = 1, i;

	cr_assert_eq(hwloc_distances_get(aml_topology, &nr, &d,
					 HWLOC_DISTANCES_KIND_FROM_USER, 0),
		     0);
	cr_assert_eq(nr, 1);
	cr_assert_eq(d->nbobjs, NODES);
	for (i = 0; i < NODES * NODES; i++)
		cr_assert_eq(d->values[i], latency[i]);
	hwloc_distances_release(aml_topology, d);
}

/* ------------------------------------------------------------------------
 * Without distances: hop counts in the tree
 */

Test(hwloc_preferred_xml, without_distances_the_order_follows_hop_counts,
     .init = without_distances, .fini = unload_xml)
{
	/* Own node, the other node of the package, then the far package. */
	static const unsigned expected[NODES][NODES] = {
		{0, 1, 2, 3},
		{1, 0, 2, 3},
		{2, 3, 0, 1},
		{3, 2, 0, 1},
	};
	unsigned core;

	for (core = 0; core < NODES; core++)
		expect_order(obj(HWLOC_OBJ_CORE, core),
			     HWLOC_DISTANCES_KIND_MEANS_LATENCY,
			     expected[core]);
}

Test(hwloc_preferred_xml, a_kind_no_matrix_has_falls_back_to_hop_counts,
     .init = with_latency, .fini = unload_xml)
{
	static const unsigned expected[NODES] = {3, 2, 0, 1};

	expect_order(obj(HWLOC_OBJ_CORE, 3),
		     HWLOC_DISTANCES_KIND_FROM_OS |
			     HWLOC_DISTANCES_KIND_MEANS_BANDWIDTH,
		     expected);
}

/* ------------------------------------------------------------------------
 * Errors
 */

Test(hwloc_preferred_errors, null_area_or_initiator_is_invalid,
     .init = with_latency, .fini = unload_xml)
{
	struct aml_area *area;

	cr_assert_eq(aml_area_hwloc_preferred_create(NULL,
						     obj(HWLOC_OBJ_CORE, 0), 0),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_hwloc_preferred_create(&area, NULL, 0),
		     -AML_EINVAL);
	cr_assert_null(area);
	cr_assert_eq(aml_errno, AML_EINVAL);
	cr_assert_eq(aml_area_hwloc_preferred_local_create(NULL, 0),
		     -AML_EINVAL);
}

Test(hwloc_preferred_errors, initiator_of_another_topology_is_invalid,
     .init = with_latency, .fini = unload_xml)
{
	hwloc_topology_t other;
	struct aml_area *area;

	cr_assert_eq(hwloc_topology_init(&other), 0);
	cr_assert_eq(hwloc_topology_set_synthetic(other, SYNTHETIC), 0);
	cr_assert_eq(hwloc_topology_load(other), 0);
	cr_assert_eq(aml_area_hwloc_preferred_create(
			     &area,
			     hwloc_get_obj_by_type(other, HWLOC_OBJ_CORE, 1),
			     0),
		     -AML_EINVAL);
	cr_assert_null(area);
	hwloc_topology_destroy(other);
}

Test(hwloc_preferred_errors, area_of_a_finalized_topology_does_not_map,
     .fini = unload_xml)
{
	struct aml_area *area;

	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	cr_assert_eq(aml_area_hwloc_preferred_create(
			     &area, obj(HWLOC_OBJ_NUMANODE, 0), 0),
		     AML_SUCCESS);
	aml_finalize();
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	cr_assert_null(aml_area_mmap(area, 4096, NULL));
	cr_assert_eq(aml_errno, AML_ENOTSUP);
	aml_area_hwloc_preferred_destroy(&area);
}

/* ------------------------------------------------------------------------
 * Mapping on this machine
 */

static void init_live(void)
{
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
}

Test(hwloc_preferred_mmap, maps_on_the_nearest_node, .init = init_live,
     .fini = unload_xml)
{
	hwloc_obj_t first;
	size_t size = 1 << 20, counts[AML_BITMAP_MAX] = {0}, absent = 0;
	struct aml_area *area;
	char *ptr;

	cr_assert_eq(aml_area_hwloc_preferred_local_create(&area, 0),
		     AML_SUCCESS);
	first = ((struct aml_area_hwloc_preferred_data *)area->data)
			->numanodes[0];
	ptr = aml_area_mmap(area, size, NULL);
	cr_assert_not_null(ptr, "%s", aml_strerror(aml_errno));
	memset(ptr, 1, size);
	cr_assert_eq(aml_area_linux_pages_per_node(ptr, size, counts,
						   AML_BITMAP_MAX, &absent),
		     0);
	cr_assert_eq(counts[first->os_index] * 4096, size);
	cr_assert_eq(aml_area_munmap(area, ptr, size), AML_SUCCESS);
	aml_area_hwloc_preferred_destroy(&area);
}

Test(hwloc_preferred_mmap, more_than_every_node_holds_is_out_of_memory,
     .init = init_live, .fini = unload_xml)
{
	struct aml_area *area;
	hwloc_uint64_t total = 0;
	hwloc_obj_t node = NULL;

	while ((node = hwloc_get_next_obj_by_type(
			aml_topology, HWLOC_OBJ_NUMANODE, node)) != NULL)
		total += node->attr->numanode.local_memory;
	cr_assert_gt(total, 0);
	cr_assert_eq(aml_area_hwloc_preferred_local_create(&area, 0),
		     AML_SUCCESS);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(area, (size_t)total * 2, NULL));
	cr_assert_eq(aml_errno, AML_ENOMEM);
	aml_area_hwloc_preferred_destroy(&area);
}

Test(hwloc_preferred_mmap, fprintf_lists_the_nodes_nearest_first,
     .init = with_latency, .fini = unload_xml)
{
	struct aml_area *area;
	char *text;

	cr_assert_eq(aml_area_hwloc_preferred_create(&area,
						     obj(HWLOC_OBJ_CORE, 2), 0),
		     AML_SUCCESS);
	text = area_text("p", area, NULL);
	cr_assert_not_null(strstr(text, "p: nodes (nearest first): 2 1 3 0\n"),
			   "%s", text);
	free(text);
	aml_area_hwloc_preferred_destroy(&area);
}
