/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration in force and one Linux area per rule, in static
 * storage: nothing here allocates.
 */
#include <string.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "log.h"
#include "placement.h"

static struct shim_config config;

/* One Linux area per rule, made in place (aml_area_linux_init), and the
 * weights of the weighted rules' areas. */
static struct aml_area_linux_static rule_areas[SHIM_MAX_RULES];
static struct aml_area_linux_weights rule_weights[SHIM_MAX_RULES];

/* A weighted rule's area: its weights in ascending node order. */
static int weighted_build(int i)
{
	const struct shim_rule *rule = &config.rules[i];
	int nodes[AML_AREA_LINUX_WEIGHTED_MAX_NODES];
	size_t n = 0;

	for (size_t node = 0; node < SHIM_MAX_NODES && n < rule->nweights;
	     node++)
		if (node_isset(rule->nodes.mask, node))
			nodes[n++] = (int)node;
	if (aml_area_linux_weights_init(&rule_weights[i], nodes, rule->weights,
					n))
		return -1;
	return aml_area_linux_weighted_init(&rule_areas[i], &rule_weights[i]);
}

int placement_load(char *err, size_t errlen)
{
	return shim_settings_load(&config, err, errlen);
}

void placement_disable(void)
{
	config.nrules = 0;
}

int placement_build(void)
{
	if (config.fallback[0])
		shim_log(1, "%s", config.fallback);
	for (int i = 0; i < config.nrules; i++) {
		if (config.rules[i].policy ==
		    AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE) {
			if (weighted_build(i))
				return -1;
			continue;
		}
		/* Settings give every rule a valid policy and nodes that
		 * suit it, so this fails only if they did not. */
		if (aml_area_linux_init(&rule_areas[i], &config.rules[i].nodes,
					config.rules[i].policy))
			return -1;
	}
	return 0;
}

const struct aml_area *shim_rule_area(int rule)
{
	return &rule_areas[rule].area;
}

int shim_rule_for_size(size_t size)
{
	int rule = shim_rule_find(&config, size);

	return rule < 0 ? SHIM_UNROUTED : rule;
}

void placement_regrown(int rule, void *ptr, size_t size)
{
	/* A mapping grown by mremap: the new tail took the policy of the
	 * last VMA, one node's stripe; lay the whole block out again (the
	 * stripe depends on the size), moving the pages already there. */
	if (rule >= 0 && rule < config.nrules &&
	    config.rules[rule].policy ==
		    AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE)
		placement_rebind(rule, ptr, size);
}

int placement_rebind(int rule, void *ptr, size_t size)
{
	if (rule < 0 || rule >= config.nrules)
		return -1;
	return aml_area_linux_mbind(
		       (struct aml_area_linux_data *)rule_areas[rule].area.data,
		       ptr, size) == AML_SUCCESS
		       ? 0
		       : -1;
}

const struct shim_config *shim_config(void)
{
	return &config;
}
