/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hwloc.h
 * hwloc areas: memory bound to an hwloc nodeset with an hwloc membind
 * policy, and the "preferred" area that orders NUMA nodes by distance from
 * an initiator (a core, a package, a NUMA node...) and fills the nearest
 * node first, spilling to the next nearest when a node is full.
 *
 * Every function here needs aml_init() (it builds the hwloc topology
 * `aml_topology`); before it they fail with AML_ENOTSUP.
 */
#ifndef AML_AREA_HWLOC_H
#define AML_AREA_HWLOC_H

#include <stddef.h>
#include <hwloc.h>
#include <hwloc/distances.h>

#include "aml.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup aml_area_hwloc hwloc areas
 * @{
 */

/** Data of an hwloc area. */
struct aml_area_hwloc_data {
	/** Nodes to bind to; NULL means every allowed node. */
	hwloc_bitmap_t nodeset;
	/** hwloc membind policy. */
	hwloc_membind_policy_t policy;
};

/**
 * Create an area binding memory to `nodeset` with `policy`.
 * The nodeset is copied; NULL means every allowed node.
 * @return 0 on success, or
 *         -AML_EINVAL: `area` is NULL, `nodeset` is empty, or `policy` is
 *         not one of DEFAULT, FIRSTTOUCH, BIND, INTERLEAVE, NEXTTOUCH;
 *         -AML_EDOM: `nodeset` holds a node outside the allowed nodes;
 *         -AML_ENOTSUP: aml_init() was not called, or the system does not
 *         support `policy`;
 *         -AML_ENOMEM: out of memory.
 */
int aml_area_hwloc_create(struct aml_area **area, hwloc_bitmap_t nodeset,
			  const hwloc_membind_policy_t policy);

/** Free an area from aml_area_hwloc_create(); NULL-safe, sets *area NULL. */
void aml_area_hwloc_destroy(struct aml_area **area);

/**
 * Map `size` bytes bound as the area says (opts are ignored).
 * NULL on error with aml_errno AML_ENOTSUP (no aml_init() or policy not
 * supported), AML_EINVAL, AML_ENOMEM or AML_FAILURE (binding refused).
 */
void *aml_area_hwloc_mmap(const struct aml_area_data *data, size_t size,
			  struct aml_area_mmap_options *opts);

/** Unmap; 0 or a negative AML error code. */
int aml_area_hwloc_munmap(const struct aml_area_data *data, void *ptr,
			  size_t size);

/** Describe an hwloc area: nodeset and policy. */
int aml_area_hwloc_fprintf(const struct aml_area_data *data, FILE *stream,
			   const char *prefix);

/**
 * 1 if [ptr, ptr + size) is bound as `area` says, 0 if not,
 * -AML_EINVAL if `area`/`ptr` is NULL or the binding cannot be read,
 * -AML_ENOTSUP before aml_init(). The nodeset is compared only for the
 * policies that bind (BIND, INTERLEAVE, NEXTTOUCH); DEFAULT and FIRSTTOUCH
 * are the same kernel policy and match each other.
 */
int aml_area_hwloc_check_binding(struct aml_area *area, void *ptr, size_t size);

/** Operations of hwloc areas. */
extern struct aml_area_ops aml_area_hwloc_ops;
/** Every allowed node, HWLOC_MEMBIND_DEFAULT. */
extern struct aml_area aml_area_hwloc_default;
/** Every allowed node, HWLOC_MEMBIND_INTERLEAVE. */
extern struct aml_area aml_area_hwloc_interleave;
/** Every allowed node, HWLOC_MEMBIND_FIRSTTOUCH. */
extern struct aml_area aml_area_hwloc_firsttouch;

/** Data of a preferred area: NUMA nodes, nearest first. */
struct aml_area_hwloc_preferred_data {
	/** Number of NUMA nodes in `numanodes`. */
	unsigned num_nodes;
	/**
	 * NUMA node objects of `aml_topology`, nearest first; equal
	 * distances are ordered by logical index. Invalid after
	 * aml_finalize().
	 */
	hwloc_obj_t *numanodes;
};

/** Options of aml_area_hwloc_preferred_mmap(). */
struct aml_area_hwloc_options {
	/**
	 * Bytes (rounded up to pages) that always land together on one
	 * node; 0 means one page.
	 */
	size_t min_size;
};

/**
 * Create a preferred area ordering the NUMA nodes by their distance from
 * `initiator`, an object of `aml_topology`.
 *
 * Distances come from the hwloc distance matrices selected by `kind`
 * (HWLOC_DISTANCES_KIND_FROM_* and _MEANS_* bits; 0 means any): a matrix
 * holding the initiator itself is preferred, then a NUMA-node matrix, then
 * a matrix of the finest objects. Bandwidth matrices order the largest
 * value first. A NUMA-node matrix is read from the NUMA nodes local to the
 * initiator. Without a usable matrix, the order is by hop count in the
 * topology tree. Ties are broken by logical index.
 *
 * @return 0 on success, or
 *         -AML_EINVAL: `area` or `initiator` is NULL, or `initiator` is not
 *         an object of `aml_topology`;
 *         -AML_ENOTSUP: aml_init() was not called, or the topology has no
 *         NUMA node;
 *         -AML_ENOMEM: out of memory.
 */
int aml_area_hwloc_preferred_create(struct aml_area **area,
				    hwloc_obj_t initiator,
				    enum hwloc_distances_kind_e kind);

/**
 * aml_area_hwloc_preferred_create() from the calling thread's CPU
 * binding: the initiator is the largest object inside it (a thread that is
 * not bound gets the Machine, i.e. the average distance from every CPU).
 * @return as aml_area_hwloc_preferred_create(), and -AML_FAILURE if the
 *         binding cannot be read or is empty.
 */
int aml_area_hwloc_preferred_local_create(struct aml_area **area,
					  enum hwloc_distances_kind_e kind);

/** Free a preferred area; NULL-safe, sets *area NULL, returns 0. */
int aml_area_hwloc_preferred_destroy(struct aml_area **area);

/**
 * Map `size` bytes, nearest node first. `opts` is a
 * struct aml_area_hwloc_options * or NULL.
 *
 * Each node takes as much of the mapping as its free memory allows (keeping
 * a reserve of 1/32 of the node), in whole `min_size` blocks; the rest
 * spills to the next node in order. Every range is bound with
 * HWLOC_MEMBIND_BIND before it is touched, and never past the end of the
 * mapping. NULL with aml_errno AML_ENOMEM (nothing stays mapped) when the
 * nodes together cannot hold `size`, AML_FAILURE if the kernel refuses a
 * binding, AML_ENOTSUP before aml_init().
 */
void *aml_area_hwloc_preferred_mmap(const struct aml_area_data *area_data,
				    size_t size,
				    struct aml_area_mmap_options *opts);

/** Unmap; 0 or a negative AML error code. */
int aml_area_hwloc_preferred_munmap(const struct aml_area_data *data, void *ptr,
				    size_t size);

/** Describe a preferred area: its nodes, nearest first. */
int aml_area_hwloc_preferred_fprintf(const struct aml_area_data *data,
				     FILE *stream, const char *prefix);

/** Operations of preferred areas. */
extern struct aml_area_ops aml_area_hwloc_preferred_ops;

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* AML_AREA_HWLOC_H */
