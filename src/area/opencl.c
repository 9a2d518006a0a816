/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenCL areas: buffers (clCreateBuffer) and shared virtual memory
 * (clSVMAlloc). Each area retains its context, so the caller may release
 * its own reference while the area lives.
 */
#define AML_NO_SEED_COMPAT
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "aml.h"
#include "aml/area/opencl.h"
#include "internal.h"

#define BUFFER_KNOWN_FLAGS                                                    \
	(CL_MEM_READ_WRITE | CL_MEM_WRITE_ONLY | CL_MEM_READ_ONLY |           \
	 CL_MEM_USE_HOST_PTR | CL_MEM_ALLOC_HOST_PTR | CL_MEM_COPY_HOST_PTR | \
	 CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_READ_ONLY |                     \
	 CL_MEM_HOST_NO_ACCESS)

#define SVM_KNOWN_FLAGS                                             \
	(CL_MEM_READ_WRITE | CL_MEM_WRITE_ONLY | CL_MEM_READ_ONLY | \
	 CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS)

/* A positive AML code for an OpenCL error. */
static int aml_errno_from_cl(cl_int err)
{
	switch (err) {
	case CL_SUCCESS:
		return AML_SUCCESS;
	case CL_INVALID_CONTEXT:
	case CL_INVALID_VALUE:
	case CL_INVALID_HOST_PTR:
	case CL_INVALID_BUFFER_SIZE:
	case CL_INVALID_MEM_OBJECT:
		return AML_EINVAL;
	case CL_OUT_OF_RESOURCES:
	case CL_OUT_OF_HOST_MEMORY:
	case CL_MEM_OBJECT_ALLOCATION_FAILURE:
		return AML_ENOMEM;
	default:
		return AML_FAILURE;
	}
}

/* ------------------------------------------------------------------------
 * Create and destroy (both kinds)
 */

static int opencl_area_create(struct aml_area **area, cl_context context,
			      struct aml_area_ops *ops,
			      union aml_area_opencl_flags flags)
{
	struct aml_area *a;
	struct aml_area_opencl_data *data;

	a = AML_INNER_MALLOC(struct aml_area, struct aml_area_opencl_data);
	if (a == NULL)
		return -AML_ENOMEM;
	if (clRetainContext(context) != CL_SUCCESS) {
		free(a);
		return -AML_EINVAL;
	}
	data = AML_INNER_MALLOC_GET_FIELD(a, 2, struct aml_area,
					  struct aml_area_opencl_data);
	data->context = context;
	data->flags = flags;
	a->ops = ops;
	a->data = (struct aml_area_data *)data;
	*area = a;
	return AML_SUCCESS;
}

int aml_area_opencl_create(struct aml_area **area, cl_context context,
			   const cl_mem_flags flags)
{
	union aml_area_opencl_flags f = {.buffer_flags = flags};

	if (area == NULL || context == NULL || (flags & ~BUFFER_KNOWN_FLAGS))
		return -AML_EINVAL;
	return opencl_area_create(area, context, &aml_area_opencl_ops, f);
}

int aml_area_opencl_svm_create(struct aml_area **area, cl_context context,
			       const cl_svm_mem_flags flags, cl_uint alignement)
{
	union aml_area_opencl_flags f = {
		.svm_flags = {.flags = flags, .alignement = alignement},
	};

	if (area == NULL || context == NULL || (flags & ~SVM_KNOWN_FLAGS))
		return -AML_EINVAL;
	return opencl_area_create(area, context, &aml_area_opencl_svm_ops, f);
}

void aml_area_opencl_destroy(struct aml_area **area)
{
	struct aml_area_opencl_data *data;

	if (area == NULL || *area == NULL)
		return;
	data = (struct aml_area_opencl_data *)(*area)->data;
	aml_registry_forget_area(*area);
	clReleaseContext(data->context);
	free(*area);
	*area = NULL;
}

/* ------------------------------------------------------------------------
 * Buffers: the mapping is a cl_mem, the options are the host pointer
 */

void *aml_area_opencl_mmap(const struct aml_area_data *area_data, size_t size,
			   struct aml_area_mmap_options *options)
{
	const struct aml_area_opencl_data *data =
		(const struct aml_area_opencl_data *)area_data;
	cl_int err = CL_SUCCESS;
	cl_mem buffer;

	if (data == NULL) {
		aml_errno = AML_EINVAL;
		return NULL;
	}
	buffer = clCreateBuffer(data->context, data->flags.buffer_flags, size,
				(void *)options, &err);
	if (buffer == NULL || err != CL_SUCCESS) {
		aml_errno = err != CL_SUCCESS ? aml_errno_from_cl(err)
					      : AML_FAILURE;
		return NULL;
	}
	return (void *)buffer;
}

int aml_area_opencl_munmap(const struct aml_area_data *area_data, void *ptr,
			   const size_t size)
{
	cl_int err;

	(void)area_data;
	(void)size;
	err = clReleaseMemObject((cl_mem)ptr);
	if (err != CL_SUCCESS)
		return aml_fail(aml_errno_from_cl(err));
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Shared virtual memory
 */

void *aml_area_opencl_svm_mmap(const struct aml_area_data *area_data,
			       size_t size,
			       struct aml_area_mmap_options *options)
{
	const struct aml_area_opencl_data *data =
		(const struct aml_area_opencl_data *)area_data;
	void *ptr;

	(void)options;
	if (data == NULL) {
		aml_errno = AML_EINVAL;
		return NULL;
	}
	/* clSVMAlloc says nothing about why it failed. */
	ptr = clSVMAlloc(data->context, data->flags.svm_flags.flags, size,
			 data->flags.svm_flags.alignement);
	if (ptr == NULL)
		aml_errno = AML_ENOMEM;
	return ptr;
}

int aml_area_opencl_svm_munmap(const struct aml_area_data *area_data, void *ptr,
			       const size_t size)
{
	const struct aml_area_opencl_data *data =
		(const struct aml_area_opencl_data *)area_data;

	(void)size;
	if (data == NULL)
		return aml_fail(AML_EINVAL);
	clSVMFree(data->context, ptr);
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Print
 */

int aml_area_opencl_fprintf(const struct aml_area_data *area_data, FILE *stream,
			    const char *prefix)
{
	const struct aml_area_opencl_data *data =
		(const struct aml_area_opencl_data *)area_data;

	if (stream == NULL || data == NULL)
		return -AML_EINVAL;
	if (prefix == NULL)
		prefix = "";
	fprintf(stream, "%s: area-opencl: %p\n", prefix, (const void *)data);
	fprintf(stream, "%s: context: %p\n", prefix, (void *)data->context);
	fprintf(stream, "%s: buffer flags: %#llx\n", prefix,
		(unsigned long long)data->flags.buffer_flags);
	return AML_SUCCESS;
}

int aml_area_opencl_svm_fprintf(const struct aml_area_data *area_data,
				FILE *stream, const char *prefix)
{
	const struct aml_area_opencl_data *data =
		(const struct aml_area_opencl_data *)area_data;

	if (stream == NULL || data == NULL)
		return -AML_EINVAL;
	if (prefix == NULL)
		prefix = "";
	fprintf(stream, "%s: area-opencl-svm: %p\n", prefix,
		(const void *)data);
	fprintf(stream, "%s: context: %p\n", prefix, (void *)data->context);
	fprintf(stream, "%s: svm flags: %#llx\n", prefix,
		(unsigned long long)data->flags.svm_flags.flags);
	fprintf(stream, "%s: alignment: %u\n", prefix,
		(unsigned)data->flags.svm_flags.alignement);
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Operations
 */

struct aml_area_ops aml_area_opencl_ops = {
	.mmap = aml_area_opencl_mmap,
	.munmap = aml_area_opencl_munmap,
	.fprintf = aml_area_opencl_fprintf,
};

struct aml_area_ops aml_area_opencl_svm_ops = {
	.mmap = aml_area_opencl_svm_mmap,
	.munmap = aml_area_opencl_svm_munmap,
	.fprintf = aml_area_opencl_svm_fprintf,
};
