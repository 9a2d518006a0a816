/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's one text writer (base layer). Messages are built in a buffer
 * the caller owns (struct msg: no stdio, no allocation, safe before the
 * allocator is ready) and written out with text_write, which retries on
 * EINTR, keeps errno, never raises SIGPIPE and writes to standard error
 * only while it is the one of start-up.
 */
#ifndef AML_PRELOAD_TEXT_H
#define AML_PRELOAD_TEXT_H

#include <stddef.h>

/* Longest piece of a bad value quoted in a message. */
#define QUOTE_MAX 64

/* A message in the caller's buffer, always NUL-terminated; what does not
 * fit is dropped. */
struct msg {
	char *buf;
	size_t cap;
	size_t len;
};

/* An ASCII decimal digit (isdigit() reads the locale). */
static inline int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

void msg_init(struct msg *m, char *buf, size_t cap);
void msg_char(struct msg *m, char c);
/* Forget what was written after len. */
void msg_truncate(struct msg *m, size_t len);
void msg_str(struct msg *m, const char *s);
void msg_uint(struct msg *m, unsigned long long v);
/* s[0..len) in double quotes, unprintable bytes as \xNN, long text cut. */
void msg_quoted_len(struct msg *m, const char *s, size_t len);
void msg_quoted(struct msg *m, const char *s);

/* Remember what descriptor 2 is (at start-up): text_write writes there
 * only while it is still that file (same device and inode, checked before
 * each write), and not at all if it was closed. Nothing is kept open. */
void text_stderr_remember(void);

/* Write all of buf to fd, retrying on EINTR and short writes, with
 * SIGPIPE blocked (a reader gone is EPIPE, never a signal). Descriptor 2
 * is written only as text_stderr_remember says. The first failure on
 * another descriptor is said once on standard error. errno is left as it
 * was; returns 0 or the errno of the failure. */
int text_write(int fd, const char *buf, size_t len);

#endif /* AML_PRELOAD_TEXT_H */
