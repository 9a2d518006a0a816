/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Level Zero areas. Without a driver (zeInit fails) aml_init still
 * succeeds, the default areas are NULL and create answers -AML_ENOTSUP;
 * argument checks, the result table and printing need no driver. With a
 * driver, device, shared and host areas round-trip data for sizes from
 * 1 B to 64 MiB.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "aml.h"
#include "aml/area/ze.h"

/* A handle that is never passed to Level Zero: the checks before it fail. */
#define FAKE_DEVICE ((ze_device_handle_t)(uintptr_t)0x1000)

static ze_driver_handle_t ze_driver(void)
{
	ze_driver_handle_t driver = NULL;
	uint32_t count = 1;

	if (zeInit(0) != ZE_RESULT_SUCCESS)
		return NULL;
	if (zeDriverGet(&count, &driver) != ZE_RESULT_SUCCESS || count < 1)
		return NULL;
	return driver;
}

static ze_device_handle_t ze_device(void)
{
	ze_driver_handle_t driver = ze_driver();
	ze_device_handle_t device = NULL;
	uint32_t count = 1;

	if (driver == NULL ||
	    zeDeviceGet(driver, &count, &device) != ZE_RESULT_SUCCESS ||
	    count < 1)
		return NULL;
	return device;
}

static void skip_without_driver(void)
{
	if (ze_driver() == NULL)
		cr_skip_test("no Level Zero driver: zeInit(0) = %#x, or "
			     "zeDriverGet finds none",
			     (unsigned)zeInit(0));
}

static void skip_without_device(void)
{
	skip_without_driver();
	if (ze_device() == NULL)
		cr_skip_test("no Level Zero device on driver 0");
}

static void skip_with_driver(void)
{
	if (ze_driver() != NULL)
		cr_skip_test("a Level Zero driver is present: the no-driver "
			     "answers cannot be checked here");
}

/* ------------------------------------------------------------------------
 * Any machine
 */

Test(ze_area, result_table_translates_every_listed_result)
{
	static const struct {
		ze_result_t result;
		int code;
	} table[] = {
		{ZE_RESULT_SUCCESS, AML_SUCCESS},
		{ZE_RESULT_ERROR_DEVICE_LOST, AML_FAILURE},
		{ZE_RESULT_ERROR_MODULE_BUILD_FAILURE, AML_FAILURE},
		{ZE_RESULT_ERROR_MODULE_LINK_FAILURE, AML_FAILURE},
		{ZE_RESULT_ERROR_UNKNOWN, AML_FAILURE},
		{ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY, AML_ENOMEM},
		{ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY, AML_ENOMEM},
		{ZE_RESULT_ERROR_UNINITIALIZED, AML_EINVAL},
		{ZE_RESULT_ERROR_DEPENDENCY_UNAVAILABLE, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_ARGUMENT, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_NULL_HANDLE, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_NULL_POINTER, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_SIZE, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_SYNCHRONIZATION_OBJECT, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_ENUMERATION, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_NATIVE_BINARY, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_GLOBAL_NAME, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_KERNEL_NAME, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_FUNCTION_NAME, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_GROUP_SIZE_DIMENSION, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_GLOBAL_WIDTH_DIMENSION, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_INDEX, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_KERNEL_ATTRIBUTE_VALUE, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_MODULE_UNLINKED, AML_EINVAL},
		{ZE_RESULT_ERROR_INVALID_COMMAND_LIST_TYPE, AML_EINVAL},
		{ZE_RESULT_ERROR_OVERLAPPING_REGIONS, AML_EDOM},
		{ZE_RESULT_ERROR_UNSUPPORTED_VERSION, AML_ENOTSUP},
		{ZE_RESULT_ERROR_UNSUPPORTED_FEATURE, AML_ENOTSUP},
		{ZE_RESULT_ERROR_UNSUPPORTED_SIZE, AML_ENOTSUP},
		{ZE_RESULT_ERROR_UNSUPPORTED_ALIGNMENT, AML_ENOTSUP},
		{ZE_RESULT_ERROR_UNSUPPORTED_ENUMERATION, AML_ENOTSUP},
		{ZE_RESULT_ERROR_UNSUPPORTED_IMAGE_FORMAT, AML_ENOTSUP},
		{ZE_RESULT_NOT_READY, AML_EBUSY},
		{ZE_RESULT_ERROR_NOT_AVAILABLE, AML_EBUSY},
		{ZE_RESULT_ERROR_HANDLE_OBJECT_IN_USE, AML_EBUSY},
		{ZE_RESULT_ERROR_INSUFFICIENT_PERMISSIONS, AML_EPERM},
		/* Not listed: the default. */
		{ZE_RESULT_ERROR_DEVICE_REQUIRES_RESET, AML_FAILURE},
		{ZE_RESULT_ERROR_DEVICE_IN_LOW_POWER_STATE, AML_FAILURE},
		{ZE_RESULT_WARNING_DROPPED_DATA, AML_FAILURE},
		{ZE_RESULT_WARNING_ACTION_REQUIRED, AML_FAILURE},
		{(ze_result_t)0x12345, AML_FAILURE},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(*table); i++)
		cr_expect_eq(aml_errno_from_ze_result(table[i].result),
			     table[i].code, "result %#x: %d, expected %d",
			     (unsigned)table[i].result,
			     aml_errno_from_ze_result(table[i].result),
			     table[i].code);
}

/* Argument checks come before the driver: same answer on every machine. */
Test(ze_area, create_rejects_null_area_and_device)
{
	struct aml_area *area = NULL;

	cr_assert_eq(aml_area_ze_device_create(NULL, FAKE_DEVICE, 0, 0, 0,
					       AML_AREA_ZE_MMAP_DEVICE_FLAGS),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_ze_device_create(&area, NULL, 0, 0, 0,
					       AML_AREA_ZE_MMAP_DEVICE_FLAGS),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_ze_host_create(NULL, 0, 0), -AML_EINVAL);
	cr_assert_null(area);
}

Test(ze_area, create_rejects_flags_other_than_device_or_shared)
{
	static const int bad[] = {
		0,
		AML_AREA_ZE_MMAP_DEVICE_FLAGS | AML_AREA_ZE_MMAP_SHARED_FLAGS,
		1 << 2,
		-1,
	};
	struct aml_area *area = NULL;

	cr_assert_eq(aml_init(NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(aml_area_ze_device_create(&area, FAKE_DEVICE, 0, 0,
						       0, bad[i]),
			     -AML_EINVAL, "flags %#x", (unsigned)bad[i]);
	cr_assert_null(area);
	aml_finalize();
}

Test(ze_area, create_rejects_alignment_not_a_power_of_two)
{
	struct aml_area *area = NULL;

	cr_assert_eq(aml_area_ze_device_create(&area, FAKE_DEVICE, 0, 0, 48,
					       AML_AREA_ZE_MMAP_DEVICE_FLAGS),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_ze_host_create(&area, 0, 3), -AML_EINVAL);
	cr_assert_null(area);
}

Test(ze_area, create_before_aml_init_is_enotsup)
{
	struct aml_area *area = NULL;

	cr_assert_eq(aml_area_ze_host_create(&area, 0, 64), -AML_ENOTSUP);
	cr_assert_eq(aml_area_ze_device_create(&area, FAKE_DEVICE, 0, 0, 64,
					       AML_AREA_ZE_MMAP_SHARED_FLAGS),
		     -AML_ENOTSUP);
	cr_assert_null(area);
}

Test(ze_area, destroy_is_null_safe)
{
	struct aml_area *area = NULL;

	aml_area_ze_destroy(NULL);
	aml_area_ze_destroy(&area);
	cr_assert_null(area);
}

Test(ze_area, hooks_reject_missing_area_data)
{
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_ze_mmap_device(NULL, 64, NULL));
	cr_assert_eq(aml_errno, AML_EINVAL);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_ze_mmap_shared(NULL, 64, NULL));
	cr_assert_eq(aml_errno, AML_EINVAL);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_ze_mmap_host(NULL, 64, NULL));
	cr_assert_eq(aml_errno, AML_EINVAL);
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_ze_munmap(NULL, (void *)&aml_errno, 64),
		     -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
}

/* Print an area built by hand (no driver needed: nothing is called). */
static char *print_area(struct aml_area_ops *ops, struct aml_area_ze_data *d)
{
	struct aml_area area = {.ops = ops, .data = (struct aml_area_data *)d};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(aml_area_fprintf(f, "t", &area), 0);
	fclose(f);
	cr_assert_gt(len, 0);
	cr_assert_eq(text[len - 1], '\n');
	return text;
}

Test(ze_area, every_kind_prints_its_fields)
{
	struct aml_area_ze_data d;
	char *text;

	memset(&d, 0, sizeof(d));
	d.alignment = 64;
	d.desc.device.device_desc.ordinal = 3;
	text = print_area(&aml_area_ze_ops_device, &d);
	cr_assert_not_null(strstr(text, "t: area-ze-device: "));
	cr_assert_not_null(strstr(text, "t: ordinal: 3\n"));
	cr_assert_not_null(strstr(text, "t: alignment: 64\n"));
	free(text);
	text = print_area(&aml_area_ze_ops_shared, &d);
	cr_assert_not_null(strstr(text, "t: area-ze-shared: "));
	free(text);
	memset(&d, 0, sizeof(d));
	d.desc.host.host_desc.flags = ZE_HOST_MEM_ALLOC_FLAG_BIAS_CACHED;
	text = print_area(&aml_area_ze_ops_host, &d);
	cr_assert_not_null(strstr(text, "t: area-ze-host: "));
	cr_assert_not_null(strstr(text, "t: flags: 0x1\n"));
	free(text);
}

Test(ze_area, defaults_are_null_before_aml_init)
{
	cr_assert_null(aml_area_ze_device);
	cr_assert_null(aml_area_ze_host);
}

/* ------------------------------------------------------------------------
 * Without a driver
 */

Test(ze_area, aml_init_succeeds_without_driver_and_defaults_stay_null)
{
	skip_with_driver();
	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_null(aml_area_ze_device);
	cr_assert_null(aml_area_ze_host);
	cr_assert_eq(aml_support_backends(AML_BACKEND_ZE), 0);
	cr_assert_eq(aml_finalize(), 0);
	cr_assert_null(aml_area_ze_device);
	cr_assert_null(aml_area_ze_host);
}

Test(ze_area, create_without_driver_is_enotsup)
{
	struct aml_area *area = NULL;

	skip_with_driver();
	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_eq(aml_area_ze_host_create(&area, 0, 0), -AML_ENOTSUP);
	cr_assert_eq(aml_area_ze_device_create(&area, FAKE_DEVICE, 0, 0, 0,
					       AML_AREA_ZE_MMAP_DEVICE_FLAGS),
		     -AML_ENOTSUP);
	cr_assert_eq(aml_area_ze_device_create(&area, FAKE_DEVICE, 0, 0, 0,
					       AML_AREA_ZE_MMAP_SHARED_FLAGS),
		     -AML_ENOTSUP);
	cr_assert_null(area);
	aml_finalize();
}

/* ------------------------------------------------------------------------
 * With a driver
 */

static void fill(unsigned char *p, size_t size, unsigned seed)
{
	for (size_t i = 0; i < size; i++)
		p[i] = (unsigned char)(i * 7 + seed);
}

static ze_memory_type_t alloc_type(ze_context_handle_t context, void *ptr)
{
	ze_memory_allocation_properties_t props = {
		.stype = ZE_STRUCTURE_TYPE_MEMORY_ALLOCATION_PROPERTIES,
	};

	cr_assert_eq(zeMemGetAllocProperties(context, ptr, &props, NULL),
		     ZE_RESULT_SUCCESS);
	return props.type;
}

/* Host-visible memory: write and read back from the host. */
static void host_round_trip(struct aml_area *area, size_t size,
			    ze_memory_type_t type)
{
	const struct aml_area_ze_data *d =
		(const struct aml_area_ze_data *)area->data;
	unsigned char *in = malloc(size);
	unsigned char *ptr;

	cr_assert_not_null(in);
	aml_errno = AML_SUCCESS;
	ptr = aml_area_mmap(area, size, NULL);
	cr_assert_not_null(ptr, "%zu bytes: %s", size, aml_strerror(aml_errno));
	cr_assert_eq(aml_errno, AML_SUCCESS);
	cr_assert_eq(alloc_type(d->context, ptr), type);
	fill(in, size, 3);
	memcpy(ptr, in, size);
	cr_assert_eq(memcmp(ptr, in, size), 0, "%zu bytes", size);
	cr_assert_eq(aml_area_munmap(area, ptr, size), 0);
	free(in);
}

/* Device memory: copy in and out through an immediate command list. */
static void device_round_trip(struct aml_area *area, size_t size)
{
	const struct aml_area_ze_data *d =
		(const struct aml_area_ze_data *)area->data;
	const ze_command_queue_desc_t qdesc = {
		.stype = ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC,
		.ordinal = 0,
		.mode = ZE_COMMAND_QUEUE_MODE_SYNCHRONOUS,
		.priority = ZE_COMMAND_QUEUE_PRIORITY_NORMAL,
	};
	ze_command_list_handle_t list;
	unsigned char *in = malloc(size), *out = malloc(size);
	void *ptr;

	cr_assert(in != NULL && out != NULL);
	fill(in, size, 5);
	memset(out, 0, size);
	ptr = aml_area_mmap(area, size, NULL);
	cr_assert_not_null(ptr, "%zu bytes: %s", size, aml_strerror(aml_errno));
	cr_assert_eq(alloc_type(d->context, ptr), ZE_MEMORY_TYPE_DEVICE);
	cr_assert_eq(zeCommandListCreateImmediate(
			     d->context, d->desc.device.device, &qdesc, &list),
		     ZE_RESULT_SUCCESS);
	cr_assert_eq(zeCommandListAppendMemoryCopy(list, ptr, in, size, NULL, 0,
						   NULL),
		     ZE_RESULT_SUCCESS);
	cr_assert_eq(zeCommandListAppendMemoryCopy(list, out, ptr, size, NULL,
						   0, NULL),
		     ZE_RESULT_SUCCESS);
	cr_assert_eq(zeCommandListDestroy(list), ZE_RESULT_SUCCESS);
	cr_assert_eq(memcmp(in, out, size), 0, "%zu bytes", size);
	cr_assert_eq(aml_area_munmap(area, ptr, size), 0);
	free(in);
	free(out);
}

static const size_t sizes[] = {1, 4096 + 1, 1 << 20, 64 << 20};
#define NSIZES (sizeof(sizes) / sizeof(*sizes))

Test(ze_area, device_area_round_trips_1B_to_64MiB)
{
	struct aml_area *area = NULL;

	skip_without_device();
	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_eq(aml_area_ze_device_create(&area, ze_device(), 0, 0, 32,
					       AML_AREA_ZE_MMAP_DEVICE_FLAGS),
		     0);
	for (size_t i = 0; i < NSIZES; i++)
		device_round_trip(area, sizes[i]);
	aml_area_ze_destroy(&area);
	cr_assert_null(area);
	aml_finalize();
}

Test(ze_area, shared_area_round_trips_1B_to_64MiB)
{
	struct aml_area *area = NULL;

	skip_without_device();
	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_eq(aml_area_ze_device_create(&area, ze_device(), 0, 0, 32,
					       AML_AREA_ZE_MMAP_SHARED_FLAGS),
		     0);
	for (size_t i = 0; i < NSIZES; i++)
		host_round_trip(area, sizes[i], ZE_MEMORY_TYPE_SHARED);
	aml_area_ze_destroy(&area);
	aml_finalize();
}

Test(ze_area, host_area_round_trips_1B_to_64MiB)
{
	struct aml_area *area = NULL;

	skip_without_driver();
	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_eq(aml_area_ze_host_create(&area, 0, 0), 0);
	for (size_t i = 0; i < NSIZES; i++)
		host_round_trip(area, sizes[i], ZE_MEMORY_TYPE_HOST);
	aml_area_ze_destroy(&area);
	aml_finalize();
}

Test(ze_area, aml_init_makes_default_areas_and_finalize_drops_them)
{
	skip_without_device();
	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_not_null(aml_area_ze_device);
	cr_assert_not_null(aml_area_ze_host);
	cr_assert_eq(aml_support_backends(AML_BACKEND_ZE), 1);
	device_round_trip(aml_area_ze_device, 4096);
	host_round_trip(aml_area_ze_host, 4096, ZE_MEMORY_TYPE_HOST);
	cr_assert_eq(aml_finalize(), 0);
	cr_assert_null(aml_area_ze_device);
	cr_assert_null(aml_area_ze_host);
}

Test(ze_area, huge_allocation_fails_with_a_positive_code)
{
	skip_without_device();
	cr_assert_eq(aml_init(NULL, NULL), 0);
	aml_errno = AML_SUCCESS;
	cr_assert_null(
		aml_area_mmap(aml_area_ze_device, (size_t)1 << 50, NULL));
	cr_assert_gt(aml_errno, AML_SUCCESS);
	cr_assert_lt(aml_errno, AML_ERROR_MAX);
	aml_finalize();
}
