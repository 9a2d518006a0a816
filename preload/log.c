/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's log: lines formatted into a buffer on the stack and written
 * with text_write to descriptor 2, at the moment they are said, and only
 * while descriptor 2 is still the standard error the program started with
 * (text.c checks it before each write). The shim keeps no descriptor of
 * its own in the program: a copy would be one the program does not know
 * of (it shows in /proc/self/fd, it takes a number the program may dup2
 * onto or close and reopen as a data file).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "text.h"

static int log_level;

void shim_log_set_level(int level)
{
	log_level = level;
}

int shim_log_fd(void)
{
	return STDERR_FILENO;
}

void shim_log_open(void)
{
	text_stderr_remember();
}

static void log_vline(const char *fmt, va_list ap)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "aml-preload: ");

	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	text_write(STDERR_FILENO, line, (size_t)n);
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
