/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hwloc backend: the topology behind the hwloc areas (the running
 * system, or the XML file named by AML_TOPOLOGY), built by aml_init() and
 * released by aml_finalize(), and the hop-count distances used when the
 * topology has no distance matrix.
 */
#define AML_NO_SEED_COMPAT
#include "config.h"

#include <stdlib.h>

#include "aml.h"
#include "backend/hwloc.h"

hwloc_topology_t aml_topology;
hwloc_const_bitmap_t allowed_nodeset;

static unsigned long generation;
/* 1 when aml_topology is the running system, not an XML file. */
static int live;

/* ------------------------------------------------------------------------
 * Topology life cycle (aml_init serialises these calls)
 */

/*
 * The live system keeps only the resources this process may use. An XML
 * file is taken whole, as recorded: it may describe another machine, and
 * pruning it with this machine's allowed sets would empty it.
 */
static int topology_load(hwloc_topology_t topology)
{
	const char *xml = getenv("AML_TOPOLOGY");
	unsigned long flags = HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM;

	live = xml == NULL || *xml == '\0';
	if (!live) {
		if (hwloc_topology_set_xml(topology, xml) != 0)
			return -1;
	} else {
		flags |= HWLOC_TOPOLOGY_FLAG_THISSYSTEM_ALLOWED_RESOURCES;
	}
	if (hwloc_topology_set_flags(topology, flags) != 0)
		return -1;
	return hwloc_topology_load(topology);
}

int aml_backend_hwloc_init(void)
{
	hwloc_topology_t topology;

	if (aml_topology != NULL)
		return AML_SUCCESS;
	if (hwloc_topology_init(&topology) != 0)
		return aml_fail(AML_FAILURE);
	if (topology_load(topology) != 0) {
		hwloc_topology_destroy(topology);
		return aml_fail(AML_FAILURE);
	}
	aml_topology = topology;
	allowed_nodeset = hwloc_topology_get_allowed_nodeset(topology);
	generation++;
	return AML_SUCCESS;
}

void aml_backend_hwloc_finalize(void)
{
	if (aml_topology == NULL)
		return;
	hwloc_topology_destroy(aml_topology);
	aml_topology = NULL;
	allowed_nodeset = NULL;
}

int aml_backend_hwloc_supported(void)
{
	const struct hwloc_topology_support *support;

	if (aml_topology == NULL)
		return 0;
	support = hwloc_topology_get_support(aml_topology);
	return support->discovery->numa && support->membind->set_area_membind &&
	       support->membind->alloc_membind;
}

int aml_hwloc_is_live(void)
{
	return aml_topology != NULL && live;
}

unsigned long aml_hwloc_generation(void)
{
	return generation;
}

/* ------------------------------------------------------------------------
 * Hop-count distances
 */

hwloc_obj_t aml_hwloc_normal_parent(hwloc_obj_t obj)
{
	hwloc_obj_t parent = obj->parent;

	/* Memory-side caches sit between a NUMA node and its parent. */
	while (parent != NULL && hwloc_obj_type_is_memory(parent->type))
		parent = parent->parent;
	return parent;
}

/* Climb from `obj` until its cpuset holds `set`; one hop per step. */
static unsigned climb_until_includes(hwloc_obj_t *obj, hwloc_const_cpuset_t set)
{
	unsigned hops = 0;

	while ((*obj)->parent != NULL &&
	       !hwloc_bitmap_isincluded(set, (*obj)->cpuset)) {
		*obj = (*obj)->parent;
		hops++;
	}
	return hops;
}

/* Climb from `obj` until its cpuset is `set`; one hop per step. */
static unsigned climb_until_equal(hwloc_obj_t *obj, hwloc_const_cpuset_t set)
{
	unsigned hops = 0;

	while ((*obj)->parent != NULL &&
	       !hwloc_bitmap_isequal(set, (*obj)->cpuset)) {
		*obj = (*obj)->parent;
		hops++;
	}
	return hops;
}

unsigned aml_hwloc_hops(hwloc_obj_t a, hwloc_obj_t b)
{
	unsigned hops = 0;

	if (a == b)
		return 0;
	if (hwloc_obj_type_is_memory(a->type)) {
		a = aml_hwloc_normal_parent(a);
		hops++;
	}
	if (hwloc_obj_type_is_memory(b->type)) {
		b = aml_hwloc_normal_parent(b);
		hops++;
	}
	if (a == NULL || b == NULL)
		return hops;
	hops += climb_until_includes(&a, b->cpuset);
	hops += climb_until_equal(&b, a->cpuset);
	return hops;
}

/* ------------------------------------------------------------------------
 * Hop-count matrix
 */

static void hop_matrix_fill(struct hwloc_distances_s *s)
{
	unsigned i, j;

	for (i = 0; i < s->nbobjs; i++)
		for (j = 0; j < s->nbobjs; j++)
			s->values[i * s->nbobjs + j] =
				aml_hwloc_hops(s->objs[i], s->objs[j]);
}

static void hop_matrix_add_objs(struct hwloc_distances_s *s,
				hwloc_obj_type_t type, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		s->objs[s->nbobjs++] =
			hwloc_get_obj_by_type(aml_topology, type, i);
}

int aml_hwloc_distance_hop_matrix(const hwloc_obj_type_t ta,
				  const hwloc_obj_type_t tb,
				  struct hwloc_distances_s **s)
{
	struct hwloc_distances_s *m;
	unsigned na, nb, n;
	int nbtype;

	if (s == NULL)
		return aml_fail(AML_EINVAL);
	if (aml_topology == NULL)
		return aml_fail(AML_ENOTSUP);
	nbtype = hwloc_get_nbobjs_by_type(aml_topology, ta);
	na = nbtype > 0 ? (unsigned)nbtype : 0;
	nbtype = hwloc_get_nbobjs_by_type(aml_topology, tb);
	nb = ta == tb ? 0 : nbtype > 0 ? (unsigned)nbtype : 0;
	n = na + nb;
	if (na == 0 || (ta != tb && nb == 0))
		return aml_fail(AML_ENOTSUP);

	/* One block: the header, then the objects, then the values. */
	m = calloc(1, sizeof(*m) + n * sizeof(*m->objs) +
			      (size_t)n * n * sizeof(*m->values));
	if (m == NULL)
		return aml_fail(AML_ENOMEM);
	m->objs = (hwloc_obj_t *)(m + 1);
	m->values = (hwloc_uint64_t *)(m->objs + n);
	m->kind = HWLOC_DISTANCES_KIND_FROM_USER |
		  HWLOC_DISTANCES_KIND_MEANS_LATENCY;
	if (ta != tb)
		m->kind |= HWLOC_DISTANCES_KIND_HETEROGENEOUS_TYPES;
	hop_matrix_add_objs(m, ta, na);
	hop_matrix_add_objs(m, tb, nb);
	hop_matrix_fill(m);
	*s = m;
	return AML_SUCCESS;
}
