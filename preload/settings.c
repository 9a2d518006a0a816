/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's settings: the configuration assembled from the table
 * (table.c) and checked as a whole. This runs inside the first malloc of the
 * process, maybe while libnuma's constructor runs: no allocation, no libnuma,
 * no stdio. Messages are built in the caller's buffer by the writer of text.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "settings.h"

/* ------------------------------------------------------------------------
 * The whole configuration
 */

static void config_defaults(struct shim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->route_mmap = 1;
	cfg->log_level = 1;
	cfg->big_decay_ms = 10000;
	cfg->big_cache = (size_t)128 << 20;
	cfg->dirty_decay_ms = 10000;
	cfg->profile_depth = 1;
}

/* Only the first problem is kept; later settings still parse. */
static int setting_apply(struct shim_draft *d, const struct shim_setting *set,
			 const char *value)
{
	msg_str(d->msg, set->name);
	msg_char(d->msg, '=');
	msg_quoted(d->msg, value);
	msg_str(d->msg, ": ");
	if (value[0] == '\0') {
		/* Whoever set AML_STRICT meant strict, even with no value. */
		if (set->parse == parse_strict)
			d->cfg->strict = 1;
		msg_str(d->msg, "empty value");
		return -1;
	}
	return set->parse(d, value);
}

/* Prefix a message about a combination with the variable it blames. */
static void msg_blame(struct shim_draft *d, const char *name, shim_getter get,
		      void *ctx)
{
	const char *value = get(name, ctx);

	msg_str(d->msg, name);
	msg_char(d->msg, '=');
	msg_quoted(d->msg, value ? value : "");
	msg_str(d->msg, ": ");
}

/* AML_POLICY, AML_NODES and AML_SIZE as rule 0. */
static int single_rule(struct shim_draft *d, shim_getter get, void *ctx)
{
	struct shim_rule *rule = &d->rule;

	if (!d->has_policy)
		rule->policy = d->has_nodes ? AML_AREA_LINUX_POLICY_BIND
					    : AML_AREA_LINUX_POLICY_DEFAULT;
	if (!d->has_nodes) {
		rule_default_nodes(rule, d->allowed);
		if (rule->policy == AML_AREA_LINUX_POLICY_PREFERRED) {
			msg_blame(d, "AML_POLICY", get, ctx);
			msg_str(d->msg, "policy preferred needs one node in "
					"AML_NODES");
			return -1;
		}
		if (rule->policy == AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE) {
			msg_blame(d, "AML_POLICY", get, ctx);
			msg_str(d->msg,
				"policy weighted needs nodes and weights "
				"in AML_NODES (e.g. 0:3,2:1, "
				"0,2/auto)");
			return -1;
		}
	}
	if (d->has_nodes) {
		msg_blame(d, "AML_NODES", get, ctx);
		if (rule_check_nodes(rule, d->msg) < 0)
			return -1;
		d->msg->len = 0;
		if (d->msg->cap)
			d->msg->buf[0] = '\0';
	}
	d->cfg->rules[0] = *rule;
	d->cfg->nrules = 1;
	return 0;
}

static int rules_conflict(struct shim_draft *d, shim_getter get, void *ctx)
{
	static const char *const single[] = {"AML_POLICY", "AML_NODES",
					     "AML_SIZE"};
	size_t i;

	for (i = 0; i < 3; i++) {
		if (!get(single[i], ctx))
			continue;
		msg_str(d->msg, "AML_RULES cannot be combined with ");
		msg_str(d->msg, single[i]);
		msg_str(d->msg, " (write that rule into AML_RULES)");
		return -1;
	}
	return 0;
}

static int settings_read(struct shim_draft *d, shim_getter get, void *ctx)
{
	struct msg *msg = d->msg;
	size_t i, keep = 0;
	int failed = 0;
	const char *value;

	for (i = 0; i < shim_settings_count; i++) {
		value = get(shim_settings[i].name, ctx);
		if (value == NULL)
			continue;
		if (setting_apply(d, &shim_settings[i], value) < 0 && !failed) {
			failed = 1;
			keep = msg->len;
		}
		/* Keep the first message, drop what later ones wrote. */
		msg->len = keep;
		if (msg->cap)
			msg->buf[keep] = '\0';
	}
	if (failed)
		return -1;
	if (d->cfg->fallback[0] && d->cfg->strict) {
		msg_str(msg, d->cfg->fallback);
		return -1;
	}
	if (d->has_rules && d->single)
		return rules_conflict(d, get, ctx);
	if (d->single)
		return single_rule(d, get, ctx);
	return 0;
}

int shim_settings_parse(struct shim_config *cfg, shim_getter get, void *ctx,
			const unsigned long *allowed, char *err, size_t errlen)
{
	unsigned long own_allowed[SHIM_NODE_WORDS];
	struct shim_draft d;
	struct msg msg, note;

	msg_init(&msg, err, errlen);
	if (cfg == NULL || get == NULL) {
		msg_str(&msg, "no configuration to fill");
		return -1;
	}
	config_defaults(cfg);
	if (allowed == NULL) {
		if (shim_allowed_nodes(own_allowed, SHIM_NODE_WORDS) < 0) {
			memset(own_allowed, 0, sizeof(own_allowed));
			own_allowed[0] = 1;
		}
		allowed = own_allowed;
	}
	memset(&d, 0, sizeof(d));
	msg_init(&note, cfg->resolved, sizeof(cfg->resolved));
	d.cfg = cfg;
	d.allowed = allowed;
	d.msg = &msg;
	d.get = get;
	d.ctx = ctx;
	d.note = &note;
	d.rule.max_size = SIZE_MAX;
	if (settings_read(&d, get, ctx) < 0) {
		cfg->nrules = 0;
		memset(cfg->rules, 0, sizeof(cfg->rules));
		cfg->resolved[0] = '\0';
		cfg->fallback[0] = '\0';
		return -1;
	}
	return 0;
}

static const char *environment_get(const char *name, void *ctx)
{
	(void)ctx;
	return secure_getenv(name);
}

int shim_settings_load(struct shim_config *cfg, char *err, size_t errlen)
{
	return shim_settings_parse(cfg, environment_get, NULL, NULL, err,
				   errlen);
}
