/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What seed example 1 (example1.c) leaves to its reader: the size `s` and
 * do_work(data). Passed with -include, so the example stays verbatim.
 * Any failure exits non-zero. At exit, checks that the example's
 * aml_area_munmap(data, s) really released the mapping: the pointer is no
 * longer known to the library.
 */
#include <aml.h>

static const size_t s = 1 << 20;
static void *harness_data;

static void harness_check_unmapped(void)
{
	if (harness_data == NULL)
		_Exit(10);
	if (aml_area_munmap(harness_data, s) != -AML_EINVAL)
		_Exit(11);
}

static void do_work(void *data)
{
	size_t i;

	if (data == NULL || aml_errno != AML_SUCCESS)
		exit(1);
	memset(data, 0x5a, s);
	for (i = 0; i < s; i += 4096)
		if (((unsigned char *)data)[i] != 0x5a)
			exit(2);
	harness_data = data;
	if (atexit(harness_check_unmapped) != 0)
		exit(3);
}
