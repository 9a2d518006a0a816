/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * aml_bitmap_from_string: any text either parses, and then survives a
 * to_string/from_string round trip, or is refused with the bitmap left
 * exactly as it was.
 */
#include "aml/utils/bitmap.h"
#include "fuzz.h"

/* A bitmap no parse produces by accident: every third bit. */
static void bitmap_sentinel(struct aml_bitmap *b)
{
	aml_bitmap_zero(b);
	for (unsigned int i = 0; i < AML_BITMAP_MAX; i += 3)
		aml_bitmap_set(b, i);
}

static void check_round_trip(const struct aml_bitmap *parsed)
{
	struct aml_bitmap again;
	char *text = aml_bitmap_to_string(parsed);

	fuzz_require(text != NULL);
	fuzz_require(strlen(text) == AML_BITMAP_MAX + 2);
	bitmap_sentinel(&again);
	fuzz_require(aml_bitmap_from_string(&again, text) == 0);
	fuzz_require(aml_bitmap_isequal(&again, parsed));
	free(text);
}

/* A comma list sets at most one bit per token. */
static void check_list_count(const struct aml_bitmap *parsed, const char *s)
{
	int tokens = 1;

	if (s[0] == '[' || s[0] < '0' || s[0] > '9')
		return;
	for (; *s; s++)
		tokens += *s == ',';
	fuzz_require(aml_bitmap_nset(parsed) <= tokens);
	fuzz_require(aml_bitmap_nset(parsed) >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aml_bitmap bitmap, before;
	char *s = fuzz_string(data, size);

	bitmap_sentinel(&bitmap);
	before = bitmap;
	if (aml_bitmap_from_string(&bitmap, s) == 0) {
		check_round_trip(&bitmap);
		check_list_count(&bitmap, s);
	} else {
		fuzz_require(!memcmp(&bitmap, &before, sizeof(bitmap)));
	}
	free(s);
	return 0;
}
