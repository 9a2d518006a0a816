/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The big-block stash (preload/heap.c): freed blocks of 4 MiB and up kept
 * for the next big request, cut down when much too big, grown in place
 * when too small (programs/big_stash.c).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

struct stash_seen {
	int reused, grow_same, kept, zero;
	long cut_drop_kib, grow_faults;
};

static struct stash_seen run_big_stash(const char *const *env)
{
	char *argv[] = {PROGRAM("big_stash"), NULL};
	struct run_result r = run_program(argv, SHIM_PATH, env);
	struct stash_seen s = {0};

	cr_assert_eq(r.status, 0, "big_stash exited %d: %s", r.status, r.out);
	cr_assert_eq(sscanf(r.out,
			    "reused=%d cut_drop_kib=%ld grow_same=%d "
			    "grow_faults=%ld kept=%d zero=%d",
			    &s.reused, &s.cut_drop_kib, &s.grow_same,
			    &s.grow_faults, &s.kept, &s.zero),
		     6, "big_stash said: %s", r.out);
	run_result_free(&r);
	return s;
}

static const char *const bind_all[] = {"AML_POLICY=bind", NULL};

Test(big_stash, a_much_bigger_block_is_cut_and_its_tail_pages_go_back)
{
	struct stash_seen s = run_big_stash(bind_all);

	cr_assert_eq(s.reused, 1, "the 4 MiB request did not get the block");
	/* 16 MiB of the 20 go back; allow for other pages moving. */
	cr_assert_geq(s.cut_drop_kib, 14 * 1024,
		      "resident set fell by %ld KiB at the cut",
		      s.cut_drop_kib);
}

Test(big_stash, a_too_small_block_grows_in_place_keeping_its_pages)
{
	struct stash_seen s = run_big_stash(bind_all);

	cr_assert_eq(s.grow_same, 1, "the 10 MiB request moved");
	cr_assert_eq(s.kept, 1, "the grown block lost its first pages");
	/* 6 MiB new = 1536 pages; a fresh block would take 2560. */
	cr_assert_lt(s.grow_faults, 2200, "%ld faults filling 10 MiB",
		     s.grow_faults);
	cr_assert_eq(s.zero, 1, "calloc of a grown block is not zeroed");
}

Test(big_stash, with_the_stash_off_blocks_are_fresh_and_zeroed)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_BIG_CACHE=0",
					  NULL};
	struct stash_seen s = run_big_stash(env);

	cr_assert_geq(s.grow_faults, 2400, "%ld faults filling 10 MiB",
		      s.grow_faults);
	cr_assert_eq(s.zero, 1, "calloc is not zeroed");
}

/* The heap grows by 48 MiB of small blocks after a 16 MiB block is
 * stashed: the stash gives its pages back (python3 growing a dict kept
 * every old table resident) but keeps the block for a big request. */
Test(big_stash, a_growing_heap_takes_the_pages_of_stashed_blocks)
{
	char *argv[] = {PROGRAM("big_stash"), "cool", NULL};
	struct run_result r = run_program(argv, SHIM_PATH, bind_all);
	long before = -1, after = -1;
	int reused = -1;

	cr_assert_eq(r.status, 0, "big_stash cool exited %d: %s", r.status,
		     r.out);
	cr_assert_eq(sscanf(r.out, "before=%ld after=%ld reused=%d", &before,
			    &after, &reused),
		     3, "big_stash cool said: %s", r.out);
	run_result_free(&r);
	cr_assert_geq(before, 4000, "the stashed block was not resident: %ld",
		      before);
	cr_assert_lt(after, 64, "%ld of its pages still resident", after);
	cr_assert_eq(reused, 1, "the next 16 MiB request did not get it");
}

/* calloc of a stashed block clears its resident pages and leaves the
 * others to fault in zeroed: a block the program wrote sparsely is not
 * faulted in whole (192 pages written of 3072). */
Test(big_stash, calloc_of_a_stashed_block_faults_in_no_page)
{
	char *argv[] = {PROGRAM("big_stash"), "sparse", NULL};
	struct run_result r = run_program(argv, SHIM_PATH, bind_all);
	long faults = -1;
	int reused = -1, zero = -1;

	cr_assert_eq(r.status, 0, "big_stash sparse exited %d: %s", r.status,
		     r.out);
	cr_assert_eq(sscanf(r.out, "reused=%d calloc_faults=%ld zero=%d",
			    &reused, &faults, &zero),
		     3, "big_stash sparse said: %s", r.out);
	run_result_free(&r);
	cr_assert_eq(reused, 1, "the second calloc did not get the block");
	cr_assert_eq(zero, 1, "calloc of a stashed block is not zeroed");
	cr_assert_lt(faults, 256, "calloc itself faulted %ld pages", faults);
}
