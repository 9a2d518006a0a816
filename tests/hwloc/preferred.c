/* SPDX-License-Identifier: BSD-3-Clause */
/* Filled in by the next commits. */
#include <criterion/criterion.h>
