/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bad-input table: each setting of the shim with empty, garbage,
 * overflowing, negative, huge, unknown-node and duplicated values, and the
 * exact message each gives ("aml-preload: MESSAGE; running with default
 * placement" on stderr, or in strict mode "aml-preload: MESSAGE" then the
 * strict line and exit status 1). A NULL message: accepted on purpose.
 * {allowed} stands for the process's allowed nodes (Mems_allowed_list).
 * docs/bad-inputs.md is generated from this table.
 */
#ifndef AML_TESTS_BAD_INPUTS_H
#define AML_TESTS_BAD_INPUTS_H

#define X10 "xxxxxxxxxx"
#define X64 X10 X10 X10 X10 X10 X10 "xxxx"
#define X260 X64 X64 X64 X64 "xxxx"

struct bad_input {
	const char *variable;
	const char *kind;
	const char *value;
	const char *message; /* NULL: accepted */
	const char *heap;    /* policy of an 8 MiB block then */
	const char *note;    /* for the doc; may be NULL */
};

/* AML_POLICY=bind AML_NODES=0 (minus the variable under test) stand beside
 * each entry but AML_RULES ones, so a value that is ignored shows up as
 * "default" placement instead of "bind". */
static const struct bad_input bad_inputs[] = {
	{"AML_POLICY", "empty", "", "AML_POLICY=\"\": empty value", "default",
	 NULL},
	{"AML_POLICY", "garbage", "garbage",
	 "AML_POLICY=\"garbage\": unknown policy \"garbage\" (use bind, "
	 "preferred, interleave, weighted or default)",
	 "default", NULL},
	{"AML_POLICY", "overflow", "99999999999999999999999",
	 "AML_POLICY=\"99999999999999999999999\": unknown policy "
	 "\"99999999999999999999999\" (use bind, preferred, interleave, "
	 "weighted or "
	 "default)",
	 "default", NULL},
	{"AML_POLICY", "negative", "-1",
	 "AML_POLICY=\"-1\": unknown policy \"-1\" (use bind, preferred, "
	 "interleave, weighted or default)",
	 "default", NULL},
	{"AML_POLICY", "huge", "18446744073709551615",
	 "AML_POLICY=\"18446744073709551615\": unknown policy "
	 "\"18446744073709551615\" (use bind, preferred, interleave, weighted "
	 "or "
	 "default)",
	 "default", NULL},
	{"AML_POLICY", "unknown node", "1000",
	 "AML_POLICY=\"1000\": unknown policy \"1000\" (use bind, preferred, "
	 "interleave, weighted or default)",
	 "default", "a node where a policy goes"},
	{"AML_POLICY", "duplicated", "bind,bind",
	 "AML_POLICY=\"bind,bind\": unknown policy \"bind,bind\" (use bind, "
	 "preferred, interleave, weighted or default)",
	 "default", NULL},

	{"AML_NODES", "empty", "", "AML_NODES=\"\": empty value", "default",
	 NULL},
	{"AML_NODES", "garbage", "garbage",
	 "AML_NODES=\"garbage\": expected a node number, found \"garbage\"",
	 "default", NULL},
	{"AML_NODES", "overflow", "99999999999999999999999",
	 "AML_NODES=\"99999999999999999999999\": node "
	 "99999999999999999999999 does not exist (allowed nodes: {allowed})",
	 "default", NULL},
	{"AML_NODES", "negative", "-1",
	 "AML_NODES=\"-1\": expected a node number, found \"-1\"", "default",
	 NULL},
	{"AML_NODES", "huge", "18446744073709551615",
	 "AML_NODES=\"18446744073709551615\": node 18446744073709551615 does "
	 "not exist (allowed nodes: {allowed})",
	 "default", NULL},
	{"AML_NODES", "unknown node", "1000",
	 "AML_NODES=\"1000\": node 1000 does not exist (allowed nodes: "
	 "{allowed})",
	 "default", NULL},
	{"AML_NODES", "duplicated", "0,0", NULL, "bind",
	 "accepted: the same node twice is node 0"},

	{"AML_SIZE", "empty", "", "AML_SIZE=\"\": empty value", "default",
	 NULL},
	{"AML_SIZE", "garbage", "garbage",
	 "AML_SIZE=\"garbage\": bad size \"garbage\" (a number of bytes with "
	 "an optional K, M or G)",
	 "default", NULL},
	{"AML_SIZE", "overflow", "99999999999999999999999",
	 "AML_SIZE=\"99999999999999999999999\": size "
	 "\"99999999999999999999999\" is too large",
	 "default", NULL},
	{"AML_SIZE", "negative", "-1",
	 "AML_SIZE=\"-1\": bad size \"-1\" (a number of bytes with an "
	 "optional K, M or G)",
	 "default", NULL},
	{"AML_SIZE", "huge", "16777216T",
	 "AML_SIZE=\"16777216T\": size \"16777216T\" is too large", "default",
	 "2^64 bytes through the suffix"},
	{"AML_SIZE", "huge", "1T", NULL, "default",
	 "accepted: 1 TiB and more, so the 8 MiB block is not placed"},
	{"AML_SIZE", "unknown node", "1000", NULL, "bind",
	 "accepted: 1000 bytes and more"},
	{"AML_SIZE", "duplicated", "1K:2K:3K",
	 "AML_SIZE=\"1K:2K:3K\": bad size \"2K:3K\" (a number of bytes with "
	 "an optional K, M or G)",
	 "default", NULL},
	{"AML_SIZE", "reversed", "2K:1K",
	 "AML_SIZE=\"2K:1K\": minimum \"2K\" is above maximum \"1K\"",
	 "default", NULL},

	{"AML_RULES", "empty", "", "AML_RULES=\"\": empty value", "default",
	 NULL},
	{"AML_RULES", "garbage", "garbage",
	 "AML_RULES=\"garbage\": rule 0 \"garbage\": unknown policy "
	 "\"garbage\" (use bind, preferred, interleave, weighted or default)",
	 "default", NULL},
	{"AML_RULES", "overflow", "bind:0:99999999999999999999999-",
	 "AML_RULES=\"bind:0:99999999999999999999999-\": rule 0 "
	 "\"bind:0:99999999999999999999999-\": size "
	 "\"99999999999999999999999\" is too large",
	 "default", NULL},
	{"AML_RULES", "overflow",
	 "bind;bind;bind;bind;bind;bind;bind;bind;bind",
	 "AML_RULES=\"bind;bind;bind;bind;bind;bind;bind;bind;bind\": more "
	 "than 8 rules",
	 "default", "nine rules"},
	{"AML_RULES", "negative", "bind:-1",
	 "AML_RULES=\"bind:-1\": rule 0 \"bind:-1\": expected a node number, "
	 "found \"-1\"",
	 "default", NULL},
	{"AML_RULES", "negative", "bind:0:-1-",
	 "AML_RULES=\"bind:0:-1-\": rule 0 \"bind:0:-1-\": bad size \"1-\" "
	 "(a number of bytes with an optional K, M or G)",
	 "default", "the message quotes what follows the first '-'"},
	{"AML_RULES", "huge", "bind:0:16777216T-",
	 "AML_RULES=\"bind:0:16777216T-\": rule 0 \"bind:0:16777216T-\": "
	 "size \"16777216T\" is too large",
	 "default", NULL},
	{"AML_RULES", "unknown node", "bind:1000",
	 "AML_RULES=\"bind:1000\": rule 0 \"bind:1000\": node 1000 does not "
	 "exist (allowed nodes: {allowed})",
	 "default", NULL},
	{"AML_RULES", "duplicated", "bind:0;;bind:0",
	 "AML_RULES=\"bind:0;;bind:0\": rule 1 \"\": empty rule", "default",
	 NULL},
	{"AML_RULES", "duplicated", "bind:0;bind:0", NULL, "bind",
	 "accepted: the first rule wins, the second never matches"},

	{"AML_MMAP", "empty", "", "AML_MMAP=\"\": empty value", "default",
	 NULL},
	{"AML_MMAP", "garbage", "garbage",
	 "AML_MMAP=\"garbage\": not a boolean (use 1 or 0)", "default", NULL},
	{"AML_MMAP", "overflow", "99999999999999999999999",
	 "AML_MMAP=\"99999999999999999999999\": not a boolean (use 1 or 0)",
	 "default", NULL},
	{"AML_MMAP", "negative", "-1",
	 "AML_MMAP=\"-1\": not a boolean (use 1 or 0)", "default", NULL},
	{"AML_MMAP", "huge", "18446744073709551615",
	 "AML_MMAP=\"18446744073709551615\": not a boolean (use 1 or 0)",
	 "default", NULL},
	{"AML_MMAP", "unknown node", "1000",
	 "AML_MMAP=\"1000\": not a boolean (use 1 or 0)", "default", NULL},
	{"AML_MMAP", "duplicated", "1,1",
	 "AML_MMAP=\"1,1\": not a boolean (use 1 or 0)", "default", NULL},

	{"AML_REPORT", "empty", "", "AML_REPORT=\"\": empty value", "default",
	 NULL},
	{"AML_REPORT", "garbage", "garbage", NULL, "bind",
	 "accepted: a file name (the report goes to ./garbage)"},
	{"AML_REPORT", "overflow", X260,
	 "AML_REPORT=\"" X64 "...\": report path too long (at most 255 "
	 "bytes)",
	 "default", "a 260-byte path; the message cuts it at 64"},
	{"AML_REPORT", "negative", "-1", NULL, "bind",
	 "accepted: a file name (./-1)"},
	{"AML_REPORT", "huge", "%q",
	 "AML_REPORT=\"%q\": unknown escape \"%q\" (use %p for the process "
	 "id, %% for %)",
	 "default", "an unknown escape"},
	{"AML_REPORT", "unknown node", "1000", NULL, "bind",
	 "accepted: a file name (./1000)"},
	{"AML_REPORT", "duplicated", "%p%p", NULL, "bind",
	 "accepted: the process id twice in the file name"},

	{"AML_LOG", "empty", "", "AML_LOG=\"\": empty value", "default", NULL},
	{"AML_LOG", "garbage", "garbage",
	 "AML_LOG=\"garbage\": unknown log level (use quiet, warn, info, "
	 "debug or 0-3)",
	 "default", NULL},
	{"AML_LOG", "overflow", "99999999999999999999999",
	 "AML_LOG=\"99999999999999999999999\": unknown log level (use quiet, "
	 "warn, info, debug or 0-3)",
	 "default", NULL},
	{"AML_LOG", "negative", "-1",
	 "AML_LOG=\"-1\": unknown log level (use quiet, warn, info, debug or "
	 "0-3)",
	 "default", NULL},
	{"AML_LOG", "huge", "4",
	 "AML_LOG=\"4\": unknown log level (use quiet, warn, info, debug or "
	 "0-3)",
	 "default", "one above debug"},
	{"AML_LOG", "unknown node", "1000",
	 "AML_LOG=\"1000\": unknown log level (use quiet, warn, info, debug "
	 "or 0-3)",
	 "default", NULL},
	{"AML_LOG", "duplicated", "warn,warn",
	 "AML_LOG=\"warn,warn\": unknown log level (use quiet, warn, info, "
	 "debug or 0-3)",
	 "default", NULL},

	{"AML_STRICT", "empty", "", "AML_STRICT=\"\": empty value", NULL,
	 "counts as strict: the program stops"},
	{"AML_STRICT", "garbage", "garbage",
	 "AML_STRICT=\"garbage\": not a boolean (use 1 or 0)", NULL,
	 "counts as strict: the program stops"},
	{"AML_STRICT", "overflow", "99999999999999999999999",
	 "AML_STRICT=\"99999999999999999999999\": not a boolean (use 1 or 0)",
	 NULL, "counts as strict"},
	{"AML_STRICT", "negative", "-1",
	 "AML_STRICT=\"-1\": not a boolean (use 1 or 0)", NULL,
	 "counts as strict"},
	{"AML_STRICT", "huge", "18446744073709551615",
	 "AML_STRICT=\"18446744073709551615\": not a boolean (use 1 or 0)",
	 NULL, "counts as strict"},
	{"AML_STRICT", "unknown node", "1000",
	 "AML_STRICT=\"1000\": not a boolean (use 1 or 0)", NULL,
	 "counts as strict"},
	{"AML_STRICT", "duplicated", "1,1",
	 "AML_STRICT=\"1,1\": not a boolean (use 1 or 0)", NULL,
	 "counts as strict"},
};

#define BAD_INPUTS_COUNT (sizeof(bad_inputs) / sizeof(bad_inputs[0]))

#endif /* AML_TESTS_BAD_INPUTS_H */
