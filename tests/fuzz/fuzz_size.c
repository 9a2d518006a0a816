/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shim_parse_size: a size that parses equals the value computed here in
 * 128-bit arithmetic, and reads back the same from the text a rule prints
 * for it; a refused one leaves *out alone and is either malformed or too
 * large for size_t.
 */
#include "fuzz.h"
#include "settings.h"

enum expected { EXPECT_OK, EXPECT_BAD, EXPECT_TOO_LARGE };

/* The grammar, written independently: digits, then K, M, G or T. */
static enum expected reference(const char *s, unsigned __int128 *value)
{
	unsigned __int128 v = 0;
	int shift = 0, big = 0;
	size_t i = 0;

	if (s[0] < '0' || s[0] > '9')
		return EXPECT_BAD;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > SIZE_MAX) {
			big = 1;
			v = (unsigned __int128)SIZE_MAX + 1;
		}
	}
	if (s[i] != '\0') {
		const char *units = "kKmMgGtT", *u = strchr(units, s[i]);

		if (u == NULL || s[i + 1] != '\0')
			return EXPECT_BAD;
		shift = 10 * (1 + (int)(u - units) / 2);
	}
	v <<= shift;
	if (big || v > SIZE_MAX)
		return EXPECT_TOO_LARGE;
	*value = v;
	return EXPECT_OK;
}

/* "default sizes 4K-" → "4K", parsed again. */
static void check_round_trip(size_t v)
{
	struct shim_rule rule = {.policy = AML_AREA_LINUX_POLICY_DEFAULT,
				 .min_size = v,
				 .max_size = SIZE_MAX};
	char text[128], *bound;
	size_t again = 0;

	if (v == 0)
		return; /* "sizes all": no bound to read back */
	fuzz_require(shim_rule_format(&rule, text, sizeof(text)) <
		     sizeof(text));
	bound = strstr(text, " sizes ");
	fuzz_require(bound != NULL);
	bound += strlen(" sizes ");
	fuzz_require(bound[strlen(bound) - 1] == '-');
	bound[strlen(bound) - 1] = '\0';
	fuzz_require(shim_parse_size(bound, &again) == 0);
	fuzz_require(again == v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	unsigned __int128 want = 0;
	size_t out = 12345;
	int rc = shim_parse_size(s, &out);

	if (reference(s, &want) == EXPECT_OK) {
		fuzz_require(rc == 0);
		fuzz_require(out == (size_t)want);
		check_round_trip(out);
	} else {
		fuzz_require(rc == -1);
		fuzz_require(out == 12345);
	}
	free(s);
	return 0;
}
