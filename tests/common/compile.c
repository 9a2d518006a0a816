/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compile.h"
#include "run.h"

static const char *compiler_variable(enum compile_language lang)
{
	return lang == LANG_CXX11 ? "AML_TEST_CXX" : "AML_TEST_CC";
}

static const char *language_flags(enum compile_language lang)
{
	switch (lang) {
	case LANG_CXX11:
		return "-x c++ -std=c++11 -pedantic -Wall -Werror";
	case LANG_C99_UPSTREAM_CI:
		return UPSTREAM_CI_CFLAGS;
	case LANG_C99:
	default:
		return "-std=c99 -pedantic -Wall -Wextra -Werror";
	}
}

/*
 * An AddressSanitizer build of the library only loads into programs that
 * carry the ASan runtime first; this helper is built with the same flags
 * (sanitized builds of this tree use ASan and UBSan together).
 */
#if defined(__SANITIZE_ADDRESS__)
#define BUILT_WITH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUILT_WITH_ASAN 1
#endif
#endif

static const char *sanitizer_flags(void)
{
#ifdef BUILT_WITH_ASAN
	return "-fsanitize=address,undefined";
#else
	return "";
#endif
}

int compile_language_available(enum compile_language lang)
{
	const char *cc = getenv(compiler_variable(lang));

	return cc != NULL && cc[0] != '\0' && getenv("AML_TEST_LIB_DIR");
}

const char *compile_unavailable_reason(enum compile_language lang)
{
	if (getenv("AML_TEST_LIB_DIR") == NULL)
		return "needs the environment of `meson test`";
	if (lang == LANG_CXX11)
		return "no C++ compiler was found at configure time";
	return "AML_TEST_CC is not set";
}

/* Run `command` through the shell, its output into prog->log. */
static int run_logged(struct compiled_program *prog, const char *command)
{
	char *full, *argv[] = {"/bin/sh", "-c", NULL, NULL};
	struct run_opts o = {.argv = argv, .keep_env = 1, .timeout_s = 300};
	struct run_result r;
	size_t n;

	if (asprintf(&full, "%s 2>&1", command) < 0)
		return -1;
	argv[2] = full;
	r = run_with(&o);
	free(full);
	n = r.len < sizeof(prog->log) - 1 ? r.len : sizeof(prog->log) - 1;
	memcpy(prog->log, r.out, n);
	prog->log[n] = '\0';
	run_result_free(&r);
	return r.status;
}

int compile_program(struct compiled_program *prog, const char *source,
		    enum compile_language lang, const char *extra_flags)
{
	const char *tmp = getenv("TMPDIR");
	char *command;
	int ret;

	memset(prog, 0, sizeof(*prog));
	snprintf(prog->dir, sizeof(prog->dir), "%s/aml-compile-XXXXXX",
		 tmp && tmp[0] ? tmp : "/tmp");
	if (mkdtemp(prog->dir) == NULL) {
		snprintf(prog->log, sizeof(prog->log), "mkdtemp failed");
		return -1;
	}
	snprintf(prog->exe, sizeof(prog->exe), "%s/program", prog->dir);
	if (asprintf(&command,
		     "\"$%s\" %s %s $AML_TEST_INCLUDE_FLAGS %s "
		     "\"$AML_TEST_SOURCE_ROOT/%s\" -o '%s' "
		     "-L\"$AML_TEST_LIB_DIR\" -Wl,-rpath,\"$AML_TEST_LIB_DIR\" "
		     "-laml -lnuma -lpthread",
		     compiler_variable(lang), language_flags(lang),
		     sanitizer_flags(), extra_flags ? extra_flags : "", source,
		     prog->exe) < 0)
		return -1;
	ret = run_logged(prog, command);
	free(command);
	return ret;
}

int compiled_program_run(struct compiled_program *prog, const char *env)
{
	char *command;
	int ret;

	if (asprintf(&command, "%s '%s'", env ? env : "", prog->exe) < 0)
		return -1;
	ret = run_logged(prog, command);
	free(command);
	return ret;
}

void compiled_program_release(struct compiled_program *prog)
{
	if (prog->exe[0] != '\0')
		unlink(prog->exe);
	if (prog->dir[0] != '\0')
		rmdir(prog->dir);
	prog->exe[0] = '\0';
	prog->dir[0] = '\0';
}

void assert_program_builds_and_runs(const char *source,
				    enum compile_language lang,
				    const char *extra_flags, const char *env)
{
	struct compiled_program prog;
	int ret;

	if (!compile_language_available(lang))
		cr_skip_test("%s", compile_unavailable_reason(lang));
	ret = compile_program(&prog, source, lang, extra_flags);
	if (ret != 0) {
		compiled_program_release(&prog);
		cr_assert_fail("%s does not compile (status %d):\n%s", source,
			       ret, prog.log);
	}
	ret = compiled_program_run(&prog, env);
	compiled_program_release(&prog);
	cr_assert_eq(ret, 0, "%s exited with %d:\n%s", source, ret, prog.log);
}
