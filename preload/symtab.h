/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ELF symbol tables (base layer): the functions of an object file, read
 * from its .symtab and .dynsym through a read-only mapping of the file,
 * and the return addresses of the calling thread (site= rules and the
 * profile). Nothing here allocates, so the shim may call it inside
 * malloc's set-up.
 */
#ifndef AML_PRELOAD_SYMTAB_H
#define AML_PRELOAD_SYMTAB_H

#include <link.h>
#include <stddef.h>
#include <stdint.h>

/* An object file mapped read-only. */
struct elf_file {
	const unsigned char *map;
	size_t len;
	int has_symtab; /* a .symtab (not stripped) */
};

/* Map the file at path. 0, or -1 with errno set (ENOEXEC: not a 64-bit
 * ELF file of this machine's byte order). */
int elf_open(struct elf_file *f, const char *path);
void elf_close(struct elf_file *f);

/* Call fn for every defined function of .symtab and .dynsym (value: its
 * address in the file, size: its length in bytes, 0 if unknown) until it
 * returns non-zero, which elf_functions then returns; 0 at the end. */
int elf_functions(const struct elf_file *f,
		  int (*fn)(void *ctx, const char *name, size_t value,
			    size_t size),
		  void *ctx);

/* The function holding the file address vaddr (its name and start), or
 * NULL. */
const char *elf_function_at(const struct elf_file *f, size_t vaddr,
			    size_t *start);

/* The addresses [*lo, *hi) that the loadable segments of a loaded object
 * span (dl_iterate_phdr's view of it). */
void elf_object_span(const struct dl_phdr_info *info, uintptr_t *lo,
		     uintptr_t *hi);

/* The program's own path (dl_iterate_phdr names it ""), read once from
 * /proc/self/exe; "" if unreadable. */
const char *elf_program_path(void);

/* Find the shim's own object, whose frames elf_frames leaves out: at
 * set-up, outside malloc (dl_iterate_phdr takes the loader's lock). */
void elf_frames_init(void);
/* Up to max return addresses of the calling thread's stack, innermost
 * first, the shim's own frames left out (_Unwind_Backtrace: programs
 * built without frame pointers unwind too). How many were found. */
int elf_frames(uintptr_t *ip, int max);

#endif /* AML_PRELOAD_SYMTAB_H */
