/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file opencl.h
 * OpenCL areas: buffer areas (clCreateBuffer, the mapping is a cl_mem
 * handle, not a dereferenceable pointer) and shared virtual memory areas
 * (clSVMAlloc). Installed only when libaml was built with OpenCL.
 */
#ifndef AML_AREA_OPENCL_H
#define AML_AREA_OPENCL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 200
#endif
#include <CL/opencl.h>

#include "aml.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup aml_area_opencl OpenCL areas
 * @{
 */

/** Flags and alignment of an SVM area (the spelling is upstream's). */
struct aml_area_opencl_svm_flags {
	cl_svm_mem_flags flags;
	cl_uint alignement;
};

/** Data of an OpenCL area; the context is retained while the area lives. */
struct aml_area_opencl_data {
	cl_context context;
	union aml_area_opencl_flags {
		cl_mem_flags buffer_flags;
		struct aml_area_opencl_svm_flags svm_flags;
	} flags;
};

/** Buffer areas: mmap gives a cl_mem; the mmap options are the host_ptr. */
extern struct aml_area_ops aml_area_opencl_ops;
/** SVM areas: mmap gives an SVM pointer; options are ignored. */
extern struct aml_area_ops aml_area_opencl_svm_ops;

/**
 * Create a buffer area in `context` with clCreateBuffer `flags`.
 * @return 0, -AML_EINVAL (NULL area or context, unknown flags),
 * -AML_ENOMEM.
 */
int aml_area_opencl_create(struct aml_area **area, cl_context context,
			   const cl_mem_flags flags);

/**
 * Create an SVM area in `context` with clSVMAlloc `flags` and
 * `alignement` (0: the runtime's default).
 * @return 0, -AML_EINVAL, -AML_ENOMEM.
 */
int aml_area_opencl_svm_create(struct aml_area **area, cl_context context,
			       const cl_svm_mem_flags flags,
			       cl_uint alignement);

/** Release the context, free either kind of area, set *area to NULL. */
void aml_area_opencl_destroy(struct aml_area **area);

void *aml_area_opencl_mmap(const struct aml_area_data *area_data, size_t size,
			   struct aml_area_mmap_options *options);
int aml_area_opencl_munmap(const struct aml_area_data *area_data, void *ptr,
			   const size_t size);
void *aml_area_opencl_svm_mmap(const struct aml_area_data *area_data,
			       size_t size,
			       struct aml_area_mmap_options *options);
int aml_area_opencl_svm_munmap(const struct aml_area_data *area_data, void *ptr,
			       const size_t size);
int aml_area_opencl_fprintf(const struct aml_area_data *area_data, FILE *stream,
			    const char *prefix);
int aml_area_opencl_svm_fprintf(const struct aml_area_data *area_data,
				FILE *stream, const char *prefix);

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* AML_AREA_OPENCL_H */
