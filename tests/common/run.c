/* SPDX-License-Identifier: BSD-3-Clause */
/* Running a child program from a test: see run.h. */
#define _GNU_SOURCE
#include "run.h"

#include <criterion/criterion.h>
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

extern char **environ;

/* The watchdog of run_program, run_expect_ok and run_shell: a hang fails
 * the test well before meson's own timeout. */
#define RUN_WRAPPER_TIMEOUT_S 300

struct run_buf {
	char *text;
	size_t len, cap;
};

static void run_buf_read(struct run_buf *b, int fd, int *open)
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
static void run_in_child(const struct run_opts *o, char **env, int out, int err)
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

static int run_remaining_ms(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

struct run_result run_with(const struct run_opts *o)
{
	struct run_result r = {0};
	struct run_buf out = {0}, err = {0};
	struct timespec deadline;
	int po[2], pe[2], open_out = 1, open_err = 1, n = 0, status;
	char *env[512], preload[4096];
	pid_t pid;

	for (char **e = environ; *e && n < 480; e++)
		if (o->keep_env || (strncmp(*e, "LD_PRELOAD=", 11) != 0 &&
				    strncmp(*e, "AML_", 4) != 0))
			env[n++] = *e;
	if (o->preload) {
		snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", o->preload);
		env[n++] = preload;
	}
	for (const char *const *x = o->env; x && *x && n < 510; x++)
		env[n++] = (char *)*x;
	env[n] = NULL;

	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0)
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0)
		run_in_child(o, env, po[1], pe[1]);
	setpgid(pid, pid);
	close(po[1]);
	close(pe[1]);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += o->timeout_s ? o->timeout_s : RUN_DEFAULT_TIMEOUT_S;
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
	/* Its output closed: wait for its exit within the watchdog's time
	 * (killing it at once could beat its own exit), then kill what is
	 * left of its group (a forked child that hangs). */
	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			abort();
		if (got == 0 && run_remaining_ms(&deadline) == 0) {
			r.timed_out = 1;
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (got == 0)
			poll(NULL, 0, 5);
	}
	kill(-pid, SIGKILL);
	r.signal = WIFEXITED(status) ? 0 : WTERMSIG(status);
	r.status = r.signal ? 128 + r.signal : WEXITSTATUS(status);
	r.out = out.text ? out.text : strdup("");
	r.len = out.len;
	r.err = err.text ? err.text : strdup("");
	return r;
}

void run_result_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

struct run_result run_program(char *const argv[], const char *preload,
			      const char *const *extra)
{
	struct run_opts o = {.argv = argv,
			     .env = extra,
			     .preload = preload,
			     .timeout_s = RUN_WRAPPER_TIMEOUT_S};
	struct run_result r = run_with(&o);

	/* Standard error stays visible in the test's log, as before. */
	fputs(r.err, stderr);
	return r;
}

void run_expect_ok(const char *preload, char *const argv[],
		   const char *const *extra, const char *want)
{
	struct run_result r = run_program(argv, preload, extra);

	cr_assert_eq(r.status, 0, "%s %s exited %d: %s", argv[0],
		     argv[1] ? argv[1] : "", r.status, r.out);
	cr_assert(strncmp(r.out, want, strlen(want)) == 0, "%s %s: %s", argv[0],
		  argv[1] ? argv[1] : "", r.out);
	run_result_free(&r);
}

int run_shell(const char *cmd, char *out, size_t len)
{
	char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
	struct run_opts o = {.argv = argv,
			     .keep_env = 1,
			     .timeout_s = RUN_WRAPPER_TIMEOUT_S};
	struct run_result r = run_with(&o);
	size_t n = r.len < len - 1 ? r.len : len - 1;
	int status = r.status;

	memcpy(out, r.out, n);
	out[n] = '\0';
	fputs(r.err, stderr);
	cr_assert(!r.timed_out, "timed out: %s\n%s", cmd, out);
	cr_assert(!r.signal, "killed: %s\n%s", cmd, out);
	run_result_free(&r);
	return status;
}

const char *test_need_env(const char *name)
{
	const char *value = getenv(name);

	cr_assert_not_null(value, "%s is not set (run through meson test)",
			   name);
	return value;
}

const char *test_aml_run_path(void)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/preload/aml-run",
		 test_need_env("AML_TEST_BUILD_ROOT"));
	return path;
}
