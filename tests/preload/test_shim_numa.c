/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the shim's memory lands, page by page, inside the 4-node VM:
 *   bash scripts/numa-vm --nodes 4 --mem 1G -- env AML_TEST_NUMA_NODES=4 \
 *        meson test -C build-shim --suite numa --no-rebuild -v
 * (the python test needs 256 MiB free on node 2: --mem 1G). Tests run
 * side by side: the preferred test has node 3 to itself, so that nothing
 * spills from it for want of room.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "../common/numa-test.h"

Test(shim_numa, bind_places_every_size_class_and_mmap_on_the_node)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=1",
					  NULL};
	char *argv[] = {PROGRAM("placement"), "all", "2", NULL};

	numa_test_need_nodes(4);
	run_expect_ok(SHIM_PATH, argv, env, "ok");
}

Test(shim_numa, preferred_places_every_size_class_and_mmap_on_the_node)
{
	static const char *const env[] = {"AML_POLICY=preferred", "AML_NODES=3",
					  NULL};
	char *argv[] = {PROGRAM("placement"), "all", "8", NULL};

	numa_test_need_nodes(4);
	run_expect_ok(SHIM_PATH, argv, env, "ok");
}

Test(shim_numa, interleave_keeps_every_page_on_the_node_set)
{
	static const char *const env[] = {"AML_POLICY=interleave",
					  "AML_NODES=0-3", NULL};
	char *argv[] = {PROGRAM("placement"), "all", "f", NULL};

	numa_test_need_nodes(4);
	run_expect_ok(SHIM_PATH, argv, env, "ok");
}

Test(shim_numa, size_rules_send_large_and_small_to_different_nodes)
{
	static const char *const env[] = {"AML_RULES=bind:2:64K-;bind:1:-65535",
					  NULL};
	char *argv[] = {PROGRAM("placement"), "split", "2", "4", "65536", NULL};

	numa_test_need_nodes(4);
	run_expect_ok(SHIM_PATH, argv, env, "ok");
}

Test(shim_numa, size_rules_below_the_thread_cache_limit_are_honoured)
{
	static const char *const env[] = {"AML_RULES=bind:2:1000-;bind:1:-999",
					  NULL};
	char *argv[] = {PROGRAM("placement"), "split", "2", "4", "1000", NULL};

	numa_test_need_nodes(4);
	run_expect_ok(SHIM_PATH, argv, env, "ok");
}

/* Sum the pages per node of the lines of numa_maps bound to node 2. */
static void count_bound_pages(const char *maps, unsigned long *on2,
			      unsigned long *elsewhere)
{
	const char *line = maps;

	*on2 = *elsewhere = 0;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[1024];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		if (strstr(buf, " bind:2") != NULL) {
			for (char *t = strtok(buf, " "); t;
			     t = strtok(NULL, " ")) {
				int node;
				unsigned long pages;

				if (sscanf(t, "N%d=%lu", &node, &pages) != 2)
					continue;
				if (node == 2)
					*on2 += pages;
				else
					*elsewhere += pages;
			}
		}
		line = end ? end + 1 : NULL;
	}
}

Test(shim_numa, python_bytearray_lands_on_the_bound_node, .timeout = 300)
{
	static const char *const env[] = {"AML_POLICY=bind", "AML_NODES=2",
					  NULL};
	char *argv[] = {"/usr/bin/python3", "-c",
			"b = bytearray(256 << 20)\n"
			"for i in range(0, len(b), 4096): b[i] = 1\n"
			"print(open('/proc/self/numa_maps').read())\n",
			NULL};
	struct run_result r;
	unsigned long on2, elsewhere;

	numa_test_need_nodes(4);
	r = run_program(argv, SHIM_PATH, env);
	cr_assert_eq(r.status, 0, "python3 exited %d", r.status);
	count_bound_pages(r.out, &on2, &elsewhere);
	cr_assert_geq(on2, (256UL << 20) / 4096,
		      "%lu pages bound to node 2 are on it", on2);
	cr_assert_eq(elsewhere, 0, "%lu pages bound to node 2 are elsewhere",
		     elsewhere);
	run_result_free(&r);
}

/* ------------------------------------------------------------------------
 * The report tells where memory freed before exit was (scripts/demo)
 */

#define NODES 4

/* "nodeN=count" after key (e.g. "; released pages:") of text, per node. */
static void report_field(const char *text, const char *key, long *counts)
{
	const char *at = strstr(text, key);
	char node[16];

	cr_assert_not_null(at, "no '%s' in the report:\n%s", key, text);
	for (int n = 0; n < NODES; n++) {
		const char *v;

		snprintf(node, sizeof(node), " node%d=", n);
		v = strstr(at, node);
		cr_assert_not_null(v, "no %s after '%s' in %s", node, key, at);
		counts[n] = atol(v + strlen(node));
	}
}

Test(shim_numa, report_shows_a_freed_interleaved_python_buffer_evenly,
     .timeout = 300)
{
	char aml_run[512], report_opt[96], report[64], text[8192];
	char *argv[] = {aml_run,
			"--interleave=all",
			report_opt,
			"--",
			"/usr/bin/python3",
			"-c",
			"b = bytearray(b'x') * (256 << 20)",
			NULL};
	const char *build = getenv("AML_TEST_BUILD_ROOT");
	long resident[NODES], released[NODES], total = 0;
	struct run_result r;
	FILE *f;
	size_t n;

	numa_test_need_nodes(NODES);
	cr_assert_not_null(build, "AML_TEST_BUILD_ROOT is not set");
	snprintf(aml_run, sizeof(aml_run), "%s/preload/aml-run", build);
	snprintf(report, sizeof(report), "/tmp/aml-demo-%d", (int)getpid());
	snprintf(report_opt, sizeof(report_opt), "--report=%s", report);
	unlink(report);
	r = run_program(argv, NULL, NULL);
	cr_assert_eq(r.status, 0, "aml-run python3 exited %d", r.status);
	run_result_free(&r);
	f = fopen(report, "r");
	cr_assert_not_null(f, "no report in %s", report);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	unlink(report);
	report_field(text, "; resident pages:", resident);
	report_field(text, "; released pages:", released);
	for (int node = 0; node < NODES; node++)
		total += resident[node] + released[node];
	cr_assert_geq(total, (256L << 20) / 4096, "%ld pages in all: %s", total,
		      text);
	/* Interleave with transparent huge pages goes 2 MiB at a time. */
	for (int node = 0; node < NODES; node++) {
		long seen = resident[node] + released[node];

		cr_assert(labs(seen - total / NODES) <= total / NODES / 4,
			  "node%d: %ld of %ld pages: %s", node, seen, total,
			  text);
	}
}
