/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The preamble of the 'numa' suite, header-only: tests whose group does not
 * add tests/common to the include path include it as
 * "../common/numa-test.h". (Not numa.h: with tests/common on the include
 * path, <numa.h> would find it instead of libnuma's.)
 *
 * These tests run inside scripts/numa-vm, where AML_TEST_NUMA_NODES is the
 * VM's node count: there a missing node is a failure; elsewhere (variable
 * unset) a machine with too few nodes skips the test. Pages are counted one
 * by one (aml_area_linux_pages_per_node, i.e. move_pages), so mappings are
 * asked for 4 KiB pages only (MADV_NOHUGEPAGE) before they are touched.
 */
#ifndef AML_TESTS_COMMON_NUMA_TEST_H
#define AML_TESTS_COMMON_NUMA_TEST_H

#include <criterion/criterion.h>
#include <numa.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "aml.h"
#include "aml/area/linux.h"

#define NUMA_TEST_PAGE ((size_t)4096)

/* NUMA nodes of this machine, ids 0 to n - 1 (1 without NUMA support). */
static inline int numa_test_nodes(void)
{
	if (numa_available() < 0)
		return 1;
	return numa_max_node() + 1;
}

/*
 * Skip the test (outside the VM) or fail it (inside, where the machine must
 * also have the AML_TEST_NUMA_NODES nodes it was started with) unless this
 * machine has `n` NUMA nodes.
 */
static inline void numa_test_need_nodes(int n)
{
	const char *vm = getenv("AML_TEST_NUMA_NODES");
	int have = numa_test_nodes();

	if (vm == NULL) {
		if (have < n)
			cr_skip_test("needs %d NUMA nodes; runs inside "
				     "scripts/numa-vm",
				     n);
		return;
	}
	cr_assert_eq(have, atoi(vm),
		     "AML_TEST_NUMA_NODES=%s but %d nodes are online", vm,
		     have);
	cr_assert_geq(have, n, "needs %d NUMA nodes, has %d", n, have);
}

/*
 * For tests that change the kernel's settings: inside the VM only (skip
 * wherever AML_TEST_NUMA_NODES is unset), with `n` NUMA nodes.
 */
static inline void numa_test_need_vm(int n)
{
	if (getenv("AML_TEST_NUMA_NODES") == NULL)
		cr_skip_test("needs %d NUMA nodes; runs inside scripts/numa-vm",
			     n);
	numa_test_need_nodes(n);
}

/* 4 KiB pages only over [p, p + size), so that pages count one by one. */
static inline void numa_test_no_huge_pages(void *p, size_t size)
{
	cr_assert_eq(madvise(p, size, MADV_NOHUGEPAGE), 0,
		     "madvise(MADV_NOHUGEPAGE) over %zu bytes", size);
}

/*
 * Map `size` bytes from `area`, 4 KiB pages only, and write to every page
 * (page i holds (char)i), so that each page is placed.
 */
static inline char *numa_test_map_touched(struct aml_area *area, size_t size)
{
	char *p = aml_area_mmap(area, size, NULL);

	cr_assert_not_null(p, "mapping %zu bytes: %s", size,
			   aml_strerror(aml_errno));
	numa_test_no_huge_pages(p, size);
	for (size_t i = 0; i < size / NUMA_TEST_PAGE; i++)
		p[i * NUMA_TEST_PAGE] = (char)i;
	return p;
}

/*
 * Pages per node of [p, p + size) into counts[0 .. max_nodes - 1]; every
 * page must be present on some node.
 */
static inline void numa_test_count_pages(const void *p, size_t size,
					 size_t *counts, int max_nodes)
{
	size_t absent = 0;

	memset(counts, 0, (size_t)max_nodes * sizeof(*counts));
	cr_assert_eq(aml_area_linux_pages_per_node(p, size, counts, max_nodes,
						   &absent),
		     0);
	cr_assert_eq(absent, 0, "%zu of the pages are on no node", absent);
}

#endif /* AML_TESTS_COMMON_NUMA_TEST_H */
