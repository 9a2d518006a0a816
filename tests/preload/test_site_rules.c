/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The site= field of a rule and the rules file (AML_RULES_FILE): what
 * parses into which sites, where site= rules go, and one exact message
 * for each kind of bad input. Parsed against allowed nodes 0-3.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../preload/settings.h"
#include "settings-env.h"

static int rules(const char *value)
{
	return parse(ENV({"AML_RULES", value}));
}

static void bad_rules(const char *value, const char *want)
{
	cr_assert_eq(rules(value), -1, "%s accepted", value);
	cr_assert_str_eq(err, want);
	cr_assert_eq(cfg.nrules, 0);
}

Test(site_rules, function_with_depth_and_default_sizes)
{
	cr_assert_eq(rules("bind:1::site=make_grid@2"), 0, "%s", err);
	cr_assert_eq(cfg.nrules, 1);
	cr_assert_eq(cfg.nsites, 1);
	cr_assert_str_eq(cfg.sites[0].name, "make_grid");
	cr_assert_eq(cfg.sites[0].depth, 2);
	cr_assert_eq(cfg.sites[0].module_form, 0);
	cr_assert_eq(cfg.sites[0].rule, 0);
	cr_assert_eq(cfg.rules[0].min_size, 4096, "site= rules default to 4K-");
	cr_assert_eq(cfg.rules[0].max_size, SIZE_MAX);
	cr_assert_str_eq(cfg.rules[0].site, "make_grid@2");
}

Test(site_rules, module_offset_list_and_sizes)
{
	cr_assert_eq(rules("interleave:0-1:1M-64M:site=libstdc++.so.6+0x1a2B,"
			   "solver+0x10@3"),
		     0, "%s", err);
	cr_assert_eq(cfg.nsites, 2);
	cr_assert_str_eq(cfg.sites[0].name, "libstdc++.so.6");
	cr_assert_eq(cfg.sites[0].module_form, 1);
	cr_assert_eq(cfg.sites[0].offset, 0x1a2b);
	cr_assert_eq(cfg.sites[0].depth, 1);
	cr_assert_str_eq(cfg.sites[1].name, "solver");
	cr_assert_eq(cfg.sites[1].offset, 0x10);
	cr_assert_eq(cfg.sites[1].depth, 3);
	cr_assert_eq(cfg.rules[0].min_size, 1 << 20);
	cr_assert_eq(cfg.rules[0].max_size, (size_t)64 << 20);
}

Test(site_rules, site_rules_go_after_size_rules_in_order)
{
	cr_assert_eq(rules("bind:3::site=a;interleave:0-3:1M-;bind:2::site=b;"
			   "default"),
		     0, "%s", err);
	cr_assert_eq(cfg.nrules, 4);
	cr_assert_str_eq(cfg.rules[0].site, "");
	cr_assert_eq(cfg.rules[0].policy, AML_AREA_LINUX_POLICY_INTERLEAVE);
	cr_assert_eq(cfg.rules[1].policy, AML_AREA_LINUX_POLICY_DEFAULT);
	cr_assert_str_eq(cfg.rules[2].site, "a");
	cr_assert_str_eq(cfg.rules[3].site, "b");
	cr_assert_eq(cfg.sites[0].rule, 2, "site a follows its rule");
	cr_assert_eq(cfg.sites[1].rule, 3, "site b follows its rule");
	/* Size routing leaves site= rules out. */
	cr_assert_eq(shim_rule_find(&cfg, 8192), 1);
}

Test(site_rules, rule_text_names_its_sites)
{
	char text[256];

	cr_assert_eq(rules("bind:1:8K-:site=f@2,m.so+0x4"), 0, "%s", err);
	shim_rule_format(&cfg.rules[0], text, sizeof(text));
	cr_assert_str_eq(text, "bind nodes 1 sizes 8K- site=f@2,m.so+0x4");
}

Test(site_rules, bad_site_fields)
{
	bad_rules("bind:1::site=",
		  "AML_RULES=\"bind:1::site=\": rule 0 \"bind:1::site=\": "
		  "empty site= (use FUNCTION or MODULE+0xOFFSET)");
	bad_rules("bind:1::sites=f",
		  "AML_RULES=\"bind:1::sites=f\": rule 0 \"bind:1::sites=f\": "
		  "fourth field \"sites=f\" is not site=FUNCTION or "
		  "site=MODULE+0xOFFSET");
	bad_rules("bind:1::site=m+0xZZ",
		  "AML_RULES=\"bind:1::site=m+0xZZ\": rule 0 "
		  "\"bind:1::site=m+0xZZ\": bad offset \"0xZZ\" (use "
		  "MODULE+0xHEX)");
	bad_rules(
		"bind:1::site=f@0",
		"AML_RULES=\"bind:1::site=f@0\": rule 0 \"bind:1::site=f@0\": "
		"bad depth \"@0\" (use @1 to @8: frames above the "
		"allocator)");
	bad_rules("bind:1::site=f@12",
		  "AML_RULES=\"bind:1::site=f@12\": rule 0 "
		  "\"bind:1::site=f@12\": bad depth \"@12\" (use @1 to @8: "
		  "frames above the allocator)");
	bad_rules("bind:1::site=f,,g",
		  "AML_RULES=\"bind:1::site=f,,g\": rule 0 "
		  "\"bind:1::site=f,,g\": empty site (use FUNCTION or "
		  "MODULE+0xOFFSET)");
	bad_rules("bind:1::site=+0x10",
		  "AML_RULES=\"bind:1::site=+0x10\": rule 0 "
		  "\"bind:1::site=+0x10\": no module in \"+0x10\"");
	bad_rules(
		"bind:1::site=a b",
		"AML_RULES=\"bind:1::site=a b\": rule 0 \"bind:1::site=a b\": "
		"bad character \" \" in site \"a b\" (use FUNCTION or "
		"MODULE+0xOFFSET)");
	bad_rules("bind:1:-1M:site=f",
		  "AML_RULES=\"bind:1:-1M:site=f\": rule 0 "
		  "\"bind:1:-1M:site=f\": a site= rule places requests of 16 "
		  "bytes and up (give a minimum size, e.g. 4K-)");
	bad_rules("bind:1::site=f:x", "AML_RULES=\"bind:1::site=f:x\": rule 0 "
				      "\"bind:1::site=f:x\": too many fields "
				      "(POLICY:NODES:SIZES:site=SITES)");
}

Test(site_rules, at_most_max_sites)
{
	char value[1024] = "bind:1::site=f0";

	for (int i = 1; i <= SHIM_MAX_SITES; i++)
		snprintf(value + strlen(value), sizeof(value) - strlen(value),
			 i % 16 ? ",f%d" : ";bind:1::site=f%d", i);
	cr_assert_eq(rules(value), -1);
	cr_assert(strstr(err, "more than 32 sites in all"), "%s", err);
}

/* ------------------------------------------------------------------------
 * The rules file
 */

static char path[64];

static void file_write(const char *text)
{
	int fd;

	strcpy(path, "/tmp/aml-rules-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

Test(rules_file, lines_comments_and_blanks)
{
	file_write("# placement by site\n\n  bind:1::site=make_grid@2  # grid\n"
		   "interleave:0-3:1M-\r\n\t\nbind:2:64K-:site=lib_fill\n");
	cr_assert_eq(parse(ENV({"AML_RULES_FILE", path})), 0, "%s", err);
	unlink(path);
	cr_assert_eq(cfg.nrules, 3);
	cr_assert_str_eq(cfg.rules[0].site, "");
	cr_assert_str_eq(cfg.rules[1].site, "make_grid@2");
	cr_assert_str_eq(cfg.rules[2].site, "lib_fill");
	cr_assert_eq(cfg.rules[2].min_size, 64 << 10);
}

Test(rules_file, follows_aml_rules)
{
	file_write("bind:1::site=f\n");
	cr_assert_eq(parse(ENV({"AML_RULES", "bind:0:1G-"},
			       {"AML_RULES_FILE", path})),
		     0, "%s", err);
	unlink(path);
	cr_assert_eq(cfg.nrules, 2);
	cr_assert_eq(cfg.rules[0].min_size, (size_t)1 << 30);
	cr_assert_str_eq(cfg.rules[1].site, "f");
}

Test(rules_file, bad_line_named_by_number)
{
	char want[SHIM_ERR_LEN];

	file_write("# header\nbind:1::site=f\n\nbind:1::site=g@9\n");
	cr_assert_eq(parse(ENV({"AML_RULES_FILE", path})), -1);
	snprintf(want, sizeof(want),
		 "AML_RULES_FILE=\"%s\": line 4 \"bind:1::site=g@9\": bad "
		 "depth \"@9\" (use @1 to @8: frames above the allocator)",
		 path);
	unlink(path);
	cr_assert_str_eq(err, want);
	cr_assert_eq(cfg.nrules, 0);
}

Test(rules_file, missing_empty_and_not_combined_with_size)
{
	cr_assert_eq(parse(ENV({"AML_RULES_FILE", "/nonexistent/rules"})), -1);
	cr_assert_str_eq(err, "AML_RULES_FILE=\"/nonexistent/rules\": cannot "
			      "open the rules file: No such file or directory");
	file_write("# nothing\n\n");
	cr_assert_eq(parse(ENV({"AML_RULES_FILE", path})), -1);
	unlink(path);
	cr_assert(strstr(err, ": no rule in the rules file"), "%s", err);
	file_write("bind:1\n");
	cr_assert_eq(parse(ENV({"AML_RULES_FILE", path}, {"AML_SIZE", "1M"})),
		     -1);
	unlink(path);
	cr_assert(strstr(err, "cannot be combined with AML_SIZE"), "%s", err);
}
