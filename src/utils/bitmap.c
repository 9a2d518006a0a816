/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixed-size bitmaps of AML_BITMAP_MAX bits. Bit i lives in word
 * i / AML_BITMAP_NBITS at position i % AML_BITMAP_NBITS (upstream layout,
 * relied upon by code that pokes mask[] directly).
 *
 * Differences from upstream AML: first(NULL) is -AML_EINVAL like last(NULL),
 * to_string(NULL) is NULL, and from_string rejects trailing characters after
 * ']' and list tokens that are not plain decimal numbers.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aml/utils/bitmap.h"
#include "aml/utils/error.h"

#define WORD_EMPTY 0UL
#define WORD_FULL (~0UL)
#define WORD_OF(i) ((i) / AML_BITMAP_NBITS)
#define BIT_OF(i) (1UL << ((i) % AML_BITMAP_NBITS))

/* Bits [lo, hi] of one word, 0 <= lo <= hi < AML_BITMAP_NBITS. */
static unsigned long word_range(unsigned int lo, unsigned int hi)
{
	unsigned long upto_hi = hi + 1 == (unsigned int)AML_BITMAP_NBITS
					? WORD_FULL
					: (1UL << (hi + 1)) - 1;

	return upto_hi & (WORD_FULL << lo);
}

static int range_is_valid(const struct aml_bitmap *bitmap, unsigned int i,
			  unsigned int ii)
{
	return bitmap != NULL && i < AML_BITMAP_MAX && ii < AML_BITMAP_MAX &&
	       i <= ii;
}

/* ------------------------------------------------------------------------ */
/* Copies                                                                    */
/* ------------------------------------------------------------------------ */

void aml_bitmap_copy(struct aml_bitmap *dst, const struct aml_bitmap *src)
{
	if (dst == NULL || src == NULL)
		return;
	memcpy(dst, src, sizeof(*dst));
}

/*
 * Both ulong copies OR bits into their destination and never clear any
 * (upstream behaviour, kept: callers clear the destination first).
 */
void aml_bitmap_copy_from_ulong(struct aml_bitmap *bitmap,
				const unsigned long *src, size_t size)
{
	if (bitmap == NULL || src == NULL)
		return;
	if (size > AML_BITMAP_MAX)
		size = AML_BITMAP_MAX;
	for (size_t i = 0; i < size; i++)
		if (src[WORD_OF(i)] & BIT_OF(i))
			bitmap->mask[WORD_OF(i)] |= BIT_OF(i);
}

void aml_bitmap_copy_to_ulong(const struct aml_bitmap *bitmap,
			      unsigned long *dst, size_t size)
{
	if (bitmap == NULL || dst == NULL)
		return;
	if (size > AML_BITMAP_MAX)
		size = AML_BITMAP_MAX;
	for (size_t i = 0; i < size; i++)
		if (bitmap->mask[WORD_OF(i)] & BIT_OF(i))
			dst[WORD_OF(i)] |= BIT_OF(i);
}

/* ------------------------------------------------------------------------ */
/* Whole-bitmap operations                                                   */
/* ------------------------------------------------------------------------ */

int aml_bitmap_zero(struct aml_bitmap *bitmap)
{
	if (bitmap == NULL)
		return -AML_EINVAL;
	memset(bitmap, 0, sizeof(*bitmap));
	return AML_SUCCESS;
}

int aml_bitmap_fill(struct aml_bitmap *bitmap)
{
	if (bitmap == NULL)
		return -AML_EINVAL;
	memset(bitmap, 0xff, sizeof(*bitmap));
	return AML_SUCCESS;
}

static int all_words_equal(const struct aml_bitmap *bitmap, unsigned long word)
{
	if (bitmap == NULL)
		return -AML_EINVAL;
	for (int n = 0; n < AML_BITMAP_SIZE; n++)
		if (bitmap->mask[n] != word)
			return 0;
	return 1;
}

int aml_bitmap_iszero(const struct aml_bitmap *bitmap)
{
	return all_words_equal(bitmap, WORD_EMPTY);
}

int aml_bitmap_isfull(const struct aml_bitmap *bitmap)
{
	return all_words_equal(bitmap, WORD_FULL);
}

int aml_bitmap_isequal(const struct aml_bitmap *a, const struct aml_bitmap *b)
{
	if (a == NULL || b == NULL)
		return -AML_EINVAL;
	return memcmp(a->mask, b->mask, sizeof(a->mask)) == 0;
}

int aml_bitmap_nset(const struct aml_bitmap *bitmap)
{
	int n = 0;

	if (bitmap == NULL)
		return -AML_EINVAL;
	for (int w = 0; w < AML_BITMAP_SIZE; w++)
		n += __builtin_popcountl(bitmap->mask[w]);
	return n;
}

int aml_bitmap_last(const struct aml_bitmap *bitmap)
{
	if (bitmap == NULL)
		return -AML_EINVAL;
	for (int w = AML_BITMAP_SIZE - 1; w >= 0; w--)
		if (bitmap->mask[w] != WORD_EMPTY)
			return w * AML_BITMAP_NBITS + AML_BITMAP_NBITS - 1 -
			       __builtin_clzl(bitmap->mask[w]);
	return -1;
}

int aml_bitmap_first(const struct aml_bitmap *bitmap)
{
	if (bitmap == NULL)
		return -AML_EINVAL;
	for (int w = 0; w < AML_BITMAP_SIZE; w++)
		if (bitmap->mask[w] != WORD_EMPTY)
			return w * AML_BITMAP_NBITS +
			       __builtin_ctzl(bitmap->mask[w]);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Single bits and ranges                                                    */
/* ------------------------------------------------------------------------ */

int aml_bitmap_isset(const struct aml_bitmap *bitmap, const unsigned int i)
{
	if (bitmap == NULL || i >= AML_BITMAP_MAX)
		return -AML_EINVAL;
	return (bitmap->mask[WORD_OF(i)] & BIT_OF(i)) != 0;
}

int aml_bitmap_set(struct aml_bitmap *bitmap, const unsigned int i)
{
	if (bitmap == NULL || i >= AML_BITMAP_MAX)
		return -AML_EINVAL;
	bitmap->mask[WORD_OF(i)] |= BIT_OF(i);
	return AML_SUCCESS;
}

int aml_bitmap_clear(struct aml_bitmap *bitmap, const unsigned int i)
{
	if (bitmap == NULL || i >= AML_BITMAP_MAX)
		return -AML_EINVAL;
	bitmap->mask[WORD_OF(i)] &= ~BIT_OF(i);
	return AML_SUCCESS;
}

/* Set (or clear) bits [i, ii], one word at a time. */
static void range_apply(struct aml_bitmap *bitmap, unsigned int i,
			unsigned int ii, int set)
{
	const unsigned int nbits = AML_BITMAP_NBITS;

	for (unsigned int w = i / nbits; w <= ii / nbits; w++) {
		unsigned int lo = w == i / nbits ? i % nbits : 0;
		unsigned int hi = w == ii / nbits ? ii % nbits : nbits - 1;
		unsigned long bits = word_range(lo, hi);

		if (set)
			bitmap->mask[w] |= bits;
		else
			bitmap->mask[w] &= ~bits;
	}
}

int aml_bitmap_set_range(struct aml_bitmap *bitmap, const unsigned int i,
			 const unsigned int ii)
{
	if (!range_is_valid(bitmap, i, ii))
		return -AML_EINVAL;
	range_apply(bitmap, i, ii, 1);
	return AML_SUCCESS;
}

int aml_bitmap_clear_range(struct aml_bitmap *bitmap, const unsigned int i,
			   const unsigned int ii)
{
	if (!range_is_valid(bitmap, i, ii))
		return -AML_EINVAL;
	range_apply(bitmap, i, ii, 0);
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                   */
/* ------------------------------------------------------------------------ */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "[" + AML_BITMAP_MAX '0'/'1' digits (bit 0 first) + "]", nothing after. */
static int parse_digits(struct aml_bitmap *out, const char *str)
{
	if (strlen(str) != AML_BITMAP_MAX + 2 || str[AML_BITMAP_MAX + 1] != ']')
		return -1;
	for (unsigned int i = 0; i < AML_BITMAP_MAX; i++) {
		char c = str[i + 1];

		if (c == '1')
			aml_bitmap_set(out, i);
		else if (c != '0')
			return -1;
	}
	return 0;
}

/* "3,0,17": non-empty decimal tokens below AML_BITMAP_MAX, nothing else. */
static int parse_list(struct aml_bitmap *out, const char *str)
{
	const char *c = str;

	for (;;) {
		unsigned int bit = 0;

		if (!is_digit(*c))
			return -1;
		for (; is_digit(*c); c++) {
			bit = bit * 10 + (unsigned int)(*c - '0');
			if (bit >= AML_BITMAP_MAX)
				return -1;
		}
		aml_bitmap_set(out, bit);
		if (*c == '\0')
			return 0;
		if (*c != ',')
			return -1;
		c++;
	}
}

static int is_one_of(const char *str, const char *a, const char *b,
		     const char *c)
{
	return !strcasecmp(str, a) || !strcasecmp(str, b) ||
	       !strcasecmp(str, c);
}

int aml_bitmap_from_string(struct aml_bitmap *bitmap, const char *bitmap_str)
{
	struct aml_bitmap parsed;
	int err;

	if (bitmap == NULL)
		return -1;
	if (bitmap_str == NULL ||
	    is_one_of(bitmap_str, "none", "zero", "empty"))
		return aml_bitmap_zero(bitmap);
	if (is_one_of(bitmap_str, "all", "fill", "full"))
		return aml_bitmap_fill(bitmap);

	/* Parse aside: the bitmap is left untouched on error. */
	aml_bitmap_zero(&parsed);
	if (bitmap_str[0] == '[')
		err = parse_digits(&parsed, bitmap_str);
	else
		err = parse_list(&parsed, bitmap_str);
	if (err)
		return -1;
	aml_bitmap_copy(bitmap, &parsed);
	return 0;
}

char *aml_bitmap_to_string(const struct aml_bitmap *bitmap)
{
	char *str;

	if (bitmap == NULL)
		return NULL;
	str = malloc(AML_BITMAP_MAX + 3);
	if (str == NULL)
		return NULL;
	str[0] = '[';
	for (unsigned int i = 0; i < AML_BITMAP_MAX; i++)
		str[i + 1] = aml_bitmap_isset(bitmap, i) ? '1' : '0';
	str[AML_BITMAP_MAX + 1] = ']';
	str[AML_BITMAP_MAX + 2] = '\0';
	return str;
}

/* ------------------------------------------------------------------------ */
/* Heap bitmaps                                                              */
/* ------------------------------------------------------------------------ */

int aml_bitmap_create(struct aml_bitmap **map)
{
	if (map == NULL)
		return -AML_EINVAL;
	*map = calloc(1, sizeof(**map));
	if (*map == NULL)
		return -AML_ENOMEM;
	return AML_SUCCESS;
}

void aml_bitmap_destroy(struct aml_bitmap **map)
{
	if (map == NULL)
		return;
	free(*map);
	*map = NULL;
}

int aml_bitmap_dup(struct aml_bitmap **dst, const struct aml_bitmap *src)
{
	int err = aml_bitmap_create(dst);

	if (err)
		return err;
	aml_bitmap_copy(*dst, src);
	return AML_SUCCESS;
}
