/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's configuration (settings layer, on top): assembled once from
 * the settings table, read from the environment with secure_getenv.
 * Everything in this layer runs before the allocator is ready (possibly
 * inside the first malloc of the process, while libnuma's constructor
 * runs), so nothing in it may allocate, call libnuma, or use stdio. This
 * header also brings the layer's parts: nodes.h, probe.h, rules.h,
 * table.h.
 */
#ifndef AML_PRELOAD_SETTINGS_H
#define AML_PRELOAD_SETTINGS_H

#include <stddef.h>

#include "nodes.h"
#include "probe.h"
#include "rules.h"
#include "table.h"

/* Fill cfg from the settings table. 0 on success; -1 with one specific
 * line in err naming the variable and its text (e.g.
 * `AML_NODES="0-7": node 7 does not exist (allowed nodes: 0-3)`), in which
 * case cfg has no rules (plain memory); the other settings keep the values
 * that did parse, so strict, log and report still apply (a malformed
 * AML_STRICT counts as strict). allowed NULL: read shim_allowed_nodes(). */
int shim_settings_parse(struct shim_config *cfg, shim_getter get, void *ctx,
			const unsigned long *allowed, char *err, size_t errlen);

/* The environment through secure_getenv. */
int shim_settings_load(struct shim_config *cfg, char *err, size_t errlen);

#endif /* AML_PRELOAD_SETTINGS_H */
