/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one way tests run a child program (tests/common/run.c, linked into
 * every test): its standard output and error captured apart, a watchdog
 * that kills the child's whole process group when it runs too long, and
 * control of its environment (the shim's LD_PRELOAD and AML_* variables of
 * this process left out unless asked for, extra "NAME=value" strings
 * added) and of what a fault test sets before exec (a working directory,
 * an address-space limit, a high OOM score). Standard input is /dev/null.
 *
 *     char *argv[] = {PROGRAM("placement"), "small", NULL};
 *     struct run_result r = run_program(argv, SHIM_PATH, env);
 *     cr_assert_eq(r.status, 0, "%s", r.out);
 *     run_result_free(&r);
 *
 * Paths come from the environment tests/meson.build gives every test
 * (AML_TEST_BUILD_ROOT, ...) and, for the shim's suites, from meson as
 * definitions: SHIM_PATH (libaml-preload.so), PROGRAMS_DIR.
 */
#ifndef AML_TESTS_COMMON_RUN_H
#define AML_TESTS_COMMON_RUN_H

#include <stddef.h>

/* A program of the suite's programs/ directory. */
#define PROGRAM(name) PROGRAMS_DIR "/" name

/* The watchdog when run_opts.timeout_s is 0. */
#define RUN_DEFAULT_TIMEOUT_S 60

struct run_opts {
	char *const *argv;	     /* argv[0] is a path */
	const char *const *env;	     /* extra "NAME=value", NULL-terminated */
	const char *preload;	     /* LD_PRELOAD of the child; NULL: none */
	int keep_env;		     /* keep this process's LD_PRELOAD, AML_* */
	int timeout_s;		     /* watchdog; 0: RUN_DEFAULT_TIMEOUT_S */
	const char *cwd;	     /* NULL: stay */
	unsigned long address_space; /* RLIMIT_AS in bytes; 0: unchanged */
	int oom_first;		     /* oom_score_adj 1000 (the OOM victim) */
};

struct run_result {
	int status;    /* exit code, or 128 + signal */
	int signal;    /* the signal that ended it; 0: it exited */
	int timed_out; /* the watchdog killed it */
	char *out;     /* standard output, NUL-terminated (malloc'd) */
	size_t len;    /* bytes in out */
	char *err;     /* standard error, NUL-terminated (malloc'd) */
};

/* Run o->argv as o says; aborts only when no child can be made. */
struct run_result run_with(const struct run_opts *o);
void run_result_free(struct run_result *r);

/* argv with LD_PRELOAD=preload (NULL: none) and the extra variables, the
 * rest as run_with's defaults. */
struct run_result run_program(char *const argv[], const char *preload,
			      const char *const *extra);

/* Run argv under the shim `preload` with extra: it must exit 0 and its
 * output begin with `want` (the test programs print "ok ..." when all they
 * checked held, and what went wrong otherwise). */
void run_expect_ok(const char *preload, char *const argv[],
		   const char *const *extra, const char *want);

/*
 * Run `cmd` through /bin/sh with this process's environment, its standard
 * output into out[0 .. len - 1] (NUL-terminated; add 2>&1 for standard
 * error, which otherwise goes to this process's). Fails the test if the
 * command was killed or timed out; returns its exit status.
 */
int run_shell(const char *cmd, char *out, size_t len);

/* The value of `name`; fails the test when it is not set. */
const char *test_need_env(const char *name);
/* Path of the built aml-run. */
const char *test_aml_run_path(void);

#endif /* AML_TESTS_COMMON_RUN_H */
