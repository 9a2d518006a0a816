/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Build and run user programs against this tree, as a user would: with the
 * compilers and flags that tests/meson.build exports (AML_TEST_CC,
 * AML_TEST_CXX, AML_TEST_INCLUDE_FLAGS, AML_TEST_LIB_DIR, ...).
 */
#ifndef AML_TESTS_LINUX_PROGRAM_H
#define AML_TESTS_LINUX_PROGRAM_H

#include <stddef.h>

enum program_language { PROGRAM_C99, PROGRAM_CXX11 };

/* Flags of upstream AML's CI, used for its tests and tutorials. */
#define UPSTREAM_CI_CFLAGS                                                 \
	"-std=c99 -pedantic -Wall -Wextra -Werror "                         \
	"-Wno-unused-but-set-parameter -Wno-builtin-declaration-mismatch"

/*
 * Path of a file of the source tree, relative to its root, in `out`.
 * Fails the test if AML_TEST_SOURCE_ROOT is not set.
 */
void source_path(char *out, size_t len, const char *relative);

/*
 * Compile and link `source` (a path) into `binary` (a path). `extra_flags`
 * go before the source (e.g. "-include harness.h"). Language flags:
 * C99: -std=c99 -pedantic -Wall -Wextra -Werror; C++11: -x c++ -std=c++11
 * -pedantic -Wall -Werror. Returns the compiler's exit status; its output
 * goes to stderr. Skips the test when the compiler is not configured.
 */
int program_build(enum program_language lang, const char *source,
		  const char *extra_flags, const char *binary);

/* Same, with exactly the flags given (no language flags added). */
int program_build_with(const char *compiler, const char *flags,
		       const char *source, const char *binary);

/* Run `binary` and return its exit status (-1 if it did not exit). */
int program_run(const char *binary);

/* A fresh temporary directory's path in `dir` (mkdtemp under /tmp). */
void program_tmpdir(char *dir, size_t len);

/* Remove `binary` and its directory `dir`. */
void program_remove(const char *dir, const char *binary);

#endif /* AML_TESTS_LINUX_PROGRAM_H */
