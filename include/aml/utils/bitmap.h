/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef AML_UTILS_BITMAP_H
#define AML_UTILS_BITMAP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup aml_bitmap Bitmap
 * A fixed-size set of AML_BITMAP_MAX bits. Bit i lives in
 * mask[i / AML_BITMAP_NBITS] at position i % AML_BITMAP_NBITS.
 * Functions returning int give -AML_EINVAL for a NULL bitmap or an index out
 * of range.
 * @{
 */

#define AML_BITMAP_MAX 2048
#define AML_BITMAP_BYTES (AML_BITMAP_MAX / 8)
#define AML_BITMAP_TYPE unsigned long
#define AML_BITMAP_SIZE ((int)(AML_BITMAP_BYTES / sizeof(AML_BITMAP_TYPE)))
#define AML_BITMAP_NBITS ((int)(8 * sizeof(AML_BITMAP_TYPE)))

struct aml_bitmap {
	AML_BITMAP_TYPE mask[AML_BITMAP_SIZE];
};

/** Whole-struct copy; no-op if either is NULL. */
void aml_bitmap_copy(struct aml_bitmap *dst, const struct aml_bitmap *src);
/** OR the first `size` bits of src into bitmap (never clears). */
void aml_bitmap_copy_from_ulong(struct aml_bitmap *bitmap,
				const unsigned long *src, size_t size);
/** OR the first `size` bits of bitmap into dst (never clears). */
void aml_bitmap_copy_to_ulong(const struct aml_bitmap *bitmap,
			      unsigned long *dst, size_t size);
int aml_bitmap_zero(struct aml_bitmap *bitmap);
int aml_bitmap_fill(struct aml_bitmap *bitmap);
int aml_bitmap_isset(const struct aml_bitmap *bitmap, const unsigned int i);
int aml_bitmap_iszero(const struct aml_bitmap *bitmap);
int aml_bitmap_isfull(const struct aml_bitmap *bitmap);
int aml_bitmap_isequal(const struct aml_bitmap *a, const struct aml_bitmap *b);
int aml_bitmap_set(struct aml_bitmap *bitmap, const unsigned int i);
int aml_bitmap_clear(struct aml_bitmap *bitmap, const unsigned int i);
/** Set bits i..ii inclusive. */
int aml_bitmap_set_range(struct aml_bitmap *bitmap, const unsigned int i,
			 const unsigned int ii);
/** Clear bits i..ii inclusive. */
int aml_bitmap_clear_range(struct aml_bitmap *bitmap, const unsigned int i,
			   const unsigned int ii);
/** Number of bits set. */
int aml_bitmap_nset(const struct aml_bitmap *bitmap);
/** Highest set index, -1 if empty. */
int aml_bitmap_last(const struct aml_bitmap *bitmap);
/** Lowest set index, -1 if empty. */
int aml_bitmap_first(const struct aml_bitmap *bitmap);
/**
 * Parse "none"/"zero"/"empty", "all"/"fill"/"full", "[0101...]" (exactly
 * AML_BITMAP_MAX digits, bit 0 first) or a comma list of indices "0,3,17".
 * Returns 0, or -1 on bad input (bitmap unchanged).
 */
int aml_bitmap_from_string(struct aml_bitmap *bitmap, const char *bitmap_str);
/** malloc'd "[" + AML_BITMAP_MAX digits + "]", bit 0 first; NULL on error. */
char *aml_bitmap_to_string(const struct aml_bitmap *bitmap);
int aml_bitmap_create(struct aml_bitmap **map);
void aml_bitmap_destroy(struct aml_bitmap **map);
int aml_bitmap_dup(struct aml_bitmap **dst, const struct aml_bitmap *src);

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* AML_UTILS_BITMAP_H */
