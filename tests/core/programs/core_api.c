/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A user program in the style of upstream's tests (test_inner_malloc,
 * test_version, test_linux's mems_allowed set-up, the allocator tests' dummy
 * area) and of the seed call forms, using only what <aml.h> provides. Built as
 * C99 and as C++11 by tests/core/compile_programs.c; exits 0 when every check
 * holds, else prints the failed check and exits 1.
 */
#include "aml.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			return 1;                                              \
		}                                                              \
	} while (0)

struct triple {
	char c;
	double d;
	short s;
};

static int check_inner_malloc(void)
{
	intptr_t *ptr = (intptr_t *)AML_INNER_MALLOC(void *, void *);
	void *second;
	struct triple *t;

	CHECK(ptr != NULL);
	second = AML_INNER_MALLOC_GET_FIELD(ptr, 2, void *, void *);
	CHECK(second == (void *)&ptr[1]);
	free(ptr);

	/* Three types, fields 2 and 3, as in tutorial 1. */
	t = (struct triple *)AML_INNER_MALLOC(char, double, short);
	CHECK(t != NULL);
	CHECK(AML_INNER_MALLOC_GET_FIELD(t, 2, char, double, short) ==
	      (void *)&t->d);
	CHECK(AML_INNER_MALLOC_GET_FIELD(t, 3, char, double, short) ==
	      (void *)&t->s);
	CHECK(AML_SIZEOF_ALIGNED(char, double, short) == sizeof(struct triple));
	free(t);
	return 0;
}

static int check_bitmap(void)
{
	unsigned long maskp[2] = {0x5UL, 0x1UL};
	struct aml_bitmap mems_allowed;

	aml_bitmap_zero(&mems_allowed);
	aml_bitmap_copy_from_ulong(&mems_allowed, maskp,
				   8 * sizeof(unsigned long) * 2);
	CHECK(aml_bitmap_nset(&mems_allowed) == 3);
	CHECK(aml_bitmap_last(&mems_allowed) ==
	      (int)(8 * sizeof(unsigned long)));
	return 0;
}

static int check_version(void)
{
	CHECK(aml_version_major == AML_VERSION_MAJOR);
	CHECK(aml_version_minor == AML_VERSION_MINOR);
	CHECK(aml_version_patch == AML_VERSION_PATCH);
	CHECK(strcmp(aml_version_string, AML_VERSION_STRING) == 0);
	CHECK(strcmp(aml_version_revision, AML_VERSION_REVISION) == 0);
	return 0;
}

static int check_errors(void)
{
	aml_errno = AML_SUCCESS;
	CHECK(aml_area_mmap(NULL, 4096, NULL) == NULL);
	CHECK(aml_errno == AML_EINVAL);
	CHECK(strcmp(aml_strerror(aml_errno), "Invalid argument") == 0);
	return 0;
}

/* Upstream's dummy area: counters for pointers, no fprintf hook. */
static uintptr_t next_fake = 0x1000;
static size_t unmapped_bytes;

static void *dummy_mmap(const struct aml_area_data *data, size_t size,
			struct aml_area_mmap_options *opts)
{
	(void)data;
	(void)size;
	(void)opts;
	return (void *)next_fake++;
}

static int dummy_munmap(const struct aml_area_data *data, void *ptr,
			size_t size)
{
	(void)data;
	(void)ptr;
	unmapped_bytes += size;
	return AML_SUCCESS;
}

static int check_seed_forms(void)
{
	struct aml_area_ops ops = {dummy_mmap, dummy_munmap, NULL};
	struct aml_area dummy = {&ops, NULL};
	void *a = aml_area_mmap(&dummy, 100);
	void *b = aml_area_mmap(&dummy, 200, NULL);

	CHECK(a != NULL && b != NULL && a != b);
	CHECK(aml_area_munmap(a, 100) == AML_SUCCESS);
	CHECK(aml_area_munmap(&dummy, b, 200) == AML_SUCCESS);
	CHECK(unmapped_bytes == 300);
	CHECK(aml_area_munmap(a, 100) == -AML_EINVAL);
	CHECK(aml_area_fprintf(stderr, "dummy", &dummy) == -AML_ENOTSUP);
	return 0;
}

int main(int argc, char *argv[])
{
	CHECK(aml_init(&argc, &argv) == AML_SUCCESS);
	CHECK(check_inner_malloc() == 0);
	CHECK(check_bitmap() == 0);
	CHECK(check_version() == 0);
	CHECK(check_errors() == 0);
	CHECK(check_seed_forms() == 0);
	CHECK(aml_support_backends(AML_BACKEND_LIBNUMA) == 1);
	CHECK(aml_finalize() == AML_SUCCESS);
	return 0;
}
