/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Running commands through sh from a Criterion test, header-only: tests
 * whose group does not add tests/common to the include path include it as
 * "../common/shell.h". Paths come from the environment tests/meson.build
 * gives every test (AML_TEST_BUILD_ROOT, AML_TEST_SOURCE_ROOT, ...).
 */
#ifndef AML_TESTS_COMMON_SHELL_H
#define AML_TESTS_COMMON_SHELL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* The value of `name`; fails the test when it is not set. */
static inline const char *test_need_env(const char *name)
{
	const char *value = getenv(name);

	cr_assert_not_null(value, "%s is not set (run through meson test)",
			   name);
	return value;
}

/* Path of the built aml-run. */
static inline const char *test_aml_run_path(void)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/preload/aml-run",
		 test_need_env("AML_TEST_BUILD_ROOT"));
	return path;
}

/*
 * Run `cmd` through sh, its standard output into out[0 .. len - 1]
 * (NUL-terminated; add 2>&1 for standard error). Fails the test if the
 * command could not start or was killed; returns its exit status.
 */
static inline int test_shell_capture(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int status;

	cr_assert_not_null(p, "popen: %s", cmd);
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	status = pclose(p);
	cr_assert(WIFEXITED(status), "killed: %s\n%s", cmd, out);
	return WEXITSTATUS(status);
}

#endif /* AML_TESTS_COMMON_SHELL_H */
