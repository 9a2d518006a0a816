/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's big-block stash, seen from a program: a freed 20 MiB block
 * is reused for a 4 MiB request (cut down: its tail pages go back), the
 * freed 4 MiB block is then grown in place for a 10 MiB request (its
 * pages stay: only the difference faults in), and a calloc taking the
 * grown block again gets zeros.
 *
 * Prints "reused=R cut_drop_kib=D grow_same=G grow_faults=F kept=K
 * zero=Z": R 1 if the 4 MiB request got the freed block, D how much the
 * resident set fell at the cut, G 1 if the 10 MiB request got the same
 * address, F the page faults of filling its 10 MiB, K 1 if its first
 * 4 MiB still held what was written there, Z 1 if the calloc'd 16 MiB
 * read as zeros. Pages are 4 KiB (no transparent huge pages). Exits 0.
 *
 * "big_stash cool": a freed 16 MiB block stays stashed while 48 MiB of
 * small blocks are then allocated and written (the heap grows); prints
 * "before=B after=A reused=R": the block's resident pages (mincore) just
 * after the free and after the growth, and R 1 if a new 16 MiB request
 * still gets the stashed block.
 *
 * "big_stash sparse": a calloc'd 12 MiB block written on every 16th page
 * only, freed, then calloc'd again; prints "reused=R calloc_faults=F
 * zero=Z": R 1 if the second calloc got the same block, F the page faults
 * of that calloc itself, Z 1 if it read as zeros.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define MIB ((size_t)1 << 20)

static long resident_kib(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL || fscanf(f, "%ld %ld", &size, &resident) != 2)
		exit(3);
	fclose(f);
	return resident * 4;
}

static long faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

static void fill(char *p, size_t len, int c)
{
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, c, len);
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* Resident pages of the whole pages inside [p, p + len). */
static long resident_pages(const char *p, size_t len)
{
	uintptr_t start = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t end = ((uintptr_t)p + len) & ~(uintptr_t)4095;
	static unsigned char vec[(64 << 20) / 4096];
	long n = 0;

	if (end <= start || (end - start) / 4096 > sizeof(vec) ||
	    mincore((void *)start, end - start, vec) != 0)
		exit(4);
	for (size_t i = 0; i < (end - start) / 4096; i++)
		n += vec[i] & 1;
	return n;
}

static int cool(void)
{
	enum { SMALL = 4096, NSMALL = 48 * 256 };
	static char *small[NSMALL];
	char *big = malloc(16 * MIB), *again;
	long before, after;

	if (big == NULL)
		return 3;
	fill(big, 16 * MIB, 1);
	free(big);
	before = resident_pages(big, 16 * MIB);
	for (int i = 0; i < NSMALL; i++) {
		small[i] = malloc(SMALL);
		if (small[i] == NULL)
			return 3;
		memset(small[i], i, SMALL);
	}
	after = resident_pages(big, 16 * MIB);
	again = malloc(16 * MIB);
	printf("before=%ld after=%ld reused=%d\n", before, after, again == big);
	free(again);
	for (int i = 0; i < NSMALL; i++)
		free(small[i]);
	return 0;
}

static int sparse(void)
{
	const size_t len = 12 * MIB;
	char *first = calloc(1, len), *again;
	long f0, calloc_faults;
	int zero = 1;

	if (first == NULL)
		return 3;
	madvise(first, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < len; i += 16 * 4096)
		first[i] = 1;
	first[len - 1] = 1;
	__asm__ volatile("" : : "r"(first) : "memory");
	free(first);
	f0 = faults();
	again = calloc(1, len);
	calloc_faults = faults() - f0;
	if (again == NULL)
		return 3;
	for (size_t i = 0; i < len; i++)
		zero &= again[i] == 0;
	printf("reused=%d calloc_faults=%ld zero=%d\n", again == first,
	       calloc_faults, zero);
	free(again);
	return 0;
}

int main(int argc, char **argv)
{
	char *big, *small, *grown, *zeroed;
	long before_cut, drop, f0, grow_faults;
	int kept = 1, zero = 1;

	if (argc > 1 && strcmp(argv[1], "cool") == 0)
		return cool();
	if (argc > 1 && strcmp(argv[1], "sparse") == 0)
		return sparse();

	big = malloc(20 * MIB);
	if (big == NULL)
		return 3;
	fill(big, 20 * MIB, 1);
	free(big);
	before_cut = resident_kib();
	small = malloc(4 * MIB);
	if (small == NULL)
		return 3;
	drop = before_cut - resident_kib();
	fill(small, 4 * MIB, 2);
	free(small);

	grown = malloc(10 * MIB);
	if (grown == NULL)
		return 3;
	for (size_t i = 0; i < 4 * MIB && grown == small; i += 4096)
		kept &= grown[i] == 2;
	f0 = faults();
	fill(grown, 10 * MIB, 3);
	grow_faults = faults() - f0;
	free(grown);

	zeroed = calloc(16, MIB);
	if (zeroed == NULL)
		return 3;
	for (size_t i = 0; i < 16 * MIB; i++)
		zero &= zeroed[i] == 0;
	free(zeroed);

	printf("reused=%d cut_drop_kib=%ld grow_same=%d grow_faults=%ld "
	       "kept=%d zero=%d\n",
	       small == big, drop, grown == small, grow_faults, kept, zero);
	return 0;
}
