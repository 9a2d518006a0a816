/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the 4-node VM: the blocks of jemalloc's API (mallocx with each
 * flag, rallocx of malloc's blocks) are placed by the shim's rule, page
 * by page.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include "run.h"
#include "../common/numa-test.h"

Test(interpose_numa, jemalloc_api_blocks_are_on_the_rules_node)
{
#ifdef HAVE_JEMALLOC
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=2",
					  NULL};
	char *argv[] = {PROGRAM("jemalloc_api"), "place", "2", NULL};

	numa_test_need_nodes(4);
	run_expect_ok(SHIM_PATH, argv, env, "ok");
#else
	cr_skip_test("libjemalloc-dev is not installed");
#endif
}
