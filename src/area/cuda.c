/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CUDA area: cudaMalloc, cudaHostAlloc, cudaHostRegister and
 * cudaMallocManaged behind aml_area_mmap. Every call leaves the caller's
 * current device as it found it, and every CUDA error becomes a positive
 * AML code (never "NULL with no error").
 */
#define AML_NO_SEED_COMPAT
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <cuda_runtime_api.h>

#include "aml.h"
#include "aml/area/cuda.h"
#include "internal.h"

#define CUDA_KNOWN_FLAGS                                                    \
	(AML_AREA_CUDA_FLAG_ALLOC_HOST | AML_AREA_CUDA_FLAG_ALLOC_UNIFIED | \
	 AML_AREA_CUDA_FLAG_ALLOC_MAPPED | AML_AREA_CUDA_FLAG_ALLOC_GLOBAL)

/* A positive AML code for a CUDA error. */
static int aml_errno_from_cuda(cudaError_t err)
{
	switch (err) {
	case cudaSuccess:
		return AML_SUCCESS;
	case cudaErrorInvalidValue:
	case cudaErrorInvalidDevice:
	case cudaErrorInvalidDevicePointer:
		return AML_EINVAL;
	case cudaErrorMemoryAllocation:
		return AML_ENOMEM;
	case cudaErrorNotSupported:
	case cudaErrorInsufficientDriver:
	case cudaErrorNoDevice:
	case cudaErrorDevicesUnavailable:
	case cudaErrorSystemDriverMismatch:
	case cudaErrorCompatNotSupportedOnDevice:
		return AML_ENOTSUP;
	case cudaErrorHostMemoryAlreadyRegistered:
	case cudaErrorDeviceAlreadyInUse:
		return AML_EBUSY;
	case cudaErrorNotPermitted:
		return AML_EPERM;
	default:
		return AML_FAILURE;
	}
}

/* -code for a failed CUDA call, with aml_errno set. */
static int cuda_fail(cudaError_t err)
{
	return aml_fail(aml_errno_from_cuda(err));
}

/* ------------------------------------------------------------------------
 * Device switching
 */

/* Make `device` current (if >= 0); *previous gets the device to restore. */
static int device_enter(int device, int *previous)
{
	cudaError_t err = cudaGetDevice(previous);

	if (err != cudaSuccess)
		return cuda_fail(err);
	if (device < 0 || device == *previous)
		return AML_SUCCESS;
	err = cudaSetDevice(device);
	if (err != cudaSuccess)
		return cuda_fail(err);
	return AML_SUCCESS;
}

static void device_leave(int device, int previous)
{
	if (device >= 0 && device != previous)
		cudaSetDevice(previous);
}

/* ------------------------------------------------------------------------
 * Allocation, by flag precedence: unified, mapped, host, device
 */

static cudaError_t cuda_alloc(void **out, int flags, size_t size, void *ptr)
{
	const int global = flags & AML_AREA_CUDA_FLAG_ALLOC_GLOBAL;
	unsigned int host_flags = global ? cudaHostAllocPortable : 0;

	if (flags & AML_AREA_CUDA_FLAG_ALLOC_UNIFIED)
		return cudaMallocManaged(out, size,
					 global ? cudaMemAttachGlobal
						: cudaMemAttachHost);
	if (flags & AML_AREA_CUDA_FLAG_ALLOC_MAPPED) {
		host_flags |= cudaHostAllocMapped;
		if (flags & AML_AREA_CUDA_FLAG_ALLOC_HOST)
			return cudaHostAlloc(out, size, host_flags);
		if (ptr == NULL)
			return cudaErrorInvalidValue;
		*out = ptr;
		return cudaHostRegister(ptr, size, host_flags);
	}
	if (flags & AML_AREA_CUDA_FLAG_ALLOC_HOST)
		return cudaHostAlloc(out, size,
				     cudaHostAllocDefault | host_flags);
	return cudaMalloc(out, size);
}

static cudaError_t cuda_free(int flags, void *ptr)
{
	if (flags & AML_AREA_CUDA_FLAG_ALLOC_UNIFIED)
		return cudaFree(ptr);
	if (flags & AML_AREA_CUDA_FLAG_ALLOC_MAPPED) {
		if (flags & AML_AREA_CUDA_FLAG_ALLOC_HOST)
			return cudaFreeHost(ptr);
		return cudaHostUnregister(ptr);
	}
	if (flags & AML_AREA_CUDA_FLAG_ALLOC_HOST)
		return cudaFreeHost(ptr);
	return cudaFree(ptr);
}

int aml_area_cuda_mmap_opts(void **out, const size_t size, const int device,
			    const int flags, void **ptr_map)
{
	int previous, err;
	cudaError_t cerr;

	if (out == NULL)
		return aml_fail(AML_EINVAL);
	*out = NULL;
	if (flags & ~CUDA_KNOWN_FLAGS)
		return aml_fail(AML_EINVAL);
	err = device_enter(device, &previous);
	if (err != AML_SUCCESS)
		return err;
	cerr = cuda_alloc(out, flags, size, ptr_map ? *ptr_map : NULL);
	device_leave(device, previous);
	if (cerr != cudaSuccess) {
		*out = NULL;
		return cuda_fail(cerr);
	}
	return AML_SUCCESS;
}

void *aml_area_cuda_mmap(const struct aml_area_data *area_data, size_t size,
			 struct aml_area_mmap_options *options)
{
	const struct aml_area_cuda_data *data =
		(const struct aml_area_cuda_data *)area_data;
	const struct aml_area_cuda_mmap_options *opts =
		(const struct aml_area_cuda_mmap_options *)options;
	void *ptr_map = opts != NULL ? opts->ptr : NULL;
	void *out = NULL;
	int device;

	if (data == NULL) {
		aml_errno = AML_EINVAL;
		return NULL;
	}
	device =
		opts != NULL && opts->device >= 0 ? opts->device : data->device;
	if (aml_area_cuda_mmap_opts(&out, size, device, data->flags,
				    &ptr_map) != AML_SUCCESS)
		return NULL;
	return out;
}

int aml_area_cuda_munmap(const struct aml_area_data *area_data, void *ptr,
			 const size_t size)
{
	const struct aml_area_cuda_data *data =
		(const struct aml_area_cuda_data *)area_data;
	cudaError_t err;

	(void)size;
	if (data == NULL)
		return aml_fail(AML_EINVAL);
	err = cuda_free(data->flags, ptr);
	if (err != cudaSuccess)
		return cuda_fail(err);
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Create, destroy, print
 */

int aml_area_cuda_create(struct aml_area **area, const int device,
			 const int flags)
{
	struct aml_area *a;
	struct aml_area_cuda_data *data;
	int count;
	cudaError_t err;

	if (area == NULL || (flags & ~CUDA_KNOWN_FLAGS))
		return -AML_EINVAL;
	err = cudaGetDeviceCount(&count);
	if (err != cudaSuccess)
		return -aml_errno_from_cuda(err);
	if (count < 1)
		return -AML_ENOTSUP;
	if (device >= count)
		return -AML_EINVAL;
	a = AML_INNER_MALLOC(struct aml_area, struct aml_area_cuda_data);
	if (a == NULL)
		return -AML_ENOMEM;
	data = AML_INNER_MALLOC_GET_FIELD(a, 2, struct aml_area,
					  struct aml_area_cuda_data);
	data->device = device < 0 ? -1 : device;
	data->flags = flags;
	a->ops = &aml_area_cuda_ops;
	a->data = (struct aml_area_data *)data;
	*area = a;
	return AML_SUCCESS;
}

void aml_area_cuda_destroy(struct aml_area **area)
{
	if (area == NULL || *area == NULL)
		return;
	aml_registry_forget_area(*area);
	free(*area);
	*area = NULL;
}

static const char *flags_kind(int flags)
{
	const int kind = flags & (AML_AREA_CUDA_FLAG_ALLOC_HOST |
				  AML_AREA_CUDA_FLAG_ALLOC_UNIFIED);

	if (kind == AML_AREA_CUDA_FLAG_ALLOC_HOST)
		return "host";
	if (kind == AML_AREA_CUDA_FLAG_ALLOC_UNIFIED)
		return "unified";
	if (kind != 0)
		return "host|unified";
	return "default";
}

int aml_area_cuda_fprintf(const struct aml_area_data *area_data, FILE *stream,
			  const char *prefix)
{
	const struct aml_area_cuda_data *data =
		(const struct aml_area_cuda_data *)area_data;

	if (stream == NULL || data == NULL)
		return -AML_EINVAL;
	if (prefix == NULL)
		prefix = "";
	fprintf(stream, "%s: area-cuda: %p\n", prefix, (const void *)data);
	fprintf(stream, "%s: device: %i\n", prefix, data->device);
	fprintf(stream, "%s: flags: %s\n", prefix, flags_kind(data->flags));
	fprintf(stream, "%s: mapped: %s\n", prefix,
		data->flags & AML_AREA_CUDA_FLAG_ALLOC_MAPPED ? "yes" : "no");
	fprintf(stream, "%s: global: %s\n", prefix,
		data->flags & AML_AREA_CUDA_FLAG_ALLOC_GLOBAL ? "yes" : "no");
	return AML_SUCCESS;
}
