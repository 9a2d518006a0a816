/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A library of the program late_frees. The program depends on it, so the
 * dynamic linker initialises it before the preloaded shim and finalises it
 * after: its destructor frees (and allocates) after the shim's destructor
 * has written the report.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BLOCKS 64

static char *blocks[BLOCKS];
static size_t sizes[BLOCKS];
static void *mapping;

static size_t block_size(int i)
{
	/* Small, page-sized, above the thread cache, and big blocks. */
	static const size_t base[] = {24, 4000, 70000, 9u << 20};

	return base[i % 4] + (size_t)i;
}

__attribute__((constructor)) static void late_start(void)
{
	for (int i = 0; i < BLOCKS; i++) {
		sizes[i] = block_size(i);
		blocks[i] = malloc(sizes[i]);
		if (blocks[i] != NULL)
			memset(blocks[i], i, sizes[i]);
	}
	mapping = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* The program calls this, so that the linker keeps the library. */
int late_frees_blocks(void)
{
	int n = 0;

	for (int i = 0; i < BLOCKS; i++)
		n += blocks[i] != NULL;
	return n;
}

static void say(const char *text)
{
	if (write(STDOUT_FILENO, text, strlen(text)) < 0)
		_exit(9);
}

/* Did the shim's destructor write its report (to $AML_REPORT) already? */
static int report_written(void)
{
	const char *path = getenv("AML_REPORT");
	char text[8192];
	ssize_t n;
	int fd;

	if (path == NULL || (fd = open(path, O_RDONLY)) < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return strstr(text, "aml: unrouted") != NULL;
}

/* Blocks keep their contents up to the end; freeing them and allocating
 * anew still works; what is allocated now holds what is written to it. */
static int churn_after_the_end(void)
{
	for (int i = 0; i < BLOCKS; i++) {
		if (blocks[i] == NULL || blocks[i][sizes[i] - 1] != (char)i)
			return -1;
		free(blocks[i]);
	}
	for (int round = 0; round < 1000; round++) {
		size_t len = block_size(round) / 2 + 1;
		char *p = malloc(len), *q;

		if (p == NULL)
			return -1;
		memset(p, 7, len);
		q = realloc(p, len * 2);
		if (q == NULL || q[len - 1] != 7)
			return -1;
		free(q);
	}
	return munmap(mapping, 1 << 20);
}

__attribute__((destructor)) static void late_end(void)
{
	if (churn_after_the_end() != 0) {
		say("late frees: corrupted\n");
		_exit(1);
	}
	say(report_written() ? "late frees: ok after the report\n"
			     : "late frees: ok before the report\n");
}
