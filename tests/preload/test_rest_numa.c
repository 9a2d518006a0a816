/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rest of the process, page by page, inside the 4-node VM: a thread's
 * stack, the brk heap and static data follow one rule that covers all
 * sizes (as under numactl --membind), and stay where the program runs
 * under per-size rules, where the report's last line says they are.
 * (auto is asked for: the default leaves the process policy alone.)
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "run.h"
#include "../common/numa-test.h"

/* rest_memory pages CPU (CPU 0: on node 0) under env. */
static struct run_result run_pages(const char *const *env)
{
	char *argv[] = {PROGRAM("rest_memory"), "pages", "0", NULL};
	struct run_result r = run_program(argv, SHIM_PATH, env);

	cr_assert_eq(r.status, 0, "exited %d: %s", r.status, r.err);
	return r;
}

Test(rest_numa, membind_with_auto_puts_stacks_brk_and_static_data_on_the_node)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=2",
					  "AML_REST=auto", NULL};
	struct run_result r;

	numa_test_need_nodes(4);
	r = run_pages(env);
	cr_assert_str_eq(r.out,
			 "stack node2=63\nbrk node2=4096\nstatic node2=2047\n",
			 "stderr: %s", r.err);
	run_result_free(&r);
}

Test(rest_numa, rest_setting_places_them_beside_per_size_rules)
{
	static const char *const env[] = {"AML_RULES=bind:2:1M-;default",
					  "AML_REST=bind:3", NULL};
	struct run_result r;

	numa_test_need_nodes(4);
	r = run_pages(env);
	cr_assert_str_eq(r.out,
			 "stack node3=63\nbrk node3=4096\nstatic node3=2047\n",
			 "stderr: %s", r.err);
	run_result_free(&r);
}

Test(rest_numa, per_size_rules_leave_them_where_the_program_runs)
{
	static const char *const env[] = {"AML_RULES=bind:2:1M-;default",
					  "AML_REPORT=stderr", NULL};
	struct run_result r;
	unsigned long pages = 0;
	const char *line;

	numa_test_need_nodes(4);
	r = run_pages(env);
	/* First touch, on CPU 0's node. */
	cr_assert_str_eq(r.out,
			 "stack node0=63\nbrk node0=4096\nstatic node0=2047\n",
			 "stderr: %s", r.err);
	line = strstr(r.err, "aml: rest of the process: resident pages: ");
	cr_assert_not_null(line, "%s", r.err);
	line = strstr(line, " node0=");
	cr_assert_not_null(line, "%s", r.err);
	sscanf(line, " node0=%lu", &pages);
	cr_assert_geq(pages, 4096 + 2047 + 63, "%s", r.err);
	cr_assert_null(strstr(r.err, "placed as"), "%s", r.err);
	run_result_free(&r);
}
