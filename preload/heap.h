/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The heap's set-up, as start-up (init.c) sees it: jemalloc arenas over
 * the rules' areas, the routing tables, and the thread's arena.
 */
#ifndef AML_PRELOAD_HEAP_H
#define AML_PRELOAD_HEAP_H

#include "settings.h"

/* Create one hooked arena per rule and the routing tables. 0 or -1. */
int heap_init(const struct shim_config *cfg);
/* The end of the calling thread's warm-up (init.c): pin it to the arena
 * of the fast path, if any, then give it a thread cache. */
void heap_thread_ready(void);
/* Another allocator serves malloc (foreign.c): no fast path any more,
 * every allocation takes the routed path, which forwards it. */
void heap_step_aside(void);
/* In a fork child: the big-block stash's lock may be held by a thread
 * that is gone. */
void heap_after_fork(void);

#endif /* AML_PRELOAD_HEAP_H */
