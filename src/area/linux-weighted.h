/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the Linux area shared by linux.c and its weighted interleave
 * (linux-weighted.c), and for the tests: test hooks and the layout step.
 */
#ifndef AML_SRC_AREA_LINUX_WEIGHTED_H
#define AML_SRC_AREA_LINUX_WEIGHTED_H

#include <stddef.h>
#include <stdio.h>

#include "aml/area/linux.h"
#include "os.h"

/* The kernel's mode number (Linux 6.9); older headers lack it. */
#define AML_MPOL_WEIGHTED_INTERLEAVE 6

/* An area and its data in one allocation (linux.c's create). */
struct aml_linux_area {
	struct aml_area area;
	struct aml_area_linux_data data;
};

/* The mmap flags of an area's mappings without options (linux.c). */
AML_INTERNAL int
aml_linux_default_mmap_flags(const struct aml_area_linux_data *data);

/*
 * A weighted mapping without options whose stripes are whole huge pages,
 * mapped on a huge-page boundary; NULL for every other mapping (then mapped
 * as usual) and on failure.
 */
AML_INTERNAL void *
aml_linux_weighted_mmap_aligned(const struct aml_area_linux_data *data,
				size_t size,
				const struct aml_area_mmap_options *opts);

/*
 * Apply `w` to [ptr, ptr + size) with mbind flags `flags`. 0 or a negative
 * errno value. Never allocates.
 */
AML_INTERNAL int aml_linux_weighted_bind(const struct aml_area_linux_weights *w,
					 void *ptr, size_t size,
					 unsigned flags);

/*
 * 1 if every page of [ptr, ptr + size), the range `w` was applied to, has
 * the policy aml_linux_weighted_bind gave it; 0 if not; -AML_EINVAL.
 */
AML_INTERNAL int
aml_linux_weighted_check(const struct aml_area_linux_weights *w, void *ptr,
			 size_t size);

/* The lines of aml_area_fprintf for a weighted area. */
AML_INTERNAL void
aml_linux_weighted_fprintf(const struct aml_area_linux_weights *w, FILE *stream,
			   const char *prefix);

/*
 * For tests only. The answer of the probe "does the kernel accept
 * MPOL_WEIGHTED_INTERLEAVE": -1 asks the kernel (the default), 0 and 1
 * fake it.
 */
AML_INTERNAL void aml_linux_weighted_fake_probe(int answer);
/* For tests only: the sysfs root ("/sys" when NULL). */
AML_INTERNAL void aml_linux_weighted_sysfs_root(const char *root);

/*
 * One step of the smooth weighted round-robin over `count` reduced weights
 * summing to `period`: state[] starts at 0; returns the index of the node
 * of the next stripe.
 */
AML_INTERNAL unsigned int aml_linux_weighted_next(const unsigned int *reduced,
						  unsigned int count,
						  unsigned int period,
						  long *state);

/*
 * Fill reduced, period and runs of `w` from its count, nodes and weights
 * (already checked).
 */
AML_INTERNAL void aml_linux_weighted_layout(struct aml_area_linux_weights *w);

#endif /* AML_SRC_AREA_LINUX_WEIGHTED_H */
