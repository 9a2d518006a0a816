/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's policy weighted: its node:weight syntax in AML_NODES and
 * AML_RULES, weights with per-process forms, weights from the machine (a
 * fake sysfs tree), and one exact message for every kind of bad input.
 * Parsed against a fake allowed set, nodes 0-3.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../preload/settings.h"
#include "settings-env.h"

/* The library's test hook (src/area/linux-weighted.h): the sysfs root. */
void aml_linux_weighted_sysfs_root(const char *root);

static void expect_weights(const struct shim_rule *r, unsigned long mask,
			   const unsigned int *w, unsigned int n)
{
	cr_assert_eq(r->policy, AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE);
	cr_assert_eq(r->nodes.mask[0], mask, "nodes 0x%lx", r->nodes.mask[0]);
	cr_assert_eq(r->nweights, n, "%u weights", r->nweights);
	for (unsigned int i = 0; i < n; i++)
		cr_assert_eq(r->weights[i], w[i], "weight %u is %u, not %u", i,
			     r->weights[i], w[i]);
}

static const char *rule_text(int i)
{
	static char text[256];

	shim_rule_format(&cfg.rules[i], text, sizeof(text));
	return text;
}

/* ---- the syntax ------------------------------------------------------ */

Test(weighted, node_weight_pairs_in_aml_nodes)
{
	cr_assert_eq(parse(ENV({"AML_POLICY", "weighted"},
			       {"AML_NODES", "0:3,2:1"})),
		     0, "%s", err);
	cr_assert_eq(cfg.nrules, 1);
	expect_weights(&cfg.rules[0], 0x5UL, (const unsigned int[]){3, 1}, 2);
	cr_assert_str_eq(rule_text(0),
			 "weighted nodes 0,2 weights 0:3,2:1 sizes all");
}

Test(weighted, pairs_in_any_order_are_kept_in_node_order)
{
	cr_assert_eq(parse(ENV({"AML_POLICY", "weighted"},
			       {"AML_NODES", "3:8,1:2"})),
		     0, "%s", err);
	expect_weights(&cfg.rules[0], 0xaUL, (const unsigned int[]){2, 8}, 2);
}

Test(weighted, nodes_slash_weights_follow_ascending_nodes)
{
	cr_assert_eq(parse(ENV({"AML_POLICY", "weighted"},
			       {"AML_NODES", "0-2/3,2,1"})),
		     0, "%s", err);
	expect_weights(&cfg.rules[0], 0x7UL, (const unsigned int[]){3, 2, 1},
		       3);
}

Test(weighted, rules_take_nodes_slash_weights_beside_other_rules)
{
	cr_assert_eq(parse(ENV({"AML_RULES", "weighted:0,3/3,1:1M-;bind:0"})),
		     0, "%s", err);
	cr_assert_eq(cfg.nrules, 2);
	expect_weights(&cfg.rules[0], 0x9UL, (const unsigned int[]){3, 1}, 2);
	cr_assert_eq(cfg.rules[0].min_size, 1UL << 20);
	cr_assert_eq(cfg.rules[1].policy, AML_AREA_LINUX_POLICY_BIND);
	cr_assert_eq(cfg.rules[1].nodes.mask[0], 0x1UL);
	cr_assert_str_eq(rule_text(0),
			 "weighted nodes 0,3 weights 0:3,3:1 sizes 1M-");
}

Test(weighted, weights_of_255_and_1_are_the_limits)
{
	cr_assert_eq(parse(ENV({"AML_POLICY", "weighted"},
			       {"AML_NODES", "0:255,1:1"})),
		     0, "%s", err);
	expect_weights(&cfg.rules[0], 0x3UL, (const unsigned int[]){255, 1}, 2);
}

Test(weighted, forms_take_weights_in_ascending_order_of_their_nodes)
{
	/* @local-rank=MAP: rank 1 gets nodes 1 and 3. */
	cr_assert_eq(parse(ENV({"AML_POLICY", "weighted"},
			       {"AML_NODES", "@local-rank=0,2|1,3/4,1"},
			       {"SLURM_LOCALID", "1"})),
		     0, "%s", err);
	expect_weights(&cfg.rules[0], 0xaUL, (const unsigned int[]){4, 1}, 2);
	cr_assert(strstr(cfg.resolved, "@local-rank") != NULL, "%s",
		  cfg.resolved);
}

/* ---- weights from the machine ---------------------------------------- */

static char root[64];

static void fake_kernel_weights(const char *n0, const char *n2)
{
	char path[256];
	FILE *f;

	strcpy(root, "/tmp/aml-shim-weights-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/kernel", root);
	mkdir(path, 0755);
	strcat(path, "/mm");
	mkdir(path, 0755);
	strcat(path, "/mempolicy");
	mkdir(path, 0755);
	strcat(path, "/weighted_interleave");
	mkdir(path, 0755);
	for (int i = 0; i < 2; i++) {
		char file[300];

		snprintf(file, sizeof(file), "%s/node%d", path, i * 2);
		f = fopen(file, "w");
		cr_assert_not_null(f);
		fputs(i ? n2 : n0, f);
		fclose(f);
	}
	aml_linux_weighted_sysfs_root(root);
}

static void remove_fake(void)
{
	char cmd[128];

	aml_linux_weighted_sysfs_root(NULL);
	if (root[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	cr_assert_eq(system(cmd), 0);
	root[0] = '\0';
}

Test(weighted, kernel_weights_are_read_as_numactl_w, .fini = remove_fake)
{
	fake_kernel_weights("5\n", "2\n");
	cr_assert_eq(parse(ENV({"AML_POLICY", "weighted"},
			       {"AML_NODES", "0,2/kernel"})),
		     0, "%s", err);
	expect_weights(&cfg.rules[0], 0x5UL, (const unsigned int[]){5, 2}, 2);
	cr_assert_str_eq(cfg.fallback, "");
	cr_assert_str_eq(rule_text(0), "weighted nodes 0,2 weights 0:5,2:2 "
				       "(kernel) sizes all");
}

Test(weighted, auto_without_hmat_takes_the_kernels_weights, .fini = remove_fake)
{
	fake_kernel_weights("3\n", "1\n");
	cr_assert_eq(parse(ENV({"AML_RULES", "weighted:0,2/auto:1M-"})), 0,
		     "%s", err);
	expect_weights(&cfg.rules[0], 0x5UL, (const unsigned int[]){3, 1}, 2);
	cr_assert_str_eq(rule_text(0), "weighted nodes 0,2 weights 0:3,2:1 "
				       "(auto: kernel) sizes 1M-");
}

Test(weighted, auto_without_figures_is_plain_interleave_with_a_warning,
     .fini = remove_fake)
{
	aml_linux_weighted_sysfs_root("/nonexistent-aml-sysfs");
	cr_assert_eq(parse(ENV({"AML_RULES", "weighted:0,2/auto:1M-;bind:0"})),
		     0, "%s", err);
	cr_assert_eq(cfg.nrules, 2);
	cr_assert_eq(cfg.rules[0].policy, AML_AREA_LINUX_POLICY_INTERLEAVE);
	cr_assert_eq(cfg.rules[0].nodes.mask[0], 0x5UL);
	cr_assert_str_eq(cfg.fallback,
			 "\"0,2/auto\": no weights from the machine for nodes "
			 "0,2 (no HMAT bandwidth from this process's CPUs, no "
			 "/sys/kernel/mm/mempolicy/weighted_interleave); plain "
			 "interleave instead");
}

Test(weighted, auto_without_figures_stops_under_strict, .fini = remove_fake)
{
	aml_linux_weighted_sysfs_root("/nonexistent-aml-sysfs");
	cr_assert_eq(
		parse(ENV({"AML_POLICY", "weighted"},
			  {"AML_NODES", "all/kernel"}, {"AML_STRICT", "1"})),
		-1);
	cr_assert_str_eq(err, "\"all/kernel\": no kernel weights for nodes "
			      "0-3 (no /sys/kernel/mm/mempolicy/"
			      "weighted_interleave: Linux 6.9 and later); "
			      "plain interleave instead");
	cr_assert_eq(cfg.nrules, 0);
}

/* ---- bad input: one exact message each, then default placement ------- */

/* Arrays, not pointers: criterion copies parameters to its workers. */
struct bad_case {
	char name[32];
	char value[64];
	char message[200];
};

static struct bad_case bad_cases[] = {
	{"AML_NODES", "0:0,1:1",
	 "AML_NODES=\"0:0,1:1\": the weight of node 0 is 0: weights are 1 to "
	 "255"},
	{"AML_NODES", "0:3,1:256",
	 "AML_NODES=\"0:3,1:256\": the weight of node 1 is 256: weights are 1 "
	 "to 255"},
	{"AML_NODES", "0:3,0:1",
	 "AML_NODES=\"0:3,0:1\": node 0 is listed twice"},
	{"AML_NODES", "0,1/3,0",
	 "AML_NODES=\"0,1/3,0\": the weight of node 1 is 0: weights are 1 to "
	 "255"},
	{"AML_NODES", "/3,1",
	 "AML_NODES=\"/3,1\": weights without nodes (NODES/WEIGHTS, e.g. "
	 "0,2/3,1)"},
	{"AML_NODES", "0,2",
	 "AML_NODES=\"0,2\": policy weighted needs a weight per node: "
	 "NODE:WEIGHT,... (0:3,2:1), NODES/WEIGHTS (0,2/3,1; the form in "
	 "AML_RULES), NODES/auto or NODES/kernel"},
	{"AML_NODES", "0-2/3,1",
	 "AML_NODES=\"0-2/3,1\": 2 weights for 3 nodes (0-2): one weight per "
	 "node, in ascending node order"},
	{"AML_NODES", "0:x",
	 "AML_NODES=\"0:x\": bad node:weight \"0:x\" (a node number, ':', a "
	 "weight 1 to 255; e.g. 0:3,2:1)"},
	{"AML_NODES", "7:1",
	 "AML_NODES=\"7:1\": node 7 is not allowed (allowed nodes: 0-3)"},
	{"AML_NODES", "0/-1",
	 "AML_NODES=\"0/-1\": bad weight \"-1\" (weights are 1 to 255)"},
	{"AML_NODES", "5/1",
	 "AML_NODES=\"5/1\": node 5 does not exist (allowed nodes: 0-3)"},
};

ParameterizedTestParameters(weighted, bad_weights_give_one_exact_message)
{
	return cr_make_param_array(struct bad_case, bad_cases,
				   sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(struct bad_case *c, weighted,
		  bad_weights_give_one_exact_message)
{
	const struct env env[] = {
		{"AML_POLICY", "weighted"}, {c->name, c->value}, {NULL, NULL}};

	cr_assert_eq(parse(env), -1, "%s=%s was accepted", c->name, c->value);
	cr_assert_str_eq(err, c->message);
	cr_assert_eq(cfg.nrules, 0);
}

Test(weighted, weighted_without_nodes_is_refused)
{
	cr_assert_eq(parse(ENV({"AML_POLICY", "weighted"})), -1);
	cr_assert_str_eq(err, "AML_POLICY=\"weighted\": policy weighted needs "
			      "nodes and weights in AML_NODES (e.g. 0:3,2:1, "
			      "0,2/auto)");
}

Test(weighted, pairs_inside_a_rule_get_the_rule_form_named)
{
	cr_assert_eq(parse(ENV({"AML_RULES", "weighted:0:3,2:1:1M-"})), -1);
	cr_assert_str_eq(
		err, "AML_RULES=\"weighted:0:3,2:1:1M-\": rule 0 "
		     "\"weighted:0:3,2:1:1M-\": too many fields "
		     "(POLICY:NODES:SIZES:site=SITES); weights in a rule are "
		     "NODES/WEIGHTS, e.g. weighted:0,2/3,1:1M-");
}

Test(weighted, rule_without_weights_is_refused)
{
	cr_assert_eq(parse(ENV({"AML_RULES", "bind:0:-1M;weighted"})), -1);
	cr_assert(strstr(err, "rule 1 \"weighted\": policy weighted needs a "
			      "weight per node") != NULL,
		  "%s", err);
	cr_assert_eq(cfg.nrules, 0);
}
