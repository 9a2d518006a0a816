/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's rule ranges (preload/ranges.c), linked directly: which rule
 * owns an address, what the report walks per rule, and how munmap splits a
 * range across rules. The addresses are numbers only; nothing is mapped
 * there.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "../../preload/ranges.h"

#define PAGE ((uintptr_t)4096)
/* Far from anything the test program maps. */
#define BASE ((uintptr_t)0x100000000000ULL)

struct walk {
	int n;
	uintptr_t start[16], len[16];
};

static void collect(void *addr, size_t len, void *ctx)
{
	struct walk *w = ctx;

	cr_assert_lt(w->n, 16);
	w->start[w->n] = (uintptr_t)addr;
	w->len[w->n] = len;
	w->n++;
}

static struct walk walk_rule(int rule)
{
	struct walk w = {0};

	ranges_rule_foreach(rule, collect, &w);
	return w;
}

static void *at(uintptr_t page)
{
	return (void *)(BASE + page * PAGE);
}

/* Each test starts from an empty table: drop what the previous one left. */
static void clear(void)
{
	ranges_rule_remove(at(0), 1 << 20);
}

TestSuite(ranges, .init = clear);

Test(ranges, adjacent_mappings_of_one_rule_make_one_range)
{
	struct walk w;

	/* Top-down, as the kernel places new mappings. */
	for (uintptr_t i = 1000; i-- > 0;)
		ranges_rule_add(3, at(i), PAGE);
	w = walk_rule(3);
	cr_assert_eq(w.n, 1, "%d ranges for 1000 adjacent pages", w.n);
	cr_assert_eq(w.start[0], (uintptr_t)at(0));
	cr_assert_eq(w.len[0], 1000 * PAGE);
	cr_assert_eq(ranges_rule_at(at(999)), 3);
	cr_assert_eq(ranges_rule_at(at(1000)), SHIM_UNROUTED);
}

Test(ranges, a_mapping_filling_a_hole_joins_both_neighbours)
{
	struct walk w;

	ranges_rule_add(1, at(0), 2 * PAGE);
	ranges_rule_add(1, at(3), 2 * PAGE);
	cr_assert_eq(walk_rule(1).n, 2);
	ranges_rule_add(1, at(2), PAGE);
	w = walk_rule(1);
	cr_assert_eq(w.n, 1);
	cr_assert_eq(w.start[0], (uintptr_t)at(0));
	cr_assert_eq(w.len[0], 5 * PAGE);
}

Test(ranges, neighbours_of_other_rules_stay_apart)
{
	struct walk w0, w1;

	ranges_rule_add(0, at(0), PAGE);
	ranges_rule_add(1, at(1), PAGE);
	ranges_rule_add(0, at(2), PAGE);
	w0 = walk_rule(0);
	w1 = walk_rule(1);
	cr_assert_eq(w0.n, 2);
	cr_assert_eq(w1.n, 1);
	cr_assert_eq(ranges_rule_at(at(0)), 0);
	cr_assert_eq(ranges_rule_at(at(1)), 1);
	cr_assert_eq(ranges_rule_at(at(2)), 0);
}

Test(ranges, unmapping_the_middle_of_a_joined_range_splits_it)
{
	struct walk w;

	for (uintptr_t i = 0; i < 10; i++)
		ranges_rule_add(2, at(i), PAGE);
	ranges_rule_remove(at(4), 2 * PAGE);
	w = walk_rule(2);
	cr_assert_eq(w.n, 2);
	cr_assert_eq(ranges_rule_at(at(3)), 2);
	cr_assert_eq(ranges_rule_at(at(4)), SHIM_UNROUTED);
	cr_assert_eq(ranges_rule_at(at(5)), SHIM_UNROUTED);
	cr_assert_eq(ranges_rule_at(at(6)), 2);
	cr_assert_eq(w.len[0] + w.len[1], 8 * PAGE);
}

Test(ranges, a_new_mapping_over_another_rule_takes_its_pages)
{
	ranges_rule_add(0, at(0), 4 * PAGE);
	ranges_rule_add(1, at(1), 2 * PAGE); /* MAP_FIXED over the middle */
	cr_assert_eq(ranges_rule_at(at(0)), 0);
	cr_assert_eq(ranges_rule_at(at(1)), 1);
	cr_assert_eq(ranges_rule_at(at(2)), 1);
	cr_assert_eq(ranges_rule_at(at(3)), 0);
	cr_assert_eq(walk_rule(0).n, 2);
}

static struct {
	int n, rule[8];
	uintptr_t start[8], len[8];
} pieces;

static void piece(int rule, const void *addr, size_t len)
{
	cr_assert_lt(pieces.n, 8);
	pieces.rule[pieces.n] = rule;
	pieces.start[pieces.n] = (uintptr_t)addr;
	pieces.len[pieces.n] = len;
	pieces.n++;
}

Test(ranges, pieces_of_an_unmap_across_rules_come_in_address_order)
{
	ranges_rule_add(0, at(0), 2 * PAGE);
	ranges_rule_add(0, at(2), 2 * PAGE); /* joined with the first */
	ranges_rule_add(1, at(5), PAGE);
	pieces.n = 0;
	ranges_rule_pieces(at(1), 6 * PAGE, piece);
	cr_assert_eq(pieces.n, 2);
	cr_assert_eq(pieces.rule[0], 0);
	cr_assert_eq(pieces.start[0], (uintptr_t)at(1));
	cr_assert_eq(pieces.len[0], 3 * PAGE);
	cr_assert_eq(pieces.rule[1], 1);
	cr_assert_eq(pieces.start[1], (uintptr_t)at(5));
	cr_assert_eq(pieces.len[1], PAGE);
}
