/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A statically linked program under aml-run: no shim can be loaded into
 * it, so aml-run sets the process memory policy before exec when one rule
 * covers all sizes (the program is placed as a whole, page by page), and
 * says so; with per-size rules it says they cannot apply. In the unit
 * suite the policy is checked (one node: every page is on it anyway); in
 * the numa suite the pages too, on node 2 of the VM.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define MPOL_DEFAULT_MODE 0
#define MPOL_BIND_MODE 2
#define MPOL_INTERLEAVE_MODE 3

static char output[8192];

/* The node to bind to: 2 in the VM (4 nodes), else 0. */
static int target_node(void)
{
	const char *n = getenv("AML_TEST_NUMA_NODES");

	return n && atoi(n) >= 3 ? 2 : 0;
}

/* Run aml-run OPTIONS -- static_policy NODE; stdout and stderr. */
static int run_static(const char *options, int node)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "unset AML_POLICY AML_NODES AML_SIZE AML_RULES AML_REPORT "
		 "AML_LOG LD_PRELOAD; %s %s -- %s %d 2>&1",
		 test_aml_run_path(), options, STATIC_PROGRAM, node);
	return run_shell(cmd, output, sizeof(output));
}

static void parse(int *mode, int *pages, int *on)
{
	const char *line = strstr(output, "policy=");

	cr_assert(line != NULL, "%s", output);
	cr_assert_eq(sscanf(line, "policy=%d pages=%d on=%d", mode, pages, on),
		     3, "%s", output);
}

Test(aml_run_static, one_rule_for_all_sizes_places_the_whole_program)
{
	char options[64];
	int node = target_node(), mode, pages, on;

	snprintf(options, sizeof(options), "--membind=%d", node);
	cr_assert_eq(run_static(options, node), 0, "%s", output);
	parse(&mode, &pages, &on);
	cr_assert_eq(mode, MPOL_BIND_MODE, "%s", output);
	/* 8 MiB static data, 16 MiB heap, 256 KiB stack */
	cr_assert_geq(pages, 5000, "%s", output);
	cr_assert_eq(on, pages, "pages off node %d: %s", node, output);
	cr_assert(strstr(output, "is statically linked: the shim cannot be "
				 "loaded into it; all its memory is placed "
				 "with the process memory policy (bind nodes "),
		  "%s", output);
}

Test(aml_run_static, interleave_is_the_process_policy_too)
{
	int mode, pages, on;

	cr_assert_eq(run_static("--interleave=all --log=quiet", 0), 0, "%s",
		     output);
	parse(&mode, &pages, &on);
	cr_assert_eq(mode, MPOL_INTERLEAVE_MODE, "%s", output);
	cr_assert(strstr(output, "aml-run:") == NULL, "quiet: %s", output);
}

Test(aml_run_static, per_size_rules_cannot_apply_and_it_says_so)
{
	int mode, pages, on;

	cr_assert_eq(run_static("--membind=0 --size=1M --report", 0), 0, "%s",
		     output);
	parse(&mode, &pages, &on);
	cr_assert_eq(mode, MPOL_DEFAULT_MODE, "%s", output);
	cr_assert(strstr(output, "per-size rules cannot apply to it") &&
			  strstr(output, "no report will be written"),
		  "%s", output);
}

Test(aml_run_static, dynamic_programs_get_no_process_policy)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "unset AML_POLICY AML_NODES AML_RULES LD_PRELOAD; "
		 "AML_RUN_PRELOAD=%s/libaml.so %s --membind=0 -- numactl "
		 "--show 2>&1",
		 test_need_env("AML_TEST_LIB_DIR"), test_aml_run_path());
	cr_assert_eq(run_shell(cmd, output, sizeof(output)), 0, "%s", output);
	cr_assert(strstr(output, "policy: default"), "%s", output);
	cr_assert(strstr(output, "statically linked") == NULL, "%s", output);
}
