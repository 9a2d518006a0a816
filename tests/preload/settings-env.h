/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The settings tests' environment: a table of NAME/VALUE pairs read as the
 * shim reads its variables, and parse() against a fake allowed set, nodes
 * 0-3, into cfg (the message, if any, in err).
 */
#ifndef AML_TESTS_PRELOAD_SETTINGS_ENV_H
#define AML_TESTS_PRELOAD_SETTINGS_ENV_H

#include <string.h>

#include "../../preload/settings.h"

struct env {
	const char *name;
	const char *value;
};

static const char *env_get(const char *name, void *ctx)
{
	const struct env *e = ctx;

	for (; e->name; e++)
		if (!strcmp(e->name, name))
			return e->value;
	return NULL;
}

/* Allowed nodes 0-3. */
static const unsigned long four_nodes[SHIM_NODE_WORDS] = {0xfUL};

static struct shim_config cfg;
static char err[SHIM_ERR_LEN];

static int parse(const struct env *env)
{
	return shim_settings_parse(&cfg, env_get, (void *)env, four_nodes, err,
				   sizeof(err));
}

#define ENV(...) ((const struct env[]){__VA_ARGS__, {NULL, NULL}})

#endif /* AML_TESTS_PRELOAD_SETTINGS_ENV_H */
