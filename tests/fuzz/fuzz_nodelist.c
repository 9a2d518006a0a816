/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shim_parse_nodelist against three allowed sets (a 4-node machine seen
 * through one word, a sparse one, all 1024 nodes) and three error buffer
 * sizes. A list that parses selects allowed nodes only, at least one, and
 * reads back the same from its formatted text; a refused one leaves an
 * empty mask and a message that stays inside its buffer.
 */
#include <stdint.h>

#include "fuzz.h"
#include "settings.h"

#define WORD_BITS (8 * sizeof(unsigned long))
#define GUARD 0x5a

struct machine {
	size_t nwords;
	size_t errlen;
	unsigned long allowed[SHIM_NODE_WORDS];
};

static struct machine machines[3];

static void allow(struct machine *m, size_t node)
{
	m->allowed[node / WORD_BITS] |= 1UL << (node % WORD_BITS);
}

static void machines_init(void)
{
	size_t i;

	machines[0] = (struct machine){.nwords = 1, .errlen = SHIM_ERR_LEN};
	for (i = 0; i < 4; i++)
		allow(&machines[0], i);
	machines[1] = (struct machine){.nwords = SHIM_NODE_WORDS, .errlen = 13};
	allow(&machines[1], 0);
	allow(&machines[1], 2);
	allow(&machines[1], 5);
	for (i = 64; i <= 70; i++)
		allow(&machines[1], i);
	allow(&machines[1], SHIM_MAX_NODES - 1);
	machines[2] = (struct machine){.nwords = SHIM_NODE_WORDS, .errlen = 1};
	for (i = 0; i < SHIM_MAX_NODES; i++)
		allow(&machines[2], i);
}

static int mask_is_empty(const unsigned long *mask, size_t nwords)
{
	for (size_t i = 0; i < nwords; i++)
		if (mask[i])
			return 0;
	return 1;
}

static int mask_within(const unsigned long *mask, const unsigned long *allowed,
		       size_t nwords)
{
	for (size_t i = 0; i < nwords; i++)
		if (mask[i] & ~allowed[i])
			return 0;
	return 1;
}

/* "bind nodes 0-3,5 sizes all" → the node list "0-3,5", parsed again. */
static void check_round_trip(const struct machine *m, const unsigned long *mask)
{
	static char text[16384];
	struct shim_rule rule = {.policy = AML_AREA_LINUX_POLICY_BIND,
				 .max_size = SIZE_MAX};
	unsigned long again[SHIM_NODE_WORDS];
	char err[SHIM_ERR_LEN];
	const char *prefix = "bind nodes ";
	char *end;
	size_t len;

	memcpy(rule.nodes.mask, mask, m->nwords * sizeof(*mask));
	len = shim_rule_format(&rule, text, sizeof(text));
	fuzz_require(len < sizeof(text));
	fuzz_require(!strncmp(text, prefix, strlen(prefix)));
	end = strstr(text, " sizes ");
	fuzz_require(end != NULL);
	*end = '\0';
	fuzz_require(shim_parse_nodelist(text + strlen(prefix), again,
					 m->nwords, m->allowed, err,
					 sizeof(err)) == 0);
	fuzz_require(!memcmp(again, mask, m->nwords * sizeof(*mask)));
}

static void check_one(const struct machine *m, const char *s)
{
	unsigned long mask[SHIM_NODE_WORDS + 1];
	char err[SHIM_ERR_LEN + 16];
	size_t i;

	memset(err, GUARD, sizeof(err));
	memset(mask, 0xff, sizeof(mask));
	if (shim_parse_nodelist(s, mask, m->nwords, m->allowed, err,
				m->errlen) == 0) {
		fuzz_require(!mask_is_empty(mask, m->nwords));
		fuzz_require(mask_within(mask, m->allowed, m->nwords));
		check_round_trip(m, mask);
	} else {
		fuzz_require(mask_is_empty(mask, m->nwords));
		fuzz_require(m->errlen < 2 || err[0] != '\0');
	}
	/* The parser writes only nwords words and errlen bytes. */
	fuzz_require(mask[m->nwords] == ~0UL);
	fuzz_require(fuzz_is_terminated(err, m->errlen));
	for (i = m->errlen; i < sizeof(err); i++)
		fuzz_require((unsigned char)err[i] == GUARD);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);

	if (machines[0].nwords == 0)
		machines_init();
	for (size_t i = 0; i < 3; i++)
		check_one(&machines[i], s);
	free(s);
	return 0;
}
