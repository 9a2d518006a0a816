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
/* site= selectors (site.c): text of one rule's field, sites in all. */
#define SHIM_SITE_TEXT 200
#define SHIM_MAX_SITES 32
#define SHIM_SITE_NAME 128
#define SHIM_SITE_MAX_DEPTH 8

/* One placement rule: allocations of min_size..max_size bytes (inclusive)
 * come from a Linux area with this policy over exactly these nodes. The
 * node mask is the area API's own type; the shim's node lists fill its
 * first SHIM_NODE_WORDS words (the same layout), the rest stay 0. */
struct shim_rule {
	enum aml_area_linux_policy policy;
	struct aml_bitmap nodes;
	size_t min_size;
	size_t max_size; /* SIZE_MAX: no upper bound */
	/* AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE: one weight per node of
	 * nodes, in ascending node order (nweights == the node count). */
	unsigned int nweights;
	unsigned int weights[AML_AREA_LINUX_WEIGHTED_MAX_NODES];
	int weights_from; /* enum shim_weights_from */
	int weights_used; /* from the machine: aml_area_linux_weights_source */
	/* The rule's site= field as written ("" for a size-only rule): the
	 * rule places only the requests made from these code locations. */
	char site[SHIM_SITE_TEXT];
};

/* One code location of a site= field: FUNCTION or MODULE+0xOFFSET, seen
 * within the first depth frames above the allocator. */
struct shim_site {
	int rule;	 /* index in shim_config.rules */
	int depth;	 /* 1..SHIM_SITE_MAX_DEPTH */
	int module_form; /* name is a module, offset the return address */
	size_t offset;
	char name[SHIM_SITE_NAME];
};

/* Where a weighted rule's weights come from. */
enum shim_weights_from {
	SHIM_WEIGHTS_GIVEN,  /* written in the setting: 0:3,2:1 or 0,2/3,1 */
	SHIM_WEIGHTS_AUTO,   /* NODES/auto: HMAT, else the kernel's weights */
	SHIM_WEIGHTS_KERNEL, /* NODES/kernel: the kernel's (numactl -w) */
};
_Static_assert(SHIM_NODE_WORDS <= AML_BITMAP_SIZE,
	       "a rule's node list fits in an aml_bitmap");

struct shim_config {
	/* First matching rule wins; sizes matching no rule keep the kernel's
	 * default placement. nrules == 0: the shim only passes through. */
	int nrules;
	struct shim_rule rules[SHIM_MAX_RULES];
	/* The sites of the site= rules, which come after the size-only
	 * rules (rules_sites_last) and are examined first. */
	int nsites;
	struct shim_site sites[SHIM_MAX_SITES];
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
	/* aml-run --profile: per-site table written here at exit ("": no
	 * profile; %p: the process id), with a rules file beside it
	 * (PATH.rules) holding the sites whose peaks fit profile_capacity
	 * bytes (0: no limit); sites are the profile_depth-th frame. */
	char profile_path[256];
	size_t profile_capacity;
	int profile_depth;
	/* Weights asked of the machine that it could not give: the rule fell
	 * back to plain interleave; why, for a warning at start-up ("" when
	 * none). An error instead under AML_STRICT=1. */
	char fallback[SHIM_ERR_LEN];
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

/* A weighted rule's weights: NODE:WEIGHT,... (pairs, in any node order)
 * from s[0..len) into rule (policy weighted), every node in allowed. 0,
 * or -1 with the problem in msg. */
int weight_pairs_parse(const char *s, size_t len, struct shim_rule *rule,
		       const unsigned long *allowed, struct msg *msg);
/* WEIGHT,WEIGHT,... from s[0..len), one per node of rule->nodes in
 * ascending order. 0, or -1 with the problem in msg. */
int weight_list_parse(const char *s, size_t len, struct shim_rule *rule,
		      struct msg *msg);

/* Does the rule's node count suit its policy? 0, or -1 with the problem
 * in msg. */
int rule_check_nodes(const struct shim_rule *rule, struct msg *msg);
/* The rule's nodes when none are given: allowed, or none for the default
 * and preferred policies. */
void rule_default_nodes(struct shim_rule *rule, const unsigned long *allowed);
/* site=SPEC[,SPEC...] (the text after "site="; SPEC: FUNCTION or
 * MODULE+0xOFFSET, then @DEPTH) into cfg->sites for rule, and the text
 * into rule->site. 0, or -1 with the problem in msg. */
int site_field_parse(struct shim_config *cfg, int rule, const char *s,
		     size_t len, struct msg *msg);
/* Move the site= rules after the size-only ones, keeping their order. */
void rules_sites_last(struct shim_config *cfg);
/* The first size-only rule whose sizes (inclusive) hold size, or -1:
 * default placement (site= rules match in the heap, site.c). */
int shim_rule_find(const struct shim_config *cfg, size_t size);

/* The rule as one line of text, e.g. "interleave nodes 0-3 sizes 1M-"
 * (aml-run --dry-run, the exit report). Returns the length it needed. */
size_t shim_rule_format(const struct shim_rule *rule, char *buf, size_t len);

#endif /* AML_PRELOAD_RULES_H */
