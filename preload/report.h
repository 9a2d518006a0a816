/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The placement report (over placement and statistics), written at exit
 * by start-up (init.c).
 */
#ifndef AML_PRELOAD_REPORT_H
#define AML_PRELOAD_REPORT_H

/* Write the report, if the configuration asks for one. */
void shim_report_write(void);

#endif /* AML_PRELOAD_REPORT_H */
