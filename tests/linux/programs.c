/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * User programs build unchanged against this tree and run: the two examples
 * of the original AML documentation (seed/, compiled verbatim as C99 and as
 * C++11, with a harness supplying what they leave to the reader), and
 * upstream-style programs of this project (programs/).
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "compile.h"

/* A seed example, verbatim, with the harness that completes it. */
static void build_and_run(enum compile_language lang, const char *example,
			  const char *harness)
{
	char flags[512];

	snprintf(flags, sizeof(flags), "-include \"$AML_TEST_SOURCE_ROOT/%s\"",
		 harness);
	assert_program_builds_and_runs(example, lang, flags, "");
}

Test(seed_examples, example_1_static_area_compiles_as_c99_and_runs)
{
	build_and_run(LANG_C99, "tests/linux/seed/example1.c",
		      "tests/linux/seed/harness1.h");
}

Test(seed_examples, example_1_static_area_compiles_as_cxx11_and_runs)
{
	build_and_run(LANG_CXX11, "tests/linux/seed/example1.c",
		      "tests/linux/seed/harness1.h");
}

Test(seed_examples, example_2_legacy_create_compiles_as_c99_and_runs)
{
	build_and_run(LANG_C99, "tests/linux/seed/example2.c",
		      "tests/linux/seed/harness2.h");
}

Test(seed_examples, example_2_legacy_create_compiles_as_cxx11_and_runs)
{
	build_and_run(LANG_CXX11, "tests/linux/seed/example2.c",
		      "tests/linux/seed/harness2.h");
}

/*
 * Upstream-style programs (programs/), built with upstream AML's CI flags:
 * a user-defined interleave area, the generic area calls and created Linux
 * areas of every policy.
 */
static void upstream_style_build_and_run(const char *file)
{
	assert_program_builds_and_runs(file, LANG_C99_UPSTREAM_CI, "", "");
}

Test(upstream_style_programs, custom_interleave_area_places_each_chunk)
{
	upstream_style_build_and_run("tests/linux/programs/interleave_area.c");
}

Test(upstream_style_programs, area_calls_on_the_linux_area)
{
	upstream_style_build_and_run("tests/linux/programs/area_checks.c");
}

Test(upstream_style_programs, linux_areas_of_every_policy_map_and_bind)
{
	upstream_style_build_and_run(
		"tests/linux/programs/linux_area_checks.c");
}
