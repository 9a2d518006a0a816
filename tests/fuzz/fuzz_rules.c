/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AML_RULES alone, on two machines: rules that parse are well formed and
 * read back the same from their printed text (config_check.h); rules that
 * do not leave no rule and one message.
 */
#include "config_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long allowed[2][SHIM_NODE_WORDS];
	char *value = fuzz_string(data, size);
	char err[SHIM_ERR_LEN];
	struct shim_config cfg;
	int rc;

	if (allowed[0][0] == 0)
		check_machines(allowed);
	for (int m = 0; m < 2; m++) {
		rc = shim_settings_parse(&cfg, check_serve_rules, value,
					 allowed[m], err, sizeof(err));
		check_config(&cfg, rc, err, sizeof(err), allowed[m]);
	}
	free(value);
	return 0;
}
