/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dlopens the C++ library given as argv[1], lets its threads allocate with
 * new, and checks that every block came from the shim: the shim's
 * malloc_usable_size says 0 for memory it did not allocate.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>

#define THREADS 4
#define PER_THREAD 64

int main(int argc, char **argv)
{
	static char *ptrs[THREADS * PER_THREAD];
	static size_t sizes[THREADS * PER_THREAD];
	int (*run)(int, int, char **, size_t *);
	void (*release)(char **, int);
	int n, missed = 0;
	void *lib;

	if (argc < 2)
		return 2;
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 2;
	}
	*(void **)&run = dlsym(lib, "cxx_news_run");
	*(void **)&release = dlsym(lib, "cxx_news_release");
	n = run(THREADS, PER_THREAD, ptrs, sizes);
	for (int i = 0; i < n; i++)
		missed += malloc_usable_size(ptrs[i]) < sizes[i];
	release(ptrs, n);
	dlclose(lib);
	printf("%d of %d blocks from new missed the shim\n", missed, n);
	return missed != 0;
}
