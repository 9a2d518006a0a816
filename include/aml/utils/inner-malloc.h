/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file inner-malloc.h
 * One allocation holding several objects, each aligned as a struct member.
 *
 * AML_INNER_MALLOC(T1, ..., Tn) allocates (zeroed) the storage of an
 * imaginary `struct { T1 f1; ...; Tn fn; }`, and
 * AML_INNER_MALLOC_GET_FIELD(ptr, N, T1, ..., Tn) is the address of member N
 * (1-based, a literal number) inside it. The _ARRAY and _EXTRA forms append
 * an aligned array of `n` elements of `type` after the members, then `size`
 * extra bytes. The types must be repeated, identically, at every use:
 *
 *     struct aml_area *area = AML_INNER_MALLOC(struct aml_area,
 *                                              struct my_data);
 *     struct my_data *data = AML_INNER_MALLOC_GET_FIELD(area, 2,
 *                                   struct aml_area, struct my_data);
 *
 * Up to 16 types (15 with an array). Free with free(). Valid C99 and C++11.
 */
#ifndef AML_UTILS_INNER_MALLOC_H
#define AML_UTILS_INNER_MALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "aml/utils/macros.h"

#ifdef __cplusplus
extern "C" {
#endif

/** sizeof(struct { T1 f1; ...; Tn fn; }) for the types given. */
#define AML_SIZEOF_ALIGNED(...) AML_PP_IM_SIZEOF(__VA_ARGS__)

/** offsetof(struct { T1 f1; ...; Tn fn; }, fN), N a literal 1..n. */
#define AML_OFFSETOF_ALIGNED(N, ...) AML_PP_IM_OFFSETOF(N, __VA_ARGS__)

/** Offset of the array of `type` that follows the members T1..Tn. */
#define AML_PP_IM_ARRAY_OFFSET(type, ...) \
	AML_PP_IM_OFFSETOF(AML_PP_IM_NARG(__VA_ARGS__, type), __VA_ARGS__, type)

/**
 * Size of the members T1..Tn followed by an aligned array of `n` elements of
 * `type`, rounded up to the largest alignment (where extra bytes start).
 */
#define AML_SIZEOF_ALIGNED_ARRAY(n, type, ...)                            \
	AML_PP_IM_MAXALIGN_UP(AML_PP_IM_ARRAY_OFFSET(type, __VA_ARGS__) + \
				      (size_t)(n) * sizeof(type),         \
			      __VA_ARGS__, type)

/** calloc() the members T1..Tn; NULL on failure. */
#define AML_INNER_MALLOC(...) calloc(1, AML_SIZEOF_ALIGNED(__VA_ARGS__))

/** calloc() the members T1..Tn and an array of `n` `type`. */
#define AML_INNER_MALLOC_ARRAY(n, type, ...) \
	calloc(1, AML_SIZEOF_ALIGNED_ARRAY(n, type, __VA_ARGS__))

/** calloc() the members, an array of `n` `type` and `size` more bytes. */
#define AML_INNER_MALLOC_EXTRA(n, type, size, ...) \
	calloc(1, AML_SIZEOF_ALIGNED_ARRAY(n, type, __VA_ARGS__) + (size))

/** (void *) address of member N (a literal 1..n) of an inner allocation. */
#define AML_INNER_MALLOC_GET_FIELD(ptr, N, ...) \
	((void *)((char *)(ptr) + AML_OFFSETOF_ALIGNED(N, __VA_ARGS__)))

/** (void *) address of the array of an _ARRAY or _EXTRA allocation. */
#define AML_INNER_MALLOC_GET_ARRAY(ptr, type, ...) \
	((void *)((char *)(ptr) + AML_PP_IM_ARRAY_OFFSET(type, __VA_ARGS__)))

/** (void *) address of the extra bytes of an _EXTRA allocation. */
#define AML_INNER_MALLOC_GET_EXTRA(ptr, n, type, ...) \
	((void *)((char *)(ptr) +                     \
		  AML_SIZEOF_ALIGNED_ARRAY(n, type, __VA_ARGS__)))

#ifdef __cplusplus
}
#endif
#endif /* AML_UTILS_INNER_MALLOC_H */
