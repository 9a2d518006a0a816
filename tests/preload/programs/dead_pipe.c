/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dead_pipe PROGRAM ARGS...: run PROGRAM with its standard error on a pipe
 * whose reader is gone (closed before the program starts), SIGPIPE at its
 * default action, and print how it ended: "exit N" or "signal N".
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fds[2], status;
	pid_t pid;

	if (argc < 2 || pipe(fds) != 0)
		return 2;
	close(fds[0]);
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(fds[1], 2);
		close(fds[1]);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	if (WIFSIGNALED(status))
		printf("signal %d\n", WTERMSIG(status));
	else
		printf("exit %d\n", WEXITSTATUS(status));
	return 0;
}
