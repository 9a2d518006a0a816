/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file aml.h
 * libaml: NUMA-placed memory through areas. An area is a place memory comes
 * from; aml_area_mmap() and aml_area_munmap() work over its aml_area_ops.
 */
#ifndef AML_H
#define AML_H

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>
#include <pthread.h>
#include <numa.h>
#include <numaif.h>

#include "aml/utils/bitmap.h"
#include "aml/utils/error.h"
#include "aml/utils/features.h"
#include "aml/utils/inner-malloc.h"
#include "aml/utils/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Initialise the library's global state (hwloc topology where built in).
 * Both arguments are unused and may be NULL. Idempotent; callable again
 * after aml_finalize(). Returns 0 or a negative AML error code.
 */
int aml_init(int *argc, char **argv[]);

/** Release what aml_init() created. Idempotent; returns 0. */
int aml_finalize(void);

/**
 * @defgroup aml_area Areas
 * @{
 */

/** Implementation-specific data of an area (opaque). */
struct aml_area_data;
/** Implementation-specific mmap options (opaque). */
struct aml_area_mmap_options;

/** The operations an area implements. Unset hooks may be NULL. */
struct aml_area_ops {
	/** Map `size` (> 0) bytes; `opts` may be NULL. NULL + aml_errno on
	 * error. */
	void *(*mmap)(const struct aml_area_data *data, size_t size,
		      struct aml_area_mmap_options *opts);
	/** Unmap; returns 0 or a negative AML error code. */
	int (*munmap)(const struct aml_area_data *data, void *ptr, size_t size);
	/** Describe the area, each line starting with "<prefix>: ". */
	int (*fprintf)(const struct aml_area_data *data, FILE *stream,
		       const char *prefix);
};

/** An area: an operation table and its data. */
struct aml_area {
	struct aml_area_ops *ops;
	struct aml_area_data *data;
};

/**
 * Map `size` bytes from `area`. Returns NULL and sets aml_errno on error
 * (AML_EINVAL for size 0, a NULL area or NULL ops; AML_ENOTSUP without a
 * mmap hook). Every successful mapping is recorded so that
 * aml_area_munmap_ptr() can later release it.
 */
void *aml_area_mmap(const struct aml_area *area, size_t size,
		    struct aml_area_mmap_options *opts);

/**
 * Unmap `ptr` of `size` bytes from `area`. NULL ptr or size 0 is a no-op
 * success. Returns 0 or a negative AML error code (also stored in aml_errno).
 */
int aml_area_munmap(const struct aml_area *area, void *ptr, size_t size);

/**
 * Unmap `ptr` through the area that mapped it (seed form
 * aml_area_munmap(ptr, size)). Unknown pointers give -AML_EINVAL.
 */
int aml_area_munmap_ptr(void *ptr, size_t size);

/** aml_area_mmap() without options (seed form aml_area_mmap(area, size)). */
void *aml_area_mmap_noopts(const struct aml_area *area, size_t size);

/**
 * Describe `area` on `stream`. -AML_EINVAL for NULL stream/area/ops,
 * -AML_ENOTSUP if the area has no fprintf hook.
 */
int aml_area_fprintf(FILE *stream, const char *prefix,
		     const struct aml_area *area);

/** @} */

/*
 * Seed call forms (original AML documentation): aml_area_mmap(area, size)
 * and aml_area_munmap(ptr, size) dispatch on their argument count. Define
 * AML_NO_SEED_COMPAT before including this header to turn the macros off.
 */
#if !defined(AML_NO_SEED_COMPAT) && \
	(!defined(__cplusplus) || __cplusplus >= 201103L)
#define AML_PP_NARG_(_1, _2, _3, _4, _5, _6, N, ...) N
#define AML_PP_NARG(...) AML_PP_NARG_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define AML_PP_CAT_(a, b) a##b
#define AML_PP_CAT(a, b) AML_PP_CAT_(a, b)
#define AML_PP_DISPATCH(p, ...) \
	AML_PP_CAT(p, AML_PP_NARG(__VA_ARGS__))(__VA_ARGS__)

#define aml_area_mmap(...) AML_PP_DISPATCH(AML_AREA_MMAP_, __VA_ARGS__)
#define AML_AREA_MMAP_2(a, s) (aml_area_mmap)(a, s, NULL)
#define AML_AREA_MMAP_3(a, s, o) (aml_area_mmap)(a, s, o)
#define aml_area_munmap(...) AML_PP_DISPATCH(AML_AREA_MUNMAP_, __VA_ARGS__)
#define AML_AREA_MUNMAP_2(p, s) aml_area_munmap_ptr(p, s)
#define AML_AREA_MUNMAP_3(a, p, s) (aml_area_munmap)(a, p, s)
#endif

#ifdef __cplusplus
}
#endif
#endif /* AML_H */
