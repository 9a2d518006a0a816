/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * site= rules page by page inside the 4-node VM: programs/sites.c (PIE)
 * makes arrays at three sites (a wrapper, a dlopened library, C++ new)
 * and a fourth that no rule names; the rules put each named site on a
 * node of its own, and every page of every array is counted by node.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "../common/numa-test.h"

#define LIB PROGRAMS_DIR "/libsites_lib.so"
#define PAGES_OF(bytes) ((bytes) / (size_t)sysconf(_SC_PAGESIZE))

/* Every line "NAME BYTES n0 .. n7" of out for name: all its pages on
 * node. Returns the lines seen. */
static int pages_on(const char *out, const char *name, int node)
{
	const char *line = out;
	int lines = 0;

	while ((line = strstr(line, name)) != NULL) {
		size_t bytes, n[8];

		if ((line == out || line[-1] == '\n') &&
		    sscanf(line + strlen(name),
			   " %zu %zu %zu %zu %zu %zu %zu %zu %zu", &bytes,
			   &n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6],
			   &n[7]) == 9) {
			lines++;
			cr_assert_eq(n[node], PAGES_OF(bytes),
				     "%s: %zu of %zu pages on node %d\n%s",
				     name, n[node], PAGES_OF(bytes), node, out);
		}
		line += strlen(name);
	}
	return lines;
}

static void expect_three_nodes(const char *const *env)
{
	char *argv[] = {PROGRAM("sites"), LIB, "2", NULL};
	struct run_result r = run_program(argv, SHIM_PATH, env);

	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_eq(pages_on(r.out, "grid", 1), 2);
	cr_assert_eq(pages_on(r.out, "lib", 2), 2);
	cr_assert_eq(pages_on(r.out, "cxx", 3), 2);
	run_result_free(&r);
}

Test(sites_numa, each_site_on_its_own_node)
{
	static const char *const env[] = {
		"AML_RULES=bind:1::site=make_grid@2;bind:2::site=lib_fill;"
		"bind:3::site=_Z9cxx_arraym@3",
		NULL};

	numa_test_need_nodes(4);
	expect_three_nodes(env);
}

Test(sites_numa, site_rules_win_over_a_size_rule_that_takes_the_rest)
{
	static const char *const env[] = {
		"AML_RULES=bind:0:1M-;bind:1::site=make_grid@2;"
		"bind:2::site=lib_fill;bind:3::site=_Z9cxx_arraym@3",
		NULL};
	char *argv[] = {PROGRAM("sites"), LIB, "2", NULL};
	struct run_result r;

	numa_test_need_nodes(4);
	r = run_program(argv, SHIM_PATH, env);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_eq(pages_on(r.out, "grid", 1), 2);
	cr_assert_eq(pages_on(r.out, "lib", 2), 2);
	cr_assert_eq(pages_on(r.out, "cxx", 3), 2);
	cr_assert_eq(pages_on(r.out, "other", 0), 2);
	/* After dlclose the library's site is gone; the rest still holds. */
	cr_assert_eq(pages_on(r.out, "after", 0), 1);
	run_result_free(&r);
}

Test(sites_numa, same_placement_from_a_rules_file)
{
	char path[] = "/tmp/aml-sites-XXXXXX", var[64];
	static const char text[] = "# one site per node\n"
				   "bind:1::site=make_grid@2\n"
				   "bind:2::site=lib_fill\n"
				   "bind:3::site=_Z9cxx_arraym@3\n";
	const char *env[] = {var, NULL};
	int fd = mkstemp(path);

	numa_test_need_nodes(4);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, sizeof(text) - 1),
		     (ssize_t)sizeof(text) - 1);
	close(fd);
	snprintf(var, sizeof(var), "AML_RULES_FILE=%s", path);
	expect_three_nodes(env);
	unlink(path);
}

Test(sites_numa, profile_rules_reproduce_the_placement)
{
	char *argv[] = {PROGRAM("sites"), LIB, "2", NULL};
	static const char *const prof[] = {
		"AML_PROFILE=/tmp/aml-sites-numa.tsv", "AML_PROFILE_DEPTH=2",
		NULL};
	static const char *const env[] = {
		"AML_RULES_FILE=/tmp/aml-sites-numa.rules", "AML_STRICT=1",
		NULL};
	struct run_result r;

	numa_test_need_nodes(4);
	r = run_program(argv, SHIM_PATH, prof);
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_result_free(&r);
	/* The suggested rules with the fast tier filled in: node 1. */
	cr_assert_eq(system("sed 's/^bind::/bind:1:/' "
			    "/tmp/aml-sites-numa.tsv.rules "
			    "> /tmp/aml-sites-numa.rules"),
		     0);
	r = run_program(argv, SHIM_PATH, env);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_eq(pages_on(r.out, "grid", 1), 2);
	cr_assert_eq(pages_on(r.out, "lib", 1), 2);
	cr_assert_eq(pages_on(r.out, "cxx", 1), 2);
	run_result_free(&r);
	unlink("/tmp/aml-sites-numa.tsv");
	unlink("/tmp/aml-sites-numa.tsv.rules");
	unlink("/tmp/aml-sites-numa.rules");
}
