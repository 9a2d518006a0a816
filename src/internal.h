/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal interfaces shared by the library's source files. */
#ifndef AML_SRC_INTERNAL_H
#define AML_SRC_INTERNAL_H

#include <stddef.h>

#include "os.h"

struct aml_area;

/*
 * Registry of live mappings, ptr -> (area, size), for the seed form
 * aml_area_munmap(ptr, size). Keys are never dereferenced (areas may return
 * handles or counters). Storage comes from aml_os_mmap, never malloc, so
 * aml_area_mmap stays usable from inside an allocator.
 */
AML_INTERNAL int aml_registry_insert(const void *ptr,
				     const struct aml_area *area, size_t size);
/* 0 and the entry's area if found, -AML_EINVAL if ptr is not registered. */
AML_INTERNAL int aml_registry_lookup(const void *ptr,
				     const struct aml_area **area,
				     size_t *size);
AML_INTERNAL int aml_registry_remove(const void *ptr);
/* Drop every entry that names `area` (used by destroy functions). */
AML_INTERNAL void aml_registry_forget_area(const struct aml_area *area);
/* Number of live entries (tests and diagnostics). */
AML_INTERNAL size_t aml_registry_count(void);

/* Store a positive code in aml_errno and return its negative. */
AML_INTERNAL int aml_fail(int code);

/* Backend hooks of aml_init/aml_finalize/aml_support_backends. */
AML_INTERNAL int aml_backend_hwloc_init(void);
AML_INTERNAL void aml_backend_hwloc_finalize(void);
AML_INTERNAL int aml_backend_hwloc_supported(void);
/* Level Zero (src/area/ze.c): init never fails, the defaults stay NULL
 * without a driver. */
AML_INTERNAL void aml_backend_ze_init(void);
AML_INTERNAL void aml_backend_ze_finalize(void);
AML_INTERNAL int aml_backend_ze_supported(void);

#endif /* AML_SRC_INTERNAL_H */
