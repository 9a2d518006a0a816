/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A private file mapped with MAP_FIXED (or moved with mremap
 * MREMAP_FIXED) over part of a routed mapping is no longer the rule's
 * (preload/mmap.c): the report's resident pages of the rule drop by the
 * pages replaced, against the same program with nothing mapped over
 * (programs/fixed_file.c). The rule's arenas add a few pages of their
 * own to both, hence the slack.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

#define SLACK 16

/* The resident pages of rule 0 in the report, all nodes together. */
static long rule0_pages(const char *report)
{
	const char *line = strstr(report, "aml: rule 0 ");
	const char *p, *end;
	long total = 0;

	cr_assert(line != NULL, "no rule 0 in: %s", report);
	p = strstr(line, "resident pages:");
	cr_assert(p != NULL, "no resident pages in: %s", line);
	end = strchr(p, ';');
	if (end == NULL)
		end = strchr(p, '\n');
	while ((p = strstr(p, " node")) != NULL && p < end) {
		p = strchr(p, '=');
		total += strtol(p + 1, NULL, 10);
	}
	return total;
}

/* Run fixed_file mode; the pages it replaced, and rule 0's resident
 * pages in its report. */
static long run_fixed(const char *mode, long *replaced)
{
	char path[] = "/tmp/aml-fixed-report-XXXXXX", env_report[128];
	char report[8192];
	const char *env[] = {"AML_RULES=bind:0:1M-", env_report, NULL};
	char *argv[] = {PROGRAM("fixed_file"), (char *)mode, NULL};
	struct run_result r;
	FILE *f;
	size_t n;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	snprintf(env_report, sizeof(env_report), "AML_REPORT=%s", path);
	r = run_program(argv, SHIM_PATH, env);
	cr_assert_eq(r.status, 0, "fixed_file %s: %s", mode, r.out);
	cr_assert_eq(sscanf(r.out, "ok %ld", replaced), 1, "%s", r.out);
	run_result_free(&r);
	f = fopen(path, "r");
	cr_assert(f != NULL);
	n = fread(report, 1, sizeof(report) - 1, f);
	report[n] = '\0';
	fclose(f);
	unlink(path);
	return rule0_pages(report);
}

static void fixed_over_routed(const char *mode)
{
	long none, replaced, base = run_fixed("none", &none);
	long pages = run_fixed(mode, &replaced);
	long drop = base - pages;

	cr_assert_gt(replaced, 4 * SLACK);
	cr_assert(drop >= replaced - SLACK && drop <= replaced + SLACK,
		  "%s: rule 0 holds %ld resident pages, %ld with nothing "
		  "mapped over; %ld were replaced",
		  mode, pages, base, replaced);
}

Test(mmap_fixed, a_file_mapped_over_a_routed_mapping_leaves_the_rule)
{
	fixed_over_routed("mmap");
}

Test(mmap_fixed, a_file_moved_over_a_routed_mapping_leaves_the_rule)
{
	fixed_over_routed("mremap");
}
