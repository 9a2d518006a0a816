/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A user-defined area in the style of upstream AML's programs: its own
 * struct aml_area_ops (mmap, munmap, fprintf) allocated with the area and
 * its data in one AML_INNER_MALLOC block. Its mmap binds each chunk of two
 * pages to the next allowed node, round-robin. The program maps 16 chunks
 * through aml_area_mmap, touches them, and checks chunk by chunk that the
 * policy (get_mempolicy) and the pages (move_pages) are on the node the
 * round-robin gives. Exits 0 when every check holds, else prints the
 * failed check and exits 1.
 */
#define _GNU_SOURCE
#include <aml.h>
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define MAX_NODES 1024
#define CHUNKS 16

struct interleave_data {
	int nodes[MAX_NODES]; /* the allowed nodes, in order */
	int count;
	int next; /* index in nodes of the next chunk's node */
	size_t chunk;
};

static void *interleave_mmap(const struct aml_area_data *area_data, size_t size,
			     struct aml_area_mmap_options *opts)
{
	struct interleave_data *data = (struct interleave_data *)area_data;
	unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))];
	char *ptr;
	size_t off;

	(void)opts;
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ptr == MAP_FAILED) {
		aml_errno = AML_ENOMEM;
		return NULL;
	}
	for (off = 0; off < size; off += data->chunk) {
		int node = data->nodes[data->next];
		size_t len =
			size - off < data->chunk ? size - off : data->chunk;

		memset(mask, 0, sizeof(mask));
		mask[node / (8 * sizeof(unsigned long))] |=
			1UL << (node % (8 * sizeof(unsigned long)));
		if (mbind(ptr + off, len, MPOL_BIND, mask, MAX_NODES, 0) != 0) {
			munmap(ptr, size);
			aml_errno = AML_FAILURE;
			return NULL;
		}
		data->next = (data->next + 1) % data->count;
	}
	return ptr;
}

static int interleave_munmap(const struct aml_area_data *area_data, void *ptr,
			     size_t size)
{
	(void)area_data;
	return munmap(ptr, size) == 0 ? AML_SUCCESS : -AML_EINVAL;
}

static int interleave_fprintf(const struct aml_area_data *area_data,
			      FILE *stream, const char *prefix)
{
	const struct interleave_data *data =
		(const struct interleave_data *)area_data;

	return fprintf(stream,
		       "%s: interleave over %d nodes, %zu-byte chunks\n",
		       prefix, data->count, data->chunk) < 0
		       ? -AML_FAILURE
		       : AML_SUCCESS;
}

static struct aml_area *interleave_area_create(size_t chunk)
{
	struct aml_area *area;
	struct aml_area_ops *ops;
	struct interleave_data *data;
	struct bitmask *allowed = numa_get_mems_allowed();
	int node;

	area = (struct aml_area *)AML_INNER_MALLOC(
		struct aml_area, struct aml_area_ops, struct interleave_data);
	if (area == NULL)
		return NULL;
	ops = (struct aml_area_ops *)AML_INNER_MALLOC_GET_FIELD(
		area, 2, struct aml_area, struct aml_area_ops,
		struct interleave_data);
	data = (struct interleave_data *)AML_INNER_MALLOC_GET_FIELD(
		area, 3, struct aml_area, struct aml_area_ops,
		struct interleave_data);
	ops->mmap = interleave_mmap;
	ops->munmap = interleave_munmap;
	ops->fprintf = interleave_fprintf;
	area->ops = ops;
	area->data = (struct aml_area_data *)data;
	for (node = 0; node < MAX_NODES && node <= numa_max_node(); node++)
		if (numa_bitmask_isbitset(allowed, (unsigned int)node))
			data->nodes[data->count++] = node;
	numa_bitmask_free(allowed);
	data->chunk = chunk;
	return area;
}

/* The node of the policy at `ptr` (MPOL_BIND to one node). */
static int policy_node(void *ptr)
{
	unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))];
	int mode, node, found = -1;

	memset(mask, 0, sizeof(mask));
	CHECK(get_mempolicy(&mode, mask, MAX_NODES, ptr, MPOL_F_ADDR) == 0);
	CHECK(mode == MPOL_BIND);
	for (node = 0; node < MAX_NODES; node++) {
		if (mask[node / (8 * sizeof(unsigned long))] &
		    (1UL << (node % (8 * sizeof(unsigned long))))) {
			CHECK(found == -1); /* exactly one node */
			found = node;
		}
	}
	return found;
}

int main(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t chunk = 2 * page, size = CHUNKS * chunk, i;
	struct interleave_data *data;
	struct aml_area *area;
	char *buf;

	CHECK(numa_available() != -1);
	area = interleave_area_create(chunk);
	CHECK(area != NULL);
	data = (struct interleave_data *)area->data;
	CHECK(data->count >= 1);

	buf = (char *)aml_area_mmap(area, size, NULL);
	CHECK(buf != NULL);
	memset(buf, 0x5a, size);
	for (i = 0; i < CHUNKS; i++) {
		int want = data->nodes[i % (size_t)data->count];
		void *pages[2] = {buf + i * chunk, buf + i * chunk + page};
		int status[2] = {-1, -1};

		CHECK(policy_node(pages[0]) == want);
		CHECK(policy_node(pages[1]) == want);
		CHECK(numa_move_pages(0, 2, pages, NULL, status, 0) == 0);
		CHECK(status[0] == want && status[1] == want);
	}
	CHECK(aml_area_fprintf(stdout, "custom", area) == AML_SUCCESS);
	CHECK(aml_area_munmap(area, buf, size) == AML_SUCCESS);

	/* A failing hook reaches the caller as NULL and aml_errno. */
	CHECK(aml_area_mmap(area, (size_t)1 << 62, NULL) == NULL);
	CHECK(aml_errno == AML_ENOMEM);

	printf("interleaved over %d node(s): %d chunks checked\n", data->count,
	       CHUNKS);
	free(area);
	return 0;
}
