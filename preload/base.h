/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every file of the shim shares (base layer): how a symbol is
 * exported, how thread-local storage is reached (initial-exec: the
 * general-dynamic model may call malloc), branch hints.
 */
#ifndef AML_PRELOAD_BASE_H
#define AML_PRELOAD_BASE_H

/* The interposed functions are the only symbols the shim exports. */
#define SHIM_EXPORT __attribute__((visibility("default")))
#define SHIM_TLS __attribute__((tls_model("initial-exec")))
#define shim_likely(x) __builtin_expect(!!(x), 1)
#define shim_unlikely(x) __builtin_expect(!!(x), 0)

#endif /* AML_PRELOAD_BASE_H */
