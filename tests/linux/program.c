/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "program.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A sanitized libaml needs its runtime in the programs too. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZE_FLAGS "-fsanitize=address,undefined"
#else
#define SANITIZE_FLAGS ""
#endif

static const char *env_or_fail(const char *name)
{
	const char *value = getenv(name);

	if (value == NULL)
		cr_assert_fail("%s is not set (run through meson test)", name);
	return value;
}

void source_path(char *out, size_t len, const char *relative)
{
	snprintf(out, len, "%s/%s", env_or_fail("AML_TEST_SOURCE_ROOT"),
		 relative);
}

void program_tmpdir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/aml-program-XXXXXX");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp");
}

int program_build_with(const char *compiler, const char *flags,
		       const char *source, const char *binary)
{
	const char *lib = env_or_fail("AML_TEST_LIB_DIR");
	char cmd[8192];

	snprintf(cmd, sizeof(cmd),
		 "%s %s %s -I%s %s %s -o %s -L%s -Wl,-rpath,%s "
		 "-laml -lnuma -lpthread 1>&2",
		 compiler, SANITIZE_FLAGS, flags, env_or_fail("AML_TEST_BUILD_ROOT"),
		 env_or_fail("AML_TEST_INCLUDE_FLAGS"), source, binary, lib,
		 lib);
	fprintf(stderr, "+ %s\n", cmd);
	return WEXITSTATUS(system(cmd));
}

int program_build(enum program_language lang, const char *source,
		  const char *extra_flags, const char *binary)
{
	char flags[4096];
	const char *compiler;

	if (lang == PROGRAM_CXX11) {
		compiler = getenv("AML_TEST_CXX");
		if (compiler == NULL)
			cr_skip_test("no C++ compiler configured");
		snprintf(flags, sizeof(flags),
			 "-x c++ -std=c++11 -pedantic -Wall -Werror %s",
			 extra_flags);
	} else {
		compiler = env_or_fail("AML_TEST_CC");
		snprintf(flags, sizeof(flags),
			 "-std=c99 -pedantic -Wall -Wextra -Werror %s",
			 extra_flags);
	}
	return program_build_with(compiler, flags, source, binary);
}

int program_run(const char *binary)
{
	int status = system(binary);

	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

void program_remove(const char *dir, const char *binary)
{
	unlink(binary);
	rmdir(dir);
}
