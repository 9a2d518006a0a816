/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sizes, policies and rules (settings): the size and size-range syntax,
 * the words of policies, levels and booleans, and the checks, look-up and
 * text of a rule.
 */
#include <stdint.h>
#include <string.h>

#include "rules.h"

/* ------------------------------------------------------------------------
 * Sizes: decimal bytes with an optional K, M, G or T (1024-based)
 */

enum size_status size_parse(const char *s, size_t len, size_t *out)
{
	size_t i = 0, v = 0, shift = 0;

	if (len == 0 || !is_digit(s[0]))
		return SIZE_BAD;
	for (; i < len && is_digit(s[i]); i++) {
		size_t d = (size_t)(s[i] - '0');

		if (v > (SIZE_MAX - d) / 10)
			return SIZE_TOO_LARGE;
		v = v * 10 + d;
	}
	if (i + 1 == len) {
		switch (s[i]) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		case 't':
		case 'T':
			shift = 40;
			break;
		default:
			return SIZE_BAD;
		}
	} else if (i != len) {
		return SIZE_BAD;
	}
	if (shift && v > (SIZE_MAX >> shift))
		return SIZE_TOO_LARGE;
	*out = v << shift;
	return SIZE_OK;
}

int shim_parse_size(const char *s, size_t *out)
{
	size_t v;

	if (s == NULL || out == NULL)
		return -1;
	if (size_parse(s, strlen(s), &v) != SIZE_OK)
		return -1;
	*out = v;
	return 0;
}

static int size_bound(const char *s, size_t len, size_t *out, struct msg *msg)
{
	switch (size_parse(s, len, out)) {
	case SIZE_OK:
		return 0;
	case SIZE_TOO_LARGE:
		msg_str(msg, "size ");
		msg_quoted_len(msg, s, len);
		msg_str(msg, " is too large");
		return -1;
	default:
		msg_str(msg, "bad size ");
		msg_quoted_len(msg, s, len);
		msg_str(msg, " (a number of bytes with an optional K, M or G)");
		return -1;
	}
}

/* MIN, MIN<sep>MAX, MIN<sep> or <sep>MAX, both ends inclusive. */
int size_range_parse(const char *s, size_t len, char sep, size_t *min,
		     size_t *max, struct msg *msg)
{
	const char *mark = memchr(s, sep, len);
	size_t minlen = mark ? (size_t)(mark - s) : len;
	size_t maxlen = mark ? len - minlen - 1 : 0;

	*min = 0;
	*max = SIZE_MAX;
	if (mark && minlen == 0 && maxlen == 0) {
		msg_str(msg, "size range ");
		msg_quoted_len(msg, s, len);
		msg_str(msg, " has no bound");
		return -1;
	}
	if (minlen && size_bound(s, minlen, min, msg) < 0)
		return -1;
	if (maxlen && size_bound(mark + 1, maxlen, max, msg) < 0)
		return -1;
	if (*min > *max) {
		msg_str(msg, "minimum ");
		msg_quoted_len(msg, s, minlen);
		msg_str(msg, " is above maximum ");
		msg_quoted_len(msg, mark + 1, maxlen);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Policies, levels, booleans
 */

static const struct word policy_words[] = {
	{"bind", AML_AREA_LINUX_POLICY_BIND},
	{"membind", AML_AREA_LINUX_POLICY_BIND},
	{"preferred", AML_AREA_LINUX_POLICY_PREFERRED},
	{"interleave", AML_AREA_LINUX_POLICY_INTERLEAVE},
	{"weighted", AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE},
	{"default", AML_AREA_LINUX_POLICY_DEFAULT},
	{"local", AML_AREA_LINUX_POLICY_DEFAULT},
	{NULL, 0},
};

const struct word level_words[] = {
	{"quiet", 0}, {"warn", 1}, {"info", 2}, {"debug", 3}, {"0", 0},
	{"1", 1},     {"2", 2},	   {"3", 3},	{NULL, 0},
};

const struct word bool_words[] = {
	{"1", 1},  {"yes", 1},	 {"true", 1}, {"on", 1}, {"0", 0},
	{"no", 0}, {"false", 0}, {"off", 0},  {NULL, 0},
};

int word_find(const struct word *words, const char *s, size_t len, int *value)
{
	for (; words->text; words++) {
		if (strlen(words->text) == len &&
		    !memcmp(words->text, s, len)) {
			*value = words->value;
			return 0;
		}
	}
	return -1;
}

int policy_parse(const char *s, size_t len, enum aml_area_linux_policy *policy,
		 struct msg *msg)
{
	int value;

	if (word_find(policy_words, s, len, &value) < 0) {
		msg_str(msg, "unknown policy ");
		msg_quoted_len(msg, s, len);
		msg_str(msg, " (use bind, preferred, interleave, weighted or "
			     "default)");
		return -1;
	}
	*policy = (enum aml_area_linux_policy)value;
	return 0;
}

/* ------------------------------------------------------------------------
 * Weights of a weighted rule
 */

#define MAX_WEIGHTED AML_AREA_LINUX_WEIGHTED_MAX_NODES

/* A weight: decimal digits (range checked later, with the library's
 * sentence). 0, or -1 if not a number that fits. */
static int weight_number(const char *s, size_t len, unsigned int *out)
{
	unsigned long v;

	if (number_parse(s, len, &v) < 0 || v > 0xffffffffUL)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* The library's sentence when the weights or the node order are wrong (a
 * weight of 0 or over 255, a node twice, more than 64 nodes). The nodes
 * are checked against the allowed ones by the node-list parser, so a
 * problem about allowed nodes is not one here. */
static int weights_check(const int *nodes, const unsigned int *weights,
			 size_t n, struct msg *msg)
{
	int bad = n > MAX_WEIGHTED;

	for (size_t i = 0; i < n && !bad; i++) {
		if (weights[i] == 0 || weights[i] > AML_AREA_LINUX_WEIGHT_MAX)
			bad = 1;
		for (size_t j = i + 1; j < n && !bad; j++)
			if (nodes[i] == nodes[j])
				bad = 1;
	}
	if (!bad)
		return 0;
	msg_str(msg, aml_area_linux_weights_problem(nodes, weights, n));
	return -1;
}

/* Nodes and weights (checked) into the rule, in ascending node order. */
static void weights_store(struct shim_rule *rule, const int *nodes,
			  const unsigned int *weights, size_t n)
{
	size_t k = 0;

	memset(&rule->nodes, 0, sizeof(rule->nodes));
	for (size_t i = 0; i < n; i++)
		node_set(rule->nodes.mask, (size_t)nodes[i]);
	for (size_t node = 0; node < SHIM_MAX_NODES && k < n; node++)
		for (size_t i = 0; i < n; i++)
			if ((size_t)nodes[i] == node)
				rule->weights[k++] = weights[i];
	rule->nweights = (unsigned int)n;
	rule->weights_from = SHIM_WEIGHTS_GIVEN;
}

static void msg_too_many(struct msg *msg)
{
	msg_str(msg, "more than ");
	msg_uint(msg, MAX_WEIGHTED);
	msg_str(msg, " nodes");
}

int weight_pairs_parse(const char *s, size_t len, struct shim_rule *rule,
		       const unsigned long *allowed, struct msg *msg)
{
	int nodes[MAX_WEIGHTED];
	unsigned int weights[MAX_WEIGHTED];
	const char *end = s + len, *comma, *colon;
	unsigned long node;
	size_t n = 0, ilen;

	while (s <= end) {
		comma = memchr(s, ',', (size_t)(end - s));
		ilen = comma ? (size_t)(comma - s) : (size_t)(end - s);
		colon = memchr(s, ':', ilen);
		if (n == MAX_WEIGHTED) {
			msg_too_many(msg);
			return -1;
		}
		if (colon == NULL || colon == s ||
		    number_parse(s, (size_t)(colon - s), &node) < 0 ||
		    weight_number(colon + 1, ilen - (size_t)(colon - s) - 1,
				  &weights[n]) < 0) {
			msg_str(msg, "bad node:weight ");
			msg_quoted_len(msg, s, ilen);
			msg_str(msg, " (a node number, ':', a weight 1 to 255; "
				     "e.g. 0:3,2:1)");
			return -1;
		}
		if (node >= SHIM_MAX_NODES || !node_isset(allowed, node)) {
			msg_str(msg, "node ");
			msg_uint(msg, node);
			msg_str(msg, " is not allowed (allowed nodes: ");
			msg_nodes(msg, allowed, SHIM_NODE_WORDS);
			msg_char(msg, ')');
			return -1;
		}
		nodes[n++] = (int)node;
		if (!comma)
			break;
		s = comma + 1;
	}
	if (weights_check(nodes, weights, n, msg) < 0)
		return -1;
	weights_store(rule, nodes, weights, n);
	return 0;
}

int weight_list_parse(const char *s, size_t len, struct shim_rule *rule,
		      struct msg *msg)
{
	int nodes[MAX_WEIGHTED];
	unsigned int weights[MAX_WEIGHTED];
	size_t count = node_count(rule->nodes.mask, SHIM_NODE_WORDS), n = 0;
	const char *end = s + len, *comma;
	size_t ilen;

	if (count > MAX_WEIGHTED) {
		msg_too_many(msg);
		return -1;
	}
	for (size_t node = 0; node < SHIM_MAX_NODES; node++)
		if (node_isset(rule->nodes.mask, node))
			nodes[n++] = (int)node;
	n = 0;
	while (s <= end) {
		comma = memchr(s, ',', (size_t)(end - s));
		ilen = comma ? (size_t)(comma - s) : (size_t)(end - s);
		if (n == MAX_WEIGHTED) {
			msg_too_many(msg);
			return -1;
		}
		if (weight_number(s, ilen, &weights[n]) < 0) {
			msg_str(msg, "bad weight ");
			msg_quoted_len(msg, s, ilen);
			msg_str(msg, " (weights are 1 to 255)");
			return -1;
		}
		n++;
		if (!comma)
			break;
		s = comma + 1;
	}
	if (n != count) {
		msg_uint(msg, n);
		msg_str(msg, n == 1 ? " weight for " : " weights for ");
		msg_uint(msg, count);
		msg_str(msg, count == 1 ? " node (" : " nodes (");
		msg_nodes(msg, rule->nodes.mask, SHIM_NODE_WORDS);
		msg_str(msg, "): one weight per node, in ascending node order");
		return -1;
	}
	if (weights_check(nodes, weights, n, msg) < 0)
		return -1;
	weights_store(rule, nodes, weights, n);
	return 0;
}

/* ------------------------------------------------------------------------
 * Rules: checks and text
 */

const struct shim_rule *shim_rest_rule(const struct shim_config *cfg)
{
	if (cfg->rest_mode == SHIM_REST_SET)
		return &cfg->rest;
	if (cfg->rest_mode == SHIM_REST_AUTO && cfg->nrules == 1 &&
	    cfg->route_mmap && cfg->rules[0].min_size == 0 &&
	    cfg->rules[0].max_size == SIZE_MAX)
		return &cfg->rules[0];
	return NULL;
}

/* preferred takes one node, default none; bind and interleave any. */
int rule_check_nodes(const struct shim_rule *rule, struct msg *msg)
{
	size_t n = node_count(rule->nodes.mask, SHIM_NODE_WORDS);

	if (rule->policy == AML_AREA_LINUX_POLICY_PREFERRED && n != 1) {
		msg_str(msg, "policy preferred takes exactly one node, not ");
		msg_nodes(msg, rule->nodes.mask, SHIM_NODE_WORDS);
		return -1;
	}
	if (rule->policy == AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE &&
	    (n == 0 || rule->nweights != n)) {
		msg_str(msg, "policy weighted needs a weight per node: "
			     "NODE:WEIGHT,... (0:3,2:1), NODES/WEIGHTS "
			     "(0,2/3,1; the form in AML_RULES), NODES/auto or "
			     "NODES/kernel");
		return -1;
	}
	if (rule->policy == AML_AREA_LINUX_POLICY_DEFAULT && n != 0) {
		msg_str(msg, "policy default takes no nodes");
		return -1;
	}
	return 0;
}

/* Nodes when none are given: all allowed ones, none for default. */
void rule_default_nodes(struct shim_rule *rule, const unsigned long *allowed)
{
	memset(&rule->nodes, 0, sizeof(rule->nodes));
	if (rule->policy != AML_AREA_LINUX_POLICY_DEFAULT &&
	    rule->policy != AML_AREA_LINUX_POLICY_PREFERRED)
		memcpy(rule->nodes.mask, allowed,
		       SHIM_NODE_WORDS * sizeof(*allowed));
}

static void msg_size(struct msg *m, size_t v)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && v && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	msg_uint(m, v);
	if (u >= 0)
		msg_char(m, units[u]);
}

/* ------------------------------------------------------------------------
 * site= fields: FUNCTION or MODULE+0xOFFSET, then @DEPTH; several joined
 * by commas
 */

static int site_char_ok(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '-' ||
	       c == '+' || c == '$';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "+0xHEX" at the end of s[0..len): the offset and where "+" is. */
static int site_offset(const char *s, size_t len, size_t *plus, size_t *off,
		       struct msg *msg)
{
	size_t i = len, v = 0;

	while (i > 0 && s[i - 1] != '+')
		i--;
	if (i == 0 || len - i < 3 || s[i] != '0' ||
	    (s[i + 1] != 'x' && s[i + 1] != 'X'))
		return 0; /* no offset: a function name */
	for (size_t j = i + 2; j < len; j++) {
		int h = hex_value(s[j]);

		if (h < 0 || v > (SIZE_MAX >> 4)) {
			msg_str(msg, "bad offset ");
			msg_quoted_len(msg, s + i, len - i);
			msg_str(msg, " (use MODULE+0xHEX)");
			return -1;
		}
		v = (v << 4) | (size_t)h;
	}
	*plus = i - 1;
	*off = v;
	return 1;
}

static int site_spec_parse(struct shim_site *site, const char *s, size_t len,
			   struct msg *msg)
{
	const char *at = NULL;
	size_t namelen, plus = 0;
	int r;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '@')
			at = s + i;
	site->depth = 1;
	namelen = at ? (size_t)(at - s) : len;
	if (at) {
		size_t dlen = len - namelen - 1;

		if (dlen != 1 || !is_digit(at[1]) || at[1] == '0' ||
		    at[1] - '0' > SHIM_SITE_MAX_DEPTH) {
			msg_str(msg, "bad depth ");
			msg_quoted_len(msg, at, dlen + 1);
			msg_str(msg, " (use @1 to @");
			msg_uint(msg, SHIM_SITE_MAX_DEPTH);
			msg_str(msg, ": frames above the allocator)");
			return -1;
		}
		site->depth = at[1] - '0';
	}
	if (namelen == 0) {
		msg_str(msg, "empty site (use FUNCTION or MODULE+0xOFFSET)");
		return -1;
	}
	for (size_t i = 0; i < namelen; i++) {
		if (!site_char_ok(s[i])) {
			msg_str(msg, "bad character ");
			msg_quoted_len(msg, s + i, 1);
			msg_str(msg, " in site ");
			msg_quoted_len(msg, s, len);
			msg_str(msg, " (use FUNCTION or MODULE+0xOFFSET)");
			return -1;
		}
	}
	r = site_offset(s, namelen, &plus, &site->offset, msg);
	if (r < 0)
		return -1;
	site->module_form = r;
	if (r)
		namelen = plus;
	if (namelen == 0 || namelen >= SHIM_SITE_NAME) {
		msg_str(msg,
			namelen ? "site name too long in " : "no module in ");
		msg_quoted_len(msg, s, len);
		return -1;
	}
	memcpy(site->name, s, namelen);
	site->name[namelen] = '\0';
	return 0;
}

int site_field_parse(struct shim_config *cfg, int rule, const char *s,
		     size_t len, struct msg *msg)
{
	const char *end = s + len, *comma;
	struct shim_rule *r = &cfg->rules[rule];

	if (len == 0) {
		msg_str(msg, "empty site= (use FUNCTION or MODULE+0xOFFSET)");
		return -1;
	}
	if (len >= sizeof(r->site)) {
		msg_str(msg, "site= field too long (at most ");
		msg_uint(msg, sizeof(r->site) - 1);
		msg_str(msg, " bytes)");
		return -1;
	}
	for (;;) {
		comma = memchr(s, ',', (size_t)(end - s));
		size_t n = comma ? (size_t)(comma - s) : (size_t)(end - s);

		if (cfg->nsites == SHIM_MAX_SITES) {
			msg_str(msg, "more than ");
			msg_uint(msg, SHIM_MAX_SITES);
			msg_str(msg, " sites in all");
			return -1;
		}
		if (site_spec_parse(&cfg->sites[cfg->nsites], s, n, msg) < 0)
			return -1;
		cfg->sites[cfg->nsites++].rule = rule;
		if (!comma)
			break;
		s = comma + 1;
	}
	memcpy(r->site, end - len, len);
	r->site[len] = '\0';
	return 0;
}

void rules_sites_last(struct shim_config *cfg)
{
	struct shim_rule tmp[SHIM_MAX_RULES];
	int where[SHIM_MAX_RULES], n = 0;

	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < cfg->nrules; i++)
			if ((cfg->rules[i].site[0] != '\0') == pass) {
				where[i] = n;
				tmp[n++] = cfg->rules[i];
			}
	memcpy(cfg->rules, tmp, sizeof(tmp[0]) * (size_t)n);
	for (int i = 0; i < cfg->nsites; i++)
		cfg->sites[i].rule = where[cfg->sites[i].rule];
}

/* " weights 0:3,2:1", and where machine weights came from. */
static void msg_weights(struct msg *m, const struct shim_rule *rule)
{
	size_t k = 0;

	msg_str(m, " weights ");
	for (size_t node = 0; node < SHIM_MAX_NODES && k < rule->nweights;
	     node++) {
		if (!node_isset(rule->nodes.mask, node))
			continue;
		if (k)
			msg_char(m, ',');
		msg_uint(m, node);
		msg_char(m, ':');
		msg_uint(m, rule->weights[k++]);
	}
	if (rule->weights_from == SHIM_WEIGHTS_GIVEN)
		return;
	if (rule->weights_from == SHIM_WEIGHTS_KERNEL)
		msg_str(m, " (kernel)");
	else if (rule->weights_used == AML_AREA_LINUX_WEIGHTS_HMAT)
		msg_str(m, " (auto: HMAT)");
	else
		msg_str(m, " (auto: kernel)");
}

int shim_rule_find(const struct shim_config *cfg, size_t size)
{
	int i;

	for (i = 0; i < cfg->nrules; i++)
		if (cfg->rules[i].site[0] == '\0' &&
		    size >= cfg->rules[i].min_size &&
		    size <= cfg->rules[i].max_size)
			return i;
	return -1;
}

size_t shim_rule_format(const struct shim_rule *rule, char *buf, size_t len)
{
	char scratch[1];
	struct msg m;

	msg_init(&m, len ? buf : scratch, len ? len : sizeof(scratch));
	msg_str(&m, aml_area_linux_policy_name(rule->policy));
	if (rule->policy != AML_AREA_LINUX_POLICY_DEFAULT) {
		msg_str(&m, " nodes ");
		msg_nodes(&m, rule->nodes.mask, SHIM_NODE_WORDS);
	}
	if (rule->policy == AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE)
		msg_weights(&m, rule);
	msg_str(&m, " sizes ");
	if (rule->min_size == 0 && rule->max_size == SIZE_MAX) {
		msg_str(&m, "all");
	} else {
		if (rule->min_size)
			msg_size(&m, rule->min_size);
		msg_char(&m, '-');
		if (rule->max_size != SIZE_MAX)
			msg_size(&m, rule->max_size);
	}
	if (rule->site[0]) {
		msg_str(&m, " site=");
		msg_str(&m, rule->site);
	}
	return m.len;
}
