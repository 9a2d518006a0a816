/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start and end of the shim: the configuration, one Linux area per rule in
 * static storage, the log descriptor, and the report at exit.
 *
 * The set-up runs once, lazily, from the first call that needs it (often
 * the first malloc of the process, possibly inside libnuma's constructor),
 * so it allocates nothing but what jemalloc gives it directly, and reads
 * the environment without libc's allocating paths (settings.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "core.h"

enum init_state { INIT_NONE, INIT_RUNNING, INIT_DONE };

static atomic_int init_state;
static struct shim_config config;
static pid_t init_pid;
static int log_fd = -1;

/* One area per rule; the libnuma bitmask points into the rule itself. */
static struct bitmask rule_masks[SHIM_MAX_RULES];
static struct aml_area_linux_data rule_data[SHIM_MAX_RULES];
static struct aml_area rule_areas[SHIM_MAX_RULES];

/* Lowest descriptor the log copy may take: out of the way of programs that
 * expect small numbers to be free (shells redirect 3-9). */
#define LOG_FD_MIN 200

/* ------------------------------------------------------------------------
 * Log
 */

static void log_write(const char *buf, size_t len)
{
	int fd = log_fd >= 0 ? log_fd : STDERR_FILENO;
	int saved = errno;

	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0)
			break;
		buf += n;
		len -= (size_t)n;
	}
	errno = saved;
}

static void log_vline(const char *fmt, va_list ap)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "aml-preload: ");

	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	log_write(line, (size_t)n);
}

void shim_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > config.log_level)
		return;
	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
}

int shim_log_fd(void)
{
	return log_fd >= 0 ? log_fd : STDERR_FILENO;
}

static void log_open(void)
{
	int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, LOG_FD_MIN);

	if (fd < 0)
		fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	log_fd = fd;
}

/* ------------------------------------------------------------------------
 * Areas
 */

static void areas_build(void)
{
	for (int i = 0; i < config.nrules; i++) {
		rule_masks[i].size = SHIM_MAX_NODES;
		rule_masks[i].maskp = config.rules[i].nodes;
		rule_data[i].nodeset = &rule_masks[i];
		rule_data[i].policy = config.rules[i].policy;
		rule_data[i].mmap_flags = 0;
		rule_areas[i].ops = &aml_area_linux_ops;
		rule_areas[i].data = (struct aml_area_data *)&rule_data[i];
	}
}

const struct aml_area *shim_rule_area(int rule)
{
	return &rule_areas[rule];
}

int shim_rule_for_size(size_t size)
{
	int rule = shim_rule_find(&config, size);

	return rule < 0 ? SHIM_UNROUTED : rule;
}

const struct shim_config *shim_config(void)
{
	return &config;
}

/* ------------------------------------------------------------------------
 * Set-up
 */

static void after_fork_child(void)
{
	ranges_after_fork();
	heap_after_fork();
}

static void shim_init(void)
{
	char err[SHIM_ERR_LEN] = "";
	int bad = shim_settings_load(&config, err, sizeof(err));

	init_pid = getpid();
	if (bad || config.log_level > 0 ||
	    (config.report && config.report_path[0] == '\0'))
		log_open();
	if (bad) {
		config.nrules = 0;
		if (config.strict) {
			shim_log(0, "%s", err);
			shim_log(0, "invalid configuration in strict mode: "
				    "exiting");
			_exit(1);
		}
		shim_log(1, "%s; running with default placement", err);
	}
	areas_build();
	if (config.report && config.nrules > 0)
		census_enable();
	if (heap_init(&config)) {
		shim_log(1, "cannot create the allocator's arenas; running "
			    "with default placement");
		config.nrules = 0;
	}
	pthread_atfork(NULL, NULL, after_fork_child);
}

void shim_init_once(void)
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

/* Set up early even in a program that never allocates, while stderr is
 * still open. */
__attribute__((constructor)) static void shim_start(void)
{
	heap_thread_enter();
}

/* The report belongs to the process that read the configuration, not to
 * children that fork without exec. */
__attribute__((destructor)) static void shim_end(void)
{
	if (!shim_is_ready() || !config.report || getpid() != init_pid)
		return;
	shim_report_write();
}
