/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Linux area's weighted interleave (docs/weighted.md): the layout, the
 * two engines, weights from the machine and weighted areas. The rest of the
 * Linux area is in linux.c.
 */
#define AML_NO_SEED_COMPAT
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "area/linux-weighted.h"
#include "internal.h"

#define BITS_PER_ULONG (8 * sizeof(unsigned long))

/* ========================================================================
 * Weighted interleave: a mapping's pages over several nodes in a ratio,
 * before first touch (docs/weighted.md).
 *
 * Two engines. The kernel's MPOL_WEIGHTED_INTERLEAVE (6.9+) reads one set
 * of system-wide weights, so it is used only when the kernel accepts the
 * mode and its weights are in the asked ratio. Everywhere else the mapping
 * is cut into stripes, each bound with MPOL_PREFERRED to one node (like an
 * interleaved page, it may spill to another node when its own is full).
 * The stripes follow a smooth weighted round-robin: every prefix of the
 * sequence holds each node's share to within one stripe, so any mapping
 * size is split exactly to within a stripe per node and a sequential sweep
 * draws on every node throughout. Adjacent stripes of one node merge into
 * one kernel VMA; the stripe grows with the mapping to keep the VMAs of one
 * mapping within a budget (vm.max_map_count is 65530 for the process).
 *
 * The mapping path (bind, check) never allocates; init reads sysfs and
 * probes the kernel, also without allocating.
 */

#define MASK_WORDS (AML_BITMAP_MAX / BITS_PER_ULONG)
/* CPUs of sched_getaffinity: 8192 is the kernel's largest NR_CPUS. */
#define CPU_WORDS (8192 / BITS_PER_ULONG)
/* From this size the stripe is a multiple of a PMD huge page (x86-64). */
#define HUGE_STRIPE ((size_t)2 << 20)
/*
 * Bytes per VMA of the automatic stripe: a VMA made by mbind and torn down
 * by munmap costs about as much as 6 or 7 page faults (scripts/bench area
 * weighted), so 1 MiB (256 faults) of it keeps the cost near 2 %.
 */
#define AUTO_RUN ((size_t)1 << 20)
#define PATH_LEN 256
#define MAX_NODES AML_AREA_LINUX_WEIGHTED_MAX_NODES

static int probe_answer = -1;
static const char *sysfs_root = "/sys";

void aml_linux_weighted_fake_probe(int answer)
{
	probe_answer = answer < 0 ? -1 : answer != 0;
}

void aml_linux_weighted_sysfs_root(const char *root)
{
	sysfs_root = root != NULL ? root : "/sys";
}

/* ------------------------------------------------------------------------
 * Small helpers: masks, numbers, sysfs files
 */

static void mask_set(unsigned long *mask, unsigned long bit)
{
	mask[bit / BITS_PER_ULONG] |= 1UL << (bit % BITS_PER_ULONG);
}

static int mask_isset(const unsigned long *mask, unsigned long bit)
{
	return (int)((mask[bit / BITS_PER_ULONG] >> (bit % BITS_PER_ULONG)) &
		     1UL);
}

static void nodes_mask(const struct aml_area_linux_weights *w,
		       unsigned long mask[MASK_WORDS])
{
	memset(mask, 0, MASK_WORDS * sizeof(*mask));
	for (unsigned int i = 0; i < w->count; i++)
		mask_set(mask, (unsigned long)w->nodes[i]);
}

static unsigned long gcd(unsigned long a, unsigned long b)
{
	while (b != 0) {
		unsigned long t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static size_t round_up(size_t v, size_t unit)
{
	return (v + unit - 1) / unit * unit;
}

/* A decimal number, then only blanks. 0 or -1. */
static int parse_ulong(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (~0UL - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	if (*s != '\0')
		return -1;
	*out = v;
	return 0;
}

/* The path sysfs_root + the formatted rest; -1 if it does not fit. */
__attribute__((format(printf, 2, 3))) static int
sysfs_path(char out[PATH_LEN], const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(out, PATH_LEN, "%s/", sysfs_root);

	if (n < 0 || n >= PATH_LEN)
		return -1;
	va_start(ap, fmt);
	n += vsnprintf(out + n, PATH_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	return n < PATH_LEN ? 0 : -1;
}

static int read_ulong(const char *path, unsigned long *out)
{
	char buf[64];

	if (aml_os_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return parse_ulong(buf, out);
}

/* A list like "0-3,8,10-11\n" into mask (nbits bits). 0 or -1. */
static int parse_list(const char *s, unsigned long *mask, unsigned long nbits)
{
	unsigned long a, b;

	while (*s == ' ' || *s == '\n')
		s++;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		for (a = 0; *s >= '0' && *s <= '9'; s++)
			a = a * 10 + (unsigned long)(*s - '0');
		b = a;
		if (*s == '-') {
			s++;
			if (*s < '0' || *s > '9')
				return -1;
			for (b = 0; *s >= '0' && *s <= '9'; s++)
				b = b * 10 + (unsigned long)(*s - '0');
		}
		for (; a <= b && a < nbits; a++)
			mask_set(mask, a);
		if (*s == ',')
			s++;
		while (*s == ' ' || *s == '\n')
			s++;
	}
	return 0;
}

static int read_list(const char *path, unsigned long *mask, unsigned long nbits)
{
	char buf[4096];

	memset(mask, 0, nbits / 8);
	if (aml_os_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return parse_list(buf, mask, nbits);
}

/* ------------------------------------------------------------------------
 * Validation
 */

static __thread char problem_text[128];

/* The first problem of nodes/weights with its AML code, or NULL. */
static const char *find_problem(const int *nodes, const unsigned int *weights,
				size_t count, int *code)
{
	unsigned long allowed[MASK_WORDS];
	int mode;

	*code = AML_EINVAL;
	if (count == 0)
		return "no nodes";
	if (nodes == NULL)
		return "weights without nodes";
	if (weights == NULL)
		return "nodes without weights";
	if (count > MAX_NODES)
		return "more than 64 nodes";
	*code = AML_EDOM;
	for (size_t i = 0; i < count; i++) {
		if (weights[i] == 0 || weights[i] > AML_AREA_LINUX_WEIGHT_MAX) {
			snprintf(problem_text, sizeof(problem_text),
				 "the weight of node %d is %u: weights are 1 "
				 "to 255",
				 nodes[i], weights[i]);
			return problem_text;
		}
		if (nodes[i] < 0 || nodes[i] >= AML_BITMAP_MAX) {
			snprintf(problem_text, sizeof(problem_text),
				 "node %d does not exist", nodes[i]);
			return problem_text;
		}
	}
	*code = AML_EINVAL;
	for (size_t i = 0; i < count; i++)
		for (size_t j = i + 1; j < count; j++)
			if (nodes[i] == nodes[j]) {
				snprintf(problem_text, sizeof(problem_text),
					 "node %d is listed twice", nodes[i]);
				return problem_text;
			}
	*code = AML_EDOM;
	memset(allowed, 0, sizeof(allowed));
	if (aml_os_get_mempolicy(&mode, allowed, AML_BITMAP_MAX + 1, NULL,
				 MPOL_F_MEMS_ALLOWED) != 0)
		return "the kernel does not say which nodes are allowed";
	for (size_t i = 0; i < count; i++)
		if (!mask_isset(allowed, (unsigned long)nodes[i])) {
			snprintf(problem_text, sizeof(problem_text),
				 "node %d is not one this process may use",
				 nodes[i]);
			return problem_text;
		}
	return NULL;
}

const char *aml_area_linux_weights_problem(const int *nodes,
					   const unsigned int *weights,
					   size_t count)
{
	int code;

	return find_problem(nodes, weights, count, &code);
}

/* ------------------------------------------------------------------------
 * Layout: the smooth weighted round-robin
 */

unsigned int aml_linux_weighted_next(const unsigned int *reduced,
				     unsigned int count, unsigned int period,
				     long *state)
{
	unsigned int best = 0;

	for (unsigned int i = 0; i < count; i++) {
		state[i] += (long)reduced[i];
		if (state[i] > state[best])
			best = i;
	}
	state[best] -= (long)period;
	return best;
}

/* Runs of one node in a period, counted cyclically (at least 1). */
static unsigned int runs_per_period(const struct aml_area_linux_weights *w)
{
	long state[MAX_NODES] = {0};
	unsigned int first, prev, next, changes = 0;

	first = aml_linux_weighted_next(w->reduced, w->count, w->period, state);
	prev = first;
	for (unsigned int m = 1; m < w->period; m++) {
		next = aml_linux_weighted_next(w->reduced, w->count, w->period,
					       state);
		changes += next != prev;
		prev = next;
	}
	changes += prev != first;
	return changes ? changes : 1;
}

size_t aml_area_linux_weights_stripe_for(const struct aml_area_linux_weights *w,
					 size_t size)
{
	size_t page = aml_os_page_size(), stripe, budget, per, most, need;

	if (w == NULL)
		return 0;
	if (w->engine == AML_AREA_LINUX_WEIGHTED_KERNEL || w->runs == 0 ||
	    w->period == 0)
		return page;
	stripe = w->stripe ? w->stripe : page;
	budget = w->max_vmas ? w->max_vmas : AML_AREA_LINUX_WEIGHTED_MAX_VMAS;
	if (w->stripe == 0 && w->thp && size / HUGE_STRIPE >= w->period) {
		stripe = HUGE_STRIPE;
	} else if (w->stripe == 0) {
		/* A VMA costs several page faults: one per AUTO_RUN bytes. */
		need = size / AUTO_RUN;
		if (need < (size_t)w->runs + 1)
			need = (size_t)w->runs + 1;
		if (need < budget)
			budget = need;
	}
	/* Runs in N stripes <= runs * ceil(N / period) + 1 <= budget. */
	per = (budget - 1) / w->runs;
	if (per == 0)
		per = 1;
	most = per > ~(size_t)0 / w->period ? ~(size_t)0 : per * w->period;
	need = size / most + (size % most != 0);
	if (need > stripe) {
		stripe = round_up(need, page);
		if (stripe >= HUGE_STRIPE)
			stripe = round_up(stripe, HUGE_STRIPE);
	}
	return stripe;
}

void aml_linux_weighted_layout(struct aml_area_linux_weights *w)
{
	unsigned long g = 0;

	for (unsigned int i = 0; i < w->count; i++)
		g = gcd(w->weights[i], g);
	w->period = 0;
	for (unsigned int i = 0; i < w->count; i++) {
		w->reduced[i] = (unsigned int)(w->weights[i] / g);
		w->period += w->reduced[i];
	}
	w->runs = runs_per_period(w);
}

/* ------------------------------------------------------------------------
 * The engine: the kernel's when it gives the asked ratio
 */

static int kernel_accepts(const struct aml_area_linux_weights *w)
{
	unsigned long mask[MASK_WORDS];
	size_t page = aml_os_page_size();
	void *p;
	int err;

	if (probe_answer >= 0)
		return probe_answer;
	nodes_mask(w, mask);
	if (aml_os_mmap(&p, NULL, page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != 0)
		return 0;
	err = aml_os_mbind(p, page, AML_MPOL_WEIGHTED_INTERLEAVE, mask,
			   AML_BITMAP_MAX + 1, 0);
	aml_os_munmap(p, page);
	return err == 0;
}

/* The kernel's weight of `node`, 0 if it has none. */
static unsigned long kernel_weight(int node)
{
	char path[PATH_LEN];
	unsigned long v;

	if (sysfs_path(path, "kernel/mm/mempolicy/weighted_interleave/node%d",
		       node) != 0 ||
	    read_ulong(path, &v) != 0 || v > AML_AREA_LINUX_WEIGHT_MAX)
		return 0;
	return v;
}

/* 1 if the system's weights of w's nodes are in w's ratio. */
static int kernel_weights_match(const struct aml_area_linux_weights *w)
{
	unsigned long first = kernel_weight(w->nodes[0]), v;

	if (first == 0)
		return 0;
	for (unsigned int i = 1; i < w->count; i++) {
		v = kernel_weight(w->nodes[i]);
		if (v == 0 || v * w->reduced[0] != first * w->reduced[i])
			return 0;
	}
	return 1;
}

/* 1 if transparent huge pages are on for every anonymous mapping. */
static int thp_always(void)
{
	char path[PATH_LEN], buf[128];

	return sysfs_path(path, "kernel/mm/transparent_hugepage/enabled") ==
		       0 &&
	       aml_os_read_file(path, buf, sizeof(buf)) > 0 &&
	       strstr(buf, "[always]") != NULL;
}

int aml_area_linux_weights_init(struct aml_area_linux_weights *w,
				const int *nodes, const unsigned int *weights,
				size_t count)
{
	int code;

	if (w == NULL)
		return aml_fail(AML_EINVAL);
	if (find_problem(nodes, weights, count, &code) != NULL)
		return aml_fail(code);
	memset(w, 0, sizeof(*w));
	w->count = (unsigned int)count;
	for (size_t i = 0; i < count; i++) {
		w->nodes[i] = nodes[i];
		w->weights[i] = weights[i];
	}
	aml_linux_weighted_layout(w);
	w->stripe = 0;
	w->max_vmas = AML_AREA_LINUX_WEIGHTED_MAX_VMAS;
	w->thp = thp_always();
	w->engine = kernel_weights_match(w) && kernel_accepts(w)
			    ? AML_AREA_LINUX_WEIGHTED_KERNEL
			    : AML_AREA_LINUX_WEIGHTED_STRIPES;
	return AML_SUCCESS;
}

int aml_area_linux_weights_set_stripe(struct aml_area_linux_weights *w,
				      size_t stripe, size_t max_vmas)
{
	size_t page = aml_os_page_size();

	if (w == NULL || stripe % page != 0)
		return aml_fail(AML_EINVAL);
	w->stripe = stripe;
	w->max_vmas = max_vmas ? max_vmas : AML_AREA_LINUX_WEIGHTED_MAX_VMAS;
	return AML_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Binding and checking (never allocate)
 */

/*
 * Walks the runs of a mapping of `size` bytes in order: each call of
 * run_next gives the next [start, end) and its node index; 0 at the end.
 */
struct run_walk {
	const struct aml_area_linux_weights *w;
	long state[MAX_NODES];
	size_t size, stripe, off;
	unsigned int pending; /* node index of the stripe at off */
};

static void run_walk_start(struct run_walk *rw,
			   const struct aml_area_linux_weights *w, size_t size)
{
	memset(rw->state, 0, sizeof(rw->state));
	rw->w = w;
	rw->size = size;
	rw->stripe = aml_area_linux_weights_stripe_for(w, size);
	rw->off = 0;
	rw->pending = aml_linux_weighted_next(w->reduced, w->count, w->period,
					      rw->state);
}

static int run_next(struct run_walk *rw, size_t *start, size_t *end,
		    unsigned int *index)
{
	const struct aml_area_linux_weights *w = rw->w;
	unsigned int next;

	if (rw->off >= rw->size)
		return 0;
	*start = rw->off;
	*index = rw->pending;
	for (;;) {
		if (rw->stripe >= rw->size - rw->off) {
			rw->off = rw->size;
			break;
		}
		rw->off += rw->stripe;
		next = aml_linux_weighted_next(w->reduced, w->count, w->period,
					       rw->state);
		if (next != *index) {
			rw->pending = next;
			break;
		}
	}
	*end = rw->off;
	return 1;
}

static int bind_to_node(char *p, size_t len, int node, unsigned flags)
{
	unsigned long mask[MASK_WORDS];

	memset(mask, 0, sizeof(mask));
	mask_set(mask, (unsigned long)node);
	return aml_os_mbind(p, len, MPOL_PREFERRED, mask, AML_BITMAP_MAX + 1,
			    flags);
}

int aml_linux_weighted_bind(const struct aml_area_linux_weights *w, void *ptr,
			    size_t size, unsigned flags)
{
	unsigned long mask[MASK_WORDS];
	struct run_walk rw;
	size_t start, end;
	unsigned int i;
	int err;

	if (w == NULL || w->count == 0)
		return -EINVAL;
	if (w->engine == AML_AREA_LINUX_WEIGHTED_KERNEL) {
		nodes_mask(w, mask);
		return aml_os_mbind(ptr, size, AML_MPOL_WEIGHTED_INTERLEAVE,
				    mask, AML_BITMAP_MAX + 1, flags);
	}
	run_walk_start(&rw, w, size);
	while (run_next(&rw, &start, &end, &i)) {
		err = bind_to_node((char *)ptr + start, end - start,
				   w->nodes[i], flags);
		if (err)
			return err;
	}
	return 0;
}

/* 1 if the page at p has policy `mode` over exactly `want`. */
static int page_has(char *p, int mode, const unsigned long *want)
{
	unsigned long mask[MASK_WORDS];
	int got;

	if (aml_os_get_mempolicy(&got, mask, AML_BITMAP_MAX + 1, p,
				 MPOL_F_ADDR) != 0)
		return -AML_EINVAL;
#ifdef MPOL_F_STATIC_NODES
	got &= ~(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES);
#endif
	return got == mode && memcmp(mask, want, sizeof(mask)) == 0;
}

static int range_has(char *p, size_t len, int mode, const unsigned long *want)
{
	size_t page = aml_os_page_size();
	int ret;

	for (size_t off = 0; off < len; off += page) {
		ret = page_has(p + off, mode, want);
		if (ret != 1)
			return ret;
	}
	return 1;
}

int aml_linux_weighted_check(const struct aml_area_linux_weights *w, void *ptr,
			     size_t size)
{
	unsigned long want[MASK_WORDS];
	struct run_walk rw;
	size_t start, end;
	unsigned int i;
	int ret;

	if (w == NULL || w->count == 0 ||
	    (unsigned long)ptr % aml_os_page_size() != 0)
		return -AML_EINVAL;
	if (w->engine == AML_AREA_LINUX_WEIGHTED_KERNEL) {
		nodes_mask(w, want);
		return range_has(ptr, size, AML_MPOL_WEIGHTED_INTERLEAVE, want);
	}
	run_walk_start(&rw, w, size);
	while (run_next(&rw, &start, &end, &i)) {
		memset(want, 0, sizeof(want));
		mask_set(want, (unsigned long)w->nodes[i]);
		ret = range_has((char *)ptr + start, end - start,
				MPOL_PREFERRED, want);
		if (ret != 1)
			return ret;
	}
	return 1;
}

void aml_linux_weighted_fprintf(const struct aml_area_linux_weights *w,
				FILE *stream, const char *prefix)
{
	if (w == NULL) {
		fprintf(stream, "%s: weights: none\n", prefix);
		return;
	}
	fprintf(stream, "%s: weights:", prefix);
	for (unsigned int i = 0; i < w->count; i++)
		fprintf(stream, "%s%d:%u", i ? "," : " ", w->nodes[i],
			w->weights[i]);
	fprintf(stream, "\n%s: engine: %s\n", prefix,
		w->engine == AML_AREA_LINUX_WEIGHTED_KERNEL ? "kernel"
							    : "stripes");
	if (w->stripe == 0)
		fprintf(stream, "%s: stripe: auto, %zu VMAs at most\n", prefix,
			w->max_vmas);
	else
		fprintf(stream,
			"%s: stripe: %zu bytes at least, %zu VMAs at most\n",
			prefix, w->stripe, w->max_vmas);
}

/* ------------------------------------------------------------------------
 * Weights from the machine: HMAT figures or the kernel's weights
 */

/* The nodes whose CPUs this thread may run on, into mask. 0 or -1. */
static int initiator_nodes(unsigned long mask[MASK_WORDS])
{
	unsigned long cpus[CPU_WORDS], node_cpus[CPU_WORDS];
	unsigned long online[MASK_WORDS];
	char path[PATH_LEN];
	long got;

	memset(cpus, 0, sizeof(cpus));
	memset(mask, 0, MASK_WORDS * sizeof(*mask));
	got = aml_os_sched_getaffinity(cpus, sizeof(cpus));
	if (got < 0)
		return -1;
	if (sysfs_path(path, "devices/system/node/online") != 0 ||
	    read_list(path, online, AML_BITMAP_MAX) != 0)
		return -1;
	for (unsigned long n = 0; n < AML_BITMAP_MAX; n++) {
		if (!mask_isset(online, n))
			continue;
		if (sysfs_path(path, "devices/system/node/node%lu/cpulist",
			       n) != 0 ||
		    read_list(path, node_cpus, 8192) != 0)
			continue;
		for (size_t k = 0; k < CPU_WORDS; k++)
			if (cpus[k] & node_cpus[k]) {
				mask_set(mask, n);
				break;
			}
	}
	return 0;
}

/*
 * The HMAT bandwidth of `node` in MB/s (the smaller of read and write)
 * when its nearest initiators include one of `ours`; 0 otherwise.
 */
static unsigned long hmat_bandwidth(int node, const unsigned long *ours)
{
	char path[PATH_LEN];
	unsigned long rd = 0, wr = 0, bw;
	int near = 0;

	if (sysfs_path(path,
		       "devices/system/node/node%d/access0/initiators/"
		       "read_bandwidth",
		       node) == 0)
		(void)read_ulong(path, &rd);
	if (sysfs_path(path,
		       "devices/system/node/node%d/access0/initiators/"
		       "write_bandwidth",
		       node) == 0)
		(void)read_ulong(path, &wr);
	bw = rd && wr ? (rd < wr ? rd : wr) : (rd ? rd : wr);
	if (bw == 0)
		return 0;
	for (unsigned long m = 0; m < AML_BITMAP_MAX && !near; m++)
		near = mask_isset(ours, m) &&
		       sysfs_path(path,
				  "devices/system/node/node%d/access0/"
				  "initiators/node%lu",
				  node, m) == 0 &&
		       aml_os_path_exists(path) == 0;
	return near ? bw : 0;
}

/* Figures (> 0) into weights of 1-255 in the same ratio, reduced. */
static void weights_of_figures(const unsigned long *fig, size_t count,
			       unsigned int *weights)
{
	unsigned long g = 0, top = 0, v[MAX_NODES];

	for (size_t i = 0; i < count; i++)
		g = gcd(fig[i], g);
	for (size_t i = 0; i < count; i++) {
		v[i] = fig[i] / g;
		if (v[i] > top)
			top = v[i];
	}
	g = 0;
	for (size_t i = 0; i < count; i++) {
		if (top > AML_AREA_LINUX_WEIGHT_MAX) {
			v[i] = (v[i] * AML_AREA_LINUX_WEIGHT_MAX + top / 2) /
			       top;
			if (v[i] == 0)
				v[i] = 1;
		}
		g = gcd(v[i], g);
	}
	for (size_t i = 0; i < count; i++)
		weights[i] = (unsigned int)(v[i] / g);
}

static int weights_from_hmat(const int *nodes, size_t count,
			     unsigned int *weights)
{
	unsigned long ours[MASK_WORDS], bw[MAX_NODES];

	if (initiator_nodes(ours) != 0)
		return -AML_ENOTSUP;
	for (size_t i = 0; i < count; i++) {
		bw[i] = hmat_bandwidth(nodes[i], ours);
		if (bw[i] == 0)
			return -AML_ENOTSUP;
	}
	weights_of_figures(bw, count, weights);
	return 0;
}

static int weights_from_kernel(const int *nodes, size_t count,
			       unsigned int *weights)
{
	for (size_t i = 0; i < count; i++) {
		weights[i] = (unsigned int)kernel_weight(nodes[i]);
		if (weights[i] == 0)
			return -AML_ENOTSUP;
	}
	return 0;
}

int aml_area_linux_weights_from_machine(
	const int *nodes, size_t count, unsigned int *weights,
	enum aml_area_linux_weights_source source,
	enum aml_area_linux_weights_source *used)
{
	int err = -AML_ENOTSUP;

	if (nodes == NULL || weights == NULL || count == 0 ||
	    count > MAX_NODES ||
	    (unsigned int)source > AML_AREA_LINUX_WEIGHTS_KERNEL)
		return aml_fail(AML_EINVAL);
	for (size_t i = 0; i < count; i++) {
		if (nodes[i] < 0 || nodes[i] >= AML_BITMAP_MAX)
			return aml_fail(AML_EINVAL);
		for (size_t j = 0; j < i; j++)
			if (nodes[i] == nodes[j])
				return aml_fail(AML_EINVAL);
	}
	if (source == AML_AREA_LINUX_WEIGHTS_AUTO ||
	    source == AML_AREA_LINUX_WEIGHTS_HMAT) {
		err = weights_from_hmat(nodes, count, weights);
		if (err == 0 && used != NULL)
			*used = AML_AREA_LINUX_WEIGHTS_HMAT;
	}
	if (err != 0 && (source == AML_AREA_LINUX_WEIGHTS_AUTO ||
			 source == AML_AREA_LINUX_WEIGHTS_KERNEL)) {
		err = weights_from_kernel(nodes, count, weights);
		if (err == 0 && used != NULL)
			*used = AML_AREA_LINUX_WEIGHTS_KERNEL;
	}
	if (err != 0)
		return aml_fail(AML_ENOTSUP);
	return AML_SUCCESS;
}

/*
 * A mapping of the default kind (no options) whose stripes are whole huge
 * pages starts on a huge-page boundary, so that each stripe holds whole
 * huge pages: map HUGE_STRIPE - page more, cut the ends. NULL for every
 * other mapping (then mapped as usual) and on failure (tried again as
 * usual).
 */
void *aml_linux_weighted_mmap_aligned(const struct aml_area_linux_data *data,
				      size_t size,
				      const struct aml_area_mmap_options *opts)
{
	const struct aml_area_linux_weights *w;
	size_t page = aml_os_page_size(), head, extra = HUGE_STRIPE - page;
	char *p, *aligned;

	if (data == NULL || opts != NULL ||
	    data->policy != AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE)
		return NULL;
	w = data->weights;
	if (w == NULL || w->engine != AML_AREA_LINUX_WEIGHTED_STRIPES ||
	    aml_area_linux_weights_stripe_for(w, size) % HUGE_STRIPE != 0 ||
	    size > ~(size_t)0 - HUGE_STRIPE)
		return NULL;
	if (aml_os_mmap((void **)&p, NULL, size + extra, PROT_READ | PROT_WRITE,
			aml_linux_default_mmap_flags(data), -1, 0) != 0)
		return NULL;
	aligned = (char *)round_up((size_t)p, HUGE_STRIPE);
	head = (size_t)(aligned - p);
	if (head != 0)
		aml_os_munmap(p, head);
	if (extra - head != 0)
		aml_os_munmap(aligned + round_up(size, page), extra - head);
	return aligned;
}

/* ------------------------------------------------------------------------
 * Weighted areas
 */

/* A weighted area: the area, its data, and the weights the data points to. */
struct weighted_linux_area {
	struct aml_linux_area la;
	struct aml_area_linux_weights weights;
};

int aml_area_linux_weighted_create(struct aml_area **area, const int *nodes,
				   const unsigned int *weights, size_t count)
{
	struct weighted_linux_area *wa;
	int err;

	if (area == NULL)
		return aml_fail(AML_EINVAL);
	*area = NULL;
	wa = calloc(1, sizeof(*wa));
	if (wa == NULL)
		return aml_fail(AML_ENOMEM);
	err = aml_area_linux_weights_init(&wa->weights, nodes, weights, count);
	if (err == AML_SUCCESS) {
		wa->la.data.nodeset = numa_allocate_nodemask();
		if (wa->la.data.nodeset == NULL)
			err = aml_fail(AML_ENOMEM);
	}
	if (err != AML_SUCCESS) {
		free(wa);
		return err;
	}
	for (size_t i = 0; i < count; i++)
		numa_bitmask_setbit(wa->la.data.nodeset,
				    (unsigned int)nodes[i]);
	wa->la.data.policy = AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE;
	wa->la.data.weights = &wa->weights;
	wa->la.area.ops = &aml_area_linux_ops;
	wa->la.area.data = (struct aml_area_data *)&wa->la.data;
	*area = &wa->la.area;
	return AML_SUCCESS;
}

int aml_area_linux_weighted_init(struct aml_area_linux_static *storage,
				 const struct aml_area_linux_weights *w)
{
	if (storage == NULL || w == NULL || w->count == 0 ||
	    w->count > MAX_NODES)
		return aml_fail(AML_EINVAL);
	memset(storage, 0, sizeof(*storage));
	for (unsigned int i = 0; i < w->count; i++)
		mask_set(storage->nodes, (unsigned long)w->nodes[i]);
	storage->nodeset.size = AML_BITMAP_MAX;
	storage->nodeset.maskp = storage->nodes;
	storage->data.nodeset = &storage->nodeset;
	storage->data.policy = AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE;
	storage->data.weights = w;
	storage->area.ops = &aml_area_linux_ops;
	storage->area.data = (struct aml_area_data *)&storage->data;
	return AML_SUCCESS;
}

int aml_area_linux_weighted_set_stripe(struct aml_area *area, size_t stripe,
				       size_t max_vmas)
{
	struct weighted_linux_area *wa;

	if (area == NULL || area->ops != &aml_area_linux_ops ||
	    area->data == NULL ||
	    ((struct aml_area_linux_data *)area->data)->policy !=
		    AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE)
		return aml_fail(AML_EINVAL);
	/* Only an area of weighted_create has its weights right after it. */
	wa = (struct weighted_linux_area *)area;
	if (area->data != (struct aml_area_data *)&wa->la.data ||
	    wa->la.data.weights != &wa->weights)
		return aml_fail(AML_EINVAL);
	return aml_area_linux_weights_set_stripe(&wa->weights, stripe,
						 max_vmas);
}
