/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The placement report (over placement and statistics), text or JSON,
 * written at exit by start-up (init.c).
 */
#ifndef AML_PRELOAD_REPORT_H
#define AML_PRELOAD_REPORT_H

/* At start-up, once the configuration is loaded: the report file's path
 * made absolute (a later chdir of the program does not move it) and the
 * local rank, read while the environment is the launcher's. */
void shim_report_prepare(void);

/* Write the report, if the configuration asks for one. */
void shim_report_write(void);

#endif /* AML_PRELOAD_REPORT_H */
