/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's settings: every variable, the rules, and one exact message for
 * every kind of bad input. Parsed against a fake allowed set, nodes 0-3.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/settings.h"
#include "settings-env.h"

/* ------------------------------------------------------------------------
 * Valid settings
 */

Test(settings, nothing_set_means_no_rules_and_documented_defaults)
{
	cr_assert_eq(parse(ENV({"OTHER", "x"})), 0);
	cr_assert_eq(cfg.nrules, 0);
	cr_assert_eq(cfg.route_mmap, 1);
	cr_assert_eq(cfg.log_level, 1);
	cr_assert_eq(cfg.strict, 0);
	cr_assert_eq(cfg.report, 0);
}

Test(settings, policy_and_nodes_make_rule_zero_for_all_sizes)
{
	cr_assert_eq(
		parse(ENV({"AML_POLICY", "interleave"}, {"AML_NODES", "1-2"})),
		0, "%s", err);
	cr_assert_eq(cfg.nrules, 1);
	cr_assert_eq(cfg.rules[0].policy, AML_AREA_LINUX_POLICY_INTERLEAVE);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], 0x6UL);
	cr_assert_eq(cfg.rules[0].min_size, 0);
	cr_assert_eq(cfg.rules[0].max_size, SIZE_MAX);
}

Test(settings, nodes_alone_mean_bind)
{
	cr_assert_eq(parse(ENV({"AML_NODES", "2"})), 0, "%s", err);
	cr_assert_eq(cfg.rules[0].policy, AML_AREA_LINUX_POLICY_BIND);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], 0x4UL);
}

Test(settings, policy_alone_spans_every_allowed_node)
{
	cr_assert_eq(parse(ENV({"AML_POLICY", "bind"})), 0, "%s", err);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], 0xfUL);
}

Test(settings, numactl_words_membind_and_local_are_accepted)
{
	cr_assert_eq(parse(ENV({"AML_POLICY", "membind"})), 0, "%s", err);
	cr_assert_eq(cfg.rules[0].policy, AML_AREA_LINUX_POLICY_BIND);
	cr_assert_eq(parse(ENV({"AML_POLICY", "local"})), 0, "%s", err);
	cr_assert_eq(cfg.rules[0].policy, AML_AREA_LINUX_POLICY_DEFAULT);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], 0);
}

Test(settings, preferred_takes_its_one_node)
{
	cr_assert_eq(
		parse(ENV({"AML_POLICY", "preferred"}, {"AML_NODES", "3"})), 0,
		"%s", err);
	cr_assert_eq(cfg.rules[0].policy, AML_AREA_LINUX_POLICY_PREFERRED);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], 0x8UL);
}

Test(settings, size_range_is_min_colon_max_with_binary_suffixes)
{
	cr_assert_eq(parse(ENV({"AML_NODES", "0"}, {"AML_SIZE", "4K:1M"})), 0,
		     "%s", err);
	cr_assert_eq(cfg.rules[0].min_size, 4096);
	cr_assert_eq(cfg.rules[0].max_size, 1048576);
}

Test(settings, size_minimum_alone_has_no_upper_bound)
{
	cr_assert_eq(parse(ENV({"AML_NODES", "0"}, {"AML_SIZE", "2G"})), 0,
		     "%s", err);
	cr_assert_eq(cfg.rules[0].min_size, 2UL << 30);
	cr_assert_eq(cfg.rules[0].max_size, SIZE_MAX);
}

Test(settings, size_maximum_alone_starts_at_zero)
{
	cr_assert_eq(parse(ENV({"AML_NODES", "0"}, {"AML_SIZE", ":64"})), 0,
		     "%s", err);
	cr_assert_eq(cfg.rules[0].min_size, 0);
	cr_assert_eq(cfg.rules[0].max_size, 64);
}

Test(settings, rules_give_one_area_per_rule_in_order)
{
	cr_assert_eq(parse(ENV({"AML_RULES", "interleave:0-3:1M-;bind:0:-1M"})),
		     0, "%s", err);
	cr_assert_eq(cfg.nrules, 2);
	cr_assert_eq(cfg.rules[0].policy, AML_AREA_LINUX_POLICY_INTERLEAVE);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], 0xfUL);
	cr_assert_eq(cfg.rules[0].min_size, 1UL << 20);
	cr_assert_eq(cfg.rules[0].max_size, SIZE_MAX);
	cr_assert_eq(cfg.rules[1].policy, AML_AREA_LINUX_POLICY_BIND);
	cr_assert_eq(cfg.rules[1].nodes.mask[0], 0x1UL);
	cr_assert_eq(cfg.rules[1].min_size, 0);
	cr_assert_eq(cfg.rules[1].max_size, 1UL << 20);
}

Test(settings, rule_fields_after_the_policy_are_optional)
{
	cr_assert_eq(parse(ENV({"AML_RULES", "bind;interleave::4K-"})), 0, "%s",
		     err);
	cr_assert_eq(cfg.nrules, 2);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], 0xfUL);
	cr_assert_eq(cfg.rules[0].max_size, SIZE_MAX);
	cr_assert_eq(cfg.rules[1].nodes.mask[0], 0xfUL);
	cr_assert_eq(cfg.rules[1].min_size, 4096);
}

Test(settings, eight_rules_fit)
{
	cr_assert_eq(parse(ENV({"AML_RULES", "bind;bind;bind;bind;bind;bind;"
					     "bind;bind"})),
		     0, "%s", err);
	cr_assert_eq(cfg.nrules, SHIM_MAX_RULES);
}

Test(settings, mmap_log_strict_and_report_are_read)
{
	cr_assert_eq(parse(ENV({"AML_MMAP", "0"}, {"AML_LOG", "debug"},
			       {"AML_STRICT", "1"}, {"AML_REPORT", "stderr"})),
		     0, "%s", err);
	cr_assert_eq(cfg.route_mmap, 0);
	cr_assert_eq(cfg.log_level, 3);
	cr_assert_eq(cfg.strict, 1);
	cr_assert_eq(cfg.report, 1);
	cr_assert_str_eq(cfg.report_path, "");
}

Test(settings, big_block_knobs_have_defaults_and_are_read)
{
	cr_assert_eq(parse(ENV({"AML_LOG", "warn"})), 0, "%s", err);
	cr_assert_eq(cfg.big_decay_ms, 10000);
	cr_assert_eq(cfg.big_cache, (size_t)128 << 20);
	cr_assert_eq(parse(ENV({"AML_BIG_DECAY_MS", "-1"},
			       {"AML_BIG_CACHE", "64M"})),
		     0, "%s", err);
	cr_assert_eq(cfg.big_decay_ms, -1);
	cr_assert_eq(cfg.big_cache, (size_t)64 << 20);
	cr_assert_eq(
		parse(ENV({"AML_BIG_DECAY_MS", "0"}, {"AML_BIG_CACHE", "0"})),
		0, "%s", err);
	cr_assert_eq(cfg.big_decay_ms, 0);
	cr_assert_eq(cfg.big_cache, 0);
}

Test(settings, the_rest_follows_the_setting_or_one_rule_for_all_sizes)
{
	cr_assert_eq(parse(ENV({"AML_POLICY", "bind"}, {"AML_NODES", "0"})), 0,
		     "%s", err);
	cr_assert_null(shim_rest_rule(&cfg), "left alone by default");
	cr_assert_eq(parse(ENV({"AML_POLICY", "bind"}, {"AML_NODES", "0"},
			       {"AML_REST", "auto"})),
		     0, "%s", err);
	cr_assert_eq(shim_rest_rule(&cfg), &cfg.rules[0]);
	cr_assert_eq(parse(ENV({"AML_POLICY", "bind"}, {"AML_MMAP", "0"},
			       {"AML_REST", "auto"})),
		     0, "%s", err);
	cr_assert_null(shim_rest_rule(&cfg), "--no-mmap leaves it alone");
	cr_assert_eq(parse(ENV({"AML_RULES", "bind::1M-;default"},
			       {"AML_REST", "auto"})),
		     0, "%s", err);
	cr_assert_null(shim_rest_rule(&cfg), "per-size rules leave it alone");
	cr_assert_eq(parse(ENV({"AML_POLICY", "bind"}, {"AML_REST", "none"})),
		     0, "%s", err);
	cr_assert_null(shim_rest_rule(&cfg));
	cr_assert_eq(parse(ENV({"AML_RULES", "bind::1M-;default"},
			       {"AML_REST", "interleave:0"})),
		     0, "%s", err);
	cr_assert_eq(shim_rest_rule(&cfg), &cfg.rest);
	cr_assert_eq(cfg.rest.policy, AML_AREA_LINUX_POLICY_INTERLEAVE);
	cr_assert_eq(cfg.rest.nodes.mask[0], 1UL);
	cr_assert_eq(parse(ENV({"AML_REST", "auto"})), 0, "%s", err);
	cr_assert_null(shim_rest_rule(&cfg), "no rule: nothing to follow");
}

Test(settings, dirty_decay_has_jemallocs_default_and_is_read)
{
	cr_assert_eq(parse(ENV({"AML_LOG", "warn"})), 0, "%s", err);
	cr_assert_eq(cfg.dirty_decay_ms, 10000);
	cr_assert_eq(parse(ENV({"AML_DIRTY_DECAY_MS", "100"})), 0, "%s", err);
	cr_assert_eq(cfg.dirty_decay_ms, 100);
	cr_assert_eq(parse(ENV({"AML_DIRTY_DECAY_MS", "-1"})), 0, "%s", err);
	cr_assert_eq(cfg.dirty_decay_ms, -1);
	cr_assert_eq(parse(ENV({"AML_DIRTY_DECAY_MS", "0"})), 0, "%s", err);
	cr_assert_eq(cfg.dirty_decay_ms, 0);
}

Test(settings, log_levels_are_words_or_digits)
{
	cr_assert_eq(parse(ENV({"AML_LOG", "2"})), 0, "%s", err);
	cr_assert_eq(cfg.log_level, 2);
	cr_assert_eq(parse(ENV({"AML_LOG", "quiet"})), 0, "%s", err);
	cr_assert_eq(cfg.log_level, 0);
}

Test(settings, report_path_keeps_the_pid_escape_for_the_report)
{
	cr_assert_eq(parse(ENV({"AML_REPORT", "/tmp/aml.%p.txt"})), 0, "%s",
		     err);
	cr_assert_eq(cfg.report, 1);
	cr_assert_str_eq(cfg.report_path, "/tmp/aml.%p.txt");
}

Test(settings, report_zero_turns_it_off)
{
	cr_assert_eq(parse(ENV({"AML_REPORT", "0"})), 0, "%s", err);
	cr_assert_eq(cfg.report, 0);
}

/* ------------------------------------------------------------------------
 * Bad input: one exact message, no rules left
 */

/* Arrays, not pointers: Criterion may run each case in a fresh process. */
struct bad_case {
	char name[32];
	char value[64];
	char message[200];
};

static struct bad_case bad_cases[] = {
	{"AML_POLICY", "", "AML_POLICY=\"\": empty value"},
	{"AML_POLICY", "fast",
	 "AML_POLICY=\"fast\": unknown policy \"fast\" (use bind, "
	 "preferred, interleave, weighted or default)"},
	{"AML_POLICY", "BIND",
	 "AML_POLICY=\"BIND\": unknown policy \"BIND\" (use bind, "
	 "preferred, interleave, weighted or default)"},
	{"AML_NODES", "0-9",
	 "AML_NODES=\"0-9\": node 9 does not exist (allowed nodes: 0-3)"},
	{"AML_NODES", "7",
	 "AML_NODES=\"7\": node 7 does not exist (allowed nodes: 0-3)"},
	{"AML_NODES", "99999999999999999999",
	 "AML_NODES=\"99999999999999999999\": node 99999999999999999999 "
	 "does not exist (allowed nodes: 0-3)"},
	{"AML_NODES", "3-1", "AML_NODES=\"3-1\": range \"3-1\" is reversed"},
	{"AML_NODES", "-1",
	 "AML_NODES=\"-1\": expected a node number, found \"-1\""},
	{"AML_NODES", "0,,1",
	 "AML_NODES=\"0,,1\": expected a node number, found \",1\""},
	{"AML_NODES", "0,",
	 "AML_NODES=\"0,\": expected a node number, found the end"},
	{"AML_NODES", "0--2",
	 "AML_NODES=\"0--2\": expected a node number, found \"-2\""},
	{"AML_NODES", "0-3x",
	 "AML_NODES=\"0-3x\": unexpected \"x\" after a node"},
	{"AML_NODES", "0 1",
	 "AML_NODES=\"0 1\": unexpected \" 1\" after a node"},
	{"AML_NODES", "01",
	 "AML_NODES=\"01\": node number \"01\" has a leading zero"},
	{"AML_NODES", "nodes",
	 "AML_NODES=\"nodes\": expected a node number, found \"nodes\""},
	{"AML_NODES", "\x01\xff",
	 "AML_NODES=\"\\x01\\xff\": expected a node number, found "
	 "\"\\x01\\xff\""},
	{"AML_NODES", "!all",
	 "AML_NODES=\"!all\": selects no node (allowed nodes: 0-3)"},
	{"AML_NODES", "+4",
	 "AML_NODES=\"+4\": relative node +4 does not exist (allowed "
	 "nodes: 0-3)"},
	{"AML_SIZE", "1X",
	 "AML_SIZE=\"1X\": bad size \"1X\" (a number of bytes with an "
	 "optional K, M or G)"},
	{"AML_SIZE", "-1",
	 "AML_SIZE=\"-1\": bad size \"-1\" (a number of bytes with an "
	 "optional K, M or G)"},
	{"AML_SIZE", "99999999999999999999",
	 "AML_SIZE=\"99999999999999999999\": size "
	 "\"99999999999999999999\" is too large"},
	{"AML_SIZE", "17179869184G",
	 "AML_SIZE=\"17179869184G\": size \"17179869184G\" is too large"},
	{"AML_SIZE", "2M:1M",
	 "AML_SIZE=\"2M:1M\": minimum \"2M\" is above maximum \"1M\""},
	{"AML_SIZE", ":", "AML_SIZE=\":\": size range \":\" has no bound"},
	{"AML_SIZE", "1M::2M",
	 "AML_SIZE=\"1M::2M\": bad size \":2M\" (a number of bytes with an "
	 "optional K, M or G)"},
	{"AML_RULES", "bind:9",
	 "AML_RULES=\"bind:9\": rule 0 \"bind:9\": node 9 does not exist "
	 "(allowed nodes: 0-3)"},
	{"AML_RULES", "bind:0;;interleave",
	 "AML_RULES=\"bind:0;;interleave\": rule 1 \"\": empty rule"},
	{"AML_RULES", "bind:0;",
	 "AML_RULES=\"bind:0;\": rule 1 \"\": empty rule"},
	{"AML_RULES", "bind:0:1M:2",
	 "AML_RULES=\"bind:0:1M:2\": rule 0 \"bind:0:1M:2\": too many "
	 "fields (POLICY:NODES:SIZES:site=SITES)"},
	{"AML_RULES", "bind:0:2M-1M",
	 "AML_RULES=\"bind:0:2M-1M\": rule 0 \"bind:0:2M-1M\": minimum "
	 "\"2M\" is above maximum \"1M\""},
	{"AML_RULES", "bind:0:1M:",
	 "AML_RULES=\"bind:0:1M:\": rule 0 \"bind:0:1M:\": too many "
	 "fields (POLICY:NODES:SIZES:site=SITES)"},
	{"AML_RULES", "preferred",
	 "AML_RULES=\"preferred\": rule 0 \"preferred\": policy preferred "
	 "takes exactly one node, not none"},
	{"AML_RULES", "bind;bind;bind;bind;bind;bind;bind;bind;bind",
	 "AML_RULES=\"bind;bind;bind;bind;bind;bind;bind;bind;bind\": more "
	 "than 8 rules"},
	{"AML_MMAP", "2", "AML_MMAP=\"2\": not a boolean (use 1 or 0)"},
	{"AML_LOG", "loud",
	 "AML_LOG=\"loud\": unknown log level (use quiet, warn, info, "
	 "debug or 0-3)"},
	{"AML_STRICT", "maybe",
	 "AML_STRICT=\"maybe\": not a boolean (use 1 or 0)"},
	{"AML_REPORT", "/tmp/aml.%d",
	 "AML_REPORT=\"/tmp/aml.%d\": unknown escape \"%d\" (use %p for the "
	 "process id, %% for %)"},
	{"AML_REST", "bind:0:1M-",
	 "AML_REST=\"bind:0:1M-\": the rest of the process takes no sizes "
	 "(POLICY[:NODES], auto or none)"},
	{"AML_REST", "some",
	 "AML_REST=\"some\": unknown policy \"some\" (use bind, preferred, "
	 "interleave, weighted or default)"},
	{"AML_REPORT_FORMAT", "yaml",
	 "AML_REPORT_FORMAT=\"yaml\": not a report format (text or json)"},
	{"AML_BIG_DECAY_MS", "10s",
	 "AML_BIG_DECAY_MS=\"10s\": not a number of milliseconds from 0 to "
	 "86400000, or -1 for never"},
	{"AML_BIG_DECAY_MS", "-2",
	 "AML_BIG_DECAY_MS=\"-2\": not a number of milliseconds from 0 to "
	 "86400000, or -1 for never"},
	{"AML_BIG_DECAY_MS", "86400001",
	 "AML_BIG_DECAY_MS=\"86400001\": not a number of milliseconds from 0 "
	 "to 86400000, or -1 for never"},
	{"AML_BIG_CACHE", "lots",
	 "AML_BIG_CACHE=\"lots\": not a size (bytes with K, M or G)"},
	{"AML_DIRTY_DECAY_MS", "1s",
	 "AML_DIRTY_DECAY_MS=\"1s\": not a number of milliseconds from 0 "
	 "to 86400000, or -1 for never"},
};

ParameterizedTestParameters(settings, bad_value_gives_one_exact_message)
{
	return cr_make_param_array(struct bad_case, bad_cases,
				   sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(struct bad_case *c, settings,
		  bad_value_gives_one_exact_message)
{
	const struct env env[] = {{c->name, c->value}, {NULL, NULL}};

	cr_assert_eq(parse(env), -1, "%s=%s was accepted", c->name, c->value);
	cr_assert_str_eq(err, c->message);
	cr_assert_eq(cfg.nrules, 0);
}

Test(settings, long_report_path_is_refused)
{
	char path[300];

	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	cr_assert_eq(parse(ENV({"AML_REPORT", path})), -1);
	cr_assert(strstr(err, ": report path too long (at most 255 bytes)"),
		  "%s", err);
}

Test(settings, long_bad_values_are_quoted_cut)
{
	char nodes[200];

	memset(nodes, 'x', sizeof(nodes) - 1);
	nodes[sizeof(nodes) - 1] = '\0';
	cr_assert_eq(parse(ENV({"AML_NODES", nodes})), -1);
	cr_assert_lt(strlen(err), SHIM_ERR_LEN - 1);
	cr_assert(strstr(err, "xxx...\": "), "%s", err);
}

Test(settings, rules_exclude_the_single_rule_variables)
{
	cr_assert_eq(parse(ENV({"AML_RULES", "bind:0"}, {"AML_NODES", "1"})),
		     -1);
	cr_assert_str_eq(err, "AML_RULES cannot be combined with AML_NODES "
			      "(write that rule into AML_RULES)");
	cr_assert_eq(cfg.nrules, 0);
}

Test(settings, preferred_without_nodes_is_refused)
{
	cr_assert_eq(parse(ENV({"AML_POLICY", "preferred"})), -1);
	cr_assert_str_eq(err, "AML_POLICY=\"preferred\": policy preferred "
			      "needs one node in AML_NODES");
}

Test(settings, preferred_with_several_nodes_is_refused)
{
	cr_assert_eq(
		parse(ENV({"AML_POLICY", "preferred"}, {"AML_NODES", "0-1"})),
		-1);
	cr_assert_str_eq(err, "AML_NODES=\"0-1\": policy preferred takes "
			      "exactly one node, not 0-1");
}

Test(settings, default_policy_with_nodes_is_refused)
{
	cr_assert_eq(parse(ENV({"AML_POLICY", "default"}, {"AML_NODES", "0"})),
		     -1);
	cr_assert_str_eq(err, "AML_NODES=\"0\": policy default takes no "
			      "nodes");
}

Test(settings, first_bad_variable_is_the_one_reported)
{
	cr_assert_eq(parse(ENV({"AML_NODES", "9"}, {"AML_LOG", "x"})), -1);
	cr_assert(!strncmp(err, "AML_NODES=", 10), "%s", err);
}

Test(settings, error_keeps_strict_log_and_report_that_parsed)
{
	cr_assert_eq(parse(ENV({"AML_NODES", "9"}, {"AML_STRICT", "1"},
			       {"AML_LOG", "info"}, {"AML_REPORT", "1"})),
		     -1);
	cr_assert_eq(cfg.nrules, 0);
	cr_assert_eq(cfg.strict, 1);
	cr_assert_eq(cfg.log_level, 2);
	cr_assert_eq(cfg.report, 1);
}

Test(settings, malformed_strict_counts_as_strict)
{
	cr_assert_eq(parse(ENV({"AML_STRICT", "ture"})), -1);
	cr_assert_eq(cfg.strict, 1);
}

/* ------------------------------------------------------------------------
 * Rules: first match, inclusive bounds
 */

Test(rules, first_matching_rule_wins)
{
	cr_assert_eq(parse(ENV({"AML_RULES", "bind:0:1K-4K;bind:1"})), 0, "%s",
		     err);
	cr_assert_eq(shim_rule_find(&cfg, 2048), 0);
	cr_assert_eq(shim_rule_find(&cfg, 8192), 1);
	cr_assert_eq(shim_rule_find(&cfg, 0), 1);
}

Test(rules, size_bounds_are_inclusive)
{
	cr_assert_eq(parse(ENV({"AML_RULES", "bind:0:1K-4K"})), 0, "%s", err);
	cr_assert_eq(shim_rule_find(&cfg, 1023), -1);
	cr_assert_eq(shim_rule_find(&cfg, 1024), 0);
	cr_assert_eq(shim_rule_find(&cfg, 4096), 0);
	cr_assert_eq(shim_rule_find(&cfg, 4097), -1);
}

Test(rules, sizes_outside_every_rule_keep_default_placement)
{
	cr_assert_eq(parse(ENV({"AML_NODES", "0"}, {"AML_SIZE", "1M"})), 0,
		     "%s", err);
	cr_assert_eq(shim_rule_find(&cfg, (1UL << 20) - 1), -1);
	cr_assert_eq(shim_rule_find(&cfg, SIZE_MAX), 0);
}

Test(rules, no_rule_means_nothing_matches)
{
	cr_assert_eq(parse(ENV({"AML_LOG", "0"})), 0);
	cr_assert_eq(shim_rule_find(&cfg, 64), -1);
}

Test(rules, format_reads_like_the_rule)
{
	char text[128];

	cr_assert_eq(parse(ENV({"AML_RULES", "interleave:0-1,3:1M-;"
					     "default::-4K;bind:2:3-5000"})),
		     0, "%s", err);
	shim_rule_format(&cfg.rules[0], text, sizeof(text));
	cr_assert_str_eq(text, "interleave nodes 0-1,3 sizes 1M-");
	shim_rule_format(&cfg.rules[1], text, sizeof(text));
	cr_assert_str_eq(text, "default sizes -4K");
	shim_rule_format(&cfg.rules[2], text, sizeof(text));
	cr_assert_str_eq(text, "bind nodes 2 sizes 3-5000");
}

Test(rules, format_of_all_sizes_says_all)
{
	char text[64];

	cr_assert_eq(parse(ENV({"AML_POLICY", "interleave"})), 0);
	cr_assert_eq(shim_rule_format(&cfg.rules[0], text, sizeof(text)),
		     strlen("interleave nodes 0-3 sizes all"));
	cr_assert_str_eq(text, "interleave nodes 0-3 sizes all");
}

/* ------------------------------------------------------------------------
 * Sizes, the environment, the table
 */

Test(sizes, suffixes_are_powers_of_1024)
{
	size_t v;

	cr_assert_eq(shim_parse_size("64", &v), 0);
	cr_assert_eq(v, 64);
	cr_assert_eq(shim_parse_size("4K", &v), 0);
	cr_assert_eq(v, 4096);
	cr_assert_eq(shim_parse_size("2m", &v), 0);
	cr_assert_eq(v, 2UL << 20);
	cr_assert_eq(shim_parse_size("1G", &v), 0);
	cr_assert_eq(v, 1UL << 30);
}

Test(sizes, garbage_and_overflow_are_refused)
{
	size_t v = 7;

	cr_assert_eq(shim_parse_size("", &v), -1);
	cr_assert_eq(shim_parse_size("K", &v), -1);
	cr_assert_eq(shim_parse_size("1KB", &v), -1);
	cr_assert_eq(shim_parse_size(" 1", &v), -1);
	cr_assert_eq(shim_parse_size("-1", &v), -1);
	cr_assert_eq(shim_parse_size("18446744073709551616", &v), -1);
	cr_assert_eq(v, 7);
}

Test(environment, load_reads_the_process_environment)
{
	char msg[SHIM_ERR_LEN];

	setenv("AML_POLICY", "bind", 1);
	setenv("AML_SIZE", "4K:8K", 1);
	cr_assert_eq(shim_settings_load(&cfg, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(cfg.nrules, 1);
	cr_assert_eq(cfg.rules[0].min_size, 4096);
	cr_assert_eq(cfg.rules[0].max_size, 8192);
}

Test(environment, allowed_nodes_come_from_proc_self_status)
{
	unsigned long mask[SHIM_NODE_WORDS];

	cr_assert_eq(shim_allowed_nodes(mask, SHIM_NODE_WORDS), 0);
	cr_assert(mask[0] & 1UL, "node 0 is allowed on every test machine");
}

Test(table, every_setting_has_name_type_default_help_and_parser)
{
	size_t i;

	cr_assert_geq(shim_settings_count, 8);
	for (i = 0; i < shim_settings_count; i++) {
		const struct shim_setting *s = &shim_settings[i];

		cr_assert(!strncmp(s->name, "AML_", 4), "%s", s->name);
		cr_assert(s->type && *s->type, "%s", s->name);
		cr_assert(s->fallback && *s->fallback, "%s", s->name);
		cr_assert(s->help && *s->help, "%s", s->name);
		cr_assert(s->parse, "%s", s->name);
	}
}

/* A document of the source tree has one row per setting, in table order. */
static void expect_table_rows(const char *file)
{
	const char *root = getenv("AML_TEST_SOURCE_ROOT");
	static char doc[131072];
	char path[1024], row[1024];
	const char *at = doc;
	size_t i, n;
	FILE *f;

	cr_assert_not_null(root, "AML_TEST_SOURCE_ROOT is not set");
	snprintf(path, sizeof(path), "%s/%s", root, file);
	f = fopen(path, "r");
	cr_assert_not_null(f, "no %s", path);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	cr_assert(feof(f), "%s is larger than the test's buffer", path);
	doc[n] = '\0';
	fclose(f);
	for (i = 0; i < shim_settings_count; i++) {
		const struct shim_setting *s = &shim_settings[i];

		snprintf(row, sizeof(row), "\n| `%s` | %s | %s | %s |\n",
			 s->name, s->type, s->fallback, s->help);
		at = strstr(at, row);
		cr_assert_not_null(at, "%s lacks the row%s", file, row);
	}
}

Test(table, shim_config_doc_table_matches_the_settings_table)
{
	expect_table_rows("docs/shim-config.md");
}

/* ------------------------------------------------------------------------
 * Placement forms: node lists resolved where the process runs
 */

#define NO_RANK_MESSAGE                                                \
	"AML_NODES=\"@local-rank\": no local rank in the environment " \
	"(looked for OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID, "    \
	"SLURM_LOCALID, PMI_LOCAL_RANK, MV2_COMM_WORLD_LOCAL_RANK, "   \
	"PALS_LOCAL_RANKID, FLUX_TASK_LOCAL_ID; run under mpirun or srun)"

/* This machine's nodes as /sys lists them: "0\n" on a one-node host. */
static void need_one_node_host(void)
{
	char online[64] = "";
	FILE *f = fopen("/sys/devices/system/node/online", "r");

	if (f) {
		if (!fgets(online, sizeof(online), f))
			online[0] = '\0';
		fclose(f);
	}
	if (f && strcmp(online, "0\n"))
		cr_skip_test("this host has NUMA nodes %s", online);
}

static void expect_nodes(const struct env *env, unsigned long mask)
{
	cr_assert_eq(parse(env), 0, "%s", err);
	cr_assert_eq(cfg.nrules, 1);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], mask, "nodes 0x%lx, not 0x%lx",
		     cfg.rules[0].nodes.mask[0], mask);
}

static void expect_error(const struct env *env, const char *message)
{
	cr_assert_eq(parse(env), -1);
	cr_assert_str_eq(err, message);
	cr_assert_eq(cfg.nrules, 0);
}

Test(forms, local_rank_takes_the_node_of_that_number)
{
	expect_nodes(ENV({"AML_NODES", "@local-rank"},
			 {"OMPI_COMM_WORLD_LOCAL_RANK", "2"}),
		     0x4UL);
	cr_assert_eq(cfg.rules[0].policy, AML_AREA_LINUX_POLICY_BIND);
}

Test(forms, local_rank_wraps_around_the_allowed_nodes)
{
	expect_nodes(ENV({"AML_NODES", "@local-rank"}, {"SLURM_LOCALID", "5"}),
		     0x2UL);
}

Test(forms, local_rank_counts_allowed_nodes_not_node_numbers)
{
	static const unsigned long odd[SHIM_NODE_WORDS] = {0x2aUL};

	cr_assert_eq(
		shim_settings_parse(&cfg, env_get,
				    (void *)ENV({"AML_NODES", "@local-rank"},
						{"MPI_LOCALRANKID", "4"}),
				    odd, err, sizeof(err)),
		0, "%s", err);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], 0x8UL, "rank 4 of 1,3,5 is 3");
}

static const char *const rank_vars[] = {
	"OMPI_COMM_WORLD_LOCAL_RANK",
	"MPI_LOCALRANKID",
	"SLURM_LOCALID",
	"PMI_LOCAL_RANK",
	"MV2_COMM_WORLD_LOCAL_RANK",
	"PALS_LOCAL_RANKID",
	"FLUX_TASK_LOCAL_ID",
};

/* Parameters cross into another process: an index, not a pointer. */
ParameterizedTestParameters(forms, every_launchers_variable_is_read)
{
	static int cases[] = {0, 1, 2, 3, 4, 5, 6};

	return cr_make_param_array(int, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(int *i, forms, every_launchers_variable_is_read)
{
	expect_nodes(ENV({"AML_NODES", "@local-rank"}, {rank_vars[*i], "3"}),
		     0x8UL);
}

Test(forms, launchers_variables_win_over_slurms)
{
	/* mpirun inside a Slurm job: every rank inherits SLURM_LOCALID=0. */
	expect_nodes(ENV({"AML_NODES", "@local-rank"}, {"SLURM_LOCALID", "0"},
			 {"OMPI_COMM_WORLD_LOCAL_RANK", "1"}),
		     0x2UL);
	expect_nodes(ENV({"AML_NODES", "@local-rank"}, {"SLURM_LOCALID", "0"},
			 {"MPI_LOCALRANKID", "3"}),
		     0x8UL);
}

Test(forms, open_mpi_wins_over_hydra_and_slurm_over_pmi)
{
	expect_nodes(ENV({"AML_NODES", "@local-rank"}, {"MPI_LOCALRANKID", "3"},
			 {"OMPI_COMM_WORLD_LOCAL_RANK", "2"}),
		     0x4UL);
	expect_nodes(ENV({"AML_NODES", "@local-rank"}, {"PMI_LOCAL_RANK", "3"},
			 {"SLURM_LOCALID", "1"}),
		     0x2UL);
}

Test(forms, no_local_rank_names_every_variable_looked_for)
{
	expect_error(ENV({"AML_NODES", "@local-rank"}), NO_RANK_MESSAGE);
}

Test(forms, bad_rank_values_are_refused_not_skipped)
{
	static const char *const bad[] = {
		"-1", "x", "", "1x", "01", "99999999999999999999999", NULL};
	const char *const *value;
	char want[SHIM_ERR_LEN];

	for (value = bad; *value; value++) {
		snprintf(
			want, sizeof(want),
			"AML_NODES=\"@local-rank\": OMPI_COMM_WORLD_LOCAL_RANK="
			"\"%s\" is not a local rank (a number from 0)",
			*value);
		expect_error(ENV({"AML_NODES", "@local-rank"},
				 {"OMPI_COMM_WORLD_LOCAL_RANK", *value},
				 {"SLURM_LOCALID", "1"}),
			     want);
	}
}

Test(forms, rank_map_gives_each_rank_its_list)
{
	expect_nodes(ENV({"AML_NODES", "@local-rank=3|2|1|0"},
			 {"SLURM_LOCALID", "1"}),
		     0x4UL);
	expect_nodes(ENV({"AML_NODES", "@local-rank=0-1|2-3"},
			 {"SLURM_LOCALID", "1"}),
		     0xcUL);
}

Test(forms, rank_map_wraps_around_its_entries)
{
	expect_nodes(
		ENV({"AML_NODES", "@local-rank=0,0|1"}, {"SLURM_LOCALID", "4"}),
		0x1UL);
	expect_nodes(
		ENV({"AML_NODES", "@local-rank=2"}, {"SLURM_LOCALID", "7"}),
		0x4UL);
}

Test(forms, rank_map_entries_are_all_checked_not_just_the_ranks)
{
	expect_error(
		ENV({"AML_NODES", "@local-rank=0|9"}, {"SLURM_LOCALID", "0"}),
		"AML_NODES=\"@local-rank=0|9\": entry 1 of the rank map: "
		"node 9 does not exist (allowed nodes: 0-3)");
	expect_error(
		ENV({"AML_NODES", "@local-rank=0||1"}, {"SLURM_LOCALID", "0"}),
		"AML_NODES=\"@local-rank=0||1\": entry 1 of the rank map "
		"is empty");
	expect_error(ENV({"AML_NODES", "@local-rank="}, {"SLURM_LOCALID", "0"}),
		     "AML_NODES=\"@local-rank=\": entry 0 of the rank map is "
		     "empty");
}

Test(forms, forms_work_in_rule_node_fields)
{
	cr_assert_eq(
		parse(ENV({"AML_RULES", "interleave:@local-rank=0-1|2-3:1M-;"
					"bind:@local-rank"},
			  {"OMPI_COMM_WORLD_LOCAL_RANK", "1"})),
		0, "%s", err);
	cr_assert_eq(cfg.nrules, 2);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], 0xcUL);
	cr_assert_eq(cfg.rules[0].min_size, 1UL << 20);
	cr_assert_eq(cfg.rules[1].nodes.mask[0], 0x2UL);
}

Test(forms, preferred_takes_the_one_node_of_the_rank)
{
	expect_nodes(ENV({"AML_POLICY", "preferred"},
			 {"AML_NODES", "@local-rank"}, {"SLURM_LOCALID", "3"}),
		     0x8UL);
	cr_assert_eq(cfg.rules[0].policy, AML_AREA_LINUX_POLICY_PREFERRED);
}

Test(forms, resolution_is_noted_for_the_dry_run)
{
	expect_nodes(ENV({"AML_NODES", "@local-rank"},
			 {"OMPI_COMM_WORLD_LOCAL_RANK", "6"}),
		     0x4UL);
	cr_assert_str_eq(cfg.resolved,
			 "\"@local-rank\" -> node 2 (local rank 6 from "
			 "OMPI_COMM_WORLD_LOCAL_RANK of allowed nodes 0-3)");
	parse(ENV({"AML_NODES", "0"}));
	cr_assert_str_eq(cfg.resolved, "");
}

Test(forms, cpu_local_is_node_zero_on_a_one_node_host)
{
	need_one_node_host();
	expect_nodes(ENV({"AML_NODES", "@cpu-local"}), 0x1UL);
	cr_assert(strstr(cfg.resolved, "\"@cpu-local\" -> node 0 (CPUs "), "%s",
		  cfg.resolved);
}

Test(forms, nearest_is_node_zero_on_a_one_node_host)
{
	need_one_node_host();
	expect_nodes(ENV({"AML_NODES", "@nearest"}), 0x1UL);
	expect_nodes(ENV({"AML_NODES", "@nearest=1"}), 0x1UL);
}

/* Nodes 1-3 of the fake allowed set have no distance here: they follow
 * node 0, by number, and K beyond the allowed nodes takes them all. */
Test(forms, nearest_k_takes_k_nodes_nearest_first_then_by_number)
{
	need_one_node_host();
	expect_nodes(ENV({"AML_NODES", "@nearest=3"}), 0x7UL);
	expect_nodes(ENV({"AML_NODES", "@nearest=9"}), 0xfUL);
}

Test(forms, malformed_forms_are_refused_with_the_accepted_ones)
{
	static const char *const unknown[] = {"@foo", "@nearest:2", "@",
					      "@local", NULL};
	const char *const *form;
	char want[SHIM_ERR_LEN];

	for (form = unknown; *form; form++) {
		snprintf(want, sizeof(want),
			 "AML_NODES=\"%s\": unknown placement form \"%s\" (use "
			 "@local-rank, @local-rank=LIST|LIST..., @cpu-local or "
			 "@nearest[=K])",
			 *form, *form);
		expect_error(ENV({"AML_NODES", *form}), want);
	}
	expect_error(ENV({"AML_NODES", "@nearest=0"}),
		     "AML_NODES=\"@nearest=0\": @nearest=K takes a number of "
		     "nodes from 1, not \"0\"");
	expect_error(ENV({"AML_NODES", "@nearest=two"}),
		     "AML_NODES=\"@nearest=two\": @nearest=K takes a number "
		     "of nodes from 1, not \"two\"");
	expect_error(ENV({"AML_NODES", "@cpu-local=1"}),
		     "AML_NODES=\"@cpu-local=1\": @cpu-local takes no "
		     "argument");
}

Test(forms, no_rank_in_a_rule_is_reported_whole)
{
	cr_assert_eq(parse(ENV({"AML_RULES", "bind:@local-rank"})), -1);
	cr_assert(strstr(err, "FLUX_TASK_LOCAL_ID; run under mpirun or "
			      "srun)"),
		  "%s", err);
}
