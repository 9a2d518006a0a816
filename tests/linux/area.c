/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Linux area on any machine (one NUMA node is enough): argument checks,
 * the static area, the default policy, the legacy constructor, mapping
 * options, the page-placement query and the seed munmap form.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aml.h"
#include "aml/area/linux.h"

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)
#define PAGE ((size_t)4096)

static struct aml_area_linux_data *linux_data(struct aml_area *area)
{
	return (struct aml_area_linux_data *)area->data;
}

static struct aml_bitmap node_mask(int node)
{
	struct aml_bitmap mask;

	aml_bitmap_zero(&mask);
	aml_bitmap_set(&mask, (unsigned int)node);
	return mask;
}

/* The kernel's policy mode for the page at ptr. */
static int policy_mode_at(void *ptr)
{
	int mode = -1;

	cr_assert_eq(get_mempolicy(&mode, NULL, 0, ptr, MPOL_F_ADDR), 0);
	return mode;
}

/* What area's fprintf hook prints with `prefix`, in a static buffer. */
static const char *describe(const struct aml_area *area, const char *prefix)
{
	static char text[4096];
	FILE *stream;

	memset(text, 0, sizeof(text));
	stream = fmemopen(text, sizeof(text) - 1, "w");
	cr_assert_not_null(stream);
	cr_assert_eq(aml_area_fprintf(stream, prefix, area), 0);
	fclose(stream);
	return text;
}

/* The description without its first line (the data pointer). */
static const char *describe_after_pointer(const struct aml_area *area)
{
	const char *text = describe(area, "p");
	const char *next = strchr(text, '\n');

	cr_assert_not_null(next);
	return next + 1;
}

/* ---- argument checks ---------------------------------------------- */

Test(linux_area, create_rejects_a_null_area_pointer)
{
	cr_assert_eq(
		aml_area_linux_create(NULL, NULL, AML_AREA_LINUX_POLICY_BIND),
		-AML_EINVAL);
}

Test(linux_area, create_rejects_an_unknown_policy_and_leaves_area_null)
{
	struct aml_area *area = (struct aml_area *)&area;

	cr_assert_eq(aml_area_linux_create(&area, NULL,
					   (enum aml_area_linux_policy)42),
		     -AML_EINVAL);
	cr_assert_null(area);
}

Test(linux_area, create_rejects_a_full_nodemask_with_edom_and_area_null)
{
	struct aml_area *area = (struct aml_area *)&area;
	struct aml_bitmap full;

	aml_bitmap_fill(&full);
	cr_assert_eq(
		aml_area_linux_create(&area, &full, AML_AREA_LINUX_POLICY_BIND),
		-AML_EDOM);
	cr_assert_null(area);
}

Test(linux_area, create_rejects_the_node_after_the_last_allowed_one)
{
	struct aml_area *area = (struct aml_area *)&area;
	struct bitmask *allowed = numa_get_mems_allowed();
	struct aml_bitmap mask;
	int last = -1;

	for (unsigned int i = 0; i < allowed->size; i++)
		if (numa_bitmask_isbitset(allowed, i))
			last = (int)i;
	numa_bitmask_free(allowed);
	mask = node_mask(last + 1);
	cr_assert_eq(aml_area_linux_create(&area, &mask,
					   AML_AREA_LINUX_POLICY_INTERLEAVE),
		     -AML_EDOM);
	cr_assert_null(area);
}

Test(linux_area, create_flags_rejects_a_null_area_pointer)
{
	cr_assert_eq(aml_area_linux_create_flags(
			     NULL, AML_AREA_LINUX_MMAP_FLAG_PRIVATE, NULL,
			     AML_AREA_LINUX_BINDING_FLAG_BIND),
		     -AML_EINVAL);
}

Test(linux_area, create_flags_rejects_mmap_flags_other_than_private_shared)
{
	const int bad[] = {0,
			   MAP_PRIVATE,
			   MAP_SHARED,
			   MAP_ANONYMOUS,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			   -1};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct aml_area *area = (struct aml_area *)&area;

		cr_assert_eq(aml_area_linux_create_flags(
				     &area, bad[i], NULL,
				     AML_AREA_LINUX_BINDING_FLAG_BIND),
			     -AML_EINVAL, "mmap flags %#x", bad[i]);
		cr_assert_null(area);
	}
}

Test(linux_area, create_flags_rejects_unknown_binding_flags)
{
	const int bad[] = {4, 5, -1, 42};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct aml_area *area = (struct aml_area *)&area;

		cr_assert_eq(aml_area_linux_create_flags(
				     &area, AML_AREA_LINUX_MMAP_FLAG_PRIVATE,
				     NULL, bad[i]),
			     -AML_EINVAL, "binding flags %d", bad[i]);
		cr_assert_null(area);
	}
}

Test(linux_area, create_flags_rejects_a_full_nodemask_with_edom)
{
	struct aml_area *area = (struct aml_area *)&area;
	struct aml_bitmap full;

	aml_bitmap_fill(&full);
	cr_assert_eq(aml_area_linux_create_flags(
			     &area, AML_AREA_LINUX_MMAP_FLAG_SHARED, &full,
			     AML_AREA_LINUX_BINDING_FLAG_INTERLEAVE),
		     -AML_EDOM);
	cr_assert_null(area);
}

Test(linux_area, destroy_accepts_null)
{
	struct aml_area *area = NULL;

	aml_area_linux_destroy(NULL);
	aml_area_linux_destroy(&area);
	cr_assert_null(area);
}

/* ---- the static area ---------------------------------------------- */

Test(linux_area, static_area_maps_every_size_without_touching_aml_errno)
{
	const size_t sizes[] = {1, 32, 4096, MiB};

	cr_assert_not_null(aml_area_linux.ops->mmap);
	cr_assert_not_null(aml_area_linux.ops->munmap);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		char *p;

		aml_errno = AML_SUCCESS;
		p = aml_area_mmap(&aml_area_linux, sizes[i], NULL);
		cr_assert_not_null(p, "size %zu", sizes[i]);
		cr_assert_eq(aml_errno, AML_SUCCESS);
		memset(p, 1, sizes[i]);
		cr_assert_eq(aml_area_munmap(&aml_area_linux, p, sizes[i]),
			     AML_SUCCESS);
	}
}

Test(linux_area, static_area_memory_has_the_kernel_default_policy)
{
	char *p = aml_area_mmap(&aml_area_linux, MiB, NULL);

	cr_assert_not_null(p);
	memset(p, 1, MiB);
	cr_assert_eq(policy_mode_at(p), MPOL_DEFAULT);
	cr_assert_eq(aml_area_linux_check_binding(linux_data(&aml_area_linux),
						  p, MiB),
		     1);
	cr_assert_eq(aml_area_munmap(&aml_area_linux, p, MiB), AML_SUCCESS);
}

Test(linux_area, static_area_describes_itself_in_three_lines)
{
	char expected[256];

	snprintf(expected, sizeof(expected),
		 "area: area-linux: %p\n"
		 "area: bitmask: 0x0\n"
		 "area: policy: default\n",
		 (void *)aml_area_linux.data);
	cr_assert_str_eq(describe(&aml_area_linux, "area"), expected);
}

Test(linux_area, static_area_fprintf_to_stderr_returns_zero,
     .init = cr_redirect_stderr)
{
	cr_assert_eq(aml_area_fprintf(stderr, "area", &aml_area_linux), 0);
	fflush(stderr);
	cr_assert_stderr_neq_str("");
}

Test(linux_area, bound_area_describes_its_mask_size_words_and_policy)
{
	struct aml_area *area;
	struct aml_bitmap mask = node_mask(0);
	const char *text;
	char line[128];
	unsigned long size;

	cr_assert_eq(
		aml_area_linux_create(&area, &mask, AML_AREA_LINUX_POLICY_BIND),
		0);
	size = linux_data(area)->nodeset->size;
	text = describe(area, "p");

	snprintf(line, sizeof(line),
		 "p: bitmask: size: %lu\np: bitmask: maskp: "
		 "       1",
		 size);
	cr_assert_not_null(strstr(text, line), "%s", text);
	cr_assert_not_null(strstr(text, "\np: policy: bind\n"), "%s", text);
	/* One %8lx per 64-bit word of the mask, then a newline. */
	cr_assert_eq(strlen(strstr(text, "maskp: ") + strlen("maskp: ")),
		     8 * ((size + 63) / 64) + strlen("\np: policy: bind\n"),
		     "%s", text);
	aml_area_linux_destroy(&area);
}

/* ---- the default policy and the legacy constructor ---------------- */

Test(linux_area, default_policy_area_allocates_without_binding)
{
	struct aml_area *area;
	char *p;

	cr_assert_eq(aml_area_linux_create(&area, NULL,
					   AML_AREA_LINUX_POLICY_DEFAULT),
		     0);
	p = aml_area_mmap(area, MiB, NULL);
	cr_assert_not_null(p, "aml_errno %d", aml_errno);
	memset(p, 1, MiB);
	cr_assert_eq(policy_mode_at(p), MPOL_DEFAULT);
	cr_assert_eq(aml_area_linux_check_binding(linux_data(area), p, MiB), 1);
	cr_assert_eq(aml_area_munmap(area, p, MiB), AML_SUCCESS);
	aml_area_linux_destroy(&area);
	cr_assert_null(area);
}

Test(linux_area, default_policy_area_with_a_nodemask_still_allocates)
{
	struct aml_area *area;
	struct aml_bitmap mask = node_mask(0);
	char *p;

	cr_assert_eq(aml_area_linux_create(&area, &mask,
					   AML_AREA_LINUX_POLICY_DEFAULT),
		     0);
	p = aml_area_mmap(area, MiB, NULL);
	cr_assert_not_null(p);
	memset(p, 1, MiB);
	cr_assert_eq(policy_mode_at(p), MPOL_DEFAULT);
	cr_assert_eq(aml_area_munmap(area, p, MiB), AML_SUCCESS);
	aml_area_linux_destroy(&area);
}

Test(linux_area, create_flags_private_default_is_like_the_static_area)
{
	struct aml_area *area;
	char *p;

	cr_assert_eq(aml_area_linux_create(
			     &area, AML_AREA_LINUX_MMAP_FLAG_PRIVATE, NULL,
			     AML_AREA_LINUX_BINDING_FLAG_DEFAULT),
		     0);
	cr_assert_eq(area->ops, aml_area_linux.ops);
	cr_assert_null(linux_data(area)->nodeset);
	cr_assert_eq(linux_data(area)->policy, AML_AREA_LINUX_POLICY_DEFAULT);
	/* describe() reuses one buffer: keep a copy of the first text. */
	char created[512];
	snprintf(created, sizeof(created), "%s", describe_after_pointer(area));
	cr_assert_str_eq(created, describe_after_pointer(&aml_area_linux));

	p = aml_area_mmap(area, MiB, NULL);
	cr_assert_not_null(p);
	memset(p, 1, MiB);
	cr_assert_eq(policy_mode_at(p), MPOL_DEFAULT);
	cr_assert_eq(aml_area_linux_check_binding(linux_data(area), p, MiB), 1);
	cr_assert_eq(aml_area_linux_check_binding(linux_data(&aml_area_linux),
						  p, MiB),
		     1);
	cr_assert_eq(aml_area_munmap(p, MiB), AML_SUCCESS);
	aml_area_linux_destroy(&area);
}

/* The two flag families swap BIND and PREFERRED: each maps to its own. */
Test(linux_area, create_flags_translates_mpol_binding_flags_to_policies)
{
	const struct {
		int flag;
		enum aml_area_linux_policy policy;
	} cases[] = {
		{AML_AREA_LINUX_BINDING_FLAG_DEFAULT,
		 AML_AREA_LINUX_POLICY_DEFAULT},
		{AML_AREA_LINUX_BINDING_FLAG_BIND, AML_AREA_LINUX_POLICY_BIND},
		{AML_AREA_LINUX_BINDING_FLAG_PREFERRED,
		 AML_AREA_LINUX_POLICY_PREFERRED},
		{AML_AREA_LINUX_BINDING_FLAG_INTERLEAVE,
		 AML_AREA_LINUX_POLICY_INTERLEAVE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct aml_area *area;

		cr_assert_eq(aml_area_linux_create(
				     &area, AML_AREA_LINUX_MMAP_FLAG_PRIVATE,
				     NULL, cases[i].flag),
			     0);
		cr_assert_eq(linux_data(area)->policy, cases[i].policy,
			     "binding flag %d", cases[i].flag);
		aml_area_linux_destroy(&area);
	}
}

Test(linux_area, create_flags_bind_maps_memory_with_mpol_bind)
{
	struct aml_area *area;
	struct aml_bitmap mask = node_mask(0);
	char *p;

	cr_assert_eq(
		aml_area_linux_create(&area, AML_AREA_LINUX_MMAP_FLAG_PRIVATE,
				      &mask, AML_AREA_LINUX_BINDING_FLAG_BIND),
		0);
	p = aml_area_mmap(area, 4 * PAGE);
	cr_assert_not_null(p);
	cr_assert_eq(policy_mode_at(p), MPOL_BIND);
	cr_assert_eq(aml_area_munmap(p, 4 * PAGE), AML_SUCCESS);
	aml_area_linux_destroy(&area);
}

Test(linux_area, create_policy_bind_maps_memory_with_mpol_bind)
{
	struct aml_area *area;
	struct aml_bitmap mask = node_mask(0);
	char *p;

	cr_assert_eq(
		aml_area_linux_create(&area, &mask, AML_AREA_LINUX_POLICY_BIND),
		0);
	p = aml_area_mmap(area, 4 * PAGE);
	cr_assert_not_null(p);
	cr_assert_eq(policy_mode_at(p), MPOL_BIND);
	cr_assert_eq(
		aml_area_linux_check_binding(linux_data(area), p, 4 * PAGE), 1);
	cr_assert_eq(aml_area_munmap(p, 4 * PAGE), AML_SUCCESS);
	aml_area_linux_destroy(&area);
}

/* ---- check_binding ------------------------------------------------ */

Test(linux_area, check_binding_is_0_when_the_policy_differs)
{
	struct aml_bitmap mask = node_mask(0);
	struct aml_area *bind, *interleave;
	char *p, *q;

	cr_assert_eq(
		aml_area_linux_create(&bind, &mask, AML_AREA_LINUX_POLICY_BIND),
		0);
	cr_assert_eq(aml_area_linux_create(&interleave, &mask,
					   AML_AREA_LINUX_POLICY_INTERLEAVE),
		     0);
	p = aml_area_mmap(bind, 2 * PAGE);
	q = aml_area_mmap(&aml_area_linux, 2 * PAGE);
	cr_assert_not_null(p);
	cr_assert_not_null(q);

	cr_assert_eq(aml_area_linux_check_binding(linux_data(bind), p, PAGE),
		     1);
	cr_assert_eq(
		aml_area_linux_check_binding(linux_data(interleave), p, PAGE),
		0);
	cr_assert_eq(aml_area_linux_check_binding(linux_data(&aml_area_linux),
						  p, PAGE),
		     0);
	cr_assert_eq(aml_area_linux_check_binding(linux_data(bind), q, PAGE),
		     0);

	cr_assert_eq(aml_area_munmap(p, 2 * PAGE), 0);
	cr_assert_eq(aml_area_munmap(q, 2 * PAGE), 0);
	aml_area_linux_destroy(&bind);
	aml_area_linux_destroy(&interleave);
}

Test(linux_area, check_binding_checks_the_whole_range)
{
	struct aml_bitmap mask = node_mask(0);
	struct aml_area *bind;
	char *p;

	cr_assert_eq(
		aml_area_linux_create(&bind, &mask, AML_AREA_LINUX_POLICY_BIND),
		0);
	p = aml_area_mmap(bind, 8 * PAGE);
	cr_assert_not_null(p);
	/* Reset the policy of one page in the middle. */
	cr_assert_eq(mbind(p + 5 * PAGE, PAGE, MPOL_DEFAULT, NULL, 0, 0), 0);
	cr_assert_eq(
		aml_area_linux_check_binding(linux_data(bind), p, 4 * PAGE), 1);
	cr_assert_eq(
		aml_area_linux_check_binding(linux_data(bind), p, 8 * PAGE), 0);
	cr_assert_eq(aml_area_munmap(p, 8 * PAGE), 0);
	aml_area_linux_destroy(&bind);
}

Test(linux_area, check_binding_of_an_unmapped_address_is_einval)
{
	char *p = aml_area_mmap(&aml_area_linux, PAGE);

	cr_assert_not_null(p);
	cr_assert_eq(aml_area_munmap(p, PAGE), 0);
	cr_assert_eq(aml_area_linux_check_binding(linux_data(&aml_area_linux),
						  p, PAGE),
		     -AML_EINVAL);
}

/* ---- mapping kinds and options ------------------------------------ */

/* Write `value` in a child process, return what the parent then reads. */
static int value_after_child_writes(volatile int *p, int value)
{
	int status;
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		*p = value;
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return *p;
}

Test(linux_area, shared_area_page_is_seen_by_a_forked_child)
{
	struct aml_area *area;
	int *p;

	cr_assert_eq(aml_area_linux_create(
			     &area, AML_AREA_LINUX_MMAP_FLAG_SHARED, NULL,
			     AML_AREA_LINUX_BINDING_FLAG_DEFAULT),
		     0);
	p = aml_area_mmap(area, PAGE);
	cr_assert_not_null(p);
	*p = 1;
	cr_assert_eq(value_after_child_writes(p, 42), 42);
	cr_assert_eq(aml_area_munmap(p, PAGE), 0);
	aml_area_linux_destroy(&area);
}

Test(linux_area, private_area_page_is_not_changed_by_a_forked_child)
{
	struct aml_area *area;
	int *p;

	cr_assert_eq(aml_area_linux_create(
			     &area, AML_AREA_LINUX_MMAP_FLAG_PRIVATE, NULL,
			     AML_AREA_LINUX_BINDING_FLAG_DEFAULT),
		     0);
	p = aml_area_mmap(area, PAGE);
	cr_assert_not_null(p);
	*p = 1;
	cr_assert_eq(value_after_child_writes(p, 42), 1);
	cr_assert_eq(aml_area_munmap(p, PAGE), 0);
	aml_area_linux_destroy(&area);
}

/* A temporary file of `size` bytes, byte i = i % 251; returns its fd. */
static int pattern_file(size_t size)
{
	char name[] = "/tmp/aml-linux-area-XXXXXX";
	unsigned char *buf = malloc(size);
	int fd = mkstemp(name);

	cr_assert_not_null(buf);
	cr_assert_geq(fd, 0);
	unlink(name);
	for (size_t i = 0; i < size; i++)
		buf[i] = (unsigned char)(i % 251);
	cr_assert_eq(write(fd, buf, size), (ssize_t)size);
	free(buf);
	return fd;
}

static void assert_maps_the_file(struct aml_area *area)
{
	const size_t size = 64 * KiB;
	int fd = pattern_file(size);
	struct aml_area_linux_mmap_options opts = {
		.ptr = NULL,
		.flags = MAP_PRIVATE,
		.mode = PROT_READ,
		.fd = fd,
		.offset = 0,
	};
	unsigned char *p = aml_area_mmap(area, size,
					 (struct aml_area_mmap_options *)&opts);

	cr_assert_not_null(p, "aml_errno %d", aml_errno);
	for (size_t i = 0; i < size; i++)
		cr_assert_eq(p[i], i % 251, "byte %zu", i);
	cr_assert_eq(aml_area_munmap(area, p, size), 0);

	/* The offset is passed too. */
	opts.offset = 4 * PAGE;
	p = aml_area_mmap(area, PAGE, (struct aml_area_mmap_options *)&opts);
	cr_assert_not_null(p);
	cr_assert_eq(p[0], (4 * PAGE) % 251);
	cr_assert_eq(aml_area_munmap(area, p, PAGE), 0);
	close(fd);
}

Test(linux_area, options_map_a_file_through_the_static_area)
{
	assert_maps_the_file(&aml_area_linux);
}

Test(linux_area, options_map_a_file_through_a_bound_area)
{
	struct aml_area *area;
	struct aml_bitmap mask = node_mask(0);

	cr_assert_eq(
		aml_area_linux_create(&area, &mask, AML_AREA_LINUX_POLICY_BIND),
		0);
	assert_maps_the_file(area);
	aml_area_linux_destroy(&area);
}

Test(linux_area, options_address_hint_and_flags_are_passed)
{
	struct aml_area_linux_mmap_options opts = {
		.ptr = NULL,
		.flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		.mode = PROT_READ | PROT_WRITE,
		.fd = -1,
		.offset = 0,
	};
	void *hole = mmap(NULL, 4 * PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *p;

	cr_assert_neq(hole, MAP_FAILED);
	munmap(hole, 4 * PAGE);
	opts.ptr = (char *)hole + PAGE;
	p = aml_area_mmap(&aml_area_linux, PAGE,
			  (struct aml_area_mmap_options *)&opts);
	cr_assert_eq(p, opts.ptr);
	/* MAP_FIXED_NOREPLACE on a taken address fails: the flags are used. */
	cr_assert_null(aml_area_mmap(&aml_area_linux, PAGE,
				     (struct aml_area_mmap_options *)&opts));
	cr_assert_eq(aml_errno, AML_FAILURE);
	cr_assert_eq(aml_area_munmap(&aml_area_linux, p, PAGE), 0);
}

/* The permissions of the mapping at p, as /proc/self/maps shows them. */
static void permissions_of(const void *p, char perms[5])
{
	unsigned long start, end;
	char line[512];
	FILE *maps = fopen("/proc/self/maps", "r");

	cr_assert_not_null(maps);
	perms[0] = 0;
	while (fgets(line, sizeof(line), maps) != NULL) {
		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3 &&
		    start <= (unsigned long)p && (unsigned long)p < end)
			break;
		perms[0] = 0;
	}
	fclose(maps);
	cr_assert_neq(perms[0], 0, "no mapping at %p", p);
}

Test(linux_area, options_protection_is_passed)
{
	struct aml_area_linux_mmap_options opts = {
		.ptr = NULL,
		.flags = MAP_PRIVATE | MAP_ANONYMOUS,
		.mode = PROT_READ,
		.fd = -1,
		.offset = 0,
	};
	char perms[5];
	char *p = aml_area_mmap(&aml_area_linux, PAGE,
				(struct aml_area_mmap_options *)&opts);

	cr_assert_not_null(p);
	permissions_of(p, perms);
	cr_assert_str_eq(perms, "r--p");
	cr_assert_eq(aml_area_munmap(p, PAGE), 0);

	opts.mode = PROT_READ | PROT_WRITE;
	opts.flags = MAP_SHARED | MAP_ANONYMOUS;
	p = aml_area_mmap(&aml_area_linux, PAGE,
			  (struct aml_area_mmap_options *)&opts);
	cr_assert_not_null(p);
	permissions_of(p, perms);
	cr_assert_str_eq(perms, "rw-s");
	cr_assert_eq(aml_area_munmap(p, PAGE), 0);
}

Test(linux_area, mmap_failure_gives_null_aml_failure_and_errno)
{
	errno = 0;
	cr_assert_null(aml_area_mmap(&aml_area_linux, (size_t)1 << 62, NULL));
	cr_assert_eq(aml_errno, AML_FAILURE);
	cr_assert_eq(errno, ENOMEM);
}

Test(linux_area, mbind_failure_unmaps_and_gives_null_with_errno)
{
	struct bitmask *nodes = numa_allocate_nodemask();
	struct aml_area_linux_data data = {
		.nodeset = nodes,
		.policy = AML_AREA_LINUX_POLICY_BIND,
		.mmap_flags = 0,
	};

	/* A node that cannot exist here. */
	numa_bitmask_setbit(nodes, nodes->size - 1);
	errno = 0;
	aml_errno = AML_SUCCESS;
	cr_assert_null(aml_area_linux_mmap_mbind((struct aml_area_data *)&data,
						 PAGE, NULL));
	cr_assert_eq(aml_errno, AML_FAILURE);
	cr_assert_eq(errno, EINVAL);
	numa_bitmask_free(nodes);
}

/* ---- pages_per_node ----------------------------------------------- */

Test(linux_area, pages_per_node_counts_exactly_the_touched_pages)
{
	const size_t npages = 600; /* more than one move_pages batch */
	struct aml_bitmap mask = node_mask(0);
	struct aml_area *area;
	size_t counts[4] = {0}, absent = 0, touched = 0;
	char *p;

	cr_assert_eq(
		aml_area_linux_create(&area, &mask, AML_AREA_LINUX_POLICY_BIND),
		0);
	p = aml_area_mmap(area, npages * PAGE);
	cr_assert_not_null(p);
	cr_assert_eq(madvise(p, npages * PAGE, MADV_NOHUGEPAGE), 0);
	for (size_t i = 0; i < npages; i += 3, touched++)
		p[i * PAGE] = 1;

	cr_assert_eq(aml_area_linux_pages_per_node(p, npages * PAGE, counts, 4,
						   &absent),
		     0);
	cr_assert_eq(counts[0], touched);
	cr_assert_eq(counts[1] + counts[2] + counts[3], 0);
	cr_assert_eq(absent, npages - touched);
	cr_assert_eq(aml_area_munmap(p, npages * PAGE), 0);
	aml_area_linux_destroy(&area);
}

Test(linux_area, pages_per_node_adds_to_counts_and_covers_partial_pages)
{
	struct aml_bitmap mask = node_mask(0);
	struct aml_area *area;
	size_t counts[1] = {10}, absent = 0;
	char *p;

	cr_assert_eq(
		aml_area_linux_create(&area, &mask, AML_AREA_LINUX_POLICY_BIND),
		0);
	p = aml_area_mmap(area, 4 * PAGE);
	cr_assert_not_null(p);
	cr_assert_eq(madvise(p, 4 * PAGE, MADV_NOHUGEPAGE), 0);
	p[PAGE] = 1;
	p[2 * PAGE] = 1;
	/* [p + PAGE + 100, p + 2 * PAGE + 1) spans two pages. */
	cr_assert_eq(aml_area_linux_pages_per_node(p + PAGE + 100, PAGE - 99,
						   counts, 1, &absent),
		     0);
	cr_assert_eq(counts[0], 12);
	cr_assert_eq(absent, 0);
	cr_assert_eq(aml_area_munmap(p, 4 * PAGE), 0);
	aml_area_linux_destroy(&area);
}

Test(linux_area, pages_per_node_rejects_null_arguments)
{
	size_t counts[1];

	cr_assert_eq(aml_area_linux_pages_per_node(NULL, PAGE, counts, 1, NULL),
		     -AML_EINVAL);
	cr_assert_eq(aml_area_linux_pages_per_node(counts, PAGE, NULL, 1, NULL),
		     -AML_EINVAL);
}

/* ---- the seed munmap form and the registry ------------------------ */

Test(linux_area, seed_munmap_releases_a_pointer_of_a_created_area)
{
	struct aml_bitmap mask = node_mask(0);
	struct aml_area *area;
	char *p;

	cr_assert_eq(aml_area_linux_create(&area, &mask,
					   AML_AREA_LINUX_POLICY_INTERLEAVE),
		     0);
	p = aml_area_mmap(area, MiB);
	cr_assert_not_null(p);
	memset(p, 1, MiB);
	cr_assert_eq(aml_area_munmap(p, MiB), AML_SUCCESS);
	/* Released, hence unknown now. */
	cr_assert_eq(aml_area_munmap(p, MiB), -AML_EINVAL);
	aml_area_linux_destroy(&area);
}

Test(linux_area, seed_munmap_releases_a_pointer_of_the_static_area)
{
	char *p = aml_area_mmap(&aml_area_linux, MiB);

	cr_assert_not_null(p);
	memset(p, 1, MiB);
	cr_assert_eq(aml_area_munmap(p, MiB), AML_SUCCESS);
	cr_assert_eq(aml_area_munmap(p, MiB), -AML_EINVAL);
}

Test(linux_area, destroy_forgets_the_areas_live_pointers)
{
	struct aml_area *area;
	char *p;

	cr_assert_eq(
		aml_area_linux_create(&area, NULL, AML_AREA_LINUX_POLICY_BIND),
		0);
	p = aml_area_mmap(area, PAGE);
	cr_assert_not_null(p);
	aml_area_linux_destroy(&area);
	cr_assert_eq(aml_area_munmap(p, PAGE), -AML_EINVAL);
	cr_assert_eq(aml_area_linux_munmap(NULL, p, PAGE), 0);
}
