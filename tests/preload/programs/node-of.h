/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NUMA node of the page at an address, for the programs that the shim's
 * placement tests run (plain programs: no libnuma, the system call itself,
 * so that nothing but the shim allocates).
 */
#ifndef AML_TESTS_PRELOAD_NODE_OF_H
#define AML_TESTS_PRELOAD_NODE_OF_H

#include <numaif.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The node of the page at addr (touched), or -1. */
static inline int node_of(void *addr)
{
	int node = -1;

	if (syscall(SYS_get_mempolicy, &node, NULL, 0, addr,
		    MPOL_F_NODE | MPOL_F_ADDR) != 0)
		return -1;
	return node;
}

#endif /* AML_TESTS_PRELOAD_NODE_OF_H */
