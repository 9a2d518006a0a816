/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start-up (above placement, the heap's set-up and the report): the
 * one-time set-up, run lazily by the first call that needs it, each
 * thread's entry into the shim, and the report at exit.
 */
#ifndef AML_PRELOAD_INIT_H
#define AML_PRELOAD_INIT_H

#include <stdbool.h>

#include "guard.h"

/* True once the set-up has finished. */
bool shim_is_ready(void);

/* The slow part of shim_thread_enter: the set-up (if nobody ran it; wait
 * for it if another thread runs it), the thread's warm-up calls, then its
 * arena pinning and thread cache. */
bool shim_thread_start(void);

/* Make the calling thread ready; false while the thread is already inside
 * the shim (a recursive call: serve it without the shim's routing). */
static inline bool shim_thread_enter(void)
{
	if (shim_thread_is_ready())
		return true;
	return shim_thread_start();
}

/* The report at the end of the process (the destructor, or _exit): once,
 * by the process that read the configuration (not a child forked without
 * exec), and not from a signal handler that interrupted the shim. */
void shim_exit_report(void);

#endif /* AML_PRELOAD_INIT_H */
