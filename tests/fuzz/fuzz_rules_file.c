/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AML_RULES_FILE: the input is the file (lines, # comments, site= rules).
 * Rules that parse are well formed and read back the same from their
 * printed text (config_check.h); a file that does not parse leaves no
 * rule and one message.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config_check.h"

static char path[64];

static const char *serve_file(const char *name, void *ctx)
{
	(void)ctx;
	return strcmp(name, "AML_RULES_FILE") ? NULL : path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long allowed[2][SHIM_NODE_WORDS];
	static int fd = -1;
	char err[SHIM_ERR_LEN];
	struct shim_config cfg;
	int rc;

	if (allowed[0][0] == 0)
		check_machines(allowed);
	if (fd < 0) {
		fd = memfd_create("rules", 0);
		fuzz_require(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	fuzz_require(ftruncate(fd, 0) == 0);
	fuzz_require(pwrite(fd, data, size, 0) == (ssize_t)size);
	for (int m = 0; m < 2; m++) {
		rc = shim_settings_parse(&cfg, serve_file, NULL, allowed[m],
					 err, sizeof(err));
		check_config(&cfg, rc, err, sizeof(err), allowed[m]);
	}
	return 0;
}
