/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim on this machine: what it exports, the malloc contract as seen
 * by a program running under it, and real programs giving the same output
 * with and without it.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

static const char *const bind_all[] = {"AML_POLICY=bind", NULL};

static void expect_ok(char *const argv[], const char *const *env,
		      const char *want)
{
	struct run_result r = run_program(argv, SHIM_PATH, env);

	cr_assert_eq(r.status, 0, "%s exited %d: %s", argv[0], r.status, r.out);
	cr_assert(strstr(r.out, want) != NULL, "%s said: %s", argv[0], r.out);
	run_result_free(&r);
}

/* Same standard output and status with and without the shim. */
static void expect_same_output(char *const argv[])
{
	struct run_result plain = run_program(argv, NULL, NULL);
	struct run_result shim = run_program(argv, SHIM_PATH, bind_all);

	cr_assert_eq(plain.status, 0, "%s failed without the shim", argv[0]);
	cr_assert_eq(shim.status, plain.status, "%s: status %d, want %d",
		     argv[0], shim.status, plain.status);
	cr_assert_eq(shim.len, plain.len, "%s: %zu bytes of output, want %zu",
		     argv[0], shim.len, plain.len);
	cr_assert(memcmp(shim.out, plain.out, plain.len) == 0,
		  "%s: output differs", argv[0]);
	run_result_free(&plain);
	run_result_free(&shim);
}

Test(shim, exports_only_the_interposed_functions)
{
	static const char *const want =
		"_Exit _exit "
		"aligned_alloc calloc dallocx dlclose dlopen free mallctl "
		"mallctlbymib mallctlnametomib mallinfo mallinfo2 malloc "
		"malloc_stats malloc_stats_print malloc_trim "
		"malloc_usable_size "
		"mallocx memalign mmap mmap64 mremap munmap nallocx "
		"posix_memalign pvalloc rallocx realloc reallocarray sallocx "
		"sdallocx valloc xallocx ";
	char *argv[] = {"/bin/sh", "-c",
			"nm -D --defined-only " SHIM_PATH
			" | awk '{print $3}' | sort | tr '\\n' ' '",
			NULL};
	struct run_result r = run_program(argv, NULL, NULL);

	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, want);
	run_result_free(&r);
}

/* The footprint of every process: libm is not loaded (its ifunc
 * resolvers alone make 300 KiB resident); only jemalloc's profiler used
 * it. */
Test(shim, loads_no_libm)
{
	char *argv[] = {"/bin/sh", "-c",
			"readelf -d " SHIM_PATH " | grep NEEDED", NULL};
	struct run_result r = run_program(argv, NULL, NULL);

	cr_assert_eq(r.status, 0, "readelf: %s", r.out);
	cr_assert(strstr(r.out, "libc.so") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "libm.so") == NULL, "%s", r.out);
	run_result_free(&r);
}

/* ... which is why the profiler stays off whatever MALLOC_CONF says (it
 * would call libm's log through a null weak reference at once). */
Test(shim, malloc_conf_cannot_turn_the_profiler_on)
{
	static const char *const env[] = {
		"AML_POLICY=bind", "AML_NODES=0",
		"MALLOC_CONF=prof:true,prof_active:true,lg_prof_sample:0",
		NULL};
	char *argv[] = {PROGRAM("malloc_family"), "basics", NULL};

	expect_ok(argv, env, "ok");
}

Test(shim, malloc_family_keeps_its_contract)
{
	char *argv[] = {PROGRAM("malloc_family"), "basics", NULL};

	expect_ok(argv, bind_all, "ok");
}

Test(shim, malloc_family_keeps_its_contract_with_split_size_rules)
{
	static const char *const rules[] = {
		"AML_RULES=bind::1000-;default::-999", NULL};
	char *argv[] = {PROGRAM("malloc_family"), "basics", NULL};

	expect_ok(argv, rules, "ok");
}

Test(shim, pointers_from_another_allocator_are_survived)
{
	char *argv[] = {PROGRAM("malloc_family"), "foreign", NULL};

	expect_ok(argv, bind_all, "ok");
}

Test(shim, cxx_new_in_a_dlopened_library_reaches_the_shim)
{
	char *argv[] = {PROGRAM("cxx_news_driver"), PROGRAM("libcxx_news.so"),
			NULL};

	expect_ok(argv, bind_all, "0 of 256 blocks from new missed the shim");
}

Test(shim, fork_and_exec_under_threads_neither_hang_nor_crash, .timeout = 300)
{
	char *argv[] = {PROGRAM("fork_storm"), NULL};

	expect_ok(argv, bind_all, "0 of 200 children failed");
}

Test(shim, multithreaded_cxx_program_gives_the_same_output)
{
	char *argv[] = {PROGRAM("threads_cxx"), NULL};

	expect_same_output(argv);
}

Test(shim, python_gives_the_same_output)
{
	char *argv[] = {
		"/usr/bin/python3", "-c",
		"import json, re, collections\n"
		"d = {str(i): list(range(i % 50)) for i in range(20000)}\n"
		"s = json.dumps(d, sort_keys=True)\n"
		"c = collections.Counter(re.findall(r'\\d+', s))\n"
		"print(len(s), c.most_common(5))\n",
		NULL};

	expect_same_output(argv);
}

Test(shim, perl_gives_the_same_output)
{
	char *argv[] = {
		"/usr/bin/perl", "-e",
		"my %h; $h{$_ % 977} .= $_ for 1..200000;"
		"print join(',', map { length $h{$_} } sort { $a <=> $b }"
		" keys %h), \"\\n\";",
		NULL};

	expect_same_output(argv);
}

Test(shim, sort_gives_the_same_output)
{
	char *argv[] = {"/bin/sh", "-c",
			"seq 1 200000 | awk '{print ($1 * 7919) % 100003}' | "
			"LD_PRELOAD=$SORT_PRELOAD sort -n | md5sum",
			NULL};
	static const char *const with[] = {"SORT_PRELOAD=" SHIM_PATH,
					   "AML_POLICY=bind", NULL};
	struct run_result plain = run_program(argv, NULL, NULL);
	struct run_result shim = run_program(argv, NULL, with);

	cr_assert_eq(shim.status, 0);
	cr_assert_str_eq(shim.out, plain.out);
	run_result_free(&plain);
	run_result_free(&shim);
}

Test(shim, ls_recursive_gives_the_same_output)
{
	char *argv[] = {"/bin/ls", "-R", "/usr/include", NULL};

	expect_same_output(argv);
}

Test(shim, gcc_gives_the_same_output)
{
	char *argv[] = {"/bin/sh", "-c",
			"printf '#include <stdio.h>\\nint main(void)"
			"{ puts(\"hi\"); return 0; }\\n' | "
			"gcc -O2 -x c - -S -o - | grep -v ident | md5sum",
			NULL};

	expect_same_output(argv);
}

Test(shim, sqlite3_gives_the_same_output)
{
	char *argv[] = {
		"/usr/bin/sqlite3", ":memory:",
		"create table t(a, b);"
		"with recursive c(x) as (select 1 union all select x + 1"
		" from c where x < 50000) insert into t select x,"
		" hex(x * x) from c;"
		"select count(*), sum(a), max(b) from t;",
		NULL};

	if (access(argv[0], X_OK) != 0)
		cr_skip_test("sqlite3 is not installed");
	expect_same_output(argv);
}

/* ------------------------------------------------------------------------
 * The report counts memory freed before exit (the release census)
 */

/* Run argv under the shim with env, whose entry env[slot] this sets to
 * AML_REPORT=<a file>; the program's output in out, the report in text. */
static void run_reported(char *argv[], const char **env, int slot, char *out,
			 size_t outlen, char *text, size_t len)
{
	char report[64], env_report[96];
	struct run_result r;
	FILE *f;
	size_t n;

	snprintf(report, sizeof(report), "/tmp/aml-report-%d", (int)getpid());
	snprintf(env_report, sizeof(env_report), "AML_REPORT=%s", report);
	env[slot] = env_report;
	unlink(report);
	r = run_program(argv, SHIM_PATH, env);
	cr_assert_eq(r.status, 0, "%s exited %d: %s", argv[0], r.status, r.out);
	snprintf(out, outlen, "%s", r.out);
	run_result_free(&r);
	f = fopen(report, "r");
	cr_assert_not_null(f, "no report in %s", report);
	n = fread(text, 1, len - 1, f);
	text[n] = '\0';
	fclose(f);
	unlink(report);
}

/* Run release MODE MIB bound to node 0 with the report in a file; the
 * released pages of rule 0 on node 0. Freed big blocks go back to the
 * kernel at once (no big-block cache). */
static unsigned long released_on_node0(const char *mode, const char *mib)
{
	char out[256], text[4096];
	const char *env[] = {"AML_POLICY=bind", "AML_NODES=0", NULL,
			     "AML_BIG_DECAY_MS=0", NULL};
	char *argv[] = {PROGRAM("release"), (char *)mode, (char *)mib, NULL};
	unsigned long pages = 0;
	const char *at;

	run_reported(argv, env, 2, out, sizeof(out), text, sizeof(text));
	at = strstr(text, "; released pages: node0=");
	cr_assert_not_null(at, "no released pages in the report: %s", text);
	sscanf(at, "; released pages: node0=%lu", &pages);
	return pages;
}

Test(shim, report_counts_a_freed_big_block_before_its_pages_go_back)
{
	unsigned long pages = released_on_node0("malloc", "64");

	cr_assert_geq(pages, (64UL << 20) / 4096, "%lu pages released", pages);
}

Test(shim, report_counts_a_routed_mmap_before_munmap)
{
	unsigned long pages = released_on_node0("mmap", "16");

	cr_assert_geq(pages, (16UL << 20) / 4096, "%lu pages released", pages);
}

Test(shim, report_counts_the_tail_a_shrinking_mremap_gives_back)
{
	unsigned long pages = released_on_node0("shrink", "16");

	cr_assert_geq(pages, (16UL << 20) / 4096, "%lu pages released", pages);
}

/* ------------------------------------------------------------------------
 * Threads in their warm-up (init.c): no thread cache, the same contract
 */

Test(shim, short_lived_threads_keep_the_contract_and_are_counted)
{
	char out[256], text[4096];
	const char *env[] = {"AML_POLICY=bind", "AML_NODES=0", NULL, NULL};
	char *argv[] = {PROGRAM("short_threads"), "25", NULL};
	unsigned long made = 0, calls = 0;
	const char *at;

	run_reported(argv, env, 2, out, sizeof(out), text, sizeof(text));
	cr_assert_eq(sscanf(out, "ok %lu", &made), 1, "said: %s", out);
	at = strstr(text, "sizes all: ");
	cr_assert_not_null(at, "no rule line in the report: %s", text);
	sscanf(at, "sizes all: %lu calls", &calls);
	/* 600 of them by threads that never left the warm-up */
	cr_assert_geq(calls, made, "%lu calls counted, %lu made: %s", calls,
		      made, text);
}

/* ------------------------------------------------------------------------
 * The end of the process
 */

static void expect_late_frees_ok(const char *const *env, const char *want)
{
	char *argv[] = {PROGRAM("late_frees"), NULL};

	for (int i = 0; i < 20; i++) {
		struct run_result r = run_program(argv, SHIM_PATH, env);

		cr_assert_eq(r.status, 0, "run %d: exited %d: %s", i, r.status,
			     r.out);
		cr_assert(strstr(r.out, want) != NULL, "run %d said: %s", i,
			  r.out);
		run_result_free(&r);
	}
}

Test(shim, frees_after_the_shims_destructor_neither_crash_nor_corrupt)
{
	char report[64], env_report[96];
	const char *env[] = {"AML_POLICY=bind", env_report, NULL};

	snprintf(report, sizeof(report), "/tmp/aml-late-%d", (int)getpid());
	snprintf(env_report, sizeof(env_report), "AML_REPORT=%s", report);
	unlink(report);
	expect_late_frees_ok(env, "late frees: ok after the report");
	unlink(report);
}

Test(shim, frees_at_exit_with_split_size_rules_neither_crash_nor_corrupt)
{
	static const char *const env[] = {
		"AML_RULES=bind::64K-;default::-65535", NULL};

	expect_late_frees_ok(env, "late frees: ok");
}
