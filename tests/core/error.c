/* SPDX-License-Identifier: BSD-3-Clause */
/* Error codes, their texts, aml_perror and the per-thread aml_errno. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <limits.h>
#include <pthread.h>

#include "aml.h"

Test(errors, codes_have_the_upstream_values)
{
	cr_assert_eq(AML_SUCCESS, 0);
	cr_assert_eq(AML_FAILURE, 1);
	cr_assert_eq(AML_ENOMEM, 2);
	cr_assert_eq(AML_EINVAL, 3);
	cr_assert_eq(AML_EDOM, 4);
	cr_assert_eq(AML_ENOTSUP, 5);
	cr_assert_eq(AML_EBUSY, 6);
	cr_assert_eq(AML_EPERM, 7);
	cr_assert_eq(AML_ERROR_MAX, 8);
}

Test(errors, every_code_has_its_upstream_text)
{
	static const char *const texts[AML_ERROR_MAX] = {
		"Success",
		"Generic error",
		"Not enough memory",
		"Invalid argument",
		"Value out of bound",
		"Operation not supported",
		"Underlying resource is not available for operation",
		"Insufficient permissions",
	};

	for (int code = 0; code < AML_ERROR_MAX; code++)
		cr_assert_str_eq(aml_strerror(code), texts[code],
				 "text of code %d", code);
}

Test(errors, negative_and_out_of_range_codes_are_unknown)
{
	const int codes[] = {
		-1,	-AML_EINVAL, INT_MIN, AML_ERROR_MAX, AML_ERROR_MAX + 1,
		INT_MAX};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		cr_assert_str_eq(aml_strerror(codes[i]), "Unknown error",
				 "text of code %d", codes[i]);
}

Test(errors, perror_prints_message_colon_text_newline,
     .init = cr_redirect_stderr)
{
	aml_errno = AML_EINVAL;
	aml_perror("area");
	fflush(stderr);
	cr_assert_stderr_eq_str("area:Invalid argument\n");
}

Test(errors, perror_with_null_message_prints_only_the_text,
     .init = cr_redirect_stderr)
{
	aml_errno = AML_ENOMEM;
	aml_perror(NULL);
	fflush(stderr);
	cr_assert_stderr_eq_str("Not enough memory\n");
}

Test(errors, perror_of_an_unknown_errno_says_unknown_error,
     .init = cr_redirect_stderr)
{
	aml_errno = -AML_EINVAL;
	aml_perror("x");
	fflush(stderr);
	cr_assert_stderr_eq_str("x:Unknown error\n");
}

Test(errors, perror_leaves_aml_errno_unchanged, .init = cr_redirect_stderr)
{
	aml_errno = AML_EDOM;
	aml_perror("x");
	cr_assert_eq(aml_errno, AML_EDOM);
}

struct errno_probe {
	int seen_at_start;
	int set_to;
};

static void *errno_probe_thread(void *arg)
{
	struct errno_probe *probe = arg;

	probe->seen_at_start = aml_errno;
	aml_errno = probe->set_to;
	return NULL;
}

Test(errors, aml_errno_is_per_thread)
{
	struct errno_probe probe = {.seen_at_start = -1, .set_to = AML_EBUSY};
	pthread_t thread;

	aml_errno = AML_EDOM;
	cr_assert_eq(pthread_create(&thread, NULL, errno_probe_thread, &probe),
		     0);
	cr_assert_eq(pthread_join(thread, NULL), 0);
	cr_assert_eq(probe.seen_at_start, AML_SUCCESS,
		     "a new thread starts with its own, zero, aml_errno");
	cr_assert_eq(aml_errno, AML_EDOM,
		     "another thread's assignment must not leak here");
}
