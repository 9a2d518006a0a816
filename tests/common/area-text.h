/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What aml_area_fprintf prints for an area, as a string (header-only).
 * Groups whose include path lacks tests/common include it as
 * "../common/area-text.h", after config.h (open_memstream needs
 * _GNU_SOURCE).
 */
#ifndef AML_TESTS_COMMON_AREA_TEXT_H
#define AML_TESTS_COMMON_AREA_TEXT_H

#include <criterion/criterion.h>
#include <stdio.h>

#include "aml.h"

/* The text aml_area_fprintf(prefix, area) writes, which must succeed;
 * *len (if not NULL) gets its length. The caller frees it. */
static inline char *area_text(const char *prefix, struct aml_area *area,
			      size_t *len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	cr_assert_not_null(f);
	cr_assert_eq(aml_area_fprintf(f, prefix, area), AML_SUCCESS);
	fclose(f);
	if (len != NULL)
		*len = n;
	return text;
}

#endif /* AML_TESTS_COMMON_AREA_TEXT_H */
