/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's messages inside other people's programs (preload/text.c,
 * log.c): nothing of the shim's in the program's files, whichever
 * descriptor they take; no descriptor of the shim's in the program; no
 * SIGPIPE from a standard error whose reader is gone; a report file that
 * cannot be written is said. Programs: programs/messages.c,
 * programs/dead_pipe.c.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/* AML_LOG=info: the shim says a line for the program's foreign free. */
static const char *const talk[] = {"AML_POLICY=bind", "AML_LOG=info", NULL};

static void messages_ok(const char *mode)
{
	char *argv[] = {PROGRAM("messages"), (char *)mode, NULL};
	struct run_result r = run_program(argv, SHIM_PATH, talk);

	cr_assert_eq(r.status, 0, "messages %s exited %d: %s", mode, r.status,
		     r.out);
	cr_assert(strncmp(r.out, "ok", 2) == 0, "messages %s: %s", mode, r.out);
	/* The line was said, on standard error. */
	cr_assert(strstr(r.err, "not allocated by the shim") != NULL,
		  "messages %s: no line on stderr: %s", mode, r.err);
	run_result_free(&r);
}

Test(messages, nothing_in_a_file_dup2ed_to_descriptor_200)
{
	messages_ok("fd200");
}

Test(messages, nothing_in_a_file_on_descriptor_3)
{
	messages_ok("fd3");
}

/* messages MODE through the shell: before (a ulimit) and after (the
 * redirection of stderr) the command. */
static void messages_shell_ok(const char *before, const char *mode,
			      const char *stderr_to)
{
	char cmd[2048], out[4096];

	snprintf(cmd, sizeof(cmd),
		 "%s env -u AML_RULES -u AML_REPORT LD_PRELOAD=%s "
		 "AML_POLICY=bind AML_LOG=info %s %s %s",
		 before, SHIM_PATH, PROGRAM("messages"), mode, stderr_to);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
	cr_assert(strncmp(out, "ok ", 3) == 0 &&
			  strncmp(out + 3, mode, strlen(mode)) == 0,
		  "%s", out);
}

/* Under a low open-file limit the old copy of stderr took the lowest free
 * descriptor from 3 up. */
Test(messages, nothing_in_a_file_on_descriptor_3_under_ulimit_64)
{
	messages_shell_ok("ulimit -n 64 &&", "fd3", "2>/dev/null");
}

/* Started with stderr closed (2>&-): the program's first open() takes
 * descriptor 2, and the shim's lines must not land in that file. */
Test(messages, nothing_in_a_file_that_took_a_closed_stderr)
{
	messages_shell_ok("", "closed", "2>&-");
}

/* /proc/self/fd: the same descriptors with and without the shim, with the
 * log and the report on. */
Test(messages, no_descriptor_of_the_shims_in_the_program)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_LOG=debug",
					  "AML_REPORT=1", NULL};
	char *argv[] = {PROGRAM("messages"), "fds", NULL};
	struct run_result plain = run_program(argv, NULL, NULL);
	struct run_result shim = run_program(argv, SHIM_PATH, env);

	cr_assert_eq(plain.status, 0);
	cr_assert_eq(shim.status, 0);
	cr_assert_str_eq(shim.out, plain.out, "with the shim: %s, without: %s",
			 shim.out, plain.out);
	run_result_free(&plain);
	run_result_free(&shim);
}

/* stderr on a pipe whose reader is gone: the shim's message (an invalid
 * setting, said before main) or report must not kill the program. */
static void dead_pipe(const char *const *env)
{
	char *argv[] = {PROGRAM("dead_pipe"), PROGRAM("messages"), "fds", NULL};
	struct run_result r = run_program(argv, SHIM_PATH, env);

	cr_assert_eq(r.status, 0, "dead_pipe: %s", r.out);
	cr_assert(strstr(r.out, "exit 0") != NULL, "the program: %s", r.out);
	run_result_free(&r);
}

Test(messages, dead_pipe_and_an_invalid_setting)
{
	static const char *const env[] = {"AML_POLICY=nonsense", NULL};

	dead_pipe(env);
}

Test(messages, dead_pipe_and_the_report)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_REPORT=1",
					  NULL};

	dead_pipe(env);
}

/* A report file that cannot be written (AML_REPORT=/dev/full): said once
 * on standard error. */
Test(messages, a_failed_report_write_is_said_once)
{
	static const char *const env[] = {"AML_POLICY=bind",
					  "AML_REPORT=/dev/full", NULL};
	char *argv[] = {PROGRAM("messages"), "fds", NULL};
	struct run_result r = run_program(argv, SHIM_PATH, env);
	const char *first;

	cr_assert_eq(r.status, 0);
	first = strstr(r.err, "cannot write the report to /dev/full");
	cr_assert(first != NULL, "stderr: %s", r.err);
	cr_assert(strstr(first + 1, "cannot write") == NULL, "said twice: %s",
		  r.err);
	run_result_free(&r);
}
