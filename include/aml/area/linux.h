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
	/** Pages in a ratio across nodes: aml_area_linux_weighted_create() */
	AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE,
};

struct aml_area_linux_weights;

/** Data of a Linux area. */
struct aml_area_linux_data {
	/** Nodes to bind to (libnuma mask); NULL means all allowed nodes. */
	struct bitmask *nodeset;
	/** Placement policy. */
	enum aml_area_linux_policy policy;
	/** mmap flags used when no options are given; 0 = private anonymous. */
	int mmap_flags;
	/** Nodes and weights of POLICY_WEIGHTED_INTERLEAVE, NULL otherwise. */
	const struct aml_area_linux_weights *weights;
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

/**
 * Apply the area's policy to [ptr, ptr + size), moving the pages already
 * there (a weighted policy lays its stripes out from ptr). 0 or
 * -AML_FAILURE.
 */
int aml_area_linux_mbind(struct aml_area_linux_data *bind, void *ptr,
			 size_t size);

/**
 * 1 if the policy of the range at `ptr` matches the area (mode and
 * nodemask; for a weighted area, every page's stripe node or the kernel's
 * mode over the area's nodes, with ptr and size as mapped), 0 if not,
 * -AML_EINVAL if it cannot be queried.
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

/**
 * @name Weighted interleave
 * Pages spread over nodes in a ratio (docs/weighted.md). The kernel's
 * MPOL_WEIGHTED_INTERLEAVE (Linux 6.9) is used when it accepts the nodes
 * and its system-wide weights give the asked ratio; otherwise the mapping
 * is cut into stripes, each bound with MPOL_PREFERRED to one node, in a
 * smooth weighted round-robin order whose every prefix holds each node's
 * share to within one stripe. The stripe grows with the mapping so that
 * one mapping makes at most max_vmas kernel VMAs; stripes of 2 MiB or more
 * are 2 MiB multiples on a 2 MiB-aligned mapping, so that transparent huge
 * pages still form.
 * @{
 */

/** Most nodes of one weighted policy. */
#define AML_AREA_LINUX_WEIGHTED_MAX_NODES 64
/** Largest weight, as the kernel's (1 is the smallest). */
#define AML_AREA_LINUX_WEIGHT_MAX 255
/** Default VMA budget of one mapping (vm.max_map_count is 65530). */
#define AML_AREA_LINUX_WEIGHTED_MAX_VMAS 1024

/** How a weighted policy places pages. */
enum aml_area_linux_weighted_engine {
	/** Stripes bound with MPOL_PREFERRED, on every kernel. */
	AML_AREA_LINUX_WEIGHTED_STRIPES,
	/** The kernel's MPOL_WEIGHTED_INTERLEAVE with its system weights. */
	AML_AREA_LINUX_WEIGHTED_KERNEL,
};

/**
 * A weighted policy, filled by aml_area_linux_weights_init() (no
 * allocation: it may live inside another structure); read-only after.
 */
struct aml_area_linux_weights {
	unsigned int count;			      /**< nodes */
	int nodes[AML_AREA_LINUX_WEIGHTED_MAX_NODES]; /**< as given */
	unsigned int
		weights[AML_AREA_LINUX_WEIGHTED_MAX_NODES]; /**< as given */
	/** The weights divided by their greatest common divisor. */
	unsigned int reduced[AML_AREA_LINUX_WEIGHTED_MAX_NODES];
	unsigned int period; /**< stripes in one period: sum of reduced */
	unsigned int runs;   /**< runs of one node in a period, cyclically */
	/** Smallest stripe in bytes (a page multiple); 0: automatic. */
	size_t stripe;
	size_t max_vmas; /**< VMA budget of one mapping */
	/** Transparent huge pages were "always" at init (auto stripe). */
	int thp;
	enum aml_area_linux_weighted_engine engine; /**< chosen at init */
};

/**
 * Why nodes/weights cannot make a weighted policy, as a sentence ("a weight
 * is 0 or over 255 (weights are 1 to 255)", "node 3 is listed twice", ...),
 * or NULL if they can. Same checks as aml_area_linux_weights_init().
 */
const char *aml_area_linux_weights_problem(const int *nodes,
					   const unsigned int *weights,
					   size_t count);

/**
 * Fill `w` from `count` nodes and their weights (1-255 each, a node at
 * most once, every node allowed to this process), with the automatic
 * stripe and the default VMA budget, and choose the engine: the kernel's
 * when it accepts MPOL_WEIGHTED_INTERLEAVE on these nodes and its weights
 * in /sys/kernel/mm/mempolicy/weighted_interleave are in the same ratio,
 * else stripes. Never allocates.
 * @return 0; -AML_EINVAL (NULL w, no nodes, weights without nodes, a node
 * twice, more than AML_AREA_LINUX_WEIGHTED_MAX_NODES nodes); -AML_EDOM (a
 * weight of 0 or over 255, a node outside the allowed nodes).
 */
int aml_area_linux_weights_init(struct aml_area_linux_weights *w,
				const int *nodes, const unsigned int *weights,
				size_t count);

/**
 * Stripe options: `stripe` is the smallest stripe in bytes, a multiple of
 * the page size, or 0 for automatic: 2 MiB (a huge page) when transparent
 * huge pages are "always" and the mapping holds a period of 2 MiB stripes
 * (sum of the reduced weights x 2 MiB), else the smallest that leaves
 * about 1 MiB per VMA (one period for small mappings). `max_vmas` is the
 * most kernel VMAs one mapping may make (0: the default,
 * AML_AREA_LINUX_WEIGHTED_MAX_VMAS); the stripe of a mapping grows (to a
 * page multiple, a 2 MiB multiple from 2 MiB up) until it fits the
 * budget. No effect on the kernel engine.
 * @return 0, -AML_EINVAL (NULL w, stripe not a page multiple).
 */
int aml_area_linux_weights_set_stripe(struct aml_area_linux_weights *w,
				      size_t stripe, size_t max_vmas);

/** The stripe in bytes a mapping of `size` bytes gets (a page: kernel). */
size_t aml_area_linux_weights_stripe_for(const struct aml_area_linux_weights *w,
					 size_t size);

/**
 * Create a Linux area placing every mapping's pages over `nodes` in the
 * ratio of `weights` (both `count` long), before first touch.
 * *area is NULL on every error.
 * @return 0, the errors of aml_area_linux_weights_init(), -AML_ENOMEM.
 */
int aml_area_linux_weighted_create(struct aml_area **area, const int *nodes,
				   const unsigned int *weights, size_t count);

/**
 * aml_area_linux_weights_set_stripe() on a weighted area.
 * @return 0, -AML_EINVAL (not a weighted area, bad stripe).
 */
int aml_area_linux_weighted_set_stripe(struct aml_area *area, size_t stripe,
				       size_t max_vmas);

/** Where aml_area_linux_weights_from_machine() takes weights from. */
enum aml_area_linux_weights_source {
	/** HMAT if it describes every node, else the kernel's weights. */
	AML_AREA_LINUX_WEIGHTS_AUTO,
	/**
	 * HMAT bandwidth (min of read and write) of each node from its
	 * nearest initiators (nodeN/access0/initiators), which must include
	 * a node of the CPUs this thread may run on.
	 */
	AML_AREA_LINUX_WEIGHTS_HMAT,
	/** /sys/kernel/mm/mempolicy/weighted_interleave/nodeN (6.9+). */
	AML_AREA_LINUX_WEIGHTS_KERNEL,
};

/**
 * Weights (1-255, in the ratio of the figures, divided by their common
 * divisor) for `count` nodes into `weights`, from `source`; the source used
 * goes to *used when used is not NULL.
 * @return 0; -AML_EINVAL (NULL arguments, no nodes, a node twice, a node
 * below 0 or from AML_BITMAP_MAX); -AML_ENOTSUP (the source, or with AUTO
 * both, has no figures for some node relative to this thread's CPUs: the
 * caller falls back to plain interleave).
 */
int aml_area_linux_weights_from_machine(
	const int *nodes, size_t count, unsigned int *weights,
	enum aml_area_linux_weights_source source,
	enum aml_area_linux_weights_source *used);

/**
 * Make a weighted area in `storage` over the nodes of `w` (filled by
 * aml_area_linux_weights_init()), without allocating: the area points to
 * `w`, which must live as long as the area (static storage in the shim).
 * Never pass it to aml_area_linux_destroy.
 * @return 0; -AML_EINVAL (NULL storage or w, w without nodes).
 */
int aml_area_linux_weighted_init(struct aml_area_linux_static *storage,
				 const struct aml_area_linux_weights *w);

/** @} */

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
