/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What was routed where, for the report. Counting sits on the malloc fast
 * path, so each thread counts into a shard of its own (plain relaxed
 * stores, no locked instruction); threads beyond the shards share one
 * with atomic additions. Totals are sums over the shards.
 *
 * The release census (report on only) adds pages per rule and node with
 * relaxed atomic additions: it runs once per purge or unmap, not per call.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "stats.h"

#define STATS_SHARDS 64
#define STATS_SLOTS (SHIM_MAX_RULES + 1) /* by target + 1 */

struct stats_shard {
	atomic_ullong calls[STATS_SLOTS];
	atomic_ullong bytes[STATS_SLOTS];
	atomic_ullong mmaps[STATS_SLOTS];
	atomic_ullong mmap_bytes[STATS_SLOTS];
} __attribute__((aligned(64)));

static struct stats_shard shards[STATS_SHARDS + 1]; /* last one: shared */
static atomic_uint shards_taken;
static __thread struct stats_shard *my_shard SHIM_TLS;
static __thread bool my_shard_shared SHIM_TLS;

static struct stats_shard *shard_of_thread(void)
{
	unsigned n;

	if (shim_likely(my_shard != NULL))
		return my_shard;
	n = atomic_fetch_add_explicit(&shards_taken, 1, memory_order_relaxed);
	my_shard_shared = n >= STATS_SHARDS;
	my_shard = &shards[my_shard_shared ? STATS_SHARDS : n];
	return my_shard;
}

static void add(atomic_ullong *counter, unsigned long long n)
{
	if (shim_likely(!my_shard_shared)) {
		/* Only this thread writes here. */
		atomic_store_explicit(
			counter,
			atomic_load_explicit(counter, memory_order_relaxed) + n,
			memory_order_relaxed);
	} else {
		atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
	}
}

void shim_count_alloc(int target, size_t size)
{
	struct stats_shard *s = shard_of_thread();

	add(&s->calls[target + 1], 1);
	add(&s->bytes[target + 1], size);
}

void shim_count_mmap(int target, size_t size)
{
	struct stats_shard *s = shard_of_thread();

	add(&s->mmaps[target + 1], 1);
	add(&s->mmap_bytes[target + 1], size);
}

static void sum(int slot, struct shim_rule_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i <= STATS_SHARDS; i++) {
		out->calls += atomic_load_explicit(&shards[i].calls[slot],
						   memory_order_relaxed);
		out->bytes += atomic_load_explicit(&shards[i].bytes[slot],
						   memory_order_relaxed);
		out->mmaps += atomic_load_explicit(&shards[i].mmaps[slot],
						   memory_order_relaxed);
		out->mmap_bytes += atomic_load_explicit(
			&shards[i].mmap_bytes[slot], memory_order_relaxed);
	}
}

void shim_rule_stats(int rule, struct shim_rule_stats *out)
{
	if (rule < 0 || rule >= SHIM_MAX_RULES) {
		memset(out, 0, sizeof(*out));
		return;
	}
	sum(rule + 1, out);
}

void shim_unrouted_stats(struct shim_rule_stats *out)
{
	sum(0, out);
}

void shim_foreach_range(int rule, shim_range_fn fn, void *ctx)
{
	ranges_rule_foreach(rule, fn, ctx);
}

/* ------------------------------------------------------------------------
 * The allocator's metadata blocks
 */

static struct {
	const void *addr;
	size_t len;
	atomic_int rule; /* rule + 1 once addr and len are written; 0: empty */
} metadata[SHIM_METADATA_MAX];
static atomic_uint metadata_taken;

void stats_metadata_add(int rule, const void *addr, size_t len)
{
	unsigned n;

	if (rule < 0)
		return;
	n = atomic_fetch_add_explicit(&metadata_taken, 1, memory_order_relaxed);
	if (n >= SHIM_METADATA_MAX)
		return;
	metadata[n].addr = addr;
	metadata[n].len = len;
	atomic_store_explicit(&metadata[n].rule, rule + 1,
			      memory_order_release);
}

void shim_metadata_foreach(int rule, shim_range_fn fn, void *ctx)
{
	for (int n = 0; n < SHIM_METADATA_MAX; n++)
		if (atomic_load_explicit(&metadata[n].rule,
					 memory_order_acquire) == rule + 1)
			fn((void *)metadata[n].addr, metadata[n].len, ctx);
}

/* ------------------------------------------------------------------------
 * Release census
 */

static atomic_bool census_on;
static atomic_ullong released[SHIM_MAX_RULES][SHIM_CENSUS_NODES];

void census_enable(void)
{
	atomic_store_explicit(&census_on, true, memory_order_relaxed);
}

bool census_enabled(void)
{
	return atomic_load_explicit(&census_on, memory_order_relaxed);
}

void census_release(int rule, const void *addr, size_t len)
{
	size_t counts[SHIM_CENSUS_NODES] = {0};

	if (rule < 0 || rule >= SHIM_MAX_RULES || len == 0)
		return;
	if (aml_area_linux_pages_per_node(addr, len, counts, SHIM_CENSUS_NODES,
					  NULL) < 0)
		return;
	for (int n = 0; n < SHIM_CENSUS_NODES; n++)
		if (counts[n])
			atomic_fetch_add_explicit(&released[rule][n], counts[n],
						  memory_order_relaxed);
}

void shim_released_pages(int rule, unsigned long long *counts, size_t nnodes)
{
	bool known = rule >= 0 && rule < SHIM_MAX_RULES;

	for (size_t n = 0; n < nnodes; n++) {
		counts[n] = 0;
		if (known && n < SHIM_CENSUS_NODES)
			counts[n] = atomic_load_explicit(&released[rule][n],
							 memory_order_relaxed);
	}
}
