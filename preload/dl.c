/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dlopen and dlclose (entry points): the libraries' own, then the site=
 * rules re-resolved (site.c), so that a site in a library loaded later
 * matches and one in a library unloaded stops matching.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "base.h"
#include "profile.h"
#include "site.h"

static void *(*real_dlopen)(const char *, int);
static int (*real_dlclose)(void *);

SHIM_EXPORT void *dlopen(const char *file, int mode)
{
	void *h;

	if (real_dlopen == NULL)
		*(void **)&real_dlopen = dlsym(RTLD_NEXT, "dlopen");
	if (real_dlopen == NULL)
		return NULL;
	h = real_dlopen(file, mode);
	if (h != NULL)
		site_refresh("dlopen");
	return h;
}

SHIM_EXPORT int dlclose(void *handle)
{
	int r;

	if (real_dlclose == NULL)
		*(void **)&real_dlclose = dlsym(RTLD_NEXT, "dlclose");
	if (real_dlclose == NULL)
		return -1;
	profile_name_sites(); /* while the library is still there */
	r = real_dlclose(handle);
	site_refresh("dlclose");
	return r;
}
