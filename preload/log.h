/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's log (base layer): one line per message, "aml-preload: ..."
 * on a copy of standard error taken at start-up (the program may close
 * its stderr later). Nothing here allocates.
 */
#ifndef AML_PRELOAD_LOG_H
#define AML_PRELOAD_LOG_H

/* Messages above level are dropped: 0 quiet (errors only), 1 warnings,
 * 2 info, 3 debug, as shim_config.log_level. */
void shim_log_set_level(int level);

/* Take the copy of standard error (a descriptor out of the way of the
 * small numbers shells use). */
void shim_log_open(void);

/* Say something once, if level is at most the level set. */
void shim_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The log's descriptor (the report's "stderr"): the copy once taken,
 * standard error before. */
int shim_log_fd(void);

#endif /* AML_PRELOAD_LOG_H */
