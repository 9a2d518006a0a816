/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shim's log (base layer): one line per message, "aml-preload: ..."
 * on descriptor 2 while it is the standard error of start-up (text.h).
 * No descriptor is kept. Nothing here allocates.
 */
#ifndef AML_PRELOAD_LOG_H
#define AML_PRELOAD_LOG_H

/* Messages above level are dropped: 0 quiet (errors only), 1 warnings,
 * 2 info, 3 debug, as shim_config.log_level. */
void shim_log_set_level(int level);

/* Remember what standard error is, at start-up (before anything is
 * said): messages go there only while descriptor 2 is still that file. */
void shim_log_open(void);

/* Say something once, if level is at most the level set. */
void shim_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The log's descriptor (the report's "stderr"): descriptor 2, which
 * text_write writes only while it is the standard error of start-up. */
int shim_log_fd(void);

#endif /* AML_PRELOAD_LOG_H */
