/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's log: lines formatted into a buffer on the stack and written
 * with text_write.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "text.h"

/* Lowest descriptor the log copy may take: out of the way of programs that
 * expect small numbers to be free (shells redirect 3-9). */
#define LOG_FD_MIN 200

static int log_fd = -1;
static int log_level;

void shim_log_set_level(int level)
{
	log_level = level;
}

int shim_log_fd(void)
{
	return log_fd >= 0 ? log_fd : STDERR_FILENO;
}

void shim_log_open(void)
{
	int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, LOG_FD_MIN);

	if (fd < 0)
		fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	log_fd = fd;
}

static void log_vline(const char *fmt, va_list ap)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "aml-preload: ");

	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	text_write(shim_log_fd(), line, (size_t)n);
}

void shim_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
}
