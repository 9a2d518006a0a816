/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every file of the shim shares (base layer): how a symbol is
 * exported, how thread-local storage is reached (initial-exec: the
 * general-dynamic model may call malloc), branch hints, the spin lock of
 * its tables and its clock.
 */
#ifndef AML_PRELOAD_BASE_H
#define AML_PRELOAD_BASE_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* The interposed functions are the only symbols the shim exports. */
#define SHIM_EXPORT __attribute__((visibility("default")))
#define SHIM_TLS __attribute__((tls_model("initial-exec")))
#define shim_likely(x) __builtin_expect(!!(x), 1)
#define shim_unlikely(x) __builtin_expect(!!(x), 0)

/* A lock held for a few instructions: no allocation, usable before
 * anything else exists, zero-initialised (unlocked). */
struct shim_spin {
	atomic_int held;
};

static inline void shim_spin_lock(struct shim_spin *s)
{
	while (atomic_exchange_explicit(&s->held, 1, memory_order_acquire))
		sched_yield();
}

/* Take it if it is free: for code that must not wait (the holder may be
 * the calling thread). */
static inline bool shim_spin_trylock(struct shim_spin *s)
{
	return !atomic_exchange_explicit(&s->held, 1, memory_order_acquire);
}

static inline void shim_spin_unlock(struct shim_spin *s)
{
	atomic_store_explicit(&s->held, 0, memory_order_release);
}

/* Milliseconds of CLOCK_MONOTONIC (ages and decay times). */
static inline uint64_t shim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif /* AML_PRELOAD_BASE_H */
