/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cuda.h
 * The CUDA area: device, pinned host, mapped and unified (managed) memory
 * through aml_area_mmap. The header needs no CUDA type, so it is installed
 * whether or not libaml was built with CUDA; without CUDA every call
 * answers AML_ENOTSUP.
 */
#ifndef AML_AREA_CUDA_H
#define AML_AREA_CUDA_H

#include <stddef.h>

#include "aml.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup aml_area_cuda CUDA area
 * @{
 */

/** Device memory (cudaMalloc). */
#define AML_AREA_CUDA_FLAG_DEFAULT 0
/** Page-locked host memory (cudaHostAlloc). */
#define AML_AREA_CUDA_FLAG_ALLOC_HOST (1 << 0)
/** Unified memory (cudaMallocManaged); takes precedence over the others. */
#define AML_AREA_CUDA_FLAG_ALLOC_UNIFIED (1 << 1)
/**
 * Host memory mapped into the device address space: with ALLOC_HOST,
 * allocated by cudaHostAlloc; without it, the caller's memory given in
 * aml_area_cuda_mmap_options.ptr is registered (cudaHostRegister) and
 * stays the caller's.
 */
#define AML_AREA_CUDA_FLAG_ALLOC_MAPPED (1 << 2)
/** Visible to every device (portable pinned memory, global attachment). */
#define AML_AREA_CUDA_FLAG_ALLOC_GLOBAL (1 << 3)

/** Options of one aml_area_mmap call on a CUDA area. */
struct aml_area_cuda_mmap_options {
	/** Device to allocate on; < 0 uses the area's device. */
	int device;
	/** Host memory to register for ALLOC_MAPPED without ALLOC_HOST. */
	void *ptr;
};

/** Data of a CUDA area. */
struct aml_area_cuda_data {
	int flags;  /**< AML_AREA_CUDA_FLAG_* */
	int device; /**< device number, or -1 for the caller's current one */
};

extern struct aml_area_ops aml_area_cuda_ops;
/** Device memory on the current device. */
extern struct aml_area aml_area_cuda;
/** Unified memory on the current device. */
extern struct aml_area aml_area_cuda_unified;

/**
 * Create a CUDA area on `device` (< 0: the current device at mmap time).
 * @return 0; -AML_EINVAL for a NULL area, unknown flags or a device that
 * does not exist; -AML_ENOTSUP without a usable CUDA device (or without
 * CUDA support in this build); -AML_ENOMEM.
 */
int aml_area_cuda_create(struct aml_area **area, const int device,
			 const int flags);

/** Free an area made by aml_area_cuda_create and set *area to NULL. */
void aml_area_cuda_destroy(struct aml_area **area);

/**
 * The mmap hook. The caller's current device is restored before return.
 * @return the allocation, or NULL with aml_errno set to a positive code.
 */
void *aml_area_cuda_mmap(const struct aml_area_data *area_data, size_t size,
			 struct aml_area_mmap_options *options);

/**
 * Allocate `size` bytes per `flags` (AML_AREA_CUDA_FLAG_*, as an area
 * would) on `device` (< 0: the current device), the mmap hook without an
 * area. For ALLOC_MAPPED without ALLOC_HOST, *ptr_map is the caller's host
 * memory to register, and *out is set to it. The caller's current device
 * is restored before return. Free with the munmap hook of an area of the
 * same flags.
 * @return 0 with *out set; or a negative code with *out = NULL and
 * aml_errno set: -AML_EINVAL (NULL out, unknown flags, no device,
 * ALLOC_MAPPED without a host pointer), -AML_ENOMEM, -AML_ENOTSUP (no
 * usable device, or built without CUDA), -AML_EBUSY (memory already
 * registered), -AML_FAILURE.
 */
int aml_area_cuda_mmap_opts(void **out, const size_t size, const int device,
			    const int flags, void **ptr_map);

/** The munmap hook: 0 or a negative code. */
int aml_area_cuda_munmap(const struct aml_area_data *area_data, void *ptr,
			 const size_t size);

/** The fprintf hook: one line per field. */
int aml_area_cuda_fprintf(const struct aml_area_data *area_data, FILE *stream,
			  const char *prefix);

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* AML_AREA_CUDA_H */
