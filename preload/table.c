/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The settings table (settings): every variable the shim reads, with its
 * type, default, help line and parser. The parsers fill a draft that
 * settings.c turns into the configuration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

/* ------------------------------------------------------------------------
 * The table's parsers. They fill a draft; shim_settings_parse() then turns
 * AML_POLICY/AML_NODES/AML_SIZE into rule 0, or takes AML_RULES.
 */

/* A node field: a numactl list, or a placement form (probe.c). */
static int nodes_parse(struct shim_draft *d, const char *s, size_t len,
		       unsigned long *mask)
{
	if (len == 0 || s[0] != '@')
		return nodelist_parse(s, len, mask, SHIM_NODE_WORDS, d->allowed,
				      d->msg);
	return form_parse(s, len, d->allowed, mask, d->get, d->ctx, d->msg,
			  d->note);
}

static int parse_policy(struct shim_draft *d, const char *value)
{
	d->single = d->has_policy = 1;
	return policy_parse(value, strlen(value), &d->rule.policy, d->msg);
}

static int parse_nodes(struct shim_draft *d, const char *value)
{
	d->single = d->has_nodes = 1;
	return nodes_parse(d, value, strlen(value), d->rule.nodes);
}

static int parse_size(struct shim_draft *d, const char *value)
{
	d->single = 1;
	return size_range_parse(value, strlen(value), ':', &d->rule.min_size,
				&d->rule.max_size, d->msg);
}

/* One rule, POLICY[:NODES[:SIZES]], from s[0..len). */
static int rule_parse(struct shim_draft *d, const char *s, size_t len,
		      struct shim_rule *rule)
{
	const char *end = s + len, *field[3], *colon;
	size_t flen[3] = {0, 0, 0};
	int n = 0;

	for (;;) {
		colon = memchr(s, ':', (size_t)(end - s));
		if (n == 3) {
			msg_str(d->msg, "too many fields (POLICY:NODES:SIZES)");
			return -1;
		}
		field[n] = s;
		flen[n++] = colon ? (size_t)(colon - s) : (size_t)(end - s);
		if (!colon)
			break;
		s = colon + 1;
	}
	if (policy_parse(field[0], flen[0], &rule->policy, d->msg) < 0)
		return -1;
	rule_default_nodes(rule, d->allowed);
	if (n > 1 && flen[1] &&
	    nodes_parse(d, field[1], flen[1], rule->nodes) < 0)
		return -1;
	if (rule_check_nodes(rule, d->msg) < 0)
		return -1;
	rule->min_size = 0;
	rule->max_size = SIZE_MAX;
	if (n > 2 && flen[2])
		return size_range_parse(field[2], flen[2], '-', &rule->min_size,
					&rule->max_size, d->msg);
	return 0;
}

static int parse_rules(struct shim_draft *d, const char *value)
{
	struct shim_config *cfg = d->cfg;
	const char *s = value, *semi;
	size_t len, prefix = d->msg->len;

	d->has_rules = 1;
	cfg->nrules = 0;
	for (;;) {
		semi = strchr(s, ';');
		len = semi ? (size_t)(semi - s) : strlen(s);
		if (cfg->nrules == SHIM_MAX_RULES) {
			msg_str(d->msg, "more than ");
			msg_uint(d->msg, SHIM_MAX_RULES);
			msg_str(d->msg, " rules");
			return -1;
		}
		msg_str(d->msg, "rule ");
		msg_uint(d->msg, (unsigned long long)cfg->nrules);
		msg_char(d->msg, ' ');
		msg_quoted_len(d->msg, s, len);
		msg_str(d->msg, ": ");
		if (len == 0) {
			msg_str(d->msg, "empty rule");
			return -1;
		}
		if (rule_parse(d, s, len, &cfg->rules[cfg->nrules]) < 0)
			return -1;
		cfg->nrules++;
		/* Forget the "rule N: " prefix of a rule that parsed. */
		d->msg->len = prefix;
		if (d->msg->cap)
			d->msg->buf[prefix] = '\0';
		if (!semi)
			return 0;
		s = semi + 1;
	}
}

static int parse_bool(const char *value, int *out, struct msg *msg)
{
	if (word_find(bool_words, value, strlen(value), out) == 0)
		return 0;
	msg_str(msg, "not a boolean (use 1 or 0)");
	return -1;
}

static int parse_mmap(struct shim_draft *d, const char *value)
{
	return parse_bool(value, &d->cfg->route_mmap, d->msg);
}

static int parse_log(struct shim_draft *d, const char *value)
{
	if (word_find(level_words, value, strlen(value), &d->cfg->log_level) ==
	    0)
		return 0;
	msg_str(d->msg, "unknown log level (use quiet, warn, info, debug "
			"or 0-3)");
	return -1;
}

int parse_strict(struct shim_draft *d, const char *value)
{
	if (parse_bool(value, &d->cfg->strict, d->msg) == 0)
		return 0;
	d->cfg->strict = 1; /* whoever wrote something meant strict */
	return -1;
}

/* Milliseconds, or -1 for never. */
static int parse_ms(struct shim_draft *d, const char *value, long *out)
{
	size_t v;

	if (strcmp(value, "-1") == 0) {
		*out = -1;
		return 0;
	}
	if (size_parse(value, strlen(value), &v) != SIZE_OK ||
	    value[strlen(value) - 1] < '0' || value[strlen(value) - 1] > '9' ||
	    v > 86400000) {
		msg_str(d->msg, "not a number of milliseconds from 0 to "
				"86400000, or -1 for never");
		return -1;
	}
	*out = (long)v;
	return 0;
}

static int parse_big_decay(struct shim_draft *d, const char *value)
{
	return parse_ms(d, value, &d->cfg->big_decay_ms);
}

static int parse_dirty_decay(struct shim_draft *d, const char *value)
{
	return parse_ms(d, value, &d->cfg->dirty_decay_ms);
}

static int parse_big_cache(struct shim_draft *d, const char *value)
{
	if (size_parse(value, strlen(value), &d->cfg->big_cache) == SIZE_OK)
		return 0;
	msg_str(d->msg, "not a size (bytes with K, M or G)");
	return -1;
}

/* "%p" (the process id) and "%%" are the only escapes of a report path. */
static int report_path_check(const char *value, struct msg *msg)
{
	const char *s;

	if (strlen(value) >= sizeof(((struct shim_config *)0)->report_path)) {
		msg_str(msg, "report path too long (at most ");
		msg_uint(msg,
			 sizeof(((struct shim_config *)0)->report_path) - 1);
		msg_str(msg, " bytes)");
		return -1;
	}
	for (s = value; *s; s++) {
		if (*s != '%')
			continue;
		if (s[1] != 'p' && s[1] != '%') {
			msg_str(msg, "unknown escape ");
			msg_quoted_len(msg, s, s[1] ? 2 : 1);
			msg_str(msg, " (use %p for the process id, %% for %)");
			return -1;
		}
		s++;
	}
	return 0;
}

static int parse_report(struct shim_draft *d, const char *value)
{
	struct shim_config *cfg = d->cfg;
	int on;

	if (!strcmp(value, "stderr")) {
		on = 1;
	} else if (word_find(bool_words, value, strlen(value), &on) < 0) {
		if (report_path_check(value, d->msg) < 0)
			return -1;
		strcpy(cfg->report_path, value);
		cfg->report = 1;
		return 0;
	}
	cfg->report = on;
	cfg->report_path[0] = '\0';
	return 0;
}

static int parse_report_format(struct shim_draft *d, const char *value)
{
	if (!strcmp(value, "text") || !strcmp(value, "json")) {
		d->cfg->report_json = value[0] == 'j';
		return 0;
	}
	msg_str(d->msg, "not a report format (text or json)");
	return -1;
}

/* auto, none, or POLICY[:NODES]: a rule without sizes. */
static int parse_rest(struct shim_draft *d, const char *value)
{
	struct shim_config *cfg = d->cfg;

	cfg->rest_mode = SHIM_REST_AUTO;
	if (!strcmp(value, "auto"))
		return 0;
	cfg->rest_mode = SHIM_REST_NONE;
	if (!strcmp(value, "none"))
		return 0;
	cfg->rest_mode = SHIM_REST_SET;
	if (rule_parse(d, value, strlen(value), &cfg->rest) < 0)
		return -1;
	if (cfg->rest.min_size == 0 && cfg->rest.max_size == SIZE_MAX)
		return 0;
	msg_str(d->msg, "the rest of the process takes no sizes "
			"(POLICY[:NODES], auto or none)");
	return -1;
}

const struct shim_setting shim_settings[] = {
	{"AML_POLICY", "policy", "bind if AML_NODES is set, else default",
	 "placement policy: bind, preferred, interleave or default "
	 "(numactl's membind and local too)",
	 parse_policy},
	{"AML_NODES", "node list", "all allowed nodes",
	 "nodes of the policy, numactl syntax: 0-3,5  all  !1  +0-1; or "
	 "per process: @local-rank  @cpu-local  @nearest[=K]",
	 parse_nodes},
	{"AML_SIZE", "size range", "all sizes",
	 "MIN[:MAX] bytes with K/M/G suffixes: only allocations in range "
	 "are placed",
	 parse_size},
	{"AML_RULES", "rule list", "none",
	 "several areas, first match wins: POLICY[:NODES[:MIN-MAX]];... "
	 "(instead of AML_POLICY/AML_NODES/AML_SIZE)",
	 parse_rules},
	{"AML_MMAP", "bool", "1",
	 "route anonymous private mmap through the rules too", parse_mmap},
	{"AML_REPORT", "report", "0",
	 "placement report at exit: 0, 1 or stderr, or a file path "
	 "(%p: process id)",
	 parse_report},
	{"AML_REPORT_FORMAT", "format", "text",
	 "the report's format: text (one line per rule) or json (one object "
	 "per process, docs/report.md)",
	 parse_report_format},
	{"AML_REST", "rest", "none",
	 "the rest of the process (stacks, brk heap, static data, what no "
	 "rule routes) placed with the process memory policy: POLICY[:NODES], "
	 "auto (as the one rule when a single rule covers all sizes) or none",
	 parse_rest},
	{"AML_LOG", "log level", "warn", "quiet, warn, info or debug (or 0-3)",
	 parse_log},
	{"AML_STRICT", "bool", "0",
	 "stop the program at start-up on an invalid setting instead of "
	 "warning and running with default placement",
	 parse_strict},
	{"AML_BIG_DECAY_MS", "milliseconds", "10000",
	 "freed big blocks (4 MiB and up) stay mapped and bound for reuse "
	 "at most this long before going back to the kernel (checked at each "
	 "big allocation or free); 0: at once, -1: no limit",
	 parse_big_decay},
	{"AML_BIG_CACHE", "size", "128M",
	 "freed big-block bytes kept resident per placement; beyond it, the "
	 "oldest go back to the kernel (and when the small-object heap "
	 "grows, the oldest give up their pages first)",
	 parse_big_cache},
	{"AML_DIRTY_DECAY_MS", "milliseconds", "10000",
	 "freed pages of the other blocks (below 4 MiB) stay mapped for "
	 "reuse, going back to the kernel gradually over this time "
	 "(jemalloc's dirty decay); shorter: lower RSS, more page faults; "
	 "0: at once, -1: never",
	 parse_dirty_decay},
};
const size_t shim_settings_count =
	sizeof(shim_settings) / sizeof(shim_settings[0]);
