/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AML_INNER_MALLOC* and the AML_*ALIGNED* macros lay objects out exactly as
 * the equivalent struct would (contract §2.6).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "aml.h"

struct pair_of_pointers {
	void *a, *b;
};

struct padded {
	char a;
	double b;
	short c;
};

struct area_like {
	struct aml_area area;
	struct aml_area_ops ops;
	struct padded data;
};

struct three_chars {
	char c[3];
};

struct eight {
	char a;
	long double b;
	short c;
	void *d;
	struct three_chars e;
	int f;
	float g;
	char h;
};

#define EIGHT \
	char, long double, short, void *, struct three_chars, int, float, char

Test(inner_malloc, second_of_two_pointers_is_the_second_word)
{
	/* upstream test_inner_malloc */
	intptr_t *ptr = AML_INNER_MALLOC(void *, void *);

	cr_assert_not_null(ptr);
	cr_assert_eq(AML_INNER_MALLOC_GET_FIELD(ptr, 2, void *, void *),
		     (void *)&ptr[1]);
	free(ptr);
}

Test(inner_malloc, allocation_is_zeroed_and_struct_sized)
{
	unsigned char *p = AML_INNER_MALLOC(char, double, short);

	cr_assert_not_null(p);
	cr_assert_eq(AML_SIZEOF_ALIGNED(char, double, short),
		     sizeof(struct padded));
	for (size_t i = 0; i < sizeof(struct padded); i++)
		cr_assert_eq(p[i], 0, "byte %zu", i);
	free(p);
}

Test(inner_malloc, fields_sit_where_the_struct_puts_them)
{
	struct area_like *p = AML_INNER_MALLOC(
		struct aml_area, struct aml_area_ops, struct padded);

	cr_assert_not_null(p);
	cr_assert_eq(AML_INNER_MALLOC_GET_FIELD(p, 1, struct aml_area,
						struct aml_area_ops,
						struct padded),
		     (void *)&p->area);
	cr_assert_eq(AML_INNER_MALLOC_GET_FIELD(p, 2, struct aml_area,
						struct aml_area_ops,
						struct padded),
		     (void *)&p->ops);
	cr_assert_eq(AML_INNER_MALLOC_GET_FIELD(p, 3, struct aml_area,
						struct aml_area_ops,
						struct padded),
		     (void *)&p->data);
	free(p);
}

Test(inner_malloc, eight_types_match_the_struct_layout)
{
	cr_assert_eq(AML_SIZEOF_ALIGNED(EIGHT), sizeof(struct eight));
	cr_assert_eq(AML_OFFSETOF_ALIGNED(1, EIGHT), offsetof(struct eight, a));
	cr_assert_eq(AML_OFFSETOF_ALIGNED(2, EIGHT), offsetof(struct eight, b));
	cr_assert_eq(AML_OFFSETOF_ALIGNED(3, EIGHT), offsetof(struct eight, c));
	cr_assert_eq(AML_OFFSETOF_ALIGNED(4, EIGHT), offsetof(struct eight, d));
	cr_assert_eq(AML_OFFSETOF_ALIGNED(5, EIGHT), offsetof(struct eight, e));
	cr_assert_eq(AML_OFFSETOF_ALIGNED(6, EIGHT), offsetof(struct eight, f));
	cr_assert_eq(AML_OFFSETOF_ALIGNED(7, EIGHT), offsetof(struct eight, g));
	cr_assert_eq(AML_OFFSETOF_ALIGNED(8, EIGHT), offsetof(struct eight, h));
}

Test(inner_malloc, sizes_are_integer_constant_expressions)
{
	static char buffer[AML_SIZEOF_ALIGNED(int, char)];
	enum { offset = AML_OFFSETOF_ALIGNED(2, char, int) };

	cr_assert_eq(sizeof(buffer), 8);
	cr_assert_eq(offset, 4);
}

Test(inner_malloc, sixteen_types_are_supported)
{
	cr_assert_eq(AML_OFFSETOF_ALIGNED(16, char, char, char, char, char,
					  char, char, char, char, char, char,
					  char, char, char, char, int),
		     16);
	cr_assert_eq(AML_SIZEOF_ALIGNED(char, char, char, char, char, char,
					char, char, char, char, char, char,
					char, char, char, int),
		     20);
}

Test(inner_malloc, array_follows_the_fields_aligned_for_its_type)
{
	void *p = AML_INNER_MALLOC_ARRAY(3, double, char);
	double *array = AML_INNER_MALLOC_GET_ARRAY(p, double, char);

	cr_assert_not_null(p);
	cr_assert_eq((char *)array, (char *)p + 8);
	cr_assert_eq(AML_SIZEOF_ALIGNED_ARRAY(3, double, char), 8 + 3 * 8);
	array[0] = array[1] = array[2] = 1.0; /* ASan checks the bounds */
	free(p);
}

Test(inner_malloc, extra_bytes_follow_the_array)
{
	char *p = AML_INNER_MALLOC_EXTRA(2, int, 5, void *, char);
	int *array = AML_INNER_MALLOC_GET_ARRAY(p, int, void *, char);
	char *extra = AML_INNER_MALLOC_GET_EXTRA(p, 2, int, void *, char);

	cr_assert_not_null(p);
	cr_assert_eq((char *)array, p + 12);
	cr_assert_geq(extra, (char *)(array + 2));
	cr_assert_eq((size_t)(extra - p) % sizeof(void *), 0,
		     "extra bytes start aligned like the whole block");
	memset(extra, 0xff, 5); /* ASan checks the bounds */
	array[0] = array[1] = -1;
	free(p);
}

Test(inner_malloc, an_empty_array_is_allowed)
{
	cr_assert_eq(AML_SIZEOF_ALIGNED_ARRAY(0, double, char), 8);
}
