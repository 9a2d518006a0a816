/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the 4-node VM: a weighted rule (nodes 0 and 3 at 3:1, 4 MiB and
 * up) beside a bound rule (node 1, below) under a real program
 * (programs/weighted.c): pages counted node by node against the ratio for
 * a fresh block, a block grown by realloc (mremap), a block from the
 * big-block stash and one allocated in a forked child; the small block
 * stays on node 1; the exit report gives the asked ratio.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "../common/numa-test.h"

#define RULES "AML_RULES=weighted:0,3/3,1:4M-;bind:1"

/* The counts of one line "what n0 n1 n2 n3 elsewhere" of the output. */
static void counts_of(const char *out, const char *what, size_t n[5])
{
	char key[32];
	const char *line;

	snprintf(key, sizeof(key), "%s ", what);
	line = strstr(out, key);
	cr_assert_not_null(line, "no \"%s\" line in:\n%s", what, out);
	cr_assert_eq(sscanf(line + strlen(key), "%zu %zu %zu %zu %zu", &n[0],
			    &n[1], &n[2], &n[3], &n[4]),
		     5, "%s", line);
}

/* 3:1 over nodes 0 and 3, each within one stripe (at most 2 MiB: 512
 * pages) of its share; nothing on nodes 1 and 2. */
static void expect_ratio(const char *out, const char *what)
{
	size_t n[5], total;
	long want0, want3;

	counts_of(out, what, n);
	total = n[0] + n[1] + n[2] + n[3] + n[4];
	want0 = (long)(total * 3 / 4);
	want3 = (long)(total / 4);
	cr_expect_eq(n[1] + n[2] + n[4], 0, "%s: pages off nodes 0 and 3:\n%s",
		     what, out);
	cr_expect(labs((long)n[0] - want0) <= 512 &&
			  labs((long)n[3] - want3) <= 512,
		  "%s: %zu on node 0, %zu on node 3, not 3:1 of %zu\n%s", what,
		  n[0], n[3], total, out);
}

Test(weighted_numa, weighted_and_bound_rules_side_by_side)
{
	static const char *const env[] = {RULES, "AML_REPORT=stderr", NULL};
	char *argv[] = {PROGRAM("weighted"), NULL};
	struct run_result r;
	size_t n[5];

	numa_test_need_nodes(4);
	r = run_program(argv, SHIM_PATH, env);
	cr_assert_eq(r.status, 0, "exit %d\n%s\n%s", r.status, r.out, r.err);
	expect_ratio(r.out, "big");
	expect_ratio(r.out, "grown");
	expect_ratio(r.out, "reused");
	expect_ratio(r.out, "child");
	counts_of(r.out, "small", n);
	cr_expect_eq(n[1], 16, "small block off node 1:\n%s", r.out);
	cr_expect(strstr(r.err, "weighted nodes 0,3 weights 0:3,3:1 sizes "
				"4M-") != NULL,
		  "the report lacks the weighted rule's ratio:\n%s", r.err);
	run_result_free(&r);
}
