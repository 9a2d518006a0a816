/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every entry of the bad-input table run for real: a program under the
 * shim gets exactly the table's message on stderr and runs on with default
 * placement (or, where the table accepts the value, as configured); with
 * AML_STRICT=1 it stops with status 1 after the same message. The table's
 * Markdown version, docs/bad-inputs.md, must match the table.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bad-inputs.h"
#include "run.h"

#define PREFIX "aml-preload: "
#define RUNS_ON "; running with default placement\n"
#define STRICT_EXIT PREFIX "invalid configuration in strict mode: exiting\n"

static char workdir[64];

static void workdir_make(void)
{
	snprintf(workdir, sizeof(workdir), "/tmp/aml-bad-inputs-XXXXXX");
	cr_assert_not_null(mkdtemp(workdir));
}

static void workdir_remove(void)
{
	char cmd[128], out[4096];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
}

/* The process's allowed nodes, as the shim's messages list them. */
static void allowed_nodes(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[4096];

	buf[0] = '\0';
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Mems_allowed_list: %255s", buf) == 1)
			break;
	fclose(f);
	cr_assert_neq(buf[0], '\0', "no Mems_allowed_list");
	(void)len;
}

/* The entry's message with {allowed} filled in. */
static void expected_message(const struct bad_input *b, char *out, size_t len)
{
	const char *at = strstr(b->message, "{allowed}");
	char nodes[256];

	if (!at) {
		snprintf(out, len, "%s", b->message);
		return;
	}
	allowed_nodes(nodes, sizeof(nodes));
	snprintf(out, len, "%.*s%s%s", (int)(at - b->message), b->message,
		 nodes, at + strlen("{allowed}"));
}

/* The environment of an entry: its variable, AML_LOG=warn unless the
 * entry is about AML_LOG, bind to node 0 beside anything but AML_RULES,
 * and AML_STRICT=1 when strict. */
static void entry_env(const struct bad_input *b, int strict, char store[][400],
		      const char *env[])
{
	int n = 0;

	snprintf(store[0], 400, "%s=%s", b->variable, b->value);
	env[n++] = store[0];
	if (strcmp(b->variable, "AML_LOG") != 0)
		env[n++] = "AML_LOG=warn";
	if (strcmp(b->variable, "AML_RULES") != 0) {
		if (strcmp(b->variable, "AML_POLICY") != 0)
			env[n++] = "AML_POLICY=bind";
		if (strcmp(b->variable, "AML_NODES") != 0)
			env[n++] = "AML_NODES=0";
	}
	if (strict && strcmp(b->variable, "AML_STRICT") != 0)
		env[n++] = "AML_STRICT=1";
	env[n] = NULL;
}

static struct run_result entry_run(const struct bad_input *b, int strict)
{
	char store[1][400];
	const char *env[8];
	char *argv[] = {PROGRAM("env_probe"), NULL};
	struct run_opts o = {
		.argv = argv, .env = env, .preload = SHIM_PATH, .cwd = workdir};

	entry_env(b, strict, store, env);
	return run_with(&o);
}

static void expect_runs(const struct bad_input *b, const char *want_err)
{
	struct run_result r = entry_run(b, 0);
	char want_out[128];

	/* Anonymous mmaps follow the same rule as the heap block. */
	snprintf(want_out, sizeof(want_out),
		 "ok heap=%s mmap=%s secure=0 shim=1\n", b->heap, b->heap);
	cr_expect_eq(r.status, 0, "%s=\"%s\": exit %d", b->variable, b->value,
		     r.status);
	cr_expect_str_eq(r.err, want_err, "%s=\"%s\"", b->variable, b->value);
	cr_expect_str_eq(r.out, want_out, "%s=\"%s\"", b->variable, b->value);
	run_result_free(&r);
}

static void expect_stops(const struct bad_input *b, const char *message)
{
	struct run_result r = entry_run(b, 1);
	char want[1024];

	snprintf(want, sizeof(want), PREFIX "%s\n" STRICT_EXIT, message);
	cr_expect_eq(r.status, 1, "%s=\"%s\" strict: exit %d", b->variable,
		     b->value, r.status);
	cr_expect_str_eq(r.err, want, "%s=\"%s\" strict", b->variable,
			 b->value);
	cr_expect_str_eq(r.out, "", "%s=\"%s\" strict: the program ran",
			 b->variable, b->value);
	run_result_free(&r);
}

static void expect_entry(const struct bad_input *b)
{
	char message[1024], want_err[1100];

	if (b->message == NULL) {
		expect_runs(b, "");
		return;
	}
	expected_message(b, message, sizeof(message));
	if (b->heap == NULL) { /* strict by itself */
		expect_stops(b, message);
		return;
	}
	snprintf(want_err, sizeof(want_err), PREFIX "%s" RUNS_ON, message);
	expect_runs(b, want_err);
	if (strcmp(b->variable, "AML_STRICT") != 0)
		expect_stops(b, message);
}

static void expect_variable(const char *variable)
{
	int seen = 0;

	workdir_make();
	for (size_t i = 0; i < BAD_INPUTS_COUNT; i++)
		if (strcmp(bad_inputs[i].variable, variable) == 0) {
			expect_entry(&bad_inputs[i]);
			seen++;
		}
	workdir_remove();
	cr_assert_geq(seen, 7, "%s has %d entries", variable, seen);
}

TestSuite(bad_inputs, .timeout = 120);

Test(bad_inputs, each_bad_policy_gives_its_message_and_default_placement)
{
	expect_variable("AML_POLICY");
}

Test(bad_inputs, each_bad_node_list_gives_its_message_and_default_placement)
{
	expect_variable("AML_NODES");
}

Test(bad_inputs, each_bad_size_gives_its_message_and_default_placement)
{
	expect_variable("AML_SIZE");
}

Test(bad_inputs, each_bad_rule_list_gives_its_message_and_default_placement)
{
	expect_variable("AML_RULES");
}

Test(bad_inputs, each_bad_mmap_switch_gives_its_message_and_default_placement)
{
	expect_variable("AML_MMAP");
}

Test(bad_inputs, each_bad_report_gives_its_message_and_default_placement)
{
	expect_variable("AML_REPORT");
}

Test(bad_inputs, each_bad_log_level_gives_its_message_and_default_placement)
{
	expect_variable("AML_LOG");
}

Test(bad_inputs, each_bad_strict_switch_gives_its_message_and_stops)
{
	expect_variable("AML_STRICT");
}

/* ------------------------------------------------------------------------
 * docs/bad-inputs.md
 */

/* A table cell: the text in backquotes, '|' escaped, empty as (empty). */
static void doc_cell(FILE *f, const char *text)
{
	if (text[0] == '\0') {
		fputs("(empty)", f);
		return;
	}
	fputc('`', f);
	for (; *text; text++) {
		if (*text == '|')
			fputc('\\', f);
		fputc(*text, f);
	}
	fputc('`', f);
}

static void doc_value(FILE *f, const struct bad_input *b)
{
	if (strlen(b->value) > 64) {
		fprintf(f, "%zu × `x`", strlen(b->value));
		return;
	}
	doc_cell(f, b->value);
}

static void doc_outcome(FILE *f, const struct bad_input *b)
{
	if (b->message == NULL)
		fprintf(f, "accepted, runs (%s placement)", b->heap);
	else if (b->heap == NULL)
		fputs("stops, exit 1", f);
	else
		fputs("warns, runs (default placement)", f);
}

/* Programs and launches the shim or aml-run meet (not settings): each row
 * is checked by the test named in it. */
static const char *const doc_programs[][3] = {
	{"a program linked with jemalloc calls `sdallocx`, `rallocx`, "
	 "`xallocx` or `sallocx` on memory from `malloc`, or gives `mallocx` "
	 "memory to `free`",
	 "served by the shim's heap, placed by the rules (ARENA/TCACHE flags "
	 "ignored)",
	 "`preload_interpose`"},
	{"`mallctl` of an entry the shim does not answer (`arenas.create`, "
	 "`thread.arena`, hooks, `prof.*`)",
	 "`ENOENT` (`EPERM` for a write to a read-only entry)",
	 "`preload_interpose`"},
	{"a program built with mimalloc, tcmalloc (or TBB's malloc proxy, "
	 "rpmalloc, Hoard) mixes its API with glibc's",
	 "one line `aml-preload: mimalloc found (mi_malloc in PATH): the "
	 "program has its own allocator; ...`; the malloc family goes to the "
	 "next definition, anonymous mmap stays placed",
	 "`preload_interpose`"},
	{"a statically linked program under `aml-run`, one rule for all sizes",
	 "placed as a whole with the process memory policy; one line `aml-run: "
	 "PROG is statically linked: ...`; no report",
	 "`preload_aml_run_static` (pages: `preload_aml_run_static_numa`)"},
	{"a statically linked program under `aml-run`, per-size rules",
	 "default placement; one line saying per-size rules cannot apply and "
	 "no report will be written",
	 "`preload_aml_run_static`"},
	{"a data file the program puts on descriptor 200 (`dup2`) or 3 (also "
	 "under `ulimit -n 64`)",
	 "nothing of the shim's in it: the shim keeps no descriptor of its "
	 "own",
	 "`preload_messages`"},
	{"started with standard error closed (`prog 2>&-`); the program's "
	 "first `open()` takes descriptor 2",
	 "the shim's messages and report to stderr are dropped (descriptor 2 "
	 "is not the standard error of start-up)",
	 "`preload_messages`"},
	{"standard error on a pipe whose reader is gone (an invalid setting, "
	 "the report)",
	 "no SIGPIPE: the lines are lost, the program's exit status is its own",
	 "`preload_messages`"},
	{"a report file that cannot be written (`AML_REPORT=/dev/full`)",
	 "one line `aml-preload: cannot write to descriptor N (errno E): "
	 "output "
	 "lost` on standard error",
	 "`preload_messages`"},
	{"a private file mapped with `MAP_FIXED` (or moved with `mremap` "
	 "`MREMAP_FIXED`) over part of a routed mapping",
	 "those pages leave the rule: the report no longer counts them",
	 "`preload_mmap_fixed`"},
	{"`--report=FILE` relative, the program changes directory",
	 "`aml-run` makes it absolute before `exec`; longer than 255 bytes "
	 "then: status 2 and one line",
	 "`preload_aml_run`"},
};

static void doc_write_programs(FILE *f)
{
	fputs("\n## Programs and launches\n\n"
	      "Not settings, but programs the shim and `aml-run` meet; each "
	      "row "
	      "is checked by\nthe test named (see "
	      "[shim-config.md](shim-config.md)).\n\n"
	      "| input | outcome | test |\n|---|---|---|\n",
	      f);
	for (size_t i = 0; i < sizeof(doc_programs) / sizeof(doc_programs[0]);
	     i++)
		fprintf(f, "| %s | %s | %s |\n", doc_programs[i][0],
			doc_programs[i][1], doc_programs[i][2]);
}

static void doc_write(FILE *f)
{
	fputs("# Bad inputs of the preload shim\n\n"
	      "<!-- Generated from tests/stress/bad-inputs.h by "
	      "tests/stress/bad_inputs.c;\n"
	      "     regenerate: cp <build>/tests/stress/bad-inputs.md "
	      "docs/bad-inputs.md -->\n\n"
	      "Each setting of the shim (see [shim-config.md](shim-config.md))"
	      " with an empty,\ngarbage, overflowing, negative, huge, "
	      "unknown-node and duplicated value, and\nthe exact message it "
	      "gives. Every row is run by the stress suite: a program\nunder "
	      "the shim with `AML_LOG=warn` (and `AML_POLICY=bind "
	      "AML_NODES=0` beside\nany variable but `AML_RULES`) must print "
	      "exactly\n\n"
	      "    aml-preload: MESSAGE; running with default placement\n\n"
	      "on its standard error and run on, its 8 MiB heap block and its "
	      "anonymous\nmmap on default placement; and with `AML_STRICT=1` "
	      "it must print\n\n"
	      "    aml-preload: MESSAGE\n"
	      "    aml-preload: invalid configuration in strict mode: exiting\n"
	      "\nand exit with status 1 before `main`. Rows without a message "
	      "are accepted on\npurpose: no message, the placement shown. "
	      "`{allowed}` stands for the process's\nallowed nodes "
	      "(`Mems_allowed_list`). Only the first bad setting is "
	      "reported.\n\n"
	      "Reproduce: `meson test -C build --suite unit "
	      "stress_bad_inputs -v`.\n\n",
	      f);
	fprintf(f, "%zu inputs.\n\n", BAD_INPUTS_COUNT);
	fputs("| variable | kind | value | message | outcome | note |\n"
	      "|---|---|---|---|---|---|\n",
	      f);
	for (size_t i = 0; i < BAD_INPUTS_COUNT; i++) {
		const struct bad_input *b = &bad_inputs[i];

		fprintf(f, "| `%s` | %s | ", b->variable, b->kind);
		doc_value(f, b);
		fputs(" | ", f);
		if (b->message)
			doc_cell(f, b->message);
		else
			fputs("—", f);
		fputs(" | ", f);
		doc_outcome(f, b);
		fprintf(f, " | %s |\n", b->note ? b->note : "");
	}
	doc_write_programs(f);
}

static char *file_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	if (fread(text, 1, (size_t)len, f) != (size_t)len)
		text[0] = '\0';
	fclose(f);
	return text;
}

Test(bad_inputs, the_doc_is_the_table)
{
	FILE *f = fopen(GENERATED_DOC, "w");
	char *want, *have;

	cr_assert_not_null(f, "cannot write " GENERATED_DOC);
	doc_write(f);
	fclose(f);
	want = file_read(GENERATED_DOC);
	have = file_read(SOURCE_ROOT "/docs/bad-inputs.md");
	cr_assert_not_null(have,
			   "docs/bad-inputs.md is missing; cp " GENERATED_DOC
			   " docs/bad-inputs.md");
	cr_assert_str_eq(have, want,
			 "docs/bad-inputs.md is out of date; cp " GENERATED_DOC
			 " docs/bad-inputs.md");
	free(want);
	free(have);
}
