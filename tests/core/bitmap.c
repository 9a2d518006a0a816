/* SPDX-License-Identifier: BSD-3-Clause */
/* The bitmap API (upstream test_bitmap, plus the string forms). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "aml.h"

/* Indices upstream probes, with the LP64 word and bit they live in. */
static const struct {
	unsigned int index, word, bit;
} probes[] = {
	{0, 0, 0},   {80, 1, 16},  {127, 1, 63},   {144, 2, 16},
	{192, 3, 0}, {208, 3, 16}, {2047, 31, 63},
};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))

/* Every bit in [i, ii] set and every other clear, checked one by one. */
static void assert_exactly_range_set(const struct aml_bitmap *b, unsigned int i,
				     unsigned int ii)
{
	for (unsigned int k = 0; k < AML_BITMAP_MAX; k++)
		cr_assert_eq(aml_bitmap_isset(b, k), k >= i && k <= ii,
			     "bit %u after range [%u, %u]", k, i, ii);
}

static char *digits_string(const char *ones_at_start)
{
	char *s = malloc(AML_BITMAP_MAX + 3);

	cr_assert_not_null(s);
	s[0] = '[';
	memset(s + 1, '0', AML_BITMAP_MAX);
	memcpy(s + 1, ones_at_start, strlen(ones_at_start));
	s[AML_BITMAP_MAX + 1] = ']';
	s[AML_BITMAP_MAX + 2] = '\0';
	return s;
}

/* ---------------------------------------------------------------------- */

Test(bitmap, layout_is_2048_bits_in_64_bit_words)
{
	cr_assert_eq(AML_BITMAP_MAX, 2048);
	cr_assert_eq(AML_BITMAP_BYTES, 256);
	cr_assert_eq(AML_BITMAP_SIZE, 32);
	cr_assert_eq(AML_BITMAP_NBITS, 64);
	cr_assert_eq(sizeof(struct aml_bitmap), 256);
}

Test(bitmap, create_gives_a_zeroed_bitmap_and_destroy_nulls_it)
{
	struct aml_bitmap *b = NULL;

	cr_assert_eq(aml_bitmap_create(&b), AML_SUCCESS);
	cr_assert_not_null(b);
	cr_assert_eq(aml_bitmap_iszero(b), 1);
	aml_bitmap_destroy(&b);
	cr_assert_null(b);
}

Test(bitmap, create_with_null_is_einval_and_destroy_is_null_safe)
{
	struct aml_bitmap *b = NULL;

	cr_assert_eq(aml_bitmap_create(NULL), -AML_EINVAL);
	aml_bitmap_destroy(NULL);
	aml_bitmap_destroy(&b);
	cr_assert_null(b);
}

Test(bitmap, dup_copies_every_bit)
{
	struct aml_bitmap src, *dst = NULL;

	aml_bitmap_zero(&src);
	aml_bitmap_set(&src, 3);
	aml_bitmap_set(&src, 2047);
	cr_assert_eq(aml_bitmap_dup(&dst, &src), AML_SUCCESS);
	cr_assert_neq(dst, &src);
	cr_assert_eq(aml_bitmap_isequal(dst, &src), 1);
	aml_bitmap_destroy(&dst);
}

Test(bitmap, zero_and_fill_set_every_word)
{
	struct aml_bitmap b;

	cr_assert_eq(aml_bitmap_fill(&b), AML_SUCCESS);
	for (int w = 0; w < AML_BITMAP_SIZE; w++)
		cr_assert_eq(b.mask[w], ~0UL, "word %d", w);
	cr_assert_eq(aml_bitmap_isfull(&b), 1);
	cr_assert_eq(aml_bitmap_iszero(&b), 0);
	cr_assert_eq(aml_bitmap_nset(&b), AML_BITMAP_MAX);

	cr_assert_eq(aml_bitmap_zero(&b), AML_SUCCESS);
	for (int w = 0; w < AML_BITMAP_SIZE; w++)
		cr_assert_eq(b.mask[w], 0UL, "word %d", w);
	cr_assert_eq(aml_bitmap_iszero(&b), 1);
	cr_assert_eq(aml_bitmap_isfull(&b), 0);
	cr_assert_eq(aml_bitmap_nset(&b), 0);
}

Test(bitmap, one_bit_makes_a_bitmap_neither_zero_nor_full)
{
	struct aml_bitmap b;

	aml_bitmap_zero(&b);
	aml_bitmap_set(&b, 2047);
	cr_assert_eq(aml_bitmap_iszero(&b), 0);
	aml_bitmap_fill(&b);
	aml_bitmap_clear(&b, 0);
	cr_assert_eq(aml_bitmap_isfull(&b), 0);
}

Test(bitmap, set_puts_each_bit_in_its_word)
{
	for (size_t p = 0; p < NPROBES; p++) {
		struct aml_bitmap b;

		aml_bitmap_zero(&b);
		cr_assert_eq(aml_bitmap_set(&b, probes[p].index), AML_SUCCESS);
		for (int w = 0; w < AML_BITMAP_SIZE; w++) {
			unsigned long expected = (unsigned)w == probes[p].word
							 ? 1UL << probes[p].bit
							 : 0UL;

			cr_assert_eq(b.mask[w], expected, "bit %u, word %d",
				     probes[p].index, w);
		}
		cr_assert_eq(aml_bitmap_isset(&b, probes[p].index), 1);
		cr_assert_eq(aml_bitmap_nset(&b), 1);
	}
}

Test(bitmap, clear_removes_only_that_bit)
{
	for (size_t p = 0; p < NPROBES; p++) {
		struct aml_bitmap b;

		aml_bitmap_fill(&b);
		cr_assert_eq(aml_bitmap_clear(&b, probes[p].index),
			     AML_SUCCESS);
		cr_assert_eq(b.mask[probes[p].word], ~(1UL << probes[p].bit),
			     "bit %u", probes[p].index);
		cr_assert_eq(aml_bitmap_isset(&b, probes[p].index), 0);
		cr_assert_eq(aml_bitmap_nset(&b), AML_BITMAP_MAX - 1);
	}
}

Test(bitmap, isset_reads_bits_poked_into_mask)
{
	for (size_t p = 0; p < NPROBES; p++) {
		struct aml_bitmap b;

		aml_bitmap_zero(&b);
		b.mask[probes[p].word] = 1UL << probes[p].bit;
		for (unsigned int k = 0; k < AML_BITMAP_MAX; k++)
			cr_assert_eq(aml_bitmap_isset(&b, k),
				     k == probes[p].index, "bit %u", k);
	}
}

Test(bitmap, single_bit_functions_reject_null_and_out_of_range)
{
	struct aml_bitmap b;

	aml_bitmap_zero(&b);
	cr_assert_eq(aml_bitmap_set(NULL, 0), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_clear(NULL, 0), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_isset(NULL, 0), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_set(&b, AML_BITMAP_MAX), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_clear(&b, AML_BITMAP_MAX), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_isset(&b, AML_BITMAP_MAX), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_set(&b, (unsigned int)-1), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_iszero(&b), 1, "rejected calls change nothing");
}

Test(bitmap, whole_bitmap_functions_reject_null)
{
	struct aml_bitmap b;

	aml_bitmap_zero(&b);
	cr_assert_eq(aml_bitmap_zero(NULL), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_fill(NULL), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_iszero(NULL), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_isfull(NULL), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_nset(NULL), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_isequal(NULL, &b), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_isequal(&b, NULL), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_last(NULL), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_first(NULL), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_set_range(NULL, 0, 1), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_clear_range(NULL, 0, 1), -AML_EINVAL);
}

Test(bitmap, isequal_compares_every_bit)
{
	struct aml_bitmap a, b;

	aml_bitmap_zero(&a);
	aml_bitmap_zero(&b);
	cr_assert_eq(aml_bitmap_isequal(&a, &b), 1);
	aml_bitmap_set(&b, 2047);
	cr_assert_eq(aml_bitmap_isequal(&a, &b), 0);
	aml_bitmap_set(&a, 2047);
	cr_assert_eq(aml_bitmap_isequal(&a, &b), 1);
}

Test(bitmap, copy_copies_the_whole_bitmap_and_ignores_null)
{
	struct aml_bitmap a, b;

	aml_bitmap_zero(&a);
	aml_bitmap_set(&a, 5);
	aml_bitmap_set(&a, 1500);
	aml_bitmap_fill(&b);
	aml_bitmap_copy(&b, &a);
	cr_assert_eq(aml_bitmap_isequal(&a, &b), 1);
	aml_bitmap_copy(NULL, &a);
	aml_bitmap_copy(&b, NULL);
	cr_assert_eq(aml_bitmap_isequal(&a, &b), 1);
}

Test(bitmap, first_and_last_find_the_extreme_bits)
{
	struct aml_bitmap b;

	aml_bitmap_zero(&b);
	cr_assert_eq(aml_bitmap_first(&b), -1);
	cr_assert_eq(aml_bitmap_last(&b), -1);
	for (size_t p = 0; p < NPROBES; p++) {
		aml_bitmap_zero(&b);
		aml_bitmap_set(&b, probes[p].index);
		cr_assert_eq(aml_bitmap_first(&b), (int)probes[p].index);
		cr_assert_eq(aml_bitmap_last(&b), (int)probes[p].index);
	}
	aml_bitmap_zero(&b);
	aml_bitmap_set(&b, 80);
	aml_bitmap_set(&b, 144);
	aml_bitmap_set(&b, 208);
	cr_assert_eq(aml_bitmap_first(&b), 80);
	cr_assert_eq(aml_bitmap_last(&b), 208);
}

/* ---------------------------------------------------------------------- */
/* Ranges                                                                 */
/* ---------------------------------------------------------------------- */

Test(bitmap, set_range_of_every_pair_sets_exactly_that_many_bits)
{
	struct aml_bitmap b;

	for (unsigned int i = 0; i < AML_BITMAP_MAX; i++)
		for (unsigned int ii = i; ii < AML_BITMAP_MAX; ii++) {
			aml_bitmap_zero(&b);
			cr_assert_eq(aml_bitmap_set_range(&b, i, ii),
				     AML_SUCCESS);
			cr_assert_eq(aml_bitmap_nset(&b), (int)(ii - i + 1),
				     "range [%u, %u]", i, ii);
			cr_assert_eq(aml_bitmap_first(&b), (int)i);
			cr_assert_eq(aml_bitmap_last(&b), (int)ii);
		}
}

Test(bitmap, clear_range_of_every_pair_clears_exactly_that_many_bits)
{
	struct aml_bitmap b;

	for (unsigned int i = 0; i < AML_BITMAP_MAX; i++)
		for (unsigned int ii = i; ii < AML_BITMAP_MAX; ii++) {
			aml_bitmap_fill(&b);
			cr_assert_eq(aml_bitmap_clear_range(&b, i, ii),
				     AML_SUCCESS);
			cr_assert_eq(aml_bitmap_nset(&b),
				     (int)(AML_BITMAP_MAX - (ii - i + 1)),
				     "range [%u, %u]", i, ii);
			cr_assert_eq(aml_bitmap_isset(&b, i), 0);
			cr_assert_eq(aml_bitmap_isset(&b, ii), 0);
		}
}

/* Word boundaries, where off-by-one errors live. */
static const unsigned int edges[] = {
	0, 1, 62, 63, 64, 65, 127, 128, 129, 191, 1023, 1024, 2000, 2046, 2047,
};
#define NEDGES (sizeof(edges) / sizeof(edges[0]))

Test(bitmap, set_range_touches_no_bit_outside_the_range)
{
	struct aml_bitmap b;

	for (size_t x = 0; x < NEDGES; x++)
		for (size_t y = x; y < NEDGES; y++) {
			aml_bitmap_zero(&b);
			aml_bitmap_set_range(&b, edges[x], edges[y]);
			assert_exactly_range_set(&b, edges[x], edges[y]);
		}
}

Test(bitmap, clear_range_touches_no_bit_outside_the_range)
{
	struct aml_bitmap b;

	for (size_t x = 0; x < NEDGES; x++)
		for (size_t y = x; y < NEDGES; y++) {
			aml_bitmap_fill(&b);
			aml_bitmap_clear_range(&b, edges[x], edges[y]);
			for (unsigned int k = 0; k < AML_BITMAP_MAX; k++)
				cr_assert_eq(aml_bitmap_isset(&b, k),
					     k < edges[x] || k > edges[y],
					     "bit %u after clearing [%u, %u]",
					     k, edges[x], edges[y]);
		}
}

Test(bitmap, ranges_add_to_and_remove_from_existing_bits)
{
	struct aml_bitmap b;

	aml_bitmap_zero(&b);
	aml_bitmap_set(&b, 10);
	aml_bitmap_set_range(&b, 100, 199);
	cr_assert_eq(aml_bitmap_nset(&b), 101);
	aml_bitmap_clear_range(&b, 150, 2047);
	cr_assert_eq(aml_bitmap_nset(&b), 51);
	cr_assert_eq(aml_bitmap_isset(&b, 10), 1);
}

Test(bitmap, bad_ranges_are_rejected_and_change_nothing)
{
	struct aml_bitmap b;

	aml_bitmap_zero(&b);
	cr_assert_eq(aml_bitmap_set_range(&b, 5, 4), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_set_range(&b, 0, AML_BITMAP_MAX), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_set_range(&b, AML_BITMAP_MAX, AML_BITMAP_MAX),
		     -AML_EINVAL);
	cr_assert_eq(aml_bitmap_iszero(&b), 1);

	aml_bitmap_fill(&b);
	cr_assert_eq(aml_bitmap_clear_range(&b, 5, 4), -AML_EINVAL);
	cr_assert_eq(aml_bitmap_clear_range(&b, 0, AML_BITMAP_MAX),
		     -AML_EINVAL);
	cr_assert_eq(aml_bitmap_clear_range(&b, AML_BITMAP_MAX, AML_BITMAP_MAX),
		     -AML_EINVAL);
	cr_assert_eq(aml_bitmap_isfull(&b), 1);
}

/* ---------------------------------------------------------------------- */
/* unsigned long arrays                                                   */
/* ---------------------------------------------------------------------- */

Test(bitmap, copy_from_ulong_ors_the_first_size_bits)
{
	unsigned long src[AML_BITMAP_SIZE + 1] = {0};
	struct aml_bitmap b;

	src[0] = 0x5UL;		     /* bits 0 and 2 */
	src[1] = 1UL << 63;	     /* bit 127 */
	src[2] = 1UL;		     /* bit 128: beyond size */
	src[AML_BITMAP_SIZE] = ~0UL; /* beyond the bitmap */
	aml_bitmap_zero(&b);
	aml_bitmap_set(&b, 1000);
	aml_bitmap_copy_from_ulong(&b, src, 128);
	cr_assert_eq(aml_bitmap_nset(&b), 4);
	cr_assert_eq(aml_bitmap_isset(&b, 0), 1);
	cr_assert_eq(aml_bitmap_isset(&b, 2), 1);
	cr_assert_eq(aml_bitmap_isset(&b, 127), 1);
	cr_assert_eq(aml_bitmap_isset(&b, 1000), 1, "OR: never clears");
}

Test(bitmap, copy_from_ulong_stops_at_the_bitmap_size)
{
	unsigned long src[AML_BITMAP_SIZE + 2];
	struct aml_bitmap b;

	memset(src, 0xff, sizeof(src));
	aml_bitmap_zero(&b);
	aml_bitmap_copy_from_ulong(&b, src, sizeof(src) * 8);
	cr_assert_eq(aml_bitmap_isfull(&b), 1);
	aml_bitmap_copy_from_ulong(NULL, src, 64);
	aml_bitmap_copy_from_ulong(&b, NULL, 64);
}

Test(bitmap, copy_to_ulong_ors_into_the_destination)
{
	unsigned long dst[4] = {0x8UL, 0, 0, 0x77UL};
	struct aml_bitmap b;

	aml_bitmap_zero(&b);
	aml_bitmap_set(&b, 0);
	aml_bitmap_set(&b, 70);
	aml_bitmap_set(&b, 200); /* beyond size */
	aml_bitmap_copy_to_ulong(&b, dst, 128);
	cr_assert_eq(dst[0], 0x9UL, "bit 3 kept, bit 0 added");
	cr_assert_eq(dst[1], 1UL << 6);
	cr_assert_eq(dst[2], 0UL);
	cr_assert_eq(dst[3], 0x77UL);
	aml_bitmap_copy_to_ulong(NULL, dst, 64);
	aml_bitmap_copy_to_ulong(&b, NULL, 64);
}

Test(bitmap, ulong_round_trip_with_last_finds_the_highest_node)
{
	/* How test_linux builds mems_allowed from a libnuma mask. */
	unsigned long maskp[2] = {0x3UL, 1UL << 4};
	struct aml_bitmap b;

	aml_bitmap_zero(&b);
	aml_bitmap_copy_from_ulong(&b, maskp, 128);
	cr_assert_eq(aml_bitmap_last(&b), 68);
	cr_assert_eq(aml_bitmap_first(&b), 0);
}

/* ---------------------------------------------------------------------- */
/* Strings                                                                */
/* ---------------------------------------------------------------------- */

Test(bitmap, to_string_is_bracketed_digits_bit_0_first)
{
	struct aml_bitmap b;
	char *s;

	aml_bitmap_zero(&b);
	aml_bitmap_set(&b, 0);
	aml_bitmap_set(&b, 2);
	aml_bitmap_set(&b, 2047);
	s = aml_bitmap_to_string(&b);
	cr_assert_not_null(s);
	cr_assert_eq(strlen(s), AML_BITMAP_MAX + 2);
	cr_assert_eq(s[0], '[');
	cr_assert_eq(strncmp(s + 1, "1010000", 7), 0);
	cr_assert_eq(s[AML_BITMAP_MAX], '1');
	cr_assert_eq(s[AML_BITMAP_MAX + 1], ']');
	free(s);
}

Test(bitmap, to_string_of_null_is_null)
{
	cr_assert_null(aml_bitmap_to_string(NULL));
}

Test(bitmap, to_string_then_from_string_round_trips)
{
	struct aml_bitmap b, back;
	char *s;

	aml_bitmap_zero(&b);
	for (size_t p = 0; p < NPROBES; p++)
		aml_bitmap_set(&b, probes[p].index);
	s = aml_bitmap_to_string(&b);
	cr_assert_not_null(s);
	aml_bitmap_fill(&back);
	cr_assert_eq(aml_bitmap_from_string(&back, s), 0);
	cr_assert_eq(aml_bitmap_isequal(&b, &back), 1);
	free(s);
}

Test(bitmap, from_string_keywords_zero_or_fill_in_any_case)
{
	const char *zeros[] = {"none", "zero", "empty", "NONE", "Zero"};
	const char *fills[] = {"all", "fill", "full", "ALL", "Full"};
	struct aml_bitmap b;

	for (size_t k = 0; k < sizeof(zeros) / sizeof(zeros[0]); k++) {
		aml_bitmap_fill(&b);
		cr_assert_eq(aml_bitmap_from_string(&b, zeros[k]), 0);
		cr_assert_eq(aml_bitmap_iszero(&b), 1, "\"%s\"", zeros[k]);
	}
	for (size_t k = 0; k < sizeof(fills) / sizeof(fills[0]); k++) {
		aml_bitmap_zero(&b);
		cr_assert_eq(aml_bitmap_from_string(&b, fills[k]), 0);
		cr_assert_eq(aml_bitmap_isfull(&b), 1, "\"%s\"", fills[k]);
	}
}

Test(bitmap, from_string_null_string_zeroes)
{
	struct aml_bitmap b;

	aml_bitmap_fill(&b);
	cr_assert_eq(aml_bitmap_from_string(&b, NULL), 0);
	cr_assert_eq(aml_bitmap_iszero(&b), 1);
}

Test(bitmap, from_string_list_sets_exactly_the_listed_bits)
{
	struct aml_bitmap b;

	aml_bitmap_fill(&b);
	cr_assert_eq(aml_bitmap_from_string(&b, "3,0,2047,64,3"), 0);
	cr_assert_eq(aml_bitmap_nset(&b), 4);
	cr_assert_eq(aml_bitmap_isset(&b, 0), 1);
	cr_assert_eq(aml_bitmap_isset(&b, 3), 1);
	cr_assert_eq(aml_bitmap_isset(&b, 64), 1);
	cr_assert_eq(aml_bitmap_isset(&b, 2047), 1);
}

Test(bitmap, from_string_digits_form_reads_bit_0_first)
{
	struct aml_bitmap b;
	char *s = digits_string("0110");

	aml_bitmap_zero(&b);
	cr_assert_eq(aml_bitmap_from_string(&b, s), 0);
	cr_assert_eq(aml_bitmap_nset(&b), 2);
	cr_assert_eq(aml_bitmap_isset(&b, 1), 1);
	cr_assert_eq(aml_bitmap_isset(&b, 2), 1);
	free(s);
}

Test(bitmap, from_string_rejects_bad_input_and_leaves_the_bitmap_unchanged)
{
	const char *bad[] = {
		"",    "abc", "-1",   "2048",	"99999999999", "1,abc",
		"1,",  ",1",  "1,,2", "1 ,2",	" 1",	       "1;2",
		"0x1", "[",   "[]",   "[0101]", "nonesuch",    "alls",
	};
	struct aml_bitmap b, before;

	aml_bitmap_zero(&b);
	aml_bitmap_set(&b, 42);
	aml_bitmap_copy(&before, &b);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		cr_assert_eq(aml_bitmap_from_string(&b, bad[k]), -1,
			     "\"%s\" must be rejected", bad[k]);
		cr_assert_eq(aml_bitmap_isequal(&b, &before), 1,
			     "\"%s\" changed the bitmap", bad[k]);
	}
}

Test(bitmap, from_string_rejects_a_digits_form_with_trailing_garbage)
{
	struct aml_bitmap b;
	char *s = digits_string("1");
	char *longer = malloc(strlen(s) + 2);

	cr_assert_not_null(longer);
	strcpy(longer, s);
	strcat(longer, "x");
	aml_bitmap_zero(&b);
	cr_assert_eq(aml_bitmap_from_string(&b, longer), -1);
	cr_assert_eq(aml_bitmap_iszero(&b), 1);
	free(longer);
	free(s);
}

Test(bitmap, from_string_rejects_a_digits_form_with_another_digit)
{
	struct aml_bitmap b;
	char *s = digits_string("0120");

	aml_bitmap_zero(&b);
	cr_assert_eq(aml_bitmap_from_string(&b, s), -1);
	cr_assert_eq(aml_bitmap_iszero(&b), 1);
	free(s);
}

Test(bitmap, from_string_rejects_a_digits_form_one_digit_short)
{
	struct aml_bitmap b;
	char *s = digits_string("1");

	s[AML_BITMAP_MAX] = ']';
	s[AML_BITMAP_MAX + 1] = '\0';
	aml_bitmap_zero(&b);
	cr_assert_eq(aml_bitmap_from_string(&b, s), -1);
	cr_assert_eq(aml_bitmap_iszero(&b), 1);
	free(s);
}

Test(bitmap, from_string_into_null_bitmap_fails)
{
	cr_assert_eq(aml_bitmap_from_string(NULL, "1"), -1);
}
