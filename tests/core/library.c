/* SPDX-License-Identifier: BSD-3-Clause */
/* aml_init/aml_finalize, version constants and backend support. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "aml.h"

Test(library, init_accepts_null_arguments)
{
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	cr_assert_eq(aml_finalize(), AML_SUCCESS);
}

Test(library, init_accepts_the_arguments_of_main)
{
	char arg0[] = "test";
	char *args[] = {arg0, NULL};
	char **argv = args;
	int argc = 1;

	cr_assert_eq(aml_init(&argc, &argv), AML_SUCCESS);
	cr_assert_eq(argc, 1);
	cr_assert_eq(argv, args);
	cr_assert_eq(aml_finalize(), AML_SUCCESS);
}

Test(library, init_twice_succeeds)
{
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	cr_assert_eq(aml_finalize(), AML_SUCCESS);
}

Test(library, finalize_without_init_succeeds)
{
	cr_assert_eq(aml_finalize(), AML_SUCCESS);
}

Test(library, finalize_twice_succeeds)
{
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	cr_assert_eq(aml_finalize(), AML_SUCCESS);
	cr_assert_eq(aml_finalize(), AML_SUCCESS);
}

Test(library, init_again_after_finalize_succeeds)
{
	for (int round = 0; round < 3; round++) {
		cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS, "round %d",
			     round);
		cr_assert_eq(aml_finalize(), AML_SUCCESS, "round %d", round);
	}
}

Test(library, version_constants_equal_the_macros)
{
	cr_assert_eq(aml_version_major, AML_VERSION_MAJOR);
	cr_assert_eq(aml_version_minor, AML_VERSION_MINOR);
	cr_assert_eq(aml_version_patch, AML_VERSION_PATCH);
	cr_assert_str_eq(aml_version_revision, AML_VERSION_REVISION);
	cr_assert_str_eq(aml_version_string, AML_VERSION_STRING);
}

Test(library, version_string_is_major_minor_patch)
{
	char expected[64];

	snprintf(expected, sizeof(expected), "%d.%d.%d", AML_VERSION_MAJOR,
		 AML_VERSION_MINOR, AML_VERSION_PATCH);
	cr_assert_str_eq(AML_VERSION_STRING, expected);
	cr_assert_str_eq(aml_version(), expected);
}

Test(library, libnuma_backend_is_always_supported)
{
	cr_assert_eq(AML_HAVE_BACKEND_LIBNUMA, 1);
	cr_assert_eq(aml_support_backends(AML_BACKEND_LIBNUMA), 1);
}

Test(library, backend_flags_have_the_upstream_values)
{
	cr_assert_eq(AML_BACKEND_LIBNUMA, 1UL << 1);
	cr_assert_eq(AML_BACKEND_CUDA, 1UL << 2);
	cr_assert_eq(AML_BACKEND_HWLOC, 1UL << 3);
	cr_assert_eq(AML_BACKEND_OPENCL, 1UL << 4);
	cr_assert_eq(AML_BACKEND_ZE, 1UL << 5);
	cr_assert_eq(AML_BACKEND_HIP, 1UL << 6);
}

Test(library, unknown_backend_bits_are_unsupported)
{
	cr_assert_eq(aml_support_backends(1UL << 0), 0);
	cr_assert_eq(aml_support_backends(1UL << 7), 0);
	cr_assert_eq(aml_support_backends(1UL << 40), 0);
	cr_assert_eq(aml_support_backends(AML_BACKEND_LIBNUMA | 1UL << 20), 0,
		     "one unknown bit makes the whole request unsupported");
}

Test(library, backends_not_compiled_in_are_unsupported)
{
	if (!AML_HAVE_BACKEND_CUDA)
		cr_assert_eq(aml_support_backends(AML_BACKEND_CUDA), 0);
	if (!AML_HAVE_BACKEND_OPENCL)
		cr_assert_eq(aml_support_backends(AML_BACKEND_OPENCL), 0);
	if (!AML_HAVE_BACKEND_ZE)
		cr_assert_eq(aml_support_backends(AML_BACKEND_ZE), 0);
	if (!AML_HAVE_BACKEND_HIP)
		cr_assert_eq(aml_support_backends(AML_BACKEND_HIP), 0);
	if (!AML_HAVE_BACKEND_HWLOC)
		cr_assert_eq(aml_support_backends(AML_BACKEND_HWLOC), 0);
}

Test(library, hwloc_support_before_init_is_zero_not_a_crash)
{
	cr_assert_eq(aml_support_backends(AML_BACKEND_HWLOC), 0,
		     "no topology exists before aml_init");
	cr_assert_eq(
		aml_support_backends(AML_BACKEND_HWLOC | AML_BACKEND_LIBNUMA),
		0);
}

Test(library, hwloc_support_after_finalize_is_zero_not_a_crash)
{
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	cr_assert_eq(aml_finalize(), AML_SUCCESS);
	cr_assert_eq(aml_support_backends(AML_BACKEND_HWLOC), 0);
}
