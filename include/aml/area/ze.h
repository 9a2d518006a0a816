/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ze.h
 * Level Zero areas: device, shared and host memory (zeMemAllocDevice,
 * zeMemAllocShared, zeMemAllocHost) of the first Level Zero driver, each
 * area in a context of its own. They need aml_init(): without it, or
 * without a Level Zero driver, creating an area answers -AML_ENOTSUP.
 * Installed only when libaml was built with Level Zero.
 */
#ifndef AML_AREA_ZE_H
#define AML_AREA_ZE_H

#include <stddef.h>
#include <stdint.h>

#include <level_zero/ze_api.h>

#include "aml.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup aml_area_ze Level Zero areas
 * @{
 */

/** aml_area_ze_device_create: device memory (zeMemAllocDevice). */
#define AML_AREA_ZE_MMAP_DEVICE_FLAGS (1 << 0)
/** aml_area_ze_device_create: shared memory (zeMemAllocShared). */
#define AML_AREA_ZE_MMAP_SHARED_FLAGS (1 << 1)

/** Data of a Level Zero area; the context is the area's own. */
struct aml_area_ze_data {
	/** Context of the area, created on driver 0, destroyed with it. */
	ze_context_handle_t context;
	/** Alignment of every allocation (0: the driver's default). */
	size_t alignment;
	/** Allocation descriptors: `device` for device and shared areas. */
	union ze_area_desc {
		struct ze_area_device_desc {
			ze_device_mem_alloc_desc_t device_desc;
			ze_device_handle_t device;
		} device;
		struct ze_area_host_desc {
			ze_host_mem_alloc_desc_t host_desc;
		} host;
	} desc;
};

/** Device memory areas. */
extern struct aml_area_ops aml_area_ze_ops_device;
/** Shared memory areas (host and device, migrated by the driver). */
extern struct aml_area_ops aml_area_ze_ops_shared;
/** Host memory areas (visible to the driver's devices). */
extern struct aml_area_ops aml_area_ze_ops_host;

/**
 * Device memory on device 0 of driver 0 (ordinal 0, BIAS_CACHED,
 * alignment 64), made by aml_init(); NULL before aml_init(), after
 * aml_finalize() and without a Level Zero driver.
 */
extern struct aml_area *aml_area_ze_device;
/** Host memory of driver 0 (BIAS_CACHED, alignment 64), as above. */
extern struct aml_area *aml_area_ze_host;

/**
 * Create a device (`flags` = AML_AREA_ZE_MMAP_DEVICE_FLAGS) or shared
 * (AML_AREA_ZE_MMAP_SHARED_FLAGS) area on `device`, memory `ordinal`,
 * with zeMemAlloc* `device_flags` and `alignment` (0 or a power of two).
 * Arguments are checked before the driver:
 * @return 0; -AML_EINVAL for a NULL area or device, `flags` other than
 * exactly one of the two values, or a bad alignment; -AML_ENOTSUP without
 * a Level Zero driver (or before aml_init()); -AML_ENOMEM; or the
 * negative code of zeContextCreate's error (aml_errno_from_ze_result).
 */
int aml_area_ze_device_create(struct aml_area **area, ze_device_handle_t device,
			      uint32_t ordinal,
			      ze_device_mem_alloc_flag_t device_flags,
			      size_t alignment, int flags);

/**
 * Create a host area with zeMemAllocHost `host_flags` and `alignment`
 * (0 or a power of two).
 * @return 0, -AML_EINVAL, -AML_ENOTSUP, -AML_ENOMEM, or a context error,
 * as aml_area_ze_device_create.
 */
int aml_area_ze_host_create(struct aml_area **area,
			    ze_host_mem_alloc_flag_t host_flags,
			    size_t alignment);

/** Destroy the area's context, free the area, set *area to NULL; NULL-safe. */
void aml_area_ze_destroy(struct aml_area **area);

/** The mmap hooks: the allocation, or NULL with aml_errno set (positive). */
void *aml_area_ze_mmap_device(const struct aml_area_data *area_data,
			      size_t size,
			      struct aml_area_mmap_options *options);
void *aml_area_ze_mmap_shared(const struct aml_area_data *area_data,
			      size_t size,
			      struct aml_area_mmap_options *options);
void *aml_area_ze_mmap_host(const struct aml_area_data *area_data, size_t size,
			    struct aml_area_mmap_options *options);

/** The munmap hook (zeMemFree): 0 or a negative code. */
int aml_area_ze_munmap(const struct aml_area_data *area_data, void *ptr,
		       const size_t size);

/** The fprintf hooks: one line per field. */
int aml_area_ze_fprintf_device(const struct aml_area_data *area_data,
			       FILE *stream, const char *prefix);
int aml_area_ze_fprintf_shared(const struct aml_area_data *area_data,
			       FILE *stream, const char *prefix);
int aml_area_ze_fprintf_host(const struct aml_area_data *area_data,
			     FILE *stream, const char *prefix);

/**
 * The positive AML code of a Level Zero result: SUCCESS -> 0; DEVICE_LOST,
 * MODULE_BUILD_FAILURE, MODULE_LINK_FAILURE, UNKNOWN -> AML_FAILURE;
 * OUT_OF_HOST_MEMORY, OUT_OF_DEVICE_MEMORY -> AML_ENOMEM; UNINITIALIZED,
 * DEPENDENCY_UNAVAILABLE, every INVALID_* -> AML_EINVAL;
 * OVERLAPPING_REGIONS -> AML_EDOM; every UNSUPPORTED_* -> AML_ENOTSUP;
 * NOT_READY, NOT_AVAILABLE, HANDLE_OBJECT_IN_USE -> AML_EBUSY;
 * INSUFFICIENT_PERMISSIONS -> AML_EPERM; anything else -> AML_FAILURE.
 */
int aml_errno_from_ze_result(ze_result_t result);

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* AML_AREA_ZE_H */
