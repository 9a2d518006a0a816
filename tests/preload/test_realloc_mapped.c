/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Blocks that realloc grows past 32 KiB move into mappings of their own,
 * grown and shrunk with mremap (preload/heap.c, "Mapped blocks"); run by
 * programs/realloc_mapped.c under the shim, with one rule, none, and a
 * size rule that the growth crosses.
 */
#include <criterion/criterion.h>

#include "shim-run.h"

#define PROGRAM(name) PROGRAMS_DIR "/" name

static void expect_ok(const char *mode, const char *const *env)
{
	char *argv[] = {PROGRAM("realloc_mapped"), (char *)mode, NULL};
	struct run_result r = run_program(argv, 1, env);

	cr_assert_eq(r.status, 0, "realloc_mapped %s exited %d: %s", mode,
		     r.status, r.out);
	cr_assert(strncmp(r.out, "ok", 2) == 0, "realloc_mapped %s: %s", mode,
		  r.out);
	free(r.out);
}

static const char *const bind_all[] = {ENV_POLICY "=bind", NULL};
static const char *const no_rule[] = {NULL};
/* Growth from small to 40 MiB crosses the rule boundary at 1 MiB. */
static const char *const split[] = {
	ENV_RULES "=interleave::1M-;bind::-1048575", NULL};
static const char *const report[] = {ENV_POLICY "=bind",
				     ENV_REPORT "=1", NULL};

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
	struct run_result r = run_program(argv, 1, bind_all);

	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert(strncmp(r.out, "ok moved=", 9) == 0, "%s", r.out);
	free(r.out);
}
