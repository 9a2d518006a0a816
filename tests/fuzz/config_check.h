/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Invariants of a parsed shim configuration, shared by fuzz_rules and
 * fuzz_settings: every rule is well formed over allowed nodes, and the
 * rules, printed by shim_rule_format and written back as AML_RULES, parse
 * to the same rules.
 */
#ifndef AML_TESTS_FUZZ_CONFIG_CHECK_H
#define AML_TESTS_FUZZ_CONFIG_CHECK_H

#include "fuzz.h"
#include "settings.h"

#define CHECK_WORD_BITS (8 * sizeof(unsigned long))

/* Machines the configuration is read on: 4 nodes, and a sparse one. */
static inline void check_machines(unsigned long allowed[2][SHIM_NODE_WORDS])
{
	static const size_t sparse[] = {0, 2, 5, 64, 65, 66, 70, 1023};

	memset(allowed, 0, 2 * SHIM_NODE_WORDS * sizeof(unsigned long));
	allowed[0][0] = 0xf;
	for (size_t i = 0; i < sizeof(sparse) / sizeof(sparse[0]); i++)
		allowed[1][sparse[i] / CHECK_WORD_BITS] |=
			1UL << (sparse[i] % CHECK_WORD_BITS);
}

static inline size_t check_node_count(const unsigned long *mask)
{
	size_t n = 0;

	for (size_t i = 0; i < SHIM_NODE_WORDS; i++)
		n += (size_t)__builtin_popcountl(mask[i]);
	return n;
}

static inline void check_rule(const struct shim_rule *rule,
			      const unsigned long *allowed)
{
	size_t n = check_node_count(rule->nodes.mask);

	for (size_t i = 0; i < SHIM_NODE_WORDS; i++)
		fuzz_require((rule->nodes.mask[i] & ~allowed[i]) == 0);
	fuzz_require(rule->min_size <= rule->max_size);
	switch (rule->policy) {
	case AML_AREA_LINUX_POLICY_DEFAULT:
		fuzz_require(n == 0);
		break;
	case AML_AREA_LINUX_POLICY_PREFERRED:
		fuzz_require(n == 1);
		break;
	case AML_AREA_LINUX_POLICY_BIND:
	case AML_AREA_LINUX_POLICY_INTERLEAVE:
		fuzz_require(n >= 1);
		break;
	case AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE:
		fuzz_require(n >= 1 && rule->nweights == n);
		for (size_t i = 0; i < n; i++)
			fuzz_require(rule->weights[i] >= 1 &&
				     rule->weights[i] <= 255);
		break;
	default:
		fuzz_require(!"a policy outside the enum");
	}
}

/* " weights 0:3,2:1 (auto: HMAT)" → "/3,1" (the rule form). */
static inline void check_weights_as_text(char *weights, char *out, size_t cap)
{
	size_t len = 0;
	char *item = weights, *colon, *end;

	out[len++] = '/';
	for (;;) {
		colon = strchr(item, ':');
		fuzz_require(colon != NULL);
		end = colon + 1 + strspn(colon + 1, "0123456789");
		fuzz_require(len + (size_t)(end - colon) + 1 < cap);
		memcpy(out + len, colon + 1, (size_t)(end - colon - 1));
		len += (size_t)(end - colon - 1);
		if (*end != ',')
			break;
		out[len++] = ',';
		item = end + 1;
	}
	out[len] = '\0';
}

/* "interleave nodes 0-3 sizes 1M-" → "interleave:0-3:1M-";
 * "weighted nodes 0,2 weights 0:3,2:1 sizes all" → "weighted:0,2/3,1:". */
static inline size_t check_rule_as_text(const struct shim_rule *rule, char *out,
					size_t cap)
{
	char line[8192], *nodes, *sizes, *site, *weights, wtext[1024] = "";
	int len;

	fuzz_require(shim_rule_format(rule, line, sizeof(line)) < sizeof(line));
	/* site= rules end with " site=SITES" (no blank in SITES). */
	site = strstr(line, " site=");
	fuzz_require((site != NULL) == (rule->site[0] != '\0'));
	if (site) {
		fuzz_require(!strcmp(site + strlen(" site="), rule->site));
		*site = '\0';
	}
	sizes = strstr(line, " sizes ");
	fuzz_require(sizes != NULL);
	*sizes = '\0';
	sizes += strlen(" sizes ");
	if (!strcmp(sizes, "all"))
		sizes = "";
	weights = strstr(line, " weights ");
	if (weights) {
		*weights = '\0';
		check_weights_as_text(weights + strlen(" weights "), wtext,
				      sizeof(wtext));
	}
	nodes = strstr(line, " nodes ");
	if (nodes) {
		*nodes = '\0';
		nodes += strlen(" nodes ");
	}
	len = snprintf(out, cap, "%s:%s%s:%s%s%s", line, nodes ? nodes : "",
		       wtext, sizes, rule->site[0] ? ":site=" : "", rule->site);
	fuzz_require(len > 0 && (size_t)len < cap);
	return (size_t)len;
}

static const char *check_serve_rules(const char *name, void *ctx)
{
	return strcmp(name, "AML_RULES") ? NULL : ctx;
}

static inline void check_round_trip(const struct shim_config *cfg,
				    const unsigned long *allowed)
{
	static char text[SHIM_MAX_RULES * 8192];
	struct shim_config again;
	char err[SHIM_ERR_LEN];
	size_t len = 0;

	if (cfg->nrules == 0)
		return;
	for (int i = 0; i < cfg->nrules; i++) {
		if (i)
			text[len++] = ';';
		len += check_rule_as_text(&cfg->rules[i], text + len,
					  sizeof(text) - len);
	}
	if (shim_settings_parse(&again, check_serve_rules, text, allowed, err,
				sizeof(err)) != 0) {
		fprintf(stderr, "AML_RULES=\"%s\": %s\n", text, err);
		fuzz_require(!"printed rules parse back");
	}
	fuzz_require(again.nrules == cfg->nrules);
	for (int i = 0; i < cfg->nrules; i++) {
		const struct shim_rule *a = &cfg->rules[i],
				       *b = &again.rules[i];

		fuzz_require(a->policy == b->policy);
		fuzz_require(!memcmp(&a->nodes, &b->nodes, sizeof(a->nodes)));
		fuzz_require(a->nweights == b->nweights);
		fuzz_require(!memcmp(a->weights, b->weights,
				     a->nweights * sizeof(a->weights[0])));
		fuzz_require(a->min_size == b->min_size);
		fuzz_require(a->max_size == b->max_size);
		fuzz_require(!strcmp(a->site, b->site));
	}
	fuzz_require(again.nsites == cfg->nsites);
	for (int i = 0; i < cfg->nsites; i++) {
		fuzz_require(again.sites[i].rule == cfg->sites[i].rule);
		fuzz_require(again.sites[i].depth == cfg->sites[i].depth);
		fuzz_require(again.sites[i].offset == cfg->sites[i].offset);
		fuzz_require(!strcmp(again.sites[i].name, cfg->sites[i].name));
	}
}

/* Sites: each of a site= rule, well formed; site= rules after the
 * others. */
static inline void check_sites(const struct shim_config *cfg)
{
	int seen_site_rule = 0;

	fuzz_require(cfg->nsites >= 0 && cfg->nsites <= SHIM_MAX_SITES);
	for (int i = 0; i < cfg->nrules; i++) {
		const struct shim_rule *r = &cfg->rules[i];

		fuzz_require(memchr(r->site, '\0', sizeof(r->site)) != NULL);
		if (r->site[0])
			seen_site_rule = 1;
		else
			fuzz_require(!seen_site_rule);
		if (r->site[0])
			fuzz_require(r->min_size >= 16);
	}
	for (int i = 0; i < cfg->nsites; i++) {
		const struct shim_site *s = &cfg->sites[i];

		fuzz_require(s->rule >= 0 && s->rule < cfg->nrules);
		fuzz_require(cfg->rules[s->rule].site[0] != '\0');
		fuzz_require(s->depth >= 1 && s->depth <= SHIM_SITE_MAX_DEPTH);
		fuzz_require(s->name[0] != '\0');
		fuzz_require(memchr(s->name, '\0', sizeof(s->name)) != NULL);
	}
}

/* After shim_settings_parse returned rc with err[0..errlen). */
static inline void check_config(const struct shim_config *cfg, int rc,
				const char *err, size_t errlen,
				const unsigned long *allowed)
{
	fuzz_require(rc == 0 || rc == -1);
	fuzz_require(fuzz_is_terminated(err, errlen));
	fuzz_require(cfg->nrules >= 0 && cfg->nrules <= SHIM_MAX_RULES);
	fuzz_require(cfg->log_level >= 0 && cfg->log_level <= 3);
	fuzz_require(cfg->route_mmap == 0 || cfg->route_mmap == 1);
	fuzz_require(cfg->strict == 0 || cfg->strict == 1);
	fuzz_require(cfg->report == 0 || cfg->report == 1);
	fuzz_require(memchr(cfg->report_path, '\0', sizeof(cfg->report_path)) !=
		     NULL);
	if (rc == -1) {
		fuzz_require(cfg->nrules == 0);
		fuzz_require(errlen < 2 || err[0] != '\0');
		return;
	}
	fuzz_require(errlen == 0 || err[0] == '\0');
	for (int i = 0; i < cfg->nrules; i++)
		check_rule(&cfg->rules[i], allowed);
	check_sites(cfg);
	check_round_trip(cfg, allowed);
}

#endif /* AML_TESTS_FUZZ_CONFIG_CHECK_H */
