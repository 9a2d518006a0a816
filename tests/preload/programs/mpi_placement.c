/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One rank of a cluster job under aml-run: allocate small and large heap
 * blocks and an anonymous mapping, touch them, and check that each is
 * bound (get_mempolicy(MPOL_F_ADDR)) to exactly the nodes this rank
 * expects and that every page landed there (move_pages(2)):
 *
 *   mpi_placement rank         the node equal to the rank's local rank
 *                              (MPI's own, from MPI_Comm_split_type;
 *                              without MPI, from SLURM_LOCALID)
 *   mpi_placement map=3,2,1,0  node list[local rank]
 *   mpi_placement cpu          the node of the CPUs the rank is bound to
 *   mpi_placement nodes=0,1    these nodes
 *
 * Prints one line, "rank R local L nodes N: ok" or "...: FAIL why", and
 * exits 0 or 1; under MPI, rank 0 adds "ranks passed: P of S".
 * Built by tests/preload/test_cluster_numa.c with mpicc (or with cc and
 * -DMPI_PLACEMENT_NO_MPI for the Slurm-variables test).
 */
#define _GNU_SOURCE
#include <numa.h>
#include <numaif.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MPI_PLACEMENT_NO_MPI
#include <mpi.h>
#endif

#define SMALL_COUNT 4096
#define SMALL_SIZE 64
#define LARGE_SIZE (8UL << 20)
#define MAPPING_SIZE (4UL << 20)

struct rank_info {
	int rank;
	int size;
	int local_rank;
};

static long page_size;
static char failure[256];

/* Bound to exactly the expected nodes, and every page of [p, p + len) on
 * one of them; else the first problem. */
static int pages_on_node(const char *what, char *p, size_t len,
			 unsigned long nodes)
{
	char *start = (char *)((unsigned long)p & ~(page_size - 1));
	size_t i, n = (size_t)(p + len - start + page_size - 1) /
		      (size_t)page_size;
	unsigned long policy_nodes = 0;
	void *pages[64];
	int status[64], mode;

	if (get_mempolicy(&mode, &policy_nodes, 64, p, MPOL_F_ADDR) != 0 ||
	    mode != MPOL_BIND || policy_nodes != nodes) {
		snprintf(failure, sizeof(failure),
			 "%s: policy %d nodes 0x%lx, not bind 0x%lx", what,
			 mode, policy_nodes, nodes);
		return -1;
	}
	for (i = 0; i < n; i += 64) {
		size_t k, chunk = n - i < 64 ? n - i : 64;

		for (k = 0; k < chunk; k++)
			pages[k] = start + (i + k) * (size_t)page_size;
		if (move_pages(0, chunk, pages, NULL, status, 0) != 0) {
			snprintf(failure, sizeof(failure),
				 "%s: move_pages failed", what);
			return -1;
		}
		for (k = 0; k < chunk; k++) {
			if (status[k] >= 0 && status[k] < 64 &&
			    (nodes >> status[k] & 1))
				continue;
			snprintf(failure, sizeof(failure),
				 "%s: page %zu of %zu on node %d, not in 0x%lx",
				 what, i + k, n, status[k], nodes);
			return -1;
		}
	}
	return 0;
}

static int check_small(unsigned long node)
{
	static char *blocks[SMALL_COUNT];
	int i, bad = 0;

	for (i = 0; i < SMALL_COUNT; i++) {
		blocks[i] = malloc(SMALL_SIZE);
		if (blocks[i] == NULL) {
			snprintf(failure, sizeof(failure), "malloc(64) failed");
			return -1;
		}
		memset(blocks[i], 1, SMALL_SIZE);
	}
	for (i = 0; i < SMALL_COUNT && !bad; i++)
		bad = pages_on_node("malloc(64)", blocks[i], SMALL_SIZE, node);
	for (i = 0; i < SMALL_COUNT; i++)
		free(blocks[i]);
	return bad;
}

static int check_large(unsigned long node)
{
	char *p = malloc(LARGE_SIZE);
	int bad;

	if (p == NULL) {
		snprintf(failure, sizeof(failure), "malloc(8M) failed");
		return -1;
	}
	memset(p, 1, LARGE_SIZE);
	bad = pages_on_node("malloc(8M)", p, LARGE_SIZE, node);
	free(p);
	return bad;
}

static int check_mapping(unsigned long node)
{
	char *p = mmap(NULL, MAPPING_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int bad;

	if (p == MAP_FAILED) {
		snprintf(failure, sizeof(failure), "mmap failed");
		return -1;
	}
	madvise(p, MAPPING_SIZE, MADV_NOHUGEPAGE);
	memset(p, 1, MAPPING_SIZE);
	bad = pages_on_node("mmap(4M)", p, MAPPING_SIZE, node);
	munmap(p, MAPPING_SIZE);
	return bad;
}

/* The one node holding every CPU this process may run on, or -1. */
static int cpu_node(void)
{
	cpu_set_t cpus;
	int cpu, node = -1;

	if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0)
		return -1;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &cpus))
			continue;
		if (node >= 0 && numa_node_of_cpu(cpu) != node)
			return -1;
		node = numa_node_of_cpu(cpu);
	}
	return node;
}

#ifndef MPI_PLACEMENT_NO_MPI
static void rank_info_read(struct rank_info *r, int *argc, char ***argv)
{
	MPI_Comm local;

	MPI_Init(argc, argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &r->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &r->size);
	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0,
			    MPI_INFO_NULL, &local);
	MPI_Comm_rank(local, &r->local_rank);
	MPI_Comm_free(&local);
}

static void finish(const struct rank_info *r, int passed)
{
	int total = 0;

	fflush(stdout);
	MPI_Reduce(&passed, &total, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
	if (r->rank == 0)
		printf("ranks passed: %d of %d\n", total, r->size);
	MPI_Finalize();
}
#else
static void rank_info_read(struct rank_info *r, int *argc, char ***argv)
{
	const char *value = getenv("SLURM_LOCALID");

	(void)argc;
	(void)argv;
	r->local_rank = value ? atoi(value) : -1;
	value = getenv("SLURM_PROCID");
	r->rank = value ? atoi(value) : r->local_rank;
	r->size = 1;
}

static void finish(const struct rank_info *r, int passed)
{
	(void)r;
	(void)passed;
}
#endif

/* "3,2,1,0" -> the item-th number; -1 when missing. */
static int list_item(const char *list, int item)
{
	char *end;
	long v;

	for (;;) {
		v = strtol(list, &end, 10);
		if (end == list)
			return -1;
		if (item-- == 0)
			return (int)v;
		if (*end != ',')
			return -1;
		list = end + 1;
	}
}

/* The expected nodes as a mask (nodes below 64), 0 when unknown. */
static unsigned long expected_nodes(const char *how, const struct rank_info *r)
{
	unsigned long mask = 0;
	int node, i;

	if (!strcmp(how, "cpu"))
		node = cpu_node();
	else if (!strncmp(how, "map=", 4))
		node = list_item(how + 4, r->local_rank);
	else if (!strncmp(how, "nodes=", 6)) {
		for (i = 0; (node = list_item(how + 6, i)) >= 0; i++)
			mask |= 1UL << node;
		return mask;
	} else
		node = r->local_rank;
	return node >= 0 && node < 64 ? 1UL << node : 0;
}

int main(int argc, char **argv)
{
	struct rank_info r;
	unsigned long nodes;
	int ok;

	page_size = sysconf(_SC_PAGESIZE);
	rank_info_read(&r, &argc, &argv);
	nodes = expected_nodes(argc > 1 ? argv[1] : "rank", &r);
	if (nodes == 0)
		snprintf(failure, sizeof(failure), "no expected node");
	ok = nodes && !check_small(nodes) && !check_large(nodes) &&
	     !check_mapping(nodes);
	printf("rank %d local %d nodes 0x%lx: %s%s\n", r.rank, r.local_rank,
	       nodes, ok ? "ok" : "FAIL ", ok ? "" : failure);
	finish(&r, ok);
	return ok ? 0 : 1;
}
