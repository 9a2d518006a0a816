/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Level Zero areas: device, shared and host memory of driver 0. aml_init()
 * finds the driver and makes the default areas; each area owns a context
 * of its own, destroyed with the area. Every Level Zero error becomes a
 * positive AML code in aml_errno and a negative return value.
 */
#define AML_NO_SEED_COMPAT
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "aml.h"
#include "aml/area/ze.h"
#include "internal.h"

/* Default areas, made by aml_init() when a driver is there. */
struct aml_area *aml_area_ze_device;
struct aml_area *aml_area_ze_host;

/* Driver 0, found by aml_init(); NULL before it, after aml_finalize() and
 * without a driver. */
static pthread_mutex_t ze_lock = PTHREAD_MUTEX_INITIALIZER;
static ze_driver_handle_t ze_driver;

int aml_errno_from_ze_result(ze_result_t result)
{
	switch (result) {
	case ZE_RESULT_SUCCESS:
		return AML_SUCCESS;
	case ZE_RESULT_ERROR_DEVICE_LOST:
	case ZE_RESULT_ERROR_MODULE_BUILD_FAILURE:
	case ZE_RESULT_ERROR_MODULE_LINK_FAILURE:
	case ZE_RESULT_ERROR_UNKNOWN:
		return AML_FAILURE;
	case ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY:
	case ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY:
		return AML_ENOMEM;
	case ZE_RESULT_ERROR_UNINITIALIZED:
	case ZE_RESULT_ERROR_DEPENDENCY_UNAVAILABLE:
	case ZE_RESULT_ERROR_INVALID_ARGUMENT:
	case ZE_RESULT_ERROR_INVALID_NULL_HANDLE:
	case ZE_RESULT_ERROR_INVALID_NULL_POINTER:
	case ZE_RESULT_ERROR_INVALID_SIZE:
	case ZE_RESULT_ERROR_INVALID_SYNCHRONIZATION_OBJECT:
	case ZE_RESULT_ERROR_INVALID_ENUMERATION:
	case ZE_RESULT_ERROR_INVALID_NATIVE_BINARY:
	case ZE_RESULT_ERROR_INVALID_GLOBAL_NAME:
	case ZE_RESULT_ERROR_INVALID_KERNEL_NAME:
	case ZE_RESULT_ERROR_INVALID_FUNCTION_NAME:
	case ZE_RESULT_ERROR_INVALID_GROUP_SIZE_DIMENSION:
	case ZE_RESULT_ERROR_INVALID_GLOBAL_WIDTH_DIMENSION:
	case ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_INDEX:
	case ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE:
	case ZE_RESULT_ERROR_INVALID_KERNEL_ATTRIBUTE_VALUE:
	case ZE_RESULT_ERROR_INVALID_MODULE_UNLINKED:
	case ZE_RESULT_ERROR_INVALID_COMMAND_LIST_TYPE:
		return AML_EINVAL;
	case ZE_RESULT_ERROR_OVERLAPPING_REGIONS:
		return AML_EDOM;
	case ZE_RESULT_ERROR_UNSUPPORTED_VERSION:
	case ZE_RESULT_ERROR_UNSUPPORTED_FEATURE:
	case ZE_RESULT_ERROR_UNSUPPORTED_SIZE:
	case ZE_RESULT_ERROR_UNSUPPORTED_ALIGNMENT:
	case ZE_RESULT_ERROR_UNSUPPORTED_ENUMERATION:
	case ZE_RESULT_ERROR_UNSUPPORTED_IMAGE_FORMAT:
		return AML_ENOTSUP;
	case ZE_RESULT_NOT_READY:
	case ZE_RESULT_ERROR_NOT_AVAILABLE:
	case ZE_RESULT_ERROR_HANDLE_OBJECT_IN_USE:
		return AML_EBUSY;
	case ZE_RESULT_ERROR_INSUFFICIENT_PERMISSIONS:
		return AML_EPERM;
	default:
		return AML_FAILURE;
	}
}

/* -code for a failed Level Zero call, with aml_errno set. */
static int ze_fail(ze_result_t result)
{
	int code = aml_errno_from_ze_result(result);

	return aml_fail(code != AML_SUCCESS ? code : AML_FAILURE);
}

/* ------------------------------------------------------------------------
 * Create and destroy
 */

static int valid_alignment(size_t alignment)
{
	return (alignment & (alignment - 1)) == 0;
}

/* Allocate an area with a new context on driver 0 and the given ops. */
static int ze_area_create(struct aml_area **area, struct aml_area_ops *ops,
			  struct aml_area_ze_data **out)
{
	const ze_context_desc_t desc = {
		.stype = ZE_STRUCTURE_TYPE_CONTEXT_DESC,
		.pNext = NULL,
		.flags = 0,
	};
	ze_driver_handle_t driver;
	struct aml_area *a;
	struct aml_area_ze_data *data;
	ze_result_t res;

	pthread_mutex_lock(&ze_lock);
	driver = ze_driver;
	pthread_mutex_unlock(&ze_lock);
	if (driver == NULL)
		return -AML_ENOTSUP;
	a = AML_INNER_MALLOC(struct aml_area, struct aml_area_ze_data);
	if (a == NULL)
		return -AML_ENOMEM;
	data = AML_INNER_MALLOC_GET_FIELD(a, 2, struct aml_area,
					  struct aml_area_ze_data);
	res = zeContextCreate(driver, &desc, &data->context);
	if (res != ZE_RESULT_SUCCESS) {
		free(a);
		return -aml_errno_from_ze_result(res);
	}
	a->ops = ops;
	a->data = (struct aml_area_data *)data;
	*area = a;
	*out = data;
	return AML_SUCCESS;
}

int aml_area_ze_device_create(struct aml_area **area, ze_device_handle_t device,
			      uint32_t ordinal,
			      ze_device_mem_alloc_flag_t device_flags,
			      size_t alignment, int flags)
{
	struct aml_area_ops *ops;
	struct aml_area_ze_data *data;
	int err;

	if (area == NULL || device == NULL || !valid_alignment(alignment))
		return -AML_EINVAL;
	if (flags == AML_AREA_ZE_MMAP_DEVICE_FLAGS)
		ops = &aml_area_ze_ops_device;
	else if (flags == AML_AREA_ZE_MMAP_SHARED_FLAGS)
		ops = &aml_area_ze_ops_shared;
	else
		return -AML_EINVAL;
	err = ze_area_create(area, ops, &data);
	if (err != AML_SUCCESS)
		return err;
	data->alignment = alignment;
	data->desc.device.device_desc.stype =
		ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC;
	data->desc.device.device_desc.pNext = NULL;
	data->desc.device.device_desc.flags = device_flags;
	data->desc.device.device_desc.ordinal = ordinal;
	data->desc.device.device = device;
	return AML_SUCCESS;
}

int aml_area_ze_host_create(struct aml_area **area,
			    ze_host_mem_alloc_flag_t host_flags,
			    size_t alignment)
{
	struct aml_area_ze_data *data;
	int err;

	if (area == NULL || !valid_alignment(alignment))
		return -AML_EINVAL;
	err = ze_area_create(area, &aml_area_ze_ops_host, &data);
	if (err != AML_SUCCESS)
		return err;
	data->alignment = alignment;
	data->desc.host.host_desc.stype = ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC;
	data->desc.host.host_desc.pNext = NULL;
	data->desc.host.host_desc.flags = host_flags;
	return AML_SUCCESS;
}

void aml_area_ze_destroy(struct aml_area **area)
{
	struct aml_area_ze_data *data;

	if (area == NULL || *area == NULL)
		return;
	data = (struct aml_area_ze_data *)(*area)->data;
	aml_registry_forget_area(*area);
	if (data != NULL && data->context != NULL)
		zeContextDestroy(data->context);
	free(*area);
	*area = NULL;
}

/* ------------------------------------------------------------------------
 * Map and unmap
 */

enum ze_kind { ZE_DEVICE, ZE_SHARED, ZE_HOST };

/*
 * One allocation of `kind` from the area. The call's result is stored
 * before ptr is read: with the call as an argument next to `ptr`, ptr
 * could be read (still NULL) before the call wrote it, the order of
 * arguments being unspecified (every mmap returned NULL that way).
 */
static void *ze_alloc(enum ze_kind kind, const struct aml_area_data *area_data,
		      size_t size)
{
	const struct aml_area_ze_data *data =
		(const struct aml_area_ze_data *)area_data;
	const ze_host_mem_alloc_desc_t host_desc = {
		.stype = ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC,
		.pNext = NULL,
		.flags = 0,
	};
	void *ptr = NULL;
	ze_result_t res;

	if (data == NULL) {
		aml_errno = AML_EINVAL;
		return NULL;
	}
	switch (kind) {
	case ZE_DEVICE:
		res = zeMemAllocDevice(
			data->context, &data->desc.device.device_desc, size,
			data->alignment, data->desc.device.device, &ptr);
		break;
	case ZE_SHARED:
		res = zeMemAllocShared(data->context,
				       &data->desc.device.device_desc,
				       &host_desc, size, data->alignment,
				       data->desc.device.device, &ptr);
		break;
	default:
		res = zeMemAllocHost(data->context, &data->desc.host.host_desc,
				     size, data->alignment, &ptr);
		break;
	}
	if (res != ZE_RESULT_SUCCESS || ptr == NULL) {
		ze_fail(res);
		return NULL;
	}
	return ptr;
}

void *aml_area_ze_mmap_device(const struct aml_area_data *area_data,
			      size_t size,
			      struct aml_area_mmap_options *options)
{
	(void)options;
	return ze_alloc(ZE_DEVICE, area_data, size);
}

void *aml_area_ze_mmap_shared(const struct aml_area_data *area_data,
			      size_t size,
			      struct aml_area_mmap_options *options)
{
	(void)options;
	return ze_alloc(ZE_SHARED, area_data, size);
}

void *aml_area_ze_mmap_host(const struct aml_area_data *area_data, size_t size,
			    struct aml_area_mmap_options *options)
{
	(void)options;
	return ze_alloc(ZE_HOST, area_data, size);
}

int aml_area_ze_munmap(const struct aml_area_data *area_data, void *ptr,
		       const size_t size)
{
	const struct aml_area_ze_data *data =
		(const struct aml_area_ze_data *)area_data;
	ze_result_t res;

	(void)size;
	if (data == NULL)
		return aml_fail(AML_EINVAL);
	res = zeMemFree(data->context, ptr);
	if (res != ZE_RESULT_SUCCESS)
		return ze_fail(res);
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Print
 */

static int ze_fprintf_device_kind(const struct aml_area_data *area_data,
				  FILE *stream, const char *prefix,
				  const char *kind)
{
	const struct aml_area_ze_data *data =
		(const struct aml_area_ze_data *)area_data;

	if (stream == NULL || data == NULL)
		return -AML_EINVAL;
	if (prefix == NULL)
		prefix = "";
	fprintf(stream, "%s: area-ze-%s: %p\n", prefix, kind,
		(const void *)data);
	fprintf(stream, "%s: context: %p\n", prefix, (void *)data->context);
	fprintf(stream, "%s: device: %p\n", prefix,
		(void *)data->desc.device.device);
	fprintf(stream, "%s: ordinal: %u\n", prefix,
		(unsigned)data->desc.device.device_desc.ordinal);
	fprintf(stream, "%s: flags: %#x\n", prefix,
		(unsigned)data->desc.device.device_desc.flags);
	fprintf(stream, "%s: alignment: %zu\n", prefix, data->alignment);
	return AML_SUCCESS;
}

int aml_area_ze_fprintf_device(const struct aml_area_data *area_data,
			       FILE *stream, const char *prefix)
{
	return ze_fprintf_device_kind(area_data, stream, prefix, "device");
}

int aml_area_ze_fprintf_shared(const struct aml_area_data *area_data,
			       FILE *stream, const char *prefix)
{
	return ze_fprintf_device_kind(area_data, stream, prefix, "shared");
}

int aml_area_ze_fprintf_host(const struct aml_area_data *area_data,
			     FILE *stream, const char *prefix)
{
	const struct aml_area_ze_data *data =
		(const struct aml_area_ze_data *)area_data;

	if (stream == NULL || data == NULL)
		return -AML_EINVAL;
	if (prefix == NULL)
		prefix = "";
	fprintf(stream, "%s: area-ze-host: %p\n", prefix, (const void *)data);
	fprintf(stream, "%s: context: %p\n", prefix, (void *)data->context);
	fprintf(stream, "%s: flags: %#x\n", prefix,
		(unsigned)data->desc.host.host_desc.flags);
	fprintf(stream, "%s: alignment: %zu\n", prefix, data->alignment);
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Operations
 */

struct aml_area_ops aml_area_ze_ops_device = {
	.mmap = aml_area_ze_mmap_device,
	.munmap = aml_area_ze_munmap,
	.fprintf = aml_area_ze_fprintf_device,
};

struct aml_area_ops aml_area_ze_ops_shared = {
	.mmap = aml_area_ze_mmap_shared,
	.munmap = aml_area_ze_munmap,
	.fprintf = aml_area_ze_fprintf_shared,
};

struct aml_area_ops aml_area_ze_ops_host = {
	.mmap = aml_area_ze_mmap_host,
	.munmap = aml_area_ze_munmap,
	.fprintf = aml_area_ze_fprintf_host,
};

/* ------------------------------------------------------------------------
 * aml_init / aml_finalize / aml_support_backends
 */

/* Driver 0 if zeInit succeeds and its API is at least this header's major
 * version, else NULL. */
static ze_driver_handle_t first_driver(void)
{
	ze_driver_handle_t driver = NULL;
	ze_api_version_t version;
	uint32_t count = 1;

	if (zeInit(0) != ZE_RESULT_SUCCESS)
		return NULL;
	if (zeDriverGet(&count, &driver) != ZE_RESULT_SUCCESS || count < 1)
		return NULL;
	if (zeDriverGetApiVersion(driver, &version) != ZE_RESULT_SUCCESS ||
	    ZE_MAJOR_VERSION(version) <
		    ZE_MAJOR_VERSION(ZE_API_VERSION_CURRENT))
		return NULL;
	return driver;
}

int aml_backend_ze_supported(void)
{
	return first_driver() != NULL;
}

/* Called under aml_init's lock: find driver 0 and device 0, make the
 * default areas. Without a driver the defaults stay NULL; that is not an
 * error of aml_init. */
void aml_backend_ze_init(void)
{
	ze_driver_handle_t driver = first_driver();
	ze_device_handle_t device = NULL;
	uint32_t count = 1;

	if (driver == NULL)
		return;
	pthread_mutex_lock(&ze_lock);
	ze_driver = driver;
	pthread_mutex_unlock(&ze_lock);
	if (zeDeviceGet(driver, &count, &device) == ZE_RESULT_SUCCESS &&
	    count >= 1 && device != NULL)
		aml_area_ze_device_create(&aml_area_ze_device, device, 0,
					  ZE_DEVICE_MEM_ALLOC_FLAG_BIAS_CACHED,
					  64, AML_AREA_ZE_MMAP_DEVICE_FLAGS);
	aml_area_ze_host_create(&aml_area_ze_host,
				ZE_HOST_MEM_ALLOC_FLAG_BIAS_CACHED, 64);
}

void aml_backend_ze_finalize(void)
{
	aml_area_ze_destroy(&aml_area_ze_device);
	aml_area_ze_destroy(&aml_area_ze_host);
	pthread_mutex_lock(&ze_lock);
	ze_driver = NULL;
	pthread_mutex_unlock(&ze_lock);
}
