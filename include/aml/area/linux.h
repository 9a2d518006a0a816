/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file linux.h
 * The Linux area: anonymous or file mappings bound to NUMA nodes with
 * mbind(2), before first touch.
 */
#ifndef AML_AREA_LINUX_H
#define AML_AREA_LINUX_H

#include <numa.h>
#include <numaif.h>
#include <stddef.h>
#include <sys/types.h>

#include "aml.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup aml_area_linux Linux area
 * @{
 */

/** Placement policy of a Linux area (not the kernel's MPOL_* values). */
enum aml_area_linux_policy {
	AML_AREA_LINUX_POLICY_DEFAULT,	  /**< kernel default, no mbind */
	AML_AREA_LINUX_POLICY_BIND,	  /**< MPOL_BIND: only these nodes */
	AML_AREA_LINUX_POLICY_PREFERRED,  /**< MPOL_PREFERRED: first node */
	AML_AREA_LINUX_POLICY_INTERLEAVE, /**< MPOL_INTERLEAVE: round-robin */
};

/** Data of a Linux area. */
struct aml_area_linux_data {
	/** Nodes to bind to (libnuma mask); NULL means all allowed nodes. */
	struct bitmask *nodeset;
	/** Placement policy. */
	enum aml_area_linux_policy policy;
	/** mmap flags used when no options are given; 0 = private anonymous. */
	int mmap_flags;
};

/**
 * Options of aml_area_mmap() on a Linux area: the arguments of mmap(2),
 * passed verbatim. The caller includes MAP_ANONYMOUS or a valid fd.
 */
struct aml_area_linux_mmap_options {
	void *ptr;    /**< address hint */
	int flags;    /**< MAP_* flags */
	int mode;     /**< PROT_* protection */
	int fd;	      /**< file descriptor, -1 for anonymous */
	off_t offset; /**< file offset */
};

/** Operations of Linux areas. */
extern struct aml_area_ops aml_area_linux_ops;
/** Private anonymous memory with the kernel's default policy. */
extern struct aml_area aml_area_linux;

/**
 * Create a Linux area binding to exactly `nodemask` (NULL or empty: all
 * allowed nodes) with `policy`. *area is NULL on every error.
 * @return 0; -AML_EINVAL (NULL area, bad policy); -AML_EDOM (a node outside
 * the allowed nodes); -AML_ENOMEM.
 */
int aml_area_linux_create(struct aml_area **area,
			  const struct aml_bitmap *nodemask,
			  const enum aml_area_linux_policy policy);

/**
 * Storage for a Linux area made in place by aml_area_linux_init(): the
 * area, its data and its node mask, all in memory the caller owns (static
 * storage, a stack frame, a larger struct). Its members are private; use
 * &storage.area as the area.
 */
struct aml_area_linux_static {
	struct aml_area area;		 /**< the area to use */
	struct aml_area_linux_data data; /**< private */
	struct bitmask nodeset; /**< private: libnuma's view of nodes */
	unsigned long nodes[AML_BITMAP_SIZE]; /**< private: the mask's bits */
};

/**
 * Make a Linux area in `storage`, binding to exactly `nodemask` with
 * `policy`, without allocating and without calling libnuma: usable where
 * malloc is not (inside an allocator, before libnuma has started). The
 * nodes are not checked against the allowed nodes (the caller knows them;
 * mbind(2) refuses a node outside them when memory is mapped). Nothing
 * needs to be freed (never pass it to aml_area_linux_destroy): the area
 * lives as long as `storage`.
 * @return 0; -AML_EINVAL (NULL storage, bad policy, or a NULL or empty
 * nodemask with a policy other than AML_AREA_LINUX_POLICY_DEFAULT, which
 * binds nowhere and ignores nodemask).
 */
int aml_area_linux_init(struct aml_area_linux_static *storage,
			const struct aml_bitmap *nodemask,
			enum aml_area_linux_policy policy);

/** Free an area made by a create function; *area becomes NULL. */
void aml_area_linux_destroy(struct aml_area **area);

/** Apply the area's policy to [ptr, ptr + size). 0 or -AML_FAILURE. */
int aml_area_linux_mbind(struct aml_area_linux_data *bind, void *ptr,
			 size_t size);

/**
 * 1 if the policy of the range at `ptr` matches the area (mode and
 * nodemask), 0 if not, -AML_EINVAL if it cannot be queried.
 */
int aml_area_linux_check_binding(struct aml_area_linux_data *area_data,
				 void *ptr, size_t size);

/** mmap(2) without binding; options as struct aml_area_linux_mmap_options. */
void *aml_area_linux_mmap(const struct aml_area_data *area_data, size_t size,
			  struct aml_area_mmap_options *opts);

/** The ops mmap hook: aml_area_linux_mmap() then aml_area_linux_mbind(). */
void *aml_area_linux_mmap_mbind(const struct aml_area_data *area_data,
				size_t size,
				struct aml_area_mmap_options *opts);

/** munmap(2). 0 or -AML_FAILURE. */
int aml_area_linux_munmap(const struct aml_area_data *area_data, void *ptr,
			  const size_t size);

/** "default", "bind", "preferred" or "interleave"; "unknown" otherwise. */
const char *aml_area_linux_policy_name(enum aml_area_linux_policy policy);

/** The ops fprintf hook. */
int aml_area_linux_fprintf(const struct aml_area_data *data, FILE *stream,
			   const char *prefix);

/**
 * Where the pages of [ptr, ptr + size) really are, asked of the kernel with
 * move_pages(2). For every page resident on node n < max_nodes, counts[n] is
 * incremented (counts is not cleared first). Pages not yet touched, or on a
 * node >= max_nodes, are added to *absent when absent is not NULL.
 * Never allocates. @return 0 or a negative AML error code.
 */
int aml_area_linux_pages_per_node(const void *ptr, size_t size, size_t *counts,
				  int max_nodes, size_t *absent);

/*
 * Legacy (2019 documentation) constructor flags, for
 * aml_area_linux_create(&area, mmap_flags, nodemask, binding_flags).
 * Do not mix these with enum aml_area_linux_policy: BIND and PREFERRED
 * have swapped values between the two families.
 */
#define AML_AREA_LINUX_MMAP_FLAG_PRIVATE 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */
#define AML_AREA_LINUX_MMAP_FLAG_SHARED 0x21  /* MAP_SHARED|MAP_ANONYMOUS */
#define AML_AREA_LINUX_BINDING_FLAG_DEFAULT MPOL_DEFAULT
#define AML_AREA_LINUX_BINDING_FLAG_BIND MPOL_BIND
#define AML_AREA_LINUX_BINDING_FLAG_INTERLEAVE MPOL_INTERLEAVE
#define AML_AREA_LINUX_BINDING_FLAG_PREFERRED MPOL_PREFERRED

/**
 * 2019 constructor: mmap_flags is AML_AREA_LINUX_MMAP_FLAG_PRIVATE or
 * _SHARED, binding_flags one of AML_AREA_LINUX_BINDING_FLAG_*. Otherwise as
 * aml_area_linux_create().
 */
int aml_area_linux_create_flags(struct aml_area **area, int mmap_flags,
				const struct aml_bitmap *nodemask,
				int binding_flags);

/** @} */

#if !defined(AML_NO_SEED_COMPAT) && \
	(!defined(__cplusplus) || __cplusplus >= 201103L)
#define aml_area_linux_create(...) \
	AML_PP_DISPATCH(AML_AREA_LINUX_CREATE_, __VA_ARGS__)
#define AML_AREA_LINUX_CREATE_3(a, n, p) (aml_area_linux_create)(a, n, p)
#define AML_AREA_LINUX_CREATE_4(a, m, n, b) \
	aml_area_linux_create_flags(a, m, n, b)
#endif

#ifdef __cplusplus
}
#endif
#endif /* AML_AREA_LINUX_H */
