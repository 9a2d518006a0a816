/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A private file mapped with MAP_FIXED over part of a routed mapping (or
 * moved there with mremap MREMAP_FIXED): run under AML_RULES with a rule
 * for 1 MiB and up and AML_REPORT=FILE, the report's resident pages of
 * that rule must count only what is still the routed mapping's.
 *   fixed_file mmap     4 MiB routed, 1 MiB of a file mapped over its middle
 *   fixed_file mremap   4 MiB routed, a 1 MiB file mapping moved over its
 *                       middle
 *   fixed_file none     4 MiB routed, nothing over it (the baseline)
 * Every page is touched. Prints "ok PAGES" with the pages replaced.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BIG ((size_t)4 << 20)
#define FILE_LEN ((size_t)1 << 20)

int main(int argc, char **argv)
{
	char path[] = "/tmp/aml-fixed-XXXXXX";
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	volatile char sink = 0;
	char *big, *file, *at;
	int fd;

	if (argc < 2)
		return 2;
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, (off_t)FILE_LEN) != 0)
		return printf("no file\n"), 1;
	unlink(path);
	big = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED)
		return printf("mmap failed\n"), 1;
	memset(big, 1, BIG);
	at = big + BIG / 2;
	if (!strcmp(argv[1], "none"))
		return printf("ok 0\n"), 0;
	if (!strcmp(argv[1], "mmap")) {
		file = mmap(at, FILE_LEN, PROT_READ, MAP_PRIVATE | MAP_FIXED,
			    fd, 0);
	} else {
		file = mmap(NULL, FILE_LEN, PROT_READ, MAP_PRIVATE, fd, 0);
		if (file != MAP_FAILED)
			file = mremap(file, FILE_LEN, FILE_LEN,
				      MREMAP_MAYMOVE | MREMAP_FIXED, at);
	}
	if (file != at)
		return printf("the file mapping is not in place\n"), 1;
	for (size_t i = 0; i < FILE_LEN; i += page)
		sink += file[i];
	printf("ok %zu\n", FILE_LEN / page);
	return sink;
}
