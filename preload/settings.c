/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's settings: one table (name, type, default, help, parser) and the
 * parsers it names. This runs inside the first malloc of the process, maybe
 * while libnuma's constructor runs: no allocation, no libnuma, no stdio.
 * Messages are built in the caller's buffer by the writer of text.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "settings.h"
#include "text.h"

#define WORD_BITS (8 * sizeof(unsigned long))

/* ------------------------------------------------------------------------
 * Node masks
 */

static int node_isset(const unsigned long *mask, size_t node)
{
	return (mask[node / WORD_BITS] >> (node % WORD_BITS)) & 1UL;
}

static void node_set(unsigned long *mask, size_t node)
{
	mask[node / WORD_BITS] |= 1UL << (node % WORD_BITS);
}

static size_t node_count(const unsigned long *mask, size_t nwords)
{
	size_t i, n = 0;

	for (i = 0; i < nwords * WORD_BITS; i++)
		n += node_isset(mask, i);
	return n;
}

/* The mask in node-list syntax: "0-3,5"; "none" when empty. */
static void msg_nodes(struct msg *m, const unsigned long *mask, size_t nwords)
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

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

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
static long nth_allowed_of(const unsigned long *allowed, size_t nwords,
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

static int nodelist_parse(const char *s, size_t len, unsigned long *mask,
			  size_t nwords, const unsigned long *allowed,
			  struct msg *msg)
{
	struct nodelist p = { s, s + len, allowed, nwords, 0, msg };
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
			const unsigned long *allowed, char *err,
			size_t errlen)
{
	struct msg msg;

	msg_init(&msg, err, errlen);
	if (s == NULL || mask == NULL || allowed == NULL || nwords == 0) {
		msg_str(&msg, "no node list");
		return -1;
	}
	return nodelist_parse(s, strlen(s), mask, nwords, allowed, &msg);
}

/* ------------------------------------------------------------------------
 * Where the process runs: its local rank (the launchers' variables), its
 * CPUs (sched_getaffinity) and their nodes and distances (/sys). Read with
 * raw open/read into stack buffers, like Mems_allowed_list below.
 */

#define SHIM_MAX_CPUS 8192
#define CPU_WORDS (SHIM_MAX_CPUS / WORD_BITS)
#define NODE_SYSFS "/sys/devices/system/node/"
#define NO_DISTANCE UINT_MAX

/* Launchers first, batch systems last: mpirun inside a Slurm job inherits
 * the job step's SLURM_LOCALID (0 in every rank) and sets its own. PMIx
 * exports no local rank (PMIX_RANK is the global one; PMIX_LOCAL_RANK is a
 * key for PMIx_Get, not a variable); its launchers set theirs. */
static const char *const local_rank_vars[] = {
	"OMPI_COMM_WORLD_LOCAL_RANK", /* Open MPI (mpirun, prterun) */
	"MPI_LOCALRANKID",            /* MPICH and Intel MPI (Hydra) */
	"SLURM_LOCALID",              /* Slurm (srun) */
	"PMI_LOCAL_RANK",             /* Cray PMI */
	"MV2_COMM_WORLD_LOCAL_RANK",  /* MVAPICH2 */
	"PALS_LOCAL_RANKID",          /* HPE PALS (aprun's successor) */
	"FLUX_TASK_LOCAL_ID",         /* Flux */
	NULL,
};

/* The whole small file at path into buf, NUL-terminated; its length or
 * -1. errno is kept: this may run inside malloc. */
static long file_read(const char *path, char *buf, size_t cap)
{
	int fd, saved_errno = errno;
	size_t len = 0;
	ssize_t got;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = saved_errno;
		return -1;
	}
	while (len + 1 < cap) {
		got = read(fd, buf + len, cap - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	buf[len] = '\0';
	errno = saved_errno;
	return got < 0 ? -1 : (long)len;
}

/* NODE_SYSFS "nodeN/leaf" (or NODE_SYSFS "leaf" when node < 0). */
static long node_file_read(long node, const char *leaf, char *buf,
			   size_t cap)
{
	char path[96];
	struct msg m;

	msg_init(&m, path, sizeof(path));
	msg_str(&m, NODE_SYSFS);
	if (node >= 0) {
		msg_str(&m, "node");
		msg_uint(&m, (unsigned long long)node);
		msg_char(&m, '/');
	}
	msg_str(&m, leaf);
	return file_read(path, buf, cap);
}

/* A decimal number without sign or leading zero; 0 or -1. */
static int number_parse(const char *s, size_t len, unsigned long *out)
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
static int kernel_list(const char *s, size_t len, unsigned long *mask,
		       size_t nwords)
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

static int masks_meet(const unsigned long *a, const unsigned long *b,
		      size_t nwords)
{
	size_t i;

	for (i = 0; i < nwords; i++)
		if (a[i] & b[i])
			return 1;
	return 0;
}

/* The CPUs this process may run on. 0 or -1. */
static int process_cpus(unsigned long *cpus)
{
	int saved_errno = errno;
	long n;

	memset(cpus, 0, CPU_WORDS * sizeof(*cpus));
	n = syscall(SYS_sched_getaffinity, 0, CPU_WORDS * sizeof(*cpus),
		    cpus);
	errno = saved_errno;
	return n < 0 ? -1 : 0;
}

/* The online nodes whose CPUs meet cpus. -1 when /sys has no node
 * directory (a kernel without NUMA: everything is node 0). */
static int cpu_nodes(const unsigned long *cpus, unsigned long *nodes,
		     unsigned long *online)
{
	unsigned long node_cpus[CPU_WORDS];
	char buf[4096];
	size_t i;

	memset(nodes, 0, SHIM_NODE_WORDS * sizeof(*nodes));
	if (node_file_read(-1, "online", buf, sizeof(buf)) < 0 ||
	    kernel_list(buf, strlen(buf), online, SHIM_NODE_WORDS) < 0)
		return -1;
	for (i = 0; i < SHIM_MAX_NODES; i++) {
		if (!node_isset(online, i) ||
		    node_file_read((long)i, "cpulist", buf, sizeof(buf)) < 0 ||
		    kernel_list(buf, strlen(buf), node_cpus, CPU_WORDS) < 0)
			continue;
		if (masks_meet(cpus, node_cpus, CPU_WORDS))
			node_set(nodes, i);
	}
	return 0;
}

/* What the placement forms resolve from: the process's CPUs, the nodes
 * they sit on (home), and the online nodes. */
struct whereabouts {
	unsigned long cpus[CPU_WORDS];
	unsigned long home[SHIM_NODE_WORDS];
	unsigned long online[SHIM_NODE_WORDS];
	int known; /* home and online were read from /sys */
};

static int whereabouts_read(struct whereabouts *w, struct msg *msg)
{
	if (process_cpus(w->cpus) < 0) {
		msg_str(msg, "cannot read this process's CPU affinity");
		return -1;
	}
	w->known = cpu_nodes(w->cpus, w->home, w->online) == 0 &&
		   node_count(w->home, SHIM_NODE_WORDS) > 0;
	return 0;
}

/* "CPUs 2-3 on node 1", or "CPUs 0-1" when /sys says nothing. */
static void msg_whereabouts(struct msg *m, const struct whereabouts *w)
{
	msg_str(m, "CPUs ");
	msg_nodes(m, w->cpus, CPU_WORDS);
	if (!w->known)
		return;
	msg_str(m, node_count(w->home, SHIM_NODE_WORDS) > 1 ? " on nodes " :
							       " on node ");
	msg_nodes(m, w->home, SHIM_NODE_WORDS);
}

/* dist[n] = the smallest distance from a home node to node n, from the
 * home nodes' distance files (one number per online node, in order). */
static void distances_read(const struct whereabouts *w, unsigned int *dist)
{
	char buf[8192];
	const char *s;
	size_t h, n;
	unsigned long v;

	for (n = 0; n < SHIM_MAX_NODES; n++)
		dist[n] = NO_DISTANCE;
	for (h = 0; w->known && h < SHIM_MAX_NODES; h++) {
		if (!node_isset(w->home, h) ||
		    node_file_read((long)h, "distance", buf, sizeof(buf)) < 0)
			continue;
		s = buf;
		for (n = 0; n < SHIM_MAX_NODES; n++) {
			if (!node_isset(w->online, n))
				continue;
			while (*s == ' ')
				s++;
			for (v = 0; is_digit(*s); s++)
				v = v * 10 + (unsigned long)(*s - '0');
			if (v < dist[n])
				dist[n] = (unsigned int)v;
		}
	}
}

/* ------------------------------------------------------------------------
 * The placement forms: @local-rank, @local-rank=MAP, @cpu-local,
 * @nearest[=K]. Each gives a node mask within the allowed nodes and notes
 * how it got there ("@local-rank -> node 1 (...)") for --dry-run.
 */

struct form {
	const char *text; /* the whole form as written */
	size_t len;
	const char *arg;  /* after '=', or NULL */
	size_t arglen;
	const unsigned long *allowed;
	unsigned long *mask;
	struct msg *msg;
	struct msg *note;
};

static void msg_rank_vars(struct msg *m)
{
	const char *const *var;

	for (var = local_rank_vars; *var; var++) {
		if (var != local_rank_vars)
			msg_str(m, ", ");
		msg_str(m, *var);
	}
}

/* The first launcher variable that is set; a set one that is not a rank
 * is an error, not a reason to look further. */
static int local_rank(shim_getter get, void *ctx, unsigned long *rank,
		      const char **from, struct msg *msg)
{
	const char *const *var;
	const char *value;

	for (var = local_rank_vars; *var; var++) {
		value = get(*var, ctx);
		if (value == NULL)
			continue;
		*from = *var;
		if (number_parse(value, strlen(value), rank) == 0)
			return 0;
		msg_str(msg, *var);
		msg_char(msg, '=');
		msg_quoted(msg, value);
		msg_str(msg, " is not a local rank (a number from 0)");
		return -1;
	}
	msg_str(msg, "no local rank in the environment (looked for ");
	msg_rank_vars(msg);
	msg_str(msg, "; run under mpirun or srun)");
	return -1;
}

static void note_start(struct form *f)
{
	if (f->note->len)
		msg_str(f->note, "; ");
	msg_quoted_len(f->note, f->text, f->len);
	msg_str(f->note, node_count(f->mask, SHIM_NODE_WORDS) > 1 ?
				 " -> nodes " : " -> node ");
	msg_nodes(f->note, f->mask, SHIM_NODE_WORDS);
	msg_str(f->note, " (");
}

/* @local-rank=LIST|LIST|...: rank r takes list r mod n. Every list is
 * checked, so a typo shows in every rank, not just the one it hits. */
static int form_rank_map(struct form *f, unsigned long rank)
{
	unsigned long scratch[SHIM_NODE_WORDS];
	const char *s = f->arg, *end = f->arg + f->arglen, *bar;
	size_t prefix = f->msg->len;
	unsigned long n = 1, pick, i;

	for (bar = s; bar < end; bar++)
		n += *bar == '|';
	pick = rank % n;
	for (i = 0; i < n; i++, s = bar + 1) {
		bar = memchr(s, '|', (size_t)(end - s));
		if (bar == NULL)
			bar = end;
		if (bar == s) {
			msg_str(f->msg, "entry ");
			msg_uint(f->msg, i);
			msg_str(f->msg, " of the rank map is empty");
			return -1;
		}
		msg_str(f->msg, "entry ");
		msg_uint(f->msg, i);
		msg_str(f->msg, " of the rank map: ");
		if (nodelist_parse(s, (size_t)(bar - s),
				   i == pick ? f->mask : scratch,
				   SHIM_NODE_WORDS, f->allowed, f->msg) < 0)
			return -1;
		msg_truncate(f->msg, prefix);
	}
	return (int)n;
}

static int form_local_rank(struct form *f, shim_getter get, void *ctx)
{
	const char *from = NULL;
	unsigned long rank, n;
	int entries = 0;

	if (local_rank(get, ctx, &rank, &from, f->msg) < 0)
		return -1;
	if (f->arg) {
		entries = form_rank_map(f, rank);
		if (entries < 0)
			return -1;
	} else {
		n = node_count(f->allowed, SHIM_NODE_WORDS);
		node_set(f->mask, (size_t)nth_allowed_of(f->allowed, SHIM_NODE_WORDS,
							  rank % n));
	}
	note_start(f);
	msg_str(f->note, "local rank ");
	msg_uint(f->note, rank);
	msg_str(f->note, " from ");
	msg_str(f->note, from);
	if (entries) {
		msg_str(f->note, ", entry ");
		msg_uint(f->note, rank % (unsigned long)entries);
		msg_str(f->note, " of ");
		msg_uint(f->note, (unsigned long long)entries);
	} else {
		msg_str(f->note, " of allowed nodes ");
		msg_nodes(f->note, f->allowed, SHIM_NODE_WORDS);
	}
	msg_char(f->note, ')');
	return 0;
}

static int form_cpu_local(struct form *f)
{
	struct whereabouts w;
	size_t i;

	if (f->arg) {
		msg_str(f->msg, "@cpu-local takes no argument");
		return -1;
	}
	if (whereabouts_read(&w, f->msg) < 0)
		return -1;
	for (i = 0; i < SHIM_NODE_WORDS; i++)
		f->mask[i] = w.known ? w.home[i] & f->allowed[i] :
				       f->allowed[i];
	if (node_count(f->mask, SHIM_NODE_WORDS) == 0) {
		msg_str(f->msg, "no allowed node holds this process's ");
		msg_whereabouts(f->msg, &w);
		msg_str(f->msg, " (allowed nodes: ");
		msg_nodes(f->msg, f->allowed, SHIM_NODE_WORDS);
		msg_str(f->msg, "; @nearest picks the nearest instead)");
		return -1;
	}
	note_start(f);
	msg_whereabouts(f->note, &w);
	msg_char(f->note, ')');
	return 0;
}

/* The allowed node with the smallest (distance, number) not in mask. */
static long nearest_next(const unsigned long *allowed,
			 const unsigned long *mask, const unsigned int *dist)
{
	long best = -1;
	size_t n;

	for (n = 0; n < SHIM_MAX_NODES; n++)
		if (node_isset(allowed, n) && !node_isset(mask, n) &&
		    (best < 0 || dist[n] < dist[best]))
			best = (long)n;
	return best;
}

static int form_nearest(struct form *f)
{
	unsigned int dist[SHIM_MAX_NODES];
	unsigned long k = 1, i;
	struct whereabouts w;
	long n;

	if (f->arg && (number_parse(f->arg, f->arglen, &k) < 0 || k == 0)) {
		msg_str(f->msg, "@nearest=K takes a number of nodes from 1, "
				"not ");
		msg_quoted_len(f->msg, f->arg, f->arglen);
		return -1;
	}
	if (whereabouts_read(&w, f->msg) < 0)
		return -1;
	distances_read(&w, dist);
	for (i = 0; i < k; i++) {
		n = nearest_next(f->allowed, f->mask, dist);
		if (n < 0)
			break; /* fewer allowed nodes than K */
		node_set(f->mask, (size_t)n);
	}
	note_start(f);
	msg_whereabouts(f->note, &w);
	msg_str(f->note, w.known ? ", by distance)" :
				   ", no distances: by number)");
	return 0;
}

/* ------------------------------------------------------------------------
 * Sizes: decimal bytes with an optional K, M, G or T (1024-based)
 */

enum size_status { SIZE_OK, SIZE_BAD, SIZE_TOO_LARGE };

static enum size_status size_parse(const char *s, size_t len, size_t *out)
{
	size_t i = 0, v = 0, shift = 0;

	if (len == 0 || !is_digit(s[0]))
		return SIZE_BAD;
	for (; i < len && is_digit(s[i]); i++) {
		size_t d = (size_t)(s[i] - '0');

		if (v > (SIZE_MAX - d) / 10)
			return SIZE_TOO_LARGE;
		v = v * 10 + d;
	}
	if (i + 1 == len) {
		switch (s[i]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		default: return SIZE_BAD;
		}
	} else if (i != len) {
		return SIZE_BAD;
	}
	if (shift && v > (SIZE_MAX >> shift))
		return SIZE_TOO_LARGE;
	*out = v << shift;
	return SIZE_OK;
}

int shim_parse_size(const char *s, size_t *out)
{
	size_t v;

	if (s == NULL || out == NULL)
		return -1;
	if (size_parse(s, strlen(s), &v) != SIZE_OK)
		return -1;
	*out = v;
	return 0;
}

static int size_bound(const char *s, size_t len, size_t *out,
		      struct msg *msg)
{
	switch (size_parse(s, len, out)) {
	case SIZE_OK:
		return 0;
	case SIZE_TOO_LARGE:
		msg_str(msg, "size ");
		msg_quoted_len(msg, s, len);
		msg_str(msg, " is too large");
		return -1;
	default:
		msg_str(msg, "bad size ");
		msg_quoted_len(msg, s, len);
		msg_str(msg, " (a number of bytes with an optional K, M or G)");
		return -1;
	}
}

/* MIN, MIN<sep>MAX, MIN<sep> or <sep>MAX, both ends inclusive. */
static int size_range_parse(const char *s, size_t len, char sep,
			    size_t *min, size_t *max, struct msg *msg)
{
	const char *mark = memchr(s, sep, len);
	size_t minlen = mark ? (size_t)(mark - s) : len;
	size_t maxlen = mark ? len - minlen - 1 : 0;

	*min = 0;
	*max = SIZE_MAX;
	if (mark && minlen == 0 && maxlen == 0) {
		msg_str(msg, "size range ");
		msg_quoted_len(msg, s, len);
		msg_str(msg, " has no bound");
		return -1;
	}
	if (minlen && size_bound(s, minlen, min, msg) < 0)
		return -1;
	if (maxlen && size_bound(mark + 1, maxlen, max, msg) < 0)
		return -1;
	if (*min > *max) {
		msg_str(msg, "minimum ");
		msg_quoted_len(msg, s, minlen);
		msg_str(msg, " is above maximum ");
		msg_quoted_len(msg, mark + 1, maxlen);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Policies, levels, booleans
 */

struct word {
	const char *text;
	int value;
};

static const struct word policy_words[] = {
	{ "bind", AML_AREA_LINUX_POLICY_BIND },
	{ "membind", AML_AREA_LINUX_POLICY_BIND },
	{ "preferred", AML_AREA_LINUX_POLICY_PREFERRED },
	{ "interleave", AML_AREA_LINUX_POLICY_INTERLEAVE },
	{ "default", AML_AREA_LINUX_POLICY_DEFAULT },
	{ "local", AML_AREA_LINUX_POLICY_DEFAULT },
	{ NULL, 0 },
};

static const struct word level_words[] = {
	{ "quiet", 0 }, { "warn", 1 }, { "info", 2 }, { "debug", 3 },
	{ "0", 0 },     { "1", 1 },    { "2", 2 },    { "3", 3 },
	{ NULL, 0 },
};

static const struct word bool_words[] = {
	{ "1", 1 },   { "yes", 1 }, { "true", 1 },  { "on", 1 },
	{ "0", 0 },   { "no", 0 },  { "false", 0 }, { "off", 0 },
	{ NULL, 0 },
};

static int word_find(const struct word *words, const char *s, size_t len,
		     int *value)
{
	for (; words->text; words++) {
		if (strlen(words->text) == len && !memcmp(words->text, s, len)) {
			*value = words->value;
			return 0;
		}
	}
	return -1;
}

static int policy_parse(const char *s, size_t len,
			enum aml_area_linux_policy *policy, struct msg *msg)
{
	int value;

	if (word_find(policy_words, s, len, &value) < 0) {
		msg_str(msg, "unknown policy ");
		msg_quoted_len(msg, s, len);
		msg_str(msg, " (use bind, preferred, interleave or default)");
		return -1;
	}
	*policy = (enum aml_area_linux_policy)value;
	return 0;
}

/* ------------------------------------------------------------------------
 * Rules: checks and text
 */

/* preferred takes one node, default none; bind and interleave any. */
static int rule_check_nodes(const struct shim_rule *rule, struct msg *msg)
{
	size_t n = node_count(rule->nodes, SHIM_NODE_WORDS);

	if (rule->policy == AML_AREA_LINUX_POLICY_PREFERRED && n != 1) {
		msg_str(msg, "policy preferred takes exactly one node, not ");
		msg_nodes(msg, rule->nodes, SHIM_NODE_WORDS);
		return -1;
	}
	if (rule->policy == AML_AREA_LINUX_POLICY_DEFAULT && n != 0) {
		msg_str(msg, "policy default takes no nodes");
		return -1;
	}
	return 0;
}

/* Nodes when none are given: all allowed ones, none for default. */
static void rule_default_nodes(struct shim_rule *rule,
			       const unsigned long *allowed)
{
	if (rule->policy == AML_AREA_LINUX_POLICY_DEFAULT ||
	    rule->policy == AML_AREA_LINUX_POLICY_PREFERRED)
		memset(rule->nodes, 0, sizeof(rule->nodes));
	else
		memcpy(rule->nodes, allowed, sizeof(rule->nodes));
}

static void msg_size(struct msg *m, size_t v)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && v && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	msg_uint(m, v);
	if (u >= 0)
		msg_char(m, units[u]);
}

int shim_rule_find(const struct shim_config *cfg, size_t size)
{
	int i;

	for (i = 0; i < cfg->nrules; i++)
		if (size >= cfg->rules[i].min_size &&
		    size <= cfg->rules[i].max_size)
			return i;
	return -1;
}

size_t shim_rule_format(const struct shim_rule *rule, char *buf, size_t len)
{
	char scratch[1];
	struct msg m;

	msg_init(&m, len ? buf : scratch, len ? len : sizeof(scratch));
	msg_str(&m, aml_area_linux_policy_name(rule->policy));
	if (rule->policy != AML_AREA_LINUX_POLICY_DEFAULT) {
		msg_str(&m, " nodes ");
		msg_nodes(&m, rule->nodes, SHIM_NODE_WORDS);
	}
	msg_str(&m, " sizes ");
	if (rule->min_size == 0 && rule->max_size == SIZE_MAX) {
		msg_str(&m, "all");
		return m.len;
	}
	if (rule->min_size)
		msg_size(&m, rule->min_size);
	msg_char(&m, '-');
	if (rule->max_size != SIZE_MAX)
		msg_size(&m, rule->max_size);
	return m.len;
}

/* ------------------------------------------------------------------------
 * The table's parsers. They fill a draft; shim_settings_parse() then turns
 * AML_POLICY/AML_NODES/AML_SIZE into rule 0, or takes AML_RULES.
 */

struct shim_draft {
	struct shim_config *cfg;
	const unsigned long *allowed;
	struct msg *msg;
	int single;          /* AML_POLICY, AML_NODES or AML_SIZE given */
	int has_policy;
	int has_nodes;
	int has_rules;
	struct shim_rule rule; /* the single form, rule 0 */
	shim_getter get;     /* the launchers' variables for @local-rank */
	void *ctx;
	struct msg *note;    /* how @forms resolved, into cfg->resolved */
};

/* A node field: a numactl list, or a placement form resolved here. */
static int nodes_parse(struct shim_draft *d, const char *s, size_t len,
		       unsigned long *mask)
{
	const char *eq = memchr(s, '=', len);
	size_t namelen = eq ? (size_t)(eq - s) : len;
	struct form f = { s, len, eq ? eq + 1 : NULL,
			  eq ? len - namelen - 1 : 0, d->allowed, mask,
			  d->msg, d->note };
	int ret;

	if (len == 0 || s[0] != '@')
		return nodelist_parse(s, len, mask, SHIM_NODE_WORDS,
				      d->allowed, d->msg);
	memset(mask, 0, SHIM_NODE_WORDS * sizeof(*mask));
	if (namelen == 11 && !memcmp(s, "@local-rank", 11)) {
		ret = form_local_rank(&f, d->get, d->ctx);
	} else if (namelen == 10 && !memcmp(s, "@cpu-local", 10)) {
		ret = form_cpu_local(&f);
	} else if (namelen == 8 && !memcmp(s, "@nearest", 8)) {
		ret = form_nearest(&f);
	} else {
		msg_str(d->msg, "unknown placement form ");
		msg_quoted_len(d->msg, s, namelen);
		msg_str(d->msg, " (use @local-rank, @local-rank=LIST|LIST..., "
				"@cpu-local or @nearest[=K])");
		ret = -1;
	}
	if (ret < 0)
		memset(mask, 0, SHIM_NODE_WORDS * sizeof(*mask));
	return ret;
}

static int parse_policy(struct shim_draft *d, const char *value)
{
	d->single = d->has_policy = 1;
	return policy_parse(value, strlen(value), &d->rule.policy, d->msg);
}

static int parse_nodes(struct shim_draft *d, const char *value)
{
	d->single = d->has_nodes = 1;
	return nodes_parse(d, value, strlen(value), d->rule.nodes);
}

static int parse_size(struct shim_draft *d, const char *value)
{
	d->single = 1;
	return size_range_parse(value, strlen(value), ':', &d->rule.min_size,
				&d->rule.max_size, d->msg);
}

/* One rule, POLICY[:NODES[:SIZES]], from s[0..len). */
static int rule_parse(struct shim_draft *d, const char *s, size_t len,
		      struct shim_rule *rule)
{
	const char *end = s + len, *field[3], *colon;
	size_t flen[3] = { 0, 0, 0 };
	int n = 0;

	for (;;) {
		colon = memchr(s, ':', (size_t)(end - s));
		if (n == 3) {
			msg_str(d->msg, "too many fields (POLICY:NODES:SIZES)");
			return -1;
		}
		field[n] = s;
		flen[n++] = colon ? (size_t)(colon - s) : (size_t)(end - s);
		if (!colon)
			break;
		s = colon + 1;
	}
	if (policy_parse(field[0], flen[0], &rule->policy, d->msg) < 0)
		return -1;
	rule_default_nodes(rule, d->allowed);
	if (n > 1 && flen[1] &&
	    nodes_parse(d, field[1], flen[1], rule->nodes) < 0)
		return -1;
	if (rule_check_nodes(rule, d->msg) < 0)
		return -1;
	rule->min_size = 0;
	rule->max_size = SIZE_MAX;
	if (n > 2 && flen[2])
		return size_range_parse(field[2], flen[2], '-',
					&rule->min_size, &rule->max_size,
					d->msg);
	return 0;
}

static int parse_rules(struct shim_draft *d, const char *value)
{
	struct shim_config *cfg = d->cfg;
	const char *s = value, *semi;
	size_t len, prefix = d->msg->len;

	d->has_rules = 1;
	cfg->nrules = 0;
	for (;;) {
		semi = strchr(s, ';');
		len = semi ? (size_t)(semi - s) : strlen(s);
		if (cfg->nrules == SHIM_MAX_RULES) {
			msg_str(d->msg, "more than ");
			msg_uint(d->msg, SHIM_MAX_RULES);
			msg_str(d->msg, " rules");
			return -1;
		}
		msg_str(d->msg, "rule ");
		msg_uint(d->msg, (unsigned long long)cfg->nrules);
		msg_char(d->msg, ' ');
		msg_quoted_len(d->msg, s, len);
		msg_str(d->msg, ": ");
		if (len == 0) {
			msg_str(d->msg, "empty rule");
			return -1;
		}
		if (rule_parse(d, s, len, &cfg->rules[cfg->nrules]) < 0)
			return -1;
		cfg->nrules++;
		/* Forget the "rule N: " prefix of a rule that parsed. */
		d->msg->len = prefix;
		if (d->msg->cap)
			d->msg->buf[prefix] = '\0';
		if (!semi)
			return 0;
		s = semi + 1;
	}
}

static int parse_bool(const char *value, int *out, struct msg *msg)
{
	if (word_find(bool_words, value, strlen(value), out) == 0)
		return 0;
	msg_str(msg, "not a boolean (use 1 or 0)");
	return -1;
}

static int parse_mmap(struct shim_draft *d, const char *value)
{
	return parse_bool(value, &d->cfg->route_mmap, d->msg);
}

static int parse_log(struct shim_draft *d, const char *value)
{
	if (word_find(level_words, value, strlen(value),
		      &d->cfg->log_level) == 0)
		return 0;
	msg_str(d->msg, "unknown log level (use quiet, warn, info, debug "
			"or 0-3)");
	return -1;
}

static int parse_strict(struct shim_draft *d, const char *value)
{
	if (parse_bool(value, &d->cfg->strict, d->msg) == 0)
		return 0;
	d->cfg->strict = 1; /* whoever wrote something meant strict */
	return -1;
}

/* Milliseconds, or -1 for never. */
static int parse_ms(struct shim_draft *d, const char *value, long *out)
{
	size_t v;

	if (strcmp(value, "-1") == 0) {
		*out = -1;
		return 0;
	}
	if (size_parse(value, strlen(value), &v) != SIZE_OK ||
	    value[strlen(value) - 1] < '0' || value[strlen(value) - 1] > '9' ||
	    v > 86400000) {
		msg_str(d->msg, "not a number of milliseconds from 0 to "
				"86400000, or -1 for never");
		return -1;
	}
	*out = (long)v;
	return 0;
}

static int parse_big_decay(struct shim_draft *d, const char *value)
{
	return parse_ms(d, value, &d->cfg->big_decay_ms);
}

static int parse_dirty_decay(struct shim_draft *d, const char *value)
{
	return parse_ms(d, value, &d->cfg->dirty_decay_ms);
}

static int parse_big_cache(struct shim_draft *d, const char *value)
{
	if (size_parse(value, strlen(value), &d->cfg->big_cache) == SIZE_OK)
		return 0;
	msg_str(d->msg, "not a size (bytes with K, M or G)");
	return -1;
}

/* "%p" (the process id) and "%%" are the only escapes of a report path. */
static int report_path_check(const char *value, struct msg *msg)
{
	const char *s;

	if (strlen(value) >= sizeof(((struct shim_config *)0)->report_path)) {
		msg_str(msg, "report path too long (at most ");
		msg_uint(msg, sizeof(((struct shim_config *)0)->report_path) -
				      1);
		msg_str(msg, " bytes)");
		return -1;
	}
	for (s = value; *s; s++) {
		if (*s != '%')
			continue;
		if (s[1] != 'p' && s[1] != '%') {
			msg_str(msg, "unknown escape ");
			msg_quoted_len(msg, s, s[1] ? 2 : 1);
			msg_str(msg, " (use %p for the process id, %% for %)");
			return -1;
		}
		s++;
	}
	return 0;
}

static int parse_report(struct shim_draft *d, const char *value)
{
	struct shim_config *cfg = d->cfg;
	int on;

	if (!strcmp(value, "stderr")) {
		on = 1;
	} else if (word_find(bool_words, value, strlen(value), &on) < 0) {
		if (report_path_check(value, d->msg) < 0)
			return -1;
		strcpy(cfg->report_path, value);
		cfg->report = 1;
		return 0;
	}
	cfg->report = on;
	cfg->report_path[0] = '\0';
	return 0;
}

const struct shim_setting shim_settings[] = {
	{ "AML_POLICY", "policy", "bind if AML_NODES is set, else default",
	  "placement policy: bind, preferred, interleave or default "
	  "(numactl's membind and local too)",
	  parse_policy },
	{ "AML_NODES", "node list", "all allowed nodes",
	  "nodes of the policy, numactl syntax: 0-3,5  all  !1  +0-1; or "
	  "per process: @local-rank  @cpu-local  @nearest[=K]",
	  parse_nodes },
	{ "AML_SIZE", "size range", "all sizes",
	  "MIN[:MAX] bytes with K/M/G suffixes: only allocations in range "
	  "are placed",
	  parse_size },
	{ "AML_RULES", "rule list", "none",
	  "several areas, first match wins: POLICY[:NODES[:MIN-MAX]];... "
	  "(instead of AML_POLICY/AML_NODES/AML_SIZE)",
	  parse_rules },
	{ "AML_MMAP", "bool", "1",
	  "route anonymous private mmap through the rules too",
	  parse_mmap },
	{ "AML_REPORT", "report", "0",
	  "placement report at exit: 0, 1 or stderr, or a file path "
	  "(%p: process id)",
	  parse_report },
	{ "AML_LOG", "log level", "warn",
	  "quiet, warn, info or debug (or 0-3)",
	  parse_log },
	{ "AML_STRICT", "bool", "0",
	  "stop the program at start-up on an invalid setting instead of "
	  "warning and running with default placement",
	  parse_strict },
	{ "AML_BIG_DECAY_MS", "milliseconds", "10000",
	  "freed big blocks (4 MiB and up) stay mapped and bound for reuse "
	  "at most this long before going back to the kernel (checked at each "
	  "big allocation or free); 0: at once, -1: no limit",
	  parse_big_decay },
	{ "AML_BIG_CACHE", "size", "128M",
	  "freed big-block bytes kept resident per placement; beyond it, the "
	  "oldest go back to the kernel (and when the small-object heap "
	  "grows, the oldest give up their pages first)",
	  parse_big_cache },
	{ "AML_DIRTY_DECAY_MS", "milliseconds", "10000",
	  "freed pages of the other blocks (below 4 MiB) stay mapped for "
	  "reuse, going back to the kernel gradually over this time "
	  "(jemalloc's dirty decay); shorter: lower RSS, more page faults; "
	  "0: at once, -1: never",
	  parse_dirty_decay },
};
const size_t shim_settings_count = sizeof(shim_settings) /
				   sizeof(shim_settings[0]);

/* ------------------------------------------------------------------------
 * The whole configuration
 */

static void config_defaults(struct shim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->route_mmap = 1;
	cfg->log_level = 1;
	cfg->big_decay_ms = 10000;
	cfg->big_cache = (size_t)128 << 20;
	cfg->dirty_decay_ms = 10000;
}

/* Only the first problem is kept; later settings still parse. */
static int setting_apply(struct shim_draft *d, const struct shim_setting *set,
			 const char *value)
{
	msg_str(d->msg, set->name);
	msg_char(d->msg, '=');
	msg_quoted(d->msg, value);
	msg_str(d->msg, ": ");
	if (value[0] == '\0') {
		/* Whoever set AML_STRICT meant strict, even with no value. */
		if (set->parse == parse_strict)
			d->cfg->strict = 1;
		msg_str(d->msg, "empty value");
		return -1;
	}
	return set->parse(d, value);
}

/* Prefix a message about a combination with the variable it blames. */
static void msg_blame(struct shim_draft *d, const char *name, shim_getter get,
		      void *ctx)
{
	const char *value = get(name, ctx);

	msg_str(d->msg, name);
	msg_char(d->msg, '=');
	msg_quoted(d->msg, value ? value : "");
	msg_str(d->msg, ": ");
}

/* AML_POLICY, AML_NODES and AML_SIZE as rule 0. */
static int single_rule(struct shim_draft *d, shim_getter get, void *ctx)
{
	struct shim_rule *rule = &d->rule;

	if (!d->has_policy)
		rule->policy = d->has_nodes ? AML_AREA_LINUX_POLICY_BIND :
					      AML_AREA_LINUX_POLICY_DEFAULT;
	if (!d->has_nodes) {
		rule_default_nodes(rule, d->allowed);
		if (rule->policy == AML_AREA_LINUX_POLICY_PREFERRED) {
			msg_blame(d, "AML_POLICY", get, ctx);
			msg_str(d->msg, "policy preferred needs one node in "
					"AML_NODES");
			return -1;
		}
	}
	if (d->has_nodes) {
		msg_blame(d, "AML_NODES", get, ctx);
		if (rule_check_nodes(rule, d->msg) < 0)
			return -1;
		d->msg->len = 0;
		if (d->msg->cap)
			d->msg->buf[0] = '\0';
	}
	d->cfg->rules[0] = *rule;
	d->cfg->nrules = 1;
	return 0;
}

static int rules_conflict(struct shim_draft *d, shim_getter get, void *ctx)
{
	static const char *const single[] = { "AML_POLICY", "AML_NODES",
					      "AML_SIZE" };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (!get(single[i], ctx))
			continue;
		msg_str(d->msg, "AML_RULES cannot be combined with ");
		msg_str(d->msg, single[i]);
		msg_str(d->msg, " (write that rule into AML_RULES)");
		return -1;
	}
	return 0;
}

static int settings_read(struct shim_draft *d, shim_getter get, void *ctx)
{
	struct msg *msg = d->msg;
	size_t i, keep = 0;
	int failed = 0;
	const char *value;

	for (i = 0; i < shim_settings_count; i++) {
		value = get(shim_settings[i].name, ctx);
		if (value == NULL)
			continue;
		if (setting_apply(d, &shim_settings[i], value) < 0 &&
		    !failed) {
			failed = 1;
			keep = msg->len;
		}
		/* Keep the first message, drop what later ones wrote. */
		msg->len = keep;
		if (msg->cap)
			msg->buf[keep] = '\0';
	}
	if (failed)
		return -1;
	if (d->has_rules && d->single)
		return rules_conflict(d, get, ctx);
	if (d->single)
		return single_rule(d, get, ctx);
	return 0;
}

int shim_settings_parse(struct shim_config *cfg, shim_getter get, void *ctx,
			const unsigned long *allowed, char *err,
			size_t errlen)
{
	unsigned long own_allowed[SHIM_NODE_WORDS];
	struct shim_draft d;
	struct msg msg, note;

	msg_init(&msg, err, errlen);
	if (cfg == NULL || get == NULL) {
		msg_str(&msg, "no configuration to fill");
		return -1;
	}
	config_defaults(cfg);
	if (allowed == NULL) {
		if (shim_allowed_nodes(own_allowed, SHIM_NODE_WORDS) < 0) {
			memset(own_allowed, 0, sizeof(own_allowed));
			own_allowed[0] = 1;
		}
		allowed = own_allowed;
	}
	memset(&d, 0, sizeof(d));
	msg_init(&note, cfg->resolved, sizeof(cfg->resolved));
	d.cfg = cfg;
	d.allowed = allowed;
	d.msg = &msg;
	d.get = get;
	d.ctx = ctx;
	d.note = &note;
	d.rule.max_size = SIZE_MAX;
	if (settings_read(&d, get, ctx) < 0) {
		cfg->nrules = 0;
		memset(cfg->rules, 0, sizeof(cfg->rules));
		cfg->resolved[0] = '\0';
		return -1;
	}
	return 0;
}

static const char *environment_get(const char *name, void *ctx)
{
	(void)ctx;
	return secure_getenv(name);
}

int shim_settings_load(struct shim_config *cfg, char *err, size_t errlen)
{
	return shim_settings_parse(cfg, environment_get, NULL, NULL, err,
				   errlen);
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
					       mask, nwords) < 0 ? -1 : 1;
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
