/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim inside programs with an allocator of their own: programs
 * linked with jemalloc mix its API with malloc's (alloc-x.c). Each
 * program checks itself and prints "ok".
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static const char *const one_rule[] = {"AML_POLICY=bind", "AML_NODES=0", NULL};
/* Rules that cut the sizes the programs use: blocks change placement
 * when they grow. */
static const char *const split_rules[] = {
	"AML_RULES=bind:0:1-1000;interleave:0:50K-", "AML_REPORT=0", NULL};

static void jemalloc_program(const char *const *extra)
{
#ifdef HAVE_JEMALLOC
	char *argv[] = {PROGRAM("jemalloc_api"), "shim", NULL};

	run_expect_ok(SHIM_PATH, argv, extra, "ok");
#else
	(void)extra;
	cr_skip_test("libjemalloc-dev is not installed");
#endif
}

Test(interpose, jemalloc_api_without_rules)
{
	jemalloc_program(NULL);
}

Test(interpose, jemalloc_api_under_one_rule)
{
	jemalloc_program(one_rule);
}

Test(interpose, jemalloc_api_under_rules_that_split_sizes)
{
	jemalloc_program(split_rules);
}
