/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one text writer: messages built without stdio, and the write that
 * every message of the shim (log, report) goes out through: descriptor 2
 * only while it is still the standard error of start-up, never a
 * SIGPIPE, the first failure on a file said once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "text.h"

void msg_init(struct msg *m, char *buf, size_t cap)
{
	m->buf = buf;
	m->cap = buf ? cap : 0;
	m->len = 0;
	if (m->cap)
		buf[0] = '\0';
}

void msg_char(struct msg *m, char c)
{
	if (m->len + 1 >= m->cap)
		return;
	m->buf[m->len++] = c;
	m->buf[m->len] = '\0';
}

/* Forget what was written after len. */
void msg_truncate(struct msg *m, size_t len)
{
	m->len = len;
	if (m->cap)
		m->buf[len] = '\0';
}

void msg_str(struct msg *m, const char *s)
{
	while (*s)
		msg_char(m, *s++);
}

void msg_uint(struct msg *m, unsigned long long v)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		msg_char(m, digits[--n]);
}

/* s[0..len) in double quotes, unprintable bytes as \xNN, long text cut. */
void msg_quoted_len(struct msg *m, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	msg_char(m, '"');
	for (i = 0; i < len && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			msg_char(m, '\\');
			msg_char(m, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			msg_str(m, "\\x");
			msg_char(m, hex[c >> 4]);
			msg_char(m, hex[c & 15]);
		} else {
			msg_char(m, (char)c);
		}
	}
	if (len > QUOTE_MAX)
		msg_str(m, "...");
	msg_char(m, '"');
}

void msg_quoted(struct msg *m, const char *s)
{
	msg_quoted_len(m, s, strlen(s));
}

/* ------------------------------------------------------------------------
 * Writing
 */

/* Standard error as it was at start-up (text_stderr_remember): the shim
 * writes to descriptor 2 only while it is still that file. */
static struct {
	bool known; /* remembered */
	bool open;  /* descriptor 2 was open at start-up */
	dev_t dev;
	ino_t ino;
} start_stderr;

static atomic_int write_error_said;

void text_stderr_remember(void)
{
	struct stat st;

	if (fstat(STDERR_FILENO, &st) == 0) {
		start_stderr.dev = st.st_dev;
		start_stderr.ino = st.st_ino;
		start_stderr.open = true;
	}
	start_stderr.known = true;
}

/* Is descriptor 2 still the program's standard error of start-up? Not
 * when it was closed then (a daemon started with 2>&-: the program's
 * first open() takes descriptor 2), nor when the program put another
 * file there since. */
static bool stderr_is_ours(void)
{
	struct stat st;

	if (!start_stderr.known)
		return true; /* not asked for (aml-run): the process's own */
	if (!start_stderr.open)
		return false;
	return fstat(STDERR_FILENO, &st) == 0 &&
	       st.st_dev == start_stderr.dev && st.st_ino == start_stderr.ino;
}

/* Write all of buf, retrying on EINTR and short writes. 0 or the errno
 * of the failure. */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* write_all with SIGPIPE blocked for the calling thread: a reader gone
 * from a pipe makes the write fail with EPIPE, and the SIGPIPE the kernel
 * raises for it is taken back (unless one was pending already, which is
 * the program's) before the mask is restored. */
static int write_no_sigpipe(int fd, const char *buf, size_t len)
{
	static const struct timespec zero = {0, 0};
	sigset_t pipe_set, old, pending;
	bool was_pending;
	int err;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (pthread_sigmask(SIG_BLOCK, &pipe_set, &old) != 0)
		return write_all(fd, buf, len);
	was_pending = sigpending(&pending) == 0 &&
		      sigismember(&pending, SIGPIPE) == 1;
	err = write_all(fd, buf, len);
	if (err == EPIPE && !was_pending) {
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 &&
		       errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

/* The first failed write to a file (the report's) is said once on
 * standard error, if that is still the program's. */
static void write_error_say(int fd, int err)
{
	char line[128];
	struct msg m;

	if (atomic_exchange(&write_error_said, 1) != 0 || !stderr_is_ours())
		return;
	msg_init(&m, line, sizeof(line));
	msg_str(&m, "aml-preload: cannot write to descriptor ");
	msg_uint(&m, (unsigned long long)fd);
	msg_str(&m, " (errno ");
	msg_uint(&m, (unsigned long long)err);
	msg_str(&m, "): output lost\n");
	write_no_sigpipe(STDERR_FILENO, m.buf, m.len);
}

int text_write(int fd, const char *buf, size_t len)
{
	int saved = errno, err;

	if (fd < 0) {
		err = EBADF;
	} else if (fd == STDERR_FILENO) {
		/* Dropped unless descriptor 2 is still standard error; a
		 * failure there has nowhere to be said. */
		err = stderr_is_ours() ? write_no_sigpipe(fd, buf, len) : 0;
	} else {
		err = write_no_sigpipe(fd, buf, len);
		if (err)
			write_error_say(fd, err);
	}
	errno = saved;
	return err;
}
