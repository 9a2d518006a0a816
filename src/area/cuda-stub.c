/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CUDA area in a build without CUDA: the same symbols as cuda.c, each
 * answering AML_ENOTSUP, so that programs written for the CUDA area link
 * and fail cleanly at run time.
 */
#define AML_NO_SEED_COMPAT
#include "config.h"

#include <stdio.h>

#include "aml.h"
#include "aml/area/cuda.h"
#include "internal.h"

void *aml_area_cuda_mmap(const struct aml_area_data *area_data, size_t size,
			 struct aml_area_mmap_options *options)
{
	(void)area_data;
	(void)size;
	(void)options;
	aml_errno = AML_ENOTSUP;
	return NULL;
}

int aml_area_cuda_mmap_opts(void **out, const size_t size, const int device,
			    const int flags, void **ptr_map)
{
	const int known = AML_AREA_CUDA_FLAG_ALLOC_HOST |
			  AML_AREA_CUDA_FLAG_ALLOC_UNIFIED |
			  AML_AREA_CUDA_FLAG_ALLOC_MAPPED |
			  AML_AREA_CUDA_FLAG_ALLOC_GLOBAL;

	(void)size;
	(void)device;
	(void)ptr_map;
	if (out == NULL)
		return aml_fail(AML_EINVAL);
	*out = NULL;
	if (flags & ~known)
		return aml_fail(AML_EINVAL);
	return aml_fail(AML_ENOTSUP);
}

int aml_area_cuda_munmap(const struct aml_area_data *area_data, void *ptr,
			 const size_t size)
{
	(void)area_data;
	(void)ptr;
	(void)size;
	return aml_fail(AML_ENOTSUP);
}

int aml_area_cuda_create(struct aml_area **area, const int device,
			 const int flags)
{
	(void)device;
	(void)flags;
	if (area == NULL)
		return -AML_EINVAL;
	return -AML_ENOTSUP;
}

void aml_area_cuda_destroy(struct aml_area **area)
{
	if (area != NULL)
		*area = NULL;
}

int aml_area_cuda_fprintf(const struct aml_area_data *area_data, FILE *stream,
			  const char *prefix)
{
	(void)area_data;
	if (stream == NULL)
		return -AML_EINVAL;
	fprintf(stream, "%s: area-cuda: not built (no CUDA support)\n",
		prefix ? prefix : "");
	return AML_SUCCESS;
}
