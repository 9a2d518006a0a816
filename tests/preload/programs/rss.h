/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The resident size of the calling process, for the programs that check
 * memory is given back (stdio only: the program's own allocator).
 */
#ifndef AML_TESTS_PRELOAD_RSS_H
#define AML_TESTS_PRELOAD_RSS_H

#include <stdio.h>
#include <unistd.h>

/* Resident bytes (/proc/self/statm), 0 if unreadable. */
static inline size_t rss(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (size_t)sysconf(_SC_PAGESIZE);
}

#endif /* AML_TESTS_PRELOAD_RSS_H */
