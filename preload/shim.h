/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the allocator core of the shim (shim.c, heap.c, mmap routing) offers
 * to the exit report (report.c). Counters are updated with relaxed atomics;
 * nothing here allocates.
 */
#ifndef AML_PRELOAD_SHIM_H
#define AML_PRELOAD_SHIM_H

#include <stddef.h>

#include "settings.h"

/* The configuration in force (valid once the shim is initialised). */
const struct shim_config *shim_config(void);

/* Per rule: what was routed to its area. */
struct shim_rule_stats {
	unsigned long long calls;   /* allocation calls routed */
	unsigned long long bytes;   /* bytes requested by those calls */
	unsigned long long mmaps;   /* anonymous mmap calls routed */
	unsigned long long mmap_bytes;
};
void shim_rule_stats(int rule, struct shim_rule_stats *out);

/* Calls and bytes that matched no rule (default placement). */
void shim_unrouted_stats(struct shim_rule_stats *out);

/* Pages of a rule counted per node just before the shim gave them back
 * to the kernel (only counted when the report is on). counts[n] is set
 * for n < nnodes; nodes beyond SHIM_CENSUS_NODES are not told apart. */
#define SHIM_CENSUS_NODES 64
void shim_released_pages(int rule, unsigned long long *counts,
			 size_t nnodes);

/* Visit every address range currently mapped from rule's area (extents
 * the allocator holds and routed mmaps still mapped). */
typedef void (*shim_range_fn)(void *addr, size_t len, void *ctx);
void shim_foreach_range(int rule, shim_range_fn fn, void *ctx);

/* Say something once on the descriptor duplicated at start-up
 * (stderr may be closed by then). level as in shim_config.log_level. */
void shim_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* That descriptor (the report's "stderr"); report.c has a weak fallback
 * returning STDERR_FILENO until the core defines it. */
int shim_log_fd(void);

/* Write the report (report.c); called from the shim's destructor. */
void shim_report_write(void);

#endif /* AML_PRELOAD_SHIM_H */
