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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

Test(sites, unloaded_library_stops_matching)
{
	/* lib_fill's site resolves when its library comes in and leaves the
	 * table when it goes; a copy of the library under another name,
	 * loaded after, does not count for it. */
	char *argv[] = {PROGRAM("sites"), LIB, "2",
			PROGRAMS_DIR "/libsites_lib2.so", NULL};
	const char *env[] = {"AML_RULES=bind:0::site=libsites_lib.so+0x1",
			     "AML_LOG=debug", NULL};
	struct run_result r = run_program(argv, SHIM_PATH, env);
	const char *open1, *close1, *open2;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "lib2 3145728"), "%s", r.out);
	open1 = strstr(r.err, "site= rules after dlopen: 1 address ranges");
	cr_assert_not_null(open1, "%s", r.err);
	close1 = strstr(open1, "site= rules after dlclose: 0 address ranges");
	cr_assert_not_null(close1, "%s", r.err);
	open2 = strstr(close1, "site= rules after dlopen: 0 address ranges");
	cr_assert_not_null(open2, "%s", r.err);
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

/* ------------------------------------------------------------------------
 * The profile (AML_PROFILE, aml-run --profile)
 */

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f, "no %s", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The row whose function starts with fn: its bytes and allocations. */
static void expect_row(const char *tsv, const char *fn, size_t bytes,
		       size_t allocs)
{
	const char *line = tsv;

	for (; line && *line; line = strchr(line, '\n'), line += !!line) {
		size_t peak, b, a, live;
		char site[256], func[256];

		if (sscanf(line, "%zu\t%zu\t%zu\t%zu\t%255s\texact\t%255s",
			   &peak, &b, &a, &live, site, func) != 6 ||
		    strncmp(func, fn, strlen(fn)) != 0)
			continue;
		cr_assert_eq(b, bytes, "%s: %zu bytes\n%s", fn, b, tsv);
		cr_assert_eq(a, allocs, "%s: %zu allocations\n%s", fn, a, tsv);
		cr_assert_eq(peak, bytes, "%s: peak %zu\n%s", fn, peak, tsv);
		return;
	}
	cr_assert_fail("no row for %s in\n%s", fn, tsv);
}

/* Run sites with AML_PROFILE=/tmp/aml-sites-NAME.%p.tsv (one name per
 * test: they run side by side); the paths of its table and rules. */
static struct run_result profile_run(const char *name, const char *extra,
				     char *tsv, char *rules, size_t len)
{
	char *argv[] = {PROGRAM("sites"), LIB, "2", NULL};
	char var[128], cmd[128];
	const char *env[] = {var, extra, NULL};
	struct run_result r;
	FILE *f;

	snprintf(var, sizeof(var), "AML_PROFILE=/tmp/aml-sites-%s.%%p.tsv",
		 name);
	r = run_program(argv, SHIM_PATH, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	snprintf(cmd, sizeof(cmd), "ls /tmp/aml-sites-%s.*.tsv", name);
	f = popen(cmd, "r");
	cr_assert_not_null(fgets(tsv, (int)len, f));
	pclose(f);
	tsv[strcspn(tsv, "\n")] = '\0';
	snprintf(rules, len, "%s.rules", tsv);
	return r;
}

Test(sites, profile_lists_each_site_with_its_bytes_by_peak)
{
	static const char header[] = "peak_live_bytes\tbytes\tallocations\t"
				     "live_at_exit\tsite\tcounts\tfunction\n";
	char tsv[256], rules[256], *text;
	struct run_result r =
		profile_run("peaks", NULL, tsv, rules, sizeof(tsv));
	size_t last = (size_t)-1, peak;
	const char *line;

	text = slurp(tsv);
	cr_assert(!strncmp(text, header, sizeof(header) - 1), "%s", text);
	expect_row(text, "xmalloc+", 6291456, 2);
	expect_row(text, "lib_fill+", 6291456, 2); /* dlclosed before exit */
	expect_row(text, "_Znwm+", 6291456, 2);	   /* operator new */
	expect_row(text, "other_alloc+", 3 * 3145728, 3);
	for (line = strchr(text, '\n') + 1; *line;
	     line = strchr(line, '\n') + 1) {
		cr_assert_eq(sscanf(line, "%zu", &peak), 1);
		cr_assert_leq(peak, last, "not sorted by peak:\n%s", text);
		last = peak;
	}
	unlink(tsv);
	unlink(rules);
	run_result_free(&r);
}

Test(sites, profile_rules_read_back_as_they_are)
{
	char tsv[256], rules[256], var[300];
	struct run_result r = profile_run("depth", "AML_PROFILE_DEPTH=2", tsv,
					  rules, sizeof(tsv)),
			  again;
	char *argv[] = {PROGRAM("sites"), LIB, "2", NULL};
	const char *env[] = {var, "AML_REPORT=1", "AML_STRICT=1", NULL};

	snprintf(var, sizeof(var), "AML_RULES_FILE=%s", rules);
	again = run_program(argv, SHIM_PATH, env);
	cr_assert_eq(again.status, 0, "%s\n%s", again.err, slurp(rules));
	/* make_grid's call of xmalloc, seen at depth 2 */
	cr_assert(strstr(again.err, "@2: 2 allocations, 6291456 bytes"), "%s",
		  again.err);
	cr_assert_eq(strstr(again.err, "warn"), NULL, "%s", again.err);
	unlink(tsv);
	unlink(rules);
	run_result_free(&r);
	run_result_free(&again);
}

Test(sites, profile_capacity_keeps_the_sites_that_fit)
{
	char tsv[256], rules[256], *text, *rule, site[256];
	struct run_result r = profile_run("capacity", "AML_PROFILE_CAPACITY=7M",
					  tsv, rules, sizeof(tsv));
	const char *line;
	int six = 0, nine = 0;

	rule = strdup(slurp(rules));
	cr_assert_not_null(strstr(rule, "bind::4K-:site="), "%s", rule);
	text = slurp(tsv);
	/* other_alloc's 9 MiB does not fit 7 MiB; one 6 MiB site does, and
	 * then no other (smaller sites may fill the rest). */
	for (line = strchr(text, '\n') + 1; *line;
	     line = strchr(line, '\n') + 1) {
		size_t peak;

		cr_assert_eq(
			sscanf(line, "%zu\t%*u\t%*u\t%*u\t%255s", &peak, site),
			2);
		if (peak == 6291456)
			six += strstr(rule, site) != NULL;
		if (peak == 9437184)
			nine += strstr(rule, site) != NULL;
	}
	cr_assert_eq(six, 1, "%s\n%s", text, rule);
	cr_assert_eq(nine, 0, "%s\n%s", text, rule);
	free(rule);
	unlink(tsv);
	unlink(rules);
	run_result_free(&r);
}
