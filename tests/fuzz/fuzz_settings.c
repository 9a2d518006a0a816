/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The whole environment configuration through shim_settings_parse. The
 * input is an environment block, one NAME=VALUE per line; the getter serves
 * the first entry of a name, as getenv does, so duplicated keys, unknown
 * names and empty values all come from the fuzzer, as do the variables
 * a placement form may read besides the table's (a local rank, ...).
 */
#include "config_check.h"

#define MAX_ENTRIES 32

struct environment {
	int n;
	const char *name[MAX_ENTRIES];
	size_t namelen[MAX_ENTRIES];
	const char *value[MAX_ENTRIES];
};

static const char *environment_get(const char *name, void *ctx)
{
	const struct environment *env = ctx;

	fuzz_require(name != NULL && name[0] != '\0');
	for (int i = 0; i < env->n; i++)
		if (env->namelen[i] == strlen(name) &&
		    !memcmp(env->name[i], name, env->namelen[i]))
			return env->value[i];
	return NULL;
}

/* Split "A=1\nB=2" in place; a line without '=' is skipped. */
static void environment_split(char *block, struct environment *env)
{
	char *line = block, *eq, *nl;

	env->n = 0;
	while (line && env->n < MAX_ENTRIES) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		eq = strchr(line, '=');
		if (eq) {
			env->name[env->n] = line;
			env->namelen[env->n] = (size_t)(eq - line);
			env->value[env->n++] = eq + 1;
		}
		line = nl ? nl + 1 : NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long allowed[2][SHIM_NODE_WORDS];
	static const size_t errlens[2] = {SHIM_ERR_LEN, 9};
	char *block = fuzz_string(data, size);
	struct environment env;
	char err[SHIM_ERR_LEN];
	struct shim_config cfg;
	int rc;

	if (allowed[0][0] == 0)
		check_machines(allowed);
	environment_split(block, &env);
	for (int m = 0; m < 2; m++) {
		rc = shim_settings_parse(&cfg, environment_get, &env,
					 allowed[m], err, errlens[m]);
		check_config(&cfg, rc, err, errlens[m], allowed[m]);
	}
	free(block);
	return 0;
}
