/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file macros.h
 * Preprocessor helpers behind <aml/utils/inner-malloc.h>.
 *
 * The AML_PP_IM_ helpers compute the layout of an imaginary struct whose
 * members have the given types, in declaration order, with the same
 * arithmetic a C compiler uses: each member starts at the next multiple of
 * its alignment, and the struct size is rounded up to the largest alignment.
 * No type is ever defined inside sizeof or offsetof, so the macros are valid
 * C99, C11 and C++11 under -pedantic. Up to 16 types.
 */
#ifndef AML_UTILS_MACROS_H
#define AML_UTILS_MACROS_H

#include <stddef.h>

/*
 * Alignment of a type, as an integer constant expression. (On i386 GCC's
 * __alignof__(double) is 8 where a struct member gets 4: the layout is then
 * more padded than the real struct, but still self-consistent.)
 */
#if defined(__GNUC__)
#define AML_PP_IM_ALIGNOF(T) __alignof__(T)
#elif defined(__cplusplus) && __cplusplus >= 201103L
#define AML_PP_IM_ALIGNOF(T) alignof(T)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define AML_PP_IM_ALIGNOF(T) _Alignof(T)
#else
#define AML_PP_IM_ALIGNOF(T) \
	offsetof(struct { char aml_pp_im_c; T aml_pp_im_t; }, aml_pp_im_t)
#endif

#define AML_PP_IM_CAT(a, b) AML_PP_IM_CAT_(a, b)
#define AML_PP_IM_CAT_(a, b) a##b

/* Round x up to a multiple of the power of two a (x is expanded once). */
#define AML_PP_IM_ROUND_UP(x, a) \
	(((size_t)(x) + ((size_t)(a) - 1)) & ~((size_t)(a) - 1))
#define AML_PP_IM_ALIGN_UP(x, T) AML_PP_IM_ROUND_UP(x, AML_PP_IM_ALIGNOF(T))

/* Number of arguments, 1 to 16. */
#define AML_PP_IM_NARG(...) \
	AML_PP_IM_ARG_N(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define AML_PP_IM_ARG_N(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, N, ...) N

/*
 * AML_PP_IM_OFF_k(T1, ..., Tk, ...): offset of member k.
 * AML_PP_IM_END_k(T1, ..., Tk, ...): offset just past member k.
 * AML_PP_IM_SIZE_k(T1, ..., Tk, ...): size of the struct of k members.
 * Callers pass one extra trailing argument so that `...` is never empty.
 */
#define AML_PP_IM_OFF_1(T1, ...) ((size_t)0)
#define AML_PP_IM_END_1(T1, ...) \
	(AML_PP_IM_OFF_1(T1, ~) + sizeof(T1))
#define AML_PP_IM_OFF_2(T1, T2, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_1(T1, ~), T2)
#define AML_PP_IM_END_2(T1, T2, ...) \
	(AML_PP_IM_OFF_2(T1, T2, ~) + sizeof(T2))
#define AML_PP_IM_OFF_3(T1, T2, T3, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_2(T1, T2, ~), T3)
#define AML_PP_IM_END_3(T1, T2, T3, ...) \
	(AML_PP_IM_OFF_3(T1, T2, T3, ~) + sizeof(T3))
#define AML_PP_IM_OFF_4(T1, T2, T3, T4, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_3(T1, T2, T3, ~), T4)
#define AML_PP_IM_END_4(T1, T2, T3, T4, ...) \
	(AML_PP_IM_OFF_4(T1, T2, T3, T4, ~) + sizeof(T4))
#define AML_PP_IM_OFF_5(T1, T2, T3, T4, T5, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_4(T1, T2, T3, T4, ~), T5)
#define AML_PP_IM_END_5(T1, T2, T3, T4, T5, ...) \
	(AML_PP_IM_OFF_5(T1, T2, T3, T4, T5, ~) + sizeof(T5))
#define AML_PP_IM_OFF_6(T1, T2, T3, T4, T5, T6, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_5(T1, T2, T3, T4, T5, ~), T6)
#define AML_PP_IM_END_6(T1, T2, T3, T4, T5, T6, ...) \
	(AML_PP_IM_OFF_6(T1, T2, T3, T4, T5, T6, ~) + sizeof(T6))
#define AML_PP_IM_OFF_7(T1, T2, T3, T4, T5, T6, T7, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_6(T1, T2, T3, T4, T5, T6, ~), T7)
#define AML_PP_IM_END_7(T1, T2, T3, T4, T5, T6, T7, ...) \
	(AML_PP_IM_OFF_7(T1, T2, T3, T4, T5, T6, T7, ~) + sizeof(T7))
#define AML_PP_IM_OFF_8(T1, T2, T3, T4, T5, T6, T7, T8, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_7(T1, T2, T3, T4, T5, T6, T7, ~), T8)
#define AML_PP_IM_END_8(T1, T2, T3, T4, T5, T6, T7, T8, ...) \
	(AML_PP_IM_OFF_8(T1, T2, T3, T4, T5, T6, T7, T8, ~) + sizeof(T8))
#define AML_PP_IM_OFF_9(T1, T2, T3, T4, T5, T6, T7, T8, T9, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_8(T1, T2, T3, T4, T5, T6, T7, T8, ~), T9)
#define AML_PP_IM_END_9(T1, T2, T3, T4, T5, T6, T7, T8, T9, ...) \
	(AML_PP_IM_OFF_9(T1, T2, T3, T4, T5, T6, T7, T8, T9, ~) + sizeof(T9))
#define AML_PP_IM_OFF_10(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_9(T1, T2, T3, T4, T5, T6, T7, T8, T9, ~), T10)
#define AML_PP_IM_END_10(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, ...) \
	(AML_PP_IM_OFF_10(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, ~) + sizeof(T10))
#define AML_PP_IM_OFF_11(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_10(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, ~), T11)
#define AML_PP_IM_END_11(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, ...) \
	(AML_PP_IM_OFF_11(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, ~) + sizeof(T11))
#define AML_PP_IM_OFF_12(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_11(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, ~), T12)
#define AML_PP_IM_END_12(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, ...) \
	(AML_PP_IM_OFF_12(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, ~) + sizeof(T12))
#define AML_PP_IM_OFF_13(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_12(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, ~), T13)
#define AML_PP_IM_END_13(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, ...) \
	(AML_PP_IM_OFF_13(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, ~) + sizeof(T13))
#define AML_PP_IM_OFF_14(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_13(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, ~), T14)
#define AML_PP_IM_END_14(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, ...) \
	(AML_PP_IM_OFF_14(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, ~) + sizeof(T14))
#define AML_PP_IM_OFF_15(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_14(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, ~), T15)
#define AML_PP_IM_END_15(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, ...) \
	(AML_PP_IM_OFF_15(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, ~) + sizeof(T15))
#define AML_PP_IM_OFF_16(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, ...) \
	AML_PP_IM_ALIGN_UP(AML_PP_IM_END_15(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, ~), T16)
#define AML_PP_IM_END_16(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, ...) \
	(AML_PP_IM_OFF_16(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, ~) + sizeof(T16))

/*
 * Alignments are powers of two, so rounding up to each member's alignment
 * in turn rounds up to the largest one.
 */
#define AML_PP_IM_SIZE_1(T1, ...) sizeof(T1)
#define AML_PP_IM_MAXALIGN_UP_1(x, T1, ...) AML_PP_IM_ALIGN_UP(x, T1)
#define AML_PP_IM_MAXALIGN_UP_2(x, T1, T2, ...) \
	AML_PP_IM_MAXALIGN_UP_1(AML_PP_IM_ALIGN_UP(x, T2), T1, ~)
#define AML_PP_IM_MAXALIGN_UP_3(x, T1, T2, T3, ...) \
	AML_PP_IM_MAXALIGN_UP_2(AML_PP_IM_ALIGN_UP(x, T3), T1, T2, ~)
#define AML_PP_IM_MAXALIGN_UP_4(x, T1, T2, T3, T4, ...) \
	AML_PP_IM_MAXALIGN_UP_3(AML_PP_IM_ALIGN_UP(x, T4), T1, T2, T3, ~)
#define AML_PP_IM_MAXALIGN_UP_5(x, T1, T2, T3, T4, T5, ...) \
	AML_PP_IM_MAXALIGN_UP_4(AML_PP_IM_ALIGN_UP(x, T5), T1, T2, T3, T4, ~)
#define AML_PP_IM_MAXALIGN_UP_6(x, T1, T2, T3, T4, T5, T6, ...) \
	AML_PP_IM_MAXALIGN_UP_5(AML_PP_IM_ALIGN_UP(x, T6), T1, T2, T3, T4, T5, ~)
#define AML_PP_IM_MAXALIGN_UP_7(x, T1, T2, T3, T4, T5, T6, T7, ...) \
	AML_PP_IM_MAXALIGN_UP_6(AML_PP_IM_ALIGN_UP(x, T7), T1, T2, T3, T4, T5, T6, ~)
#define AML_PP_IM_MAXALIGN_UP_8(x, T1, T2, T3, T4, T5, T6, T7, T8, ...) \
	AML_PP_IM_MAXALIGN_UP_7(AML_PP_IM_ALIGN_UP(x, T8), T1, T2, T3, T4, T5, T6, T7, ~)
#define AML_PP_IM_MAXALIGN_UP_9(x, T1, T2, T3, T4, T5, T6, T7, T8, T9, ...) \
	AML_PP_IM_MAXALIGN_UP_8(AML_PP_IM_ALIGN_UP(x, T9), T1, T2, T3, T4, T5, T6, T7, T8, ~)
#define AML_PP_IM_MAXALIGN_UP_10(x, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, ...) \
	AML_PP_IM_MAXALIGN_UP_9(AML_PP_IM_ALIGN_UP(x, T10), T1, T2, T3, T4, T5, T6, T7, T8, T9, ~)
#define AML_PP_IM_MAXALIGN_UP_11(x, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, ...) \
	AML_PP_IM_MAXALIGN_UP_10(AML_PP_IM_ALIGN_UP(x, T11), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, ~)
#define AML_PP_IM_MAXALIGN_UP_12(x, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, ...) \
	AML_PP_IM_MAXALIGN_UP_11(AML_PP_IM_ALIGN_UP(x, T12), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, ~)
#define AML_PP_IM_MAXALIGN_UP_13(x, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, ...) \
	AML_PP_IM_MAXALIGN_UP_12(AML_PP_IM_ALIGN_UP(x, T13), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, ~)
#define AML_PP_IM_MAXALIGN_UP_14(x, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, ...) \
	AML_PP_IM_MAXALIGN_UP_13(AML_PP_IM_ALIGN_UP(x, T14), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, ~)
#define AML_PP_IM_MAXALIGN_UP_15(x, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, ...) \
	AML_PP_IM_MAXALIGN_UP_14(AML_PP_IM_ALIGN_UP(x, T15), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, ~)
#define AML_PP_IM_MAXALIGN_UP_16(x, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, ...) \
	AML_PP_IM_MAXALIGN_UP_15(AML_PP_IM_ALIGN_UP(x, T16), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, ~)
#define AML_PP_IM_SIZE_2(T1, T2, ...) \
	AML_PP_IM_MAXALIGN_UP_2(AML_PP_IM_END_2(T1, T2, ~), T1, T2, ~)
#define AML_PP_IM_SIZE_3(T1, T2, T3, ...) \
	AML_PP_IM_MAXALIGN_UP_3(AML_PP_IM_END_3(T1, T2, T3, ~), T1, T2, T3, ~)
#define AML_PP_IM_SIZE_4(T1, T2, T3, T4, ...) \
	AML_PP_IM_MAXALIGN_UP_4(AML_PP_IM_END_4(T1, T2, T3, T4, ~), T1, T2, T3, T4, ~)
#define AML_PP_IM_SIZE_5(T1, T2, T3, T4, T5, ...) \
	AML_PP_IM_MAXALIGN_UP_5(AML_PP_IM_END_5(T1, T2, T3, T4, T5, ~), T1, T2, T3, T4, T5, ~)
#define AML_PP_IM_SIZE_6(T1, T2, T3, T4, T5, T6, ...) \
	AML_PP_IM_MAXALIGN_UP_6(AML_PP_IM_END_6(T1, T2, T3, T4, T5, T6, ~), T1, T2, T3, T4, T5, T6, ~)
#define AML_PP_IM_SIZE_7(T1, T2, T3, T4, T5, T6, T7, ...) \
	AML_PP_IM_MAXALIGN_UP_7(AML_PP_IM_END_7(T1, T2, T3, T4, T5, T6, T7, ~), T1, T2, T3, T4, T5, T6, T7, ~)
#define AML_PP_IM_SIZE_8(T1, T2, T3, T4, T5, T6, T7, T8, ...) \
	AML_PP_IM_MAXALIGN_UP_8(AML_PP_IM_END_8(T1, T2, T3, T4, T5, T6, T7, T8, ~), T1, T2, T3, T4, T5, T6, T7, T8, ~)
#define AML_PP_IM_SIZE_9(T1, T2, T3, T4, T5, T6, T7, T8, T9, ...) \
	AML_PP_IM_MAXALIGN_UP_9(AML_PP_IM_END_9(T1, T2, T3, T4, T5, T6, T7, T8, T9, ~), T1, T2, T3, T4, T5, T6, T7, T8, T9, ~)
#define AML_PP_IM_SIZE_10(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, ...) \
	AML_PP_IM_MAXALIGN_UP_10(AML_PP_IM_END_10(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, ~), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, ~)
#define AML_PP_IM_SIZE_11(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, ...) \
	AML_PP_IM_MAXALIGN_UP_11(AML_PP_IM_END_11(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, ~), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, ~)
#define AML_PP_IM_SIZE_12(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, ...) \
	AML_PP_IM_MAXALIGN_UP_12(AML_PP_IM_END_12(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, ~), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, ~)
#define AML_PP_IM_SIZE_13(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, ...) \
	AML_PP_IM_MAXALIGN_UP_13(AML_PP_IM_END_13(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, ~), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, ~)
#define AML_PP_IM_SIZE_14(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, ...) \
	AML_PP_IM_MAXALIGN_UP_14(AML_PP_IM_END_14(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, ~), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, ~)
#define AML_PP_IM_SIZE_15(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, ...) \
	AML_PP_IM_MAXALIGN_UP_15(AML_PP_IM_END_15(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, ~), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, ~)
#define AML_PP_IM_SIZE_16(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, ...) \
	AML_PP_IM_MAXALIGN_UP_16(AML_PP_IM_END_16(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, ~), T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, ~)

/* Dispatch on the number of types. */
#define AML_PP_IM_OFFSETOF(N, ...) AML_PP_IM_CAT(AML_PP_IM_OFF_, N)(__VA_ARGS__, ~)
#define AML_PP_IM_SIZEOF(...) \
	AML_PP_IM_CAT(AML_PP_IM_SIZE_, AML_PP_IM_NARG(__VA_ARGS__))(__VA_ARGS__, ~)
#define AML_PP_IM_MAXALIGN_UP(x, ...)                                      \
	AML_PP_IM_CAT(AML_PP_IM_MAXALIGN_UP_, AML_PP_IM_NARG(__VA_ARGS__))    \
	(x, __VA_ARGS__, ~)

#endif /* AML_UTILS_MACROS_H */
