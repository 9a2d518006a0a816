/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Other allocators in the process. A program built with mimalloc or
 * tcmalloc calls their own functions (mi_free, tc_free, ...) on memory
 * that glibc's functions (asprintf, strdup) took from malloc, and frees
 * with free what their functions gave: with the shim serving malloc, the
 * first crashes inside the other allocator and the second leaks. The shim
 * cannot stand in for their APIs, so it steps aside: the malloc family
 * forwards to the next definition in the lookup order (the other
 * allocator's own malloc where it overrides glibc's, else glibc's), as if
 * the shim were not there; blocks the shim gave out before (the dynamic
 * loader's and constructors' allocations) are still the shim's: its heap
 * map tells them apart, and free, realloc and malloc_usable_size take them
 * back. Anonymous mmap stays routed.
 *
 * Only an allocator whose object also defines malloc counts: one that
 * lives beside glibc's malloc (a runtime's private mimalloc) is mixed with
 * it by nobody, with or without the shim.
 *
 * Found at start-up, before the program's own code runs, from the dynamic
 * symbol tables of the loaded objects (dl_iterate_phdr, the objects' GNU
 * or SysV hash tables): nothing here allocates, and the next definitions
 * are looked up the same way instead of with dlsym (which may call
 * malloc). Objects loaded later with dlopen are not looked at.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <malloc.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "foreign.h"
#include "log.h"

bool foreign_aside;

/* The symbols that give an allocator away. */
static const struct {
	const char *symbol;
	const char *name;
} known[] = {
	{"mi_malloc", "mimalloc"},
	{"tc_malloc", "tcmalloc"},
	{"__TBB_malloc_proxy", "tbbmalloc_proxy"},
	{"rpmalloc", "rpmalloc"},
	{"xxmalloc", "Hoard"},
};

#define KNOWN_COUNT (sizeof(known) / sizeof(known[0]))

/* The next malloc family. */
static struct {
	void *(*malloc)(size_t);
	void (*free)(void *);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	int (*posix_memalign)(void **, size_t, size_t);
	size_t (*usable_size)(void *);
	int (*trim)(size_t);
} next;

/* ------------------------------------------------------------------------
 * Dynamic symbol tables
 */

struct dynsyms {
	uintptr_t base;
	const ElfW(Sym) * symtab;
	const char *strtab;
	const uint32_t *gnu_hash;
	const uint32_t *sysv_hash;
};

static uint32_t hash_gnu(const char *s)
{
	uint32_t h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static uint32_t hash_sysv(const char *s)
{
	uint32_t h = 0, g;

	for (; *s; s++) {
		h = (h << 4) + (unsigned char)*s;
		g = h & 0xf0000000;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

/* A defined function (or data, with data set) of that name, or NULL. */
static const ElfW(Sym) *
	sym_check(const struct dynsyms *d, uint32_t i, const char *name)
{
	const ElfW(Sym) *s = &d->symtab[i];
	int type = ELF64_ST_TYPE(s->st_info);

	if (s->st_shndx == SHN_UNDEF || strcmp(d->strtab + s->st_name, name))
		return NULL;
	if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_OBJECT)
		return NULL;
	return s;
}

static const ElfW(Sym) * sym_find(const struct dynsyms *d, const char *name)
{
	if (d->gnu_hash != NULL) {
		const uint32_t *gh = d->gnu_hash;
		uint32_t nbuckets = gh[0], symoffset = gh[1];
		uint32_t bloom_size = gh[2], shift = gh[3];
		const ElfW(Addr) *bloom = (const ElfW(Addr) *)&gh[4];
		const uint32_t *buckets = (const uint32_t *)&bloom[bloom_size];
		const uint32_t *chain = &buckets[nbuckets];
		uint32_t h = hash_gnu(name), i;
		unsigned bits = sizeof(ElfW(Addr)) * 8;
		ElfW(Addr) word, mask;

		if (nbuckets == 0 || bloom_size == 0)
			return NULL;
		word = bloom[(h / bits) % bloom_size];
		mask = ((ElfW(Addr))1 << (h % bits)) |
		       ((ElfW(Addr))1 << ((h >> shift) % bits));
		if ((word & mask) != mask)
			return NULL;
		i = buckets[h % nbuckets];
		if (i < symoffset)
			return NULL;
		for (;; i++) {
			uint32_t h2 = chain[i - symoffset];
			const ElfW(Sym) * s;

			if ((h | 1) == (h2 | 1) &&
			    (s = sym_check(d, i, name)) != NULL)
				return s;
			if (h2 & 1)
				return NULL;
		}
	}
	if (d->sysv_hash != NULL) {
		uint32_t nbucket = d->sysv_hash[0];
		const uint32_t *bucket = &d->sysv_hash[2];
		const uint32_t *chain = &bucket[nbucket];
		const ElfW(Sym) * s;

		if (nbucket == 0)
			return NULL;
		for (uint32_t i = bucket[hash_sysv(name) % nbucket]; i != 0;
		     i = chain[i])
			if ((s = sym_check(d, i, name)) != NULL)
				return s;
	}
	return NULL;
}

/* The dynamic section's addresses: relocated by ld.so for most objects,
 * left as offsets in read-only ones (the vDSO). */
static const void *dyn_ptr(const struct dynsyms *d, ElfW(Addr) p)
{
	return (const void *)(p < d->base ? p + d->base : p);
}

static bool dynsyms_of(const struct dl_phdr_info *info, struct dynsyms *d)
{
	const ElfW(Dyn) *dyn = NULL;

	memset(d, 0, sizeof(*d));
	d->base = info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr +
						  info->dlpi_phdr[i].p_vaddr);
	if (dyn == NULL)
		return false;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			d->symtab = dyn_ptr(d, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			d->strtab = dyn_ptr(d, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_GNU_HASH)
			d->gnu_hash = dyn_ptr(d, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_HASH)
			d->sysv_hash = dyn_ptr(d, dyn->d_un.d_ptr);
	}
	return d->symtab != NULL && d->strtab != NULL &&
	       (d->gnu_hash != NULL || d->sysv_hash != NULL);
}

static void *sym_address(const struct dynsyms *d, const ElfW(Sym) * s)
{
	void *addr = (void *)(d->base + s->st_value);
	void *(*resolver)(void);

	if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC) {
		memcpy(&resolver, &addr, sizeof(addr));
		addr = resolver();
	}
	return addr;
}

/* Is addr inside one of the object's loaded segments? */
static bool object_holds(const struct dl_phdr_info *info, uintptr_t addr)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && addr >= start &&
		    addr - start < ph->p_memsz)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------------
 * Detection
 */

struct scan {
	bool past_shim; /* the objects after the shim's own */
	int found;	/* index in known[], or -1 */
	const char *where;
};

static const char *const next_names[] = {
	"malloc",      "free",		 "calloc",
	"realloc",     "posix_memalign", "malloc_usable_size",
	"malloc_trim",
};

/* The function pointer of next_names[i]. */
static void *next_slot(int i)
{
	void *slots[] = {
		&next.malloc,  &next.free,	     &next.calloc,
		&next.realloc, &next.posix_memalign, &next.usable_size,
		&next.trim,
	};

	return slots[i];
}

#define NEXT_COUNT (sizeof(next_names) / sizeof(next_names[0]))

static int scan_object(struct dl_phdr_info *info, size_t size, void *ctx)
{
	struct scan *sc = ctx;
	struct dynsyms d;
	const ElfW(Sym) * s;

	(void)size;
	if (object_holds(info, (uintptr_t)&foreign_detect)) {
		sc->past_shim = true;
		return 0;
	}
	if (!dynsyms_of(info, &d))
		return 0;
	/* Only an allocator that replaces malloc: one used beside glibc's
	 * (CPython's own mimalloc) mixes nothing the shim changes. */
	for (size_t k = 0; sc->found < 0 && k < KNOWN_COUNT; k++) {
		if (sym_find(&d, known[k].symbol) != NULL &&
		    sym_find(&d, "malloc") != NULL) {
			sc->found = (int)k;
			sc->where = info->dlpi_name[0] ? info->dlpi_name
						       : "the program";
		}
	}
	if (!sc->past_shim)
		return 0;
	for (size_t i = 0; i < NEXT_COUNT; i++) {
		void *slot = next_slot((int)i), *have, *addr;

		memcpy(&have, slot, sizeof(have));
		if (have == NULL && (s = sym_find(&d, next_names[i])) != NULL) {
			addr = sym_address(&d, s);
			memcpy(slot, &addr, sizeof(addr));
		}
	}
	return 0;
}

bool foreign_detect(void)
{
	struct scan sc = {.past_shim = false, .found = -1, .where = NULL};

	dl_iterate_phdr(scan_object, &sc);
	if (sc.found < 0)
		return false;
	if (next.malloc == NULL || next.free == NULL || next.calloc == NULL ||
	    next.realloc == NULL || next.posix_memalign == NULL) {
		shim_log(1,
			 "%s found (%s in %s), but no malloc after the "
			 "shim's: the shim keeps serving malloc",
			 known[sc.found].name, known[sc.found].symbol,
			 sc.where);
		return false;
	}
	shim_log(1,
		 "%s found (%s in %s): the program has its own allocator; "
		 "the shim leaves malloc and its family to it, and places "
		 "anonymous mmap only",
		 known[sc.found].name, known[sc.found].symbol, sc.where);
	foreign_aside = true;
	return true;
}

/* ------------------------------------------------------------------------
 * Forwarding
 */

void *foreign_alloc(size_t size, size_t alignment, bool zero)
{
	void *p;

	if (alignment <= 1)
		return zero ? next.calloc(1, size) : next.malloc(size);
	if (alignment < sizeof(void *))
		alignment = sizeof(void *);
	if (next.posix_memalign(&p, alignment, size))
		return NULL;
	if (zero)
		memset(p, 0, size);
	return p;
}

void foreign_free(void *ptr)
{
	next.free(ptr);
}

void *foreign_realloc(void *ptr, size_t size)
{
	return next.realloc(ptr, size);
}

size_t foreign_usable_size(void *ptr)
{
	return next.usable_size != NULL ? next.usable_size(ptr) : 0;
}

int foreign_trim(size_t pad)
{
	return next.trim != NULL ? next.trim(pad) : -1;
}
