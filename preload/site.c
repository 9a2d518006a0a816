/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Placement by allocation site (heap layer).
 *
 * Resolution. At the heap's set-up, and after every dlopen and dlclose
 * (dl.c), the sites of the site= rules become address ranges: a function
 * is looked up in the .symtab and .dynsym of every loaded object (elf.c,
 * the file mapped read-only), a MODULE+0xOFFSET is the module's load bias
 * plus the offset. The ranges go into a fresh table, published with an
 * atomic pointer store; a table once published is never changed nor
 * freed (a request may still be reading it), so each dlopen or dlclose
 * leaves one table of a few KiB behind. An unloaded library's ranges
 * vanish from the next table: its sites stop matching.
 *
 * The match. Only requests of site_min bytes and up reach site_route
 * (heap_alloc's hook), and only those that a site= rule's sizes hold pay
 * for the frames: _Unwind_Backtrace from the unwind tables (programs built
 * without frame pointers, as Debian builds them, unwind too), skipping the
 * shim's own frames, at most the deepest @DEPTH asked. Then a read of the
 * table in force: no lock, no allocation. The figures that chose the
 * unwinder are in docs/placement-by-site.md.
 *
 * Thread cache. A region of a site= rule's arena freed into a thread's
 * cache must not come back out for another request of its class, so the
 * classes a site= rule's sizes reach are marked split: nothing takes them
 * out of the cache.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symtab.h"
#include "heap-internal.h"
#include "log.h"
#include "profile.h"
#include "site.h"

#define SITE_ENTRIES 256

/* A site's code as addresses: a return address minus one in [lo, hi). */
struct site_entry {
	uintptr_t lo, hi;
	int site;
	int rule;
	int depth;
};

struct site_table {
	int n;
	struct site_entry e[SITE_ENTRIES];
};

int site_rules_active;
size_t site_min = SIZE_MAX;

static const struct shim_config *site_cfg;
static int first_site_rule, max_depth;
static _Atomic(struct site_table *) site_table;
static _Atomic size_t site_allocs[SHIM_MAX_SITES];
static _Atomic size_t site_bytes[SHIM_MAX_SITES];
static pthread_mutex_t refresh_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int in_route __attribute__((tls_model("initial-exec")));

/* ------------------------------------------------------------------------
 * Resolution
 */

struct resolve {
	const struct shim_config *cfg;
	struct site_table *t;
	unsigned char found[SHIM_MAX_SITES];
	char stripped[SHIM_SITE_NAME]; /* an object without .symtab */
	uintptr_t bias;
	int functions; /* some site names a function */
	int objects;
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void entry_add(struct resolve *r, int site, uintptr_t lo, uintptr_t hi)
{
	struct site_entry *e;

	if (r->t->n == SITE_ENTRIES)
		return;
	e = &r->t->e[r->t->n++];
	e->lo = lo;
	e->hi = hi;
	e->site = site;
	e->rule = r->cfg->sites[site].rule;
	e->depth = r->cfg->sites[site].depth;
	r->found[site] = 1;
}

static int function_fn(void *ctx, const char *name, size_t value, size_t size)
{
	struct resolve *r = ctx;

	for (int i = 0; i < r->cfg->nsites; i++) {
		const struct shim_site *s = &r->cfg->sites[i];

		if (s->module_form || s->rule >= r->cfg->nrules ||
		    s->name[0] != name[0] || strcmp(s->name, name) != 0)
			continue;
		entry_add(r, i, r->bias + value,
			  r->bias + value + (size ? size : 1));
	}
	return 0;
}

static int object_fn(struct dl_phdr_info *info, size_t len, void *ctx)
{
	struct resolve *r = ctx;
	const char *path = info->dlpi_name;
	uintptr_t me = (uintptr_t)&site_init, lo, hi;
	struct elf_file f;

	(void)len;
	if (r->objects++ == 0 && (path == NULL || path[0] == '\0'))
		path = elf_program_path();
	if (path == NULL || path[0] == '\0')
		return 0;
	elf_object_span(info, &lo, &hi);
	if (me >= lo && me < hi)
		return 0; /* the shim allocates nothing for anyone */
	for (int i = 0; i < r->cfg->nsites; i++) {
		const struct shim_site *s = &r->cfg->sites[i];
		uintptr_t ra = info->dlpi_addr + s->offset;

		if (s->module_form && s->rule < r->cfg->nrules &&
		    (!strcmp(s->name, base_name(path)) ||
		     !strcmp(s->name, path)))
			entry_add(r, i, ra - 1, ra);
	}
	if (!r->functions || elf_open(&f, path) < 0)
		return 0;
	if (!f.has_symtab && r->stripped[0] == '\0') {
		size_t n = strlen(base_name(path));

		if (n >= sizeof(r->stripped))
			n = sizeof(r->stripped) - 1;
		memcpy(r->stripped, base_name(path), n);
		r->stripped[n] = '\0';
	}
	r->bias = info->dlpi_addr;
	elf_functions(&f, function_fn, r);
	elf_close(&f);
	return 0;
}

/* A new table for the objects loaded now; NULL if none could be mapped. */
static struct site_table *table_build(const struct shim_config *cfg,
				      struct resolve *r)
{
	void *p = mmap(NULL, sizeof(struct site_table), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memset(r, 0, sizeof(*r));
	if (p == MAP_FAILED)
		return NULL;
	r->cfg = cfg;
	r->t = p;
	for (int i = 0; i < cfg->nsites; i++)
		if (!cfg->sites[i].module_form)
			r->functions = 1;
	dl_iterate_phdr(object_fn, r);
	return r->t;
}

/* What did not resolve at start-up, one message per site. */
static int unresolved_say(const struct shim_config *cfg,
			  const struct resolve *r)
{
	int bad = 0;

	for (int i = 0; i < cfg->nsites; i++) {
		const struct shim_site *s = &cfg->sites[i];
		char text[SHIM_ERR_LEN];
		struct msg m;

		if (r->found[i] || s->rule >= cfg->nrules)
			continue;
		bad = 1;
		msg_init(&m, text, sizeof(text));
		msg_str(&m, "site=");
		msg_str(&m, s->name);
		if (s->module_form) {
			msg_str(&m, "+0x...: no module ");
			msg_quoted(&m, s->name);
			msg_str(&m, " is loaded (the rule matches once a "
				    "library of that name is)");
		} else {
			msg_str(&m, ": no function ");
			msg_quoted(&m, s->name);
			msg_str(&m, " in the program or its libraries' symbol "
				    "tables (the rule matches once a library "
				    "defining it is loaded)");
			if (r->stripped[0]) {
				msg_str(&m, "; ");
				msg_str(&m, r->stripped);
				msg_str(&m, " has no .symtab (stripped): name "
					    "its code as MODULE+0xOFFSET");
			}
		}
		shim_log(cfg->strict ? 0 : 1, "%s", text);
	}
	return bad;
}

int site_init(const struct shim_config *cfg)
{
	struct resolve r;
	struct site_table *t;
	int n = 0;

	for (int i = 0; i < cfg->nrules; i++) {
		const struct shim_rule *rule = &cfg->rules[i];
		size_t hi = rule->max_size;

		if (rule->site[0] == '\0')
			continue;
		if (n++ == 0)
			first_site_rule = i;
		if (rule->min_size < site_min)
			site_min = rule->min_size;
		if (hi > heap.tcache_max)
			hi = heap.tcache_max;
		for (size_t g = (rule->min_size + 15) >> 4;
		     heap.split && rule->min_size <= hi && g <= (hi + 15) >> 4;
		     g++)
			heap.split[g] = 1;
	}
	/* A profile sees every request of PROFILE_MIN and up. */
	if (cfg->profile_path[0] && profile_init(cfg) == 0 &&
	    heap.fast_max >= PROFILE_MIN) {
		heap.fast_max = PROFILE_MIN - 1;
		if (heap.quick_max > heap.fast_max)
			heap.quick_max = heap.fast_max;
	}
	if (n == 0)
		return 0;
	for (int i = 0; i < cfg->nsites; i++)
		if (cfg->sites[i].depth > max_depth)
			max_depth = cfg->sites[i].depth;
	site_cfg = cfg;
	elf_frames_init();
	t = table_build(cfg, &r);
	if (unresolved_say(cfg, &r) && cfg->strict) {
		shim_log(0, "invalid configuration in strict mode: exiting");
		_exit(1);
	}
	atomic_store_explicit(&site_table, t, memory_order_release);
	site_rules_active = t != NULL;
	return n;
}

void site_refresh(const char *why)
{
	struct resolve r;
	struct site_table *t;

	if (!site_rules_active)
		return;
	pthread_mutex_lock(&refresh_lock);
	t = table_build(site_cfg, &r);
	if (t != NULL)
		atomic_store_explicit(&site_table, t, memory_order_release);
	pthread_mutex_unlock(&refresh_lock);
	if (t != NULL)
		shim_log(3, "site= rules after %s: %d address ranges", why,
			 t->n);
}

/* ------------------------------------------------------------------------
 * The match
 */

static int rule_holds(int rule, size_t size)
{
	const struct shim_rule *r = &site_cfg->rules[rule];

	return size >= r->min_size && size <= r->max_size;
}

int site_route(size_t size, int target, int *flags)
{
	struct site_table *t =
		atomic_load_explicit(&site_table, memory_order_acquire);
	uintptr_t ip[SHIM_SITE_MAX_DEPTH];
	int n;
	int best = INT_MAX, site = -1, any = 0;

	if (t == NULL || in_route)
		return target;
	for (int i = first_site_rule; i < site_cfg->nrules; i++)
		any |= rule_holds(i, size);
	if (!any)
		return target;
	in_route = 1;
	n = elf_frames(ip, max_depth);
	in_route = 0;
	for (int i = 0; i < t->n; i++) {
		const struct site_entry *e = &t->e[i];

		if (e->rule >= best || !rule_holds(e->rule, size))
			continue;
		for (int k = 0; k < n && k < e->depth; k++) {
			if (ip[k] - 1 >= e->lo && ip[k] - 1 < e->hi) {
				best = e->rule;
				site = e->site;
				break;
			}
		}
	}
	if (site < 0)
		return target;
	atomic_fetch_add_explicit(&site_allocs[site], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&site_bytes[site], size,
				  memory_order_relaxed);
	*flags |= MALLOCX_TCACHE_NONE;
	return best;
}

/* ------------------------------------------------------------------------
 * The report
 */

size_t site_rule_text(int rule, char *buf, size_t len)
{
	char scratch[1];
	struct msg m;
	int n = 0;

	msg_init(&m, len ? buf : scratch, len ? len : sizeof(scratch));
	for (int i = 0; site_cfg && i < site_cfg->nsites; i++) {
		const struct shim_site *s = &site_cfg->sites[i];

		if (s->rule != rule)
			continue;
		msg_str(&m, n++ ? "; " : "");
		msg_str(&m, s->name);
		if (s->module_form) {
			char hex[2 + 2 * sizeof(size_t) + 1];
			int k = (int)sizeof(hex) - 1;
			size_t v = s->offset;

			hex[k] = '\0';
			do {
				hex[--k] = "0123456789abcdef"[v & 15];
				v >>= 4;
			} while (v);
			msg_str(&m, "+0x");
			msg_str(&m, hex + k);
		}
		msg_char(&m, '@');
		msg_uint(&m, (unsigned long long)s->depth);
		msg_str(&m, ": ");
		msg_uint(&m, atomic_load(&site_allocs[i]));
		msg_str(&m, " allocations, ");
		msg_uint(&m, atomic_load(&site_bytes[i]));
		msg_str(&m, " bytes");
	}
	return m.len;
}
