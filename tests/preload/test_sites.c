/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * site= rules in a running program (programs/sites.c, PIE, under the
 * shim): each site's requests counted under its rule in the exit report,
 * and the messages for a missing function, an unknown module and a
 * stripped program. Node by node placement: test_sites_numa.c.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

#define LIB PROGRAMS_DIR "/libsites_lib.so"

/* The three sites as sites.c makes them, one rule each. */
#define THREE_RULES                                                 \
	"AML_RULES=bind:0::site=make_grid@2;bind:0::site=lib_fill;" \
	"bind:0::site=_Z9cxx_arraym@3"

static struct run_result run_sites(const char *program, const char *rules,
				   const char *strict)
{
	char *argv[] = {(char *)program, LIB, "2", NULL};
	const char *env[] = {rules, "AML_REPORT=1", strict, NULL};

	return run_program(argv, SHIM_PATH, env);
}

Test(sites, each_site_counted_under_its_rule)
{
	struct run_result r =
		run_sites(PROGRAM("sites"), THREE_RULES, "AML_LOG=warn");

	cr_assert_eq(r.status, 0, "%s", r.err);
	/* Two 3 MiB arrays per site, nothing else from there. */
	cr_assert(strstr(r.err, "site=make_grid@2: 2 calls 6.0 MiB"), "%s",
		  r.err);
	cr_assert(strstr(r.err, "sites make_grid@2: 2 allocations, 6291456 "
				"bytes"),
		  "%s", r.err);
	cr_assert(strstr(r.err, "sites lib_fill@1: 2 allocations, 6291456 "
				"bytes"),
		  "%s", r.err);
	cr_assert(strstr(r.err, "sites _Z9cxx_arraym@3: 2 allocations, "
				"6291456 bytes"),
		  "%s", r.err);
	run_result_free(&r);
}

Test(sites, depth_one_does_not_see_through_the_wrapper)
{
	struct run_result r = run_sites(
		PROGRAM("sites"),
		"AML_RULES=bind:0::site=make_grid;bind:0::site=xmalloc", NULL);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "sites make_grid@1: 0 allocations, 0 bytes"),
		  "%s", r.err);
	cr_assert(strstr(r.err, "sites xmalloc@1: 2 allocations, 6291456 "
				"bytes"),
		  "%s", r.err);
	run_result_free(&r);
}

Test(sites, module_offset_of_a_return_address)
{
	/* The return address into lib_fill, from the report of a function
	 * rule, named back as MODULE+0xOFFSET: the same two requests. */
	char rule[128], *at;
	unsigned long off = 0;
	struct run_result r;
	FILE *nm = popen("objdump -d --no-show-raw-insn " LIB
			 " | awk '/<lib_fill>:/{f=1} f&&/call/{getline; "
			 "print $1; exit}'",
			 "r");

	cr_assert_not_null(nm);
	cr_assert_eq(fscanf(nm, "%lx", &off), 1, "no call in lib_fill");
	pclose(nm);
	snprintf(rule, sizeof(rule),
		 "AML_RULES=bind:0::site=libsites_lib.so+0x%lx", off);
	r = run_sites(PROGRAM("sites"), rule, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	at = strstr(r.err, "sites libsites_lib.so+0x");
	cr_assert_not_null(at, "%s", r.err);
	cr_assert(strstr(at, ": 2 allocations, 6291456 bytes"), "%s", r.err);
	run_result_free(&r);
}

Test(sites, missing_function_warns_and_runs)
{
	struct run_result r = run_sites(
		PROGRAM("sites"), "AML_RULES=bind:0::site=no_such_fn", NULL);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "aml-preload: site=no_such_fn: no function "
				"\"no_such_fn\" in the program or its "
				"libraries' symbol tables"),
		  "%s", r.err);
	cr_assert(strstr(r.err, "sites no_such_fn@1: 0 allocations"), "%s",
		  r.err);
	run_result_free(&r);
}

Test(sites, unknown_module_warns)
{
	struct run_result r =
		run_sites(PROGRAM("sites"),
			  "AML_RULES=bind:0::site=libnone.so+0x10", NULL);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "site=libnone.so+0x...: no module "
				"\"libnone.so\" is loaded"),
		  "%s", r.err);
	run_result_free(&r);
}

Test(sites, stripped_program_says_so_and_strict_stops)
{
	struct run_result r =
		run_sites(PROGRAM("sites_stripped"),
			  "AML_RULES=bind:0::site=make_grid@2", "AML_STRICT=1");

	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "no function \"make_grid\""), "%s", r.err);
	cr_assert(strstr(r.err, "sites_stripped has no .symtab (stripped): "
				"name its code as MODULE+0xOFFSET"),
		  "%s", r.err);
	cr_assert(strstr(r.err, "strict mode: exiting"), "%s", r.err);
	cr_assert_eq(strstr(r.out, "grid"), NULL, "ran after the stop");
	run_result_free(&r);
}
