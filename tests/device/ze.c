/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Level Zero areas. Without a driver (zeInit fails) aml_init still
 * succeeds, the default areas are NULL and create answers -AML_ENOTSUP;
 * argument checks, the result table and printing need no driver. With a
 * driver, device, shared and host areas round-trip data for sizes from
 * 1 B to 64 MiB.
 *
 * Built twice: device_ze runs against whatever driver the machine has
 * (none on a machine without an Intel GPU: the no-driver tests run, the
 * driver tests skip); device_ze_fake (AML_TEST_ZE_FAKE = path of the fake
 * driver, tests/device/ze-fake) points the loader at the fake through
 * ZE_ENABLE_ALT_DRIVERS before any test forks, so the driver tests run
 * (a missing driver is a failure there, not a skip) and so do the tests
 * of the fake section, which know the fake's answers.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef AML_TEST_ZE_FAKE
#include <dlfcn.h>

#include "ze_fake.h"
#endif

#include <criterion/criterion.h>

#include "aml.h"
#include "aml/area/ze.h"
#include "../common/area-text.h"

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

#ifdef AML_TEST_ZE_FAKE
/* Before Criterion forks the tests: the loader reads it at the first
 * zeInit. */
__attribute__((constructor)) static void use_fake_driver(void)
{
	setenv("ZE_ENABLE_ALT_DRIVERS", AML_TEST_ZE_FAKE, 1);
}

/* With the fake driver named, it must be there: fail, never skip. */
static void skip_without_driver(void)
{
	cr_assert_not_null(ze_driver(),
			   "the fake Level Zero driver %s did not load: "
			   "zeInit(0) = %#x",
			   AML_TEST_ZE_FAKE, (unsigned)zeInit(0));
}

static void skip_without_device(void)
{
	skip_without_driver();
	cr_assert_not_null(ze_device(), "the fake driver has no device");
}

static void skip_with_driver(void)
{
	cr_skip_test("runs in device_ze (this program loads the fake driver)");
}
#else
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
#endif

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
	size_t len;
	char *text = area_text("t", &area, &len);

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

/* ------------------------------------------------------------------------
 * With the fake driver: answers known in advance
 */
#ifdef AML_TEST_ZE_FAKE

/* What is alive in the fake driver (loaded by the loader by now). */
static struct ze_fake_counts fake_counts(void)
{
	struct ze_fake_counts c;
	void *lib;
	ze_fake_counts_fn fn;

	cr_assert_not_null(ze_driver());
	lib = dlopen(AML_TEST_ZE_FAKE, RTLD_NOW | RTLD_NOLOAD);
	cr_assert_not_null(lib, "fake driver not loaded: %s", dlerror());
	*(void **)&fn = dlsym(lib, "ze_fake_counts");
	cr_assert_not_null(fn);
	fn(&c);
	dlclose(lib);
	return c;
}

Test(ze_fake, the_loader_reports_the_fake_gpu)
{
	ze_device_properties_t props = {
		.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES,
	};

	cr_assert_eq(aml_support_backends(AML_BACKEND_ZE), 1);
	cr_assert_eq(zeDeviceGetProperties(ze_device(), &props),
		     ZE_RESULT_SUCCESS);
	cr_assert_eq(props.type, ZE_DEVICE_TYPE_GPU);
	cr_assert_not_null(strstr(props.name, "fake"), "%s", props.name);
}

Test(ze_fake, aml_init_makes_two_contexts_and_finalize_destroys_them)
{
	struct ze_fake_counts c;

	cr_assert_eq(fake_counts().contexts, 0);
	cr_assert_eq(aml_init(NULL, NULL), 0);
	c = fake_counts();
	cr_assert_eq(c.contexts, 2, "%llu", (unsigned long long)c.contexts);
	cr_assert_eq(aml_finalize(), 0);
	c = fake_counts();
	cr_assert_eq(c.contexts, 0, "%llu", (unsigned long long)c.contexts);
	cr_assert_eq(c.allocations, 0);
	/* A second cycle makes them again. */
	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_not_null(aml_area_ze_device);
	cr_assert_eq(fake_counts().contexts, 2);
	cr_assert_eq(aml_finalize(), 0);
	cr_assert_eq(fake_counts().contexts, 0);
}

/* munmap really frees: nothing is left for zeContextDestroy. */
Test(ze_fake, munmap_frees_through_zeMemFree)
{
	struct aml_area *area = NULL;
	void *p[3];
	struct ze_fake_counts c;

	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_eq(aml_area_ze_device_create(&area, ze_device(), 0, 0, 4096,
					       AML_AREA_ZE_MMAP_SHARED_FLAGS),
		     0);
	for (int i = 0; i < 3; i++) {
		p[i] = aml_area_mmap(area, 1000, NULL);
		cr_assert_not_null(p[i]);
		cr_assert_eq((uintptr_t)p[i] % 4096, 0, "%p: alignment 4096",
			     p[i]);
	}
	cr_assert_eq(fake_counts().allocations, 3);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(aml_area_munmap(area, p[i], 1000), 0);
	cr_assert_eq(fake_counts().allocations, 0);
	aml_area_ze_destroy(&area);
	aml_finalize();
	c = fake_counts();
	cr_assert_eq(c.freed_by_context_destroy, 0);
	cr_assert_eq(c.contexts, 0);
}

Test(ze_fake, huge_allocations_are_enomem_in_every_kind)
{
	struct aml_area *shared = NULL;
	const size_t huge = (size_t)1 << 50;

	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_eq(aml_area_ze_device_create(&shared, ze_device(), 0, 0, 0,
					       AML_AREA_ZE_MMAP_SHARED_FLAGS),
		     0);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(aml_area_ze_device, huge, NULL));
	cr_assert_eq(aml_errno, AML_ENOMEM, "device: %d", aml_errno);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(shared, huge, NULL));
	cr_assert_eq(aml_errno, AML_ENOMEM, "shared: %d", aml_errno);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(aml_area_ze_host, huge, NULL));
	cr_assert_eq(aml_errno, AML_ENOMEM, "host: %d", aml_errno);
	cr_assert_eq(fake_counts().allocations, 0);
	aml_area_ze_destroy(&shared);
	aml_finalize();
}

Test(ze_fake, munmap_of_a_foreign_pointer_is_einval_and_frees_nothing)
{
	struct aml_area *other = NULL;
	char local[64];
	void *p;

	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_eq(aml_area_ze_host_create(&other, 0, 0), 0);
	p = aml_area_mmap(aml_area_ze_host, 256, NULL);
	cr_assert_not_null(p);
	/* Not from Level Zero at all. */
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap(aml_area_ze_host, local, sizeof(local)),
		     -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
	/* From Level Zero, but another area's context. */
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap(other, p, 256), -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
	cr_assert_eq(fake_counts().allocations, 1);
	cr_assert_eq(aml_area_munmap(aml_area_ze_host, p, 256), 0);
	cr_assert_eq(fake_counts().allocations, 0);
	aml_area_ze_destroy(&other);
	aml_finalize();
}

Test(ze_fake, an_ordinal_the_device_lacks_fails_at_mmap_with_einval)
{
	struct aml_area *area = NULL;

	cr_assert_eq(aml_init(NULL, NULL), 0);
	/* The ordinal reaches the driver only at the allocation. */
	cr_assert_eq(aml_area_ze_device_create(&area, ze_device(), 1, 0, 0,
					       AML_AREA_ZE_MMAP_DEVICE_FLAGS),
		     0);
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_mmap(area, 64, NULL));
	cr_assert_eq(aml_errno, AML_EINVAL);
	aml_area_ze_destroy(&area);
	aml_finalize();
}

Test(ze_fake, a_failed_context_gives_the_translated_negative_code)
{
	struct aml_area *area = NULL;

	cr_assert_eq(aml_init(NULL, NULL), 0);
	setenv("ZE_FAKE_CONTEXT_CREATE_RESULT", "0x70000002", 1);
	cr_assert_eq(aml_area_ze_host_create(&area, 0, 0), -AML_ENOMEM);
	setenv("ZE_FAKE_CONTEXT_CREATE_RESULT", "0x78000004", 1);
	cr_assert_eq(aml_area_ze_device_create(&area, ze_device(), 0, 0, 0,
					       AML_AREA_ZE_MMAP_DEVICE_FLAGS),
		     -AML_EINVAL);
	cr_assert_null(area);
	unsetenv("ZE_FAKE_CONTEXT_CREATE_RESULT");
	cr_assert_eq(fake_counts().contexts, 2); /* the defaults only */
	aml_finalize();
}

Test(ze_fake, aml_init_without_contexts_succeeds_with_null_defaults)
{
	setenv("ZE_FAKE_CONTEXT_CREATE_RESULT", "0x70000002", 1);
	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_null(aml_area_ze_device);
	cr_assert_null(aml_area_ze_host);
	cr_assert_eq(fake_counts().contexts, 0);
	cr_assert_eq(aml_finalize(), 0);
	unsetenv("ZE_FAKE_CONTEXT_CREATE_RESULT");
}

Test(ze_fake, copies_out_of_an_allocation_are_refused)
{
	const ze_command_queue_desc_t qdesc = {
		.stype = ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC,
		.mode = ZE_COMMAND_QUEUE_MODE_SYNCHRONOUS,
	};
	const struct aml_area_ze_data *d;
	ze_command_list_handle_t list;
	char host[128];
	void *p;

	cr_assert_eq(aml_init(NULL, NULL), 0);
	d = (const struct aml_area_ze_data *)aml_area_ze_device->data;
	p = aml_area_mmap(aml_area_ze_device, 64, NULL);
	cr_assert_not_null(p);
	cr_assert_eq(zeCommandListCreateImmediate(
			     d->context, d->desc.device.device, &qdesc, &list),
		     ZE_RESULT_SUCCESS);
	cr_assert_eq(zeCommandListAppendMemoryCopy(list, p, host, 128, NULL, 0,
						   NULL),
		     ZE_RESULT_ERROR_INVALID_SIZE);
	cr_assert_eq(
		zeCommandListAppendMemoryCopy(list, p, host, 64, NULL, 0, NULL),
		ZE_RESULT_SUCCESS);
	cr_assert_eq(zeCommandListDestroy(list), ZE_RESULT_SUCCESS);
	cr_assert_eq(aml_area_munmap(aml_area_ze_device, p, 64), 0);
	aml_finalize();
}

#define FAKE_THREADS 4
#define FAKE_ROUNDS 200

static void *map_unmap(void *arg)
{
	struct aml_area *area = arg;

	for (int i = 0; i < FAKE_ROUNDS; i++) {
		size_t size = 64 + (size_t)i * 8;
		unsigned char *p = aml_area_mmap(area, size, NULL);

		if (p == NULL)
			return (void *)1;
		memset(p, i, size);
		if (p[size - 1] != (unsigned char)i ||
		    aml_area_munmap(area, p, size) != 0)
			return (void *)1;
	}
	return NULL;
}

Test(ze_fake, threads_share_an_area)
{
	pthread_t t[FAKE_THREADS];
	struct aml_area *area = NULL;

	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_eq(aml_area_ze_device_create(&area, ze_device(), 0, 0, 64,
					       AML_AREA_ZE_MMAP_SHARED_FLAGS),
		     0);
	for (int i = 0; i < FAKE_THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, map_unmap, area), 0);
	for (int i = 0; i < FAKE_THREADS; i++) {
		void *ret;

		cr_assert_eq(pthread_join(t[i], &ret), 0);
		cr_assert_null(ret, "thread %d failed", i);
	}
	cr_assert_eq(fake_counts().allocations, 0);
	aml_area_ze_destroy(&area);
	aml_finalize();
}

Test(ze_fake, a_created_area_prints_its_context_and_device)
{
	struct aml_area *area = NULL;
	const struct aml_area_ze_data *d;
	char *text, want[64];

	cr_assert_eq(aml_init(NULL, NULL), 0);
	cr_assert_eq(aml_area_ze_device_create(&area, ze_device(), 0, 0, 128,
					       AML_AREA_ZE_MMAP_DEVICE_FLAGS),
		     0);
	d = (const struct aml_area_ze_data *)area->data;
	cr_assert_not_null(d->context);
	text = area_text("z", area, NULL);
	snprintf(want, sizeof(want), "z: context: %p\n", (void *)d->context);
	cr_assert_not_null(strstr(text, want), "%s", text);
	snprintf(want, sizeof(want), "z: device: %p\n", (void *)ze_device());
	cr_assert_not_null(strstr(text, want), "%s", text);
	cr_assert_not_null(strstr(text, "z: alignment: 128\n"), "%s", text);
	free(text);
	aml_area_ze_destroy(&area);
	aml_finalize();
}

#endif /* AML_TEST_ZE_FAKE */
