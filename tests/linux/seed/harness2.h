/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What seed example 2 (example2.c) leaves to its reader: do_work(area).
 * Passed with -include, so the example stays verbatim. The area must exist
 * and behave as the seed promises: memory with the kernel's default policy,
 * mapped and unmapped with both 2-argument forms. Any failure exits
 * non-zero.
 */
#include <aml.h>
#include <aml/area/linux.h>

static void harness_touch(char *p, size_t size, int fail_code)
{
	size_t i;

	memset(p, 0x5a, size);
	for (i = 0; i < size; i++)
		if (p[i] != 0x5a)
			exit(fail_code);
}

static void do_work(struct aml_area *area)
{
	const size_t size = 1 << 20;
	struct aml_area_linux_data *data;
	char *p;

	if (area == NULL || area->ops == NULL || area->data == NULL)
		exit(1);
	data = (struct aml_area_linux_data *)area->data;
	if (data->policy != AML_AREA_LINUX_POLICY_DEFAULT)
		exit(2);

	p = (char *)aml_area_mmap(area, size);
	if (p == NULL)
		exit(3);
	harness_touch(p, size, 4);
	if (aml_area_linux_check_binding(data, p, size) != 1)
		exit(5);
	if (aml_area_munmap(p, size) != AML_SUCCESS)
		exit(6);
	/* Released: the library no longer knows the pointer. */
	if (aml_area_munmap(p, size) != -AML_EINVAL)
		exit(7);
}
