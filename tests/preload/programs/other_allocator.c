/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A program built with another allocator (mimalloc with
 * mimalloc-override.h, or tcmalloc), as such programs are written: its own
 * free (mi_free, tc_free) on memory from glibc's functions (asprintf,
 * strdup: malloc), and glibc's free on memory of its own functions, in a
 * loop. Under the shim this crashed (mi_free on the shim's blocks) or
 * leaked (free on mi_malloc's blocks); the resident memory must stay
 * bounded. Prints "ok" when it did, else what went wrong (exit 1).
 *
 * Built with -DWITH_MIMALLOC (-lmimalloc) or -DWITH_TCMALLOC
 * (-ltcmalloc_minimal).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rss.h"

#if defined(WITH_MIMALLOC)
#include <mimalloc-override.h>
#define OWN_MALLOC(n) mi_malloc(n)
#define OWN_FREE(p) mi_free(p)
#elif defined(WITH_TCMALLOC)
#include <gperftools/tcmalloc.h>
#define OWN_MALLOC(n) tc_malloc(n)
#define OWN_FREE(p) tc_free(p)
#else
#error "build with WITH_MIMALLOC or WITH_TCMALLOC"
#endif

/* glibc's free by name: (free) escapes mimalloc-override.h's macro. */
static void plain_free(void *p)
{
	(free)(p);
}

int main(void)
{
	size_t before = rss(), after;
	char *s;

	for (int i = 0; i < 20000; i++) {
		/* glibc's allocation, the other allocator's free */
		if (asprintf(&s, "line %d of a %s", i, "loop") < 0)
			return 1;
		OWN_FREE(s);
		s = (strdup)("a copy");
		OWN_FREE(s);
		/* the other allocator's allocation, glibc's free */
		s = OWN_MALLOC(64 << 10);
		memset(s, 1, 64 << 10);
		plain_free(s);
		s = OWN_MALLOC(100);
		s = (realloc)(s, 200000);
		memset(s, 2, 200000);
		plain_free(s);
	}
	after = rss();
	if (after > before + (128 << 20)) {
		printf("RSS %zu MiB -> %zu MiB\n", before >> 20, after >> 20);
		return 1;
	}
	printf("ok\n");
	return 0;
}
