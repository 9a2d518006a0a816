/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one text writer: messages built without stdio, and the write that
 * every message of the shim (log, report) goes out through.
 */
#include <errno.h>
#include <string.h>
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

void text_write(int fd, const char *buf, size_t len)
{
	int saved = errno;
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf += n;
		len -= (size_t)n;
	}
	errno = saved;
}
