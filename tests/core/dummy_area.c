/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdint.h>
#include <string.h>

#include "dummy_area.h"

/* Shared by every dummy area, so pointers never collide across areas. */
static atomic_uintptr_t next_fake_pointer = 0x1000;

static void *dummy_mmap(const struct aml_area_data *area_data, size_t size,
			struct aml_area_mmap_options *opts)
{
	struct dummy_area_data *data = (struct dummy_area_data *)area_data;

	(void)size;
	atomic_fetch_add(&data->mmap_calls, 1);
	data->last_opts = opts;
	if (data->fixed != NULL)
		return data->fixed;
	return (void *)atomic_fetch_add(&next_fake_pointer, 1);
}

static int dummy_munmap(const struct aml_area_data *area_data, void *ptr,
			size_t size)
{
	struct dummy_area_data *data = (struct dummy_area_data *)area_data;

	atomic_fetch_add(&data->munmap_calls, 1);
	atomic_fetch_add(&data->munmap_bytes, size);
	data->last_ptr = ptr;
	data->last_size = size;
	return AML_SUCCESS;
}

void dummy_area_init(struct dummy_area *dummy)
{
	memset(dummy, 0, sizeof(*dummy));
	dummy->ops.mmap = dummy_mmap;
	dummy->ops.munmap = dummy_munmap;
	dummy->ops.fprintf = NULL;
	dummy->area.ops = &dummy->ops;
	dummy->area.data = (struct aml_area_data *)&dummy->data;
}

void dummy_area_init_fixed(struct dummy_area *dummy, void *fixed)
{
	dummy_area_init(dummy);
	dummy->data.fixed = fixed;
}
