/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Machine probing and per-process placement forms (settings layer, over
 * node lists): @local-rank[=MAP], @cpu-local and @nearest[=K], resolved
 * from the launchers' variables, the process's CPUs and /sys.
 */
#ifndef AML_PRELOAD_PROBE_H
#define AML_PRELOAD_PROBE_H

#include <stddef.h>

#include "nodes.h"
#include "text.h"

/* How the parser reads a variable: secure_getenv in the shim, a table in
 * tests, the command line in aml-run. Returns NULL when unset. */
typedef const char *(*shim_getter)(const char *name, void *ctx);

/* The placement form s[0..len) (it starts with '@') into mask (within
 * allowed). 0, or -1 with the problem in msg and mask cleared; how the
 * form resolved is added to note. */
int form_parse(const char *s, size_t len, const unsigned long *allowed,
	       unsigned long *mask, shim_getter get, void *ctx, struct msg *msg,
	       struct msg *note);

/* The local rank from the launchers' variables (as @local-rank reads
 * it), or -1 when none is set or it is not a number. */
long probe_local_rank(shim_getter get, void *ctx);

#endif /* AML_PRELOAD_PROBE_H */
