/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The placement report, written at exit: per rule, what the policy asked
 * for and where the pages really are (move_pages), then what no rule took.
 *
 *   aml: report pid 4242, page size 4096, mmap routed
 *   aml: rule 0 interleave nodes 0-3 sizes 1M-: 12 calls 48.0 MiB, 3 mmaps
 *        12.0 MiB; resident pages: node0=3072 node1=3072 ... absent=10;
 *        released pages: node0=16384 node1=16384 ...
 *   aml: unrouted: 1234 calls 3.2 MiB, 5 mmaps 1.0 MiB
 *
 * (one line per rule). Resident pages are those mapped at exit; released
 * pages were counted, per node, just before the shim gave them back to the
 * kernel (freed big blocks, purges, munmap), so memory the program freed
 * before exit shows too. The allocator may be half torn down by now, so
 * nothing here allocates: lines are formatted into static buffers with
 * snprintf (integers and strings only) and written with write(2), to the
 * descriptor the shim duplicated at start-up or to the report file
 * (opened with open(2), appended to, "%p" replaced by the process id).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <aml/area/linux.h>

#include "log.h"
#include "placement.h"
#include "report.h"
#include "site.h"
#include "stats.h"
#include "text.h"

#define LINE_MAX_LEN 4096

struct report {
	int fd;
	char line[LINE_MAX_LEN];
	size_t len;
	int truncated;
};

/* ------------------------------------------------------------------------
 * Lines
 */

__attribute__((format(printf, 2, 3))) static void line_add(struct report *r,
							   const char *fmt, ...)
{
	size_t room = sizeof(r->line) - r->len;
	va_list ap;
	int n;

	if (r->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->line + r->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room - 5) {
		/* Keep room for " ...\n". */
		r->len = sizeof(r->line) - 6;
		r->truncated = 1;
		memcpy(r->line + r->len, " ...", 4);
		r->len += 4;
		return;
	}
	r->len += (size_t)n;
}

/* One write per line, so that lines of several processes do not mix. */
static void line_end(struct report *r)
{
	r->line[r->len++] = '\n';
	text_write(r->fd, r->line, r->len);
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
		line_add(r, "%llu B", bytes);
		return;
	}
	while (u < 4 && bytes / unit >= 1024) {
		unit *= 1024;
		u++;
	}
	tenths = (bytes / unit) * 10 + ((bytes % unit) * 10 + unit / 2) / unit;
	line_add(r, "%llu.%llu %s", tenths / 10, tenths % 10, units[u]);
}

static void line_stats(struct report *r, const struct shim_rule_stats *s)
{
	line_add(r, "%llu calls ", s->calls);
	line_bytes(r, s->bytes);
	line_add(r, ", %llu mmaps ", s->mmaps);
	line_bytes(r, s->mmap_bytes);
}

/* ------------------------------------------------------------------------
 * Resident pages of a rule
 */

struct residency {
	size_t counts[SHIM_MAX_NODES];
	size_t absent;
	int failed;
};

/* Static: the report runs once per process, and the stack may be small. */
static struct residency residency;

static void residency_count(void *addr, size_t len, void *ctx)
{
	struct residency *res = ctx;

	if (aml_area_linux_pages_per_node(addr, len, res->counts,
					  SHIM_MAX_NODES, &res->absent) < 0)
		res->failed = 1;
}

static int node_in(const unsigned long *mask, size_t node)
{
	size_t bits = 8 * sizeof(unsigned long);

	return (mask[node / bits] >> (node % bits)) & 1UL;
}

/* The nodes of the policy and every node holding pages, side by side. */
static void line_residency(struct report *r, int rule,
			   const struct shim_rule *policy)
{
	struct residency *res = &residency;
	size_t node;
	int any = 0;

	memset(res, 0, sizeof(*res));
	shim_foreach_range(rule, residency_count, res);
	line_add(r, "; resident pages:");
	for (node = 0; node < SHIM_MAX_NODES; node++) {
		if (!res->counts[node] && !node_in(policy->nodes.mask, node))
			continue;
		line_add(r, " node%zu=%zu", node, res->counts[node]);
		any = 1;
	}
	if (!any && !res->absent)
		line_add(r, " none");
	line_add(r, " absent=%zu", res->absent);
	if (res->failed)
		line_add(r, " (move_pages failed on some ranges)");
}

/* Pages counted just before they went back to the kernel: what the rule
 * placed and the program freed before exit. */
static void line_released(struct report *r, int rule,
			  const struct shim_rule *policy)
{
	static unsigned long long counts[SHIM_CENSUS_NODES];
	size_t node;
	int any = 0;

	shim_released_pages(rule, counts, SHIM_CENSUS_NODES);
	line_add(r, "; released pages:");
	for (node = 0; node < SHIM_CENSUS_NODES; node++) {
		if (!counts[node] && !node_in(policy->nodes.mask, node))
			continue;
		line_add(r, " node%zu=%llu", node, counts[node]);
		any = 1;
	}
	if (!any)
		line_add(r, " none");
}

/* ------------------------------------------------------------------------
 * Destination
 */

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

/* The descriptor to write to; *opened says whether to close it after. */
static int report_open(const struct shim_config *cfg, int *opened)
{
	char path[sizeof(cfg->report_path) + 32];
	int fd;

	*opened = 0;
	if (cfg->report_path[0] == '\0')
		return shim_log_fd();
	if (path_expand(cfg->report_path, path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		shim_log(1, "cannot write the report to %s (errno %d)", path,
			 errno);
		return -1;
	}
	*opened = 1;
	return fd;
}

/* ------------------------------------------------------------------------
 * The report
 */

static struct report report;

static void report_rule(struct report *r, const struct shim_config *cfg,
			int rule)
{
	struct shim_rule_stats stats;
	char text[512];

	memset(&stats, 0, sizeof(stats));
	shim_rule_stats(rule, &stats);
	shim_rule_format(&cfg->rules[rule], text, sizeof(text));
	line_add(r, "aml: rule %d %s: ", rule, text);
	line_stats(r, &stats);
	if (cfg->rules[rule]
		    .site[0]) { /* site= rules: what each site matched */
		char sites[512];

		site_rule_text(rule, sites, sizeof(sites));
		line_add(r, "; sites %s", sites);
	}
	line_residency(r, rule, &cfg->rules[rule]);
	line_released(r, rule, &cfg->rules[rule]);
	line_end(r);
}

void shim_report_write(void)
{
	const struct shim_config *cfg = shim_config();
	struct report *r = &report;
	struct shim_rule_stats unrouted;
	int saved_errno = errno, opened, rule;

	if (cfg == NULL || !cfg->report)
		return;
	r->fd = report_open(cfg, &opened);
	if (r->fd < 0)
		goto out;
	r->len = 0;
	r->truncated = 0;
	line_add(r, "aml: report pid %d, page size %ld, mmap %s", (int)getpid(),
		 sysconf(_SC_PAGESIZE),
		 cfg->route_mmap ? "routed" : "not routed");
	if (cfg->nrules == 0)
		line_add(r, ", no rules (default placement)");
	line_end(r);
	for (rule = 0; rule < cfg->nrules; rule++)
		report_rule(r, cfg, rule);
	memset(&unrouted, 0, sizeof(unrouted));
	shim_unrouted_stats(&unrouted);
	line_add(r, "aml: unrouted: ");
	line_stats(r, &unrouted);
	line_end(r);
	if (opened)
		close(r->fd);
out:
	errno = saved_errno;
}
