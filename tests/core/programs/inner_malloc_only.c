/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * <aml/utils/inner-malloc.h> on its own: every AML_INNER_MALLOC* form with
 * eight types, including ones that need padding. Valid C99 and C++11.
 * Exits 0 when the layout matches the equivalent struct, else 1.
 */
#include <aml/utils/inner-malloc.h>
#include <stdio.h>
#include <string.h>

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			return 1;                                              \
		}                                                              \
	} while (0)

struct three_chars {
	char c[3];
};

struct eight {
	char a;
	double b;
	short c;
	void *d;
	struct three_chars e;
	int f;
	float g;
	char h;
};

#define EIGHT char, double, short, void *, struct three_chars, int, float, char

int main(void)
{
	struct eight *e = (struct eight *)AML_INNER_MALLOC(EIGHT);
	double *array;
	char *extra;
	void *block;

	CHECK(e != NULL);
	CHECK(AML_SIZEOF_ALIGNED(EIGHT) == sizeof(struct eight));
	CHECK(AML_INNER_MALLOC_GET_FIELD(e, 1, EIGHT) == (void *)&e->a);
	CHECK(AML_INNER_MALLOC_GET_FIELD(e, 4, EIGHT) == (void *)&e->d);
	CHECK(AML_INNER_MALLOC_GET_FIELD(e, 5, EIGHT) == (void *)&e->e);
	CHECK(AML_INNER_MALLOC_GET_FIELD(e, 8, EIGHT) == (void *)&e->h);
	CHECK(AML_OFFSETOF_ALIGNED(6, EIGHT) == offsetof(struct eight, f));
	free(e);

	/* Seven types, then an array of 5 doubles, then 3 extra bytes. */
	block = AML_INNER_MALLOC_EXTRA(5, double, 3, char, int, char, short,
				       char, void *, char);
	CHECK(block != NULL);
	array = (double *)AML_INNER_MALLOC_GET_ARRAY(
		block, double, char, int, char, short, char, void *, char);
	extra = (char *)AML_INNER_MALLOC_GET_EXTRA(
		block, 5, double, char, int, char, short, char, void *, char);
	CHECK((size_t)((char *)array - (char *)block) % sizeof(double) == 0);
	CHECK((char *)array > (char *)block);
	CHECK(extra >= (char *)(array + 5));
	memset(array, 0x7f, 5 * sizeof(double));
	memset(extra, 0x7f, 3);
	free(block);

	block = AML_INNER_MALLOC_ARRAY(10, int, void *);
	CHECK(block != NULL);
	CHECK(AML_INNER_MALLOC_GET_ARRAY(block, int, void *) ==
	      (void *)((char *)block + sizeof(void *)));
	free(block);
	return 0;
}
