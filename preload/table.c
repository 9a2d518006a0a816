/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The settings table (settings): every variable the shim reads, with its
 * type, default, help line and parser. The parsers fill a draft that
 * settings.c turns into the configuration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Weights from the machine for the rule's nodes (NODES/auto, NODES/kernel).
 * Without figures the rule becomes plain interleave over the nodes and
 * why goes to cfg->fallback (an error under AML_STRICT, settings.c). */
static void weights_from_machine(struct shim_draft *d, struct shim_rule *rule,
				 int from, const char *s, size_t len)
{
	enum aml_area_linux_weights_source used;
	int nodes[AML_AREA_LINUX_WEIGHTED_MAX_NODES];
	struct msg fb;
	size_t n = 0;

	for (size_t node = 0; node < SHIM_MAX_NODES; node++)
		if (node_isset(rule->nodes.mask, node) &&
		    n < AML_AREA_LINUX_WEIGHTED_MAX_NODES)
			nodes[n++] = (int)node;
	if (n < node_count(rule->nodes.mask, SHIM_NODE_WORDS) ||
	    aml_area_linux_weights_from_machine(
		    nodes, n, rule->weights,
		    from == SHIM_WEIGHTS_AUTO ? AML_AREA_LINUX_WEIGHTS_AUTO
					      : AML_AREA_LINUX_WEIGHTS_KERNEL,
		    &used) != 0) {
		rule->policy = AML_AREA_LINUX_POLICY_INTERLEAVE;
		rule->nweights = 0;
		if (d->cfg->fallback[0])
			return; /* the first one is enough */
		msg_init(&fb, d->cfg->fallback, sizeof(d->cfg->fallback));
		msg_quoted_len(&fb, s, len);
		msg_str(&fb,
			from == SHIM_WEIGHTS_AUTO
				? ": no weights from the machine for nodes "
				: ": no kernel weights for nodes ");
		msg_nodes(&fb, rule->nodes.mask, SHIM_NODE_WORDS);
		msg_str(&fb,
			from == SHIM_WEIGHTS_AUTO
				? " (no HMAT bandwidth from this process's "
				  "CPUs, no /sys/kernel/mm/mempolicy/"
				  "weighted_interleave)"
				: " (no /sys/kernel/mm/mempolicy/"
				  "weighted_interleave: Linux 6.9 and later)");
		msg_str(&fb, "; plain interleave instead");
		return;
	}
	rule->nweights = (unsigned int)n;
	rule->weights_from = from;
	rule->weights_used = (int)used;
}

/* The node field of policy weighted: NODE:WEIGHT,... or NODES/WEIGHTS,
 * NODES/auto, NODES/kernel (NODES a list or a placement form; the weights
 * follow its nodes in ascending order). */
static int weighted_parse(struct shim_draft *d, const char *s, size_t len,
			  struct shim_rule *rule)
{
	const char *slash = memchr(s, '/', len);
	size_t nlen = slash ? (size_t)(slash - s) : len, wlen;

	rule->nweights = 0;
	if (slash == NULL && memchr(s, ':', len) != NULL &&
	    (len == 0 || s[0] != '@'))
		return weight_pairs_parse(s, len, rule, d->allowed, d->msg);
	if (slash == NULL) {
		memset(&rule->nodes, 0, sizeof(rule->nodes));
		if (nodes_parse(d, s, len, rule->nodes.mask) < 0)
			return -1;
		return rule_check_nodes(rule, d->msg); /* no weights */
	}
	wlen = len - nlen - 1;
	if (nlen == 0) {
		msg_str(d->msg, aml_area_linux_weights_problem(
					NULL, rule->weights, wlen ? 1 : 0));
		msg_str(d->msg, " (NODES/WEIGHTS, e.g. 0,2/3,1)");
		return -1;
	}
	if (nodes_parse(d, s, nlen, rule->nodes.mask) < 0)
		return -1;
	if (wlen == 4 && !memcmp(slash + 1, "auto", 4))
		weights_from_machine(d, rule, SHIM_WEIGHTS_AUTO, s, len);
	else if (wlen == 6 && !memcmp(slash + 1, "kernel", 6))
		weights_from_machine(d, rule, SHIM_WEIGHTS_KERNEL, s, len);
	else
		return weight_list_parse(slash + 1, wlen, rule, d->msg);
	return 0;
}

static int parse_policy(struct shim_draft *d, const char *value)
{
	d->single = d->has_policy = 1;
	return policy_parse(value, strlen(value), &d->rule.policy, d->msg);
}

static int parse_nodes(struct shim_draft *d, const char *value)
{
	d->single = d->has_nodes = 1;
	if (d->has_policy &&
	    d->rule.policy == AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE)
		return weighted_parse(d, value, strlen(value), &d->rule);
	return nodes_parse(d, value, strlen(value), d->rule.nodes.mask);
}

static int parse_size(struct shim_draft *d, const char *value)
{
	d->single = 1;
	return size_range_parse(value, strlen(value), ':', &d->rule.min_size,
				&d->rule.max_size, d->msg);
}

/* The smallest minimum of a site= rule (smaller requests keep the fast
 * path) and its default sizes. */
#define SITE_MIN_SIZE 16
#define SITE_DEFAULT_MIN 4096

/* "too many fields", with the rule form of weights when the policy is
 * weighted (node:weight pairs split a rule at their colons). */
static void too_many_fields(struct shim_draft *d, const char *policy,
			    size_t len)
{
	msg_str(d->msg, "too many fields (POLICY:NODES:SIZES:site=SITES)");
	if (len == 8 && !memcmp(policy, "weighted", 8))
		msg_str(d->msg, "; weights in a rule are NODES/WEIGHTS, e.g. "
				"weighted:0,2/3,1:1M-");
}

/* One rule, POLICY[:NODES[:SIZES[:site=SITES]]], from s[0..len), into
 * rule: rule number index of the configuration, or (index < 0) a rule of
 * its own that takes no site= field (AML_REST). */
static int rule_parse(struct shim_draft *d, const char *s, size_t len,
		      struct shim_rule *rule, int index)
{
	const char *end = s + len, *field[4], *colon;
	size_t flen[4] = {0, 0, 0, 0};
	int n = 0;

	for (;;) {
		colon = memchr(s, ':', (size_t)(end - s));
		if (n == 4) {
			too_many_fields(d, field[0], flen[0]);
			return -1;
		}
		field[n] = s;
		flen[n++] = colon ? (size_t)(colon - s) : (size_t)(end - s);
		if (!colon)
			break;
		s = colon + 1;
	}
	rule->site[0] = '\0';
	if (policy_parse(field[0], flen[0], &rule->policy, d->msg) < 0)
		return -1;
	rule_default_nodes(rule, d->allowed);
	rule->nweights = 0;
	if (rule->policy == AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE &&
	    n > 1 && flen[1]) {
		if (weighted_parse(d, field[1], flen[1], rule) < 0)
			return -1;
	} else if (n > 1 && flen[1] &&
		   nodes_parse(d, field[1], flen[1], rule->nodes.mask) < 0) {
		return -1;
	}
	if (rule_check_nodes(rule, d->msg) < 0)
		return -1;
	rule->min_size = 0;
	rule->max_size = SIZE_MAX;
	if (n > 2 && flen[2] &&
	    size_range_parse(field[2], flen[2], '-', &rule->min_size,
			     &rule->max_size, d->msg) < 0)
		return -1;
	if (n < 4)
		return 0;
	if (memchr(field[3], '=', flen[3]) == NULL) {
		too_many_fields(d, field[0], flen[0]);
		return -1;
	}
	if (index < 0) {
		msg_str(d->msg, "the rest of the process takes no site= field");
		return -1;
	}
	if (flen[3] < 5 || memcmp(field[3], "site=", 5) != 0) {
		msg_str(d->msg, "fourth field ");
		msg_quoted_len(d->msg, field[3], flen[3]);
		msg_str(d->msg,
			" is not site=FUNCTION or site=MODULE+0xOFFSET");
		return -1;
	}
	if (site_field_parse(d->cfg, index, field[3] + 5, flen[3] - 5, d->msg) <
	    0)
		return -1;
	if (n < 3 || flen[2] == 0) {
		rule->min_size = SITE_DEFAULT_MIN;
	} else if (rule->min_size < SITE_MIN_SIZE) {
		msg_str(d->msg, "a site= rule places requests of ");
		msg_uint(d->msg, SITE_MIN_SIZE);
		msg_str(d->msg,
			" bytes and up (give a minimum size, e.g. 4K-)");
		return -1;
	}
	return 0;
}

/* One rule more; where names it in messages ("rule 2", "line 7"). */
static int rule_add(struct shim_draft *d, const char *s, size_t len,
		    const char *where, size_t number)
{
	struct shim_config *cfg = d->cfg;
	size_t prefix = d->msg->len;

	if (cfg->nrules == SHIM_MAX_RULES) {
		msg_str(d->msg, "more than ");
		msg_uint(d->msg, SHIM_MAX_RULES);
		msg_str(d->msg, " rules");
		return -1;
	}
	msg_str(d->msg, where);
	msg_uint(d->msg, (unsigned long long)number);
	msg_char(d->msg, ' ');
	msg_quoted_len(d->msg, s, len);
	msg_str(d->msg, ": ");
	if (len == 0) {
		msg_str(d->msg, "empty rule");
		return -1;
	}
	if (rule_parse(d, s, len, &cfg->rules[cfg->nrules], cfg->nrules) < 0)
		return -1;
	cfg->nrules++;
	/* Forget the prefix of a rule that parsed. */
	d->msg->len = prefix;
	if (d->msg->cap)
		d->msg->buf[prefix] = '\0';
	return 0;
}

static int parse_rules(struct shim_draft *d, const char *value)
{
	const char *s = value, *semi;
	size_t len;

	d->has_rules = 1;
	for (;;) {
		semi = strchr(s, ';');
		len = semi ? (size_t)(semi - s) : strlen(s);
		if (rule_add(d, s, len, "rule ", (size_t)d->cfg->nrules) < 0)
			return -1;
		if (!semi)
			break;
		s = semi + 1;
	}
	rules_sites_last(d->cfg);
	return 0;
}

/* AML_RULES_FILE: one rule per line, # comments, blank lines; the rules
 * come after AML_RULES's. Read whole into a stack buffer (no malloc). */
#define RULES_FILE_MAX 16384

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int parse_rules_file(struct shim_draft *d, const char *value)
{
	char buf[RULES_FILE_MAX + 1];
	size_t len = 0, line = 1;
	const char *s, *end;
	int fd, err = 0;

	d->has_rules = 1;
	fd = open(value, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		msg_str(d->msg, "cannot open the rules file: ");
		msg_str(d->msg, strerrordesc_np(errno));
		return -1;
	}
	while (len < sizeof(buf)) {
		ssize_t got = read(fd, buf + len, sizeof(buf) - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err = errno;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (err) {
		msg_str(d->msg, "cannot read the rules file: ");
		msg_str(d->msg, strerrordesc_np(err));
		return -1;
	}
	if (len > RULES_FILE_MAX) {
		msg_str(d->msg, "rules file larger than ");
		msg_uint(d->msg, RULES_FILE_MAX);
		msg_str(d->msg, " bytes");
		return -1;
	}
	for (s = buf, end = buf + len; s < end; line++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end,
			   *hash = memchr(s, '#', (size_t)(e - s));

		if (hash)
			e = hash;
		while (s < e && is_blank(*s))
			s++;
		while (e > s && is_blank(e[-1]))
			e--;
		if (e > s && rule_add(d, s, (size_t)(e - s), "line ", line) < 0)
			return -1;
		if (!nl)
			break;
		s = nl + 1;
	}
	if (d->cfg->nrules == 0) {
		msg_str(d->msg, "no rule in the rules file");
		return -1;
	}
	rules_sites_last(d->cfg);
	return 0;
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

static int parse_profile(struct shim_draft *d, const char *value)
{
	if (report_path_check(value, d->msg) < 0)
		return -1;
	strcpy(d->cfg->profile_path, value);
	return 0;
}

static int parse_profile_capacity(struct shim_draft *d, const char *value)
{
	if (size_parse(value, strlen(value), &d->cfg->profile_capacity) ==
	    SIZE_OK)
		return 0;
	msg_str(d->msg, "not a size (bytes with K, M or G)");
	return -1;
}

static int parse_profile_depth(struct shim_draft *d, const char *value)
{
	if (value[1] == '\0' && value[0] >= '1' &&
	    value[0] - '0' <= SHIM_SITE_MAX_DEPTH) {
		d->cfg->profile_depth = value[0] - '0';
		return 0;
	}
	msg_str(d->msg, "not a depth from 1 to 8");
	return -1;
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
	if (rule_parse(d, value, strlen(value), &cfg->rest, -1) < 0)
		return -1;
	if (cfg->rest.min_size == 0 && cfg->rest.max_size == SIZE_MAX)
		return 0;
	msg_str(d->msg, "the rest of the process takes no sizes "
			"(POLICY[:NODES], auto or none)");
	return -1;
}

const struct shim_setting shim_settings[] = {
	{"AML_POLICY", "policy", "bind if AML_NODES is set, else default",
	 "placement policy: bind, preferred, interleave, weighted or default "
	 "(numactl's membind and local too)",
	 parse_policy},
	{"AML_NODES", "node list", "all allowed nodes",
	 "nodes of the policy, numactl syntax: 0-3,5  all  !1  +0-1; or "
	 "per process: @local-rank  @cpu-local  @nearest[=K]; weighted: "
	 "NODE:WEIGHT,... (0:3,2:1) or NODES/WEIGHTS (0,2/3,1; @nearest=2/3,1: "
	 "weights in ascending node order), NODES/auto (HMAT), NODES/kernel",
	 parse_nodes},
	{"AML_SIZE", "size range", "all sizes",
	 "MIN[:MAX] bytes with K/M/G suffixes: only allocations in range "
	 "are placed",
	 parse_size},
	{"AML_RULES", "rule list", "none",
	 "several areas, first match wins: POLICY[:NODES[:MIN-MAX]];... "
	 "(weighted: NODES/WEIGHTS) "
	 "(instead of AML_POLICY/AML_NODES/AML_SIZE); a rule may end with "
	 ":site=FUNCTION[@DEPTH] or :site=MODULE+0xOFFSET[@DEPTH] (several "
	 "joined by commas; sizes default to 4K-): only requests from that "
	 "code, examined before the other rules (docs/placement-by-site.md)",
	 parse_rules},
	{"AML_RULES_FILE", "file", "none",
	 "rules read from a file, one per line as in AML_RULES, # comments; "
	 "added after AML_RULES's",
	 parse_rules_file},
	{"AML_PROFILE", "file", "none",
	 "profile by allocation site: requests of 4K and up counted per "
	 "site (allocations, bytes, peak live bytes), a table written to "
	 "this file at exit (%p: process id) and rules for the largest "
	 "beside it (FILE.rules)",
	 parse_profile},
	{"AML_PROFILE_CAPACITY", "size", "0",
	 "the suggested rules take the sites whose peaks fit this many bytes, "
	 "largest first; 0: every site",
	 parse_profile_capacity},
	{"AML_PROFILE_DEPTH", "depth", "1",
	 "a profile's site is this frame above the allocator (2: through one "
	 "wrapper), written as MODULE+0xOFFSET@DEPTH",
	 parse_profile_depth},
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
