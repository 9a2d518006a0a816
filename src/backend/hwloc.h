/* SPDX-License-Identifier: BSD-3-Clause */
/* The hwloc backend's internal interface, shared with src/area/hwloc.c. */
#ifndef AML_SRC_BACKEND_HWLOC_H
#define AML_SRC_BACKEND_HWLOC_H

#include <hwloc.h>

#include "aml/utils/backend/hwloc.h"
#include "internal.h"

/*
 * Counts aml_init() calls that built a topology: objects taken from one
 * topology are stale once the generation moves on.
 */
AML_INTERNAL unsigned long aml_hwloc_generation(void);

/* 1 if aml_topology describes the running system (no AML_TOPOLOGY). */
AML_INTERNAL int aml_hwloc_is_live(void);

/* The normal (non-memory) object a memory object is attached to. */
AML_INTERNAL hwloc_obj_t aml_hwloc_normal_parent(hwloc_obj_t obj);

/* Hop count between two objects of aml_topology (see backend/hwloc.h). */
AML_INTERNAL unsigned aml_hwloc_hops(hwloc_obj_t a, hwloc_obj_t b);

#endif /* AML_SRC_BACKEND_HWLOC_H */
