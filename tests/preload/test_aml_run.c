/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * aml-run as a user sees it: what it tells, what it refuses, what the
 * target program gets. The mechanics tests preload libaml.so (harmless)
 * through AML_RUN_PRELOAD, so that they do not depend on the shim's state.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../preload/settings.h"
#include "run.h"

static char output[65536];

static const char *harmless_preload(void)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/libaml.so",
		 test_need_env("AML_TEST_LIB_DIR"));
	return path;
}

/* Run "aml-run ARGS" through sh; output gets stdout and stderr. Returns
 * the exit status. */
__attribute__((format(printf, 1, 2))) static int run(const char *fmt, ...)
{
	char args[2048], cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd),
		 "unset AML_POLICY AML_NODES AML_SIZE AML_RULES AML_MMAP "
		 "AML_REPORT AML_LOG AML_STRICT LD_PRELOAD; "
		 "export AML_RUN_PRELOAD=%s; %s %s 2>&1",
		 harmless_preload(), test_aml_run_path(), args);
	return run_shell(cmd, output, sizeof(output));
}

/* ------------------------------------------------------------------------
 * What it tells
 */

Test(aml_run, help_lists_every_setting_of_the_table)
{
	size_t i;

	cr_assert_eq(run("--help"), 0);
	for (i = 0; i < shim_settings_count; i++) {
		cr_assert(strstr(output, shim_settings[i].name), "%s missing",
			  shim_settings[i].name);
		cr_assert(strstr(output, shim_settings[i].help), "help of %s",
			  shim_settings[i].name);
		cr_assert(strstr(output, shim_settings[i].fallback),
			  "default of %s", shim_settings[i].name);
	}
}

Test(aml_run, help_lists_the_numactl_like_options)
{
	static const char *const options[] = {
		"--membind=NODES",  "--interleave=NODES",
		"--preferred=NODE", "--size=MIN[:MAX]",
		"--rule=",	    "--no-mmap",
		"--report[=FILE]",  "--log=LEVEL",
		"--strict",	    "--dry-run",
		"--help",	    "--version",
	};
	size_t i;

	cr_assert_eq(run("-h"), 0);
	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		cr_assert(strstr(output, options[i]), "%s missing", options[i]);
}

Test(aml_run, version_names_the_library_version)
{
	cr_assert_eq(run("--version"), 0);
	cr_assert(!strncmp(output, "aml-run (libaml) ", 17), "%s", output);
}

Test(aml_run, checked_in_manual_page_is_what_man_generates)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "--man | cmp - %s/preload/aml-run.1",
		 test_need_env("AML_TEST_SOURCE_ROOT"));
	cr_assert_eq(run("%s", cmd), 0,
		     "preload/aml-run.1 is stale: aml-run --man > "
		     "preload/aml-run.1\n%s",
		     output);
}

Test(aml_run, manual_page_documents_every_setting)
{
	size_t i;

	cr_assert_eq(run("--man"), 0);
	for (i = 0; i < shim_settings_count; i++) {
		char entry[64];

		snprintf(entry, sizeof(entry), ".B %s\n",
			 shim_settings[i].name);
		cr_assert(strstr(output, entry), "%s missing",
			  shim_settings[i].name);
	}
}

Test(aml_run, dry_run_prints_the_environment_and_the_parsed_rules)
{
	char want[2048];

	cr_assert_eq(run("--interleave=0 --size=1M --report --dry-run -- "
			 "./app x"),
		     0, "%s", output);
	snprintf(want, sizeof(want),
		 "AML_POLICY=interleave\n"
		 "AML_NODES=0\n"
		 "AML_SIZE=1M\n"
		 "AML_REPORT=stderr\n"
		 "LD_PRELOAD=%s\n"
		 "rule 0: interleave nodes 0 sizes 1M-\n"
		 "command: ./app x\n",
		 harmless_preload());
	cr_assert_str_eq(output, want);
}

Test(aml_run, dry_run_shows_rules_in_order)
{
	cr_assert_eq(run("--rule=bind:0:1M- -r default::-4K --no-mmap "
			 "--dry-run"),
		     0, "%s", output);
	cr_assert(strstr(output, "AML_RULES=bind:0:1M-;default::-4K\n"
				 "AML_MMAP=0\n"),
		  "%s", output);
	cr_assert(strstr(output, "rule 0: bind nodes 0 sizes 1M-\n"
				 "rule 1: default sizes -4K\n"),
		  "%s", output);
}

/* ------------------------------------------------------------------------
 * What it refuses: status 2 and one line
 */

Test(aml_run, bad_setting_exits_2_with_the_parsers_message)
{
	cr_assert_eq(run("--membind=0-1023 -- true"), 2);
	cr_assert(!strncmp(output, "aml-run: AML_NODES=\"0-1023\": node ", 34),
		  "%s", output);
	cr_assert(strstr(output, " does not exist (allowed nodes: "), "%s",
		  output);
}

Test(aml_run, bad_size_exits_2)
{
	cr_assert_eq(run("--size=1X -- true"), 2);
	cr_assert_str_eq(output, "aml-run: AML_SIZE=\"1X\": bad size \"1X\" "
				 "(a number of bytes with an optional K, M "
				 "or G)\n");
}

Test(aml_run, unknown_option_exits_2)
{
	cr_assert_eq(run("--fast -- true"), 2);
	cr_assert_str_eq(output, "aml-run: unknown option --fast (see "
				 "aml-run --help)\n");
}

Test(aml_run, missing_value_exits_2)
{
	cr_assert_eq(run("--membind"), 2);
	cr_assert_str_eq(output, "aml-run: missing value for --membind (see "
				 "aml-run --help)\n");
}

Test(aml_run, two_policies_exit_2)
{
	cr_assert_eq(run("--membind=0 --interleave=0 -- true"), 2);
	cr_assert_str_eq(output, "aml-run: --membind and --interleave cannot "
				 "be combined (see aml-run --help)\n");
}

Test(aml_run, rule_and_policy_options_exit_2)
{
	cr_assert_eq(run("--rule=bind --membind=0 -- true"), 2);
	cr_assert_str_eq(output, "aml-run: --rule and --membind cannot be "
				 "combined (see aml-run --help)\n");
}

Test(aml_run, no_program_exits_2)
{
	cr_assert_eq(run("--membind=0"), 2);
	cr_assert_str_eq(output, "aml-run: no program to run (see aml-run "
				 "--help)\n");
}

Test(aml_run, bad_environment_is_refused_too)
{
	cr_assert_eq(
		run("-- true; AML_LOG=loud %s -- true", test_aml_run_path()),
		2);
	cr_assert_str_eq(output, "aml-run: AML_LOG=\"loud\": unknown log "
				 "level (use quiet, warn, info, debug or "
				 "0-3)\n");
}

/* ------------------------------------------------------------------------
 * What the target gets
 */

Test(aml_run, exit_status_of_the_program_is_aml_runs)
{
	cr_assert_eq(run("-- sh -c 'exit 3'"), 3, "%s", output);
	cr_assert_eq(run("--membind=0 sh -c 'exit 0'"), 0, "%s", output);
}

Test(aml_run, program_that_cannot_run_gives_127)
{
	cr_assert_eq(run("-- /nonexistent/program"), 127);
	cr_assert_str_eq(output, "aml-run: cannot run /nonexistent/program: "
				 "No such file or directory\n");
}

Test(aml_run, program_gets_the_settings_and_the_shim_first_in_ld_preload)
{
	char want[4096];

	cr_assert_eq(run("--membind=0 --report=/tmp/r.%%p --strict -- sh -c "
			 "'echo \"$AML_POLICY $AML_NODES $AML_REPORT "
			 "$AML_STRICT $LD_PRELOAD\"'"),
		     0, "%s", output);
	snprintf(want, sizeof(want), "bind 0 /tmp/r.%%p 1 %s\n",
		 harmless_preload());
	cr_assert_str_eq(output, want);
}

Test(aml_run, existing_ld_preload_is_kept_after_the_shim)
{
	char want[4096];

	cr_assert_eq(run("-- true; LD_PRELOAD=%s %s -- sh -c 'echo "
			 "\"$LD_PRELOAD\"'",
			 harmless_preload(), test_aml_run_path()),
		     0, "%s", output);
	/* The same library twice is named once. */
	snprintf(want, sizeof(want), "%s\n", harmless_preload());
	cr_assert_str_eq(output, want);
	cr_assert_eq(run("-- true; LD_PRELOAD=libc.so.6 %s -- sh -c 'echo "
			 "\"$LD_PRELOAD\"'",
			 test_aml_run_path()),
		     0, "%s", output);
	snprintf(want, sizeof(want), "%s:libc.so.6\n", harmless_preload());
	cr_assert_str_eq(output, want);
}

Test(aml_run, command_line_form_replaces_the_other_form_of_the_environment)
{
	cr_assert_eq(run("-- true; AML_RULES=bind %s --membind=0 -- sh -c "
			 "'echo \"rules=${AML_RULES-unset}\"'",
			 test_aml_run_path()),
		     0, "%s", output);
	cr_assert_str_eq(output, "rules=unset\n");
	cr_assert_eq(run("-- true; AML_POLICY=bind AML_SIZE=1M %s "
			 "--rule=interleave -- sh -c 'echo "
			 "\"${AML_POLICY-unset} ${AML_SIZE-unset} "
			 "$AML_RULES\"'",
			 test_aml_run_path()),
		     0, "%s", output);
	cr_assert_str_eq(output, "unset unset interleave\n");
}

Test(aml_run, options_stop_at_the_program_name)
{
	/* sh -c's first argument after the script is its $0. */
	cr_assert_eq(run("--membind=0 sh -c 'echo \"$0\"' --membind=x"), 0,
		     "%s", output);
	cr_assert_str_eq(output, "--membind=x\n");
}

Test(aml_run, the_shim_is_found_next_to_aml_run_in_the_build_tree)
{
	char shim[1024], cmd[2048], want[2048];

	snprintf(shim, sizeof(shim), "%s/preload/libaml-preload.so",
		 test_need_env("AML_TEST_BUILD_ROOT"));
	if (access(shim, R_OK) != 0)
		cr_skip_test("no %s in this build", shim);
	snprintf(cmd, sizeof(cmd),
		 "unset AML_RUN_PRELOAD LD_PRELOAD; %s --dry-run | grep "
		 "^LD_PRELOAD=",
		 test_aml_run_path());
	run_shell(cmd, output, sizeof(output));
	snprintf(want, sizeof(want), "LD_PRELOAD=%s\n", shim);
	cr_assert_str_eq(output, want);
}

/* ------------------------------------------------------------------------
 * As the per-rank wrapper of MPI launchers and srun
 */

Test(aml_run, placement_forms_reach_the_program_unresolved)
{
	cr_assert_eq(run("-- true; SLURM_LOCALID=1 %s "
			 "--membind=@local-rank -- sh -c 'echo \"$AML_NODES\"'",
			 test_aml_run_path()),
		     0, "%s", output);
	cr_assert_str_eq(output, "@local-rank\n");
	cr_assert_eq(run("-- true; SLURM_LOCALID=0 %s "
			 "--interleave='@local-rank=0|all' -- sh -c 'echo "
			 "\"$AML_NODES\"'",
			 test_aml_run_path()),
		     0, "%s", output);
	cr_assert_str_eq(output, "@local-rank=0|all\n");
}

Test(aml_run, dry_run_shows_how_this_process_resolved_its_nodes)
{
	cr_assert_eq(run("-- true; OMPI_COMM_WORLD_LOCAL_RANK=4 %s "
			 "--membind=@local-rank --dry-run -- ./app",
			 test_aml_run_path()),
		     0, "%s", output);
	cr_assert(strstr(output, "AML_NODES=@local-rank\n"), "%s", output);
	cr_assert(strstr(output, "rule 0: bind nodes "), "%s", output);
	cr_assert(strstr(output, "for this process: \"@local-rank\" -> node "),
		  "%s", output);
	cr_assert(strstr(output, "(local rank 4 from "
				 "OMPI_COMM_WORLD_LOCAL_RANK of allowed "
				 "nodes "),
		  "%s", output);
}

Test(aml_run, local_rank_outside_a_launcher_exits_2)
{
	cr_assert_eq(run("-- true; env -u OMPI_COMM_WORLD_LOCAL_RANK -u "
			 "MPI_LOCALRANKID -u SLURM_LOCALID -u PMI_LOCAL_RANK "
			 "-u MV2_COMM_WORLD_LOCAL_RANK -u PALS_LOCAL_RANKID "
			 "-u FLUX_TASK_LOCAL_ID %s --membind=@local-rank -- "
			 "true",
			 test_aml_run_path()),
		     2, "%s", output);
	cr_assert(strstr(output, "aml-run: AML_NODES=\"@local-rank\": no local "
				 "rank in the environment (looked for "),
		  "%s", output);
}

Test(aml_run, cpu_local_and_nearest_are_accepted_by_every_policy_option)
{
	cr_assert_eq(run("--membind=@cpu-local -- true"), 0, "%s", output);
	cr_assert_eq(run("--interleave=@nearest=2 -- true"), 0, "%s", output);
	cr_assert_eq(run("--preferred=@nearest -- true"), 0, "%s", output);
	cr_assert_eq(run("--rule=bind:@cpu-local:1M- -- true"), 0, "%s",
		     output);
	cr_assert_eq(run("--membind=@nowhere -- true"), 2, "%s", output);
}

Test(aml_run, dry_run_prints_the_ld_preload_of_the_real_run)
{
	char want[4096];

	cr_assert_eq(run("-- true; LD_PRELOAD=libc.so.6 %s --membind=0 "
			 "--dry-run -- true",
			 test_aml_run_path()),
		     0, "%s", output);
	snprintf(want, sizeof(want), "\nLD_PRELOAD=%s:libc.so.6\n",
		 harmless_preload());
	cr_assert(strstr(output, want), "want %s in:\n%s", want + 1, output);
}

Test(aml_run, relative_report_path_is_made_absolute_before_exec)
{
	cr_assert_eq(run("-- true; cd /tmp && %s --report=r.%%p -- sh -c "
			 "'cd / && echo \"$AML_REPORT\"'",
			 test_aml_run_path()),
		     0, "%s", output);
	cr_assert_str_eq(output, "/tmp/r.%p\n");
	/* The variable set directly too, and the dry run shows it. */
	cr_assert_eq(run("-- true; cd /tmp && AML_REPORT=sub/r %s --dry-run",
			 test_aml_run_path()),
		     0, "%s", output);
	cr_assert(strstr(output, "AML_REPORT=/tmp/sub/r\n"), "%s", output);
	/* Absolute paths and stderr stay as they are. */
	cr_assert_eq(run("--report -- sh -c 'echo \"$AML_REPORT\"'"), 0);
	cr_assert_str_eq(output, "stderr\n");
	cr_assert_eq(run("--report=/x/r -- sh -c 'echo \"$AML_REPORT\"'"), 0);
	cr_assert_str_eq(output, "/x/r\n");
}

Test(aml_run, report_path_too_long_once_absolute_exits_2)
{
	char name[256];

	memset(name, 'r', 252);
	name[252] = '\0';
	cr_assert_eq(run("-- true; cd /tmp && %s --report=%s -- true",
			 test_aml_run_path(), name),
		     2, "%s", output);
	cr_assert(strstr(output, "is longer than 255 bytes\n"), "%s", output);
}
