/* SPDX-License-Identifier: BSD-3-Clause */
/* Placeholder until the hwloc backend lands (issue 4). */
#include "internal.h"

int aml_backend_hwloc_init(void)
{
	return 0;
}

void aml_backend_hwloc_finalize(void)
{
}

int aml_backend_hwloc_supported(void)
{
	return 0;
}
