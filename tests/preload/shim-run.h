/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Running a program with or without the shim and collecting its output,
 * for the shim's tests. Paths come from meson as definitions:
 * SHIM_PATH (libaml-preload.so) and PROGRAMS_DIR (tests/preload/programs).
 * The shim's environment variables are named here only.
 */
#ifndef AML_TESTS_SHIM_RUN_H
#define AML_TESTS_SHIM_RUN_H

#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A program of tests/preload/programs. */
#define PROGRAM(name) PROGRAMS_DIR "/" name

#define ENV_POLICY "AML_POLICY"
#define ENV_NODES "AML_NODES"
#define ENV_RULES "AML_RULES"
#define ENV_MMAP "AML_MMAP"
#define ENV_REPORT "AML_REPORT"

extern char **environ;

struct run_result {
	int status; /* exit code, or 128 + signal */
	char *out;  /* standard output, NUL-terminated (malloc'd) */
	size_t len;
};

/* Run argv (argv[0] a path) with LD_PRELOAD=SHIM_PATH when preload is
 * set, plus the NULL-terminated "NAME=value" strings of extra; stdin is
 * /dev/null, stderr is kept. */
static inline struct run_result run_program(char *const argv[], int preload,
					    const char *const *extra)
{
	struct run_result r = {0};
	char *env[512];
	int n = 0, pipefd[2];
	posix_spawn_file_actions_t fa;
	size_t cap = 1 << 16;
	pid_t pid;
	ssize_t got;

	for (char **e = environ; *e && n < 480; e++)
		if (strncmp(*e, "LD_PRELOAD=", 11) != 0 &&
		    strncmp(*e, "AML_", 4) != 0)
			env[n++] = *e;
	if (preload)
		env[n++] = "LD_PRELOAD=" SHIM_PATH;
	for (; extra && *extra && n < 510; extra++)
		env[n++] = (char *)*extra;
	env[n] = NULL;

	if (pipe(pipefd) != 0)
		abort();
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, env) != 0)
		abort();
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	r.out = malloc(cap);
	while ((got = read(pipefd[0], r.out + r.len, cap - r.len - 1)) > 0) {
		r.len += (size_t)got;
		if (cap - r.len < 4096)
			r.out = realloc(r.out, cap *= 2);
	}
	r.out[r.len] = '\0';
	close(pipefd[0]);
	waitpid(pid, &r.status, 0);
	r.status = WIFEXITED(r.status) ? WEXITSTATUS(r.status)
				       : 128 + WTERMSIG(r.status);
	return r;
}

/* Run argv under the shim with extra: it must exit 0 and its output begin
 * with `want` (the test programs print "ok ..." when all they checked
 * held, and what went wrong otherwise). */
static inline void run_expect_ok(char *const argv[], const char *const *extra,
				 const char *want)
{
	struct run_result r = run_program(argv, 1, extra);

	cr_assert_eq(r.status, 0, "%s %s exited %d: %s", argv[0],
		     argv[1] ? argv[1] : "", r.status, r.out);
	cr_assert(strncmp(r.out, want, strlen(want)) == 0, "%s %s: %s", argv[0],
		  argv[1] ? argv[1] : "", r.out);
	free(r.out);
}

#endif /* AML_TESTS_SHIM_RUN_H */
