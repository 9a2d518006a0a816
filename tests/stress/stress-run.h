/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Running a program under the shim for the stress and fault tests: its
 * standard output and error apart, a watchdog that kills the whole process
 * group when it runs too long, and the few things a fault test sets in the
 * child before exec (a working directory, an address-space limit, a high
 * OOM score). Paths come from meson: SHIM_PATH and PROGRAMS_DIR.
 */
#ifndef AML_TESTS_STRESS_RUN_H
#define AML_TESTS_STRESS_RUN_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROGRAM(name) PROGRAMS_DIR "/" name

extern char **environ;

struct run_opts {
	char *const *argv;	     /* argv[0] is a path */
	const char *const *env;	     /* extra "NAME=value", NULL-terminated */
	int preload;		     /* LD_PRELOAD=SHIM_PATH */
	int timeout_s;		     /* watchdog; 0: 60 s */
	const char *cwd;	     /* NULL: stay */
	unsigned long address_space; /* RLIMIT_AS in bytes; 0: unchanged */
	int oom_first;		     /* oom_score_adj 1000 (the OOM victim) */
};

struct run_result {
	int status;    /* exit code, or 128 + signal */
	int timed_out; /* the watchdog killed it */
	char *out;     /* standard output, NUL-terminated (malloc'd) */
	char *err;     /* standard error, NUL-terminated (malloc'd) */
};

struct run_buf {
	char *text;
	size_t len, cap;
};

static inline void run_buf_read(struct run_buf *b, int fd, int *open)
{
	ssize_t got;

	if (b->cap - b->len < 4096) {
		b->cap = b->cap ? 2 * b->cap : 65536;
		b->text = realloc(b->text, b->cap);
		if (!b->text)
			abort();
	}
	got = read(fd, b->text + b->len, b->cap - b->len - 1);
	if (got > 0)
		b->len += (size_t)got;
	else if (got == 0 || errno != EINTR)
		*open = 0;
	b->text[b->len] = '\0';
}

/* The child's side, between fork and exec: only async-signal-safe calls. */
static inline void run_child(const struct run_opts *o, char **env, int out,
			     int err)
{
	int devnull = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(err, 2) < 0)
		_exit(126);
	if (o->cwd && chdir(o->cwd) != 0)
		_exit(126);
	if (o->oom_first) {
		int fd = open("/proc/self/oom_score_adj", O_WRONLY);

		if (fd < 0 || write(fd, "1000", 4) != 4)
			_exit(126);
		close(fd);
	}
	if (o->address_space) {
		struct rlimit lim = {o->address_space, o->address_space};

		if (setrlimit(RLIMIT_AS, &lim) != 0)
			_exit(126);
	}
	execve(o->argv[0], o->argv, env);
	_exit(127);
}

static inline int run_remaining_ms(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

static inline struct run_result run(const struct run_opts *o)
{
	struct run_result r = {0};
	struct run_buf out = {0}, err = {0};
	struct timespec deadline;
	int po[2], pe[2], open_out = 1, open_err = 1, n = 0, status;
	char *env[512];
	pid_t pid;

	for (char **e = environ; *e && n < 480; e++)
		if (strncmp(*e, "LD_PRELOAD=", 11) != 0 &&
		    strncmp(*e, "AML_", 4) != 0)
			env[n++] = *e;
	if (o->preload)
		env[n++] = "LD_PRELOAD=" SHIM_PATH;
	for (const char *const *x = o->env; x && *x && n < 510; x++)
		env[n++] = (char *)*x;
	env[n] = NULL;

	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0)
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0)
		run_child(o, env, po[1], pe[1]);
	setpgid(pid, pid);
	close(po[1]);
	close(pe[1]);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += o->timeout_s ? o->timeout_s : 60;
	while (open_out || open_err) {
		struct pollfd fds[2] = {{open_out ? po[0] : -1, POLLIN, 0},
					{open_err ? pe[0] : -1, POLLIN, 0}};
		int ms = run_remaining_ms(&deadline);

		if (ms == 0 || poll(fds, 2, ms) == 0) {
			r.timed_out = 1;
			kill(-pid, SIGKILL);
			break;
		}
		if (fds[0].revents)
			run_buf_read(&out, po[0], &open_out);
		if (fds[1].revents)
			run_buf_read(&err, pe[0], &open_err);
	}
	close(po[0]);
	close(pe[0]);
	/* Children left behind (a forked child that hangs) die with it. */
	kill(-pid, SIGKILL);
	waitpid(pid, &status, 0);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status)
				     : 128 + WTERMSIG(status);
	r.out = out.text ? out.text : strdup("");
	r.err = err.text ? err.text : strdup("");
	return r;
}

static inline void run_result_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
}

#endif /* AML_TESTS_STRESS_RUN_H */
