/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A library with an allocator's name but not its malloc (as a runtime's
 * private mimalloc): mi_malloc here is a wrapper of the malloc family.
 */
#include <stdlib.h>

void *mi_malloc(size_t size)
{
	return malloc(size);
}
