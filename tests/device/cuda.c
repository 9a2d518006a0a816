/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CUDA area. Without a device (or in a build without CUDA) every call
 * answers AML_ENOTSUP; with one, every flag combination round-trips data
 * host -> area -> host for sizes from 1 B to 1 GiB.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "aml.h"
#include "aml/area/cuda.h"
#include "../common/area-text.h"

#if HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

static int cuda_device_count(void)
{
#if HAVE_CUDA
	int count = 0;

	if (cudaGetDeviceCount(&count) != cudaSuccess)
		return 0;
	return count;
#else
	return 0;
#endif
}

static void skip_without_device(void)
{
	if (cuda_device_count() < 1)
		cr_skip_test("no CUDA device: %s",
			     HAVE_CUDA ? "cudaGetDeviceCount finds none"
				       : "built without CUDA");
}

static void skip_with_device(void)
{
	if (cuda_device_count() >= 1)
		cr_skip_test("a CUDA device is visible: the no-device answers "
			     "are checked with CUDA_VISIBLE_DEVICES=");
}

/* ------------------------------------------------------------------------
 * No device
 */

Test(cuda_area, create_without_device_is_enotsup)
{
	struct aml_area *area = NULL;

	skip_with_device();
	cr_assert_eq(aml_area_cuda_create(&area, -1, 0), -AML_ENOTSUP);
	cr_assert_null(area);
}

Test(cuda_area, static_area_mmap_without_device_is_null_and_enotsup)
{
	skip_with_device();
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&aml_area_cuda, 4096, NULL));
	cr_assert_eq(aml_errno, AML_ENOTSUP);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&aml_area_cuda_unified, 4096, NULL));
	cr_assert_eq(aml_errno, AML_ENOTSUP);
}

Test(cuda_area, no_visible_device_is_enotsup_and_unsupported)
{
	struct aml_area *area = NULL;

	/* Before the first CUDA call, so that the runtime sees no device. */
	cr_assert_eq(setenv("CUDA_VISIBLE_DEVICES", "", 1), 0);
	cr_assert_eq(aml_area_cuda_create(&area, -1, 0), -AML_ENOTSUP);
	cr_assert_null(area);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&aml_area_cuda, 1, NULL));
	cr_assert_eq(aml_errno, AML_ENOTSUP);
	cr_assert_eq(aml_support_backends(AML_BACKEND_CUDA), 0);
}

Test(cuda_area, mmap_opts_without_device_is_enotsup)
{
	void *out = (void *)&out;
	void *host = NULL;

	skip_with_device();
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_cuda_mmap_opts(&out, 4096, -1, 0, NULL),
		     -AML_ENOTSUP);
	cr_assert_null(out);
	cr_assert_eq(aml_errno, AML_ENOTSUP);
	out = (void *)&out;
	cr_assert_eq(aml_area_cuda_mmap_opts(&out, 4096, 0,
					     AML_AREA_CUDA_FLAG_ALLOC_UNIFIED,
					     &host),
		     -AML_ENOTSUP);
	cr_assert_null(out);
}

#if !HAVE_CUDA
/* The stubs: no toolkit, every allocation is ENOTSUP, arguments checked. */
Test(cuda_area, stub_mmap_opts_is_enotsup_for_every_flag_combination)
{
	void *out;

	for (int flags = 0; flags < 16; flags++) {
		out = (void *)&out;
		aml_errno = AML_SUCCESS;
		cr_assert_eq(aml_area_cuda_mmap_opts(&out, 64, 0, flags, NULL),
			     -AML_ENOTSUP, "flags %#x", (unsigned)flags);
		cr_assert_null(out);
		cr_assert_eq(aml_errno, AML_ENOTSUP);
	}
}
#endif

/* ------------------------------------------------------------------------
 * Argument checks (any machine)
 */

Test(cuda_area, mmap_opts_rejects_null_out_and_unknown_flags)
{
	void *out = (void *)&out;

	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_cuda_mmap_opts(NULL, 64, -1, 0, NULL),
		     -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_cuda_mmap_opts(&out, 64, -1, 1 << 10, NULL),
		     -AML_EINVAL);
	cr_assert_null(out);
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(cuda_area, create_rejects_null_area)
{
	cr_assert_eq(aml_area_cuda_create(NULL, -1, 0), -AML_EINVAL);
}

Test(cuda_area, destroy_is_null_safe)
{
	struct aml_area *area = NULL;

	aml_area_cuda_destroy(NULL);
	aml_area_cuda_destroy(&area);
	cr_assert_null(area);
}

Test(cuda_area, fprintf_ends_every_line)
{
	size_t len;
	char *text = area_text("t", &aml_area_cuda_unified, &len);

	cr_assert_gt(len, 0);
	cr_assert_eq(text[len - 1], '\n');
	free(text);
}

/* ------------------------------------------------------------------------
 * With a device
 */

Test(cuda_area, create_rejects_unknown_flags_and_devices)
{
	struct aml_area *area = NULL;

	skip_without_device();
	cr_assert_eq(aml_area_cuda_create(&area, -1, 1 << 10), -AML_EINVAL);
	cr_assert_eq(aml_area_cuda_create(&area, cuda_device_count(), 0),
		     -AML_EINVAL);
	cr_assert_null(area);
}

#if HAVE_CUDA
/* Copy `size` bytes of a pattern into `ptr`, back out, and compare. */
static void round_trip(void *ptr, size_t size)
{
	unsigned char *in = malloc(size), *out = malloc(size);

	cr_assert(in != NULL && out != NULL);
	for (size_t i = 0; i < size; i++)
		in[i] = (unsigned char)(i * 7 + 3);
	memset(out, 0, size);
	cr_assert_eq(cudaMemcpy(ptr, in, size, cudaMemcpyDefault), cudaSuccess);
	cr_assert_eq(cudaMemcpy(out, ptr, size, cudaMemcpyDefault),
		     cudaSuccess);
	cr_assert_eq(memcmp(in, out, size), 0, "round trip of %zu bytes", size);
	free(in);
	free(out);
}

static void round_trip_flags(int flags, size_t size)
{
	struct aml_area *area = NULL;
	struct aml_area_cuda_mmap_options opts = {.device = 0, .ptr = NULL};
	int mapped_user = (flags & AML_AREA_CUDA_FLAG_ALLOC_MAPPED) &&
			  !(flags & (AML_AREA_CUDA_FLAG_ALLOC_HOST |
				     AML_AREA_CUDA_FLAG_ALLOC_UNIFIED));
	void *ptr;

	cr_assert_eq(aml_area_cuda_create(&area, -1, flags), 0);
	if (mapped_user) {
		opts.ptr = malloc(size);
		cr_assert_not_null(opts.ptr);
	}
	ptr = aml_area_mmap(area, size, (struct aml_area_mmap_options *)&opts);
	cr_assert_not_null(ptr, "flags %#x, %zu bytes: %s", flags, size,
			   aml_strerror(aml_errno));
	if (mapped_user)
		cr_assert_eq(ptr, opts.ptr);
	round_trip(ptr, size);
	cr_assert_eq(aml_area_munmap(area, ptr, size), 0);
	free(opts.ptr);
	aml_area_cuda_destroy(&area);
}

Test(cuda_area, every_flag_combination_round_trips_1B_to_1GiB, .timeout = 600)
{
	static const size_t sizes[] = {1, 4096 + 1, 1 << 20, 1 << 30};

	skip_without_device();
	for (int flags = 0; flags < 16; flags++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++)
			round_trip_flags(flags, sizes[i]);
}

Test(cuda_area, mmap_restores_the_callers_device)
{
	struct aml_area_cuda_mmap_options opts = {.device = 0};
	int before, after;
	void *ptr;

	skip_without_device();
	cr_assert_eq(cudaSetDevice(cuda_device_count() - 1), cudaSuccess);
	cr_assert_eq(cudaGetDevice(&before), cudaSuccess);
	ptr = aml_area_mmap(&aml_area_cuda, 64,
			    (struct aml_area_mmap_options *)&opts);
	cr_assert_not_null(ptr);
	cr_assert_eq(cudaGetDevice(&after), cudaSuccess);
	cr_assert_eq(after, before);
	cr_assert_eq(aml_area_munmap(&aml_area_cuda, ptr, 64), 0);
}

Test(cuda_area, device_zero_is_selectable_through_options)
{
	struct aml_area_cuda_mmap_options opts = {.device = 0};
	struct cudaPointerAttributes attr;
	void *ptr;

	skip_without_device();
	ptr = aml_area_mmap(&aml_area_cuda, 64,
			    (struct aml_area_mmap_options *)&opts);
	cr_assert_not_null(ptr);
	cr_assert_eq(cudaPointerGetAttributes(&attr, ptr), cudaSuccess);
	cr_assert_eq(attr.device, 0);
	cr_assert_eq(aml_area_munmap(&aml_area_cuda, ptr, 64), 0);
}

Test(cuda_area, mapped_without_host_pointer_is_einval)
{
	struct aml_area *area = NULL;

	skip_without_device();
	cr_assert_eq(aml_area_cuda_create(&area, -1,
					  AML_AREA_CUDA_FLAG_ALLOC_MAPPED),
		     0);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(area, 64, NULL));
	cr_assert_eq(aml_errno, AML_EINVAL);
	aml_area_cuda_destroy(&area);
}

Test(cuda_area, invalid_device_in_options_is_einval)
{
	struct aml_area_cuda_mmap_options opts = {.device = 9999};

	skip_without_device();
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&aml_area_cuda, 64,
				     (struct aml_area_mmap_options *)&opts));
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(cuda_area, out_of_device_memory_is_enomem)
{
	skip_without_device();
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(&aml_area_cuda, (size_t)1 << 50, NULL));
	cr_assert_eq(aml_errno, AML_ENOMEM);
}

Test(cuda_area, mmap_opts_allocates_on_the_device_and_restores_the_current)
{
	struct cudaPointerAttributes attr;
	struct aml_area *area = NULL;
	int before, after;
	void *out = NULL;

	skip_without_device();
	cr_assert_eq(cudaSetDevice(cuda_device_count() - 1), cudaSuccess);
	cr_assert_eq(cudaGetDevice(&before), cudaSuccess);
	cr_assert_eq(aml_area_cuda_mmap_opts(&out, 1 << 20, 0,
					     AML_AREA_CUDA_FLAG_DEFAULT, NULL),
		     0);
	cr_assert_not_null(out);
	cr_assert_eq(cudaGetDevice(&after), cudaSuccess);
	cr_assert_eq(after, before);
	cr_assert_eq(cudaPointerGetAttributes(&attr, out), cudaSuccess);
	cr_assert_eq(attr.device, 0);
	round_trip(out, 1 << 20);
	cr_assert_eq(aml_area_cuda_create(&area, 0, 0), 0);
	cr_assert_eq(aml_area_munmap(area, out, 1 << 20), 0);
	aml_area_cuda_destroy(&area);
}

Test(cuda_area, mmap_opts_registers_the_callers_memory_for_mapped)
{
	const size_t size = 4096 + 1;
	void *host = malloc(size), *out = NULL;
	struct aml_area *area = NULL;

	skip_without_device();
	cr_assert_not_null(host);
	cr_assert_eq(aml_area_cuda_mmap_opts(&out, size, -1,
					     AML_AREA_CUDA_FLAG_ALLOC_MAPPED,
					     &host),
		     0);
	cr_assert_eq(out, host);
	round_trip(out, size);
	cr_assert_eq(aml_area_cuda_create(&area, -1,
					  AML_AREA_CUDA_FLAG_ALLOC_MAPPED),
		     0);
	cr_assert_eq(aml_area_munmap(area, out, size), 0);
	aml_area_cuda_destroy(&area);
	out = (void *)&out;
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_cuda_mmap_opts(&out, size, -1,
					     AML_AREA_CUDA_FLAG_ALLOC_MAPPED,
					     NULL),
		     -AML_EINVAL);
	cr_assert_null(out);
	cr_assert_eq(aml_errno, AML_EINVAL);
	free(host);
}

Test(cuda_area, backend_is_supported_with_a_device)
{
	skip_without_device();
	cr_assert_eq(aml_support_backends(AML_BACKEND_CUDA), 1);
}
#endif
