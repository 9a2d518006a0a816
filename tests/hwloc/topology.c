/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hwloc.h>

#include "topology.h"

static void add_matrix(hwloc_topology_t t, const struct test_matrix *m)
{
	unsigned i,
		n = (unsigned)hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
	hwloc_obj_t objs[64];
	hwloc_uint64_t values[64 * 64];
	hwloc_distances_add_handle_t h;

	cr_assert_leq(n, 64);
	for (i = 0; i < n; i++)
		objs[i] = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, i);
	for (i = 0; i < n * n; i++)
		values[i] = m->values[i];
	h = hwloc_distances_add_create(t, NULL, m->kind, 0);
	cr_assert_not_null(h);
	cr_assert_eq(hwloc_distances_add_values(t, h, n, objs, values, 0), 0);
	cr_assert_eq(hwloc_distances_add_commit(t, h, 0), 0);
}

char *test_topology_xml(const char *description,
			const struct test_matrix *matrices, unsigned nmatrices)
{
	char dir[] = "/tmp/aml-hwloc-test-XXXXXX";
	hwloc_topology_t t;
	char *path;
	unsigned i;

	cr_assert_not_null(mkdtemp(dir));
	path = malloc(strlen(dir) + sizeof("/topology.xml"));
	cr_assert_not_null(path);
	sprintf(path, "%s/topology.xml", dir);

	cr_assert_eq(hwloc_topology_init(&t), 0);
	cr_assert_eq(hwloc_topology_set_synthetic(t, description), 0);
	cr_assert_eq(hwloc_topology_load(t), 0);
	for (i = 0; i < nmatrices; i++)
		add_matrix(t, &matrices[i]);
	cr_assert_eq(hwloc_topology_export_xml(t, path, 0), 0);
	hwloc_topology_destroy(t);
	return path;
}

void test_topology_remove(char *path)
{
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	free(path);
}

void test_order_from_row(const unsigned *row, unsigned n, int largest_first,
			 unsigned *order)
{
	unsigned i, j, tmp;
	int before;

	for (i = 0; i < n; i++)
		order[i] = i;
	/* Insertion sort: stable, so ties stay in index order. */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0; j--) {
			before = largest_first
					 ? row[order[j]] > row[order[j - 1]]
					 : row[order[j]] < row[order[j - 1]];
			if (!before)
				break;
			tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	}
}

const char *test_order_string(const unsigned *order, unsigned n, char *buf,
			      size_t size)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%u",
					 i ? " " : "", order[i]);
	return buf;
}
