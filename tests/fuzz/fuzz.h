/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the fuzz targets share: a check that stops the run with the broken
 * invariant (libFuzzer then saves the input), and the input as a C string.
 * The targets are built by scripts/fuzz, outside the meson build.
 */
#ifndef AML_TESTS_FUZZ_H
#define AML_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_require(cond) \
	((cond) ? (void)0 : fuzz_fail(#cond, __FILE__, __LINE__))

static inline void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

/* data[0..size) as a malloc'd string: a C string ends at its first NUL,
 * as an environment variable does. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An error message must be a NUL-terminated string inside its buffer. */
static inline int fuzz_is_terminated(const char *buf, size_t len)
{
	return len == 0 || memchr(buf, '\0', len) != NULL;
}

#endif /* AML_TESTS_FUZZ_H */
