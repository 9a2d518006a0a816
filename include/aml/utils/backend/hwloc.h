/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file backend/hwloc.h
 * The hwloc state behind the hwloc areas, valid between aml_init() and
 * aml_finalize().
 */
#ifndef AML_UTILS_BACKEND_HWLOC_H
#define AML_UTILS_BACKEND_HWLOC_H

#include <hwloc.h>
#include <hwloc/distances.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The topology the hwloc areas use: the running system, or the hwloc XML
 * file named by the environment variable AML_TOPOLOGY at aml_init() time.
 * NULL outside aml_init()/aml_finalize().
 */
extern hwloc_topology_t aml_topology;

/** The NUMA nodes areas may use (the topology's allowed nodeset). */
extern hwloc_const_bitmap_t allowed_nodeset;

/**
 * Build a hop-count distance matrix between every object of type `ta`
 * and every object of type `tb` of aml_topology (one block of
 * [objects of ta] ++ [objects of tb], or only those of ta if ta == tb).
 * The hop count of two objects is the number of tree edges to climb from
 * each until both reach a common cpuset, a NUMA node first stepping to
 * the object it is attached to.
 * @param[out] s: one free()-able block with nbobjs, objs and values set;
 *             kind FROM_USER | MEANS_LATENCY (| HETEROGENEOUS_TYPES).
 * @return 0, -AML_EINVAL (s NULL), -AML_ENOTSUP (no aml_init(), or no
 *         object of a type), -AML_ENOMEM.
 */
int aml_hwloc_distance_hop_matrix(const hwloc_obj_type_t ta,
				  const hwloc_obj_type_t tb,
				  struct hwloc_distances_s **s);

#ifdef __cplusplus
}
#endif
#endif /* AML_UTILS_BACKEND_HWLOC_H */
