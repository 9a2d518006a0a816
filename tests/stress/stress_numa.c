/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault tests that change the kernel's settings, inside scripts/numa-vm
 * only (as root, never on the host): running a node out of memory under
 * MPOL_BIND, and hitting vm.max_map_count. Each test restores what it
 * changed.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/numa-test.h"
#include "run.h"

#define NODES_NEEDED 2

/* Only inside the VM: these tests rewrite /proc/sys. */
static void need_the_vm(void)
{
	numa_test_need_vm(NODES_NEEDED);
	cr_assert_eq(geteuid(), 0, "the VM runs tests as root");
}

static long sysctl_read(const char *name)
{
	char path[128];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fscanf(f, "%ld", &value), 1);
	fclose(f);
	return value;
}

static void sysctl_write(const char *name, long value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fprintf(f, "%ld\n", value);
	cr_assert_eq(fclose(f), 0, "writing %ld to %s", value, path);
}

/* A "Name: N kB" field of a meminfo file, in kB. */
static long meminfo_kb(const char *path, const char *field)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen(path, "r");
	char *at;

	cr_assert_not_null(f, "%s", path);
	while (fgets(line, sizeof(line), f))
		if ((at = strstr(line, field)) != NULL &&
		    sscanf(at + strlen(field), ": %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The highest node: on the CI VM a small one. */
static int last_node(void)
{
	return numa_test_nodes() - 1;
}

static struct run_result fill_node(int node)
{
	static char nodes[32];
	static const char *env[] = {"AML_POLICY=bind", nodes, NULL};
	char *argv[] = {PROGRAM("out_of_memory"), "fill", NULL};
	struct run_opts o = {.argv = argv,
			     .env = env,
			     .preload = SHIM_PATH,
			     .timeout_s = 120,
			     .oom_first = 1};

	snprintf(nodes, sizeof(nodes), "AML_NODES=%d", node);
	return run_with(&o);
}

Test(stress_numa,
     a_full_bound_node_gives_null_and_enomem_under_strict_overcommit,
     .timeout = 200)
{
	long mode, kbytes, ratio, node_free, committed;
	char meminfo[96];
	struct run_result r;
	int node;

	need_the_vm();
	node = last_node();
	snprintf(meminfo, sizeof(meminfo),
		 "/sys/devices/system/node/node%d/meminfo", node);
	node_free = meminfo_kb(meminfo, "MemFree");
	committed = meminfo_kb("/proc/meminfo", "Committed_AS");
	mode = sysctl_read("overcommit_memory");
	kbytes = sysctl_read("overcommit_kbytes");
	ratio = sysctl_read("overcommit_ratio");
	/* Commit limit below what the node has free: mmap must fail
	 * before the node runs out. */
	sysctl_write("overcommit_kbytes", committed + node_free / 2);
	sysctl_write("overcommit_memory", 2);
	r = fill_node(node);
	sysctl_write("overcommit_memory", mode);
	if (kbytes)
		sysctl_write("overcommit_kbytes", kbytes);
	else
		sysctl_write("overcommit_ratio", ratio);
	cr_log_info("node %d, %ld kB free: %s", node, node_free, r.out);
	cr_assert_eq(r.status, 0, "exited %d: %s%s", r.status, r.out, r.err);
	cr_assert(strstr(r.out, "OK after the failures\n"), "%s", r.out);
	run_result_free(&r);
}

/* With overcommit (the default) mmap never fails: the kernel's OOM killer
 * ends the process when the bound node is full. What the shim guarantees
 * there is only that it does not crash first: SIGKILL from the OOM killer,
 * never SIGSEGV or SIGBUS, and nothing else is killed. */
Test(stress_numa,
     a_full_bound_node_under_overcommit_ends_in_the_oom_killer_not_a_crash,
     .timeout = 200)
{
	struct run_result r;

	need_the_vm();
	cr_assert_eq(sysctl_read("overcommit_memory"), 0);
	r = fill_node(last_node());
	cr_log_info("overcommit: exit %d: %s", r.status, r.out);
	cr_assert_not(r.timed_out, "hung: %s", r.out);
	cr_assert(r.status == 0 || r.status == 128 + SIGKILL,
		  "exit %d (want 0 or SIGKILL): %s%s", r.status, r.out, r.err);
	if (r.status == 0)
		cr_assert(strstr(r.out, "OK after the failures\n"), "%s",
			  r.out);
	run_result_free(&r);
}

Test(stress_numa, at_a_low_max_map_count_routed_mmap_and_malloc_fail_cleanly)
{
	char *argv[] = {PROGRAM("out_of_memory"), "maps", NULL};
	static const char *const env[] = {"AML_POLICY=interleave", NULL};
	struct run_opts o = {.argv = argv, .env = env, .preload = SHIM_PATH};
	struct run_result r;
	long saved, maps = 0;

	need_the_vm();
	saved = sysctl_read("max_map_count");
	sysctl_write("max_map_count", 2000);
	r = run_with(&o);
	sysctl_write("max_map_count", saved);
	cr_assert_eq(r.status, 0, "exited %d: %s%s", r.status, r.out, r.err);
	cr_assert_eq(sscanf(r.out, "%ld one-page", &maps), 1, "%s", r.out);
	cr_assert_lt(maps, 2000, "%s", r.out);
	cr_assert(strstr(r.out, "OK after the failures\n"), "%s", r.out);
	run_result_free(&r);
}
