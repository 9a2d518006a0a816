/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the 4-node VM: blocks that realloc grows into mappings of their
 * own, grown with mremap (in place or moved) up to 8 MiB and shrunk, keep
 * every page on the rule's nodes, also when their size changes rule
 * (programs/realloc_mapped.c "place").
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "../common/numa-test.h"

static void expect_placed(const char *mask, const char *small,
			  const char *const *env)
{
	char *argv[] = {PROGRAM("realloc_mapped"), "place", (char *)mask,
			(char *)small, NULL};

	run_expect_ok(SHIM_PATH, argv, env, "ok moved=");
}

Test(realloc_mapped_numa, grown_blocks_stay_on_the_bound_node)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=1",
					  NULL};

	numa_test_need_nodes(4);
	expect_placed("2", "2", env);
}

Test(realloc_mapped_numa, grown_blocks_follow_the_rule_of_their_size)
{
	/* Blocks start small on node 1, go on from 1 MiB on node 2 (the
	 * whole mapping, its pages moved there), and back to node 1 below
	 * 1 MiB. */
	static const char *const env[] = {
		"AML_RULES=bind:2:1M-;bind:1:-1048575", NULL};

	numa_test_need_nodes(4);
	expect_placed("4", "2", env);
}
