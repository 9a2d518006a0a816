/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file macros.h
 * Preprocessor helpers behind <aml/utils/inner-malloc.h>.
 *
 * The AML_PP_IM_ helpers compute the layout of an imaginary struct whose
 * members have the given types, in declaration order, with the arithmetic a
 * C compiler uses: each member starts at the next multiple of its alignment
 * and the struct size is rounded up to the largest alignment. No type is
 * ever defined inside sizeof or offsetof, so the results are integer
 * constant expressions valid in C99, C11 and C++11 under -pedantic.
 * Up to 16 types.
 */
#ifndef AML_UTILS_MACROS_H
#define AML_UTILS_MACROS_H

#include <stddef.h>

/*
 * Alignment of a type. (On i386 GCC's __alignof__(double) is 8 where a
 * struct member gets 4: the layout is then more padded than the real
 * struct, but still self-consistent.)
 */
#if defined(__GNUC__)
#define AML_PP_IM_ALIGNOF(T) __alignof__(T)
#elif defined(__cplusplus) && __cplusplus >= 201103L
#define AML_PP_IM_ALIGNOF(T) alignof(T)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define AML_PP_IM_ALIGNOF(T) _Alignof(T)
#else
#define AML_PP_IM_ALIGNOF(T)              \
	offsetof(                         \
		struct {                  \
			char aml_pp_im_c; \
			T aml_pp_im_t;    \
		},                        \
		aml_pp_im_t)
#endif

#define AML_PP_IM_CAT(a, b) AML_PP_IM_CAT_(a, b)
#define AML_PP_IM_CAT_(a, b) a##b

/* Number of arguments, 1 to 16. */
#define AML_PP_IM_NARG(...)                                                  \
	AML_PP_IM_ARG_N(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, \
			5, 4, 3, 2, 1, 0)
#define AML_PP_IM_ARG_N(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, \
			_13, _14, _15, _16, N, ...)                        \
	N

/*
 * Offsets. x is expanded once everywhere, so nesting stays linear.
 * ALIGN_UP(x, T): the first offset >= x where a T may start.
 * PLACE(x, T): the offset just past a T placed at or after x.
 */
#define AML_PP_IM_ALIGN_UP(x, T)                      \
	(((size_t)(x) + (AML_PP_IM_ALIGNOF(T) - 1)) & \
	 ~((size_t)AML_PP_IM_ALIGNOF(T) - 1))
#define AML_PP_IM_PLACE(x, T) (AML_PP_IM_ALIGN_UP(x, T) + sizeof(T))

/*
 * Each family walks the type list one type per level; callers append one
 * extra argument (~) so that `...` is never empty.
 * START_k(x, T1, ..., Tk, ...): where member k starts, members from x on.
 * END_k(x, T1, ..., Tk, ...): the offset just past member k.
 * ROUND_k(x, T1, ..., Tk, ...): x rounded up to every alignment in turn,
 * that is to the largest one (alignments are powers of two).
 */
#define AML_PP_IM_START_1(x, T, ...) AML_PP_IM_ALIGN_UP(x, T)
#define AML_PP_IM_START_2(x, T, ...) \
	AML_PP_IM_START_1(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_3(x, T, ...) \
	AML_PP_IM_START_2(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_4(x, T, ...) \
	AML_PP_IM_START_3(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_5(x, T, ...) \
	AML_PP_IM_START_4(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_6(x, T, ...) \
	AML_PP_IM_START_5(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_7(x, T, ...) \
	AML_PP_IM_START_6(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_8(x, T, ...) \
	AML_PP_IM_START_7(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_9(x, T, ...) \
	AML_PP_IM_START_8(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_10(x, T, ...) \
	AML_PP_IM_START_9(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_11(x, T, ...) \
	AML_PP_IM_START_10(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_12(x, T, ...) \
	AML_PP_IM_START_11(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_13(x, T, ...) \
	AML_PP_IM_START_12(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_14(x, T, ...) \
	AML_PP_IM_START_13(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_15(x, T, ...) \
	AML_PP_IM_START_14(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_START_16(x, T, ...) \
	AML_PP_IM_START_15(AML_PP_IM_PLACE(x, T), __VA_ARGS__)

#define AML_PP_IM_END_1(x, T, ...) AML_PP_IM_PLACE(x, T)
#define AML_PP_IM_END_2(x, T, ...) \
	AML_PP_IM_END_1(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_3(x, T, ...) \
	AML_PP_IM_END_2(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_4(x, T, ...) \
	AML_PP_IM_END_3(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_5(x, T, ...) \
	AML_PP_IM_END_4(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_6(x, T, ...) \
	AML_PP_IM_END_5(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_7(x, T, ...) \
	AML_PP_IM_END_6(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_8(x, T, ...) \
	AML_PP_IM_END_7(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_9(x, T, ...) \
	AML_PP_IM_END_8(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_10(x, T, ...) \
	AML_PP_IM_END_9(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_11(x, T, ...) \
	AML_PP_IM_END_10(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_12(x, T, ...) \
	AML_PP_IM_END_11(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_13(x, T, ...) \
	AML_PP_IM_END_12(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_14(x, T, ...) \
	AML_PP_IM_END_13(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_15(x, T, ...) \
	AML_PP_IM_END_14(AML_PP_IM_PLACE(x, T), __VA_ARGS__)
#define AML_PP_IM_END_16(x, T, ...) \
	AML_PP_IM_END_15(AML_PP_IM_PLACE(x, T), __VA_ARGS__)

#define AML_PP_IM_ROUND_1(x, T, ...) AML_PP_IM_ALIGN_UP(x, T)
#define AML_PP_IM_ROUND_2(x, T, ...) \
	AML_PP_IM_ROUND_1(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_3(x, T, ...) \
	AML_PP_IM_ROUND_2(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_4(x, T, ...) \
	AML_PP_IM_ROUND_3(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_5(x, T, ...) \
	AML_PP_IM_ROUND_4(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_6(x, T, ...) \
	AML_PP_IM_ROUND_5(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_7(x, T, ...) \
	AML_PP_IM_ROUND_6(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_8(x, T, ...) \
	AML_PP_IM_ROUND_7(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_9(x, T, ...) \
	AML_PP_IM_ROUND_8(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_10(x, T, ...) \
	AML_PP_IM_ROUND_9(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_11(x, T, ...) \
	AML_PP_IM_ROUND_10(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_12(x, T, ...) \
	AML_PP_IM_ROUND_11(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_13(x, T, ...) \
	AML_PP_IM_ROUND_12(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_14(x, T, ...) \
	AML_PP_IM_ROUND_13(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_15(x, T, ...) \
	AML_PP_IM_ROUND_14(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)
#define AML_PP_IM_ROUND_16(x, T, ...) \
	AML_PP_IM_ROUND_15(AML_PP_IM_ALIGN_UP(x, T), __VA_ARGS__)

/* offsetof member N (a literal) of the struct of the types given. */
#define AML_PP_IM_OFFSETOF(N, ...) \
	AML_PP_IM_CAT(AML_PP_IM_START_, N)(0, __VA_ARGS__, ~)

/* x rounded up to the largest alignment of the types given. */
#define AML_PP_IM_MAXALIGN_UP(x, ...)                                \
	AML_PP_IM_CAT(AML_PP_IM_ROUND_, AML_PP_IM_NARG(__VA_ARGS__)) \
	(x, __VA_ARGS__, ~)

/* sizeof the struct of the types given. */
#define AML_PP_IM_SIZEOF(...)                                                  \
	AML_PP_IM_MAXALIGN_UP(                                                 \
		AML_PP_IM_CAT(AML_PP_IM_END_,                                  \
			      AML_PP_IM_NARG(__VA_ARGS__))(0, __VA_ARGS__, ~), \
		__VA_ARGS__)

#endif /* AML_UTILS_MACROS_H */
