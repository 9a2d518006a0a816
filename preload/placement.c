/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration in force and one Linux area per rule, in static
 * storage: nothing here allocates.
 */
#include <string.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "placement.h"

static struct shim_config config;

/* One Linux area per rule, made in place (aml_area_linux_init). */
static struct aml_area_linux_static rule_areas[SHIM_MAX_RULES];

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
	for (int i = 0; i < config.nrules; i++) {
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

const struct shim_config *shim_config(void)
{
	return &config;
}
