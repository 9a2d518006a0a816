/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generic area calls on the ready-made Linux area, as an upstream-style
 * user program makes them: aml_init, aml_area_mmap of 1 B to 1 MiB with
 * aml_errno left at AML_SUCCESS, the memory written, aml_area_munmap,
 * aml_area_fprintf, the error answers of a NULL area and of size 0, a NULL
 * pointer unmapped as a no-op, and aml_finalize. Exits 0 when every check
 * holds, else prints the failed check and exits 1.
 */
#include <aml.h>
#include <aml/area/linux.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void check_map(const struct aml_area *area)
{
	const size_t sizes[] = {1, 32, 4096, 1 << 20};
	size_t i;
	void *ptr;

	CHECK(area != NULL);
	CHECK(area->ops->mmap != NULL);
	CHECK(area->ops->munmap != NULL);
	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		aml_errno = AML_SUCCESS;
		ptr = aml_area_mmap(area, sizes[i], NULL);
		CHECK(aml_errno == AML_SUCCESS);
		CHECK(ptr != NULL);
		memset(ptr, 0xa5, sizes[i]);
		CHECK(aml_area_munmap(area, ptr, sizes[i]) == AML_SUCCESS);
	}
	CHECK(aml_area_fprintf(stdout, "area", area) == AML_SUCCESS);
}

int main(int argc, char **argv)
{
	CHECK(aml_init(&argc, &argv) == AML_SUCCESS);
	check_map(&aml_area_linux);

	CHECK(aml_area_mmap(NULL, 4096, NULL) == NULL);
	CHECK(aml_errno == AML_EINVAL);
	CHECK(aml_area_mmap(&aml_area_linux, 0, NULL) == NULL);
	CHECK(aml_errno == AML_EINVAL);
	CHECK(aml_area_munmap(NULL, &argc, 4096) == -AML_EINVAL);
	CHECK(aml_area_munmap(&aml_area_linux, NULL, 4096) == AML_SUCCESS);

	CHECK(aml_finalize() == AML_SUCCESS);
	printf("area checks passed\n");
	return 0;
}
