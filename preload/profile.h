/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The profile by allocation site (heap layer; aml-run --profile): per
 * site, the requests of PROFILE_MIN bytes and up, their bytes and peak
 * live bytes, in lock-free tables of fixed size; at exit a table sorted by
 * peak and a rules file for the largest sites.
 */
#ifndef AML_PRELOAD_PROFILE_H
#define AML_PRELOAD_PROFILE_H

#include <stddef.h>

#include "rules.h"

#define PROFILE_MIN ((size_t)4096)

/* Set while profiling: heap_alloc and free call in. */
extern int site_profiling;

/* Set up from cfg (a profile asked for): 0, or -1 (no profile). */
int profile_init(const struct shim_config *cfg);
/* A request of size bytes got ptr. */
void profile_alloc(void *ptr, size_t size);
/* ptr is being freed. */
void profile_free(void *ptr);
/* Name the sites recorded so far (module, offset, function): before a
 * library goes (dlclose) and at exit. */
void profile_name_sites(void);

#endif /* AML_PRELOAD_PROFILE_H */
