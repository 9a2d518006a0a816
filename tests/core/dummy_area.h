/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A user-defined area in the style of upstream's allocator tests: mmap
 * returns a running counter cast to a pointer (never real memory), munmap
 * always succeeds, and there is no fprintf hook. Every call is counted so
 * that tests can tell which area's hooks ran.
 */
#ifndef AML_TESTS_DUMMY_AREA_H
#define AML_TESTS_DUMMY_AREA_H

#include <stdatomic.h>
#include <stddef.h>

#include "aml.h"

struct dummy_area_data {
	void *fixed; /* when set, every mmap returns this */
	atomic_size_t mmap_calls;
	atomic_size_t munmap_calls;
	atomic_size_t munmap_bytes; /* sum of the sizes munmap was given */
	/* The last munmap call (meaningful in single-threaded tests). */
	void *last_ptr;
	size_t last_size;
	/* The options the last mmap call received. */
	struct aml_area_mmap_options *last_opts;
};

struct dummy_area {
	struct aml_area area;
	struct aml_area_ops ops;
	struct dummy_area_data data;
};

/* A dummy area handing out fresh fake pointers (never NULL, never reused). */
void dummy_area_init(struct dummy_area *dummy);
/* A dummy area whose every mmap returns `fixed`. */
void dummy_area_init_fixed(struct dummy_area *dummy, void *fixed);

#endif /* AML_TESTS_DUMMY_AREA_H */
