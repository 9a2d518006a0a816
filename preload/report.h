/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The placement report (over placement and statistics), text or JSON,
 * written at exit by start-up (init.c).
 */
#ifndef AML_PRELOAD_REPORT_H
#define AML_PRELOAD_REPORT_H

#include "rules.h"

/* At start-up, once the configuration is loaded: the report file's path
 * made absolute (a later chdir of the program does not move it), the
 * local rank, read while the environment is the launcher's, and the
 * placement applied to the rest of the process (NULL: none). */
void shim_report_prepare(const struct shim_rule *rest);

/* Write the report, if the configuration asks for one. */
void shim_report_write(void);

#endif /* AML_PRELOAD_REPORT_H */
