/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The profile by allocation site (heap layer).
 *
 * A site is the return address profile_depth frames above the allocator.
 * Requests of 256 KiB and up are counted exactly; smaller ones (from 4
 * KiB) are sampled, one per 256 KiB a thread asks for, weighted by the
 * bytes it stands for (as jemalloc's heap profiles sample): unwinding
 * costs a microsecond or more, too much for every mid-size object.
 * Two open-addressed tables in anonymous mappings, filled with atomic
 * operations only (no lock, no malloc): the sites (PROFILE_SITES entries,
 * keyed by address: allocations, bytes, live and peak live bytes), and
 * the live blocks (PROFILE_LIVE entries, pointer -> site and size), which
 * free looks up to take a block's bytes off its site. A block that finds
 * no room (a full neighbourhood) is counted but never taken off: its
 * site's live bytes only grow, and the table says how many were lost.
 * Blocks that realloc moves or grows are not followed.
 *
 * At exit the sites are named (module, offset, function from the symbol
 * tables) and written, largest peak first, with a rules file beside the
 * table.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heap-internal.h"
#include "log.h"
#include "profile.h"
#include "symtab.h"
#include "text.h"

#define PROFILE_SITES 4096 /* power of two */
#define PROFILE_LIVE (1 << 18)
#define PROFILE_PROBE 64
#define PROFILE_EXACT ((size_t)256 << 10)
#define TOMBSTONE ((uintptr_t)1)

struct profile_site {
	_Atomic uintptr_t key;
	_Atomic size_t allocs, bytes, live, peak;
	_Atomic int sampled; /* some figures are estimates */
	/* Named at dlclose (before the library goes) or at exit. */
	int named, found;
	size_t offset, fstart;
	char module[64];
	char function[96];
};

struct profile_live {
	_Atomic uintptr_t ptr;
	_Atomic size_t size;
	_Atomic unsigned site;
};

int site_profiling;

static const struct shim_config *prof_cfg;
static struct profile_site *sites;
static struct profile_live *live;
static _Atomic size_t lost_sites, lost_blocks;
static pid_t prof_pid;
static __thread int in_profile __attribute__((tls_model("initial-exec")));

static size_t hash(uintptr_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (size_t)v;
}

int profile_init(const struct shim_config *cfg)
{
	void *s, *l;

	s = mmap(NULL, PROFILE_SITES * sizeof(*sites), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	l = mmap(NULL, PROFILE_LIVE * sizeof(*live), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s == MAP_FAILED || l == MAP_FAILED) {
		shim_log(1, "cannot map the profile's tables: no profile");
		return -1;
	}
	sites = s;
	live = l;
	prof_cfg = cfg;
	prof_pid = getpid();
	elf_frames_init();
	site_profiling = 1;
	return 0;
}

static struct profile_site *site_find(uintptr_t key)
{
	size_t h = hash(key);

	for (size_t i = 0; i < PROFILE_PROBE; i++) {
		struct profile_site *s = &sites[(h + i) & (PROFILE_SITES - 1)];
		uintptr_t k =
			atomic_load_explicit(&s->key, memory_order_acquire);

		if (k == key)
			return s;
		if (k == 0 && atomic_compare_exchange_strong(&s->key, &k, key))
			return s;
		if (k == key)
			return s;
	}
	atomic_fetch_add(&lost_sites, 1);
	return NULL;
}

static void live_add(struct profile_site *s, size_t size)
{
	size_t now = atomic_fetch_add(&s->live, size) + size;
	size_t peak = atomic_load(&s->peak);

	while (now > peak &&
	       !atomic_compare_exchange_weak(&s->peak, &peak, now))
		;
}

/* Requests below PROFILE_EXACT are sampled: one per PROFILE_EXACT bytes
 * a thread asks for, standing for all of them (its weight). */
static __thread size_t unsampled __attribute__((tls_model("initial-exec")));

void profile_alloc(void *ptr, size_t size)
{
	uintptr_t ip[SHIM_SITE_MAX_DEPTH];
	struct profile_site *s;
	size_t h, weight = size, count = 1;
	int n;

	if (ptr == NULL || size < PROFILE_MIN || in_profile)
		return;
	if (size < PROFILE_EXACT) {
		unsampled += size;
		if (unsampled < PROFILE_EXACT)
			return;
		weight = unsampled;
		count = (weight + size / 2) / size;
		unsampled = 0;
	}
	in_profile = 1;
	n = elf_frames(ip, prof_cfg->profile_depth);
	in_profile = 0;
	/* the profile_depth-th frame, or the outermost of a shorter stack */
	if (n == 0 || (s = site_find(ip[n - 1])) == NULL)
		return;
	atomic_fetch_add_explicit(&s->allocs, count, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->bytes, weight, memory_order_relaxed);
	if (weight != size)
		atomic_store_explicit(&s->sampled, 1, memory_order_relaxed);
	live_add(s, weight);
	size = weight;
	h = hash((uintptr_t)ptr);
	for (size_t i = 0; i < PROFILE_PROBE; i++) {
		struct profile_live *e = &live[(h + i) & (PROFILE_LIVE - 1)];
		uintptr_t p = atomic_load(&e->ptr);

		if (p != 0 && p != TOMBSTONE)
			continue;
		if (!atomic_compare_exchange_strong(&e->ptr, &p,
						    (uintptr_t)ptr))
			continue;
		atomic_store(&e->size, size);
		atomic_store(&e->site, (unsigned)(s - sites));
		return;
	}
	atomic_fetch_add(&lost_blocks, 1);
}

void profile_free(void *ptr)
{
	size_t h = hash((uintptr_t)ptr);

	if (ptr == NULL)
		return;
	for (size_t i = 0; i < PROFILE_PROBE; i++) {
		struct profile_live *e = &live[(h + i) & (PROFILE_LIVE - 1)];
		uintptr_t p =
			atomic_load_explicit(&e->ptr, memory_order_acquire);

		if (p == 0)
			return;
		if (p != (uintptr_t)ptr)
			continue;
		atomic_fetch_sub(&sites[atomic_load(&e->site)].live,
				 atomic_load(&e->size));
		atomic_store(&e->ptr, TOMBSTONE);
		return;
	}
}

/* ------------------------------------------------------------------------
 * At exit: the table and the rules
 */

static void copy_name(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int name_fn(struct dl_phdr_info *info, size_t len, void *ctx)
{
	struct profile_site *s = ctx;
	uintptr_t addr = atomic_load(&s->key);
	const char *path = info->dlpi_name, *fn;
	struct elf_file file;

	(void)len;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || addr < lo ||
		    addr >= lo + ph->p_memsz)
			continue;
		if (path == NULL || path[0] == '\0')
			path = elf_program_path();
		copy_name(s->module, sizeof(s->module),
			  strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
		s->offset = addr - info->dlpi_addr;
		s->found = 1;
		if (elf_open(&file, path) == 0) {
			fn = elf_function_at(&file, s->offset, &s->fstart);
			if (fn)
				copy_name(s->function, sizeof(s->function), fn);
			elf_close(&file);
		}
		return 1;
	}
	return 0;
}

void profile_name_sites(void)
{
	if (!site_profiling)
		return;
	for (unsigned i = 0; i < PROFILE_SITES; i++) {
		struct profile_site *s = &sites[i];

		if (atomic_load(&s->key) == 0 || s->named)
			continue;
		dl_iterate_phdr(name_fn, s);
		s->named = 1;
	}
}

static void msg_hex(struct msg *m, size_t v)
{
	char hex[2 * sizeof(size_t) + 1];
	int k = (int)sizeof(hex) - 1;

	hex[k] = '\0';
	do {
		hex[--k] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	msg_str(m, "0x");
	msg_str(m, hex + k);
}

static void path_expand(const char *in, char *out, size_t len)
{
	struct msg m;

	msg_init(&m, out, len);
	for (; *in; in++) {
		if (in[0] == '%' && in[1] == 'p') {
			msg_uint(&m, (unsigned long long)getpid());
			in++;
		} else if (in[0] == '%' && in[1] == '%') {
			msg_char(&m, '%');
			in++;
		} else {
			msg_char(&m, *in);
		}
	}
}

static void out_line(int fd, struct msg *m)
{
	msg_char(m, '\n');
	text_write(fd, m->buf, m->len);
	msg_truncate(m, 0);
}

__attribute__((destructor)) static void profile_write(void)
{
	static unsigned order[PROFILE_SITES];
	char path[sizeof(prof_cfg->profile_path) + 32], rpath[sizeof(path) + 8];
	char line[1024], rule[SHIM_SITE_TEXT + 64];
	struct msg m, r;
	int fd, rfd, n = 0, nrules = 0, nsites = 0;
	size_t used = 0, cap;

	if (!site_profiling || getpid() != prof_pid)
		return;
	profile_name_sites();
	site_profiling = 0;
	for (unsigned i = 0; i < PROFILE_SITES; i++)
		if (atomic_load(&sites[i].key) != 0 &&
		    atomic_load(&sites[i].allocs) != 0)
			order[n++] = i;
	for (int i = 1; i < n; i++) /* by peak, largest first */
		for (int j = i;
		     j > 0 && sites[order[j]].peak > sites[order[j - 1]].peak;
		     j--) {
			unsigned t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	path_expand(prof_cfg->profile_path, path, sizeof(path));
	memcpy(rpath, path, strlen(path));
	memcpy(rpath + strlen(path), ".rules", 7);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	rfd = open(rpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || rfd < 0) {
		shim_log(1, "cannot write the profile to %s", path);
		if (fd >= 0)
			close(fd);
		if (rfd >= 0)
			close(rfd);
		return;
	}
	cap = prof_cfg->profile_capacity;
	msg_init(&m, line, sizeof(line));
	msg_str(&m, "peak_live_bytes\tbytes\tallocations\tlive_at_exit\tsite"
		    "\tcounts\tfunction");
	out_line(fd, &m);
	msg_init(&r, rule, sizeof(rule));
	msg_str(&m, "# aml-run --profile of pid ");
	msg_uint(&m, (unsigned long long)getpid());
	msg_str(&m, ": the sites whose peaks fit ");
	if (cap)
		msg_uint(&m, cap);
	else
		msg_str(&m, "any capacity");
	msg_str(&m, " bytes, largest first");
	out_line(rfd, &m);
	msg_str(&m, "# put the fast tier's policy and nodes in place of "
		    "\"bind::\" (e.g. bind:1:)");
	out_line(rfd, &m);
	for (int i = 0; i < n; i++) {
		struct profile_site *s = &sites[order[i]];
		size_t peak = atomic_load(&s->peak);
		char site[200];
		struct msg st;

		msg_init(&st, site, sizeof(site));
		if (s->found) {
			msg_str(&st, s->module);
			msg_char(&st, '+');
			msg_hex(&st, s->offset);
		} else {
			msg_str(&st, "?+");
			msg_hex(&st, atomic_load(&s->key));
		}
		msg_char(&st, '@');
		msg_uint(&st, (unsigned long long)prof_cfg->profile_depth);
		msg_uint(&m, peak);
		msg_char(&m, '\t');
		msg_uint(&m, atomic_load(&s->bytes));
		msg_char(&m, '\t');
		msg_uint(&m, atomic_load(&s->allocs));
		msg_char(&m, '\t');
		msg_uint(&m, atomic_load(&s->live));
		msg_char(&m, '\t');
		msg_str(&m, site);
		msg_str(&m, s->sampled ? "\tsampled\t" : "\texact\t");
		if (s->function[0]) {
			msg_str(&m, s->function);
			msg_char(&m, '+');
			msg_hex(&m, s->offset - s->fstart);
		} else {
			msg_char(&m, '?');
		}
		out_line(fd, &m);
		/* The rules: sites that fit, packed a few per rule. */
		if (!s->found || (cap && used + peak > cap) ||
		    nsites == SHIM_MAX_SITES)
			continue;
		if (r.len && r.len + 1 + st.len >= SHIM_SITE_TEXT + 15) {
			out_line(rfd, &r);
			nrules++;
		}
		if (nrules == SHIM_MAX_RULES)
			continue;
		msg_str(&r, r.len ? "," : "bind::4K-:site=");
		msg_str(&r, site);
		used += peak;
		nsites++;
	}
	if (r.len && nrules < SHIM_MAX_RULES)
		out_line(rfd, &r);
	close(fd);
	close(rfd);
	if (atomic_load(&lost_sites) || atomic_load(&lost_blocks))
		shim_log(1,
			 "profile: %zu requests of sites beyond the table, "
			 "%zu blocks not followed to their free",
			 atomic_load(&lost_sites), atomic_load(&lost_blocks));
}
