/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Node masks and node lists (settings layer, the lowest part): a node mask
 * is SHIM_NODE_WORDS unsigned longs, bit n in word n / WORD_BITS (the
 * layout of struct aml_bitmap's words). Nothing here allocates, calls
 * libnuma or uses stdio: it runs inside the first malloc.
 */
#ifndef AML_PRELOAD_NODES_H
#define AML_PRELOAD_NODES_H

#include <stddef.h>

#include "text.h"

#define SHIM_MAX_NODES 1024
#define WORD_BITS (8 * sizeof(unsigned long))
#define SHIM_NODE_WORDS (SHIM_MAX_NODES / WORD_BITS)

int node_isset(const unsigned long *mask, size_t node);
void node_set(unsigned long *mask, size_t node);
size_t node_count(const unsigned long *mask, size_t nwords);
/* The mask in node-list syntax: "0-3,5"; "none" when empty. */
void msg_nodes(struct msg *m, const unsigned long *mask, size_t nwords);
/* The n-th node (from 0) of allowed, or -1. */
long nth_allowed_of(const unsigned long *allowed, size_t nwords,
		    unsigned long n);

/* shim_parse_nodelist on s[0..len), the problem written to msg. */
int nodelist_parse(const char *s, size_t len, unsigned long *mask,
		   size_t nwords, const unsigned long *allowed,
		   struct msg *msg);
/* numactl node-list syntax ("0-3,5", "all", "!0-1", "+0-1" relative to
 * allowed) into mask (nwords words). Every node must be in allowed; "!"
 * negates relative to allowed. On error, -1 and the problem in err (without
 * the variable's name, e.g. "range 3-1 is reversed"). */
int shim_parse_nodelist(const char *s, unsigned long *mask, size_t nwords,
			const unsigned long *allowed, char *err, size_t errlen);

/* A decimal number in s[0..len) into *out. 0 or -1. */
int number_parse(const char *s, size_t len, unsigned long *out);
/* The kernel's list format ("0-3,8", as in /sys and /proc) into mask.
 * 0 or -1. */
int kernel_list(const char *s, size_t len, unsigned long *mask, size_t nwords);

/* The nodes this process may use (Mems_allowed_list of /proc/self/status),
 * read with raw system calls. 0 or -1. */
int shim_allowed_nodes(unsigned long *mask, size_t nwords);

#endif /* AML_PRELOAD_NODES_H */
