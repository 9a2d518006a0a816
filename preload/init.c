/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start and end of the shim: the configuration and the areas of its rules
 * (placement.c), standard error as the log finds it, the heap's arenas, and the
 * report at exit.
 *
 * The set-up runs once, lazily, from the first call that needs it (often
 * the first malloc of the process, possibly inside libnuma's constructor),
 * so it allocates nothing but what jemalloc gives it directly, and reads
 * the environment without libc's allocating paths (settings.c).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "foreign.h"
#include "heap.h"
#include "init.h"
#include "log.h"
#include "os.h"
#include "placement.h"
#include "ranges.h"
#include "report.h"
#include "stats.h"

enum init_state { INIT_NONE, INIT_RUNNING, INIT_DONE };

static atomic_int init_state;
static pid_t init_pid;

static void after_fork_child(void)
{
	ranges_after_fork();
	heap_after_fork();
}

/* The rest of the process (thread stacks, the brk heap, static data, what
 * no rule routes, the allocator's other mappings) placed with the process
 * memory policy, as numactl does: set here, in the first thread, it holds
 * for the threads and the children made later. Pages touched before (by
 * the loader, libc's start) stay where they are. */
static int rest_apply(const struct shim_config *config)
{
	const struct shim_rule *rest = shim_rest_rule(config);
	char text[512];
	int mode, err;

	if (rest == NULL)
		return -1;
	switch (rest->policy) {
	case AML_AREA_LINUX_POLICY_BIND:
		mode = MPOL_BIND;
		break;
	case AML_AREA_LINUX_POLICY_PREFERRED:
		mode = MPOL_PREFERRED;
		break;
	case AML_AREA_LINUX_POLICY_INTERLEAVE:
	case AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE:
		/* A process policy carries no weights of ours (the kernel's
		 * weighted mode takes the system's, and 6.1 has none): the
		 * rest is spread 1:1 over the rule's nodes. */
		mode = MPOL_INTERLEAVE;
		break;
	default:
		mode = MPOL_DEFAULT;
		break;
	}
	shim_rule_format(rest, text, sizeof(text));
	err = aml_os_set_mempolicy(
		mode, mode == MPOL_DEFAULT ? NULL : rest->nodes.mask,
		mode == MPOL_DEFAULT ? 0 : SHIM_MAX_NODES + 1);
	if (err < 0) {
		shim_log(1,
			 "cannot place the rest of the process as %s: "
			 "set_mempolicy failed (errno %d)",
			 text, -err);
		return -1;
	}
	shim_log(2, "the rest of the process: %s (process memory policy)",
		 text);
	return 0;
}

static void shim_init(void)
{
	char err[SHIM_ERR_LEN] = "";
	int bad = placement_load(err, sizeof(err));
	const struct shim_config *config = shim_config();
	const struct shim_rule *rest = NULL;

	init_pid = getpid();
	shim_log_set_level(config->log_level);
	shim_log_open();
	if (bad) {
		placement_disable();
		if (config->strict) {
			shim_log(0, "%s", err);
			shim_log(0, "invalid configuration in strict mode: "
				    "exiting");
			_exit(1);
		}
		shim_log(1, "%s; running with default placement", err);
	}
	if (placement_build()) {
		shim_log(1, "cannot make the rules' areas; running with "
			    "default placement");
		placement_disable();
	} else if (!bad && rest_apply(config) == 0) {
		rest = shim_rest_rule(config);
	}
	if (config->report && config->nrules > 0)
		census_enable();
	if (config->report)
		shim_report_prepare(rest);
	if (heap_init(config)) {
		shim_log(1, "cannot create the allocator's arenas; running "
			    "with default placement");
		placement_disable();
	}
	pthread_atfork(NULL, NULL, after_fork_child);
	/* Step aside for another allocator (foreign.c). */
	if (foreign_detect())
		heap_step_aside();
}

static void shim_init_once(void)
{
	int expected = INIT_NONE;

	if (atomic_load_explicit(&init_state, memory_order_acquire) ==
	    INIT_DONE)
		return;
	if (atomic_compare_exchange_strong(&init_state, &expected,
					   INIT_RUNNING)) {
		shim_init();
		atomic_store_explicit(&init_state, INIT_DONE,
				      memory_order_release);
		return;
	}
	while (atomic_load_explicit(&init_state, memory_order_acquire) !=
	       INIT_DONE)
		sched_yield();
}

bool shim_is_ready(void)
{
	return atomic_load_explicit(&init_state, memory_order_acquire) ==
	       INIT_DONE;
}

/*
 * A thread's first SHIM_WARM_CALLS allocations and frees go to its arena
 * without a thread cache (WARM); then it is pinned and gets one (READY,
 * the fast path). jemalloc fills a cache bin with dozens of regions on a
 * thread's first request of a size and flushes them all back at its exit,
 * and a cache costs a 32 KiB stack of slots and a statistics merge of
 * every bin: for a thread that makes a few requests and exits (a task
 * pool's worker), that was ~30 k instructions, 10x the thread itself.
 */
#define SHIM_WARM_CALLS 64
static __thread unsigned char warm_calls SHIM_TLS;

bool shim_thread_start(void)
{
	switch (shim_thread_state) {
	case THREAD_BUSY:
		return false; /* a call from inside the shim */
	case THREAD_WARM:
		if (++warm_calls < SHIM_WARM_CALLS)
			return true;
		shim_thread_state = THREAD_BUSY;
		heap_thread_ready();
		shim_thread_state = THREAD_READY;
		return true;
	default:
		shim_thread_state = THREAD_BUSY;
		shim_init_once();
		shim_thread_state = THREAD_WARM;
		return true;
	}
}

/* Set up early even in a program that never allocates, while stderr is
 * still open. */
__attribute__((constructor)) static void shim_start(void)
{
	shim_thread_enter();
}

/* The report belongs to the process that read the configuration, not to
 * children that fork without exec (nor a vfork child calling _exit). A
 * thread inside the shim (a signal handler calling _exit there) may hold
 * the ranges' lock: no report then rather than a hang. */
void shim_exit_report(void)
{
	static atomic_int written;

	if (!shim_is_ready() || !shim_config()->report ||
	    getpid() != init_pid || shim_thread_state == THREAD_BUSY)
		return;
	if (atomic_exchange(&written, 1))
		return;
	shim_report_write();
}

__attribute__((destructor)) static void shim_end(void)
{
	shim_exit_report();
}
