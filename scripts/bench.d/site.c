/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cost of site= rules (scripts/bench site).
 *
 *   site unwind     the unwinding options alone, from a call chain 12 deep,
 *                   the first 4 frames: _Unwind_Backtrace (unwind tables),
 *                   glibc's backtrace(), a frame-pointer walk (this file is
 *                   built with frame pointers; Debian's libraries are not),
 *                   __builtin_return_address(0)
 *   site alloc SIZE COUNT
 *                   COUNT malloc+free pairs of SIZE bytes from a call chain
 *                   12 deep (make_array, called by chain); run it under the
 *                   shim with and without a site= rule for make_array
 *
 * Prints nanoseconds per operation.
 */
#define _GNU_SOURCE
#include <execinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unwind.h>

#define FRAMES 4
#define DEPTH 12
#define ROUNDS 200000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct grab {
	void *ip[FRAMES];
	int n;
};

static _Unwind_Reason_Code grab_fn(struct _Unwind_Context *ctx, void *arg)
{
	struct grab *g = arg;

	g->ip[g->n++] = (void *)_Unwind_GetIP(ctx);
	return g->n == FRAMES ? _URC_END_OF_STACK : _URC_NO_REASON;
}

static volatile uintptr_t sink;

__attribute__((noinline)) static void unwind_gcc(void)
{
	struct grab g = {.n = 0};

	_Unwind_Backtrace(grab_fn, &g);
	sink += (uintptr_t)g.ip[FRAMES - 1];
}

__attribute__((noinline)) static void unwind_glibc(void)
{
	void *ip[FRAMES];

	sink += (uintptr_t)ip[backtrace(ip, FRAMES) - 1];
}

__attribute__((noinline)) static void unwind_fp(void)
{
	void **fp = __builtin_frame_address(0);
	uintptr_t last = 0;

	for (int i = 0; i < FRAMES && fp != NULL; i++) {
		last = (uintptr_t)fp[1];
		fp = (void **)fp[0];
	}
	sink += last;
}

__attribute__((noinline)) static void unwind_ra(void)
{
	sink += (uintptr_t)__builtin_return_address(0);
}

static size_t alloc_size;

__attribute__((noinline)) void make_array(void)
{
	char *p = malloc(alloc_size);

	if (p == NULL)
		abort();
	p[0] = 1;
	sink += (uintptr_t)p[0];
	free(p);
}

__attribute__((noinline)) static void chain(int depth, void (*leaf)(void))
{
	if (depth == 0)
		leaf();
	else
		chain(depth - 1, leaf);
	sink++; /* no tail call */
}

static void time_it(const char *name, void (*leaf)(void), long rounds)
{
	double t0 = now();

	for (long i = 0; i < rounds; i++)
		chain(DEPTH, leaf);
	printf("%-28s %8.1f ns\n", name, (now() - t0) / (double)rounds);
}

static void nothing(void)
{
	sink++;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "unwind")) {
		unwind_glibc(); /* backtrace() loads libgcc_s once */
		time_it("call chain alone", nothing, ROUNDS);
		time_it("__builtin_return_address", unwind_ra, ROUNDS);
		time_it("frame pointers (4 frames)", unwind_fp, ROUNDS);
		time_it("_Unwind_Backtrace (4)", unwind_gcc, ROUNDS);
		time_it("glibc backtrace (4)", unwind_glibc, ROUNDS);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "alloc")) {
		alloc_size = strtoul(argv[2], NULL, 0);
		time_it("call chain + malloc/free", make_array,
			strtol(argv[3], NULL, 0));
		return 0;
	}
	fprintf(stderr, "usage: site unwind | site alloc SIZE COUNT\n");
	return 2;
}
