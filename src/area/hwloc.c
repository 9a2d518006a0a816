/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hwloc areas: memory bound to an hwloc nodeset with an hwloc policy,
 * and the preferred area, which orders NUMA nodes by distance from an
 * initiator and fills the nearest node first, spilling to the next one.
 *
 * Mappings come from the OS primitives of os.h; hwloc translates the
 * policies of plain hwloc areas, the preferred area binds with MPOL_BIND.
 */
#define AML_NO_SEED_COMPAT
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "aml.h"
#include "aml/area/hwloc.h"
#include "backend/hwloc.h"

#define BITS_PER_ULONG (8 * sizeof(unsigned long))
/* At most this many distance matrices are looked at. */
#define MAX_MATRICES 32
/* A node keeps 1/NODE_RESERVE_FRACTION of its memory free. */
#define NODE_RESERVE_FRACTION 32

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* An area and its data in one allocation. */
struct hwloc_area {
	struct aml_area area;
	struct aml_area_hwloc_data data;
};

/* A preferred area, its data and its node order in one allocation. */
struct preferred_area {
	struct aml_area area;
	struct aml_area_hwloc_preferred_data data;
	/* The topology generation the node objects belong to. */
	unsigned long generation;
	hwloc_obj_t nodes[];
};

static int errno_to_aml(int err)
{
	switch (err) {
	case EINVAL:
		return AML_EINVAL;
	case ENOSYS:
		return AML_ENOTSUP;
	case ENOMEM:
		return AML_ENOMEM;
	default:
		return AML_FAILURE;
	}
}

/* ------------------------------------------------------------------------
 * hwloc areas: creation
 */

static int policy_is_supported(hwloc_membind_policy_t policy)
{
	const struct hwloc_topology_membind_support *membind =
		hwloc_topology_get_support(aml_topology)->membind;

	switch (policy) {
	case HWLOC_MEMBIND_DEFAULT:
		return 1;
	case HWLOC_MEMBIND_FIRSTTOUCH:
		return membind->firsttouch_membind;
	case HWLOC_MEMBIND_BIND:
		return membind->bind_membind;
	case HWLOC_MEMBIND_INTERLEAVE:
		return membind->interleave_membind;
	case HWLOC_MEMBIND_NEXTTOUCH:
		return membind->nexttouch_membind;
	default:
		return 0;
	}
}

static int policy_is_known(hwloc_membind_policy_t policy)
{
	return policy == HWLOC_MEMBIND_DEFAULT ||
	       policy == HWLOC_MEMBIND_FIRSTTOUCH ||
	       policy == HWLOC_MEMBIND_BIND ||
	       policy == HWLOC_MEMBIND_INTERLEAVE ||
	       policy == HWLOC_MEMBIND_NEXTTOUCH;
}

static int check_nodeset(hwloc_const_bitmap_t nodeset)
{
	if (nodeset == NULL)
		return AML_SUCCESS;
	if (hwloc_bitmap_iszero(nodeset))
		return -AML_EINVAL;
	if (!hwloc_bitmap_isincluded(nodeset, allowed_nodeset))
		return -AML_EDOM;
	return AML_SUCCESS;
}

int aml_area_hwloc_create(struct aml_area **area, hwloc_bitmap_t nodeset,
			  const hwloc_membind_policy_t policy)
{
	struct hwloc_area *ha;
	int err;

	if (area == NULL)
		return aml_fail(AML_EINVAL);
	*area = NULL;
	if (aml_topology == NULL)
		return aml_fail(AML_ENOTSUP);
	if (!policy_is_known(policy))
		return aml_fail(AML_EINVAL);
	err = check_nodeset(nodeset);
	if (err)
		return aml_fail(err);
	if (!policy_is_supported(policy))
		return aml_fail(AML_ENOTSUP);

	ha = calloc(1, sizeof(*ha));
	if (ha == NULL)
		return aml_fail(AML_ENOMEM);
	ha->data.nodeset =
		hwloc_bitmap_dup(nodeset ? nodeset : allowed_nodeset);
	if (ha->data.nodeset == NULL) {
		free(ha);
		return aml_fail(AML_ENOMEM);
	}
	ha->data.policy = policy;
	ha->area.ops = &aml_area_hwloc_ops;
	ha->area.data = (struct aml_area_data *)&ha->data;
	*area = &ha->area;
	return AML_SUCCESS;
}

void aml_area_hwloc_destroy(struct aml_area **area)
{
	struct hwloc_area *ha;

	if (area == NULL || *area == NULL)
		return;
	ha = (struct hwloc_area *)*area;
	aml_registry_forget_area(*area);
	hwloc_bitmap_free(ha->data.nodeset);
	free(ha);
	*area = NULL;
}

/* ------------------------------------------------------------------------
 * hwloc areas: mapping and queries
 */

/* The nodes an area binds to: its own, or every allowed node. */
static hwloc_const_bitmap_t area_nodeset(const struct aml_area_hwloc_data *d)
{
	return d->nodeset != NULL ? d->nodeset : allowed_nodeset;
}

void *aml_area_hwloc_mmap(const struct aml_area_data *area_data, size_t size,
			  struct aml_area_mmap_options *opts)
{
	const struct aml_area_hwloc_data *data =
		(const struct aml_area_hwloc_data *)area_data;
	void *ptr;
	int err;

	(void)opts;
	if (aml_topology == NULL) {
		aml_errno = AML_ENOTSUP;
		return NULL;
	}
	if (data == NULL || size == 0) {
		aml_errno = AML_EINVAL;
		return NULL;
	}
	err = aml_os_mmap(&ptr, NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (err) {
		aml_errno = errno_to_aml(-err);
		return NULL;
	}
	if (hwloc_set_area_membind(
		    aml_topology, ptr, size, area_nodeset(data), data->policy,
		    HWLOC_MEMBIND_BYNODESET | HWLOC_MEMBIND_STRICT) != 0) {
		err = errno;
		aml_os_munmap(ptr, size);
		aml_errno = errno_to_aml(err);
		return NULL;
	}
	return ptr;
}

int aml_area_hwloc_munmap(const struct aml_area_data *data, void *ptr,
			  size_t size)
{
	int err;

	(void)data;
	err = aml_os_munmap(ptr, size);
	return err ? -errno_to_aml(-err) : AML_SUCCESS;
}

/* DEFAULT and FIRSTTOUCH are one kernel policy: hwloc reports either. */
static int same_policy(hwloc_membind_policy_t want, hwloc_membind_policy_t got)
{
	int want_default = want == HWLOC_MEMBIND_DEFAULT ||
			   want == HWLOC_MEMBIND_FIRSTTOUCH;
	int got_default =
		got == HWLOC_MEMBIND_DEFAULT || got == HWLOC_MEMBIND_FIRSTTOUCH;

	if (want_default || got_default)
		return want_default && got_default;
	return want == got;
}

int aml_area_hwloc_check_binding(struct aml_area *area, void *ptr, size_t size)
{
	const struct aml_area_hwloc_data *data;
	hwloc_membind_policy_t policy;
	hwloc_bitmap_t nodeset;
	int ret;

	if (aml_topology == NULL)
		return aml_fail(AML_ENOTSUP);
	if (area == NULL || area->data == NULL || ptr == NULL)
		return aml_fail(AML_EINVAL);
	data = (const struct aml_area_hwloc_data *)area->data;
	nodeset = hwloc_bitmap_alloc();
	if (nodeset == NULL)
		return aml_fail(AML_ENOMEM);
	if (hwloc_get_area_membind(
		    aml_topology, ptr, size ? size : 1, nodeset, &policy,
		    HWLOC_MEMBIND_BYNODESET | HWLOC_MEMBIND_STRICT) != 0) {
		hwloc_bitmap_free(nodeset);
		return aml_fail(AML_EINVAL);
	}
	ret = same_policy(data->policy, policy);
	/* Only the binding policies record a nodeset in the kernel. */
	if (ret && !same_policy(data->policy, HWLOC_MEMBIND_DEFAULT))
		ret = hwloc_bitmap_isequal(nodeset, area_nodeset(data));
	hwloc_bitmap_free(nodeset);
	return ret;
}

static const char *policy_name(hwloc_membind_policy_t policy)
{
	switch (policy) {
	case HWLOC_MEMBIND_DEFAULT:
		return "default";
	case HWLOC_MEMBIND_FIRSTTOUCH:
		return "firsttouch";
	case HWLOC_MEMBIND_BIND:
		return "bind";
	case HWLOC_MEMBIND_INTERLEAVE:
		return "interleave";
	case HWLOC_MEMBIND_NEXTTOUCH:
		return "nexttouch";
	default:
		return "unknown";
	}
}

int aml_area_hwloc_fprintf(const struct aml_area_data *area_data, FILE *stream,
			   const char *prefix)
{
	const struct aml_area_hwloc_data *data =
		(const struct aml_area_hwloc_data *)area_data;
	char *nodes = NULL;

	if (stream == NULL || data == NULL)
		return -AML_EINVAL;
	if (prefix == NULL)
		prefix = "";
	fprintf(stream, "%s: area-hwloc: %p\n", prefix, (const void *)data);
	if (data->nodeset == NULL) {
		fprintf(stream, "%s: nodeset: allowed\n", prefix);
	} else if (hwloc_bitmap_list_asprintf(&nodes, data->nodeset) >= 0) {
		fprintf(stream, "%s: nodeset: %s\n", prefix, nodes);
		free(nodes);
	}
	fprintf(stream, "%s: policy: %s\n", prefix, policy_name(data->policy));
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Preferred areas: distances from the initiator
 */

/* A NUMA node and how far it is from the initiator (smaller is nearer). */
struct node_rank {
	hwloc_obj_t node;
	int known;
	double distance;
};

static int rank_compare(const void *pa, const void *pb)
{
	const struct node_rank *a = pa, *b = pb;

	if (a->known != b->known)
		return a->known ? -1 : 1;
	if (a->known && a->distance != b->distance)
		return a->distance < b->distance ? -1 : 1;
	/* Ties: logical order, so the result never depends on qsort. */
	return a->node->logical_index < b->node->logical_index	 ? -1
	       : a->node->logical_index > b->node->logical_index ? 1
								 : 0;
}

static int matrix_has_numa(const struct hwloc_distances_s *d)
{
	unsigned i;

	for (i = 0; i < d->nbobjs; i++)
		if (d->objs[i]->type == HWLOC_OBJ_NUMANODE)
			return 1;
	return 0;
}

/*
 * On the running system, the nodes the kernel says obj's CPUs are on: hwloc
 * attaches a CPU-less node next to the CPUs nearest to it, but the kernel's
 * distances are counted from the CPUs' own node.
 */
static unsigned cpu_home_reps(const struct hwloc_distances_s *d,
			      hwloc_obj_t obj, unsigned char *rep)
{
	unsigned i, n = 0;
	int cpu;

	if (!aml_hwloc_is_live() || obj->cpuset == NULL)
		return 0;
	hwloc_bitmap_foreach_begin(cpu, obj->cpuset)
	{
		int home = numa_node_of_cpu(cpu);

		for (i = 0; i < d->nbobjs; i++) {
			if (d->objs[i]->type == HWLOC_OBJ_NUMANODE &&
			    (int)d->objs[i]->os_index == home && !rep[i]) {
				rep[i] = 1;
				n++;
			}
		}
	}
	hwloc_bitmap_foreach_end();
	return n;
}

/*
 * Where `obj` reads a NUMA-node matrix from: on the running system the
 * nodes holding its CPUs; otherwise the matrix's NUMA nodes attached inside
 * obj's subtree or else to its nearest ancestor that has some.
 */
static unsigned numa_reps(const struct hwloc_distances_s *d, hwloc_obj_t obj,
			  unsigned char *rep)
{
	hwloc_obj_t parent, up;
	unsigned i, n;

	n = cpu_home_reps(d, obj, rep);
	if (n > 0)
		return n;
	for (i = 0; i < d->nbobjs; i++) {
		if (d->objs[i]->type != HWLOC_OBJ_NUMANODE)
			continue;
		parent = aml_hwloc_normal_parent(d->objs[i]);
		if (parent == obj ||
		    hwloc_obj_is_in_subtree(aml_topology, parent, obj)) {
			rep[i] = 1;
			n++;
		}
	}
	for (up = obj->parent; n == 0 && up != NULL; up = up->parent) {
		for (i = 0; i < d->nbobjs; i++) {
			if (d->objs[i]->type == HWLOC_OBJ_NUMANODE &&
			    aml_hwloc_normal_parent(d->objs[i]) == up) {
				rep[i] = 1;
				n++;
			}
		}
	}
	return n;
}

/* Where a CPU-side matrix is read for `obj`: objects sharing its CPUs. */
static unsigned cpu_reps(const struct hwloc_distances_s *d, hwloc_obj_t obj,
			 unsigned char *rep)
{
	unsigned i, n = 0;

	for (i = 0; i < d->nbobjs; i++) {
		if (hwloc_obj_type_is_memory(d->objs[i]->type))
			continue;
		if (hwloc_bitmap_intersects(d->objs[i]->cpuset, obj->cpuset)) {
			rep[i] = 1;
			n++;
		}
	}
	return n;
}

/* Mark in `rep` the matrix objects standing for `obj`; their count. */
static unsigned matrix_reps(const struct hwloc_distances_s *d, hwloc_obj_t obj,
			    unsigned char *rep)
{
	int idx = hwloc_distances_obj_index((struct hwloc_distances_s *)d, obj);

	memset(rep, 0, d->nbobjs);
	if (idx >= 0) {
		rep[idx] = 1;
		return 1;
	}
	if (matrix_has_numa(d) && obj->type != HWLOC_OBJ_NUMANODE)
		return numa_reps(d, obj, rep);
	return cpu_reps(d, obj, rep);
}

/* Mean of both directions between the objects marked in `from` and `to`. */
static double matrix_mean(const struct hwloc_distances_s *d,
			  const unsigned char *from, const unsigned char *to)
{
	double sum = 0;
	unsigned i, j, n = 0;

	for (i = 0; i < d->nbobjs; i++) {
		for (j = 0; j < d->nbobjs; j++) {
			if (!from[i] || !to[j])
				continue;
			sum += (double)d->values[i * d->nbobjs + j];
			sum += (double)d->values[j * d->nbobjs + i];
			n += 2;
		}
	}
	return sum / n;
}

/* Rank every node with matrix `d`; 0 if the matrix says nothing of them. */
static int rank_by_matrix(const struct hwloc_distances_s *d,
			  hwloc_obj_t initiator, struct node_rank *ranks,
			  unsigned num_nodes)
{
	unsigned char *from, *to;
	unsigned k, known = 0;
	double sign = d->kind & HWLOC_DISTANCES_KIND_MEANS_BANDWIDTH ? -1 : 1;

	from = malloc(2 * (size_t)d->nbobjs);
	if (from == NULL)
		return -AML_ENOMEM;
	to = from + d->nbobjs;
	if (matrix_reps(d, initiator, from) == 0) {
		free(from);
		return 0;
	}
	for (k = 0; k < num_nodes; k++) {
		ranks[k].known = matrix_reps(d, ranks[k].node, to) > 0;
		if (ranks[k].known) {
			ranks[k].distance = sign * matrix_mean(d, from, to);
			known++;
		}
	}
	free(from);
	return known > 0;
}

/*
 * Which matrix speaks best for the initiator: one holding the initiator,
 * then one of NUMA nodes, then the one of the finest objects.
 */
static int matrix_preference(const struct hwloc_distances_s *d,
			     hwloc_obj_t initiator)
{
	if (hwloc_distances_obj_index((struct hwloc_distances_s *)d,
				      initiator) >= 0)
		return 2048;
	if (matrix_has_numa(d))
		return 1024;
	/* Depths of normal objects are small and non-negative. */
	return d->objs[0]->depth > 0 ? d->objs[0]->depth : 0;
}

static void sort_matrices(struct hwloc_distances_s **m, unsigned nr,
			  hwloc_obj_t initiator)
{
	struct hwloc_distances_s *tmp;
	unsigned i, j;

	/* Insertion sort, best first; stable, so hwloc's order breaks ties. */
	for (i = 1; i < nr; i++) {
		for (j = i;
		     j > 0 && matrix_preference(m[j], initiator) >
				      matrix_preference(m[j - 1], initiator);
		     j--) {
			tmp = m[j];
			m[j] = m[j - 1];
			m[j - 1] = tmp;
		}
	}
}

static void rank_by_hops(hwloc_obj_t initiator, struct node_rank *ranks,
			 unsigned num_nodes)
{
	unsigned k;

	for (k = 0; k < num_nodes; k++) {
		ranks[k].known = 1;
		ranks[k].distance = (aml_hwloc_hops(initiator, ranks[k].node) +
				     aml_hwloc_hops(ranks[k].node, initiator)) /
				    2.0;
	}
}

/* Rank by the best usable distance matrix of `kind`, else by hops. */
static int rank_nodes(hwloc_obj_t initiator, unsigned long kind,
		      struct node_rank *ranks, unsigned num_nodes)
{
	struct hwloc_distances_s *m[MAX_MATRICES];
	unsigned i, nr = MAX_MATRICES;
	int ret = 0;

	if (hwloc_distances_get(aml_topology, &nr, m, kind, 0) != 0)
		nr = 0;
	sort_matrices(m, nr, initiator);
	for (i = 0; i < nr && ret == 0; i++)
		ret = rank_by_matrix(m[i], initiator, ranks, num_nodes);
	for (i = 0; i < nr; i++)
		hwloc_distances_release(aml_topology, m[i]);
	if (ret < 0)
		return ret;
	if (ret == 0)
		rank_by_hops(initiator, ranks, num_nodes);
	qsort(ranks, num_nodes, sizeof(*ranks), rank_compare);
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Preferred areas: creation
 */

static int is_topology_object(hwloc_obj_t obj)
{
	return hwloc_get_obj_by_depth(aml_topology, obj->depth,
				      obj->logical_index) == obj;
}

static struct preferred_area *preferred_area_new(unsigned num_nodes,
						 struct node_rank *ranks)
{
	struct preferred_area *pa;
	unsigned k;

	pa = calloc(1, sizeof(*pa) + num_nodes * sizeof(pa->nodes[0]));
	if (pa == NULL)
		return NULL;
	for (k = 0; k < num_nodes; k++)
		pa->nodes[k] = ranks[k].node;
	pa->data.num_nodes = num_nodes;
	pa->data.numanodes = pa->nodes;
	pa->generation = aml_hwloc_generation();
	pa->area.ops = &aml_area_hwloc_preferred_ops;
	pa->area.data = (struct aml_area_data *)&pa->data;
	return pa;
}

int aml_area_hwloc_preferred_create(struct aml_area **area,
				    hwloc_obj_t initiator,
				    enum hwloc_distances_kind_e kind)
{
	struct preferred_area *pa;
	struct node_rank *ranks;
	unsigned k, num_nodes;
	int n, err;

	if (area == NULL)
		return aml_fail(AML_EINVAL);
	*area = NULL;
	if (aml_topology == NULL)
		return aml_fail(AML_ENOTSUP);
	if (initiator == NULL || !is_topology_object(initiator))
		return aml_fail(AML_EINVAL);
	n = hwloc_get_nbobjs_by_type(aml_topology, HWLOC_OBJ_NUMANODE);
	if (n <= 0)
		return aml_fail(AML_ENOTSUP);
	num_nodes = (unsigned)n;

	ranks = calloc(num_nodes, sizeof(*ranks));
	if (ranks == NULL)
		return aml_fail(AML_ENOMEM);
	for (k = 0; k < num_nodes; k++)
		ranks[k].node = hwloc_get_obj_by_type(aml_topology,
						      HWLOC_OBJ_NUMANODE, k);
	err = rank_nodes(initiator, (unsigned long)kind, ranks, num_nodes);
	pa = err ? NULL : preferred_area_new(num_nodes, ranks);
	free(ranks);
	if (err)
		return aml_fail(err);
	if (pa == NULL)
		return aml_fail(AML_ENOMEM);
	*area = &pa->area;
	return AML_SUCCESS;
}

/* The largest object inside the calling thread's CPU binding. */
static int thread_initiator(hwloc_obj_t *initiator)
{
	hwloc_bitmap_t cpuset = hwloc_bitmap_alloc();
	int n = 0;

	if (cpuset == NULL)
		return -AML_ENOMEM;
	if (hwloc_get_cpubind(aml_topology, cpuset, HWLOC_CPUBIND_THREAD) ==
		    0 &&
	    !hwloc_bitmap_iszero(cpuset))
		n = hwloc_get_largest_objs_inside_cpuset(aml_topology, cpuset,
							 initiator, 1);
	hwloc_bitmap_free(cpuset);
	return n == 1 ? AML_SUCCESS : -AML_FAILURE;
}

int aml_area_hwloc_preferred_local_create(struct aml_area **area,
					  enum hwloc_distances_kind_e kind)
{
	hwloc_obj_t initiator;
	int err;

	if (area == NULL)
		return aml_fail(AML_EINVAL);
	*area = NULL;
	if (aml_topology == NULL)
		return aml_fail(AML_ENOTSUP);
	err = thread_initiator(&initiator);
	if (err)
		return aml_fail(err);
	return aml_area_hwloc_preferred_create(area, initiator, kind);
}

int aml_area_hwloc_preferred_destroy(struct aml_area **area)
{
	if (area == NULL || *area == NULL)
		return AML_SUCCESS;
	aml_registry_forget_area(*area);
	free(container_of(*area, struct preferred_area, area));
	*area = NULL;
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Preferred areas: mapping, nearest node first
 */

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/* Bytes `node` can still take: its free memory less a reserve. */
static size_t node_capacity(hwloc_obj_t node)
{
	long long free_bytes, total;
	long long reserve;

	total = numa_node_size64((int)node->os_index, &free_bytes);
	if (total < 0) {
		/* Not a node of this system: trust the topology. */
		total = (long long)node->attr->numanode.local_memory;
		free_bytes = total;
	}
	reserve = total / NODE_RESERVE_FRACTION;
	return free_bytes > reserve ? (size_t)(free_bytes - reserve) : 0;
}

static int bind_to_node(void *addr, size_t len, hwloc_obj_t node)
{
	unsigned long mask[AML_BITMAP_MAX / BITS_PER_ULONG] = {0};
	unsigned os = node->os_index;

	if (os >= AML_BITMAP_MAX)
		return -EINVAL;
	mask[os / BITS_PER_ULONG] = 1UL << (os % BITS_PER_ULONG);
	/* The kernel reads maxnode - 1 bits. */
	return aml_os_mbind(addr, len, MPOL_BIND, mask, AML_BITMAP_MAX + 1, 0);
}

/*
 * How much of the `rest` bytes still unbound goes to a node that can take
 * `capacity`: everything if it fits, else whole blocks.
 */
static size_t node_share(size_t rest, size_t capacity, size_t block)
{
	if (rest <= capacity)
		return rest;
	return capacity - capacity % block;
}

/* Bind [ptr, ptr + len) node by node; 0, -AML_ENOMEM or -AML_FAILURE. */
static int spill_bind(const struct aml_area_hwloc_preferred_data *data,
		      char *ptr, size_t len, size_t block)
{
	size_t offset = 0, share;
	unsigned k;

	for (k = 0; k < data->num_nodes && offset < len; k++) {
		share = node_share(len - offset,
				   node_capacity(data->numanodes[k]), block);
		if (share == 0)
			continue;
		if (bind_to_node(ptr + offset, share, data->numanodes[k]) != 0)
			return -AML_FAILURE;
		offset += share;
	}
	return offset < len ? -AML_ENOMEM : AML_SUCCESS;
}

static int preferred_is_current(const struct aml_area_hwloc_preferred_data *d)
{
	const struct preferred_area *pa =
		container_of(d, struct preferred_area, data);

	return aml_topology != NULL && pa->generation == aml_hwloc_generation();
}

void *aml_area_hwloc_preferred_mmap(const struct aml_area_data *area_data,
				    size_t size,
				    struct aml_area_mmap_options *opts)
{
	const struct aml_area_hwloc_preferred_data *data =
		(const struct aml_area_hwloc_preferred_data *)area_data;
	const struct aml_area_hwloc_options *o =
		(const struct aml_area_hwloc_options *)opts;
	size_t page = aml_os_page_size(), len, block;
	void *ptr;
	int err;

	if (data == NULL || size == 0) {
		aml_errno = AML_EINVAL;
		return NULL;
	}
	/* Node objects die with the topology they came from. */
	if (!preferred_is_current(data)) {
		aml_errno = AML_ENOTSUP;
		return NULL;
	}
	len = round_up(size, page);
	block = round_up(o != NULL && o->min_size > 0 ? o->min_size : page,
			 page);
	err = aml_os_mmap(&ptr, NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (err) {
		aml_errno = errno_to_aml(-err);
		return NULL;
	}
	err = spill_bind(data, ptr, len, block);
	if (err) {
		aml_os_munmap(ptr, len);
		aml_errno = -err;
		return NULL;
	}
	return ptr;
}

int aml_area_hwloc_preferred_munmap(const struct aml_area_data *data, void *ptr,
				    size_t size)
{
	return aml_area_hwloc_munmap(data, ptr, size);
}

int aml_area_hwloc_preferred_fprintf(const struct aml_area_data *area_data,
				     FILE *stream, const char *prefix)
{
	const struct aml_area_hwloc_preferred_data *data =
		(const struct aml_area_hwloc_preferred_data *)area_data;
	unsigned k;

	if (stream == NULL || data == NULL)
		return -AML_EINVAL;
	if (prefix == NULL)
		prefix = "";
	fprintf(stream, "%s: area-hwloc-preferred: %p\n", prefix,
		(const void *)data);
	fprintf(stream, "%s: nodes (nearest first):", prefix);
	for (k = 0; k < data->num_nodes; k++)
		fprintf(stream, " %u", data->numanodes[k]->os_index);
	fprintf(stream, "\n");
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Operations and the static areas
 */

struct aml_area_ops aml_area_hwloc_ops = {
	.mmap = aml_area_hwloc_mmap,
	.munmap = aml_area_hwloc_munmap,
	.fprintf = aml_area_hwloc_fprintf,
};

struct aml_area_ops aml_area_hwloc_preferred_ops = {
	.mmap = aml_area_hwloc_preferred_mmap,
	.munmap = aml_area_hwloc_preferred_munmap,
	.fprintf = aml_area_hwloc_preferred_fprintf,
};

static struct aml_area_hwloc_data default_data = {
	.nodeset = NULL,
	.policy = HWLOC_MEMBIND_DEFAULT,
};

static struct aml_area_hwloc_data interleave_data = {
	.nodeset = NULL,
	.policy = HWLOC_MEMBIND_INTERLEAVE,
};

static struct aml_area_hwloc_data firsttouch_data = {
	.nodeset = NULL,
	.policy = HWLOC_MEMBIND_FIRSTTOUCH,
};

struct aml_area aml_area_hwloc_default = {
	.ops = &aml_area_hwloc_ops,
	.data = (struct aml_area_data *)&default_data,
};

struct aml_area aml_area_hwloc_interleave = {
	.ops = &aml_area_hwloc_ops,
	.data = (struct aml_area_data *)&interleave_data,
};

struct aml_area aml_area_hwloc_firsttouch = {
	.ops = &aml_area_hwloc_ops,
	.data = (struct aml_area_data *)&firsttouch_data,
};
