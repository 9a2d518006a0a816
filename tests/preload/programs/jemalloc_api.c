/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A program linked with jemalloc (-ljemalloc) that mixes jemalloc's own
 * API with the malloc family, both ways: *allocx on memory from malloc,
 * free and malloc_usable_size on memory from mallocx, the MALLOCX_ALIGN,
 * MALLOCX_ZERO, MALLOCX_ARENA and MALLOCX_TCACHE flags, mallctl's common
 * entries, and a loop whose resident memory must stay bounded. Prints
 * "ok" when every check held, else what failed (exit 1).
 *
 *   jemalloc_api [shim]   with "shim": also what only the shim does
 *                         (mallctl refuses arenas.create)
 *   jemalloc_api place N  every page of every path on node N (under a
 *                         rule binding all sizes to N)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jemalloc/jemalloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node-of.h"
#include "rss.h"

static int failed;

#define CHECK(cond, ...)                                        \
	do {                                                    \
		if (!(cond)) {                                  \
			printf("failed (line %d): ", __LINE__); \
			printf(__VA_ARGS__);                    \
			printf("\n");                           \
			failed = 1;                             \
		}                                               \
	} while (0)

static int filled(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void on_malloc_memory(void)
{
	unsigned char *p, *q;
	size_t sizes[] = {8, 100, 3000, 40000, 300000, 5 << 20};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];

		p = malloc(n);
		memset(p, 0xab, n);
		CHECK(sallocx(p, 0) == malloc_usable_size(p),
		      "sallocx %zu != malloc_usable_size %zu", sallocx(p, 0),
		      malloc_usable_size(p));
		CHECK(sallocx(p, 0) >= n, "sallocx %zu < %zu", sallocx(p, 0),
		      n);
		q = rallocx(p, 2 * n, 0);
		CHECK(q && filled(q, n, 0xab), "rallocx lost the data (%zu)",
		      n);
		CHECK(sallocx(q, 0) >= 2 * n, "rallocx size");
		memset(q, 0xcd, 2 * n);
		/* xallocx may grow in place or not; the block stays whole. */
		size_t got = xallocx(q, 4 * n, 0, 0);
		CHECK(got >= 2 * n, "xallocx shrank %zu to %zu", 2 * n, got);
		CHECK(got == sallocx(q, 0), "xallocx says %zu, sallocx %zu",
		      got, sallocx(q, 0));
		CHECK(filled(q, 2 * n, 0xcd), "xallocx changed the data");
		if (i % 2)
			sdallocx(q, 2 * n, 0);
		else
			dallocx(q, 0);
	}
	/* rallocx with MALLOCX_ZERO zeroes what it adds. */
	p = malloc(64);
	memset(p, 0xee, 64);
	q = rallocx(p, 100000, MALLOCX_ZERO);
	CHECK(q && filled(q, 64, 0xee) && filled(q + 64, 100000 - 64, 0),
	      "rallocx MALLOCX_ZERO");
	/* ... and with an alignment, aligns. */
	q = rallocx(q, 200000, MALLOCX_ALIGN(65536));
	CHECK(q && ((uintptr_t)q & 65535) == 0, "rallocx MALLOCX_ALIGN %p",
	      (void *)q);
	CHECK(q && filled(q, 64, 0xee), "rallocx MALLOCX_ALIGN lost data");
	free(q);
	p = (unsigned char *)strdup("from strdup");
	sdallocx(p, strlen("from strdup") + 1, 0);
}

static void on_mallocx_memory(void)
{
	for (int lg = 3; lg <= 16; lg++) {
		size_t align = (size_t)1 << lg;
		unsigned char *p =
			mallocx(1000, MALLOCX_ALIGN(align) | MALLOCX_ZERO);

		CHECK(p && ((uintptr_t)p & (align - 1)) == 0,
		      "mallocx alignment %zu: %p", align, (void *)p);
		CHECK(p && filled(p, malloc_usable_size(p), 0),
		      "mallocx MALLOCX_ZERO");
		memset(p, 1, 1000);
		p = realloc(p, 5000);
		CHECK(p && filled(p, 1000, 1), "realloc of mallocx memory");
		free(p);
	}
	void *p = mallocx(777, MALLOCX_ARENA(7) | MALLOCX_TCACHE_NONE);
	CHECK(p != NULL, "mallocx with MALLOCX_ARENA");
	CHECK(sallocx(p, 0) == nallocx(777, 0), "nallocx %zu, sallocx %zu",
	      nallocx(777, 0), sallocx(p, 0));
	free(p);
}

static void mallctl_entries(int shim)
{
	const char *version = NULL;
	size_t len = sizeof(version), allocated = 0, more = 0, page = 0;
	uint64_t epoch = 1;
	unsigned arena;
	void *big;

	CHECK(mallctl("version", &version, &len, NULL, 0) == 0 && version &&
		      version[0] >= '0' && version[0] <= '9',
	      "mallctl version");
	len = sizeof(page);
	CHECK(mallctl("arenas.page", &page, &len, NULL, 0) == 0 &&
		      page == (size_t)sysconf(_SC_PAGESIZE),
	      "arenas.page %zu", page);
	len = sizeof(epoch);
	mallctl("epoch", &epoch, &len, &epoch, len);
	len = sizeof(allocated);
	CHECK(mallctl("stats.allocated", &allocated, &len, NULL, 0) == 0,
	      "stats.allocated");
	big = malloc(64 << 20);
	memset(big, 1, 64 << 20);
	len = sizeof(epoch);
	mallctl("epoch", &epoch, &len, &epoch, len);
	len = sizeof(more);
	mallctl("stats.allocated", &more, &len, NULL, 0);
	CHECK(more >= allocated + (64 << 20),
	      "stats.allocated %zu -> %zu after malloc(64 MiB)", allocated,
	      more);
	free(big);
	CHECK(mallctl("thread.tcache.flush", NULL, NULL, NULL, 0) == 0,
	      "thread.tcache.flush");
	len = sizeof(arena);
	if (shim)
		CHECK(mallctl("arenas.create", &arena, &len, NULL, 0) == ENOENT,
		      "arenas.create not refused");
}

/* A new thread's first call (under the shim, a thread has no cache for its
 * first calls: that is no error for the program). */
static void *flush_first(void *arg)
{
	(void)arg;
	CHECK(mallctl("thread.tcache.flush", NULL, NULL, NULL, 0) == 0,
	      "thread.tcache.flush as a thread's first call");
	return NULL;
}

static void new_thread_flush(void)
{
	pthread_t t;

	CHECK(pthread_create(&t, NULL, flush_first, NULL) == 0,
	      "pthread_create");
	pthread_join(t, NULL);
}

/* Mixed frees in a loop: a leak grows the RSS by gigabytes. */
static void no_leak(void)
{
	size_t before = rss();

	for (int i = 0; i < 2000; i++) {
		char *a = mallocx(1 << 20, 0), *b = malloc(1 << 20);

		memset(a, 1, 1 << 20);
		memset(b, 1, 1 << 20);
		free(a);
		sdallocx(b, 1 << 20, 0);
		a = mallocx(300000, MALLOCX_ZERO);
		a = rallocx(a, 600000, 0);
		memset(a, 2, 600000);
		free(a);
	}
	CHECK(rss() < before + (256 << 20), "RSS %zu MiB -> %zu MiB",
	      before >> 20, rss() >> 20);
}

/* Pages of [p, p + len) (touched) not on node. */
static size_t off_node(const char *p, size_t len, int node)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), off = 0;
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);

	for (; a + page <= (uintptr_t)p + len; a += page)
		off += node_of((void *)a) != node;
	return off;
}

/* Blocks of every *allocx path, and malloc's given to them, all on node
 * (run under a rule binding every size there). */
static int place(int node)
{
	size_t sizes[] = {100, 5000, 70000, 1 << 20, 8 << 20}, off = 0;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		char *a = mallocx(n, 0), *b = mallocx(n, MALLOCX_ZERO);
		char *c = mallocx(n, MALLOCX_ALIGN(4096));
		char *d = malloc(n / 2);

		/* written: an untouched page read by node_of would be the
		 * kernel's shared zero page, wherever it is */
		memset(a, 1, n);
		memset(b, 1, n);
		memset(c, 1, n);
		d = rallocx(d, 2 * n, 0);
		memset(d, 1, 2 * n);
		off += off_node(a, n, node) + off_node(b, n, node) +
		       off_node(c, n, node) + off_node(d, 2 * n, node);
		dallocx(a, 0);
		sdallocx(b, n, 0);
		free(c);
		free(d);
	}
	if (off) {
		printf("%zu pages off node %d\n", off, node);
		return 1;
	}
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	int shim = argc > 1 && !strcmp(argv[1], "shim");

	if (argc > 2 && !strcmp(argv[1], "place"))
		return place(atoi(argv[2]));

	on_malloc_memory();
	on_mallocx_memory();
	mallctl_entries(shim);
	new_thread_flush();
	no_leak();
	if (!failed)
		printf("ok\n");
	return failed;
}
