/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Build a user program against this tree the way a user would (installed
 * headers, -laml) as strict C99, as C++11 or under upstream AML's CI flags,
 * then run it. The compiler and paths come from the environment
 * tests/meson.build gives every test: AML_TEST_CC, AML_TEST_CXX (only when
 * a C++ compiler was found), AML_TEST_SOURCE_ROOT, AML_TEST_INCLUDE_FLAGS,
 * AML_TEST_LIB_DIR. When this helper is built with AddressSanitizer, the
 * programs are too (a sanitized libaml loads only into those).
 *
 * Typical use in a Criterion test, all in one call:
 *
 *     assert_program_builds_and_runs("tests/core/programs/x.c", LANG_CXX11,
 *                                    "", "CI=false");
 *
 * or step by step:
 *
 *     struct compiled_program prog;
 *
 *     if (!compile_language_available(LANG_CXX11))
 *             cr_skip_test("%s", compile_unavailable_reason(LANG_CXX11));
 *     cr_assert_eq(compile_program(&prog, "tests/core/programs/x.c",
 *                                  LANG_CXX11, ""), 0, "%s", prog.log);
 *     cr_assert_eq(compiled_program_run(&prog), 0, "%s", prog.log);
 *     compiled_program_release(&prog);
 */
#ifndef AML_TESTS_COMMON_COMPILE_H
#define AML_TESTS_COMMON_COMPILE_H

#include <stddef.h>

/* Flags of upstream AML's CI, for upstream-style programs. */
#define UPSTREAM_CI_CFLAGS                          \
	"-std=c99 -pedantic -Wall -Wextra -Werror " \
	"-Wno-unused-but-set-parameter -Wno-builtin-declaration-mismatch"

enum compile_language {
	/* cc -std=c99 -pedantic -Wall -Wextra -Werror */
	LANG_C99,
	/* c++ -x c++ -std=c++11 -pedantic -Wall -Werror */
	LANG_CXX11,
	/* cc UPSTREAM_CI_CFLAGS */
	LANG_C99_UPSTREAM_CI,
};

struct compiled_program {
	char dir[256];	 /* private temporary directory */
	char exe[300];	 /* the program, inside dir */
	char log[16384]; /* compiler or program output (NUL-terminated) */
};

/* Whether the environment names a compiler for `lang`. */
int compile_language_available(enum compile_language lang);
/* Why `lang` is unavailable, for cr_skip_test. */
const char *compile_unavailable_reason(enum compile_language lang);

/*
 * Compile `source` (relative to AML_TEST_SOURCE_ROOT) as `lang` with
 * `extra_flags` (e.g. "-D_GNU_SOURCE", may be ""), before the source, so
 * "-include \"$AML_TEST_SOURCE_ROOT/h.h\"" works; linking -laml -lnuma
 * -lpthread. Returns the compiler's exit status (0 = built) or -1 if it
 * could not be started; its output is in prog->log.
 */
int compile_program(struct compiled_program *prog, const char *source,
		    enum compile_language lang, const char *extra_flags);

/*
 * Run a compiled program with `env` prepended to its command line (e.g.
 * "CI=false", may be ""). Returns its exit status, 128 + signal if it was
 * killed, -1 if it could not be started; its output is in prog->log.
 */
int compiled_program_run(struct compiled_program *prog, const char *env);

/* Delete the program and its directory. */
void compiled_program_release(struct compiled_program *prog);

/*
 * In a Criterion test: skip it when `lang` is unavailable, otherwise build
 * `source` as compile_program() does and run it as compiled_program_run() does;
 * fail the test, with the compiler's or the program's output, unless both
 * exit with status 0.
 */
void assert_program_builds_and_runs(const char *source,
				    enum compile_language lang,
				    const char *extra_flags, const char *env);

#endif /* AML_TESTS_COMMON_COMPILE_H */
