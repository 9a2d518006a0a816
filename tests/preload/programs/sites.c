/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Three allocation sites for the site= rules, built as PIE: make_grid
 * through a wrapper (xmalloc), lib_fill in a library loaded with dlopen
 * (sites_lib.c), cxx_array with C++ new (sites_cxx.cpp); other_alloc is
 * a fourth one that no rule names. Each array's pages are counted by node
 * and printed: "NAME BYTES n0 n1 ... n7" (pages on each node).
 *
 * Usage: sites LIBRARY [COUNT [LIBRARY2]]: COUNT arrays of 3 MiB per site
 * (2); then, after dlclose, LIBRARY2 (a copy of LIBRARY under another
 * name) loaded and one array made by its lib_fill, "lib2", with a line
 * saying whether it was mapped where LIBRARY was ("reload same-address").
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node-of.h"

#define ARRAY ((size_t)3 << 20)
#define NODES 8

double *cxx_array_c(size_t n);

__attribute__((noinline)) void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		abort();
	return p;
}

__attribute__((noinline)) double *make_grid(size_t n)
{
	double *g = xmalloc(n * sizeof(double));

	g[0] = 1.0; /* no tail call: make_grid stays on the stack */
	return g;
}

__attribute__((noinline)) char *other_alloc(size_t n)
{
	char *p = malloc(n);

	if (p != NULL)
		p[0] = 1;
	return p;
}

static void census(const char *name, void *p, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t count[NODES + 1] = {0};

	memset(p, 1, len);
	for (size_t off = 0; off < len; off += (size_t)page) {
		int node = node_of((char *)p + off);

		count[node >= 0 && node < NODES ? node : NODES]++;
	}
	printf("%s %zu", name, len);
	for (int i = 0; i < NODES; i++)
		printf(" %zu", count[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	int count = argc > 2 ? atoi(argv[2]) : 2;
	void *lib, *(*lib_fill)(size_t);

	if (argc < 2) {
		fprintf(stderr, "usage: sites LIBRARY [COUNT]\n");
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW);
	if (lib == NULL) {
		fprintf(stderr, "sites: %s\n", dlerror());
		return 1;
	}
	*(void **)&lib_fill = dlsym(lib, "lib_fill");
	if (lib_fill == NULL)
		return 1;
	for (int i = 0; i < count; i++) {
		census("grid", make_grid(ARRAY / sizeof(double)), ARRAY);
		census("lib", lib_fill(ARRAY), ARRAY);
		census("cxx", cxx_array_c(ARRAY / sizeof(double)), ARRAY);
		census("other", other_alloc(ARRAY), ARRAY);
	}
	/* The arrays stay: their pages were counted where they were. */
	dlclose(lib);
	census("after", other_alloc(ARRAY), ARRAY);
	if (argc > 3) {
		void *first = *(void **)&lib_fill;

		lib = dlopen(argv[3], RTLD_NOW);
		if (lib == NULL)
			return 1;
		*(void **)&lib_fill = dlsym(lib, "lib_fill");
		if (lib_fill == NULL)
			return 1;
		printf("reload %s\n", *(void **)&lib_fill == first
					      ? "same-address"
					      : "other-address");
		census("lib2", lib_fill(ARRAY), ARRAY);
	}
	return 0;
}
