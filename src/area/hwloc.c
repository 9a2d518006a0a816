/* SPDX-License-Identifier: BSD-3-Clause */
/* Placeholder until the hwloc area lands (issue 4). */
#include "internal.h"

typedef int aml_area_hwloc_placeholder;
