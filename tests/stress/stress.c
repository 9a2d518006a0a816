/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stress and fault tests of the shim on any machine: cross-thread frees
 * under a fork/exec storm, dlopen/dlclose cycles, running out of address
 * space, running out of mappings, frees after the shim's teardown, and a
 * setuid run that must ignore the environment. Each program runs under a
 * watchdog; a hang is a failure, not a stuck test.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

static const char *const bind_all[] = {"AML_POLICY=bind", NULL};
static const char *const split_rules[] = {
	"AML_RULES=bind::64K-;default::-65535", NULL};

static void expect_ok(char *const argv[], const char *const *env,
		      const char *want)
{
	struct run_opts o = {.argv = argv,
			     .env = env,
			     .preload = SHIM_PATH,
			     .timeout_s = 100};
	struct run_result r = run_with(&o);

	cr_assert_not(r.timed_out, "%s hung: %s", argv[0], r.out);
	cr_assert_eq(r.status, 0, "%s exited %d: %s%s", argv[0], r.status,
		     r.out, r.err);
	cr_assert(strstr(r.out, want) != NULL, "%s said: %s", argv[0], r.out);
	run_result_free(&r);
}

TestSuite(stress, .timeout = 150);

/* ------------------------------------------------------------------------
 * Threads, fork and exec
 */

Test(stress, blocks_freed_by_other_threads_arrive_intact_during_fork_storms)
{
	char *argv[] = {PROGRAM("xthread_fork"), "4", "4000", "2", "100", NULL};

	expect_ok(argv, bind_all,
		  "16000 blocks crossed threads, 0 corrupt; 200 forks, 0 "
		  "failed");
}

Test(stress, cross_thread_frees_under_split_size_rules_arrive_intact)
{
	char *argv[] = {PROGRAM("xthread_fork"), "4", "4000", "2", "100", NULL};

	expect_ok(argv, split_rules,
		  "16000 blocks crossed threads, 0 corrupt; 200 forks, 0 "
		  "failed");
}

/* ------------------------------------------------------------------------
 * dlopen and dlclose
 */

Test(stress,
     a_library_allocating_in_its_constructor_and_threads_survives_dlopen_cycles)
{
	char *argv[] = {PROGRAM("dl_churn"), PROGRAM("libdl_churn_lib.so"),
			"500", NULL};

	expect_ok(argv, bind_all, "500 dlopen/dlclose cycles ok");
}

/* ------------------------------------------------------------------------
 * Running out
 */

Test(stress, out_of_address_space_every_call_returns_null_with_enomem)
{
	char *argv[] = {PROGRAM("out_of_memory"), "limits", NULL};
	struct run_opts o = {.argv = argv,
			     .env = bind_all,
			     .preload = SHIM_PATH,
			     .address_space = 512UL << 20};
	struct run_result r = run_with(&o);

	cr_assert_eq(r.status, 0, "exited %d: %s%s", r.status, r.out, r.err);
	cr_assert_str_eq(r.out, "OK after the failures\n");
	run_result_free(&r);
}

Test(stress, filling_the_address_space_ends_in_null_and_the_program_goes_on)
{
	char *argv[] = {PROGRAM("out_of_memory"), "fill", NULL};
	struct run_opts o = {.argv = argv,
			     .env = bind_all,
			     .preload = SHIM_PATH,
			     .address_space = 512UL << 20};
	struct run_result r = run_with(&o);
	long blocks = 0;

	cr_assert_eq(r.status, 0, "exited %d: %s%s", r.status, r.out, r.err);
	cr_assert_eq(sscanf(r.out, "%ld blocks", &blocks), 1, "%s", r.out);
	cr_assert_gt(blocks, 0, "nothing fitted under 512 MiB: %s", r.out);
	cr_assert(strstr(r.out, "OK after the failures\n"), "%s", r.out);
	run_result_free(&r);
}

Test(stress, at_the_map_count_limit_routed_mmap_and_malloc_fail_cleanly)
{
	char *argv[] = {PROGRAM("out_of_memory"), "maps", NULL};
	struct run_opts o = {.argv = argv,
			     .env = bind_all,
			     .preload = SHIM_PATH,
			     .timeout_s = 120};
	struct run_result r = run_with(&o);
	long maps = 0;

	cr_assert_not(r.timed_out, "hung: %s", r.out);
	cr_assert_eq(r.status, 0, "exited %d: %s%s", r.status, r.out, r.err);
	cr_assert_eq(sscanf(r.out, "%ld one-page", &maps), 1, "%s", r.out);
	cr_assert(strstr(r.out, "OK after the failures\n"), "%s", r.out);
	run_result_free(&r);
}

/* ------------------------------------------------------------------------
 * The end of the process
 */

Test(stress,
     frees_from_thread_locals_key_destructors_and_atexit_after_the_report)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_REPORT=1",
					  NULL};
	char *argv[] = {PROGRAM("late_frees_cxx"), "4", NULL};

	for (int i = 0; i < 20; i++) {
		struct run_opts o = {.argv = argv,
				     .env = env,
				     .preload = SHIM_PATH,
				     .timeout_s = 60};
		struct run_result r = run_with(&o);

		cr_assert_eq(r.status, 0, "run %d: exited %d: %s", i, r.status,
			     r.err);
		cr_assert_str_eq(r.out, "late frees: 200 strings at exit\n",
				 "run %d", i);
		cr_assert(strstr(r.err, "aml: report pid ") &&
				  strstr(r.err, "aml: rule 0 bind"),
			  "run %d: no report: %s", i, r.err);
		run_result_free(&r);
	}
}

/* ------------------------------------------------------------------------
 * setuid: the environment is not the user's to trust
 */

/* A setuid-nobody copy of env_probe_linked (which needs the shim by its
 * absolute RUNPATH, as LD_PRELOAD is dropped for secure programs) in a
 * fresh directory; NULL when this sandbox cannot make one. */
static char *setuid_copy(char *dir, size_t len)
{
	static char path[128];
	struct passwd *nobody = getpwnam("nobody");
	char cmd[512], out[4096];

	if (geteuid() != 0 || !nobody)
		return NULL;
	snprintf(dir, len, "/tmp/aml-setuid-XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0755) != 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/env_probe", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", PROGRAM("env_probe_linked"),
		 path);
	if (run_shell(cmd, out, sizeof(out)) != 0 ||
	    chown(path, nobody->pw_uid, 0) != 0 || chmod(path, 04755) != 0)
		return NULL;
	return path;
}

/*
 * Run a setuid-nobody copy of env_probe_linked in env; skips the test where
 * no such program can be made or the kernel does not mark it AT_SECURE.
 * Checks that it ran as a secure program with the default placement.
 */
static struct run_result run_setuid_probe(const char *const *env)
{
	char dir[64] = "", cmd[128], out[4096];
	char *path = setuid_copy(dir, sizeof(dir));
	char *argv[] = {path, NULL};
	struct run_opts o = {.argv = argv, .env = env};
	struct run_result r;

	if (!path)
		cr_skip_test("cannot make a setuid-nobody program here (not "
			     "root, no user nobody, or /tmp is nosuid)");
	r = run_with(&o);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
	if (strstr(r.out, "secure=0"))
		cr_skip_test("setuid did not set AT_SECURE here (nosuid?)");
	cr_assert_eq(r.status, 0, "exited %d: %s", r.status, r.err);
	cr_assert_str_eq(r.out,
			 "ok heap=default mmap=default secure=1 shim=1\n");
	return r;
}

Test(stress, a_setuid_program_ignores_the_environment_even_strict)
{
	static const char *const env[] = {"AML_POLICY=garbage", "AML_STRICT=1",
					  NULL};
	struct run_result r = run_setuid_probe(env);

	cr_assert_str_eq(r.err, "");
	run_result_free(&r);
}

Test(stress, the_same_program_without_setuid_reads_the_environment)
{
	static const char *const env[] = {"AML_POLICY=garbage", "AML_STRICT=1",
					  NULL};
	char *argv[] = {PROGRAM("env_probe_linked"), NULL};
	struct run_opts o = {.argv = argv, .env = env};
	struct run_result r = run_with(&o);

	cr_assert_eq(r.status, 1, "exited %d: %s", r.status, r.out);
	cr_assert_str_eq(r.out, "");
	cr_assert(strstr(r.err, "AML_POLICY=\"garbage\""), "%s", r.err);
	run_result_free(&r);
}

Test(stress, a_setuid_program_is_not_bound_by_the_environment)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=0",
					  NULL};
	struct run_result r = run_setuid_probe(env);

	run_result_free(&r);
}
