/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generic area layer (contract §2.4): argument checks, error codes and
 * their signs, and what reaches the hooks. The areas here are fakes: no
 * memory is ever mapped.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "aml.h"
#include "dummy_area.h"

/* A pointer no hook ever returns for real memory. */
#define FAKE_PTR ((void *)0x4000)

/* ---------------------------------------------------------------------- */
/* Hooks with a fixed behaviour                                           */
/* ---------------------------------------------------------------------- */

static void *mmap_fails_silently(const struct aml_area_data *data, size_t size,
				 struct aml_area_mmap_options *opts)
{
	(void)data, (void)size, (void)opts;
	return NULL;
}

static void *mmap_fails_with_negative_enomem(const struct aml_area_data *data,
					     size_t size,
					     struct aml_area_mmap_options *opts)
{
	(void)data, (void)size, (void)opts;
	aml_errno = -AML_ENOMEM;
	return NULL;
}

static void *mmap_fails_with_ebusy(const struct aml_area_data *data,
				   size_t size,
				   struct aml_area_mmap_options *opts)
{
	(void)data, (void)size, (void)opts;
	aml_errno = AML_EBUSY;
	return NULL;
}

static int munmap_returns_positive_ebusy(const struct aml_area_data *data,
					 void *ptr, size_t size)
{
	(void)data, (void)ptr, (void)size;
	return AML_EBUSY;
}

static int munmap_returns_negative_eperm(const struct aml_area_data *data,
					 void *ptr, size_t size)
{
	(void)data, (void)ptr, (void)size;
	return -AML_EPERM;
}

static int fprintf_writes_prefix(const struct aml_area_data *data, FILE *stream,
				 const char *prefix)
{
	(void)data;
	fprintf(stream, "[%s]\n", prefix);
	return AML_SUCCESS;
}

static int fprintf_fails_with_edom(const struct aml_area_data *data,
				   FILE *stream, const char *prefix)
{
	(void)data, (void)stream, (void)prefix;
	return AML_EDOM;
}

/* An area with only the given hooks. */
#define AREA_WITH(...)                                                   \
	{                                                                \
		.ops = &(struct aml_area_ops){__VA_ARGS__}, .data = NULL \
	}

/* ---------------------------------------------------------------------- */
/* aml_area_mmap                                                          */
/* ---------------------------------------------------------------------- */

Test(area_mmap, size_zero_is_null_with_einval)
{
	struct dummy_area dummy;

	dummy_area_init(&dummy);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&dummy.area, 0, NULL));
	cr_assert_eq(aml_errno, AML_EINVAL);
	cr_assert_eq(dummy.data.mmap_calls, 0, "the hook must not run");
}

Test(area_mmap, null_area_is_null_with_einval)
{
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(NULL, 4096, NULL));
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(area_mmap, area_without_ops_is_null_with_einval)
{
	struct aml_area area = {.ops = NULL, .data = NULL};

	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&area, 4096, NULL));
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(area_mmap, area_without_mmap_hook_is_null_with_enotsup)
{
	struct aml_area area = AREA_WITH(.mmap = NULL);

	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&area, 4096, NULL));
	cr_assert_eq(aml_errno, AML_ENOTSUP);
}

Test(area_mmap, success_returns_the_hook_result_and_leaves_aml_errno_alone)
{
	struct dummy_area dummy;

	dummy_area_init_fixed(&dummy, FAKE_PTR);
	aml_errno = AML_EDOM; /* stale value from an earlier call */
	cr_assert_eq(aml_area_mmap(&dummy.area, 4096, NULL), FAKE_PTR);
	cr_assert_eq(aml_errno, AML_EDOM);
	cr_assert_eq(dummy.data.mmap_calls, 1);
}

Test(area_mmap, options_reach_the_hook_unchanged)
{
	struct dummy_area dummy;
	struct aml_area_mmap_options *opts =
		(struct aml_area_mmap_options *)&dummy; /* any address */

	dummy_area_init(&dummy);
	cr_assert_not_null(aml_area_mmap(&dummy.area, 64, opts));
	cr_assert_eq(dummy.data.last_opts, opts);
}

Test(area_mmap, hook_failure_without_aml_errno_becomes_failure)
{
	struct aml_area area = AREA_WITH(.mmap = mmap_fails_silently);

	aml_errno = AML_EDOM; /* stale: must not be reported */
	cr_assert_null(aml_area_mmap(&area, 4096, NULL));
	cr_assert_eq(aml_errno, AML_FAILURE);
}

Test(area_mmap, hook_failure_with_negative_aml_errno_is_made_positive)
{
	struct aml_area area =
		AREA_WITH(.mmap = mmap_fails_with_negative_enomem);

	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&area, 4096, NULL));
	cr_assert_eq(aml_errno, AML_ENOMEM);
}

Test(area_mmap, hook_failure_with_positive_aml_errno_is_kept)
{
	struct aml_area area = AREA_WITH(.mmap = mmap_fails_with_ebusy);

	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&area, 4096, NULL));
	cr_assert_eq(aml_errno, AML_EBUSY);
}

/* ---------------------------------------------------------------------- */
/* aml_area_munmap (three arguments)                                      */
/* ---------------------------------------------------------------------- */

Test(area_munmap, null_pointer_succeeds_even_without_an_area)
{
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap(NULL, NULL, 4096), AML_SUCCESS);
	cr_assert_eq(aml_errno, AML_SUCCESS);
}

Test(area_munmap, size_zero_succeeds_even_without_an_area)
{
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap(NULL, FAKE_PTR, 0), AML_SUCCESS);
	cr_assert_eq(aml_errno, AML_SUCCESS);
}

Test(area_munmap, null_pointer_does_not_call_the_hook)
{
	struct dummy_area dummy;

	dummy_area_init(&dummy);
	cr_assert_eq(aml_area_munmap(&dummy.area, NULL, 4096), AML_SUCCESS);
	cr_assert_eq(aml_area_munmap(&dummy.area, FAKE_PTR, 0), AML_SUCCESS);
	cr_assert_eq(dummy.data.munmap_calls, 0);
}

Test(area_munmap, null_area_is_einval)
{
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap(NULL, FAKE_PTR, 4096), -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(area_munmap, area_without_ops_is_einval)
{
	struct aml_area area = {.ops = NULL, .data = NULL};

	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap(&area, FAKE_PTR, 4096), -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(area_munmap, area_without_munmap_hook_is_enotsup)
{
	struct aml_area area = AREA_WITH(.munmap = NULL);

	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap(&area, FAKE_PTR, 4096), -AML_ENOTSUP);
	cr_assert_eq(aml_errno, AML_ENOTSUP);
}

Test(area_munmap, pointer_and_size_reach_the_hook)
{
	struct dummy_area dummy;

	dummy_area_init(&dummy);
	cr_assert_eq(aml_area_munmap(&dummy.area, FAKE_PTR, 12345),
		     AML_SUCCESS);
	cr_assert_eq(dummy.data.munmap_calls, 1);
	cr_assert_eq(dummy.data.last_ptr, FAKE_PTR);
	cr_assert_eq(dummy.data.last_size, 12345);
}

Test(area_munmap, success_leaves_aml_errno_alone)
{
	struct dummy_area dummy;

	dummy_area_init(&dummy);
	aml_errno = AML_EDOM;
	cr_assert_eq(aml_area_munmap(&dummy.area, FAKE_PTR, 4096), AML_SUCCESS);
	cr_assert_eq(aml_errno, AML_EDOM);
}

Test(area_munmap, positive_hook_error_is_returned_negative_and_stored)
{
	struct aml_area area =
		AREA_WITH(.munmap = munmap_returns_positive_ebusy);

	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap(&area, FAKE_PTR, 4096), -AML_EBUSY);
	cr_assert_eq(aml_errno, AML_EBUSY);
}

Test(area_munmap, negative_hook_error_is_returned_and_stored_positive)
{
	struct aml_area area =
		AREA_WITH(.munmap = munmap_returns_negative_eperm);

	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap(&area, FAKE_PTR, 4096), -AML_EPERM);
	cr_assert_eq(aml_errno, AML_EPERM);
}

/* ---------------------------------------------------------------------- */
/* aml_area_fprintf                                                       */
/* ---------------------------------------------------------------------- */

Test(area_fprintf, null_stream_is_einval)
{
	struct aml_area area = AREA_WITH(.fprintf = fprintf_writes_prefix);

	cr_assert_eq(aml_area_fprintf(NULL, "p", &area), -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(area_fprintf, null_area_is_einval)
{
	cr_assert_eq(aml_area_fprintf(stderr, "p", NULL), -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(area_fprintf, area_without_ops_is_einval)
{
	struct aml_area area = {.ops = NULL, .data = NULL};

	cr_assert_eq(aml_area_fprintf(stderr, "p", &area), -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(area_fprintf, area_without_hook_is_enotsup)
{
	struct dummy_area dummy; /* like upstream's: no fprintf hook */

	dummy_area_init(&dummy);
	cr_assert_eq(aml_area_fprintf(stderr, "p", &dummy.area), -AML_ENOTSUP);
	cr_assert_eq(aml_errno, AML_ENOTSUP);
}

Test(area_fprintf, hook_receives_the_stream_and_prefix,
     .init = cr_redirect_stdout)
{
	struct aml_area area = AREA_WITH(.fprintf = fprintf_writes_prefix);

	cr_assert_eq(aml_area_fprintf(stdout, "area", &area), AML_SUCCESS);
	fflush(stdout);
	cr_assert_stdout_eq_str("[area]\n");
}

Test(area_fprintf, null_prefix_reaches_the_hook_as_empty,
     .init = cr_redirect_stdout)
{
	struct aml_area area = AREA_WITH(.fprintf = fprintf_writes_prefix);

	cr_assert_eq(aml_area_fprintf(stdout, NULL, &area), AML_SUCCESS);
	fflush(stdout);
	cr_assert_stdout_eq_str("[]\n");
}

Test(area_fprintf, hook_error_is_returned_negative)
{
	struct aml_area area = AREA_WITH(.fprintf = fprintf_fails_with_edom);

	cr_assert_eq(aml_area_fprintf(stderr, "p", &area), -AML_EDOM);
	cr_assert_eq(aml_errno, AML_EDOM);
}
