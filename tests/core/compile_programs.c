/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * User programs build unchanged against the installed headers under
 * upstream CI's flags (-std=c99 -pedantic -Wall -Wextra -Werror), and as
 * C++11, then run successfully.
 */
#include <criterion/criterion.h>

#include "compile.h"

static void build_and_run(const char *source, enum compile_language lang)
{
	assert_program_builds_and_runs(source, lang, "", "");
}

Test(compile, core_api_program_builds_as_c99_and_runs)
{
	build_and_run("tests/core/programs/core_api.c", LANG_C99);
}

Test(compile, core_api_program_builds_as_cxx11_and_runs)
{
	build_and_run("tests/core/programs/core_api.c", LANG_CXX11);
}

Test(compile, inner_malloc_header_alone_builds_as_c99_and_runs)
{
	build_and_run("tests/core/programs/inner_malloc_only.c", LANG_C99);
}

Test(compile, inner_malloc_header_alone_builds_as_cxx11_and_runs)
{
	build_and_run("tests/core/programs/inner_malloc_only.c", LANG_CXX11);
}
