/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Linux area made in place (aml_area_linux_init): everything it needs
 * lives in the caller's storage, it maps and binds as a created area does,
 * and it refuses what it cannot bind.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "aml.h"
#include "aml/area/linux.h"

#define MiB ((size_t)1 << 20)

static struct aml_bitmap node_mask(int node)
{
	struct aml_bitmap mask;

	aml_bitmap_zero(&mask);
	aml_bitmap_set(&mask, (unsigned int)node);
	return mask;
}

/* True if [p, p + len) lies inside the object at base of size size. */
static int inside(const void *p, size_t len, const void *base, size_t size)
{
	const char *c = p, *b = base;

	return c >= b && c + len <= b + size;
}

static int policy_mode_at(void *ptr)
{
	int mode = -1;

	cr_assert_eq(get_mempolicy(&mode, NULL, 0, ptr, MPOL_F_ADDR), 0);
	return mode;
}

Test(linux_area_static, keeps_its_data_and_nodes_in_the_callers_storage)
{
	struct aml_area_linux_static storage;
	struct aml_bitmap mask = node_mask(0);
	struct aml_area_linux_data *data;

	cr_assert_eq(aml_area_linux_init(&storage, &mask,
					 AML_AREA_LINUX_POLICY_BIND),
		     AML_SUCCESS);
	data = (struct aml_area_linux_data *)storage.area.data;
	cr_assert_eq(storage.area.ops, &aml_area_linux_ops);
	cr_assert(inside(data, sizeof(*data), &storage, sizeof(storage)));
	cr_assert(inside(data->nodeset, sizeof(*data->nodeset), &storage,
			 sizeof(storage)));
	cr_assert(inside(data->nodeset->maskp, sizeof(mask.mask), &storage,
			 sizeof(storage)));
	/* A copy: changing the caller's mask afterwards changes nothing. */
	aml_bitmap_set(&mask, 1);
	cr_assert_eq(numa_bitmask_isbitset(data->nodeset, 0), 1);
	cr_assert_eq(numa_bitmask_isbitset(data->nodeset, 1), 0);
}

Test(linux_area_static, binds_what_it_maps_through_the_area_api)
{
	struct aml_area_linux_static storage;
	struct aml_bitmap mask = node_mask(0);
	struct aml_area *area = &storage.area;
	size_t on_node0[1] = {0};
	char *p;

	cr_assert_eq(aml_area_linux_init(&storage, &mask,
					 AML_AREA_LINUX_POLICY_BIND),
		     AML_SUCCESS);
	p = aml_area_mmap(area, MiB, NULL);
	cr_assert_not_null(p, "aml_errno %d", aml_errno);
	memset(p, 1, MiB);
	cr_assert_eq(policy_mode_at(p), MPOL_BIND);
	cr_assert_eq(aml_area_linux_check_binding(
			     (struct aml_area_linux_data *)area->data, p, MiB),
		     1);
	cr_assert_eq(aml_area_linux_pages_per_node(p, MiB, on_node0, 1, NULL),
		     0);
	cr_assert_eq(on_node0[0], MiB / (size_t)sysconf(_SC_PAGESIZE));
	cr_assert_eq(aml_area_munmap(area, p, MiB), AML_SUCCESS);
}

Test(linux_area_static, default_policy_ignores_the_mask_and_binds_nothing)
{
	struct aml_area_linux_static storage;
	char *p;

	cr_assert_eq(aml_area_linux_init(&storage, NULL,
					 AML_AREA_LINUX_POLICY_DEFAULT),
		     AML_SUCCESS);
	cr_assert_null(
		((struct aml_area_linux_data *)storage.area.data)->nodeset);
	p = aml_area_mmap(&storage.area, MiB, NULL);
	cr_assert_not_null(p, "aml_errno %d", aml_errno);
	memset(p, 1, MiB);
	cr_assert_eq(policy_mode_at(p), MPOL_DEFAULT);
	cr_assert_eq(aml_area_munmap(&storage.area, p, MiB), AML_SUCCESS);
}

Test(linux_area_static, refuses_null_storage_a_bad_policy_and_no_nodes)
{
	struct aml_area_linux_static storage;
	struct aml_bitmap mask = node_mask(0), empty;

	aml_bitmap_zero(&empty);
	cr_assert_eq(
		aml_area_linux_init(NULL, &mask, AML_AREA_LINUX_POLICY_BIND),
		-AML_EINVAL);
	cr_assert_eq(aml_area_linux_init(&storage, &mask,
					 (enum aml_area_linux_policy)42),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_linux_init(&storage, NULL,
					 AML_AREA_LINUX_POLICY_INTERLEAVE),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_linux_init(&storage, &empty,
					 AML_AREA_LINUX_POLICY_BIND),
		     -AML_EINVAL);
}
