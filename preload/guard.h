/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-thread re-entry guard (base layer). A thread is NEW until its
 * first call into the shim, BUSY while the shim sets it up (a call made
 * from inside the shim then goes straight to jemalloc), WARM for its first
 * calls (no thread cache yet: init.c) and READY after. The state is one
 * initial-exec TLS byte: reading it costs no call.
 */
#ifndef AML_PRELOAD_GUARD_H
#define AML_PRELOAD_GUARD_H

#include "base.h"

enum shim_thread_state { THREAD_NEW, THREAD_BUSY, THREAD_WARM, THREAD_READY };

extern __thread unsigned char shim_thread_state SHIM_TLS;

static inline int shim_thread_is_ready(void)
{
	return shim_likely(shim_thread_state == THREAD_READY);
}

static inline int shim_thread_is_warm(void)
{
	return shim_thread_state == THREAD_WARM;
}

#endif /* AML_PRELOAD_GUARD_H */
