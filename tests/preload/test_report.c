/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exit report (report.c) against a fake shim core: the stubs below give
 * the configuration, the counters and the ranges (real pages, so that the
 * resident counts come from the kernel).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../preload/placement.h"
#include "../../preload/report.h"
#include "../../preload/stats.h"
#include "run.h"

/* ------------------------------------------------------------------------
 * The fake core
 */

#define PAGES 16
#define TOUCHED 10

static struct shim_config cfg;
static struct shim_rule_stats stats[SHIM_MAX_RULES];
static struct shim_rule_stats unrouted;
static unsigned long long released[SHIM_MAX_RULES][SHIM_CENSUS_NODES];
static void *range;
static int log_fd = -1;

const struct shim_config *shim_config(void)
{
	return &cfg;
}

void shim_rule_stats(int rule, struct shim_rule_stats *out)
{
	*out = stats[rule];
}

void shim_unrouted_stats(struct shim_rule_stats *out)
{
	*out = unrouted;
}

void shim_released_pages(int rule, unsigned long long *counts, size_t nnodes)
{
	for (size_t n = 0; n < nnodes; n++)
		counts[n] = n < SHIM_CENSUS_NODES ? released[rule][n] : 0;
}

/* Rule 0 holds the test's pages; rule 1 the big block, when it is under
 * a rule; the other rules hold nothing. */
static void *big;
static int big_in_rule;
#define BIG_PAGES 2048

void shim_foreach_range(int rule, shim_range_fn fn, void *ctx)
{
	if (rule == 0)
		fn(range, PAGES * (size_t)sysconf(_SC_PAGESIZE), ctx);
	if (rule == 1 && big_in_rule)
		fn(big, BIG_PAGES * (size_t)sysconf(_SC_PAGESIZE), ctx);
}

/* The first META_PAGES pages of rule 0's range are the allocator's
 * metadata, when the test says so. */
static int with_metadata;
#define META_PAGES 4

void shim_metadata_foreach(int rule, shim_range_fn fn, void *ctx)
{
	if (rule == 0 && with_metadata)
		fn(range, META_PAGES * (size_t)sysconf(_SC_PAGESIZE), ctx);
}

/* What the shim said, every line. */
static char logged[4096];

void shim_log(int level, const char *fmt, ...)
{
	size_t len = strlen(logged);
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(logged + len, sizeof(logged) - len, fmt, ap);
	va_end(ap);
	len = strlen(logged);
	snprintf(logged + len, sizeof(logged) - len, "\n");
}

int shim_log_fd(void)
{
	return log_fd;
}

size_t site_rule_text(int rule, char *buf, size_t len)
{
	(void)rule;
	if (len)
		buf[0] = '\0';
	return 0;
}

/* ------------------------------------------------------------------------
 * Fixtures
 */

static char dir[] = "/tmp/aml-report-XXXXXX";
static char path[256];

static void setup(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int i;

	memset(&cfg, 0, sizeof(cfg));
	memset(stats, 0, sizeof(stats));
	memset(&unrouted, 0, sizeof(unrouted));
	memset(released, 0, sizeof(released));
	logged[0] = '\0';
	big_in_rule = 0;
	with_metadata = 0;
	strcpy(dir, "/tmp/aml-report-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	range = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(range, MAP_FAILED);
	madvise(range, PAGES * page, MADV_NOHUGEPAGE);
	for (i = 0; i < TOUCHED; i++)
		((char *)range)[i * page] = 1;
	/* One rule, bind to node 0, 1M and up; the report to a file. */
	cfg.nrules = 1;
	cfg.rules[0].policy = AML_AREA_LINUX_POLICY_BIND;
	cfg.rules[0].nodes.mask[0] = 1;
	cfg.rules[0].min_size = 1 << 20;
	cfg.rules[0].max_size = SIZE_MAX;
	cfg.route_mmap = 1;
	cfg.report = 1;
	snprintf(path, sizeof(path), "%s/report", dir);
	strcpy(cfg.report_path, path);
}

static void teardown(void)
{
	char cmd[300], out[4096];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0, "%s", out);
}

/* The whole file at path. */
static const char *slurp(const char *file)
{
	static char text[8192];
	ssize_t n;
	int fd = open(file, O_RDONLY);

	cr_assert_geq(fd, 0, "no report at %s", file);
	n = read(fd, text, sizeof(text) - 1);
	cr_assert_geq(n, 0);
	text[n] = '\0';
	close(fd);
	return text;
}

static const char *expected_header(const char *tail)
{
	static char text[256];

	snprintf(text, sizeof(text), "aml: report pid %d, page size %ld, %s\n",
		 (int)getpid(), sysconf(_SC_PAGESIZE), tail);
	return text;
}

/* ------------------------------------------------------------------------
 * Tests
 */

TestSuite(report, .init = setup, .fini = teardown);

Test(report, nothing_is_written_unless_asked)
{
	cfg.report = 0;
	shim_report_write();
	cr_assert_neq(access(path, F_OK), 0);
}

Test(report, rule_line_puts_policy_counters_and_resident_pages_side_by_side)
{
	char want[1024];

	stats[0] = (struct shim_rule_stats){.calls = 12,
					    .bytes = 48ULL << 20,
					    .mmaps = 3,
					    .mmap_bytes = 12ULL << 20};
	unrouted = (struct shim_rule_stats){.calls = 1234,
					    .bytes = 3355443,
					    .mmaps = 5,
					    .mmap_bytes = 1 << 20};
	shim_report_write();
	snprintf(want, sizeof(want),
		 "%s"
		 "aml: rule 0 bind nodes 0 sizes 1M-: 12 calls 48.0 MiB, "
		 "3 mmaps 12.0 MiB; resident pages: node0=%d absent=%d; "
		 "released pages: node0=0\n"
		 "aml: unrouted: 1234 calls 3.2 MiB, 5 mmaps 1.0 MiB\n"
		 "aml: rest of the process: resident pages: node",
		 expected_header("mmap routed"), TOUCHED, PAGES - TOUCHED);
	cr_assert(!strncmp(slurp(path), want, strlen(want)), "%s", slurp(path));
}

Test(report, nodes_of_the_policy_are_listed_even_without_pages)
{
	cfg.rules[0].policy = AML_AREA_LINUX_POLICY_INTERLEAVE;
	cfg.rules[0].nodes.mask[0] = 0x5; /* nodes 0 and 2 */
	shim_report_write();
	cr_assert(strstr(slurp(path), "; resident pages: node0=10 node2=0 "
				      "absent=6; "),
		  "%s", slurp(path));
}

Test(report, pages_released_before_exit_follow_the_resident_ones)
{
	cfg.rules[0].policy = AML_AREA_LINUX_POLICY_INTERLEAVE;
	cfg.rules[0].nodes.mask[0] = 0x3; /* nodes 0 and 1 */
	released[0][0] = 32768;
	released[0][1] = 32769;
	released[0][5] = 7; /* off the policy's nodes: shown too */
	shim_report_write();
	cr_assert(strstr(slurp(path), "absent=6; released pages: node0=32768 "
				      "node1=32769 node5=7\n"),
		  "%s", slurp(path));
}

Test(report, every_rule_gets_its_own_line)
{
	char want[256];

	cfg.nrules = 2;
	cfg.rules[1].policy = AML_AREA_LINUX_POLICY_DEFAULT;
	cfg.rules[1].max_size = 4096;
	stats[1].calls = 7;
	stats[1].bytes = 700;
	shim_report_write();
	snprintf(want, sizeof(want),
		 "aml: rule 1 default sizes -4K: 7 calls 700 B, 0 mmaps 0 B; "
		 "resident pages: none absent=0; released pages: none\n");
	cr_assert(strstr(slurp(path), want), "%s", slurp(path));
}

Test(report, without_rules_it_says_default_placement)
{
	char want[512];

	cfg.nrules = 0;
	cfg.route_mmap = 0;
	unrouted.calls = 1;
	unrouted.bytes = 1536;
	shim_report_write();
	snprintf(want, sizeof(want), "%s%s",
		 expected_header("mmap not routed, no rules (default "
				 "placement)"),
		 "aml: unrouted: 1 calls 1.5 KiB, 0 mmaps 0 B\n"
		 "aml: rest of the process: resident pages: node");
	cr_assert(!strncmp(slurp(path), want, strlen(want)), "%s", slurp(path));
}

Test(report, sizes_are_rounded_to_one_decimal)
{
	cfg.nrules = 0;
	unrouted.bytes = 1075;				   /* 1.0498 KiB */
	unrouted.mmap_bytes = (5ULL << 30) + (1ULL << 29); /* 5.5 GiB */
	shim_report_write();
	cr_assert(strstr(slurp(path), "aml: unrouted: 0 calls 1.0 KiB, "
				      "0 mmaps 5.5 GiB\n"),
		  "%s", slurp(path));
}

Test(report, pid_escape_names_one_file_per_process)
{
	char file[300];

	snprintf(cfg.report_path, sizeof(cfg.report_path), "%s/r.%%p.%%%%",
		 dir);
	shim_report_write();
	snprintf(file, sizeof(file), "%s/r.%d.%%", dir, (int)getpid());
	cr_assert(strstr(slurp(file), "aml: report pid"));
}

Test(report, reports_are_appended_not_overwritten)
{
	const char *text;

	shim_report_write();
	shim_report_write();
	text = slurp(path);
	cr_assert(strstr(strstr(text, "aml: unrouted") + 1, "aml: report"),
		  "%s", text);
}

Test(report, standard_error_means_the_shims_duplicated_descriptor)
{
	int fds[2];
	char text[4096];
	ssize_t n;

	cr_assert_eq(pipe(fds), 0);
	log_fd = fds[1];
	cfg.report_path[0] = '\0';
	shim_report_write();
	close(fds[1]);
	n = read(fds[0], text, sizeof(text) - 1);
	cr_assert_gt(n, 0);
	text[n] = '\0';
	cr_assert(!strncmp(text, expected_header("mmap routed"),
			   strlen(expected_header("mmap routed"))),
		  "%s", text);
	cr_assert_neq(access(path, F_OK), 0);
}

Test(report, errno_is_left_as_the_program_had_it)
{
	cfg.report_path[0] = '/'; /* a directory: open fails */
	cfg.report_path[1] = '\0';
	errno = 42;
	shim_report_write();
	cr_assert_eq(errno, 42);
}

/* ------------------------------------------------------------------------
 * The rest of the process, the report's path, write errors
 */

/* The pages of the "rest of the process" line, all nodes. */
static unsigned long rest_pages(const char *text)
{
	const char *at = strstr(text, "aml: rest of the process: resident "
				      "pages:");
	unsigned long total = 0, n;

	cr_assert_not_null(at, "%s", text);
	at = strchr(at, ':') + 1;
	at = strchr(at, ':') + 1;
	while ((at = strstr(at, " node")) != NULL &&
	       sscanf(at, " node%*u=%lu", &n) == 1) {
		total += n;
		at += 5;
		if (strchr(at, '\n') < strchr(at, ' '))
			break;
	}
	return total;
}

Test(report, rest_counts_the_process_memory_outside_the_rules)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned long outside, inside;

	big = mmap(NULL, BIG_PAGES * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(big, MAP_FAILED);
	madvise(big, BIG_PAGES * page, MADV_NOHUGEPAGE);
	memset(big, 1, BIG_PAGES * page);
	cfg.nrules = 2;
	cfg.rules[1].policy = AML_AREA_LINUX_POLICY_DEFAULT;
	cfg.report_path[0] = '\0';
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	cr_assert_geq(log_fd, 0);
	shim_report_write(); /* the report's own buffers, touched once */
	ftruncate(log_fd, 0);
	shim_report_write();
	outside = rest_pages(slurp(path));
	ftruncate(log_fd, 0);
	big_in_rule = 1;
	shim_report_write();
	inside = rest_pages(slurp(path));
	close(log_fd);
	log_fd = -1;
	munmap(big, BIG_PAGES * page);
	/* The big block counts as the rest until a rule holds it; then
	 * under the rule only (a few pages of the test's own may come and
	 * go in between). */
	cr_assert_geq(outside, BIG_PAGES, "%lu pages", outside);
	cr_assert_geq(outside - inside, BIG_PAGES - 32, "%lu then %lu pages",
		      outside, inside);
	cr_assert_leq(outside - inside, BIG_PAGES + 32, "%lu then %lu pages",
		      outside, inside);
}

Test(report, a_relative_path_is_the_one_of_start_up_not_of_a_later_chdir)
{
	char cwd[512], file[300];

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(dir), 0);
	strcpy(cfg.report_path, "rel.%p");
	shim_report_prepare(NULL);
	cr_assert_eq(chdir("/"), 0);
	shim_report_write();
	cr_assert_eq(chdir(cwd), 0);
	snprintf(file, sizeof(file), "%s/rel.%d", dir, (int)getpid());
	cr_assert(strstr(slurp(file), "aml: report pid"));
	/* The test's other cases give the path at exit. */
	strcpy(cfg.report_path, "");
	shim_report_prepare(NULL);
}

static void expect_said_once(const char *what)
{
	const char *at = strstr(logged, what);

	cr_assert_not_null(at, "said: %s", logged);
	cr_assert_null(strstr(at + 1, what), "said twice: %s", logged);
}

Test(report, a_write_error_is_said_once)
{
	strcpy(cfg.report_path, "/dev/full");
	shim_report_write();
	expect_said_once("cannot write the report to /dev/full: No space left "
			 "on device");
	logged[0] = '\0';
	cfg.report_json = 1;
	shim_report_write();
	expect_said_once("cannot write the report to /dev/full: No space left "
			 "on device");
}

Test(report, a_report_file_that_cannot_be_made_is_said)
{
	snprintf(cfg.report_path, sizeof(cfg.report_path), "%s/no/such/dir",
		 dir);
	shim_report_write();
	cr_assert(strstr(logged, "cannot write the report to "), "said: %s",
		  logged);
	cr_assert(strstr(logged, "No such file or directory"), "said: %s",
		  logged);
}

/* The JSON report read back by python3's json module: keys in the
 * documented order and the values of the fake core. */
static void expect_json(const char *file, int objects)
{
	char cmd[4096], out[4096];
	int status;

	snprintf(
		cmd, sizeof(cmd),
		"/usr/bin/python3 -c '\n"
		"import json, sys\n"
		"text = open(sys.argv[1]).read()\n"
		"objs = [json.loads(l) for l in text.splitlines()]\n"
		"assert len(objs) == %d, len(objs)\n"
		"r = objs[-1]\n"
		"assert list(r) == [\"libaml_report\", \"pid\", \"host\",\n"
		"  \"local_rank\", \"program\", \"page_size\", \"complete\",\n"
		"  \"rules\", \"unrouted\", \"rest\"], list(r)\n"
		"assert r[\"libaml_report\"] == 1 and r[\"pid\"] == %d\n"
		"assert r[\"local_rank\"] == 3 and r[\"complete\"] is True\n"
		"assert r[\"program\"].startswith(\"/\")\n"
		"assert r[\"page_size\"] == %ld\n"
		"rule = r[\"rules\"][0]\n"
		"assert list(rule) == [\"index\", \"policy\", \"nodes\",\n"
		"  \"weights\", \"size_min\", \"size_max\", \"sites\", "
		"\"calls\",\n"
		"  \"bytes\", \"mmaps\", \"mmap_bytes\", \"resident\",\n"
		"  \"released\", \"metadata\"], list(rule)\n"
		"assert rule[\"policy\"] == \"interleave\", rule\n"
		"assert rule[\"nodes\"] == [0, 2] and rule[\"weights\"] is "
		"None\n"
		"assert rule[\"size_min\"] == 1048576, rule\n"
		"assert rule[\"size_max\"] is None and rule[\"sites\"] == []\n"
		"assert rule[\"calls\"] == 12 and rule[\"bytes\"] == 50331648\n"
		"assert rule[\"mmaps\"] == 3 and rule[\"mmap_bytes\"] == 7\n"
		"assert rule[\"resident\"] == {\"0\": %d}, rule\n"
		"assert rule[\"metadata\"] == {\"0\": %d}, rule\n"
		"assert rule[\"released\"] == {\"0\": 5, \"2\": 9}, rule\n"
		"assert r[\"rules\"][1][\"size_max\"] == 4096\n"
		"assert r[\"rules\"][1][\"nodes\"] == []\n"
		"assert r[\"unrouted\"] == {\"calls\": 1234, \"bytes\": 99}\n"
		"assert sum(r[\"rest\"][\"resident\"].values()) > 0, r\n"
		"assert r[\"rest\"][\"policy\"] is None, r\n"
		"' %s 2>&1",
		objects, (int)getpid(), sysconf(_SC_PAGESIZE),
		TOUCHED - META_PAGES, META_PAGES, file);
	status = run_shell(cmd, out, sizeof(out));
	cr_assert_eq(status, 0, "%s\n%s", out, slurp(file));
}

static void json_setup(void)
{
	with_metadata = 1;
	cfg.report_json = 1;
	cfg.nrules = 2;
	cfg.rules[0].policy = AML_AREA_LINUX_POLICY_INTERLEAVE;
	cfg.rules[0].nodes.mask[0] = 0x5; /* nodes 0 and 2 */
	cfg.rules[1].policy = AML_AREA_LINUX_POLICY_DEFAULT;
	cfg.rules[1].max_size = 4096;
	stats[0] = (struct shim_rule_stats){
		.calls = 12, .bytes = 48ULL << 20, .mmaps = 3, .mmap_bytes = 7};
	unrouted = (struct shim_rule_stats){.calls = 1234, .bytes = 99};
	released[0][0] = 5;
	released[0][2] = 9;
	setenv("SLURM_LOCALID", "3", 1);
	shim_report_prepare(NULL);
	unsetenv("SLURM_LOCALID");
}

Test(report, json_is_one_object_python_reads_with_the_documented_keys)
{
	char cmd[600], out[256];

	json_setup();
	shim_report_write();
	expect_json(path, 1);
	/* Linked into place: no temporary file is left beside it. */
	snprintf(cmd, sizeof(cmd), "ls -A %s", dir);
	cr_assert_eq(run_shell(cmd, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "report\n");
}

Test(report, json_reports_of_several_processes_append_whole_objects)
{
	json_setup();
	shim_report_write();
	shim_report_write();
	expect_json(path, 2);
}

Test(report, the_allocators_metadata_counts_apart_from_the_rules_pages)
{
	with_metadata = 1;
	shim_report_write();
	cr_assert(strstr(slurp(path), "; resident pages: node0=6 absent=6; "
				      "released pages: node0=0; allocator "
				      "metadata pages: node0=4\n"),
		  "%s", slurp(path));
}
