/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs under the shim: blocks that realloc grows past 32 KiB move into
 * mappings of their own (preload/heap.c, "Mapped blocks"), grown and
 * shrunk with mremap.
 *
 *   realloc_mapped content   growth and shrinking keep the bytes; the
 *                            grown block is a mapped one (16 bytes past a
 *                            64 KiB boundary); usable sizes;
 *                            realloc(p, 0) frees and returns NULL, and
 *                            the freed mapping serves the next block
 *   realloc_mapped threads   a block grown in one thread is measured,
 *                            grown and freed in another
 *   realloc_mapped fork      a child forked while a block is live reads,
 *                            grows and frees its copy; the parent's stays
 *   realloc_mapped place MASK [SMALL]  blocks grown side by side (so
 *                            that some move) up to 8 MiB: every page on a
 *                            node of MASK (hex); then shrunk to 256 KiB:
 *                            every page on a node of SMALL (default MASK)
 *
 * Prints "ok", or what went wrong, and exits 0 or 1.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <malloc.h>
#include <numaif.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node-of.h"

#define PAGE 4096UL
#define STEP 64

static int failures;

#define CHECK(cond, ...)                             \
	do {                                         \
		if (!(cond)) {                       \
			if (failures++ < 20) {       \
				printf(__VA_ARGS__); \
				putchar('\n');       \
			}                            \
		}                                    \
	} while (0)

static unsigned char pattern(uintptr_t seed, size_t i)
{
	return (unsigned char)((i * 131 + seed * 7) >> 3);
}

static void fill(unsigned char *p, size_t from, size_t to, uintptr_t seed)
{
	for (size_t i = from; i < to; i++)
		p[i] = pattern(seed, i);
}

/* The first wrong byte of p[0, len), or len. */
static size_t first_wrong(const unsigned char *p, size_t len, uintptr_t seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != pattern(seed, i))
			return i;
	return len;
}

/* Grow *p from `from` to `to` bytes STEP at a time, filling as it goes. */
static int grow(unsigned char **p, size_t from, size_t to, uintptr_t seed)
{
	for (size_t len = from; len < to;) {
		size_t next = len + STEP < to ? len + STEP : to;
		unsigned char *q = realloc(*p, next);

		if (q == NULL)
			return -1;
		*p = q;
		fill(q, len, next, seed);
		len = next;
	}
	return 0;
}

/* A block of size bytes (32 KiB and up) made by realloc from a small one:
 * jemalloc cannot grow a small region in place to that size, so the shim
 * moves it into a mapped block. */
static unsigned char *make_mapped(size_t size, uintptr_t seed)
{
	unsigned char *p = NULL, *q;

	if (grow(&p, 0, 4096, seed))
		return NULL;
	q = realloc(p, size);
	if (q == NULL) {
		free(p);
		return NULL;
	}
	fill(q, 4096, size, seed);
	return q;
}

/* The shim's mapped blocks start 16 bytes past a 64 KiB boundary (their
 * header before them); jemalloc's regions of these sizes never do. */
static bool is_mapped(const void *p)
{
	return ((uintptr_t)p & 0xffff) == 16;
}

/* Is the page at p mapped at all? */
static bool page_mapped(const void *p)
{
	unsigned char vec;

	return mincore((void *)((uintptr_t)p & ~(PAGE - 1)), 1, &vec) == 0;
}

static int mode_content(void)
{
	unsigned char *p = make_mapped(40000, 1), *q;
	size_t n, usable;

	if (p == NULL || grow(&p, 40000, 1 << 20, 1))
		return printf("realloc failed growing\n"), 1;
	n = first_wrong(p, 1 << 20, 1);
	CHECK(n == 1 << 20, "grown to 1 MiB: byte %zu wrong", n);
	CHECK(is_mapped(p), "1 MiB block %p is not a mapped block", (void *)p);
	usable = malloc_usable_size(p);
	CHECK(usable >= 1 << 20 && usable <= (2u << 20) + PAGE,
	      "usable size %zu of a 1 MiB block", usable);
	memset(p, 0xab, usable); /* all of it may be written */
	fill(p, 0, 1 << 20, 1);

	/* Jumps up and down, across the threshold and back. */
	q = realloc(p, 40 << 20);
	CHECK(q != NULL, "realloc to 40 MiB failed");
	if (q != NULL)
		p = q;
	n = first_wrong(p, 1 << 20, 1);
	CHECK(n == 1 << 20, "grown to 40 MiB: byte %zu wrong", n);
	fill(p, 0, 40 << 20, 2);
	p = realloc(p, 200000);
	n = first_wrong(p, 200000, 2);
	CHECK(n == 200000, "shrunk to 200000: byte %zu wrong", n);
	usable = malloc_usable_size(p);
	CHECK(usable >= 200000 && usable <= 2 * 200000 + PAGE,
	      "usable size %zu after shrinking to 200000", usable);
	p = realloc(p, 20000); /* still mapped (16 KiB and up) */
	n = first_wrong(p, 20000, 2);
	CHECK(n == 20000, "shrunk to 20000: byte %zu wrong", n);
	CHECK(malloc_usable_size(p) >= 20000, "usable %zu < 20000",
	      malloc_usable_size(p));
	p = realloc(p, 5000); /* back into jemalloc */
	n = first_wrong(p, 5000, 2);
	CHECK(n == 5000, "shrunk to 5000: byte %zu wrong", n);
	CHECK(!is_mapped(p), "a 5000-byte block is still a mapped block");
	p = realloc(p, 3 << 20);
	n = first_wrong(p, 5000, 2);
	CHECK(n == 5000, "regrown to 3 MiB: byte %zu wrong", n);
	free(p);

	/* realloc(p, 0) of a mapped block: freed, NULL (glibc's way). */
	p = make_mapped(100000, 3);
	if (p == NULL)
		return printf("realloc failed growing\n"), 1;
	CHECK(is_mapped(p) && page_mapped(p),
	      "100000-byte block is not a mapped block");
	q = realloc(p, 0);
	CHECK(q == NULL, "realloc(p, 0) returned %p", (void *)q);
	/* The freed mapping is kept for the next mapped block (bound and
	 * resident): the same size gets it back. */
	CHECK(page_mapped(p), "realloc(p, 0) unmapped the block");
	q = make_mapped(100000, 3);
	CHECK(q == p, "a freed mapped block %p was not reused (got %p)",
	      (void *)p, (void *)q);
	free(q);

	/* An impossible size fails and leaves the block as it was. */
	p = make_mapped(100000, 4);
	if (p == NULL)
		return printf("realloc failed growing\n"), 1;
	q = realloc(p, SIZE_MAX / 2);
	CHECK(q == NULL, "realloc to SIZE_MAX / 2 gave %p", (void *)q);
	n = first_wrong(p, 100000, 4);
	CHECK(n == 100000, "after a failed realloc: byte %zu wrong", n);
	free(p);
	return failures != 0;
}

struct handoff {
	unsigned char *p;
	int bad;
};

static void *other_thread(void *arg)
{
	struct handoff *h = arg;
	size_t n = first_wrong(h->p, 300000, 5);

	if (n != 300000 || malloc_usable_size(h->p) < 300000)
		h->bad = 1;
	if (grow(&h->p, 300000, 600000, 5) ||
	    first_wrong(h->p, 600000, 5) != 600000)
		h->bad = 1;
	free(h->p);
	return NULL;
}

static int mode_threads(void)
{
	for (int round = 0; round < 20; round++) {
		struct handoff h = {make_mapped(300000, 5), 0};
		pthread_t t;

		if (h.p == NULL)
			return printf("realloc failed growing\n"), 1;
		CHECK(is_mapped(h.p),
		      "300000-byte block is not a mapped block");
		if (pthread_create(&t, NULL, other_thread, &h))
			return printf("pthread_create failed\n"), 1;
		pthread_join(t, NULL);
		CHECK(!h.bad, "round %d: the other thread saw a wrong block",
		      round);
	}
	return failures != 0;
}

static int mode_fork(void)
{
	unsigned char *p = make_mapped(500000, 6);
	int status;
	pid_t pid;

	CHECK(is_mapped(p), "500000-byte block is not a mapped block");
	if (p == NULL)
		return printf("realloc failed growing\n"), 1;
	pid = fork();
	if (pid == 0) {
		int bad = first_wrong(p, 500000, 6) != 500000;

		bad |= malloc_usable_size(p) < 500000;
		bad |= grow(&p, 500000, 2000000, 6) != 0;
		bad |= first_wrong(p, 2000000, 6) != 2000000;
		free(p);
		p = NULL;
		p = make_mapped(300000, 7);
		bad |= p == NULL || !is_mapped(p);
		free(p);
		_exit(bad ? 3 : 0);
	}
	CHECK(pid > 0, "fork failed");
	if (pid > 0) {
		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child status %#x", status);
	}
	CHECK(first_wrong(p, 500000, 6) == 500000,
	      "the parent's block changed");
	if (grow(&p, 500000, 1000000, 6))
		return printf("realloc failed growing\n"), 1;
	CHECK(first_wrong(p, 1000000, 6) == 1000000,
	      "the parent's block grown after fork is wrong");
	free(p);
	return failures != 0;
}

#define NBUF 8
#define PLACE_MAX ((size_t)8 << 20)

static int mode_place(unsigned long mask, unsigned long small)
{
	unsigned char *buf[NBUF] = {0};
	int moved = 0, checked = 0;

	/* Grown side by side, each in steps of a page: the neighbours are
	 * in the way, so some growths move the mapping. */
	for (int b = 0; b < NBUF; b++) {
		buf[b] = make_mapped(64 * 1024, 0);
		if (buf[b] == NULL)
			return printf("realloc failed\n"), 1;
		memset(buf[b], b + 1, 64 * 1024);
	}
	for (size_t len = 80 * 1024; len <= PLACE_MAX; len += 4 * PAGE) {
		for (int b = 0; b < NBUF; b++) {
			size_t from = len - 4 * PAGE;
			unsigned char *q = realloc(buf[b], len);

			if (q == NULL)
				return printf("realloc failed\n"), 1;
			moved += q != buf[b];
			buf[b] = q;
			memset(q + from, b + 1, len - from);
		}
	}
	for (int b = 0; b < NBUF; b++) {
		CHECK(is_mapped(buf[b]), "buffer %d is not a mapped block", b);
		for (size_t off = 0; off < PLACE_MAX; off += PAGE) {
			int node = node_of(buf[b] + off);

			checked++;
			CHECK(buf[b][off] == b + 1, "buffer %d byte %zu wrong",
			      b, off);
			CHECK(node >= 0 && (mask >> node & 1),
			      "buffer %d page %zu on node %d, want mask %#lx",
			      b, off / PAGE, node, mask);
		}
		/* Shrunk: what stays stays where it was. */
		buf[b] = realloc(buf[b], PLACE_MAX / 4);
		for (size_t off = 0; off < PLACE_MAX / 4; off += PAGE) {
			int node = node_of(buf[b] + off);

			CHECK(node >= 0 && (mask >> node & 1),
			      "shrunk buffer %d page %zu on node %d", b,
			      off / PAGE, node);
		}
		/* Shrunk again, maybe into the sizes of another rule. */
		buf[b] = realloc(buf[b], 256 * 1024);
		for (size_t off = 0; off < 256 * 1024; off += PAGE) {
			int node = node_of(buf[b] + off);

			CHECK(buf[b][off] == b + 1, "buffer %d byte %zu wrong",
			      b, off);
			CHECK(node >= 0 && (small >> node & 1),
			      "buffer %d shrunk to 256 KiB: page %zu on node "
			      "%d, want mask %#lx",
			      b, off / PAGE, node, small);
		}
		free(buf[b]);
	}
	CHECK(moved > 0, "no growth moved a block: the test proves little");
	if (failures == 0)
		printf("ok moved=%d checked=%d\n", moved, checked);
	return failures != 0;
}

int main(int argc, char **argv)
{
	int bad;

	if (argc >= 3 && strcmp(argv[1], "place") == 0)
		return mode_place(strtoul(argv[2], NULL, 16),
				  strtoul(argv[argc > 3 ? 3 : 2], NULL, 16));
	if (argc < 2)
		return printf("usage: realloc_mapped MODE\n"), 2;
	if (strcmp(argv[1], "content") == 0)
		bad = mode_content();
	else if (strcmp(argv[1], "threads") == 0)
		bad = mode_threads();
	else if (strcmp(argv[1], "fork") == 0)
		bad = mode_fork();
	else
		return printf("unknown mode %s\n", argv[1]), 2;
	if (!bad)
		printf("ok\n");
	return bad;
}
