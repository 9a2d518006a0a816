/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mmap family. Anonymous private mappings whose length matches a rule
 * come from that rule's area (mapped, then bound before anything touches
 * them); file-backed and shared mappings, and everything when AML_MMAP is
 * off, pass straight to the kernel. The real calls are system calls
 * (aml_os_*), never dlsym.
 */
/* Both mmap and mmap64 are defined here: no redirection of one to the
 * other by the large-file macros. */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "aml.h"
#include "aml/area/linux.h"
#include "init.h"
#include "log.h"
#include "os.h"
#include "placement.h"
#include "ranges.h"
#include "stats.h"

static int routed_rule(size_t len, int flags)
{
	const struct shim_config *cfg;

	if (!(flags & MAP_ANONYMOUS) || (flags & MAP_TYPE) != MAP_PRIVATE)
		return SHIM_UNROUTED;
	if (!shim_thread_enter())
		return SHIM_UNROUTED; /* called from inside the shim */
	cfg = shim_config();
	if (!cfg->route_mmap || cfg->nrules == 0)
		return SHIM_UNROUTED;
	return shim_rule_for_size(len);
}

static atomic_int bind_failure_said;

static void *map_routed(int rule, void *addr, size_t len, int prot, int flags)
{
	const struct aml_area *area = shim_rule_area(rule);
	struct aml_area_linux_mmap_options opts = {
		.ptr = addr,
		.flags = flags,
		.mode = prot,
		.fd = -1,
		.offset = 0,
	};
	/* The hook, not aml_area_mmap (see area_map in extent.c): the
	 * program unmaps, moves and splits this mapping by address. */
	void *p = area->ops->mmap(area->data, len,
				  (struct aml_area_mmap_options *)&opts);
	size_t page = aml_os_page_size();

	if (p == NULL)
		return NULL;
	ranges_rule_add(rule, p, (len + page - 1) & ~(page - 1));
	shim_count_mmap(rule, len);
	return p;
}

/*
 * A MAP_FIXED mapping (or an mremap onto a fixed address) replaces what
 * was at [addr, addr + len): pages of a routed mapping there are no longer
 * the rule's (a private file mapped over part of a routed buffer must not
 * count under the rule), as if they had been unmapped first. Before the
 * call, the census counts the pages that go; after it, the rule ranges
 * forget them (a routed replacement adds its own after).
 */
static void replaced_count(void *addr, size_t len)
{
	if (census_enabled())
		ranges_rule_pieces(addr, len, census_release);
}

static void replaced_forget(void *addr, size_t len)
{
	if (shim_is_ready())
		ranges_rule_remove(addr, len);
}

static void *map_plain(void *addr, size_t len, int prot, int flags, int fd,
		       off_t offset)
{
	void *p;
	int err = aml_os_mmap(&p, addr, len, prot, flags, fd, offset);

	if (err) {
		errno = -err;
		return MAP_FAILED;
	}
	return p;
}

SHIM_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
		       off_t offset)
{
	int rule = routed_rule(len, flags);
	bool fixed = (flags & MAP_FIXED) != 0;
	void *p;

	if (fixed)
		replaced_count(addr, len);
	if (rule == SHIM_UNROUTED) {
		p = map_plain(addr, len, prot, flags, fd, offset);
		if (fixed && p != MAP_FAILED)
			replaced_forget(addr, len);
		return p;
	}
	if (fixed)
		replaced_forget(addr, len);
	p = map_routed(rule, addr, len, prot, flags);
	if (p != NULL)
		return p;
	/* Mapping or binding failed: the kernel's own answer decides. */
	p = map_plain(addr, len, prot, flags, fd, offset);
	if (p != MAP_FAILED && atomic_exchange(&bind_failure_said, 1) == 0)
		shim_log(1,
			 "mmap of %zu bytes could not be bound (rule %d); "
			 "left unbound",
			 len, rule);
	return p;
}

SHIM_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
			 off64_t offset)
{
	return mmap(addr, len, prot, flags, fd, offset);
}

SHIM_EXPORT int munmap(void *addr, size_t len)
{
	int err;

	if (census_enabled())
		ranges_rule_pieces(addr, len, census_release);
	err = aml_os_munmap(addr, len);

	if (err) {
		errno = -err;
		return -1;
	}
	if (shim_is_ready())
		ranges_rule_remove(addr, len);
	return 0;
}

/* A shrinking mremap gives the tail back to the kernel: count it first. */
static void census_shrink(int rule, void *addr, size_t old_len, size_t new_len)
{
	size_t page = aml_os_page_size();
	size_t kept = (new_len + page - 1) & ~(page - 1);

	if (kept < old_len)
		census_release(rule, (char *)addr + kept, old_len - kept);
}

SHIM_EXPORT void *mremap(void *old_addr, size_t old_len, size_t new_len,
			 int flags, ...)
{
	void *new_addr = NULL, *p;
	int rule = SHIM_UNROUTED, err;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
	}
	if (shim_is_ready())
		rule = ranges_rule_at(old_addr);
	if (rule != SHIM_UNROUTED && census_enabled())
		census_shrink(rule, old_addr, old_len, new_len);
	if (flags & MREMAP_FIXED)
		replaced_count(new_addr, new_len);
	err = aml_os_mremap(&p, old_addr, old_len, new_len, flags, new_addr);
	if (err) {
		errno = -err;
		return MAP_FAILED;
	}
	/* Onto a fixed address: what was there is replaced. */
	if (flags & MREMAP_FIXED)
		replaced_forget(new_addr, new_len);
	/* The kernel keeps the policy of a moved or grown mapping. */
	if (rule != SHIM_UNROUTED) {
		if (old_len != 0)
			ranges_rule_remove(old_addr, old_len);
		ranges_rule_add(rule, p, new_len);
	}
	return p;
}
