/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registry of live mappings: an open-addressing hash table (linear probing,
 * backward-shift deletion) whose storage is mapped with aml_os_mmap, so
 * that it never calls malloc. One process-wide mutex, statically
 * initialised: it works before aml_init and survives aml_finalize.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "aml/utils/error.h"
#include "internal.h"

struct registry_entry {
	const void *ptr; /* NULL marks an empty slot */
	const struct aml_area *area;
	size_t size;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct registry_entry *slots;
static size_t capacity; /* a power of two, or 0 */
static size_t live;

static size_t slot_of(const void *ptr, size_t cap)
{
	/* Fibonacci hashing: pointers are aligned, so mix the high bits in. */
	uint64_t h = (uint64_t)(uintptr_t)ptr * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 17) & (cap - 1);
}

static int table_map(struct registry_entry **out, size_t cap)
{
	void *mem;
	int err = aml_os_mmap(&mem, NULL, cap * sizeof(**out),
			      PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (err)
		return err;
	*out = mem;
	return 0;
}

static void table_put(struct registry_entry *table, size_t cap, const void *ptr,
		      const struct aml_area *area, size_t size, int *replaced)
{
	size_t i = slot_of(ptr, cap);

	while (table[i].ptr != NULL && table[i].ptr != ptr)
		i = (i + 1) & (cap - 1);
	*replaced = table[i].ptr == ptr;
	table[i].ptr = ptr;
	table[i].area = area;
	table[i].size = size;
}

/* Keep the load factor under 1/2. */
static int table_grow(void)
{
	size_t new_cap = capacity ? capacity * 2 : 1024;
	struct registry_entry *table;
	int replaced;

	if (table_map(&table, new_cap))
		return -AML_ENOMEM;
	for (size_t i = 0; i < capacity; i++)
		if (slots[i].ptr != NULL)
			table_put(table, new_cap, slots[i].ptr, slots[i].area,
				  slots[i].size, &replaced);
	if (slots != NULL)
		aml_os_munmap(slots, capacity * sizeof(*slots));
	slots = table;
	capacity = new_cap;
	return 0;
}

static struct registry_entry *table_find(const void *ptr)
{
	if (capacity == 0)
		return NULL;
	for (size_t i = slot_of(ptr, capacity); slots[i].ptr != NULL;
	     i = (i + 1) & (capacity - 1))
		if (slots[i].ptr == ptr)
			return &slots[i];
	return NULL;
}

/* Backward-shift deletion: no tombstones, probes stay short. */
static void table_delete(struct registry_entry *hole)
{
	size_t mask = capacity - 1;
	size_t i = (size_t)(hole - slots);
	size_t j = i;

	for (;;) {
		j = (j + 1) & mask;
		if (slots[j].ptr == NULL)
			break;
		size_t home = slot_of(slots[j].ptr, capacity);
		/* Move j into the hole unless its home lies in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			slots[i] = slots[j];
			i = j;
		}
	}
	slots[i].ptr = NULL;
}

int aml_registry_insert(const void *ptr, const struct aml_area *area,
			size_t size)
{
	int ret = 0;
	int replaced;

	if (ptr == NULL)
		return -AML_EINVAL;
	pthread_mutex_lock(&registry_lock);
	if (2 * (live + 1) > capacity)
		ret = table_grow();
	if (ret == 0) {
		table_put(slots, capacity, ptr, area, size, &replaced);
		if (!replaced)
			live++;
	}
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

int aml_registry_lookup(const void *ptr, const struct aml_area **area,
			size_t *size)
{
	struct registry_entry *e;
	int ret = -AML_EINVAL;

	pthread_mutex_lock(&registry_lock);
	e = table_find(ptr);
	if (e != NULL) {
		if (area)
			*area = e->area;
		if (size)
			*size = e->size;
		ret = 0;
	}
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

int aml_registry_remove(const void *ptr)
{
	struct registry_entry *e;
	int ret = -AML_EINVAL;

	pthread_mutex_lock(&registry_lock);
	e = table_find(ptr);
	if (e != NULL) {
		table_delete(e);
		live--;
		ret = 0;
	}
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

void aml_registry_forget_area(const struct aml_area *area)
{
	pthread_mutex_lock(&registry_lock);
	for (size_t i = 0; i < capacity;) {
		if (slots[i].ptr != NULL && slots[i].area == area) {
			/* The shift may pull another match into slot i. */
			table_delete(&slots[i]);
			live--;
			continue;
		}
		i++;
	}
	pthread_mutex_unlock(&registry_lock);
}

size_t aml_registry_count(void)
{
	size_t n;

	pthread_mutex_lock(&registry_lock);
	n = live;
	pthread_mutex_unlock(&registry_lock);
	return n;
}
