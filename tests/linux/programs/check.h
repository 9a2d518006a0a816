/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CHECK(cond) for the upstream-style programs: on a failed check, print
 * where and what, and exit 1 (the test reads the status and the message).
 */
#ifndef AML_TESTS_LINUX_PROGRAMS_CHECK_H
#define AML_TESTS_LINUX_PROGRAMS_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			exit(1);                                               \
		}                                                              \
	} while (0)

#endif /* AML_TESTS_LINUX_PROGRAMS_CHECK_H */
