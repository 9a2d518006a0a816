/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The settings table (settings layer, over probing and rules): one entry
 * per variable, with its parser, and the draft the parsers fill.
 */
#ifndef AML_PRELOAD_TABLE_H
#define AML_PRELOAD_TABLE_H

#include <stddef.h>

#include "probe.h"
#include "rules.h"

/* What the parsers fill; shim_settings_parse() then turns AML_POLICY,
 * AML_NODES and AML_SIZE into rule 0, or takes AML_RULES. */
struct shim_draft {
	struct shim_config *cfg;
	const unsigned long *allowed;
	struct msg *msg;
	int single; /* AML_POLICY, AML_NODES or AML_SIZE given */
	int has_policy;
	int has_nodes;
	int has_rules;
	struct shim_rule rule; /* the single form, rule 0 */
	shim_getter get;       /* the launchers' variables for @local-rank */
	void *ctx;
	struct msg *note; /* how @forms resolved, into cfg->resolved */
};

/* The settings table, for aml-run --help, the man page and the README.
 * Each entry also carries its parser (settings.c), so the table is the
 * only place a setting is declared. */
struct shim_setting {
	const char *name; /* environment variable, e.g. "AML_NODES" */
	const char *type; /* "policy", "node list", "size range", "bool", ... */
	const char *fallback; /* default value as text */
	const char *help;     /* one line */
	/* Parse a non-empty value into the draft; 0, or -1 with the
	 * problem written. */
	int (*parse)(struct shim_draft *draft, const char *value);
};
extern const struct shim_setting shim_settings[];
extern const size_t shim_settings_count;

/* AML_STRICT's parser: settings.c tells it apart, since an empty
 * AML_STRICT still means strict. */
int parse_strict(struct shim_draft *d, const char *value);

#endif /* AML_PRELOAD_TABLE_H */
