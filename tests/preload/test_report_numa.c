/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exit report tells the truth (suite 'numa', 4 nodes): a program run
 * with aml-run --interleave=0-3 --rest=none --report fills 64 MiB (the
 * rest of the process left alone, so that only the rule's mappings show
 * interleave:0-3 in numa_maps), copies its own
 * /proc/self/numa_maps, and exits; the per-node resident pages of the
 * report's rule (resident and metadata) must match the sums over the
 * interleave:0-3 mappings of that copy.
 *
 * The program is this test binary itself: with AML_REPORT_HELPER set, a
 * constructor does the work and exits before Criterion starts.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

#define NODES 4
#define FILL (64UL << 20)
/* Pages the exit path may touch between the copy and the report. */
#define SLACK 32

/* ------------------------------------------------------------------------
 * The program under the shim
 */

static void copy_file(const char *from, const char *to)
{
	char buf[4096];
	ssize_t n;
	int in = open(from, O_RDONLY), out;

	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0)
		exit(3);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			exit(3);
	close(in);
	close(out);
}

__attribute__((constructor)) static void report_helper(void)
{
	const char *maps = getenv("AML_REPORT_HELPER");
	char *fill;

	if (maps == NULL)
		return;
	fill = malloc(FILL);
	if (fill == NULL)
		exit(4);
	memset(fill, 1, FILL);
	/* The compiler must not drop the fill. */
	__asm__ volatile("" : : "r"(fill) : "memory");
	copy_file("/proc/self/numa_maps", maps);
	exit(fill[FILL / 2] == 1 ? 0 : 5);
}

/* ------------------------------------------------------------------------
 * The test
 */

static void need_nodes(void)
{
	const char *want = getenv("AML_TEST_NUMA_NODES");
	int have = 0;
	char path[64];

	for (int n = 0; n < NODES; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d",
			 n);
		have += access(path, F_OK) == 0;
	}
	if (have >= NODES)
		return;
	if (want)
		cr_assert_fail(
			"AML_TEST_NUMA_NODES=%s but node0-%d are not all "
			"there",
			want, NODES - 1);
	cr_skip_test("needs %d NUMA nodes; runs inside scripts/numa-vm", NODES);
}

static char *slurp(const char *path)
{
	static char text[1 << 20];
	size_t n;
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "no %s", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* Pages per node over the mappings whose policy is interleave:0-3. */
static void maps_counts(char *maps, long *counts)
{
	char *line, *save, *field, *fsave;

	for (line = strtok_r(maps, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, " interleave:0-3 "))
			continue;
		for (field = strtok_r(line, " ", &fsave); field;
		     field = strtok_r(NULL, " ", &fsave)) {
			int node;
			long pages;

			if (sscanf(field, "N%d=%ld", &node, &pages) == 2 &&
			    node >= 0 && node < NODES)
				counts[node] += pages;
		}
	}
}

/* "nodeN=count" of the report's rule 0 line: its resident pages plus the
 * allocator's metadata pages (mapped from the rule's area too). */
static void report_counts(const char *report, long *counts)
{
	const char *line = strstr(report, "aml: rule 0 interleave nodes 0-3 ");
	const char *meta, *end;
	char key[16];

	cr_assert_not_null(line, "no rule 0 in the report:\n%s", report);
	meta = strstr(line, "; allocator metadata pages:");
	end = strchr(line, '\n');
	cr_assert(meta && meta < end, "no metadata in %s", line);
	for (int n = 0; n < NODES; n++) {
		const char *at;

		snprintf(key, sizeof(key), " node%d=", n);
		at = strstr(line, key);
		cr_assert_not_null(at, "no %s in %s", key, line);
		counts[n] = atol(at + strlen(key));
		at = strstr(meta, key);
		if (at && at < end)
			counts[n] += atol(at + strlen(key));
	}
}

Test(report_numa, resident_pages_per_node_match_numa_maps, .timeout = 120)
{
	char dir[1024], cmd[4096], exe[1024], maps[1100], report[1100];
	char out[4096];
	long from_maps[NODES] = {0}, from_report[NODES] = {0};
	const char *build = getenv("AML_TEST_BUILD_ROOT");
	ssize_t n;
	int status;

	need_nodes();
	cr_assert_not_null(build, "AML_TEST_BUILD_ROOT is not set");
	snprintf(dir, sizeof(dir), "%s/test-reports/report-numa-XXXXXX", build);
	cr_assert_not_null(mkdtemp(dir));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cr_assert_gt(n, 0);
	exe[n] = '\0';
	snprintf(maps, sizeof(maps), "%s/numa_maps", dir);
	snprintf(report, sizeof(report), "%s/report", dir);
	snprintf(cmd, sizeof(cmd),
		 "AML_REPORT_HELPER=%s %s/preload/aml-run --interleave=0-3 "
		 "--rest=none --report=%s -- %s",
		 maps, build, report, exe);
	status = run_shell(cmd, out, sizeof(out));
	cr_assert_eq(status, 0, "%s: status %d\n%s", cmd, status, out);

	report_counts(slurp(report), from_report);
	maps_counts(slurp(maps), from_maps);
	for (int node = 0; node < NODES; node++) {
		cr_log_info("node%d: report %ld, numa_maps %ld", node,
			    from_report[node], from_maps[node]);
		/* A quarter of the fill each, give or take. */
		cr_assert_gt(from_maps[node], (long)(FILL / 4096 / NODES / 2),
			     "node%d holds %ld pages", node, from_maps[node]);
		cr_assert_leq(labs(from_report[node] - from_maps[node]), SLACK,
			      "node%d: report %ld, numa_maps %ld", node,
			      from_report[node], from_maps[node]);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
}
