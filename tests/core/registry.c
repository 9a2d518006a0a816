/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The seed call forms aml_area_mmap(area, size) and aml_area_munmap(ptr,
 * size), and the registry of live mappings behind the second (contract
 * §4.3, §4.4). The dummy area's pointers are counters, never memory: the
 * registry must never dereference them.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "aml.h"
#include "dummy_area.h"
#include "internal.h"

Test(seed_forms, two_argument_mmap_passes_no_options)
{
	struct dummy_area dummy;

	dummy_area_init(&dummy);
	dummy.data.last_opts = (struct aml_area_mmap_options *)&dummy;
	cr_assert_not_null(aml_area_mmap(&dummy.area, 4096));
	cr_assert_null(dummy.data.last_opts);
}

Test(seed_forms, two_argument_munmap_calls_the_mapping_areas_hook)
{
	struct dummy_area a, b;
	void *pa, *pb;

	dummy_area_init(&a);
	dummy_area_init(&b);
	pa = aml_area_mmap(&a.area, 100);
	pb = aml_area_mmap(&b.area, 200);
	cr_assert_not_null(pa);
	cr_assert_not_null(pb);

	cr_assert_eq(aml_area_munmap(pb, 200), AML_SUCCESS);
	cr_assert_eq(b.data.munmap_calls, 1);
	cr_assert_eq(b.data.last_ptr, pb);
	cr_assert_eq(a.data.munmap_calls, 0, "the other area was called");

	cr_assert_eq(aml_area_munmap(pa, 100), AML_SUCCESS);
	cr_assert_eq(a.data.munmap_calls, 1);
	cr_assert_eq(a.data.last_ptr, pa);
}

Test(seed_forms, two_argument_munmap_passes_the_callers_size)
{
	struct dummy_area dummy;
	void *p;

	dummy_area_init(&dummy);
	p = aml_area_mmap(&dummy.area, 4096);
	cr_assert_not_null(p);
	cr_assert_eq(aml_area_munmap(p, 1000), AML_SUCCESS);
	cr_assert_eq(dummy.data.last_size, 1000);
}

Test(seed_forms, unknown_pointer_is_einval_without_calling_any_hook)
{
	struct dummy_area dummy;

	dummy_area_init(&dummy);
	cr_assert_not_null(aml_area_mmap(&dummy.area, 64));
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap((void *)0xdead0000, 64), -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
	cr_assert_eq(dummy.data.munmap_calls, 0);
}

Test(seed_forms, unknown_pointer_on_an_empty_registry_is_einval)
{
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap((void *)0xdead0000, 64), -AML_EINVAL);
	cr_assert_eq(aml_errno, AML_EINVAL);
}

Test(seed_forms, null_pointer_or_size_zero_succeeds)
{
	struct dummy_area dummy;
	void *p;

	dummy_area_init(&dummy);
	p = aml_area_mmap(&dummy.area, 64);
	aml_errno = AML_SUCCESS;
	cr_assert_eq(aml_area_munmap(NULL, 64), AML_SUCCESS);
	cr_assert_eq(aml_area_munmap(p, 0), AML_SUCCESS);
	cr_assert_eq(aml_area_munmap((void *)0xdead0000, 0), AML_SUCCESS);
	cr_assert_eq(aml_errno, AML_SUCCESS);
	cr_assert_eq(dummy.data.munmap_calls, 0);
	cr_assert_eq(aml_area_munmap(p, 64), AML_SUCCESS,
		     "size 0 must not have dropped the entry");
}

Test(seed_forms, a_pointer_is_forgotten_once_unmapped)
{
	struct dummy_area dummy;
	void *p;

	dummy_area_init(&dummy);
	p = aml_area_mmap(&dummy.area, 64);
	cr_assert_eq(aml_area_munmap(p, 64), AML_SUCCESS);
	cr_assert_eq(aml_area_munmap(p, 64), -AML_EINVAL);
	cr_assert_eq(dummy.data.munmap_calls, 1);
}

Test(seed_forms, three_argument_munmap_also_forgets_the_pointer)
{
	struct dummy_area dummy;
	void *p;

	dummy_area_init(&dummy);
	p = aml_area_mmap(&dummy.area, 64, NULL);
	cr_assert_eq(aml_area_munmap(&dummy.area, p, 64), AML_SUCCESS);
	cr_assert_eq(aml_area_munmap(p, 64), -AML_EINVAL);
}

Test(seed_forms, failed_hook_keeps_the_pointer_registered)
{
	struct dummy_area dummy;
	struct aml_area_ops failing;
	void *p;

	dummy_area_init(&dummy);
	p = aml_area_mmap(&dummy.area, 64);
	failing = dummy.ops;
	failing.munmap = NULL;
	dummy.area.ops = &failing;
	cr_assert_eq(aml_area_munmap(p, 64), -AML_ENOTSUP);
	dummy.area.ops = &dummy.ops;
	cr_assert_eq(aml_area_munmap(p, 64), AML_SUCCESS);
}

Test(seed_forms, names_without_arguments_are_the_three_argument_functions)
{
	void *(*mmap_fn)(const struct aml_area *, size_t,
			 struct aml_area_mmap_options *) = &aml_area_mmap;
	int (*munmap_fn)(const struct aml_area *, void *, size_t);
	struct dummy_area dummy;
	void *p;

	munmap_fn = aml_area_munmap;
	dummy_area_init(&dummy);
	p = mmap_fn(&dummy.area, 64, NULL);
	cr_assert_not_null(p);
	cr_assert_eq(munmap_fn(&dummy.area, p, 64), AML_SUCCESS);
	cr_assert_eq(dummy.data.last_ptr, p);
}

/* A re-declaration written after the macros still declares the function. */
void *aml_area_mmap(const struct aml_area *area, size_t size,
		    struct aml_area_mmap_options *opts);
int aml_area_munmap(const struct aml_area *area, void *ptr, size_t size);

Test(seed_forms, parenthesised_names_bypass_the_macros)
{
	struct dummy_area dummy;
	void *p;

	dummy_area_init(&dummy);
	p = (aml_area_mmap)(&dummy.area, 64, NULL);
	cr_assert_not_null(p);
	cr_assert_eq((aml_area_munmap)(&dummy.area, p, 64), AML_SUCCESS);
	cr_assert_eq(dummy.data.munmap_calls, 1);
}

static int area_calls;
static int size_calls;

static const struct aml_area *next_area(const struct aml_area *area)
{
	area_calls++;
	return area;
}

static size_t next_size(size_t size)
{
	size_calls++;
	return size;
}

Test(seed_forms, each_argument_is_evaluated_once)
{
	struct dummy_area dummy;
	void *p;

	dummy_area_init(&dummy);
	p = aml_area_mmap(next_area(&dummy.area), next_size(64));
	cr_assert_eq(area_calls, 1);
	cr_assert_eq(size_calls, 1);
	cr_assert_eq(aml_area_munmap(p, next_size(64)), AML_SUCCESS);
	cr_assert_eq(size_calls, 2);
	p = aml_area_mmap(next_area(&dummy.area), next_size(64), NULL);
	cr_assert_eq(aml_area_munmap(next_area(&dummy.area), p, next_size(64)),
		     AML_SUCCESS);
	cr_assert_eq(area_calls, 3);
	cr_assert_eq(size_calls, 4);
}

Test(seed_forms, mappings_outlive_init_and_finalize)
{
	struct dummy_area dummy;
	void *before_init, *during;

	dummy_area_init(&dummy);
	before_init = aml_area_mmap(&dummy.area, 64);
	cr_assert_eq(aml_init(NULL, NULL), AML_SUCCESS);
	during = aml_area_mmap(&dummy.area, 64);
	cr_assert_eq(aml_finalize(), AML_SUCCESS);
	cr_assert_eq(aml_area_munmap(before_init, 64), AML_SUCCESS);
	cr_assert_eq(aml_area_munmap(during, 64), AML_SUCCESS);
	cr_assert_eq(dummy.data.munmap_calls, 2);
}

/* ---------------------------------------------------------------------- */
/* The registry                                                           */
/* ---------------------------------------------------------------------- */

Test(registry, a_duplicate_pointer_replaces_the_old_entry)
{
	struct dummy_area first, second;
	size_t before = aml_registry_count();

	dummy_area_init_fixed(&first, (void *)0x7000);
	dummy_area_init_fixed(&second, (void *)0x7000);
	cr_assert_eq(aml_area_mmap(&first.area, 64), (void *)0x7000);
	cr_assert_eq(aml_area_mmap(&second.area, 128), (void *)0x7000);
	cr_assert_eq(aml_registry_count(), before + 1);

	cr_assert_eq(aml_area_munmap((void *)0x7000, 128), AML_SUCCESS);
	cr_assert_eq(second.data.munmap_calls, 1);
	cr_assert_eq(first.data.munmap_calls, 0);
	cr_assert_eq(aml_registry_count(), before);
}

#define MANY 10000

Test(registry, grows_to_ten_thousand_live_entries_and_frees_them_all)
{
	static void *ptrs[MANY];
	struct dummy_area dummy;
	size_t before = aml_registry_count();

	dummy_area_init(&dummy);
	for (size_t i = 0; i < MANY; i++) {
		ptrs[i] = aml_area_mmap(&dummy.area, i + 1);
		cr_assert_not_null(ptrs[i], "mapping %zu", i);
	}
	cr_assert_eq(aml_registry_count(), before + MANY);

	/* Free in an order unrelated to insertion. */
	for (size_t k = 0; k < MANY; k++) {
		size_t i = (k * 7919) % MANY;

		cr_assert_eq(aml_area_munmap(ptrs[i], i + 1), AML_SUCCESS,
			     "unmapping %zu", i);
		cr_assert_eq(dummy.data.last_ptr, ptrs[i]);
		cr_assert_eq(dummy.data.last_size, i + 1);
	}
	cr_assert_eq(dummy.data.munmap_calls, MANY);
	cr_assert_eq(aml_registry_count(), before);
}

Test(registry, lookup_finds_the_area_and_size_of_every_live_entry)
{
	struct dummy_area a, b;
	const struct aml_area *area;
	size_t size;
	void *p[64];

	dummy_area_init(&a);
	dummy_area_init(&b);
	for (size_t i = 0; i < 64; i++)
		p[i] = aml_area_mmap(i % 2 ? &b.area : &a.area, 10 + i);
	for (size_t i = 0; i < 64; i++) {
		cr_assert_eq(aml_registry_lookup(p[i], &area, &size), 0);
		cr_assert_eq(area, i % 2 ? &b.area : &a.area);
		cr_assert_eq(size, 10 + i);
	}
}

#define THREADS 8
#define PER_THREAD 2000
#define LIVE 64

struct worker {
	struct dummy_area *dummy;
	size_t bytes; /* total size passed to munmap */
	int failures; /* calls that did not return what they should */
};

/* Keep LIVE mappings in flight, replacing them one by one. */
static void *registry_worker(void *arg)
{
	struct worker *w = arg;
	void *live[LIVE] = {NULL};
	size_t sizes[LIVE] = {0};

	for (size_t i = 0; i < PER_THREAD + LIVE; i++) {
		size_t slot = i % LIVE;

		if (live[slot] != NULL) {
			if (aml_area_munmap(live[slot], sizes[slot]) != 0)
				w->failures++;
			w->bytes += sizes[slot];
			live[slot] = NULL;
		}
		if (i >= PER_THREAD)
			continue;
		sizes[slot] = i + 1;
		live[slot] = aml_area_mmap(&w->dummy->area, sizes[slot]);
		if (live[slot] == NULL)
			w->failures++;
	}
	return NULL;
}

Test(registry, concurrent_mmap_and_munmap_lose_no_entry)
{
	struct dummy_area dummy;
	struct worker workers[THREADS];
	pthread_t threads[THREADS];
	size_t before = aml_registry_count();
	size_t bytes = 0;

	dummy_area_init(&dummy);
	for (int t = 0; t < THREADS; t++) {
		workers[t] = (struct worker){.dummy = &dummy};
		cr_assert_eq(pthread_create(&threads[t], NULL, registry_worker,
					    &workers[t]),
			     0);
	}
	for (int t = 0; t < THREADS; t++) {
		cr_assert_eq(pthread_join(threads[t], NULL), 0);
		cr_assert_eq(workers[t].failures, 0, "thread %d", t);
		bytes += workers[t].bytes;
	}
	cr_assert_eq(dummy.data.mmap_calls, THREADS * PER_THREAD);
	cr_assert_eq(dummy.data.munmap_calls, THREADS * PER_THREAD);
	cr_assert_eq(dummy.data.munmap_bytes, bytes,
		     "every munmap got its caller's size");
	cr_assert_eq(aml_registry_count(), before);
}
