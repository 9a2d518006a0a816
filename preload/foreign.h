/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Another allocator in the process (mimalloc, tcmalloc, ...) that the shim
 * cannot stand in for (beside the heap, over the base layer only). Found
 * at start-up from the dynamic symbol tables of the loaded objects; the
 * shim then steps aside: the malloc family forwards to the next
 * definitions, and the shim's own earlier blocks are still freed by the
 * shim. Nothing here allocates.
 */
#ifndef AML_PRELOAD_FOREIGN_H
#define AML_PRELOAD_FOREIGN_H

#include <stdbool.h>
#include <stddef.h>

/* True once the shim has stepped aside; set at start-up only. */
extern bool foreign_aside;

/* Look for allocators the shim cannot stand in for; if one is there, say
 * so once and resolve the next malloc family. True when the shim must
 * step aside (foreign_aside is then set; init.c clears the heap's fast
 * path). */
bool foreign_detect(void);

/* The next allocator's functions (only while foreign_aside). */
void *foreign_alloc(size_t size, size_t alignment, bool zero);
void foreign_free(void *ptr);
void *foreign_realloc(void *ptr, size_t size);
size_t foreign_usable_size(void *ptr);
/* The next malloc_trim, or -1 when there is none. */
int foreign_trim(size_t pad);

#endif /* AML_PRELOAD_FOREIGN_H */
