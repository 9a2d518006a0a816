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
		msg_str(msg, " (use bind, preferred, interleave or default)");
		return -1;
	}
	*policy = (enum aml_area_linux_policy)value;
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
	size_t n = node_count(rule->nodes, SHIM_NODE_WORDS);

	if (rule->policy == AML_AREA_LINUX_POLICY_PREFERRED && n != 1) {
		msg_str(msg, "policy preferred takes exactly one node, not ");
		msg_nodes(msg, rule->nodes, SHIM_NODE_WORDS);
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
	if (rule->policy == AML_AREA_LINUX_POLICY_DEFAULT ||
	    rule->policy == AML_AREA_LINUX_POLICY_PREFERRED)
		memset(rule->nodes, 0, sizeof(rule->nodes));
	else
		memcpy(rule->nodes, allowed, sizeof(rule->nodes));
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

int shim_rule_find(const struct shim_config *cfg, size_t size)
{
	int i;

	for (i = 0; i < cfg->nrules; i++)
		if (size >= cfg->rules[i].min_size &&
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
		msg_nodes(&m, rule->nodes, SHIM_NODE_WORDS);
	}
	msg_str(&m, " sizes ");
	if (rule->min_size == 0 && rule->max_size == SIZE_MAX) {
		msg_str(&m, "all");
		return m.len;
	}
	if (rule->min_size)
		msg_size(&m, rule->min_size);
	msg_char(&m, '-');
	if (rule->max_size != SIZE_MAX)
		msg_size(&m, rule->max_size);
	return m.len;
}
