/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dlopen and dlclose a library that allocates in its constructor and its
 * threads and frees in its destructor, CYCLES times; the program allocates
 * between cycles so that freed memory is reused.
 *
 * usage: dl_churn LIBRARY CYCLES
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long cycles, done = 0, want = -1;

	if (argc != 3)
		return 2;
	cycles = atol(argv[2]);
	alarm(300);
	for (long i = 0; i < cycles; i++) {
		void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
		long (*work)(void);
		char *between;
		long got;

		if (!lib) {
			printf("cycle %ld: %s\n", i, dlerror());
			return 1;
		}
		*(void **)&work = dlsym(lib, "dl_churn_work");
		got = work ? work() : -1;
		if (got < 0 || (want >= 0 && got != want)) {
			printf("cycle %ld: library saw %ld\n", i, got);
			return 1;
		}
		want = got;
		if (dlclose(lib) != 0) {
			printf("cycle %ld: %s\n", i, dlerror());
			return 1;
		}
		between = malloc((size_t)(1000 + i * 37));
		if (!between)
			return 1;
		memset(between, 0x5a, (size_t)(1000 + i * 37));
		free(between);
		done++;
	}
	printf("%ld dlopen/dlclose cycles ok\n", done);
	return 0;
}
