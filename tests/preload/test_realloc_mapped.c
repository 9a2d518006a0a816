/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Blocks that realloc grows past 32 KiB move into mappings of their own,
 * grown and shrunk with mremap (preload/heap.c, "Mapped blocks"); run by
 * programs/realloc_mapped.c under the shim, with one rule, none, and a
 * size rule that the growth crosses.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

static void expect_ok(const char *mode, const char *const *env)
{
	char *argv[] = {PROGRAM("realloc_mapped"), (char *)mode, NULL};

	run_expect_ok(SHIM_PATH, argv, env, "ok");
}

static const char *const bind_all[] = {"AML_POLICY=bind", NULL};
static const char *const no_rule[] = {NULL};
/* Growth from small to 40 MiB crosses the rule boundary at 1 MiB. */
static const char *const split[] = {"AML_RULES=interleave::1M-;bind::-1048575",
				    NULL};
static const char *const report[] = {"AML_POLICY=bind", "AML_REPORT=1", NULL};

Test(realloc_mapped, growth_and_shrinking_keep_the_content)
{
	expect_ok("content", bind_all);
	expect_ok("content", no_rule);
	expect_ok("content", split);
	expect_ok("content", report);
}

Test(realloc_mapped, a_block_is_grown_and_freed_by_another_thread)
{
	expect_ok("threads", bind_all);
	expect_ok("threads", split);
}

Test(realloc_mapped, a_fork_child_grows_and_frees_its_copy)
{
	expect_ok("fork", bind_all);
	expect_ok("fork", no_rule);
}

Test(realloc_mapped, blocks_moved_by_growth_keep_their_content)
{
	char *argv[] = {PROGRAM("realloc_mapped"), "place", "ffffffff", NULL};

	run_expect_ok(SHIM_PATH, argv, bind_all, "ok moved=");
}
