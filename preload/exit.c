/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * _exit and _Exit (entry points): a program that ends through them skips
 * the destructors, and so the report; the shim writes the report first,
 * then ends the process as they do (exit_group). A runtime that makes the
 * exit_group system call itself (Go, cgo programs included) reaches
 * neither these nor the destructor: no report (docs/report.md).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base.h"
#include "init.h"

static __attribute__((noreturn)) void exit_now(int status)
{
	shim_exit_report();
	for (;;)
		syscall(SYS_exit_group, status);
}

SHIM_EXPORT void _exit(int status)
{
	exit_now(status);
}

SHIM_EXPORT void _Exit(int status)
{
	exit_now(status);
}
