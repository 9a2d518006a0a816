/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test hook of the fake Level Zero driver (ze_fake.c, tests only): what is
 * alive in it. Tests reach it with dlopen(path, RTLD_NOLOAD) and
 * dlsym("ze_fake_counts") once the loader has loaded the driver.
 */
#ifndef AML_TESTS_ZE_FAKE_H
#define AML_TESTS_ZE_FAKE_H

#include <stdint.h>

struct ze_fake_counts {
	/* Alive now. */
	uint64_t contexts;
	uint64_t allocations;
	uint64_t command_lists;
	/* Allocations freed by zeContextDestroy instead of zeMemFree. */
	uint64_t freed_by_context_destroy;
};

typedef void (*ze_fake_counts_fn)(struct ze_fake_counts *out);

#endif /* AML_TESTS_ZE_FAKE_H */
