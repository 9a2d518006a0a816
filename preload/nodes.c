/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Node masks and node lists (settings): numactl's node-list grammar, the
 * kernel's list format, and the nodes this process may use. No
 * allocation, no libnuma, no stdio (this runs inside the first malloc).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "nodes.h"

/* ------------------------------------------------------------------------
 * Node masks
 */

int node_isset(const unsigned long *mask, size_t node)
{
	return (mask[node / WORD_BITS] >> (node % WORD_BITS)) & 1UL;
}

void node_set(unsigned long *mask, size_t node)
{
	mask[node / WORD_BITS] |= 1UL << (node % WORD_BITS);
}

size_t node_count(const unsigned long *mask, size_t nwords)
{
	size_t i, n = 0;

	for (i = 0; i < nwords * WORD_BITS; i++)
		n += node_isset(mask, i);
	return n;
}

/* The mask in node-list syntax: "0-3,5"; "none" when empty. */
void msg_nodes(struct msg *m, const unsigned long *mask, size_t nwords)
{
	size_t nbits = nwords * WORD_BITS, i = 0, last;
	int first = 1;

	while (i < nbits) {
		if (!node_isset(mask, i)) {
			i++;
			continue;
		}
		for (last = i; last + 1 < nbits && node_isset(mask, last + 1);)
			last++;
		if (!first)
			msg_char(m, ',');
		msg_uint(m, i);
		if (last > i) {
			msg_char(m, '-');
			msg_uint(m, last);
		}
		first = 0;
		i = last + 1;
	}
	if (first)
		msg_str(m, "none");
}

/* ------------------------------------------------------------------------
 * Node lists: [!][+](all | N[-M](,N[-M])*), as numactl and libnuma read them
 */

struct nodelist {
	const char *pos;
	const char *end;
	const unsigned long *allowed;
	size_t nwords;
	int relative;
	struct msg *msg;
};

/* text is the node number as written: digits only, maybe very long. */
static void nodelist_not_allowed(struct nodelist *p, const char *text,
				 size_t len)
{
	size_t i;

	msg_str(p->msg, p->relative ? "relative node +" : "node ");
	for (i = 0; i < len && i < QUOTE_MAX; i++)
		msg_char(p->msg, text[i]);
	if (len > QUOTE_MAX)
		msg_str(p->msg, "...");
	msg_str(p->msg, " does not exist (allowed nodes: ");
	msg_nodes(p->msg, p->allowed, p->nwords);
	msg_char(p->msg, ')');
}

static void nodelist_expected(struct nodelist *p)
{
	msg_str(p->msg, "expected a node number, found ");
	if (p->pos == p->end)
		msg_str(p->msg, "the end");
	else
		msg_quoted_len(p->msg, p->pos, (size_t)(p->end - p->pos));
}

/* The n-th allowed node (relative numbering), or -1. */
long nth_allowed_of(const unsigned long *allowed, size_t nwords,
		    unsigned long n)
{
	size_t i;

	for (i = 0; i < nwords * WORD_BITS; i++)
		if (node_isset(allowed, i) && n-- == 0)
			return (long)i;
	return -1;
}

static long nth_allowed(const struct nodelist *p, unsigned long n)
{
	return nth_allowed_of(p->allowed, p->nwords, n);
}

/* One node number, checked against the allowed nodes. */
static int nodelist_node(struct nodelist *p, size_t *node)
{
	const char *start = p->pos;
	unsigned long long v = 0;
	int overflow = 0;
	long n;

	if (p->pos == p->end || !is_digit(*p->pos)) {
		nodelist_expected(p);
		return -1;
	}
	while (p->pos < p->end && is_digit(*p->pos)) {
		if (v > (ULLONG_MAX - 9) / 10)
			overflow = 1;
		else
			v = v * 10 + (unsigned long long)(*p->pos - '0');
		p->pos++;
	}
	if (*start == '0' && p->pos - start > 1) {
		msg_str(p->msg, "node number ");
		msg_quoted_len(p->msg, start, (size_t)(p->pos - start));
		msg_str(p->msg, " has a leading zero");
		return -1;
	}
	if (p->relative)
		n = overflow ? -1 : nth_allowed(p, (unsigned long)v);
	else if (overflow || v >= p->nwords * WORD_BITS ||
		 !node_isset(p->allowed, (size_t)v))
		n = -1;
	else
		n = (long)v;
	if (n < 0) {
		nodelist_not_allowed(p, start, (size_t)(p->pos - start));
		return -1;
	}
	*node = (size_t)n;
	return 0;
}

/* N or N-M; a range takes the allowed nodes between its ends. */
static int nodelist_item(struct nodelist *p, unsigned long *mask)
{
	const char *start = p->pos;
	size_t first, last, i;

	if (nodelist_node(p, &first) < 0)
		return -1;
	last = first;
	if (p->pos < p->end && *p->pos == '-') {
		p->pos++;
		if (nodelist_node(p, &last) < 0)
			return -1;
		if (last < first) {
			msg_str(p->msg, "range ");
			msg_quoted_len(p->msg, start, (size_t)(p->pos - start));
			msg_str(p->msg, " is reversed");
			return -1;
		}
	}
	for (i = first; i <= last; i++)
		if (node_isset(p->allowed, i))
			node_set(mask, i);
	return 0;
}

static int nodelist_items(struct nodelist *p, unsigned long *mask)
{
	size_t i;

	if (p->end - p->pos == 3 && !memcmp(p->pos, "all", 3)) {
		for (i = 0; i < p->nwords; i++)
			mask[i] = p->allowed[i];
		return 0;
	}
	for (;;) {
		if (nodelist_item(p, mask) < 0)
			return -1;
		if (p->pos == p->end)
			return 0;
		if (*p->pos != ',') {
			msg_str(p->msg, "unexpected ");
			msg_quoted_len(p->msg, p->pos,
				       (size_t)(p->end - p->pos));
			msg_str(p->msg, " after a node");
			return -1;
		}
		p->pos++;
	}
}

int nodelist_parse(const char *s, size_t len, unsigned long *mask,
		   size_t nwords, const unsigned long *allowed, struct msg *msg)
{
	struct nodelist p = {s, s + len, allowed, nwords, 0, msg};
	int invert = 0;
	size_t i;

	memset(mask, 0, nwords * sizeof(*mask));
	if (p.pos < p.end && *p.pos == '!') {
		invert = 1;
		p.pos++;
	}
	if (p.pos < p.end && *p.pos == '+') {
		p.relative = 1;
		p.pos++;
	}
	if (nodelist_items(&p, mask) < 0)
		goto fail;
	if (invert)
		for (i = 0; i < nwords; i++)
			mask[i] = allowed[i] & ~mask[i];
	if (node_count(mask, nwords) == 0) {
		msg_str(msg, "selects no node (allowed nodes: ");
		msg_nodes(msg, allowed, nwords);
		msg_char(msg, ')');
		goto fail;
	}
	return 0;
fail:
	memset(mask, 0, nwords * sizeof(*mask));
	return -1;
}

int shim_parse_nodelist(const char *s, unsigned long *mask, size_t nwords,
			const unsigned long *allowed, char *err, size_t errlen)
{
	struct msg msg;

	msg_init(&msg, err, errlen);
	if (s == NULL || mask == NULL || allowed == NULL || nwords == 0) {
		msg_str(&msg, "no node list");
		return -1;
	}
	return nodelist_parse(s, strlen(s), mask, nwords, allowed, &msg);
}

int number_parse(const char *s, size_t len, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]) || v > (ULONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* A list as the kernel writes it ("0-3,8-11\n", maybe just "\n") into
 * mask; bits past nwords words are dropped. 0 or -1. */
int kernel_list(const char *s, size_t len, unsigned long *mask, size_t nwords)
{
	const char *end = s + len, *item, *dash, *comma;
	unsigned long first, last, i;

	memset(mask, 0, nwords * sizeof(*mask));
	while (end > s && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (item = s; item < end; item = comma + 1) {
		comma = memchr(item, ',', (size_t)(end - item));
		if (comma == NULL)
			comma = end;
		dash = memchr(item, '-', (size_t)(comma - item));
		if (number_parse(item, (size_t)((dash ? dash : comma) - item),
				 &first) < 0)
			return -1;
		last = first;
		if (dash && number_parse(dash + 1, (size_t)(comma - dash - 1),
					 &last) < 0)
			return -1;
		for (i = first; i <= last && i < nwords * WORD_BITS; i++)
			node_set(mask, i);
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Allowed nodes: Mems_allowed_list of /proc/self/status
 */

#define STATUS_KEY "Mems_allowed_list:"

/* A kernel node list ("0-3,8"), never empty. */
static int kernel_nodelist(const char *s, size_t len, unsigned long *mask,
			   size_t nwords)
{
	if (kernel_list(s, len, mask, nwords) < 0 ||
	    node_count(mask, nwords) == 0)
		return -1;
	return 0;
}

/* Find the line in what was read so far; 1 found, 0 need more, -1 bad. */
static int status_scan(char *buf, size_t *len, unsigned long *mask,
		       size_t nwords)
{
	char *line = buf, *nl;
	size_t keylen = sizeof(STATUS_KEY) - 1;

	while ((nl = memchr(line, '\n', (size_t)(buf + *len - line)))) {
		if ((size_t)(nl - line) >= keylen &&
		    !memcmp(line, STATUS_KEY, keylen))
			return kernel_nodelist(line + keylen,
					       (size_t)(nl - line) - keylen,
					       mask, nwords) < 0
				       ? -1
				       : 1;
		line = nl + 1;
	}
	/* Keep the unfinished line for the next read. */
	*len = (size_t)(buf + *len - line);
	memmove(buf, line, *len);
	return 0;
}

int shim_allowed_nodes(unsigned long *mask, size_t nwords)
{
	char buf[4096];
	size_t len = 0;
	ssize_t got;
	int fd, found = 0, saved_errno = errno;

	if (mask == NULL || nwords == 0)
		return -1;
	memset(mask, 0, nwords * sizeof(*mask));
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = saved_errno;
		return -1;
	}
	while (!found) {
		if (len == sizeof(buf))
			break; /* a line longer than the buffer */
		got = read(fd, buf + len, sizeof(buf) - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
		found = status_scan(buf, &len, mask, nwords);
	}
	close(fd);
	errno = saved_errno; /* this may run inside malloc */
	return found == 1 ? 0 : -1;
}
