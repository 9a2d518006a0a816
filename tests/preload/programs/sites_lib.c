/* SPDX-License-Identifier: BSD-3-Clause */
/* The site in a library that sites.c loads with dlopen. */
#include <stdlib.h>

__attribute__((noinline)) void *lib_fill(size_t n)
{
	char *p = malloc(n);

	if (p != NULL)
		p[0] = 1; /* no tail call */
	return p;
}
