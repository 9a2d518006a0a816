/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Machine probing and the per-process placement forms (settings): where
 * the process runs (launchers' local-rank variables, its CPUs, their
 * nodes and the distances in /sys) and the forms @local-rank, @cpu-local
 * and @nearest that turn it into a node mask. No allocation, no libnuma,
 * no stdio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"

/* ------------------------------------------------------------------------
 * Where the process runs: its local rank (the launchers' variables), its
 * CPUs (sched_getaffinity) and their nodes and distances (/sys). Read with
 * raw open/read into stack buffers, like Mems_allowed_list (nodes.c).
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
	"MPI_LOCALRANKID",	      /* MPICH and Intel MPI (Hydra) */
	"SLURM_LOCALID",	      /* Slurm (srun) */
	"PMI_LOCAL_RANK",	      /* Cray PMI */
	"MV2_COMM_WORLD_LOCAL_RANK",  /* MVAPICH2 */
	"PALS_LOCAL_RANKID",	      /* HPE PALS (aprun's successor) */
	"FLUX_TASK_LOCAL_ID",	      /* Flux */
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
static long node_file_read(long node, const char *leaf, char *buf, size_t cap)
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
	n = syscall(SYS_sched_getaffinity, 0, CPU_WORDS * sizeof(*cpus), cpus);
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
	msg_str(m, node_count(w->home, SHIM_NODE_WORDS) > 1 ? " on nodes "
							    : " on node ");
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
	const char *arg; /* after '=', or NULL */
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

long probe_local_rank(shim_getter get, void *ctx)
{
	unsigned long rank;
	const char *from;
	char text[256];
	struct msg m;

	msg_init(&m, text, sizeof(text));
	if (local_rank(get, ctx, &rank, &from, &m) < 0 || rank > LONG_MAX)
		return -1;
	return (long)rank;
}

static void note_start(struct form *f)
{
	if (f->note->len)
		msg_str(f->note, "; ");
	msg_quoted_len(f->note, f->text, f->len);
	msg_str(f->note, node_count(f->mask, SHIM_NODE_WORDS) > 1
				 ? " -> nodes "
				 : " -> node ");
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
		node_set(f->mask,
			 (size_t)nth_allowed_of(f->allowed, SHIM_NODE_WORDS,
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
		f->mask[i] =
			w.known ? w.home[i] & f->allowed[i] : f->allowed[i];
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
	msg_str(f->note,
		w.known ? ", by distance)" : ", no distances: by number)");
	return 0;
}

int form_parse(const char *s, size_t len, const unsigned long *allowed,
	       unsigned long *mask, shim_getter get, void *ctx, struct msg *msg,
	       struct msg *note)
{
	const char *eq = memchr(s, '=', len);
	size_t namelen = eq ? (size_t)(eq - s) : len;
	struct form f = {s,
			 len,
			 eq ? eq + 1 : NULL,
			 eq ? len - namelen - 1 : 0,
			 allowed,
			 mask,
			 msg,
			 note};
	int ret;

	memset(mask, 0, SHIM_NODE_WORDS * sizeof(*mask));
	if (namelen == 11 && !memcmp(s, "@local-rank", 11)) {
		ret = form_local_rank(&f, get, ctx);
	} else if (namelen == 10 && !memcmp(s, "@cpu-local", 10)) {
		ret = form_cpu_local(&f);
	} else if (namelen == 8 && !memcmp(s, "@nearest", 8)) {
		ret = form_nearest(&f);
	} else {
		msg_str(msg, "unknown placement form ");
		msg_quoted_len(msg, s, namelen);
		msg_str(msg, " (use @local-rank, @local-rank=LIST|LIST..., "
			     "@cpu-local or @nearest[=K])");
		ret = -1;
	}
	if (ret < 0)
		memset(mask, 0, SHIM_NODE_WORDS * sizeof(*mask));
	return ret;
}
