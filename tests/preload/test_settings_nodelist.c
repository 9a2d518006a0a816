/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shim_parse_nodelist against libnuma's numa_parse_nodestring, on every
 * string of a generated family over the allowed nodes (and two beyond):
 * single nodes, ranges, relative forms, lists, negations, "all". Where the
 * shim accepts a string, libnuma must accept it with the same mask; where
 * only libnuma accepts it, the shim's refusal must be one of its documented
 * strictures (reversed range, empty result, leading zero).
 *
 * Built twice: in the 'unit' suite it compares on this machine's nodes; in
 * the 'numa' suite (scripts/numa-vm) AML_TEST_NUMA_NODES says how many
 * nodes there must be. A fake allowed set checks holes and relative forms.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <numa.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/settings.h"

#define WORD_BITS (8 * sizeof(unsigned long))

/* libnuma calls this on every string it refuses; keep the log clean. */
void numa_warn(int num, char *fmt, ...)
{
	(void)num;
	(void)fmt;
}

static unsigned long allowed[SHIM_NODE_WORDS];
static int highest;
static unsigned compared, refused_by_both, stricter;

static int isset(const unsigned long *mask, int node)
{
	return (mask[node / WORD_BITS] >> (node % WORD_BITS)) & 1UL;
}

static void setup(void)
{
	const char *want = getenv("AML_TEST_NUMA_NODES");
	int node, n = 0;

	cr_assert_eq(numa_available(), 0, "libnuma is not usable here");
	cr_assert_eq(shim_allowed_nodes(allowed, SHIM_NODE_WORDS), 0);
	highest = -1;
	for (node = 0; node < SHIM_MAX_NODES; node++) {
		if (!isset(allowed, node))
			continue;
		highest = node;
		n++;
	}
	if (want)
		cr_assert_geq(n, atoi(want), "%d nodes allowed, want %s", n,
			      want);
	cr_assert_geq(highest, 0);
}

/* Negation: the shim negates within the allowed nodes, libnuma within the
 * configured ones; they agree when the two sets are the same. */
static int allowed_is_configured(void)
{
	int node;

	for (node = 0; node < numa_num_configured_nodes(); node++)
		if (!isset(allowed, node))
			return 0;
	return numa_num_configured_nodes() == highest + 1;
}

static void compare(const char *s)
{
	unsigned long mask[SHIM_NODE_WORDS];
	char err[SHIM_ERR_LEN];
	struct bitmask *theirs;
	int ours, node;

	if (s[0] == '!' && !allowed_is_configured())
		return;
	ours = shim_parse_nodelist(s, mask, SHIM_NODE_WORDS, allowed, err,
				   sizeof(err));
	theirs = numa_parse_nodestring(s);
	compared++;
	if (ours == 0) {
		cr_assert_not_null(theirs, "\"%s\": shim accepts, libnuma not",
				   s);
		for (node = 0; node < SHIM_MAX_NODES; node++)
			cr_assert_eq(
				isset(mask, node),
				node < (int)theirs->size &&
					numa_bitmask_isbitset(theirs, node),
				"\"%s\": node %d differs", s, node);
	} else if (theirs == NULL) {
		refused_by_both++;
	} else {
		stricter++;
		cr_assert(strstr(err, "is reversed") ||
				  strstr(err, "selects no node") ||
				  strstr(err, "leading zero"),
			  "\"%s\": only libnuma accepts it; shim says %s", s,
			  err);
	}
	if (theirs)
		numa_bitmask_free(theirs);
}

__attribute__((format(printf, 1, 2))) static void comparef(const char *fmt, ...)
{
	char s[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	compare(s);
}

Test(nodelist, agrees_with_numa_parse_nodestring_on_generated_strings,
     .init = setup)
{
	static const char *const prefixes[] = {"", "+", "!", "!+"};
	int top = highest + 2, a, b, c;
	size_t p;

	compare("all");
	compare("+all");
	compare("!all");
	for (p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
		const char *pre = prefixes[p];

		for (a = 0; a <= top; a++) {
			comparef("%s%d", pre, a);
			for (b = 0; b <= top; b++) {
				comparef("%s%d-%d", pre, a, b);
				comparef("%s%d,%d", pre, a, b);
				for (c = 0; c <= top; c++) {
					comparef("%s%d,%d-%d", pre, a, b, c);
					comparef("%s%d-%d,%d", pre, a, b, c);
				}
			}
		}
	}
	cr_log_info("%u strings: %u refused by both, %u only by the shim",
		    compared, refused_by_both, stricter);
	cr_assert_gt(compared - refused_by_both - stricter, 0);
}

/* ------------------------------------------------------------------------
 * A fake allowed set, nodes 0, 2, 3 and 5 (a cpuset with holes)
 */

static const unsigned long holes[SHIM_NODE_WORDS] = {0x2dUL};

static unsigned long parse_holes(const char *s)
{
	unsigned long mask[SHIM_NODE_WORDS];
	char err[SHIM_ERR_LEN];

	cr_assert_eq(shim_parse_nodelist(s, mask, SHIM_NODE_WORDS, holes, err,
					 sizeof(err)),
		     0, "\"%s\": %s", s, err);
	return mask[0];
}

Test(nodelist, range_takes_only_the_allowed_nodes_between_its_ends)
{
	cr_assert_eq(parse_holes("0-3"), 0xdUL);
	cr_assert_eq(parse_holes("2-5"), 0x2cUL);
}

Test(nodelist, relative_numbers_count_allowed_nodes)
{
	cr_assert_eq(parse_holes("+1"), 0x4UL);
	cr_assert_eq(parse_holes("+0-2"), 0xdUL);
	cr_assert_eq(parse_holes("+3"), 0x20UL);
}

Test(nodelist, negation_is_relative_to_the_allowed_nodes)
{
	cr_assert_eq(parse_holes("!0"), 0x2cUL);
	cr_assert_eq(parse_holes("!+0-1"), 0x28UL);
}

Test(nodelist, all_is_every_allowed_node)
{
	cr_assert_eq(parse_holes("all"), 0x2dUL);
}

Test(nodelist, range_ends_must_be_allowed)
{
	unsigned long mask[SHIM_NODE_WORDS];
	char err[SHIM_ERR_LEN];

	cr_assert_eq(shim_parse_nodelist("1-3", mask, SHIM_NODE_WORDS, holes,
					 err, sizeof(err)),
		     -1);
	cr_assert_str_eq(err, "node 1 does not exist (allowed nodes: "
			      "0,2-3,5)");
}

Test(nodelist, mask_is_cleared_on_error)
{
	unsigned long mask[SHIM_NODE_WORDS];
	char err[SHIM_ERR_LEN];

	memset(mask, 0xff, sizeof(mask));
	cr_assert_eq(shim_parse_nodelist("0,9", mask, SHIM_NODE_WORDS, holes,
					 err, sizeof(err)),
		     -1);
	cr_assert_eq(mask[0], 0);
}
