/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Created Linux areas, as an upstream-style user program uses them: for each
 * allowed node alone, and for the first allowed node with each other one,
 * an area of each policy (BIND, PREFERRED, INTERLEAVE) maps 1 B, 4 KiB and
 * 1 MiB private and shared, anonymous and from a file (through struct
 * aml_area_linux_mmap_options), writes them and unmaps them; anonymous
 * private mappings are checked to carry the area's binding. Exits 0 when
 * every check holds, else prints the failed check and exits 1.
 */
#define _GNU_SOURCE
#include <aml.h>
#include <aml/area/linux.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

static const size_t sizes[] = {1, 1 << 12, 1 << 20};
static int fd = -1;
static struct aml_bitmap allowed;
static int last_node;
static int cases;

static void map_each_size(struct aml_area *area,
			  struct aml_area_linux_mmap_options *opts, int check)
{
	size_t i;
	void *ptr;

	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		ptr = aml_area_mmap(area, sizes[i],
				    (struct aml_area_mmap_options *)opts);
		CHECK(ptr != NULL);
		memset(ptr, 1, sizes[i]);
		if (check)
			CHECK(aml_area_linux_check_binding(
				      (struct aml_area_linux_data *)area->data,
				      ptr, sizes[i]) == 1);
		CHECK(aml_area_munmap(area, ptr, sizes[i]) == AML_SUCCESS);
	}
}

static void check_case(const struct aml_bitmap *nodes,
		       enum aml_area_linux_policy policy, int flags)
{
	struct aml_area_linux_mmap_options opts = {
		.ptr = NULL,
		.flags = MAP_ANONYMOUS | flags,
		.mode = PROT_READ | PROT_WRITE,
		.fd = -1,
		.offset = 0,
	};
	struct aml_area *area = NULL;

	CHECK(aml_area_linux_create(&area, nodes, policy) == AML_SUCCESS);
	CHECK(area != NULL);
	map_each_size(area, &opts, flags == MAP_PRIVATE);
	opts.flags = flags;
	opts.fd = fd;
	map_each_size(area, &opts, 0);
	aml_area_linux_destroy(&area);
	CHECK(area == NULL);
	cases++;
}

static void check_policies(const struct aml_bitmap *nodes)
{
	const enum aml_area_linux_policy policies[] = {
		AML_AREA_LINUX_POLICY_BIND,
		AML_AREA_LINUX_POLICY_PREFERRED,
		AML_AREA_LINUX_POLICY_INTERLEAVE,
	};
	size_t i;

	for (i = 0; i < sizeof(policies) / sizeof(*policies); i++) {
		check_case(nodes, policies[i], MAP_SHARED);
		check_case(nodes, policies[i], MAP_PRIVATE);
	}
}

int main(void)
{
	char name[] = "/tmp/aml_linux_area_checks_XXXXXX";
	size_t size = sizes[sizeof(sizes) / sizeof(*sizes) - 1];
	struct bitmask *mems = numa_get_mems_allowed();
	struct aml_bitmap nodes;
	char *buf;
	int first, i;

	/* A file as large as the largest mapping, unlinked at once. */
	fd = mkstemp(name);
	CHECK(fd >= 0);
	unlink(name);
	buf = (char *)calloc(1, size);
	CHECK(buf != NULL);
	CHECK(write(fd, buf, size) == (ssize_t)size);
	free(buf);

	aml_bitmap_zero(&allowed);
	aml_bitmap_copy_from_ulong(&allowed, mems->maskp, mems->size);
	numa_bitmask_free(mems);
	last_node = aml_bitmap_last(&allowed);
	first = aml_bitmap_first(&allowed);
	CHECK(first >= 0);

	/* Each allowed node alone. */
	aml_bitmap_zero(&nodes);
	for (i = 0; i <= last_node; i++) {
		if (aml_bitmap_isset(&allowed, i)) {
			aml_bitmap_set(&nodes, i);
			check_policies(&nodes);
			aml_bitmap_clear(&nodes, i);
		}
	}
	/* The first allowed node with each other one. */
	aml_bitmap_set(&nodes, first);
	for (i = first + 1; i <= last_node; i++) {
		if (aml_bitmap_isset(&allowed, i)) {
			aml_bitmap_set(&nodes, i);
			check_policies(&nodes);
			aml_bitmap_clear(&nodes, i);
		}
	}
	close(fd);
	printf("linux area checks passed: %d areas\n", cases);
	return 0;
}
