/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim inside programs with an allocator of their own: programs
 * linked with jemalloc mix its API with malloc's (alloc-x.c); programs
 * built with mimalloc or tcmalloc get the shim out of their way
 * (foreign.c); malloc_trim, mallinfo2 and malloc_stats speak of the
 * shim's heap (mallinfo.c). Each program checks itself and prints "ok".
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
static const char *const no_decay[] = {"AML_DIRTY_DECAY_MS=-1",
				       "AML_BIG_DECAY_MS=-1", NULL};

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

/* The standard error of program under the shim and one rule; it must
 * print "ok". */
static char *stderr_of(const char *program)
{
	char *argv[] = {(char *)program, NULL};
	struct run_result r = run_program(argv, SHIM_PATH, one_rule);
	char *err = strdup(r.err);

	cr_assert_eq(r.status, 0, "%s exited %d: %s", program, r.status, r.out);
	cr_assert(strncmp(r.out, "ok", 2) == 0, "%s: %s", program, r.out);
	run_result_free(&r);
	return err;
}

/* The shim steps aside: no crash in the other allocator's free, no leak
 * of its blocks given to free, and one message that says so. */
static void other_allocator(const char *program)
{
	char *err = stderr_of(program);
	int lines = 0;

	cr_assert(strstr(err, "the program has its own allocator") != NULL,
		  "no message: %s", err);
	for (const char *p = err; (p = strstr(p, "aml-preload:")) != NULL; p++)
		lines++;
	cr_assert_eq(lines, 1, "one message expected: %s", err);
	free(err);
}

Test(interpose, mimalloc_program)
{
#ifdef HAVE_MIMALLOC
	other_allocator(PROGRAM("with_mimalloc"));
#else
	cr_skip_test("libmimalloc-dev is not installed");
#endif
}

Test(interpose, tcmalloc_program)
{
#ifdef HAVE_TCMALLOC
	other_allocator(PROGRAM("with_tcmalloc"));
#else
	cr_skip_test("libgoogle-perftools-dev is not installed");
#endif
}

/* A library that only carries an allocator's name (mi_malloc over
 * malloc) is no reason to step aside. */
Test(interpose, allocator_name_without_its_malloc_keeps_the_shim)
{
	char *err = stderr_of(PROGRAM("beside_glibc"));

	cr_assert(strstr(err, "own allocator") == NULL, "%s", err);
	free(err);
}

Test(interpose, mallinfo2_follows_the_bytes_in_use)
{
	char *argv[] = {PROGRAM("heap_info"), "info", NULL};

	run_expect_ok(SHIM_PATH, argv, no_decay, "ok");
}

Test(interpose, malloc_trim_gives_freed_memory_back)
{
	char *argv[] = {PROGRAM("heap_info"), "trim", NULL};

	run_expect_ok(SHIM_PATH, argv, no_decay, "ok");
}

Test(interpose, malloc_stats_prints_the_shims_heap)
{
	char *argv[] = {PROGRAM("heap_info"), "stats", NULL};

	run_expect_ok(SHIM_PATH, argv, NULL, "ok");
}
