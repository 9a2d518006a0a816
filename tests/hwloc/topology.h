/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the hwloc tests: synthetic XML topologies and node orders. */
#ifndef AML_TESTS_HWLOC_TOPOLOGY_H
#define AML_TESTS_HWLOC_TOPOLOGY_H

#include <hwloc.h>

/* A distance matrix to attach to a synthetic topology. */
struct test_matrix {
	unsigned long kind;	/* HWLOC_DISTANCES_KIND_* */
	const unsigned *values; /* nodes x nodes, row-major */
};

/*
 * Write the synthetic topology `description` with the given NUMA-node
 * matrices (may be 0) to an XML file in a fresh temporary directory;
 * returns its malloc'd path. Fails the test on error.
 */
char *test_topology_xml(const char *description,
			const struct test_matrix *matrices, unsigned nmatrices);

/* Remove the file and its directory; frees `path`. */
void test_topology_remove(char *path);

/*
 * The order a distance row gives: node indexes sorted by row[i]
 * (descending if `largest_first`), ties by index.
 */
void test_order_from_row(const unsigned *row, unsigned n, int largest_first,
			 unsigned *order);

/* "a b c" into buf, for messages. */
const char *test_order_string(const unsigned *order, unsigned n, char *buf,
			      size_t size);

#endif
