/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenCL areas, run for real on the CPU through PoCL where no GPU exists.
 * Skipped, with the reason, only when no OpenCL platform is installed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "aml.h"
#include "aml/area/opencl.h"
#include "../common/area-text.h"

#define SIZE (1 << 20)

static cl_context context;
static cl_device_id device;
static cl_command_queue queue;

static void opencl_setup(void)
{
	cl_platform_id platform;
	cl_uint n = 0;
	cl_int err;

	if (clGetPlatformIDs(1, &platform, &n) != CL_SUCCESS || n == 0)
		cr_skip_test("no OpenCL platform (install pocl-opencl-icd)");
	if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, &n) !=
		    CL_SUCCESS ||
	    n == 0)
		cr_skip_test("no OpenCL device on the first platform");
	context = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
	cr_assert_eq(err, CL_SUCCESS);
	queue = clCreateCommandQueueWithProperties(context, device, NULL, &err);
	cr_assert_eq(err, CL_SUCCESS);
}

static void opencl_teardown(void)
{
	if (queue != NULL)
		clReleaseCommandQueue(queue);
	if (context != NULL)
		clReleaseContext(context);
}

TestSuite(opencl_area, .init = opencl_setup, .fini = opencl_teardown);

static unsigned char *pattern(size_t size)
{
	unsigned char *p = malloc(size);

	cr_assert_not_null(p);
	for (size_t i = 0; i < size; i++)
		p[i] = (unsigned char)(i * 13 + 1);
	return p;
}

Test(opencl_area, copy_host_ptr_buffer_reads_back_the_host_data)
{
	unsigned char *in = pattern(SIZE), *out = calloc(1, SIZE);
	struct aml_area *area = NULL;
	cl_mem buf;

	cr_assert_eq(aml_area_opencl_create(&area, context,
					    CL_MEM_READ_WRITE |
						    CL_MEM_COPY_HOST_PTR),
		     0);
	buf = aml_area_mmap(area, SIZE, (struct aml_area_mmap_options *)in);
	cr_assert_not_null(buf, "%s", aml_strerror(aml_errno));
	memset(in, 0, SIZE); /* the buffer holds its own copy */
	free(in);
	in = pattern(SIZE);
	cr_assert_eq(clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, SIZE, out, 0,
					 NULL, NULL),
		     CL_SUCCESS);
	cr_assert_eq(memcmp(in, out, SIZE), 0);
	cr_assert_eq(aml_area_munmap(area, buf, SIZE), 0);
	aml_area_opencl_destroy(&area);
	cr_assert_null(area);
	free(in);
	free(out);
}

Test(opencl_area, alloc_host_ptr_buffer_round_trips)
{
	unsigned char *in = pattern(SIZE), *out = calloc(1, SIZE);
	struct aml_area *area = NULL;
	cl_mem buf;

	cr_assert_eq(
		aml_area_opencl_create(&area, context, CL_MEM_ALLOC_HOST_PTR),
		0);
	buf = aml_area_mmap(area, SIZE, NULL);
	cr_assert_not_null(buf, "%s", aml_strerror(aml_errno));
	cr_assert_eq(clEnqueueWriteBuffer(queue, buf, CL_TRUE, 0, SIZE, in, 0,
					  NULL, NULL),
		     CL_SUCCESS);
	cr_assert_eq(clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, SIZE, out, 0,
					 NULL, NULL),
		     CL_SUCCESS);
	cr_assert_eq(memcmp(in, out, SIZE), 0);
	cr_assert_eq(aml_area_munmap(area, buf, SIZE), 0);
	aml_area_opencl_destroy(&area);
	free(in);
	free(out);
}

Test(opencl_area, area_keeps_its_context_alive)
{
	struct aml_area *area = NULL;
	cl_uint before, during;
	cl_mem buf;

	cr_assert_eq(clGetContextInfo(context, CL_CONTEXT_REFERENCE_COUNT,
				      sizeof(before), &before, NULL),
		     CL_SUCCESS);
	cr_assert_eq(aml_area_opencl_create(&area, context, 0), 0);
	cr_assert_eq(clGetContextInfo(context, CL_CONTEXT_REFERENCE_COUNT,
				      sizeof(during), &during, NULL),
		     CL_SUCCESS);
	cr_assert_eq(during, before + 1);
	buf = aml_area_mmap(area, 64, NULL);
	cr_assert_not_null(buf);
	cr_assert_eq(aml_area_munmap(area, buf, 64), 0);
	aml_area_opencl_destroy(&area);
}

Test(opencl_area, svm_area_maps_writes_and_frees)
{
	struct aml_area *area = NULL;
	cl_device_svm_capabilities caps = 0;
	unsigned char *in = pattern(SIZE), *ptr;

	if (clGetDeviceInfo(device, CL_DEVICE_SVM_CAPABILITIES, sizeof(caps),
			    &caps, NULL) != CL_SUCCESS ||
	    caps == 0)
		cr_skip_test("the OpenCL device reports no SVM support");
	cr_assert_eq(aml_area_opencl_svm_create(&area, context,
						CL_MEM_READ_WRITE, 0),
		     0);
	ptr = aml_area_mmap(area, SIZE, NULL);
	cr_assert_not_null(ptr, "%s", aml_strerror(aml_errno));
	cr_assert_eq(clEnqueueSVMMap(queue, CL_TRUE, CL_MAP_WRITE, ptr, SIZE, 0,
				     NULL, NULL),
		     CL_SUCCESS);
	memset(ptr, 0x5a, SIZE);
	memcpy(ptr, in, SIZE);
	cr_assert_eq(clEnqueueSVMUnmap(queue, ptr, 0, NULL, NULL), CL_SUCCESS);
	cr_assert_eq(clEnqueueSVMMap(queue, CL_TRUE, CL_MAP_READ, ptr, SIZE, 0,
				     NULL, NULL),
		     CL_SUCCESS);
	cr_assert_eq(memcmp(ptr, in, SIZE), 0);
	cr_assert_eq(clEnqueueSVMUnmap(queue, ptr, 0, NULL, NULL), CL_SUCCESS);
	cr_assert_eq(clFinish(queue), CL_SUCCESS);
	cr_assert_eq(aml_area_munmap(area, ptr, SIZE), 0);
	aml_area_opencl_destroy(&area);
	free(in);
}

Test(opencl_area, create_rejects_bad_flags_and_null_context)
{
	struct aml_area *area = NULL;

	cr_assert_eq(
		aml_area_opencl_create(&area, context, (cl_mem_flags)1 << 40),
		-AML_EINVAL);
	cr_assert_eq(aml_area_opencl_create(&area, NULL, 0), -AML_EINVAL);
	cr_assert_eq(aml_area_opencl_create(NULL, context, 0), -AML_EINVAL);
	cr_assert_eq(aml_area_opencl_svm_create(&area, NULL, 0, 0),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_opencl_svm_create(&area, context,
						(cl_svm_mem_flags)1 << 40, 0),
		     -AML_EINVAL);
	cr_assert_null(area);
}

Test(opencl_area, host_ptr_flag_without_pointer_is_einval)
{
	struct aml_area *area = NULL;

	cr_assert_eq(
		aml_area_opencl_create(&area, context, CL_MEM_COPY_HOST_PTR),
		0);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(area, 64, NULL));
	cr_assert_eq(aml_errno, AML_EINVAL);
	aml_area_opencl_destroy(&area);
}

Test(opencl_area, destroy_is_null_safe)
{
	struct aml_area *area = NULL;

	aml_area_opencl_destroy(NULL);
	aml_area_opencl_destroy(&area);
	cr_assert_null(area);
}

Test(opencl_area, fprintf_describes_the_area)
{
	struct aml_area *area = NULL;
	char *text;
	size_t len;

	cr_assert_eq(aml_area_opencl_create(&area, context, 0), 0);
	text = area_text("t", area, &len);
	cr_assert_not_null(strstr(text, "area-opencl"));
	cr_assert_eq(text[len - 1], '\n');
	free(text);
	aml_area_opencl_destroy(&area);
}

Test(opencl_area, backend_is_supported_with_a_platform)
{
	cr_assert_eq(aml_support_backends(AML_BACKEND_OPENCL), 1);
}
