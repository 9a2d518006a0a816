/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sizes, policies and rules (settings layer, over node lists): a rule and
 * the configuration it is part of, the size syntax, the words of the
 * policies, levels and booleans, and a rule's checks and text.
 */
#ifndef AML_PRELOAD_RULES_H
#define AML_PRELOAD_RULES_H

#include <stddef.h>

#include <aml/area/linux.h>

#include "nodes.h"
#include "text.h"

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
	int route_mmap; /* route anonymous private mmap through the rules */
	int log_level;	/* 0 quiet, 1 warnings, 2 info, 3 debug */
	int strict;	/* invalid configuration: exit instead of warning */
	int report;	/* write a placement report at exit */
	char report_path[256]; /* "" = standard error */
	int report_json;       /* AML_REPORT_FORMAT=json */
	/* The rest of the process (stacks, brk, static data, what no rule
	 * routes), placed with the process memory policy at start-up: as
	 * AML_REST says, or (auto) as the one rule when a single rule covers
	 * all sizes and mmap is routed; none (the default): left alone.
	 * rest.min_size/max_size unused. */
	int rest_mode; /* SHIM_REST_NONE, SHIM_REST_AUTO or SHIM_REST_SET */
	struct shim_rule rest;
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

enum { SHIM_REST_NONE, SHIM_REST_AUTO, SHIM_REST_SET };

/* The placement of the rest of the process, or NULL: leave the process
 * memory policy as it was. */
const struct shim_rule *shim_rest_rule(const struct shim_config *cfg);

enum size_status { SIZE_OK, SIZE_BAD, SIZE_TOO_LARGE };

/* Decimal bytes with an optional K, M, G or T (1024-based). */
enum size_status size_parse(const char *s, size_t len, size_t *out);
/* "64", "4K", "2M", "1G" (1024-based) into *out. 0 or -1. */
int shim_parse_size(const char *s, size_t *out);

/* "MIN<sep>MAX" with either side optional into *min, *max. 0, or -1
 * with the problem in msg. */
int size_range_parse(const char *s, size_t len, char sep, size_t *min,
		     size_t *max, struct msg *msg);

/* A word of a setting and its value; tables end with a NULL text. */
struct word {
	const char *text;
	int value;
};
extern const struct word level_words[];
extern const struct word bool_words[];
/* The value of s[0..len) in words. 0 or -1. */
int word_find(const struct word *words, const char *s, size_t len, int *value);
int policy_parse(const char *s, size_t len, enum aml_area_linux_policy *policy,
		 struct msg *msg);

/* Does the rule's node count suit its policy? 0, or -1 with the problem
 * in msg. */
int rule_check_nodes(const struct shim_rule *rule, struct msg *msg);
/* The rule's nodes when none are given: allowed, or none for the default
 * and preferred policies. */
void rule_default_nodes(struct shim_rule *rule, const unsigned long *allowed);
/* The first rule whose sizes (inclusive) hold size, or -1: default
 * placement. */
int shim_rule_find(const struct shim_config *cfg, size_t size);

/* The rule as one line of text, e.g. "interleave nodes 0-3 sizes 1M-"
 * (aml-run --dry-run, the exit report). Returns the length it needed. */
size_t shim_rule_format(const struct shim_rule *rule, char *buf, size_t len);

#endif /* AML_PRELOAD_RULES_H */
