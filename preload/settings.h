/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's configuration: one table of settings (name, type, default,
 * help) read once from the environment with secure_getenv. Everything here
 * runs before the allocator is ready (possibly inside the first malloc of
 * the process, while libnuma's constructor runs), so nothing here may
 * allocate, call libnuma, or use stdio.
 */
#ifndef AML_PRELOAD_SETTINGS_H
#define AML_PRELOAD_SETTINGS_H

#include <stddef.h>

#include <aml/area/linux.h>

#define SHIM_MAX_NODES 1024
#define SHIM_NODE_WORDS (SHIM_MAX_NODES / (8 * sizeof(unsigned long)))
#define SHIM_MAX_RULES 8
#define SHIM_ERR_LEN 512

/* One placement rule: allocations of min_size..max_size bytes (inclusive)
 * come from a Linux area with this policy over exactly these nodes. */
struct shim_rule {
	enum aml_area_linux_policy policy;
	unsigned long nodes[SHIM_NODE_WORDS];
	size_t min_size;
	size_t max_size; /* SIZE_MAX: no upper bound */
};

struct shim_config {
	/* First matching rule wins; sizes matching no rule keep the kernel's
	 * default placement. nrules == 0: the shim only passes through. */
	int nrules;
	struct shim_rule rules[SHIM_MAX_RULES];
	int route_mmap;  /* route anonymous private mmap through the rules */
	int log_level;   /* 0 quiet, 1 warnings, 2 info, 3 debug */
	int strict;      /* invalid configuration: exit instead of warning */
	int report;      /* write a placement report at exit */
	char report_path[256]; /* "" = standard error */
	/* Freed big blocks (4 MiB and up) stay mapped and bound for reuse
	 * at most this long before going back to the kernel; 0 at once, -1
	 * no limit. */
	long big_decay_ms;
	/* Freed big-block bytes kept per placement; the oldest beyond go. */
	size_t big_cache;
	/* jemalloc's dirty decay time of the other arenas; -1 never. */
	long dirty_decay_ms;
	/* How the placement forms (@local-rank, @cpu-local, @nearest) of
	 * the node fields resolved for this process, e.g. `"@local-rank" ->
	 * node 1 (local rank 1 from OMPI_COMM_WORLD_LOCAL_RANK of allowed
	 * nodes 0-3)`, several joined by "; "; "" when none was used. */
	char resolved[SHIM_ERR_LEN];
};

/* How the parser reads a variable: secure_getenv in the shim, a table in
 * tests, the command line in aml-run. Returns NULL when unset. */
typedef const char *(*shim_getter)(const char *name, void *ctx);

/* Fill cfg from the settings table. 0 on success; -1 with one specific
 * line in err naming the variable and its text (e.g.
 * `AML_NODES="0-7": node 7 does not exist (allowed nodes: 0-3)`), in which
 * case cfg has no rules (plain memory); the other settings keep the values
 * that did parse, so strict, log and report still apply (a malformed
 * AML_STRICT counts as strict). allowed NULL: read shim_allowed_nodes(). */
int shim_settings_parse(struct shim_config *cfg, shim_getter get, void *ctx,
			const unsigned long *allowed, char *err,
			size_t errlen);

/* The environment through secure_getenv. */
int shim_settings_load(struct shim_config *cfg, char *err, size_t errlen);

/* numactl node-list syntax ("0-3,5", "all", "!0-1", "+0-1" relative to
 * allowed) into mask (nwords words). Every node must be in allowed; "!"
 * negates relative to allowed. On error, -1 and the problem in err (without
 * the variable's name, e.g. "range 3-1 is reversed"). */
int shim_parse_nodelist(const char *s, unsigned long *mask, size_t nwords,
			const unsigned long *allowed, char *err,
			size_t errlen);

/* "64", "4K", "2M", "1G" (1024-based) into *out. 0 or -1. */
int shim_parse_size(const char *s, size_t *out);

/* The nodes this process may use (Mems_allowed_list of /proc/self/status),
 * read with raw system calls. 0 or -1. */
int shim_allowed_nodes(unsigned long *mask, size_t nwords);

/* The first rule whose sizes (inclusive) hold size, or -1: default
 * placement. */
int shim_rule_find(const struct shim_config *cfg, size_t size);

/* The rule as one line of text, e.g. "interleave nodes 0-3 sizes 1M-"
 * (aml-run --dry-run, the exit report). Returns the length it needed. */
size_t shim_rule_format(const struct shim_rule *rule, char *buf, size_t len);

/* The settings table, for aml-run --help, the man page and the README.
 * Each entry also carries its parser (settings.c), so the table is the
 * only place a setting is declared. */
struct shim_draft;
struct shim_setting {
	const char *name;    /* environment variable, e.g. "AML_NODES" */
	const char *type;    /* "policy", "node list", "size range", "bool", ... */
	const char *fallback; /* default value as text */
	const char *help;    /* one line */
	/* Parse a non-empty value into the draft; 0, or -1 with the
	 * problem written. */
	int (*parse)(struct shim_draft *draft, const char *value);
};
extern const struct shim_setting shim_settings[];
extern const size_t shim_settings_count;

#endif /* AML_PRELOAD_SETTINGS_H */
