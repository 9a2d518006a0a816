/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the shim's messages go, seen from the program (run with AML_LOG=info
 * under the shim: a free of memory the shim did not allocate makes it say
 * one line). Prints "ok" when the program's own files hold only what it
 * wrote.
 *   messages fd200   a data file dup2()'d onto descriptor 200
 *   messages fd3     descriptors 3.. closed (as a daemon does), then a data
 *                    file opened: it gets descriptor 3
 *   messages closed  started with descriptor 2 closed: the first open()
 *                    takes it
 *   messages fds     prints the open descriptors (from /proc/self/fd)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char data[] = "the program's own data\n";

/* A free the shim did not allocate: it says so (AML_LOG=info), once. */
static void make_the_shim_talk(void)
{
	static char not_from_malloc[64];
	void (*volatile release)(void *) = free;

	release(not_from_malloc + 16);
}

/* Write data to fd, make the shim talk, read the file back. */
static int check_file(const char *path, int fd, const char *what)
{
	char back[4096];
	ssize_t n;
	int rfd;

	if (write(fd, data, sizeof(data) - 1) != (ssize_t)(sizeof(data) - 1))
		return printf("%s: write failed\n", what), 1;
	make_the_shim_talk();
	rfd = open(path, O_RDONLY);
	n = rfd < 0 ? -1 : read(rfd, back, sizeof(back) - 1);
	if (n < 0)
		return printf("%s: cannot read the file back\n", what), 1;
	back[n] = '\0';
	if (strcmp(back, data) != 0)
		return printf("%s: the file holds \"%s\"\n", what, back), 1;
	printf("ok %s\n", what);
	return 0;
}

static int open_data(const char *path)
{
	return open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/aml-messages-XXXXXX";
	int fd, status = 1;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "fds")) {
		DIR *d = opendir("/proc/self/fd");
		struct dirent *e;

		while (d && (e = readdir(d)) != NULL)
			if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
				printf("%s ", e->d_name);
		printf("\n");
		return d ? closedir(d) : 1;
	}
	fd = mkstemp(path);
	if (fd < 0)
		return printf("mkstemp failed\n"), 1;
	close(fd);
	if (!strcmp(argv[1], "fd200")) {
		fd = open_data(path);
		if (fd < 0 || dup2(fd, 200) != 200)
			return printf("cannot put the file on 200\n"), 1;
		close(fd);
		status = check_file(path, 200, "fd200");
	} else if (!strcmp(argv[1], "fd3")) {
		for (int i = 3; i < 256; i++)
			close(i);
		fd = open_data(path);
		if (fd != 3)
			return printf("the file got descriptor %d\n", fd), 1;
		status = check_file(path, fd, "fd3");
	} else if (!strcmp(argv[1], "closed")) {
		fd = open_data(path);
		if (fd != 2)
			return printf("the file got descriptor %d\n", fd), 1;
		status = check_file(path, fd, "closed");
	}
	unlink(path);
	return status;
}
