/* SPDX-License-Identifier: BSD-3-Clause */
/* Library state: aml_init/aml_finalize, version and backend support. */
#define AML_NO_SEED_COMPAT
#include "aml.h"

#include "config.h"
#include "internal.h"

#if HAVE_CUDA
#include <cuda_runtime_api.h>
#endif
#if HAVE_OPENCL
#define CL_TARGET_OPENCL_VERSION 200
#include <CL/opencl.h>
#endif

const int aml_version_major = AML_VERSION_MAJOR;
const int aml_version_minor = AML_VERSION_MINOR;
const int aml_version_patch = AML_VERSION_PATCH;
const char *aml_version_revision = AML_VERSION_REVISION;
const char *aml_version_string = AML_VERSION_STRING;

const char *aml_version(void)
{
	return AML_VERSION_STRING;
}

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized;

int aml_init(int *argc, char **argv[])
{
	int ret = AML_SUCCESS;

	(void)argc;
	(void)argv;
	pthread_mutex_lock(&init_lock);
	if (!initialized) {
#if HAVE_HWLOC
		ret = aml_backend_hwloc_init();
#endif
#if HAVE_ZE
		/* Without a driver the ZE defaults stay NULL: not an error. */
		if (ret == AML_SUCCESS)
			aml_backend_ze_init();
#endif
		initialized = ret == AML_SUCCESS;
	}
	pthread_mutex_unlock(&init_lock);
	return ret;
}

int aml_finalize(void)
{
	pthread_mutex_lock(&init_lock);
	if (initialized) {
#if HAVE_HWLOC
		aml_backend_hwloc_finalize();
#endif
#if HAVE_ZE
		aml_backend_ze_finalize();
#endif
		initialized = 0;
	}
	pthread_mutex_unlock(&init_lock);
	return AML_SUCCESS;
}

/* Runtime probes of the device backends: compiled in and a device now. */
static int cuda_usable(void)
{
#if HAVE_CUDA
	int count = 0;

	return cudaGetDeviceCount(&count) == cudaSuccess && count >= 1;
#else
	return 0;
#endif
}

static int opencl_usable(void)
{
#if HAVE_OPENCL
	cl_platform_id platform;
	cl_uint count = 0;

	return clGetPlatformIDs(1, &platform, &count) == CL_SUCCESS &&
	       count >= 1;
#else
	return 0;
#endif
}

/* zeInit succeeds and driver 0's API major version is at least ours. */
static int ze_usable(void)
{
#if HAVE_ZE
	return aml_backend_ze_supported();
#else
	return 0;
#endif
}

int aml_support_backends(const unsigned long backends)
{
	const unsigned long known = AML_BACKEND_LIBNUMA | AML_BACKEND_CUDA |
				    AML_BACKEND_HWLOC | AML_BACKEND_OPENCL |
				    AML_BACKEND_ZE | AML_BACKEND_HIP;

	if (backends & ~known)
		return 0;
	if (backends & AML_BACKEND_HWLOC) {
#if HAVE_HWLOC
		if (!aml_backend_hwloc_supported())
			return 0;
#else
		return 0;
#endif
	}
	if ((backends & AML_BACKEND_CUDA) && !cuda_usable())
		return 0;
	if ((backends & AML_BACKEND_OPENCL) && !opencl_usable())
		return 0;
	if ((backends & AML_BACKEND_ZE) && !ze_usable())
		return 0;
	if (backends & AML_BACKEND_HIP)
		return 0;
	return 1;
}
