/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libze_fake.so: a minimal FAKE Level Zero driver, FOR TESTS ONLY. It is
 * built by meson for the test suite and never installed. The real Level
 * Zero loader (libze_loader) loads it when ZE_ENABLE_ALT_DRIVERS names
 * its path, so that libaml's Level Zero areas (src/area/ze.c) run their
 * driver paths on machines without an Intel GPU.
 *
 * What it models: one driver with one GPU device (one memory ordinal of
 * FAKE_DEVICE_MEMORY bytes, one command queue group); contexts; device,
 * shared and host allocations backed by host memory (posix_memalign) and
 * tracked in a table, so that zeMemGetAllocProperties answers their type
 * and zeMemFree rejects pointers it did not hand out (or handed out in
 * another context) with ZE_RESULT_ERROR_INVALID_ARGUMENT; device and
 * shared allocations beyond the device's memory answer
 * ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY, host allocations over 1 TiB (or
 * that malloc refuses) ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY; immediate command
 * lists, whose zeCommandListAppendMemoryCopy is a bounds-checked memcpy (no
 * events). Nothing else: no kernels, modules, events, regular command
 * lists, queues or images (their table entries stay NULL and the loader
 * answers for them).
 *
 * Test hooks (not Level Zero): ZE_FAKE_CONTEXT_CREATE_RESULT=<number>
 * makes zeContextCreate fail with that ze_result_t; ze_fake_counts()
 * tells how many contexts, allocations and command lists are alive and
 * how many allocations a zeContextDestroy had to free.
 *
 * Only the zeGet*ProcAddrTable functions and ze_fake_counts are exported:
 * the implementations are static so that they never interpose on (or get
 * interposed by) the loader's functions of the same API.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <level_zero/ze_ddi.h>
#include <level_zero/zes_ddi.h>
#include <level_zero/zet_ddi.h>

#include "ze_fake.h"

#define FAKE_EXPORT __attribute__((visibility("default")))

/* Device memory of the fake GPU: device and shared allocations count
 * against it. */
#define FAKE_DEVICE_MEMORY ((uint64_t)4 << 30)
/* Host allocations beyond this answer OUT_OF_HOST_MEMORY without asking
 * malloc (which under ASan aborts on absurd sizes instead of failing). */
#define FAKE_HOST_LIMIT ((uint64_t)1 << 40)
#define FAKE_PAGE_SIZE 4096
#define FAKE_DEFAULT_ALIGNMENT 64

#define MAGIC_DRIVER 0x7a656472u
#define MAGIC_DEVICE 0x7a656476u
#define MAGIC_CONTEXT 0x7a656374u
#define MAGIC_LIST 0x7a656c73u

struct fake_driver {
	uint32_t magic;
};

struct fake_device {
	uint32_t magic;
};

struct fake_context {
	uint32_t magic;
	struct fake_context *next;
};

struct fake_list {
	uint32_t magic;
	struct fake_context *context;
	struct fake_list *next;
};

struct fake_alloc {
	void *ptr;
	size_t size;
	ze_memory_type_t type;
	struct fake_context *context;
	ze_device_handle_t device;
	uint64_t id;
	struct fake_alloc *next;
};

static struct fake_driver the_driver = {MAGIC_DRIVER};
static struct fake_device the_device = {MAGIC_DEVICE};

/* Everything below is guarded by lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_context *contexts;
static struct fake_list *lists;
static struct fake_alloc *allocs;
static uint64_t device_used;
static uint64_t next_id = 1;
static struct ze_fake_counts counts;

/* Handles are checked by looking them up, never by dereferencing them. */
static int known_context(ze_context_handle_t h)
{
	for (struct fake_context *c = contexts; c != NULL; c = c->next)
		if ((ze_context_handle_t)c == h)
			return 1;
	return 0;
}

static int known_list(ze_command_list_handle_t h)
{
	for (struct fake_list *l = lists; l != NULL; l = l->next)
		if ((ze_command_list_handle_t)l == h)
			return 1;
	return 0;
}

static ze_result_t check_driver(ze_driver_handle_t h)
{
	if (h == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
	return h == (ze_driver_handle_t)&the_driver
		       ? ZE_RESULT_SUCCESS
		       : ZE_RESULT_ERROR_INVALID_ARGUMENT;
}

static ze_result_t check_device(ze_device_handle_t h)
{
	if (h == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
	return h == (ze_device_handle_t)&the_device
		       ? ZE_RESULT_SUCCESS
		       : ZE_RESULT_ERROR_INVALID_ARGUMENT;
}

/* The allocation holding ptr (exact: starting at ptr), NULL if none
 * (under lock). */
static struct fake_alloc *find_alloc(const void *ptr, int exact)
{
	uintptr_t p = (uintptr_t)ptr;

	for (struct fake_alloc *a = allocs; a != NULL; a = a->next) {
		uintptr_t base = (uintptr_t)a->ptr;

		if (exact ? p == base : (p >= base && p < base + a->size))
			return a;
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * Driver and device
 */

static ze_result_t ZE_APICALL fake_init(ze_init_flags_t flags)
{
	/* A GPU driver: a VPU-only init finds nothing here. */
	if ((flags & ZE_INIT_FLAG_VPU_ONLY) && !(flags & ZE_INIT_FLAG_GPU_ONLY))
		return ZE_RESULT_ERROR_UNINITIALIZED;
	return ZE_RESULT_SUCCESS;
}

/* The zeXGet counting convention: *count 0 asks how many, else fills up
 * to *count and sets it to the number filled. */
static ze_result_t get_one(uint32_t *count, void **out, void *handle)
{
	if (count == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	if (*count == 0 || out == NULL) {
		*count = 1;
		return ZE_RESULT_SUCCESS;
	}
	out[0] = handle;
	*count = 1;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL fake_driver_get(uint32_t *count,
					      ze_driver_handle_t *drivers)
{
	return get_one(count, (void **)drivers, &the_driver);
}

static ze_result_t ZE_APICALL fake_driver_get_api_version(
	ze_driver_handle_t driver, ze_api_version_t *version)
{
	ze_result_t res = check_driver(driver);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	if (version == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	*version = ZE_API_VERSION_CURRENT;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL fake_driver_get_properties(
	ze_driver_handle_t driver, ze_driver_properties_t *props)
{
	ze_result_t res = check_driver(driver);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	if (props == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	memset(props->uuid.id, 0, sizeof(props->uuid.id));
	memcpy(props->uuid.id, "aml-ze-fake", 11);
	props->driverVersion = 1;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL
fake_driver_get_extension_properties(ze_driver_handle_t driver, uint32_t *count,
				     ze_driver_extension_properties_t *props)
{
	ze_result_t res = check_driver(driver);

	(void)props;
	if (res != ZE_RESULT_SUCCESS)
		return res;
	if (count == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	*count = 0;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL fake_device_get(ze_driver_handle_t driver,
					      uint32_t *count,
					      ze_device_handle_t *devices)
{
	ze_result_t res = check_driver(driver);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	return get_one(count, (void **)devices, &the_device);
}

static ze_result_t ZE_APICALL fake_device_get_sub_devices(
	ze_device_handle_t device, uint32_t *count, ze_device_handle_t *subs)
{
	ze_result_t res = check_device(device);

	(void)subs;
	if (res != ZE_RESULT_SUCCESS)
		return res;
	if (count == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	*count = 0;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL fake_device_get_properties(
	ze_device_handle_t device, ze_device_properties_t *props)
{
	ze_result_t res = check_device(device);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	if (props == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	props->type = ZE_DEVICE_TYPE_GPU;
	props->vendorId = 0;
	props->deviceId = 0;
	props->flags = 0;
	props->subdeviceId = 0;
	props->coreClockRate = 1000;
	props->maxMemAllocSize = FAKE_DEVICE_MEMORY;
	props->maxHardwareContexts = 1;
	props->maxCommandQueuePriority = 0;
	props->numThreadsPerEU = 1;
	props->physicalEUSimdWidth = 8;
	props->numEUsPerSubslice = 1;
	props->numSubslicesPerSlice = 1;
	props->numSlices = 1;
	props->timerResolution = 1;
	props->timestampValidBits = 64;
	props->kernelTimestampValidBits = 64;
	memset(props->uuid.id, 0, sizeof(props->uuid.id));
	memcpy(props->uuid.id, "aml-ze-fake-gpu", 15);
	memset(props->name, 0, sizeof(props->name));
	strcpy(props->name, "libaml fake Level Zero GPU (tests only)");
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL
fake_device_get_memory_properties(ze_device_handle_t device, uint32_t *count,
				  ze_device_memory_properties_t *props)
{
	ze_result_t res = check_device(device);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	if (count == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	if (*count > 0 && props != NULL) {
		props[0].flags = 0;
		props[0].maxClockRate = 1000;
		props[0].maxBusWidth = 64;
		props[0].totalSize = FAKE_DEVICE_MEMORY;
		memset(props[0].name, 0, sizeof(props[0].name));
		strcpy(props[0].name, "fake");
	}
	*count = 1;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL fake_device_get_command_queue_group_properties(
	ze_device_handle_t device, uint32_t *count,
	ze_command_queue_group_properties_t *props)
{
	ze_result_t res = check_device(device);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	if (count == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	if (*count > 0 && props != NULL) {
		props[0].flags = ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE |
				 ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COPY;
		props[0].maxMemoryFillPatternSize = 1;
		props[0].numQueues = 1;
	}
	*count = 1;
	return ZE_RESULT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Contexts
 */

static ze_result_t ZE_APICALL fake_context_create(ze_driver_handle_t driver,
						  const ze_context_desc_t *desc,
						  ze_context_handle_t *out)
{
	ze_result_t res = check_driver(driver);
	const char *forced = getenv("ZE_FAKE_CONTEXT_CREATE_RESULT");
	struct fake_context *c;

	if (res != ZE_RESULT_SUCCESS)
		return res;
	if (desc == NULL || out == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	if (desc->stype != ZE_STRUCTURE_TYPE_CONTEXT_DESC)
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	if (forced != NULL && *forced != '\0')
		return (ze_result_t)strtoul(forced, NULL, 0);
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
	c->magic = MAGIC_CONTEXT;
	pthread_mutex_lock(&lock);
	c->next = contexts;
	contexts = c;
	counts.contexts++;
	pthread_mutex_unlock(&lock);
	*out = (ze_context_handle_t)c;
	return ZE_RESULT_SUCCESS;
}

/* Free one allocation (under lock); a is unlinked by the caller. */
static void release_alloc(struct fake_alloc *a)
{
	if (a->type != ZE_MEMORY_TYPE_HOST)
		device_used -= a->size;
	counts.allocations--;
	free(a->ptr);
	free(a);
}

/* Destroying a context frees the allocations still in it, as a real
 * driver does; counts.freed_by_context_destroy tells how many. */
static ze_result_t ZE_APICALL fake_context_destroy(ze_context_handle_t h)
{
	struct fake_context **cp;
	struct fake_context *c;

	if (h == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
	pthread_mutex_lock(&lock);
	for (cp = &contexts; *cp != NULL; cp = &(*cp)->next)
		if ((ze_context_handle_t)*cp == h)
			break;
	c = *cp;
	if (c == NULL) {
		pthread_mutex_unlock(&lock);
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	}
	for (struct fake_list *l = lists; l != NULL; l = l->next)
		if (l->context == c) {
			pthread_mutex_unlock(&lock);
			return ZE_RESULT_ERROR_HANDLE_OBJECT_IN_USE;
		}
	*cp = c->next;
	for (struct fake_alloc **ap = &allocs; *ap != NULL;) {
		struct fake_alloc *a = *ap;

		if (a->context == c) {
			*ap = a->next;
			release_alloc(a);
			counts.freed_by_context_destroy++;
		} else {
			ap = &a->next;
		}
	}
	counts.contexts--;
	pthread_mutex_unlock(&lock);
	free(c);
	return ZE_RESULT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Memory
 */

static ze_result_t fake_alloc(ze_context_handle_t context, size_t size,
			      size_t alignment, ze_device_handle_t device,
			      ze_memory_type_t type, void **out)
{
	struct fake_alloc *a;
	ze_result_t res = ZE_RESULT_SUCCESS;
	size_t align = alignment > FAKE_DEFAULT_ALIGNMENT
			       ? alignment
			       : FAKE_DEFAULT_ALIGNMENT;
	void *ptr = NULL;

	if (context == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
	if (out == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	if (size == 0)
		return ZE_RESULT_ERROR_UNSUPPORTED_SIZE;
	if ((alignment & (alignment - 1)) != 0)
		return ZE_RESULT_ERROR_UNSUPPORTED_ALIGNMENT;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
	pthread_mutex_lock(&lock);
	if (!known_context(context)) {
		res = ZE_RESULT_ERROR_INVALID_ARGUMENT;
	} else if (type != ZE_MEMORY_TYPE_HOST &&
		   size > FAKE_DEVICE_MEMORY - device_used) {
		res = ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY;
	} else if (type == ZE_MEMORY_TYPE_HOST && size > FAKE_HOST_LIMIT) {
		res = ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
	} else if (posix_memalign(&ptr, align, size) != 0) {
		res = type == ZE_MEMORY_TYPE_HOST
			      ? ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY
			      : ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY;
	} else {
		a->ptr = ptr;
		a->size = size;
		a->type = type;
		a->context = (struct fake_context *)context;
		a->device = device;
		a->id = next_id++;
		a->next = allocs;
		allocs = a;
		if (type != ZE_MEMORY_TYPE_HOST)
			device_used += size;
		counts.allocations++;
	}
	pthread_mutex_unlock(&lock);
	if (res != ZE_RESULT_SUCCESS) {
		free(a);
		return res;
	}
	*out = ptr;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t check_device_desc(const ze_device_mem_alloc_desc_t *desc,
				     ze_device_handle_t device)
{
	ze_result_t res = check_device(device);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	if (desc == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	if (desc->stype != ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC)
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	if (desc->flags > 0x7)
		return ZE_RESULT_ERROR_INVALID_ENUMERATION;
	if (desc->ordinal != 0) /* one memory ordinal */
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t check_host_desc(const ze_host_mem_alloc_desc_t *desc)
{
	if (desc == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	if (desc->stype != ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC)
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	if (desc->flags > 0xf)
		return ZE_RESULT_ERROR_INVALID_ENUMERATION;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL fake_mem_alloc_device(
	ze_context_handle_t context, const ze_device_mem_alloc_desc_t *desc,
	size_t size, size_t alignment, ze_device_handle_t device, void **out)
{
	ze_result_t res = check_device_desc(desc, device);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	return fake_alloc(context, size, alignment, device,
			  ZE_MEMORY_TYPE_DEVICE, out);
}

static ze_result_t ZE_APICALL fake_mem_alloc_shared(
	ze_context_handle_t context, const ze_device_mem_alloc_desc_t *ddesc,
	const ze_host_mem_alloc_desc_t *hdesc, size_t size, size_t alignment,
	ze_device_handle_t device, void **out)
{
	ze_result_t res = check_host_desc(hdesc);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	/* The device is optional for shared memory. */
	if (device == NULL && ddesc != NULL &&
	    ddesc->stype == ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC)
		res = ZE_RESULT_SUCCESS;
	else
		res = check_device_desc(ddesc, device);
	if (res != ZE_RESULT_SUCCESS)
		return res;
	return fake_alloc(context, size, alignment, device,
			  ZE_MEMORY_TYPE_SHARED, out);
}

static ze_result_t ZE_APICALL fake_mem_alloc_host(
	ze_context_handle_t context, const ze_host_mem_alloc_desc_t *desc,
	size_t size, size_t alignment, void **out)
{
	ze_result_t res = check_host_desc(desc);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	return fake_alloc(context, size, alignment, NULL, ZE_MEMORY_TYPE_HOST,
			  out);
}

static ze_result_t ZE_APICALL fake_mem_free(ze_context_handle_t context,
					    void *ptr)
{
	ze_result_t res = ZE_RESULT_ERROR_INVALID_ARGUMENT;

	if (context == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
	if (ptr == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	pthread_mutex_lock(&lock);
	if (known_context(context)) {
		for (struct fake_alloc **ap = &allocs; *ap != NULL;
		     ap = &(*ap)->next) {
			struct fake_alloc *a = *ap;

			if (a->ptr != ptr)
				continue;
			/* Memory of another context is not this one's. */
			if ((ze_context_handle_t)a->context == context) {
				*ap = a->next;
				release_alloc(a);
				res = ZE_RESULT_SUCCESS;
			}
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return res;
}

static ze_result_t ZE_APICALL fake_mem_get_alloc_properties(
	ze_context_handle_t context, const void *ptr,
	ze_memory_allocation_properties_t *props, ze_device_handle_t *device)
{
	struct fake_alloc *a;

	if (context == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
	if (ptr == NULL || props == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	pthread_mutex_lock(&lock);
	if (!known_context(context)) {
		pthread_mutex_unlock(&lock);
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	}
	a = find_alloc(ptr, 0);
	if (a != NULL && (ze_context_handle_t)a->context != context)
		a = NULL;
	props->type = a != NULL ? a->type : ZE_MEMORY_TYPE_UNKNOWN;
	props->id = a != NULL ? a->id : 0;
	props->pageSize = a != NULL ? FAKE_PAGE_SIZE : 0;
	if (device != NULL)
		*device = a != NULL ? a->device : NULL;
	pthread_mutex_unlock(&lock);
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL fake_mem_get_address_range(
	ze_context_handle_t context, const void *ptr, void **base, size_t *size)
{
	struct fake_alloc *a;

	if (context == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
	if (ptr == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	pthread_mutex_lock(&lock);
	a = find_alloc(ptr, 0);
	if (a == NULL || (ze_context_handle_t)a->context != context) {
		pthread_mutex_unlock(&lock);
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	}
	if (base != NULL)
		*base = a->ptr;
	if (size != NULL)
		*size = a->size;
	pthread_mutex_unlock(&lock);
	return ZE_RESULT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Immediate command lists
 */

static ze_result_t ZE_APICALL fake_command_list_create(
	ze_context_handle_t context, ze_device_handle_t device,
	const ze_command_list_desc_t *desc, ze_command_list_handle_t *out)
{
	(void)context;
	(void)device;
	(void)desc;
	(void)out;
	return ZE_RESULT_ERROR_UNSUPPORTED_FEATURE; /* immediate lists only */
}

static ze_result_t ZE_APICALL fake_command_list_create_immediate(
	ze_context_handle_t context, ze_device_handle_t device,
	const ze_command_queue_desc_t *desc, ze_command_list_handle_t *out)
{
	ze_result_t res = check_device(device);
	struct fake_list *l;

	if (context == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
	if (res != ZE_RESULT_SUCCESS)
		return res;
	if (desc == NULL || out == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	if (desc->ordinal != 0 || desc->index != 0) /* one group, one queue */
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
	pthread_mutex_lock(&lock);
	if (!known_context(context)) {
		pthread_mutex_unlock(&lock);
		free(l);
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	}
	l->magic = MAGIC_LIST;
	l->context = (struct fake_context *)context;
	l->next = lists;
	lists = l;
	counts.command_lists++;
	pthread_mutex_unlock(&lock);
	*out = (ze_command_list_handle_t)l;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL
fake_command_list_destroy(ze_command_list_handle_t h)
{
	struct fake_list **lp;
	struct fake_list *l;

	if (h == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
	pthread_mutex_lock(&lock);
	for (lp = &lists; *lp != NULL; lp = &(*lp)->next)
		if ((ze_command_list_handle_t)*lp == h)
			break;
	l = *lp;
	if (l != NULL) {
		*lp = l->next;
		counts.command_lists--;
	}
	pthread_mutex_unlock(&lock);
	if (l == NULL)
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	free(l);
	return ZE_RESULT_SUCCESS;
}

/* A copy operand (under lock): memory of the fake must belong to the
 * list's context and hold all `size` bytes; other pointers are plain host
 * memory, as system allocations are to a GPU with shared virtual memory. */
static ze_result_t check_operand(const struct fake_list *l, const void *p,
				 size_t size)
{
	const struct fake_alloc *a = find_alloc(p, 0);

	if (a == NULL)
		return ZE_RESULT_SUCCESS;
	if (a->context != l->context)
		return ZE_RESULT_ERROR_INVALID_ARGUMENT;
	if (size > a->size - ((uintptr_t)p - (uintptr_t)a->ptr))
		return ZE_RESULT_ERROR_INVALID_SIZE;
	return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL fake_command_list_append_memory_copy(
	ze_command_list_handle_t h, void *dst, const void *src, size_t size,
	ze_event_handle_t signal, uint32_t nwait, ze_event_handle_t *waits)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
	ze_result_t res;

	(void)waits;
	if (h == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
	if (dst == NULL || src == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	if (signal != NULL || nwait != 0)
		return ZE_RESULT_ERROR_UNSUPPORTED_FEATURE; /* no events */
	if (size > 0 && d < s + size && s < d + size)
		return ZE_RESULT_ERROR_OVERLAPPING_REGIONS;
	pthread_mutex_lock(&lock);
	if (!known_list(h)) {
		res = ZE_RESULT_ERROR_INVALID_ARGUMENT;
	} else {
		const struct fake_list *l = (const struct fake_list *)h;

		res = check_operand(l, dst, size);
		if (res == ZE_RESULT_SUCCESS)
			res = check_operand(l, src, size);
	}
	pthread_mutex_unlock(&lock);
	if (res != ZE_RESULT_SUCCESS)
		return res;
	/* Immediate and synchronous: done when the call returns. */
	memcpy(dst, src, size);
	return ZE_RESULT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Tables for the loader
 */

/* Tables of this header's major version and a minor version the loader
 * knows (it passes its own; newer loaders have longer tables, whose
 * extra entries stay NULL). */
static ze_result_t check_version(ze_api_version_t version, const void *table)
{
	if (table == NULL)
		return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
	if (ZE_MAJOR_VERSION(version) !=
		    ZE_MAJOR_VERSION(ZE_API_VERSION_CURRENT) ||
	    ZE_MINOR_VERSION(version) <
		    ZE_MINOR_VERSION(ZE_API_VERSION_CURRENT))
		return ZE_RESULT_ERROR_UNSUPPORTED_VERSION;
	return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t ZE_APICALL
zeGetGlobalProcAddrTable(ze_api_version_t version, ze_global_dditable_t *t)
{
	ze_result_t res = check_version(version, t);

	if (res == ZE_RESULT_SUCCESS)
		t->pfnInit = fake_init;
	return res;
}

FAKE_EXPORT ze_result_t ZE_APICALL
zeGetDriverProcAddrTable(ze_api_version_t version, ze_driver_dditable_t *t)
{
	ze_result_t res = check_version(version, t);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	t->pfnGet = fake_driver_get;
	t->pfnGetApiVersion = fake_driver_get_api_version;
	t->pfnGetProperties = fake_driver_get_properties;
	t->pfnGetExtensionProperties = fake_driver_get_extension_properties;
	return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t ZE_APICALL
zeGetDeviceProcAddrTable(ze_api_version_t version, ze_device_dditable_t *t)
{
	ze_result_t res = check_version(version, t);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	t->pfnGet = fake_device_get;
	t->pfnGetSubDevices = fake_device_get_sub_devices;
	t->pfnGetProperties = fake_device_get_properties;
	t->pfnGetMemoryProperties = fake_device_get_memory_properties;
	t->pfnGetCommandQueueGroupProperties =
		fake_device_get_command_queue_group_properties;
	return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t ZE_APICALL
zeGetContextProcAddrTable(ze_api_version_t version, ze_context_dditable_t *t)
{
	ze_result_t res = check_version(version, t);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	t->pfnCreate = fake_context_create;
	t->pfnDestroy = fake_context_destroy;
	return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t ZE_APICALL zeGetCommandListProcAddrTable(
	ze_api_version_t version, ze_command_list_dditable_t *t)
{
	ze_result_t res = check_version(version, t);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	t->pfnCreate = fake_command_list_create;
	t->pfnCreateImmediate = fake_command_list_create_immediate;
	t->pfnDestroy = fake_command_list_destroy;
	t->pfnAppendMemoryCopy = fake_command_list_append_memory_copy;
	return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t ZE_APICALL
zeGetMemProcAddrTable(ze_api_version_t version, ze_mem_dditable_t *t)
{
	ze_result_t res = check_version(version, t);

	if (res != ZE_RESULT_SUCCESS)
		return res;
	t->pfnAllocShared = fake_mem_alloc_shared;
	t->pfnAllocDevice = fake_mem_alloc_device;
	t->pfnAllocHost = fake_mem_alloc_host;
	t->pfnFree = fake_mem_free;
	t->pfnGetAllocProperties = fake_mem_get_alloc_properties;
	t->pfnGetAddressRange = fake_mem_get_address_range;
	return ZE_RESULT_SUCCESS;
}

/* Tables the loader asks every driver for: present, all entries NULL. */
#define FAKE_EMPTY_TABLE(name, type)                                      \
	FAKE_EXPORT ze_result_t ZE_APICALL name(ze_api_version_t version, \
						type *t)                  \
	{                                                                 \
		return check_version(version, t);                         \
	}

FAKE_EMPTY_TABLE(zeGetCommandQueueProcAddrTable, ze_command_queue_dditable_t)
FAKE_EMPTY_TABLE(zeGetFenceProcAddrTable, ze_fence_dditable_t)
FAKE_EMPTY_TABLE(zeGetEventPoolProcAddrTable, ze_event_pool_dditable_t)
FAKE_EMPTY_TABLE(zeGetEventProcAddrTable, ze_event_dditable_t)
FAKE_EMPTY_TABLE(zeGetImageProcAddrTable, ze_image_dditable_t)
FAKE_EMPTY_TABLE(zeGetModuleProcAddrTable, ze_module_dditable_t)
FAKE_EMPTY_TABLE(zeGetModuleBuildLogProcAddrTable,
		 ze_module_build_log_dditable_t)
FAKE_EMPTY_TABLE(zeGetKernelProcAddrTable, ze_kernel_dditable_t)
FAKE_EMPTY_TABLE(zeGetSamplerProcAddrTable, ze_sampler_dditable_t)
FAKE_EMPTY_TABLE(zeGetPhysicalMemProcAddrTable, ze_physical_mem_dditable_t)
FAKE_EMPTY_TABLE(zeGetVirtualMemProcAddrTable, ze_virtual_mem_dditable_t)

/* The experimental tables: the loader 1.8 tolerates a driver without the
 * ze ones, but zeInit fails without zetGetTracerExpProcAddrTable; all are
 * here so that loaders stricter about any of them find them. */
FAKE_EMPTY_TABLE(zeGetDeviceExpProcAddrTable, ze_device_exp_dditable_t)
FAKE_EMPTY_TABLE(zeGetEventExpProcAddrTable, ze_event_exp_dditable_t)
FAKE_EMPTY_TABLE(zeGetImageExpProcAddrTable, ze_image_exp_dditable_t)
FAKE_EMPTY_TABLE(zeGetKernelExpProcAddrTable, ze_kernel_exp_dditable_t)
FAKE_EMPTY_TABLE(zeGetFabricVertexExpProcAddrTable,
		 ze_fabric_vertex_exp_dditable_t)
FAKE_EMPTY_TABLE(zeGetFabricEdgeExpProcAddrTable, ze_fabric_edge_exp_dditable_t)
FAKE_EMPTY_TABLE(zetGetMetricGroupExpProcAddrTable,
		 zet_metric_group_exp_dditable_t)
FAKE_EMPTY_TABLE(zetGetTracerExpProcAddrTable, zet_tracer_exp_dditable_t)

/* The tools (zet) and sysman (zes) tables: the loader 1.8 fails zeInit
 * when a driver lacks one of them. */
FAKE_EMPTY_TABLE(zetGetDeviceProcAddrTable, zet_device_dditable_t)
FAKE_EMPTY_TABLE(zetGetContextProcAddrTable, zet_context_dditable_t)
FAKE_EMPTY_TABLE(zetGetCommandListProcAddrTable, zet_command_list_dditable_t)
FAKE_EMPTY_TABLE(zetGetModuleProcAddrTable, zet_module_dditable_t)
FAKE_EMPTY_TABLE(zetGetKernelProcAddrTable, zet_kernel_dditable_t)
FAKE_EMPTY_TABLE(zetGetMetricGroupProcAddrTable, zet_metric_group_dditable_t)
FAKE_EMPTY_TABLE(zetGetMetricProcAddrTable, zet_metric_dditable_t)
FAKE_EMPTY_TABLE(zetGetMetricStreamerProcAddrTable,
		 zet_metric_streamer_dditable_t)
FAKE_EMPTY_TABLE(zetGetMetricQueryPoolProcAddrTable,
		 zet_metric_query_pool_dditable_t)
FAKE_EMPTY_TABLE(zetGetMetricQueryProcAddrTable, zet_metric_query_dditable_t)
FAKE_EMPTY_TABLE(zetGetDebugProcAddrTable, zet_debug_dditable_t)
FAKE_EMPTY_TABLE(zesGetDriverProcAddrTable, zes_driver_dditable_t)
FAKE_EMPTY_TABLE(zesGetDeviceProcAddrTable, zes_device_dditable_t)
FAKE_EMPTY_TABLE(zesGetSchedulerProcAddrTable, zes_scheduler_dditable_t)
FAKE_EMPTY_TABLE(zesGetPerformanceFactorProcAddrTable,
		 zes_performance_factor_dditable_t)
FAKE_EMPTY_TABLE(zesGetPowerProcAddrTable, zes_power_dditable_t)
FAKE_EMPTY_TABLE(zesGetFrequencyProcAddrTable, zes_frequency_dditable_t)
FAKE_EMPTY_TABLE(zesGetEngineProcAddrTable, zes_engine_dditable_t)
FAKE_EMPTY_TABLE(zesGetStandbyProcAddrTable, zes_standby_dditable_t)
FAKE_EMPTY_TABLE(zesGetFirmwareProcAddrTable, zes_firmware_dditable_t)
FAKE_EMPTY_TABLE(zesGetMemoryProcAddrTable, zes_memory_dditable_t)
FAKE_EMPTY_TABLE(zesGetFabricPortProcAddrTable, zes_fabric_port_dditable_t)
FAKE_EMPTY_TABLE(zesGetTemperatureProcAddrTable, zes_temperature_dditable_t)
FAKE_EMPTY_TABLE(zesGetPsuProcAddrTable, zes_psu_dditable_t)
FAKE_EMPTY_TABLE(zesGetFanProcAddrTable, zes_fan_dditable_t)
FAKE_EMPTY_TABLE(zesGetLedProcAddrTable, zes_led_dditable_t)
FAKE_EMPTY_TABLE(zesGetRasProcAddrTable, zes_ras_dditable_t)
FAKE_EMPTY_TABLE(zesGetDiagnosticsProcAddrTable, zes_diagnostics_dditable_t)

/* ------------------------------------------------------------------------
 * Test hooks and teardown
 */

FAKE_EXPORT void ze_fake_counts(struct ze_fake_counts *out)
{
	pthread_mutex_lock(&lock);
	*out = counts;
	pthread_mutex_unlock(&lock);
}

/* When the loader unloads the driver: free what the program left, so that
 * leak checkers see only the program's own leaks. */
__attribute__((destructor)) static void fake_teardown(void)
{
	pthread_mutex_lock(&lock);
	while (allocs != NULL) {
		struct fake_alloc *a = allocs;

		allocs = a->next;
		release_alloc(a);
	}
	while (lists != NULL) {
		struct fake_list *l = lists;

		lists = l->next;
		free(l);
	}
	while (contexts != NULL) {
		struct fake_context *c = contexts;

		contexts = c->next;
		free(c);
	}
	pthread_mutex_unlock(&lock);
}
