/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * aml-run as the per-rank wrapper of a cluster job, inside the 4-node VM
 * (node 3 without CPUs, distances 10/20/30/40 along a line):
 *   bash scripts/numa-vm --nodes 4 --memory-only-nodes 1 --mem 1G \
 *        --distances '10,20,30,40;20,10,20,30;30,20,10,20;40,30,20,10' \
 *        -- env AML_TEST_NUMA_NODES=4 AML_TEST_MEMORY_ONLY_NODES=1 \
 *        meson test -C build-cluster --suite numa --no-rebuild -v
 * Each rank runs programs/mpi_placement.c, which checks the policy and
 * the node of every page of its heap blocks and of an anonymous mapping.
 * The program is built here with mpicc (Open MPI), or with cc for the
 * Slurm-variables test, into the build tree.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/numa-test.h"
#include "run.h"

static char output[65536];

/* Run cmd through sh, stdout and stderr into output; the exit status. */
__attribute__((format(printf, 1, 2))) static int shell(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return run_shell(cmd, output, sizeof(output));
}

/* programs/mpi_placement.c built with compiler (and flags) as name. Tests
 * run in parallel, one process each: each builds its own copy. */
static const char *placement_program(const char *name, const char *compiler,
				     const char *flags)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/tests/preload/%s-%d",
		 test_need_env("AML_TEST_BUILD_ROOT"), name, (int)getpid());
	cr_assert_eq(shell("%s -O1 %s -o %s %s/tests/preload/programs/"
			   "mpi_placement.c -lnuma 2>&1",
			   compiler, flags, path,
			   test_need_env("AML_TEST_SOURCE_ROOT")),
		     0, "cannot build %s:\n%s", name, output);
	return path;
}

static const char *mpi_program(void)
{
	if (shell("command -v mpicc && command -v mpirun") != 0)
		cr_assert_fail("Open MPI is not installed (apt-get install "
			       "openmpi-bin libopenmpi-dev)");
	return placement_program("cluster-mpi-placement", "mpicc", "");
}

/* mpirun as root in a VM without network or writable HOME. Open MPI's
 * PMIx server listens on TCP: the VM boots with loopback down. */
#define MPIRUN                                                                 \
	"{ ip link set lo up 2>/dev/null; true; }; "                           \
	"HOME=/tmp OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " \
	"OMPI_MCA_btl=self,vader OMPI_MCA_plm=isolated "                       \
	"OMPI_MCA_btl_vader_single_copy_mechanism=none "                       \
	"timeout 240 mpirun --oversubscribe "

static int count(const char *text, const char *what)
{
	int n = 0;

	for (; (text = strstr(text, what)); text++)
		n++;
	return n;
}

static void expect_ranks_passed(int status, int ranks)
{
	char line[64];

	snprintf(line, sizeof(line), "ranks passed: %d of %d", ranks, ranks);
	cr_assert_eq(status, 0, "%s", output);
	cr_assert_not_null(strstr(output, line), "%s", output);
	cr_assert_eq(count(output, ": ok\n"), ranks, "%s", output);
}

Test(cluster_numa, open_mpi_ranks_get_memory_on_the_node_of_their_local_rank)
{
	const char *program;

	numa_test_need_nodes(4);
	program = mpi_program();
	expect_ranks_passed(shell(MPIRUN
				  "-np 4 --bind-to none %s "
				  "--membind=@local-rank -- %s rank 2>&1",
				  test_aml_run_path(), program),
			    4);
}

Test(cluster_numa, open_mpi_ranks_follow_an_explicit_rank_map)
{
	const char *program;

	numa_test_need_nodes(4);
	program = mpi_program();
	expect_ranks_passed(shell(MPIRUN
				  "-np 4 --bind-to none %s "
				  "--membind='@local-rank=3|2|1|0' -- %s "
				  "map=3,2,1,0 2>&1",
				  test_aml_run_path(), program),
			    4);
}

/* One rank per core, so one per CPU node; node 3 has no CPU. */
Test(cluster_numa, open_mpi_ranks_bound_to_cores_get_their_cores_node)
{
	const char *program;

	numa_test_need_nodes(4);
	program = mpi_program();
	expect_ranks_passed(shell(MPIRUN
				  "-np 3 --bind-to core --map-by core "
				  "%s --membind=@cpu-local -- %s cpu 2>&1",
				  test_aml_run_path(), program),
			    3);
}

/* srun's variables, set by hand per rank (see docs/cluster.md for why no
 * real Slurm runs here): four processes side by side. */
Test(cluster_numa, slurm_local_ids_place_each_task_on_its_node)
{
	const char *program;
	int status;

	numa_test_need_nodes(4);
	program = placement_program("cluster-placement",
				    test_need_env("AML_TEST_CC"),
				    "-DMPI_PLACEMENT_NO_MPI");
	status = shell("for i in 0 1 2 3; do "
		       "env -u OMPI_COMM_WORLD_LOCAL_RANK -u MPI_LOCALRANKID "
		       "SLURM_LOCALID=$i SLURM_PROCID=$((i + 4)) "
		       "SLURM_NTASKS=8 SLURM_NODEID=1 "
		       "%s --membind=@local-rank -- %s rank & "
		       "pids=\"$pids $!\"; done; fail=0; "
		       "for p in $pids; do wait $p || fail=1; done; "
		       "exit $fail",
		       test_aml_run_path(), program);
	cr_assert_eq(status, 0, "%s", output);
	cr_assert_eq(count(output, ": ok\n"), 4, "%s", output);
}

/* The nodes nearest to node 2 by libnuma's distances, ties by number:
 * in CI's VM, node 2 (10), then node 1 (20, tied with 3). */
static void nearest_two(int home, int *first, int *second)
{
	int n, best[2] = {-1, -1};

	for (n = 0; n < numa_num_configured_nodes(); n++) {
		int d = numa_distance(home, n);

		if (best[0] < 0 || d < numa_distance(home, best[0])) {
			best[1] = best[0];
			best[0] = n;
		} else if (best[1] < 0 || d < numa_distance(home, best[1])) {
			best[1] = n;
		}
	}
	*first = best[0];
	*second = best[1];
}

Test(cluster_numa, nearest_two_are_the_cpus_node_and_the_next_by_distance)
{
	const char *program;
	int cpu, first, second;

	numa_test_need_nodes(4);
	program = placement_program("cluster-placement",
				    test_need_env("AML_TEST_CC"),
				    "-DMPI_PLACEMENT_NO_MPI");
	for (cpu = 0; cpu < numa_num_configured_cpus(); cpu++)
		if (numa_node_of_cpu(cpu) == 2)
			break;
	cr_assert_lt(cpu, numa_num_configured_cpus(), "no CPU on node 2");
	nearest_two(2, &first, &second);
	cr_assert_eq(first, 2);
	cr_assert_eq(shell("SLURM_LOCALID=0 taskset -c %d %s "
			   "--membind=@nearest=2 -- %s nodes=%d,%d 2>&1",
			   cpu, test_aml_run_path(), program, first, second),
		     0, "%s", output);
}

Test(cluster_numa, dry_run_shows_each_rank_its_own_node)
{
	numa_test_need_nodes(4);
	mpi_program();
	cr_assert_eq(shell(MPIRUN
			   "-np 4 --bind-to none %s "
			   "--membind=@local-rank --dry-run -- true 2>&1",
			   test_aml_run_path()),
		     0, "%s", output);
	cr_assert_not_null(strstr(output, "AML_NODES=@local-rank\n"), "%s",
			   output);
	cr_assert_not_null(strstr(output, "rule 0: bind nodes 3 sizes all"),
			   "%s", output);
	cr_assert_eq(count(output, "from OMPI_COMM_WORLD_LOCAL_RANK"), 4, "%s",
		     output);
}
