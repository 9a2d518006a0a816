/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The report of a real process under the shim: the JSON report read by
 * python3's json module and by tools/aml-report, a relative report path
 * that the program's chdir does not move, and a write error said on
 * standard error.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

static char dir[] = "/tmp/aml-report-shim-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[300], out[4096];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
}

TestSuite(report_shim, .init = setup, .fini = teardown);

/* python3 under the shim, started in dir, moving to / before it allocates
 * its 8 MiB; the report asked for relative to dir. */
static void run_python(const char *const *env)
{
	char *argv[] = {"/usr/bin/python3", "-c",
			"import os; os.chdir('/'); x = bytearray(8 << 20); "
			"print(len(x))",
			NULL};
	struct run_opts o = {
		.argv = argv, .env = env, .preload = SHIM_PATH, .cwd = dir};
	struct run_result r = run_with(&o);

	cr_assert_eq(r.status, 0, "python3 exited %d: %s %s", r.status, r.out,
		     r.err);
	run_result_free(&r);
}

Test(report_shim, json_report_of_python_reads_back_in_python_and_aml_report)
{
	static const char *const env[] = {"AML_RULES=bind:0:1M-;default",
					  "AML_REPORT=reports/%p.json",
					  "AML_REPORT_FORMAT=json", NULL};
	char cmd[2048], out[8192];

	snprintf(cmd, sizeof(cmd), "mkdir %s/reports", dir);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
	run_python(env);
	/* One file, where the program started, whole. */
	snprintf(
		cmd, sizeof(cmd),
		"cd %s/reports && ls -A | wc -l | grep -qx 1 && "
		"/usr/bin/python3 -c '\n"
		"import json, glob\n"
		"(f,) = glob.glob(\"*.json\")\n"
		"r = json.load(open(f))\n"
		"assert f == \"%%d.json\" %% r[\"pid\"], f\n"
		"assert r[\"program\"].startswith(\"/usr/bin/python3\"), r\n"
		"big, small = r[\"rules\"]\n"
		"assert big[\"policy\"] == \"bind\" and big[\"nodes\"] == [0]\n"
		"assert big[\"calls\"] >= 1 and big[\"bytes\"] >= 8 << 20, "
		"big\n"
		"pages = sum(big[\"resident\"].values())\n"
		"pages += sum(big[\"released\"].values())\n"
		"assert pages >= 2048, big\n"
		"assert small[\"calls\"] > 100, small\n"
		"assert sum(r[\"rest\"][\"resident\"].values()) > 0, r\n"
		"' 2>&1",
		dir);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
	snprintf(cmd, sizeof(cmd), "%s/tools/aml-report %s/reports 2>&1",
		 getenv("AML_TEST_SOURCE_ROOT"), dir);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "rule 0 bind, sizes 1M-, nodes 0"), "%s", out);
	cr_assert(strstr(out, "not under a rule (the rest of the process)"),
		  "%s", out);
}

Test(report_shim, a_report_that_cannot_be_written_is_said_on_stderr)
{
	static const char *const env[] = {"AML_POLICY=bind",
					  "AML_REPORT=/dev/full", NULL};
	char *argv[] = {"/usr/bin/python3", "-c", "pass", NULL};
	struct run_result r = run_program(argv, SHIM_PATH, env);

	cr_assert_eq(r.status, 0, "python3 exited %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "aml-preload: cannot write the report to "
				"/dev/full: No space left on device\n"),
		  "stderr: %s", r.err);
	run_result_free(&r);
}

/* A rule that served nothing holds no page of the program's, and no
 * metadata either (its arenas are made on first use); the rule that
 * served the program shows its arenas' metadata (jemalloc's base, mapped
 * through the rule's hooks, so placed by the rule) apart from its pages. */
Test(report_shim, a_rule_without_calls_shows_no_pages)
{
	static const char *const env[] = {"AML_RULES=bind:0:1G-;default",
					  "AML_REPORT=r.json",
					  "AML_REPORT_FORMAT=json", NULL};
	char cmd[2048], out[8192];

	run_python(env);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && /usr/bin/python3 -c '\n"
		 "import json\n"
		 "r = json.load(open(\"r.json\"))\n"
		 "idle, used = r[\"rules\"]\n"
		 "assert idle[\"calls\"] == 0 and idle[\"mmaps\"] == 0, idle\n"
		 "assert idle[\"resident\"] == {}, idle\n"
		 "assert idle[\"metadata\"] == {}, idle\n"
		 "assert sum(used[\"resident\"].values()) > 0, used\n"
		 "assert sum(used[\"metadata\"].values()) > 0, used\n"
		 "' 2>&1",
		 dir);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
}

/* _exit skips destructors; the shim's _exit writes the report first, for
 * the process that started, not for a child forked without exec. */
Test(report_shim, a_program_ending_with__exit_still_reports_once)
{
	static const char *const env[] = {"AML_POLICY=bind",
					  "AML_REPORT=%p.json",
					  "AML_REPORT_FORMAT=json", NULL};
	char *argv[] = {"/usr/bin/python3", "-c",
			"import os\n"
			"x = bytearray(8 << 20)\n"
			"pid = os.fork()\n"
			"if pid == 0: os._exit(0)\n"
			"os.waitpid(pid, 0)\n"
			"print(os.getpid(), flush=True)\n"
			"os._exit(3)\n",
			NULL};
	struct run_opts o = {
		.argv = argv, .env = env, .preload = SHIM_PATH, .cwd = dir};
	struct run_result r = run_with(&o);
	char cmd[600], out[512];

	cr_assert_eq(r.status, 3, "python3 exited %d: %s", r.status, r.err);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && ls && /usr/bin/python3 -c 'import json; "
		 "json.load(open(\"%d.json\"))' 2>&1",
		 dir, atoi(r.out));
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
	snprintf(cmd, sizeof(cmd), "%d.json\n", atoi(r.out));
	cr_assert_str_eq(out, cmd, "one report, the parent's: %s", out);
	run_result_free(&r);
}
