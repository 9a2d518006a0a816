/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hwloc areas on this machine: the library state (aml_init builds the
 * topology, aml_finalize releases it, again and again), creation errors,
 * the static areas, mapping and check_binding.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "aml.h"
#include "aml/area/hwloc.h"
#include "aml/utils/backend/hwloc.h"
#include "../common/area-text.h"

static void init(void)
{
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
}

static void fini(void)
{
	aml_finalize();
}

static void map_touch_check_unmap(struct aml_area *area, size_t size)
{
	void *ptr = aml_area_mmap(area, size, NULL);

	cr_assert_not_null(ptr, "mmap %zu bytes: %s", size,
			   aml_strerror(aml_errno));
	memset(ptr, 0x5a, size);
	cr_expect_eq(aml_area_hwloc_check_binding(area, ptr, size), 1,
		     "%zu bytes not bound as the area says", size);
	cr_assert_eq(aml_area_munmap(area, ptr, size), AML_SUCCESS);
}

/* ------------------------------------------------------------------------
 * Library state
 */

Test(hwloc_state, init_builds_the_topology_and_its_allowed_nodes)
{
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	cr_assert_not_null(aml_topology);
	cr_assert_not_null(allowed_nodeset);
	cr_assert_gt(hwloc_bitmap_weight(allowed_nodeset), 0);
	cr_assert(hwloc_bitmap_isincluded(
		allowed_nodeset,
		hwloc_topology_get_topology_nodeset(aml_topology)));
	aml_finalize();
}

Test(hwloc_state, finalize_releases_the_topology_and_init_works_again)
{
	int round;

	for (round = 0; round < 3; round++) {
		cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
		cr_assert_not_null(aml_topology);
		cr_assert_eq(aml_finalize(), AML_SUCCESS);
		cr_assert_null(aml_topology);
		cr_assert_null(allowed_nodeset);
	}
}

Test(hwloc_state, a_missing_topology_file_fails_init)
{
	setenv("AML_TOPOLOGY", "/nonexistent/aml-topology.xml", 1);
	cr_assert_eq(aml_init(NULL, NULL), -AML_FAILURE);
	cr_assert_null(aml_topology);
	unsetenv("AML_TOPOLOGY");
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	aml_finalize();
}

Test(hwloc_state, backend_is_supported_only_after_init)
{
	cr_assert_eq(aml_support_backends(AML_BACKEND_HWLOC), 0);
	init();
	cr_assert_eq(aml_support_backends(AML_BACKEND_HWLOC), 1);
	fini();
	cr_assert_eq(aml_support_backends(AML_BACKEND_HWLOC), 0);
}

/* ------------------------------------------------------------------------
 * Before aml_init every entry point says "not supported"
 */

Test(hwloc_before_init, create_is_not_supported)
{
	struct aml_area *area = (struct aml_area *)1;

	cr_assert_eq(aml_area_hwloc_create(&area, NULL, HWLOC_MEMBIND_BIND),
		     -AML_ENOTSUP);
	cr_assert_null(area);
	cr_assert_eq(aml_errno, AML_ENOTSUP);
}

Test(hwloc_before_init, static_areas_do_not_map)
{
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&aml_area_hwloc_default, 4096, NULL));
	cr_assert_eq(aml_errno, AML_ENOTSUP);
	cr_assert_null(aml_area_mmap(&aml_area_hwloc_interleave, 4096, NULL));
	cr_assert_eq(aml_errno, AML_ENOTSUP);
	cr_assert_null(aml_area_mmap(&aml_area_hwloc_firsttouch, 4096, NULL));
	cr_assert_eq(aml_errno, AML_ENOTSUP);
}

Test(hwloc_before_init, check_binding_is_not_supported)
{
	char page[64];

	cr_assert_eq(aml_area_hwloc_check_binding(&aml_area_hwloc_default, page,
						  sizeof(page)),
		     -AML_ENOTSUP);
}

Test(hwloc_before_init, preferred_create_is_not_supported)
{
	struct aml_area *area;

	cr_assert_eq(aml_area_hwloc_preferred_local_create(
			     &area, HWLOC_DISTANCES_KIND_MEANS_LATENCY),
		     -AML_ENOTSUP);
	cr_assert_null(area);
	cr_assert_eq(aml_area_hwloc_preferred_create(
			     &area, (hwloc_obj_t)&area,
			     HWLOC_DISTANCES_KIND_MEANS_LATENCY),
		     -AML_ENOTSUP);
}

Test(hwloc_before_init, hop_matrix_is_not_supported)
{
	struct hwloc_distances_s *hops;

	cr_assert_eq(aml_hwloc_distance_hop_matrix(HWLOC_OBJ_CORE,
						   HWLOC_OBJ_CORE, &hops),
		     -AML_ENOTSUP);
}

/* ------------------------------------------------------------------------
 * Creation errors
 */

Test(hwloc_create, null_area_is_invalid, .init = init, .fini = fini)
{
	cr_assert_eq(aml_area_hwloc_create(NULL, NULL, HWLOC_MEMBIND_BIND),
		     -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(hwloc_create, empty_nodeset_is_invalid, .init = init, .fini = fini)
{
	hwloc_bitmap_t empty = hwloc_bitmap_alloc();
	struct aml_area *area;

	cr_assert_eq(aml_area_hwloc_create(&area, empty, HWLOC_MEMBIND_BIND),
		     -AML_EINVAL);
	cr_assert_null(area);
	hwloc_bitmap_free(empty);
}

Test(hwloc_create, node_outside_the_allowed_ones_is_out_of_domain, .init = init,
     .fini = fini)
{
	hwloc_bitmap_t nodes = hwloc_bitmap_dup(allowed_nodeset);
	struct aml_area *area;

	hwloc_bitmap_set(nodes,
			 (unsigned)hwloc_bitmap_last(allowed_nodeset) + 1);
	cr_assert_eq(aml_area_hwloc_create(&area, nodes, HWLOC_MEMBIND_BIND),
		     -AML_EDOM);
	cr_assert_null(area);
	cr_assert_eq(aml_errno, AML_EDOM);
	hwloc_bitmap_free(nodes);
}

Test(hwloc_create, unknown_policy_is_invalid, .init = init, .fini = fini)
{
	struct aml_area *area;

	cr_assert_eq(
		aml_area_hwloc_create(&area, NULL, (hwloc_membind_policy_t)42),
		-AML_EINVAL);
	cr_assert_eq(aml_area_hwloc_create(&area, NULL, HWLOC_MEMBIND_MIXED),
		     -AML_EINVAL);
}

Test(hwloc_create, policy_the_system_lacks_is_not_supported, .init = init,
     .fini = fini)
{
	const struct hwloc_topology_support *s =
		hwloc_topology_get_support(aml_topology);
	struct aml_area *area;

	if (s->membind->nexttouch_membind)
		cr_skip_test("this system supports next-touch");
	cr_assert_eq(
		aml_area_hwloc_create(&area, NULL, HWLOC_MEMBIND_NEXTTOUCH),
		-AML_ENOTSUP);
}

Test(hwloc_create, stores_a_copy_of_the_nodeset, .init = init, .fini = fini)
{
	hwloc_bitmap_t nodes = hwloc_bitmap_dup(allowed_nodeset);
	struct aml_area_hwloc_data *data;
	struct aml_area *area;

	cr_assert_eq(aml_area_hwloc_create(&area, nodes, HWLOC_MEMBIND_BIND),
		     AML_SUCCESS);
	hwloc_bitmap_zero(nodes);
	data = (struct aml_area_hwloc_data *)area->data;
	cr_assert(hwloc_bitmap_isequal(data->nodeset, allowed_nodeset));
	cr_assert_eq(data->policy, HWLOC_MEMBIND_BIND);
	aml_area_hwloc_destroy(&area);
	cr_assert_null(area);
	hwloc_bitmap_free(nodes);
}

Test(hwloc_create, destroy_is_null_safe)
{
	struct aml_area *area = NULL;

	aml_area_hwloc_destroy(NULL);
	aml_area_hwloc_destroy(&area);
	cr_assert_eq(aml_area_hwloc_preferred_destroy(NULL), AML_SUCCESS);
	cr_assert_eq(aml_area_hwloc_preferred_destroy(&area), AML_SUCCESS);
}

/* ------------------------------------------------------------------------
 * Mapping
 */

Test(hwloc_mmap, static_areas_map_sizes_below_at_and_above_a_page, .init = init,
     .fini = fini)
{
	static const size_t sizes[] = {256, 5000, 1 << 20};
	struct aml_area *areas[] = {&aml_area_hwloc_default,
				    &aml_area_hwloc_interleave,
				    &aml_area_hwloc_firsttouch};
	unsigned a, s;

	for (a = 0; a < 3; a++)
		for (s = 0; s < 3; s++)
			map_touch_check_unmap(areas[a], sizes[s]);
}

Test(hwloc_mmap, created_areas_map_with_every_supported_policy, .init = init,
     .fini = fini)
{
	static const hwloc_membind_policy_t policies[] = {
		HWLOC_MEMBIND_DEFAULT, HWLOC_MEMBIND_FIRSTTOUCH,
		HWLOC_MEMBIND_BIND, HWLOC_MEMBIND_INTERLEAVE};
	struct aml_area *area;
	hwloc_obj_t node = NULL;
	unsigned p;

	while ((node = hwloc_get_next_obj_by_type(
			aml_topology, HWLOC_OBJ_NUMANODE, node)) != NULL) {
		for (p = 0; p < 4; p++) {
			cr_assert_eq(aml_area_hwloc_create(&area, node->nodeset,
							   policies[p]),
				     AML_SUCCESS);
			map_touch_check_unmap(area, 1 << 20);
			aml_area_hwloc_destroy(&area);
		}
	}
}

Test(hwloc_mmap, check_binding_rejects_memory_of_another_policy, .init = init,
     .fini = fini)
{
	struct aml_area *bind;
	size_t size = 1 << 16;
	void *ptr;

	cr_assert_eq(aml_area_hwloc_create(&bind, NULL, HWLOC_MEMBIND_BIND),
		     AML_SUCCESS);
	ptr = aml_area_mmap(&aml_area_hwloc_firsttouch, size, NULL);
	cr_assert_not_null(ptr);
	cr_assert_eq(aml_area_hwloc_check_binding(bind, ptr, size), 0);
	cr_assert_eq(aml_area_hwloc_check_binding(&aml_area_hwloc_firsttouch,
						  ptr, size),
		     1);
	cr_assert_eq(aml_area_munmap(&aml_area_hwloc_firsttouch, ptr, size),
		     AML_SUCCESS);
	aml_area_hwloc_destroy(&bind);
}

Test(hwloc_mmap, check_binding_of_nothing_is_invalid, .init = init,
     .fini = fini)
{
	cr_assert_eq(aml_area_hwloc_check_binding(NULL, &init, 1), -AML_EINVAL);
	cr_assert_eq(
		aml_area_hwloc_check_binding(&aml_area_hwloc_default, NULL, 1),
		-AML_EINVAL);
}

Test(hwloc_mmap, munmap_reports_failure_with_a_negative_code, .init = init,
     .fini = fini)
{
	/* Not page aligned: the kernel refuses. */
	cr_assert_lt(aml_area_munmap(&aml_area_hwloc_default, (char *)&init + 1,
				     4096),
		     0);
	cr_assert_gt(aml_errno, 0);
}

Test(hwloc_mmap, fprintf_names_the_policy_and_nodes, .init = init, .fini = fini)
{
	char *text = area_text("x", &aml_area_hwloc_interleave, NULL);

	cr_assert_not_null(strstr(text, "x: policy: interleave\n"), "%s", text);
	cr_assert_not_null(strstr(text, "x: nodeset: allowed\n"), "%s", text);
	free(text);
}

/* ------------------------------------------------------------------------
 * Hop-count matrix
 */

Test(hwloc_hops, matrix_is_square_zero_on_the_diagonal_and_symmetric,
     .init = init, .fini = fini)
{
	struct hwloc_distances_s *hops;
	unsigned i, j, n;

	cr_assert_eq(aml_hwloc_distance_hop_matrix(HWLOC_OBJ_CORE,
						   HWLOC_OBJ_CORE, &hops),
		     0);
	n = hops->nbobjs;
	cr_assert_eq(n, (unsigned)hwloc_get_nbobjs_by_type(aml_topology,
							   HWLOC_OBJ_CORE));
	cr_assert_eq(hops->kind, HWLOC_DISTANCES_KIND_FROM_USER |
					 HWLOC_DISTANCES_KIND_MEANS_LATENCY);
	for (i = 0; i < n; i++) {
		cr_assert_eq(hops->objs[i]->type, HWLOC_OBJ_CORE);
		cr_assert_eq(hops->values[i * n + i], 0);
		for (j = 0; j < n; j++)
			cr_assert_eq(hops->values[i * n + j],
				     hops->values[j * n + i]);
	}
	free(hops);
}

Test(hwloc_hops, mixed_types_are_marked_heterogeneous, .init = init,
     .fini = fini)
{
	struct hwloc_distances_s *hops;
	unsigned cores = (unsigned)hwloc_get_nbobjs_by_type(aml_topology,
							    HWLOC_OBJ_CORE);
	unsigned nodes = (unsigned)hwloc_get_nbobjs_by_type(aml_topology,
							    HWLOC_OBJ_NUMANODE);

	cr_assert_eq(aml_hwloc_distance_hop_matrix(HWLOC_OBJ_CORE,
						   HWLOC_OBJ_NUMANODE, &hops),
		     0);
	cr_assert_eq(hops->nbobjs, cores + nodes);
	cr_assert(hops->kind & HWLOC_DISTANCES_KIND_HETEROGENEOUS_TYPES);
	cr_assert_eq(hops->objs[cores]->type, HWLOC_OBJ_NUMANODE);
	free(hops);
}

Test(hwloc_hops, null_result_is_invalid, .init = init, .fini = fini)
{
	cr_assert_eq(aml_hwloc_distance_hop_matrix(HWLOC_OBJ_CORE,
						   HWLOC_OBJ_CORE, NULL),
		     -AML_EINVAL);
}
