/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration in force and one Linux area per rule, in static
 * storage: nothing here allocates.
 */
#include "aml.h"
#include "aml/area/linux.h"
#include "placement.h"

static struct shim_config config;

/* One area per rule; the libnuma bitmask points into the rule itself. */
static struct bitmask rule_masks[SHIM_MAX_RULES];
static struct aml_area_linux_data rule_data[SHIM_MAX_RULES];
static struct aml_area rule_areas[SHIM_MAX_RULES];

int placement_load(char *err, size_t errlen)
{
	return shim_settings_load(&config, err, errlen);
}

void placement_disable(void)
{
	config.nrules = 0;
}

void placement_build(void)
{
	for (int i = 0; i < config.nrules; i++) {
		rule_masks[i].size = SHIM_MAX_NODES;
		rule_masks[i].maskp = config.rules[i].nodes;
		rule_data[i].nodeset = &rule_masks[i];
		rule_data[i].policy = config.rules[i].policy;
		rule_data[i].mmap_flags = 0;
		rule_areas[i].ops = &aml_area_linux_ops;
		rule_areas[i].data = (struct aml_area_data *)&rule_data[i];
	}
}

const struct aml_area *shim_rule_area(int rule)
{
	return &rule_areas[rule];
}

int shim_rule_for_size(size_t size)
{
	int rule = shim_rule_find(&config, size);

	return rule < 0 ? SHIM_UNROUTED : rule;
}

const struct shim_config *shim_config(void)
{
	return &config;
}
