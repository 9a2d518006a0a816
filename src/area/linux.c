/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Linux area: mmap(2) then mbind(2) before first touch, so every page
 * lands where the area's policy says.
 *
 * The mmap path (aml_area_linux_mmap_mbind on an existing area) never
 * allocates: the preload shim calls it from inside malloc. libnuma is used
 * only by create/destroy, apart from reading numa_all_nodes_ptr.
 */
#define AML_NO_SEED_COMPAT
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "area/linux-weighted.h"
#include "internal.h"

/*
 * The legacy mmap flags are literals in the public header (MAP_ANONYMOUS is
 * hidden from -std=c99 includers); check here that they are the real ones.
 */
typedef char aml_linux_private_flag_is_map_private_anonymous
	[AML_AREA_LINUX_MMAP_FLAG_PRIVATE == (MAP_PRIVATE | MAP_ANONYMOUS)
		 ? 1
		 : -1];
typedef char aml_linux_shared_flag_is_map_shared_anonymous
	[AML_AREA_LINUX_MMAP_FLAG_SHARED == (MAP_SHARED | MAP_ANONYMOUS) ? 1
									 : -1];

#define BITS_PER_ULONG (8 * sizeof(unsigned long))
/* get_mempolicy(2) writes at most this many node bits. */
#define QUERY_MAX_NODES AML_BITMAP_MAX
/* Pages asked of move_pages(2) at a time, on the stack. */
#define PAGES_PER_QUERY 256

/* ------------------------------------------------------------------------
 * Policies and node masks
 */

static int policy_to_mpol(enum aml_area_linux_policy policy)
{
	switch (policy) {
	case AML_AREA_LINUX_POLICY_BIND:
		return MPOL_BIND;
	case AML_AREA_LINUX_POLICY_PREFERRED:
		return MPOL_PREFERRED;
	case AML_AREA_LINUX_POLICY_INTERLEAVE:
		return MPOL_INTERLEAVE;
	case AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE:
		return AML_MPOL_WEIGHTED_INTERLEAVE;
	default:
		return MPOL_DEFAULT;
	}
}

/* The 2019 binding flags are MPOL_* values: BIND and PREFERRED swap. */
static int binding_flag_to_policy(int binding_flags,
				  enum aml_area_linux_policy *policy)
{
	switch (binding_flags) {
	case AML_AREA_LINUX_BINDING_FLAG_DEFAULT:
		*policy = AML_AREA_LINUX_POLICY_DEFAULT;
		return 0;
	case AML_AREA_LINUX_BINDING_FLAG_BIND:
		*policy = AML_AREA_LINUX_POLICY_BIND;
		return 0;
	case AML_AREA_LINUX_BINDING_FLAG_PREFERRED:
		*policy = AML_AREA_LINUX_POLICY_PREFERRED;
		return 0;
	case AML_AREA_LINUX_BINDING_FLAG_INTERLEAVE:
		*policy = AML_AREA_LINUX_POLICY_INTERLEAVE;
		return 0;
	default:
		return -AML_EINVAL;
	}
}

static int ulong_bit(const unsigned long *mask, unsigned long nbits,
		     unsigned long i)
{
	if (i >= nbits)
		return 0;
	return (int)((mask[i / BITS_PER_ULONG] >> (i % BITS_PER_ULONG)) & 1UL);
}

static int bitmask_bit(const struct bitmask *mask, unsigned long i)
{
	return ulong_bit(mask->maskp, mask->size, i);
}

/* The nodes an area binds to: its own, or all the allowed ones. */
static const struct bitmask *area_nodes(const struct aml_area_linux_data *d)
{
	return d->nodeset != NULL ? d->nodeset : numa_all_nodes_ptr;
}

static int first_node(const struct bitmask *mask)
{
	unsigned long i;

	for (i = 0; i < mask->size; i++)
		if (bitmask_bit(mask, i))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------------------
 * Creation and destruction
 */

/* 1 if every node of `nodemask` is in `allowed`. */
static int nodemask_is_allowed(const struct aml_bitmap *nodemask,
			       const struct bitmask *allowed)
{
	unsigned int i;

	for (i = 0; i < AML_BITMAP_MAX; i++)
		if (aml_bitmap_isset(nodemask, i) == 1 &&
		    !bitmask_bit(allowed, i))
			return 0;
	return 1;
}

/*
 * The node set to store: exactly `nodemask`, reusing the allowed mask's
 * storage; NULL for the default policy, which never binds.
 */
static struct bitmask *nodeset_for(const struct aml_bitmap *nodemask,
				   enum aml_area_linux_policy policy,
				   struct bitmask *allowed)
{
	unsigned int i;

	if (policy == AML_AREA_LINUX_POLICY_DEFAULT) {
		numa_bitmask_free(allowed);
		return NULL;
	}
	/* NULL or empty: all allowed nodes, as upstream callers observed. */
	if (nodemask == NULL || aml_bitmap_iszero(nodemask) == 1)
		return allowed;
	numa_bitmask_clearall(allowed);
	for (i = 0; i < AML_BITMAP_MAX && i < allowed->size; i++)
		if (aml_bitmap_isset(nodemask, i) == 1)
			numa_bitmask_setbit(allowed, i);
	return allowed;
}

static int linux_area_new(struct aml_area **area,
			  const struct aml_bitmap *nodemask,
			  enum aml_area_linux_policy policy, int mmap_flags)
{
	struct aml_linux_area *la;
	struct bitmask *allowed;

	if ((unsigned int)policy > AML_AREA_LINUX_POLICY_INTERLEAVE)
		return aml_fail(AML_EINVAL);
	allowed = numa_get_mems_allowed();
	if (allowed == NULL)
		return aml_fail(AML_ENOMEM);
	if (nodemask != NULL && !nodemask_is_allowed(nodemask, allowed)) {
		numa_bitmask_free(allowed);
		return aml_fail(AML_EDOM);
	}
	la = calloc(1, sizeof(*la));
	if (la == NULL) {
		numa_bitmask_free(allowed);
		return aml_fail(AML_ENOMEM);
	}
	la->data.nodeset = nodeset_for(nodemask, policy, allowed);
	la->data.policy = policy;
	la->data.mmap_flags = mmap_flags;
	la->area.ops = &aml_area_linux_ops;
	la->area.data = (struct aml_area_data *)&la->data;
	*area = &la->area;
	return AML_SUCCESS;
}

int aml_area_linux_create(struct aml_area **area,
			  const struct aml_bitmap *nodemask,
			  const enum aml_area_linux_policy policy)
{
	if (area == NULL)
		return aml_fail(AML_EINVAL);
	*area = NULL;
	return linux_area_new(area, nodemask, policy, 0);
}

int aml_area_linux_create_flags(struct aml_area **area, int mmap_flags,
				const struct aml_bitmap *nodemask,
				int binding_flags)
{
	enum aml_area_linux_policy policy;

	if (area == NULL)
		return aml_fail(AML_EINVAL);
	*area = NULL;
	if (mmap_flags != AML_AREA_LINUX_MMAP_FLAG_PRIVATE &&
	    mmap_flags != AML_AREA_LINUX_MMAP_FLAG_SHARED)
		return aml_fail(AML_EINVAL);
	if (binding_flag_to_policy(binding_flags, &policy) != 0)
		return aml_fail(AML_EINVAL);
	return linux_area_new(area, nodemask, policy, mmap_flags);
}

int aml_area_linux_init(struct aml_area_linux_static *storage,
			const struct aml_bitmap *nodemask,
			enum aml_area_linux_policy policy)
{
	if (storage == NULL ||
	    (unsigned int)policy > AML_AREA_LINUX_POLICY_INTERLEAVE)
		return aml_fail(AML_EINVAL);
	if (policy != AML_AREA_LINUX_POLICY_DEFAULT &&
	    (nodemask == NULL || aml_bitmap_iszero(nodemask) == 1))
		return aml_fail(AML_EINVAL);
	memset(storage, 0, sizeof(*storage));
	if (policy != AML_AREA_LINUX_POLICY_DEFAULT) {
		memcpy(storage->nodes, nodemask->mask, sizeof(storage->nodes));
		storage->nodeset.size = AML_BITMAP_MAX;
		storage->nodeset.maskp = storage->nodes;
		storage->data.nodeset = &storage->nodeset;
	}
	storage->data.policy = policy;
	storage->data.mmap_flags = 0;
	storage->area.ops = &aml_area_linux_ops;
	storage->area.data = (struct aml_area_data *)&storage->data;
	return AML_SUCCESS;
}

void aml_area_linux_destroy(struct aml_area **area)
{
	struct aml_linux_area *la;

	if (area == NULL || *area == NULL)
		return;
	la = (struct aml_linux_area *)*area;
	aml_registry_forget_area(*area);
	if (la->data.nodeset != NULL)
		numa_bitmask_free(la->data.nodeset);
	free(la);
	*area = NULL;
}

/* ------------------------------------------------------------------------
 * Mapping and binding (never allocates)
 */

/*
 * mbind with `flags`: MPOL_MF_MOVE also moves the pages already there, and
 * makes the kernel drain every CPU's LRU caches first (lru_cache_disable:
 * an expedited RCU grace period, tens of microseconds), so it is asked for
 * only where pages may exist.
 */
static int bind_range(const struct aml_area_linux_data *bind, void *ptr,
		      size_t size, unsigned flags)
{
	const struct bitmask *nodes;
	int mode, err;

	assert(bind);
	mode = policy_to_mpol(bind->policy);
	if (mode == AML_MPOL_WEIGHTED_INTERLEAVE) {
		err = aml_linux_weighted_bind(bind->weights, ptr, size, flags);
	} else if (mode == MPOL_DEFAULT) {
		/* The kernel rejects MPOL_DEFAULT with a non-empty mask. */
		err = aml_os_mbind(ptr, size, MPOL_DEFAULT, NULL, 0, flags);
	} else {
		nodes = area_nodes(bind);
		/* The kernel reads maxnode - 1 bits. */
		err = aml_os_mbind(ptr, size, mode, nodes->maskp,
				   nodes->size + 1, flags);
	}
	if (err) {
		errno = -err;
		return -AML_FAILURE;
	}
	return AML_SUCCESS;
}

int aml_area_linux_mbind(struct aml_area_linux_data *bind, void *ptr,
			 size_t size)
{
	return bind_range(bind, ptr, size, MPOL_MF_MOVE);
}

int aml_linux_default_mmap_flags(const struct aml_area_linux_data *data)
{
	if (data == NULL || data->mmap_flags == 0)
		return MAP_PRIVATE | MAP_ANONYMOUS;
	return data->mmap_flags;
}

void *aml_area_linux_mmap(const struct aml_area_data *area_data, size_t size,
			  struct aml_area_mmap_options *opts)
{
	const struct aml_area_linux_data *data =
		(const struct aml_area_linux_data *)area_data;
	const struct aml_area_linux_mmap_options *o =
		(const struct aml_area_linux_mmap_options *)opts;
	void *ptr;
	int err;

	if (o != NULL)
		err = aml_os_mmap(&ptr, o->ptr, size, o->mode, o->flags, o->fd,
				  o->offset);
	else
		err = aml_os_mmap(&ptr, NULL, size, PROT_READ | PROT_WRITE,
				  aml_linux_default_mmap_flags(data), -1, 0);
	if (err) {
		errno = -err;
		aml_errno = AML_FAILURE;
		return NULL;
	}
	return ptr;
}

static int needs_binding(const struct aml_area_linux_data *data)
{
	return data != NULL && (data->nodeset != NULL ||
				data->policy != AML_AREA_LINUX_POLICY_DEFAULT);
}

/*
 * A new anonymous mapping has no pages until it is touched (unless
 * MAP_POPULATE faulted them in): nothing to move. A file mapping may have
 * pages in the page cache, which MPOL_MF_MOVE moves as upstream did.
 */
static unsigned mbind_flags_after_mmap(const struct aml_area_mmap_options *opts)
{
	const struct aml_area_linux_mmap_options *o =
		(const struct aml_area_linux_mmap_options *)opts;

	if (o == NULL)
		return 0; /* default_mmap_flags: private, anonymous */
	if ((o->flags & MAP_ANONYMOUS) && !(o->flags & MAP_POPULATE))
		return 0;
	return MPOL_MF_MOVE;
}

void *aml_area_linux_mmap_mbind(const struct aml_area_data *area_data,
				size_t size, struct aml_area_mmap_options *opts)
{
	struct aml_area_linux_data *data =
		(struct aml_area_linux_data *)area_data;
	void *ptr = aml_linux_weighted_mmap_aligned(data, size, opts);
	int saved;

	if (ptr == NULL)
		ptr = aml_area_linux_mmap(area_data, size, opts);

	if (ptr == NULL || !needs_binding(data))
		return ptr;
	if (bind_range(data, ptr, size, mbind_flags_after_mmap(opts)) !=
	    AML_SUCCESS) {
		saved = errno;
		aml_os_munmap(ptr, size);
		errno = saved;
		aml_errno = AML_FAILURE;
		return NULL;
	}
	return ptr;
}

int aml_area_linux_munmap(const struct aml_area_data *area_data, void *ptr,
			  const size_t size)
{
	int err;

	(void)area_data;
	err = aml_os_munmap(ptr, size);
	if (err) {
		errno = -err;
		return -AML_FAILURE;
	}
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Queries
 */

/* 1 if the kernel's mask and the area's node set hold the same nodes. */
static int same_nodes(const unsigned long *kernel_mask,
		      const struct bitmask *nodes)
{
	unsigned long i;

	for (i = 0; i < QUERY_MAX_NODES; i++)
		if (ulong_bit(kernel_mask, QUERY_MAX_NODES, i) !=
		    bitmask_bit(nodes, i))
			return 0;
	for (; i < nodes->size; i++)
		if (bitmask_bit(nodes, i))
			return 0;
	return 1;
}

/* 1 if the policy of the page at `addr` is the area's, 0 if not. */
static int page_matches(const struct aml_area_linux_data *data, void *addr)
{
	unsigned long mask[QUERY_MAX_NODES / BITS_PER_ULONG];
	int mode, want, err;

	err = aml_os_get_mempolicy(&mode, mask, QUERY_MAX_NODES + 1, addr,
				   MPOL_F_ADDR);
	if (err) {
		errno = -err;
		return -AML_EINVAL;
	}
#ifdef MPOL_F_STATIC_NODES
	mode &= ~(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES);
#endif
	want = policy_to_mpol(data->policy);
	if (mode != want)
		return 0;
	switch (want) {
	case MPOL_BIND:
	case MPOL_INTERLEAVE:
		return same_nodes(mask, area_nodes(data));
	case MPOL_PREFERRED:
		return ulong_bit(mask, QUERY_MAX_NODES,
				 (unsigned long)first_node(area_nodes(data)));
	default:
		return 1;
	}
}

int aml_area_linux_check_binding(struct aml_area_linux_data *area_data,
				 void *ptr, size_t size)
{
	size_t page = aml_os_page_size();
	char *start, *end, *p;
	int ret;

	if (area_data == NULL || ptr == NULL)
		return -AML_EINVAL;
	if (area_data->policy == AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE)
		return aml_linux_weighted_check(area_data->weights, ptr, size);
	start = (char *)((unsigned long)ptr & ~(page - 1));
	end = (char *)ptr + (size ? size : 1);
	for (p = start; p < end; p += page) {
		ret = page_matches(area_data, p);
		if (ret != 1)
			return ret;
	}
	return 1;
}

static void count_status(const int *status, unsigned long n, size_t *counts,
			 int max_nodes, size_t *absent)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (status[i] >= 0 && status[i] < max_nodes)
			counts[status[i]]++;
		else if (absent != NULL)
			(*absent)++;
	}
}

int aml_area_linux_pages_per_node(const void *ptr, size_t size, size_t *counts,
				  int max_nodes, size_t *absent)
{
	void *pages[PAGES_PER_QUERY];
	int status[PAGES_PER_QUERY];
	size_t page = aml_os_page_size();
	unsigned long addr, end, n;
	int err;

	if (ptr == NULL || max_nodes < 0 || (counts == NULL && max_nodes > 0))
		return -AML_EINVAL;
	addr = (unsigned long)ptr & ~(page - 1);
	end = (unsigned long)ptr + size;
	while (addr < end) {
		for (n = 0; n < PAGES_PER_QUERY && addr < end; n++) {
			pages[n] = (void *)addr;
			addr += page;
		}
		/* nodes == NULL: only report where each page is. */
		err = aml_os_move_pages(n, pages, NULL, status, 0);
		if (err < 0) {
			errno = -err;
			return -AML_FAILURE;
		}
		count_status(status, n, counts, max_nodes, absent);
	}
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Description
 */

const char *aml_area_linux_policy_name(enum aml_area_linux_policy policy)
{
	switch (policy) {
	case AML_AREA_LINUX_POLICY_DEFAULT:
		return "default";
	case AML_AREA_LINUX_POLICY_BIND:
		return "bind";
	case AML_AREA_LINUX_POLICY_PREFERRED:
		return "preferred";
	case AML_AREA_LINUX_POLICY_INTERLEAVE:
		return "interleave";
	case AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE:
		return "weighted";
	default:
		return "unknown";
	}
}

static void fprintf_nodeset(FILE *stream, const char *prefix,
			    const struct bitmask *nodeset)
{
	unsigned long i, words;

	if (nodeset == NULL) {
		fprintf(stream, "%s: bitmask: 0x0\n", prefix);
		return;
	}
	/* size counts bits, maskp holds words. */
	words = (nodeset->size + BITS_PER_ULONG - 1) / BITS_PER_ULONG;
	fprintf(stream, "%s: bitmask: size: %lu\n", prefix, nodeset->size);
	fprintf(stream, "%s: bitmask: maskp: ", prefix);
	for (i = 0; i < words; i++)
		fprintf(stream, "%8lx", nodeset->maskp[i]);
	fprintf(stream, "\n");
}

int aml_area_linux_fprintf(const struct aml_area_data *data, FILE *stream,
			   const char *prefix)
{
	const struct aml_area_linux_data *d =
		(const struct aml_area_linux_data *)data;

	if (stream == NULL)
		return -AML_EINVAL;
	if (prefix == NULL)
		prefix = "";
	fprintf(stream, "%s: area-linux: %p\n", prefix, (const void *)data);
	if (d == NULL)
		return AML_SUCCESS;
	fprintf_nodeset(stream, prefix, d->nodeset);
	fprintf(stream, "%s: policy: %s\n", prefix,
		aml_area_linux_policy_name(d->policy));
	if (d->policy == AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE)
		aml_linux_weighted_fprintf(d->weights, stream, prefix);
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Operations and the static area
 */

struct aml_area_ops aml_area_linux_ops = {
	.mmap = aml_area_linux_mmap_mbind,
	.munmap = aml_area_linux_munmap,
	.fprintf = aml_area_linux_fprintf,
};

static struct aml_area_linux_data aml_area_linux_data = {
	.nodeset = NULL,
	.policy = AML_AREA_LINUX_POLICY_DEFAULT,
	.mmap_flags = 0,
};

struct aml_area aml_area_linux = {
	.ops = &aml_area_linux_ops,
	.data = (struct aml_area_data *)&aml_area_linux_data,
};
