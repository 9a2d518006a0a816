/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The placement report, written at exit: per rule, what the policy asked
 * for and where the pages really are (move_pages), then what no rule took
 * and where the rest of the process is (stacks, brk heap, static data and
 * other anonymous memory). As text, one line per item:
 *
 *   aml: report pid 4242, page size 4096, mmap routed
 *   aml: rule 0 interleave nodes 0-3 sizes 1M-: 12 calls 48.0 MiB, 3 mmaps
 *        12.0 MiB; resident pages: node0=3072 node1=3072 ... absent=10;
 *        released pages: node0=16384 node1=16384 ...
 *   aml: unrouted: 1234 calls 3.2 MiB, 5 mmaps 1.0 MiB
 *   aml: rest of the process: resident pages: node0=1200
 *
 * or as one JSON object (AML_REPORT_FORMAT=json, docs/report.md).
 *
 * Resident pages are those mapped at exit; released pages were counted,
 * per node, just before the shim gave them back to the kernel (freed big
 * blocks, purges, munmap), so memory the program freed before exit shows
 * too. The rest of the process is every private writable mapping of
 * /proc/self/maps less the rules' ranges, counted with mincore and
 * move_pages in batches.
 *
 * The allocator may be half torn down by now, so nothing here allocates:
 * text is formatted into static buffers with snprintf (integers and
 * strings only) and written with write(2). The report file's path is made
 * absolute at start-up (shim_report_prepare), so a later chdir of the
 * program does not move it. A JSON report is built whole in memory and
 * written to a hidden temporary file beside the destination, then linked
 * into place (or appended, if the file exists), so the destination never
 * holds half an object. Write errors are said once, through the log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <aml/area/linux.h>

#include "log.h"
#include "os.h"
#include "placement.h"
#include "probe.h"
#include "report.h"
#include "site.h"
#include "stats.h"
#include "text.h"

/* ------------------------------------------------------------------------
 * Output: a text line, or the whole JSON object, in a static buffer
 */

#define LINE_MAX_LEN 4096
/* Room for 8 rules of 1024 nodes each, with both counts per node. */
#define JSON_MAX_LEN (1 << 20)

struct report {
	int fd;
	int json;
	char *buf;
	size_t cap;
	size_t len;
	int truncated;
	int error;	  /* first write error (errno), 0 if none */
	const char *dest; /* for messages: the path, or "stderr" */
};

static char line_buf[LINE_MAX_LEN];
static char json_buf[JSON_MAX_LEN];

__attribute__((format(printf, 2, 3))) static void out_add(struct report *r,
							  const char *fmt, ...)
{
	size_t room = r->cap - r->len;
	va_list ap;
	int n;

	if (r->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room - 5) {
		r->truncated = 1;
		if (r->json)
			return; /* the whole report is dropped */
		/* A text line keeps room for " ...\n". */
		r->len = r->cap - 6;
		memcpy(r->buf + r->len, " ...", 4);
		r->len += 4;
		return;
	}
	r->len += (size_t)n;
}

/* Write all of buf, retrying on EINTR and short writes, with SIGPIPE held
 * off (a reader gone is an error to tell, not a reason to die). 0, or the
 * errno of the failure. */
static int out_write(int fd, const char *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	struct timespec zero = {0, 0};
	int err = 0, was_pending;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			break;
		}
		buf += n;
		len -= (size_t)n;
	}
	if (err == EPIPE && !was_pending)
		sigtimedwait(&pipe_set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

static void say_error(struct report *r, int err)
{
	char text[128];

	if (r->error)
		return;
	r->error = err;
	shim_log(1, "cannot write the report to %s: %s", r->dest,
		 strerror_r(err, text, sizeof(text)));
}

/* One write per text line, so that lines of several processes do not
 * mix; after a failure, nothing more. */
static void line_end(struct report *r)
{
	int err;

	r->buf[r->len++] = '\n';
	if (!r->error && (err = out_write(r->fd, r->buf, r->len)) != 0)
		say_error(r, err);
	r->len = 0;
	r->truncated = 0;
}

/* "512 B", "3.2 KiB", "48.0 MiB": one decimal, rounded. */
static void line_bytes(struct report *r, unsigned long long bytes)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
	unsigned long long unit = 1024, tenths;
	int u = 0;

	if (bytes < 1024) {
		out_add(r, "%llu B", bytes);
		return;
	}
	while (u < 4 && bytes / unit >= 1024) {
		unit *= 1024;
		u++;
	}
	tenths = (bytes / unit) * 10 + ((bytes % unit) * 10 + unit / 2) / unit;
	out_add(r, "%llu.%llu %s", tenths / 10, tenths % 10, units[u]);
}

static void line_stats(struct report *r, const struct shim_rule_stats *s)
{
	out_add(r, "%llu calls ", s->calls);
	line_bytes(r, s->bytes);
	out_add(r, ", %llu mmaps ", s->mmaps);
	line_bytes(r, s->mmap_bytes);
}

/* A JSON string: quotes, backslashes and control bytes escaped; bytes
 * above 127 as \u00XX, so that the report is always valid UTF-8. */
static void json_str(struct report *r, const char *s)
{
	out_add(r, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			out_add(r, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			out_add(r, "\\u%04x", c);
		else
			out_add(r, "%c", c);
	}
	out_add(r, "\"");
}

/* ------------------------------------------------------------------------
 * What is counted: per rule, and the rest of the process
 */

#define CORE_BATCH 1024

static struct {
	unsigned char core[CORE_BATCH];
	void *pages[CORE_BATCH];
	int status[CORE_BATCH];
} batch;

/* Where the pages of [addr, addr + len) are, added to counts; pages not
 * resident to *absent. mincore finds the resident pages and move_pages
 * says on which node. A page that move_pages does not find while mincore
 * says it is there (-EFAULT or -ENOENT: automatic NUMA balancing made its
 * entry inaccessible for a while, to see who touches it; the kernel scans
 * memory of the default policy so) is asked with get_mempolicy(MPOL_F_NODE
 * | MPOL_F_ADDR). 0, or -1 if the kernel refused. */
static int pages_count(const void *addr, size_t len, size_t *counts,
		       size_t *absent)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n, i, k;
	uintptr_t start = (uintptr_t)addr & ~(uintptr_t)(page - 1);
	uintptr_t end = (uintptr_t)addr + len;
	int node, err;

	for (; start < end; start += n * page) {
		n = (end - start + page - 1) / page;
		if (n > CORE_BATCH)
			n = CORE_BATCH;
		err = aml_os_mincore((void *)start, n * page, batch.core);
		if (err == -ENOMEM) {
			/* Unmapped since: nothing there. */
			if (absent)
				*absent += n;
			continue;
		}
		if (err < 0)
			return -1;
		for (i = k = 0; i < n; i++) {
			if (batch.core[i] & 1)
				batch.pages[k++] = (void *)(start + i * page);
			else if (absent)
				(*absent)++;
		}
		if (k && aml_os_move_pages(k, batch.pages, NULL, batch.status,
					   0) < 0)
			return -1;
		for (i = 0; i < k; i++) {
			node = batch.status[i];
			if (node < 0 &&
			    aml_os_get_mempolicy(&node, NULL, 0, batch.pages[i],
						 MPOL_F_NODE | MPOL_F_ADDR) < 0)
				node = -1;
			if (node >= 0 && node < SHIM_MAX_NODES)
				counts[node]++;
			else if (absent)
				(*absent)++;
		}
	}
	return 0;
}

struct rule_counts {
	struct shim_rule_stats stats;
	size_t resident[SHIM_MAX_NODES];
	size_t absent;
	int failed;
	unsigned long long released[SHIM_CENSUS_NODES];
	int has_metadata;
	size_t metadata[SHIM_MAX_NODES]; /* allocator's metadata pages */
	size_t metadata_absent;
};

/* Static: the report runs once per process, and the stack may be small. */
static struct rule_counts rule_counts[SHIM_MAX_RULES];

static void residency_count(void *addr, size_t len, void *ctx)
{
	struct rule_counts *c = ctx;

	if (pages_count(addr, len, c->resident, &c->absent) < 0)
		c->failed = 1;
}

static void metadata_count(void *addr, size_t len, void *ctx)
{
	struct rule_counts *c = ctx;

	c->has_metadata = 1;
	if (pages_count(addr, len, c->metadata, &c->metadata_absent) < 0)
		c->failed = 1;
}

/* The rule's pages are those of its ranges less the allocator's metadata
 * blocks in them (counted apart): a rule that served nothing shows none. */
static void rule_count(int rule, struct rule_counts *c)
{
	size_t node;

	memset(c, 0, sizeof(*c));
	shim_rule_stats(rule, &c->stats);
	shim_metadata_foreach(rule, metadata_count, c);
	shim_foreach_range(rule, residency_count, c);
	shim_released_pages(rule, c->released, SHIM_CENSUS_NODES);
	for (node = 0; node < SHIM_MAX_NODES; node++)
		c->resident[node] -= c->metadata[node] < c->resident[node]
					     ? c->metadata[node]
					     : c->resident[node];
	c->absent -=
		c->metadata_absent < c->absent ? c->metadata_absent : c->absent;
}

static int node_in(const unsigned long *mask, size_t node)
{
	size_t bits = 8 * sizeof(unsigned long);

	return (mask[node / bits] >> (node % bits)) & 1UL;
}

/* The rest of the process: the private writable mappings (stacks, the brk
 * heap, static data, anonymous memory of other allocators and of libc)
 * less the ranges of the rules. */

#define SPANS_MAX 16384
#define MAPS_CHUNK 65536

struct span {
	uintptr_t start, end;
};

static struct {
	struct span spans[SPANS_MAX];
	size_t nspans;
	int overflow;
	char maps[MAPS_CHUNK + 1];
	size_t resident[SHIM_MAX_NODES];
	int failed; /* some memory could not be counted */
} rest;

static void span_add(void *addr, size_t len, void *ctx)
{
	(void)ctx;
	if (rest.nspans == SPANS_MAX) {
		rest.overflow = 1;
		return;
	}
	rest.spans[rest.nspans].start = (uintptr_t)addr;
	rest.spans[rest.nspans].end = (uintptr_t)addr + len;
	rest.nspans++;
}

/* Shell sort by start (libc's qsort may allocate). */
static void spans_sort(void)
{
	static const size_t gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
	size_t g, i, j;

	for (g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		size_t gap = gaps[g];

		for (i = gap; i < rest.nspans; i++) {
			struct span s = rest.spans[i];

			for (j = i;
			     j >= gap && rest.spans[j - gap].start > s.start;
			     j -= gap)
				rest.spans[j] = rest.spans[j - gap];
			rest.spans[j] = s;
		}
	}
}

/* Count the resident pages of [start, end). */
static void rest_count_range(uintptr_t start, uintptr_t end)
{
	if (pages_count((void *)start, end - start, rest.resident, NULL) < 0)
		rest.failed = 1;
}

/* [start, end) less the rules' spans (sorted). */
static void rest_count_mapping(uintptr_t start, uintptr_t end)
{
	size_t lo = 0, hi = rest.nspans, i;

	/* The first span that ends after start. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (rest.spans[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < rest.nspans && start < end; i++) {
		if (rest.spans[i].start >= end)
			break;
		if (rest.spans[i].start > start)
			rest_count_range(start, rest.spans[i].start);
		if (rest.spans[i].end > start)
			start = rest.spans[i].end;
	}
	if (start < end)
		rest_count_range(start, end);
}

/* A hexadecimal number at *s, *s moved past it. */
static unsigned long hex_read(const char **s)
{
	unsigned long v = 0;

	for (;; (*s)++) {
		char c = **s;

		if (is_digit(c))
			v = v * 16 + (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned long)(c - 'a' + 10);
		else
			return v;
	}
}

/* One line of /proc/self/maps: "start-end perms offset dev inode path". */
static void rest_maps_line(const char *s)
{
	unsigned long start, end;
	const char *perms, *path;
	int field;

	start = hex_read(&s);
	if (*s++ != '-')
		return;
	end = hex_read(&s);
	if (*s++ != ' ' || strlen(s) < 4)
		return;
	perms = s;
	if (perms[1] != 'w' || perms[3] != 'p')
		return;
	/* The path, after perms, offset, device and inode. */
	path = s;
	for (field = 0; field < 4 && path; field++) {
		path = strchr(path, ' ');
		if (path)
			while (*path == ' ')
				path++;
	}
	/* The kernel's own pages (vvar, vdso, vsyscall) are not the
	 * program's; [heap], [stack] and [anon:...] are. */
	if (path && (!strncmp(path, "[vvar", 5) || !strncmp(path, "[vdso", 5) ||
		     !strncmp(path, "[vsyscall", 9)))
		return;
	rest_count_mapping(start, end);
}

static void rest_count(const struct shim_config *cfg)
{
	size_t have = 0;
	int fd, rule;
	ssize_t n;

	memset(rest.resident, 0, sizeof(rest.resident));
	rest.nspans = 0;
	rest.overflow = 0;
	rest.failed = 0;
	for (rule = 0; rule < cfg->nrules; rule++)
		shim_foreach_range(rule, span_add, NULL);
	if (rest.overflow) {
		/* Without all the rules' ranges, rule pages would count as
		 * the rest. */
		rest.failed = 1;
		return;
	}
	spans_sort();
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rest.failed = 1;
		return;
	}
	for (;;) {
		char *line, *nl;

		n = read(fd, rest.maps + have, MAPS_CHUNK - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rest.failed = 1;
		if (n <= 0)
			break;
		have += (size_t)n;
		rest.maps[have] = '\0';
		line = rest.maps;
		while ((nl = memchr(line, '\n',
				    have - (size_t)(line - rest.maps)))) {
			*nl = '\0';
			rest_maps_line(line);
			line = nl + 1;
		}
		have -= (size_t)(line - rest.maps);
		memmove(rest.maps, line, have);
		if (have == MAPS_CHUNK) {
			/* A line longer than the buffer: a path of
			 * nearly 64 KiB. Drop it. */
			have = 0;
		}
	}
	close(fd);
}

/* ------------------------------------------------------------------------
 * Destination
 */

/* The report path made absolute at start-up ("" for stderr), and what
 * the process was at start-up. */
static char report_pattern[PATH_MAX + 256];
static int prepared;
static long local_rank = -1;
static struct shim_rule rest_rule;
static int rest_placed;

static const char *environment_get(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

void shim_report_prepare(const struct shim_rule *rest)
{
	const struct shim_config *cfg = shim_config();
	size_t len;

	prepared = 1;
	rest_placed = rest != NULL;
	if (rest)
		rest_rule = *rest;
	report_pattern[0] = '\0';
	local_rank = probe_local_rank(environment_get, NULL);
	if (cfg == NULL || !cfg->report || cfg->report_path[0] == '\0')
		return;
	if (cfg->report_path[0] == '/' ||
	    getcwd(report_pattern, sizeof(report_pattern) - 256) == NULL) {
		/* Absolute, or no working directory to join it to. */
		snprintf(report_pattern, sizeof(report_pattern), "%s",
			 cfg->report_path);
		return;
	}
	len = strlen(report_pattern);
	snprintf(report_pattern + len, sizeof(report_pattern) - len, "%s%s",
		 len > 0 && report_pattern[len - 1] == '/' ? "" : "/",
		 cfg->report_path);
}

/* The report path with "%p" replaced by the process id, "%%" by "%". */
static int path_expand(const char *pattern, char *out, size_t len)
{
	char pid[24];
	size_t n = 0, plen;
	const char *s;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	plen = strlen(pid);
	for (s = pattern; *s; s++) {
		if (s[0] == '%' && s[1] == 'p') {
			if (n + plen >= len)
				return -1;
			memcpy(out + n, pid, plen);
			n += plen;
			s++;
			continue;
		}
		if (s[0] == '%' && s[1] == '%')
			s++;
		if (n + 1 >= len)
			return -1;
		out[n++] = *s;
	}
	out[n] = '\0';
	return 0;
}

static char report_path[PATH_MAX + 256];
static char temp_path[PATH_MAX + 320];

/* The path of the report file ("" for stderr), or NULL if too long. */
static const char *report_dest(const struct shim_config *cfg)
{
	const char *pattern = prepared ? report_pattern : cfg->report_path;

	if (pattern[0] == '\0')
		return "";
	if (path_expand(pattern, report_path, sizeof(report_path)) < 0) {
		shim_log(1, "cannot write the report: its path is too long");
		return NULL;
	}
	return report_path;
}

/* Open path for appending (or writing, a device, a pipe). */
static int text_open(struct report *r, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		say_error(r, errno);
	return fd;
}

/* The whole JSON object appended to path with one write. */
static void json_append(struct report *r, const char *path)
{
	int fd = text_open(r, path), err;

	if (fd < 0)
		return;
	if ((err = out_write(fd, r->buf, r->len)) != 0)
		say_error(r, err);
	close(fd);
}

/* The JSON report, whole, into path: written to ".NAME.PID.tmp" beside it
 * and linked into place, so that the destination never holds a part; if
 * the destination exists (several processes, one file) the object is
 * appended with one write; a device or a pipe is written to directly. */
static void json_put(struct report *r, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
	struct stat st;
	int fd, err;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		json_append(r, path);
		return;
	}
	snprintf(temp_path, sizeof(temp_path), "%.*s.%s.%d.tmp", (int)dir_len,
		 path, path + dir_len, (int)getpid());
	fd = open(temp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		say_error(r, errno);
		return;
	}
	err = out_write(fd, r->buf, r->len);
	if (close(fd) < 0 && !err)
		err = errno;
	if (err) {
		unlink(temp_path);
		say_error(r, err);
		return;
	}
	if (link(temp_path, path) == 0) {
		unlink(temp_path);
		return;
	}
	if (errno != EEXIST) {
		/* A file system without hard links. */
		if (rename(temp_path, path) < 0) {
			say_error(r, errno);
			unlink(temp_path);
		}
		return;
	}
	unlink(temp_path);
	json_append(r, path);
}

/* ------------------------------------------------------------------------
 * The text report
 */

/* The nodes of the policy and every node holding pages, side by side. */
static void text_residency(struct report *r, const struct rule_counts *c,
			   const struct shim_rule *policy)
{
	size_t node;
	int any = 0;

	out_add(r, "; resident pages:");
	for (node = 0; node < SHIM_MAX_NODES; node++) {
		if (!c->resident[node] && !node_in(policy->nodes.mask, node))
			continue;
		out_add(r, " node%zu=%zu", node, c->resident[node]);
		any = 1;
	}
	if (!any && !c->absent)
		out_add(r, " none");
	out_add(r, " absent=%zu", c->absent);
	if (c->failed)
		out_add(r, " (move_pages failed on some ranges)");
	/* Pages counted just before they went back to the kernel: what the
	 * rule placed and the program freed before exit. */
	out_add(r, "; released pages:");
	any = 0;
	for (node = 0; node < SHIM_CENSUS_NODES; node++) {
		if (!c->released[node] && !node_in(policy->nodes.mask, node))
			continue;
		out_add(r, " node%zu=%llu", node, c->released[node]);
		any = 1;
	}
	if (!any)
		out_add(r, " none");
	if (!c->has_metadata)
		return;
	out_add(r, "; allocator metadata pages:");
	for (node = 0; node < SHIM_MAX_NODES; node++)
		if (c->metadata[node])
			out_add(r, " node%zu=%zu", node, c->metadata[node]);
}

static void text_report(struct report *r, const struct shim_config *cfg,
			const struct shim_rule_stats *unrouted)
{
	char text[512];
	size_t node;
	int rule, any = 0;

	out_add(r, "aml: report pid %d, page size %ld, mmap %s", (int)getpid(),
		sysconf(_SC_PAGESIZE),
		cfg->route_mmap ? "routed" : "not routed");
	if (cfg->nrules == 0)
		out_add(r, ", no rules (default placement)");
	line_end(r);
	for (rule = 0; rule < cfg->nrules; rule++) {
		shim_rule_format(&cfg->rules[rule], text, sizeof(text));
		out_add(r, "aml: rule %d %s: ", rule, text);
		line_stats(r, &rule_counts[rule].stats);
		if (cfg->rules[rule].site[0]) {
			/* site= rules: what each site matched */
			char sites[512];

			site_rule_text(rule, sites, sizeof(sites));
			out_add(r, "; sites %s", sites);
		}
		text_residency(r, &rule_counts[rule], &cfg->rules[rule]);
		line_end(r);
	}
	out_add(r, "aml: unrouted: ");
	line_stats(r, unrouted);
	line_end(r);
	out_add(r, "aml: rest of the process: resident pages:");
	for (node = 0; node < SHIM_MAX_NODES; node++) {
		if (!rest.resident[node])
			continue;
		out_add(r, " node%zu=%zu", node, rest.resident[node]);
		any = 1;
	}
	if (!any)
		out_add(r, " none");
	if (rest.failed)
		out_add(r, " (not all counted)");
	if (rest_placed) {
		shim_rule_format(&rest_rule, text, sizeof(text));
		/* "bind nodes 2 sizes all": the sizes are the rule's. */
		if (strstr(text, " sizes "))
			*strstr(text, " sizes ") = '\0';
		out_add(r, "; placed as %s (process memory policy)", text);
	}
	line_end(r);
}

/* ------------------------------------------------------------------------
 * The JSON report
 */

static void json_size_counts(struct report *r, const size_t *counts, size_t n)
{
	const char *sep = "";

	out_add(r, "{");
	for (size_t node = 0; node < n; node++) {
		if (!counts[node])
			continue;
		out_add(r, "%s\"%zu\": %zu", sep, node, counts[node]);
		sep = ", ";
	}
	out_add(r, "}");
}

/* "POLICY", "nodes": [N, ...] */
static void json_policy(struct report *r, const struct shim_rule *rule)
{
	const char *sep = "";

	json_str(r, aml_area_linux_policy_name(rule->policy));
	out_add(r, ", \"nodes\": [");
	if (rule->policy != AML_AREA_LINUX_POLICY_DEFAULT) {
		for (size_t node = 0; node < SHIM_MAX_NODES; node++) {
			if (!node_in(rule->nodes.mask, node))
				continue;
			out_add(r, "%s%zu", sep, node);
			sep = ", ";
		}
	}
	out_add(r, "]");
}

/* A weighted rule's weights, one per node of "nodes", else null. */
static void json_weights(struct report *r, const struct shim_rule *rule)
{
	if (rule->policy != AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE ||
	    rule->nweights == 0) {
		out_add(r, "null");
		return;
	}
	out_add(r, "[");
	for (unsigned int k = 0; k < rule->nweights; k++)
		out_add(r, "%s%u", k ? ", " : "", rule->weights[k]);
	out_add(r, "]");
}

/* The site= field as written ("a@2,b+0x10") as a list of strings. */
static void json_sites(struct report *r, const char *field)
{
	char one[SHIM_SITE_TEXT];
	const char *comma;
	size_t len;

	out_add(r, "[");
	while (*field) {
		comma = strchr(field, ',');
		len = comma ? (size_t)(comma - field) : strlen(field);
		if (len >= sizeof(one))
			len = sizeof(one) - 1;
		memcpy(one, field, len);
		one[len] = '\0';
		json_str(r, one);
		if (!comma)
			break;
		out_add(r, ", ");
		field = comma + 1;
	}
	out_add(r, "]");
}

static void json_rule(struct report *r, int index, const struct shim_rule *rule,
		      const struct rule_counts *c)
{
	const char *sep = "";
	size_t node;

	out_add(r, "{\"index\": %d, \"policy\": ", index);
	json_policy(r, rule);
	out_add(r, ", \"weights\": ");
	json_weights(r, rule);
	out_add(r, ", \"size_min\": %zu, \"size_max\": ", rule->min_size);
	if (rule->max_size == SIZE_MAX)
		out_add(r, "null");
	else
		out_add(r, "%zu", rule->max_size);
	out_add(r, ", \"sites\": ");
	json_sites(r, rule->site);
	out_add(r,
		", \"calls\": %llu, \"bytes\": %llu, "
		"\"mmaps\": %llu, \"mmap_bytes\": %llu, \"resident\": ",
		c->stats.calls, c->stats.bytes, c->stats.mmaps,
		c->stats.mmap_bytes);
	json_size_counts(r, c->resident, SHIM_MAX_NODES);
	out_add(r, ", \"released\": {");
	sep = "";
	for (node = 0; node < SHIM_CENSUS_NODES; node++) {
		if (!c->released[node])
			continue;
		out_add(r, "%s\"%zu\": %llu", sep, node, c->released[node]);
		sep = ", ";
	}
	out_add(r, "}, \"metadata\": ");
	json_size_counts(r, c->metadata, SHIM_MAX_NODES);
	out_add(r, "}");
}

static void json_report(struct report *r, const struct shim_config *cfg,
			const struct shim_rule_stats *unrouted)
{
	static char host[256], exe[PATH_MAX];
	ssize_t n;
	int rule, complete = !rest.failed;

	for (rule = 0; rule < cfg->nrules; rule++)
		complete &= !rule_counts[rule].failed;
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	out_add(r, "{\"libaml_report\": 1, \"pid\": %d, \"host\": ",
		(int)getpid());
	json_str(r, host);
	out_add(r, ", \"local_rank\": ");
	if (local_rank >= 0)
		out_add(r, "%ld", local_rank);
	else
		out_add(r, "null");
	out_add(r, ", \"program\": ");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		json_str(r, exe);
	} else {
		out_add(r, "null");
	}
	out_add(r, ", \"page_size\": %ld, \"complete\": %s, \"rules\": [",
		sysconf(_SC_PAGESIZE), complete ? "true" : "false");
	for (rule = 0; rule < cfg->nrules; rule++) {
		if (rule)
			out_add(r, ", ");
		json_rule(r, rule, &cfg->rules[rule], &rule_counts[rule]);
	}
	out_add(r,
		"], \"unrouted\": {\"calls\": %llu, \"bytes\": %llu}, "
		"\"rest\": {\"resident\": ",
		unrouted->calls, unrouted->bytes);
	json_size_counts(r, rest.resident, SHIM_MAX_NODES);
	out_add(r, ", \"policy\": ");
	if (rest_placed)
		json_policy(r, &rest_rule);
	else
		out_add(r, "null, \"nodes\": null");
	out_add(r, "}}\n");
}

/* ------------------------------------------------------------------------
 * The report
 */

static struct report report;

void shim_report_write(void)
{
	const struct shim_config *cfg = shim_config();
	struct report *r = &report;
	struct shim_rule_stats unrouted;
	int saved_errno = errno, rule, err;
	const char *path;

	if (cfg == NULL || !cfg->report)
		return;
	path = report_dest(cfg);
	if (path == NULL)
		goto out;
	for (rule = 0; rule < cfg->nrules; rule++)
		rule_count(rule, &rule_counts[rule]);
	memset(&unrouted, 0, sizeof(unrouted));
	shim_unrouted_stats(&unrouted);
	rest_count(cfg);

	memset(r, 0, sizeof(*r));
	r->json = cfg->report_json;
	r->dest = path[0] ? path : "stderr";
	if (r->json) {
		r->buf = json_buf;
		r->cap = sizeof(json_buf);
		json_report(r, cfg, &unrouted);
		if (r->truncated) {
			shim_log(1,
				 "cannot write the report: more than %zu "
				 "bytes of JSON",
				 sizeof(json_buf));
		} else if (path[0]) {
			json_put(r, path);
		} else if ((err = out_write(shim_log_fd(), r->buf, r->len))) {
			say_error(r, err);
		}
		goto out;
	}
	r->buf = line_buf;
	r->cap = sizeof(line_buf);
	r->fd = path[0] ? text_open(r, path) : shim_log_fd();
	if (r->fd < 0)
		goto out;
	text_report(r, cfg, &unrouted);
	if (path[0])
		close(r->fd);
out:
	errno = saved_errno;
}
