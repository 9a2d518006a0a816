/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rest of the process (AML_REST): the process memory policy a program
 * finds under the shim, on any machine (node 0). Where the pages land is
 * counted in the VM (test_rest_numa.c).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

static void expect_policy(const char *const *env, const char *want)
{
	char *argv[] = {PROGRAM("rest_memory"), "policy", NULL};
	struct run_result r = run_program(argv, SHIM_PATH, env);

	cr_assert_eq(r.status, 0, "exited %d: %s", r.status, r.err);
	cr_assert_str_eq(r.out, want, "stderr: %s", r.err);
	run_result_free(&r);
}

Test(rest, by_default_the_process_policy_is_left_alone)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=0",
					  NULL};

	expect_policy(env, "mode 0 nodes 0x0\n"); /* MPOL_DEFAULT */
}

Test(rest, auto_places_the_whole_process_as_one_rule_for_all_sizes)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=0",
					  "AML_REST=auto", NULL};

	expect_policy(env, "mode 2 nodes 0x1\n"); /* MPOL_BIND */
}

Test(rest, per_size_rules_leave_the_process_policy_alone)
{
	static const char *const env[] = {"AML_RULES=bind:0:1M-;default", NULL};

	expect_policy(env, "mode 0 nodes 0x0\n"); /* MPOL_DEFAULT */
}

Test(rest, auto_leaves_it_alone_under_no_mmap)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=0",
					  "AML_MMAP=0", "AML_REST=auto", NULL};

	expect_policy(env, "mode 0 nodes 0x0\n");
}

Test(rest, the_setting_places_the_rest_beside_per_size_rules)
{
	static const char *const env[] = {"AML_RULES=bind:0:1M-;default",
					  "AML_REST=interleave:0", NULL};

	expect_policy(env, "mode 3 nodes 0x1\n"); /* MPOL_INTERLEAVE */
}

Test(rest, none_keeps_the_policy_the_program_was_started_with)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=0",
					  "AML_REST=none", NULL};

	expect_policy(env, "mode 0 nodes 0x0\n");
}

Test(rest, an_invalid_setting_places_nothing)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=0",
					  "AML_REST=bind:0:1M", NULL};

	expect_policy(env, "mode 0 nodes 0x0\n");
}

Test(rest, the_report_says_how_the_rest_was_placed)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=0",
					  "AML_REST=bind:0",
					  "AML_REPORT=stderr", NULL};
	char *argv[] = {PROGRAM("rest_memory"), "pages", NULL};
	struct run_result r = run_program(argv, SHIM_PATH, env);
	const char *line;
	unsigned long pages = 0;

	cr_assert_eq(r.status, 0, "exited %d: %s", r.status, r.err);
	line = strstr(r.err, "aml: rest of the process: resident pages: "
			     "node0=");
	cr_assert_not_null(line, "%s", r.err);
	sscanf(line, "aml: rest of the process: resident pages: node0=%lu",
	       &pages);
	/* 16 MiB of brk heap, 8 MiB of static data, a 256 KiB stack. */
	cr_assert_geq(pages, 4096 + 2047 + 63, "%s", r.err);
	cr_assert(strstr(line, "; placed as bind nodes 0 (process memory "
			       "policy)\n"),
		  "%s", r.err);
	run_result_free(&r);
}
