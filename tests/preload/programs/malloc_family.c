/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs under the shim; each mode checks one part of the malloc contract and
 * exits 0 when it holds, or prints what broke and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
/* Opaque to the compiler, so it cannot reject the requests up front. */
static volatile size_t huge = SIZE_MAX;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, \
				#cond);                                    \
			failures++;                                        \
		}                                                          \
	} while (0)

static void zero_size_gives_unique_pointers(void)
{
	void *a = malloc(0), *b = malloc(0);

	CHECK(a != NULL && b != NULL && a != b);
	free(a);
	free(b);
}

static void calloc_overflow_is_enomem(void)
{
	errno = 0;
	CHECK(calloc(huge / 2, 4) == NULL);
	CHECK(errno == ENOMEM);
}

static void calloc_is_zeroed(void)
{
	for (size_t n = 1; n <= (1 << 22); n *= 4) {
		unsigned char *p = calloc(n, 3);
		size_t i;

		CHECK(p != NULL);
		for (i = 0; i < 3 * n && p[i] == 0; i++)
			;
		CHECK(i == 3 * n);
		memset(p, 0xa5, 3 * n);
		free(p);
	}
}

static void alignment_is_honoured(void)
{
	for (size_t align = sizeof(void *); align <= (1 << 21); align *= 2) {
		void *p = NULL, *q = aligned_alloc(align, align * 3);
		void *r = memalign(align, 100);

		CHECK(posix_memalign(&p, align, 100) == 0);
		CHECK(((uintptr_t)p & (align - 1)) == 0);
		CHECK(q != NULL && ((uintptr_t)q & (align - 1)) == 0);
		CHECK(r != NULL && ((uintptr_t)r & (align - 1)) == 0);
		free(p);
		free(q);
		free(r);
	}
	void *p;
	CHECK(posix_memalign(&p, 3, 16) == EINVAL);
	CHECK(((uintptr_t)valloc(10) & 4095) == 0);
	CHECK(((uintptr_t)pvalloc(10) & 4095) == 0);
}

static void realloc_growth_keeps_data(void)
{
	unsigned char *p = NULL, *q;
	size_t n = 1;

	for (int step = 0; step < 26; step++, n = n * 2 + 3) {
		p = realloc(p, n);
		CHECK(p != NULL);
		if (step > 0) {
			size_t old = (n - 3) / 2, i;

			for (i = 0; i < old && p[i] == (unsigned char)i; i++)
				;
			CHECK(i == old);
		}
		for (size_t i = 0; i < n; i++)
			p[i] = (unsigned char)i;
	}
	p = reallocarray(p, 10, 10);
	CHECK(p != NULL && p[99] == 99);
	errno = 0;
	q = reallocarray(p, huge, 2);
	CHECK(q == NULL && errno == ENOMEM);
	free(q != NULL ? q : p); /* a failed reallocarray leaves p alone */
}

static void usable_size_covers_request(void)
{
	for (size_t n = 1; n < (1 << 24); n = n * 3 + 1) {
		void *p = malloc(n);

		CHECK(p != NULL && malloc_usable_size(p) >= n);
		free(p);
	}
}

static void huge_request_is_enomem(void)
{
	errno = 0;
	CHECK(malloc(huge >> 2) == NULL);
	CHECK(errno == ENOMEM);
}

/* glibc's own malloc, called by name, gives memory the shim never saw. */
extern void *__libc_malloc(size_t size);

static void foreign_pointers_are_survived(void)
{
	char *f = __libc_malloc(64), *g = __libc_malloc(64), *r;

	CHECK(f != NULL && g != NULL);
	strcpy(f, "made by glibc");
	CHECK(malloc_usable_size(f) == 0);
	r = realloc(f, 200);
	CHECK(r != NULL && strcmp(r, "made by glibc") == 0);
	CHECK(malloc_usable_size(r) >= 200);
	free(r);
	free(g);
	free(f);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	int all = strcmp(mode, "all") == 0;

	if (all || strcmp(mode, "basics") == 0) {
		zero_size_gives_unique_pointers();
		calloc_overflow_is_enomem();
		calloc_is_zeroed();
		alignment_is_honoured();
		realloc_growth_keeps_data();
		usable_size_covers_request();
		huge_request_is_enomem();
	}
	if (all || strcmp(mode, "foreign") == 0)
		foreign_pointers_are_survived();
	if (failures == 0)
		printf("ok\n");
	return failures != 0;
}
