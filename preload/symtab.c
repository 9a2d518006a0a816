/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ELF symbol tables (base layer): the file is mapped read-only and its
 * section headers checked against its length before anything is read
 * through them, so a truncated or hostile file gives "no symbols", never
 * a fault.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unwind.h>

#include "symtab.h"

int elf_open(struct elf_file *f, const char *path)
{
	const Elf64_Ehdr *eh;
	struct stat st;
	void *p;
	int fd;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		errno = ENOEXEC;
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	f->map = p;
	f->len = (size_t)st.st_size;
	eh = p;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > f->len ||
	    (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > f->len - eh->e_shoff) {
		elf_close(f);
		errno = ENOEXEC;
		return -1;
	}
	for (size_t i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sh =
			(const Elf64_Shdr *)(f->map + eh->e_shoff) + i;

		if (sh->sh_type == SHT_SYMTAB)
			f->has_symtab = 1;
	}
	return 0;
}

void elf_close(struct elf_file *f)
{
	if (f->map)
		munmap((void *)f->map, f->len);
	f->map = NULL;
}

static const Elf64_Shdr *section(const struct elf_file *f, size_t i)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->map;

	if (i >= eh->e_shnum)
		return NULL;
	return (const Elf64_Shdr *)(f->map + eh->e_shoff) + i;
}

static int inside(const struct elf_file *f, size_t off, size_t len)
{
	return off <= f->len && len <= f->len - off;
}

/* Every defined function of one symbol table section. */
static int table_walk(const struct elf_file *f, const Elf64_Shdr *sh,
		      int (*fn)(void *, const char *, size_t, size_t),
		      void *ctx)
{
	const Elf64_Shdr *strs = section(f, sh->sh_link);
	const Elf64_Sym *sym;
	size_t n;

	if (strs == NULL || sh->sh_entsize != sizeof(Elf64_Sym) ||
	    !inside(f, sh->sh_offset, sh->sh_size) ||
	    !inside(f, strs->sh_offset, strs->sh_size) || strs->sh_size == 0 ||
	    f->map[strs->sh_offset + strs->sh_size - 1] != '\0')
		return 0;
	sym = (const Elf64_Sym *)(f->map + sh->sh_offset);
	n = sh->sh_size / sizeof(Elf64_Sym);
	for (size_t i = 0; i < n; i++) {
		int type = ELF64_ST_TYPE(sym[i].st_info), r;

		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    sym[i].st_shndx == SHN_UNDEF || sym[i].st_value == 0 ||
		    sym[i].st_name >= strs->sh_size)
			continue;
		r = fn(ctx,
		       (const char *)f->map + strs->sh_offset + sym[i].st_name,
		       sym[i].st_value, sym[i].st_size);
		if (r)
			return r;
	}
	return 0;
}

int elf_functions(const struct elf_file *f,
		  int (*fn)(void *ctx, const char *name, size_t value,
			    size_t size),
		  void *ctx)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->map;

	for (size_t i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sh = section(f, i);
		int r;

		if (sh->sh_type != SHT_SYMTAB && sh->sh_type != SHT_DYNSYM)
			continue;
		r = table_walk(f, sh, fn, ctx);
		if (r)
			return r;
	}
	return 0;
}

struct nearest {
	size_t vaddr, start;
	const char *name;
};

static int nearest_fn(void *ctx, const char *name, size_t value, size_t size)
{
	struct nearest *n = ctx;

	if (value > n->vaddr || (n->name && value <= n->start))
		return 0;
	if (size && n->vaddr >= value + size)
		return 0;
	n->start = value;
	n->name = name;
	return 0;
}

const char *elf_function_at(const struct elf_file *f, size_t vaddr,
			    size_t *start)
{
	struct nearest n = {vaddr, 0, NULL};

	elf_functions(f, nearest_fn, &n);
	if (n.name && start)
		*start = n.start;
	return n.name;
}

void elf_object_span(const struct dl_phdr_info *info, uintptr_t *lo,
		     uintptr_t *hi)
{
	*lo = UINTPTR_MAX;
	*hi = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (start < *lo)
			*lo = start;
		if (start + ph->p_memsz > *hi)
			*hi = start + ph->p_memsz;
	}
}

const char *elf_program_path(void)
{
	static char path[PATH_MAX];
	ssize_t n;

	if (path[0] == '\0') {
		n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		path[n > 0 ? n : 0] = '\0';
	}
	return path;
}

/* ------------------------------------------------------------------------
 * The calling thread's frames
 */

static uintptr_t self_lo, self_hi; /* the shim's own code */

static int self_fn(struct dl_phdr_info *info, size_t len, void *ctx)
{
	uintptr_t me = (uintptr_t)&elf_frames_init, lo, hi;

	(void)len;
	(void)ctx;
	elf_object_span(info, &lo, &hi);
	if (me < lo || me >= hi)
		return 0;
	self_lo = lo;
	self_hi = hi;
	return 1;
}

void elf_frames_init(void)
{
	if (self_hi == 0)
		dl_iterate_phdr(self_fn, NULL);
}

struct frames {
	uintptr_t *ip;
	int n, max;
};

static _Unwind_Reason_Code frame_fn(struct _Unwind_Context *ctx, void *arg)
{
	struct frames *f = arg;
	uintptr_t ip = _Unwind_GetIP(ctx);

	if (ip == 0)
		return _URC_END_OF_STACK;
	if (ip >= self_lo && ip < self_hi)
		return _URC_NO_REASON; /* the shim's own frames */
	f->ip[f->n++] = ip;
	return f->n == f->max ? _URC_END_OF_STACK : _URC_NO_REASON;
}

int elf_frames(uintptr_t *ip, int max)
{
	struct frames f = {ip, 0, max};

	if (max > 0)
		_Unwind_Backtrace(frame_fn, &f);
	return f.n;
}
