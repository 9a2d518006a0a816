/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * aml-run: run a program under the preload shim.
 *
 *   aml-run [options] [--] program [args...]
 *
 * The options are numactl-like and become the shim's AML_* variables; they
 * are checked with the shim's own parser before anything runs (bad
 * configuration: a message and status 2). Only the target gets LD_PRELOAD:
 * aml-run sets it and execs, so the program's exit status is aml-run's.
 * --help and --man come from the option table below and the shim's
 * settings table.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <numaif.h>

#include <aml/utils/version.h>

#include "settings.h"

#define SHIM_NAME "libaml-preload.so"
#define EXIT_USAGE 2
#define EXIT_CANNOT_RUN 127

/* ------------------------------------------------------------------------
 * Options
 */

enum option_id {
	OPT_MEMBIND = 'm',
	OPT_INTERLEAVE = 'i',
	OPT_PREFERRED = 'p',
	OPT_SIZE = 's',
	OPT_RULE = 'r',
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_NO_MMAP = 256,
	OPT_REPORT,
	OPT_REPORT_FORMAT,
	OPT_REST,
	OPT_LOG,
	OPT_STRICT,
	OPT_DRY_RUN,
	OPT_MAN,
	OPT_RULES_FILE,
	OPT_PROFILE,
	OPT_PROFILE_CAPACITY,
	OPT_WEIGHTED,
	OPT_WEIGHTED_INTERLEAVE,
};

struct run_option {
	const char *name;
	int has_arg;
	int id;
	const char *arg;  /* value's name in --help */
	const char *help; /* one line */
};

static const struct run_option run_options[] = {
	{"membind", required_argument, OPT_MEMBIND, "NODES",
	 "allocate only on NODES (AML_POLICY=bind)"},
	{"interleave", required_argument, OPT_INTERLEAVE, "NODES",
	 "interleave pages over NODES (AML_POLICY=interleave)"},
	{"preferred", required_argument, OPT_PREFERRED, "NODE",
	 "prefer NODE, fall back elsewhere (AML_POLICY=preferred)"},
	{"weighted", required_argument, OPT_WEIGHTED, "NODE:W,...|auto",
	 "pages in a ratio over nodes, 0:3,2:1 or NODES/W,W; auto: weights "
	 "from HMAT (AML_POLICY=weighted)"},
	{"weighted-interleave", required_argument, OPT_WEIGHTED_INTERLEAVE,
	 "NODES",
	 "weighted interleave over NODES with the kernel's weights, "
	 "as numactl -w (AML_NODES=NODES/kernel)"},
	{"size", required_argument, OPT_SIZE, "MIN[:MAX]",
	 "place only allocations of MIN to MAX bytes (AML_SIZE)"},
	{"rule", required_argument, OPT_RULE,
	 "POLICY[:NODES[:MIN-MAX[:site=S]]]",
	 "add a rule; repeatable, first match wins (AML_RULES)"},
	{"rules-file", required_argument, OPT_RULES_FILE, "FILE",
	 "rules from FILE, one per line, # comments; a rule may end with "
	 ":site=FUNCTION[@DEPTH] or :site=MODULE+0xOFFSET[@DEPTH] "
	 "(AML_RULES_FILE)"},
	{"profile", optional_argument, OPT_PROFILE, "FILE",
	 "count requests of 4K and up per allocation site; at exit a table "
	 "by peak live bytes in FILE (aml-profile.%p.tsv) and rules for "
	 "the largest in FILE.rules (AML_PROFILE)"},
	{"profile-capacity", required_argument, OPT_PROFILE_CAPACITY, "SIZE",
	 "the profile's rules take the sites whose peaks fit SIZE "
	 "(AML_PROFILE_CAPACITY)"},
	{"no-mmap", no_argument, OPT_NO_MMAP, NULL,
	 "leave anonymous mmap alone (AML_MMAP=0)"},
	{"report", optional_argument, OPT_REPORT, "FILE",
	 "placement report at exit, to stderr or FILE (AML_REPORT)"},
	{"report-format", required_argument, OPT_REPORT_FORMAT, "FORMAT",
	 "the report as text or json (AML_REPORT_FORMAT)"},
	{"rest", required_argument, OPT_REST, "POLICY[:NODES]",
	 "the rest of the process (stacks, brk heap, static data): "
	 "POLICY[:NODES], auto or none (AML_REST)"},
	{"log", required_argument, OPT_LOG, "LEVEL",
	 "quiet, warn, info or debug (AML_LOG)"},
	{"strict", no_argument, OPT_STRICT, NULL,
	 "an invalid setting stops the program (AML_STRICT=1)"},
	{"dry-run", no_argument, OPT_DRY_RUN, NULL,
	 "print the environment and the rules, run nothing"},
	{"help", no_argument, OPT_HELP, NULL, "this help"},
	{"version", no_argument, OPT_VERSION, NULL, "the version"},
	{"man", no_argument, OPT_MAN, NULL, "the manual page (troff)"},
};

#define RUN_OPTION_COUNT (sizeof(run_options) / sizeof(run_options[0]))

/* ------------------------------------------------------------------------
 * The environment the target will get
 */

/* A variable aml-run sets (value) or removes (value NULL). */
struct assignment {
	const char *name;
	const char *value;
};

struct launch {
	struct assignment set[16];
	int nset;
	const char *policy_option; /* for conflict messages */
	int size_option;
	char *rules;
	int dry_run;
};

static void assign(struct launch *l, const char *name, const char *value)
{
	int i;

	for (i = 0; i < l->nset; i++) {
		if (!strcmp(l->set[i].name, name)) {
			l->set[i].value = value;
			return;
		}
	}
	l->set[l->nset].name = name;
	l->set[l->nset++].value = value;
}

/* What the target will see: aml-run's assignments, else the environment. */
static const char *launch_get(const char *name, void *ctx)
{
	const struct launch *l = ctx;
	int i;

	for (i = 0; i < l->nset; i++)
		if (!strcmp(l->set[i].name, name))
			return l->set[i].value;
	return getenv(name);
}

static void usage_error(const char *what, const char *detail)
{
	fprintf(stderr, "aml-run: %s%s (see aml-run --help)\n", what, detail);
	exit(EXIT_USAGE);
}

static void set_policy(struct launch *l, const char *option, const char *policy,
		       const char *nodes)
{
	char what[128];

	if (l->policy_option) {
		snprintf(what, sizeof(what), "--%s and --%s", l->policy_option,
			 option);
		usage_error(what, " cannot be combined");
	}
	l->policy_option = option;
	assign(l, "AML_POLICY", policy);
	assign(l, "AML_NODES", nodes);
}

static void add_rule(struct launch *l, const char *rule)
{
	size_t old = l->rules ? strlen(l->rules) : 0;
	char *rules = realloc(l->rules, old + strlen(rule) + 2);

	if (rules == NULL) {
		perror("aml-run");
		exit(EXIT_USAGE);
	}
	if (old)
		rules[old++] = ';';
	strcpy(rules + old, rule);
	l->rules = rules;
}

/* The two forms exclude each other: the command line wins over the
 * environment, and mixing them on the command line is an error. */
static void settle_forms(struct launch *l)
{
	const char *single = l->policy_option ? l->policy_option
			     : l->size_option ? "size"
					      : NULL;
	char what[64];

	if (l->rules && single) {
		snprintf(what, sizeof(what), "--rule and --%s", single);
		usage_error(what, " cannot be combined");
	}
	if (l->rules) {
		assign(l, "AML_RULES", l->rules);
		assign(l, "AML_POLICY", NULL);
		assign(l, "AML_NODES", NULL);
		assign(l, "AML_SIZE", NULL);
	} else if (single) {
		assign(l, "AML_RULES", NULL);
	}
}

/* ------------------------------------------------------------------------
 * Help, manual page, version
 */

static void print_help(void)
{
	char left[64];
	size_t i;

	printf("Usage: aml-run [options] [--] program [args...]\n"
	       "Run program with its heap and anonymous mappings placed on "
	       "NUMA nodes by libaml.\n\nOptions:\n");
	for (i = 0; i < RUN_OPTION_COUNT; i++) {
		const struct run_option *o = &run_options[i];

		snprintf(left, sizeof(left), "%c%c%c --%s%s%s%s",
			 o->id < 256 ? '-' : ' ', o->id < 256 ? o->id : ' ',
			 o->id < 256 ? ',' : ' ', o->name,
			 o->has_arg == optional_argument ? "[="
			 : o->has_arg			 ? "="
							 : "",
			 o->arg ? o->arg : "",
			 o->has_arg == optional_argument ? "]" : "");
		printf("  %-35s %s\n", left, o->help);
	}
	printf("\nNODES: numactl node list, e.g. 0-3,5  all  !1  +0-1, or a "
	       "form resolved by\n"
	       "each process where it runs: @local-rank  "
	       "@local-rank=LIST|LIST...  @cpu-local\n"
	       "@nearest[=K] (see docs/cluster.md)\n"
	       "Sizes: bytes with K, M or G suffixes (1024-based), bounds "
	       "inclusive.\n"
	       "\nEnvironment (what the options set; may also be set "
	       "directly):\n");
	for (i = 0; i < shim_settings_count; i++) {
		const struct shim_setting *s = &shim_settings[i];

		printf("  %-11s %s\n  %-11s (%s; default: %s)\n", s->name,
		       s->help, "", s->type, s->fallback);
	}
	printf("\nExit status: the program's; 2 for a bad option or setting; "
	       "127 if it cannot run.\n");
}

/* Text for troff: '-' is a hyphen unless written "\-", '\' is "\e". */
static void troff(const char *s)
{
	for (; *s; s++) {
		if (*s == '-')
			fputs("\\-", stdout);
		else if (*s == '\\')
			fputs("\\e", stdout);
		else
			putchar(*s);
	}
}

static void print_man(void)
{
	size_t i;

	printf(".TH AML\\-RUN 1 \"\" \"libaml\" \"User Commands\"\n"
	       ".SH NAME\naml\\-run \\- run a program with its memory placed "
	       "on NUMA nodes by libaml\n"
	       ".SH SYNOPSIS\n.B aml\\-run\n[\\fIoptions\\fR] [\\fB\\-\\-\\fR] "
	       "\\fIprogram\\fR [\\fIargs\\fR...]\n"
	       ".SH DESCRIPTION\n"
	       "Runs \\fIprogram\\fR with the preload shim " SHIM_NAME
	       " in LD_PRELOAD. The shim serves malloc and its family, and "
	       "anonymous private mmap, from libaml Linux areas that place "
	       "pages with mbind(2) before first touch. Only allocations whose "
	       "size a rule matches are placed; the rest keep the kernel's "
	       "default placement. The options are turned into the AML_* "
	       "variables below and checked before the program starts.\n"
	       ".SH OPTIONS\n");
	for (i = 0; i < RUN_OPTION_COUNT; i++) {
		const struct run_option *o = &run_options[i];

		printf(".TP\n");
		if (o->id < 256)
			printf("\\fB\\-%c\\fR, ", o->id);
		printf("\\fB");
		troff("--");
		troff(o->name);
		printf("\\fR");
		if (o->has_arg == optional_argument)
			printf("[=\\fI%s\\fR]", o->arg);
		else if (o->has_arg)
			printf("=\\fI%s\\fR", o->arg);
		printf("\n");
		troff(o->help);
		printf("\n");
	}
	printf(".SH NODE LISTS\n"
	       "A node list is numactl's (0\\-3,5  all  !1  +0\\-1) or one "
	       "of these forms, resolved by each process where it runs, so "
	       "that aml\\-run can serve as the per\\-rank wrapper of MPI "
	       "launchers and srun:\n"
	       ".TP\n.B @local\\-rank\n"
	       "the k\\-th allowed node, k = local rank modulo the number "
	       "of allowed nodes; the local rank comes from the first set of "
	       "OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID, SLURM_LOCALID, "
	       "PMI_LOCAL_RANK, MV2_COMM_WORLD_LOCAL_RANK, PALS_LOCAL_RANKID, "
	       "FLUX_TASK_LOCAL_ID\n"
	       ".TP\n.BI @local\\-rank= LIST | LIST ...\n"
	       "local rank r takes node list r modulo the number of lists\n"
	       ".TP\n.B @cpu\\-local\n"
	       "the nodes of the CPUs the process is bound to\n"
	       ".TP\n.BI @nearest[= K ]\n"
	       "the K (default 1) allowed nodes nearest to those CPUs by "
	       "the kernel's node distances, ties by node number\n");
	printf(".SH STATICALLY LINKED PROGRAMS\n"
	       "A statically linked program (no program interpreter in its "
	       "ELF header) cannot load the shim. When the configuration is "
	       "one rule for all sizes, aml\\-run sets that rule as the "
	       "process memory policy (set_mempolicy(2), as numactl does) "
	       "before exec, so the whole program is placed: heap, stacks and "
	       "static data. Per\\-size rules cannot apply to it: it runs "
	       "with default placement. Either way aml\\-run says so on "
	       "standard error (unless AML_LOG is quiet), and no report is "
	       "written.\n");
	printf(".SH ENVIRONMENT\n");
	for (i = 0; i < shim_settings_count; i++) {
		const struct shim_setting *s = &shim_settings[i];

		printf(".TP\n.B %s\n", s->name);
		troff(s->help);
		printf(" (");
		troff(s->type);
		printf("; default: ");
		troff(s->fallback);
		printf(")\n");
	}
	printf(".TP\n.B AML_RUN_PRELOAD\nthe shim aml\\-run puts in "
	       "LD_PRELOAD, instead of the one found next to aml\\-run\n"
	       ".SH EXIT STATUS\nThe program's exit status; 2 for an invalid "
	       "option or setting; 127 when the program cannot be run.\n"
	       ".SH EXAMPLES\n.nf\naml\\-run \\-\\-interleave=0\\-3 \\-\\- "
	       "./app\naml\\-run \\-\\-membind=1 \\-\\-size=1M \\-\\-report "
	       "\\-\\- ./app\naml\\-run \\-\\-rule=interleave:0\\-3:1M\\- "
	       "\\-\\-rule=bind:0 \\-\\- ./app\n"
	       "mpirun \\-np 4 aml\\-run \\-\\-membind=@local\\-rank "
	       "\\-\\- ./app\n"
	       "srun \\-n 4 aml\\-run \\-\\-membind=@cpu\\-local "
	       "\\-\\- ./app\n"
	       "LD_PRELOAD=" SHIM_NAME " AML_POLICY=interleave "
	       "AML_NODES=0\\-3 ./app\n.fi\n"
	       ".SH SEE ALSO\nnumactl(8), mbind(2), move_pages(2)\n");
}

/* ------------------------------------------------------------------------
 * Finding the shim
 */

static int is_file(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The shim next to aml-run (build tree), the configured install path, or
 * ../lib relative to aml-run. NULL when none exists. */
static const char *find_shim(void)
{
	static char path[PATH_MAX + 64];
	char exe[PATH_MAX];
	const char *dir;
	ssize_t n;

	if (getenv("AML_RUN_PRELOAD"))
		return is_file(getenv("AML_RUN_PRELOAD"))
			       ? getenv("AML_RUN_PRELOAD")
			       : NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
		snprintf(path, sizeof(path), "%s/" SHIM_NAME, dir);
		if (is_file(path))
			return path;
	}
#ifdef AML_PRELOAD_PATH
	if (is_file(AML_PRELOAD_PATH))
		return AML_PRELOAD_PATH;
#endif
	if (n > 0) {
		snprintf(path, sizeof(path), "%s/../lib/" SHIM_NAME, dir);
		if (is_file(path))
			return path;
	}
	return NULL;
}

/* LD_PRELOAD with the shim first, once. */
static char *preload_value(const char *shim)
{
	const char *old = getenv("LD_PRELOAD");
	char *value;
	size_t len;

	if (old == NULL || *old == '\0' || !strcmp(old, shim))
		return strdup(shim);
	len = strlen(shim) + strlen(old) + 2;
	value = malloc(len);
	if (value)
		snprintf(value, len, "%s:%s", shim, old);
	return value;
}

/* ------------------------------------------------------------------------
 * What the program will see
 */

/* A relative report path would follow the program's chdir: make it
 * absolute here, where it was meant. Exits 2 if it gets too long. */
static void report_path_absolute(struct launch *l,
				 const struct shim_config *cfg)
{
	static char path[sizeof(cfg->report_path)];
	char cwd[PATH_MAX];
	int n;

	if (!cfg->report || cfg->report_path[0] == '\0' ||
	    cfg->report_path[0] == '/')
		return;
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		fprintf(stderr,
			"aml-run: AML_REPORT=\"%s\": cannot make it "
			"absolute: %s\n",
			cfg->report_path, strerror(errno));
		exit(EXIT_USAGE);
	}
	n = snprintf(path, sizeof(path), "%s/%s", cwd, cfg->report_path);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr,
			"aml-run: AML_REPORT=\"%s\": %s/%s is longer "
			"than %zu bytes\n",
			cfg->report_path, cwd, cfg->report_path,
			sizeof(path) - 1);
		exit(EXIT_USAGE);
	}
	assign(l, "AML_REPORT", path);
}

/* The file execvp would run: name itself if it has a '/', else the first
 * executable of that name in PATH. NULL if none. */
static const char *program_path(const char *name)
{
	static char path[PATH_MAX];
	const char *dirs = getenv("PATH"), *end;

	if (strchr(name, '/'))
		return name;
	if (dirs == NULL)
		dirs = "/bin:/usr/bin";
	for (; *dirs; dirs = *end ? end + 1 : end) {
		int len;

		end = strchr(dirs, ':');
		if (end == NULL)
			end = dirs + strlen(dirs);
		len = (int)(end - dirs);
		snprintf(path, sizeof(path), "%.*s/%s", len ? len : 1,
			 len ? dirs : ".", name);
		if (access(path, X_OK) == 0)
			return path;
	}
	return NULL;
}

/* 1 if path is an ELF executable without a program interpreter (static:
 * LD_PRELOAD cannot reach it), 0 if it has one, -1 if it is no ELF file
 * (a script) or cannot be read. */
static int elf_static(const char *path)
{
	unsigned char ident[EI_NIDENT];
	int fd = open(path, O_RDONLY | O_CLOEXEC), result = -1;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (fd < 0)
		return -1;
	/* 64-bit little-endian, the machines libaml runs on. */
	if (pread(fd, ident, sizeof(ident), 0) != sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG) || ident[EI_CLASS] != ELFCLASS64 ||
	    pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    eh.e_phentsize != sizeof(ph))
		goto out;
	result = 1;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph),
			  (off_t)(eh.e_phoff + (Elf64_Off)i * sizeof(ph))) !=
		    sizeof(ph)) {
			result = -1;
			break;
		}
		if (ph.p_type == PT_INTERP) {
			result = 0;
			break;
		}
	}
out:
	close(fd);
	return result;
}

/* The process memory policy of rule (inherited through exec), as numactl
 * sets it. 0, or -1 with errno. */
static int process_policy(const struct shim_rule *rule)
{
	unsigned long mask[SHIM_NODE_WORDS];
	size_t bits = 8 * sizeof(mask[0]);
	int mode;

	memcpy(mask, rule->nodes.mask, sizeof(mask));
	switch (rule->policy) {
	case AML_AREA_LINUX_POLICY_BIND:
		mode = MPOL_BIND;
		break;
	case AML_AREA_LINUX_POLICY_INTERLEAVE:
	case AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE:
		/* a process policy has no weights of its own (the kernel's
		 * weighted mode takes the system's): the nodes, 1:1 */
		mode = MPOL_INTERLEAVE;
		break;
	case AML_AREA_LINUX_POLICY_PREFERRED:
		/* the area's: the first node of the set */
		mode = MPOL_PREFERRED;
		for (size_t n = 0, first = 1; n < SHIM_MAX_NODES; n++) {
			if (!(mask[n / bits] & (1UL << (n % bits))))
				continue;
			if (!first)
				mask[n / bits] &= ~(1UL << (n % bits));
			first = 0;
		}
		break;
	default:
		return 0;
	}
	return (int)set_mempolicy(mode, mask, SHIM_MAX_NODES + 1);
}

/* A statically linked program gets no shim: what one rule for all sizes
 * asks can still be done with the process memory policy; say what
 * cannot. Exits 127 if the policy cannot be set. */
static void static_program(const char *name, const struct shim_config *cfg)
{
	const struct shim_rule *rule = &cfg->rules[0];
	char text[256];

	if (cfg->nrules == 1 && rule->min_size <= 1 &&
	    rule->max_size == SIZE_MAX) {
		shim_rule_format(rule, text, sizeof(text));
		if (process_policy(rule)) {
			fprintf(stderr,
				"aml-run: %s is statically linked and the "
				"process memory policy (%s) cannot be set: "
				"%s\n",
				name, text, strerror(errno));
			exit(EXIT_CANNOT_RUN);
		}
		if (cfg->log_level > 0)
			fprintf(stderr,
				"aml-run: %s is statically linked: the shim "
				"cannot be loaded into it; all its memory is "
				"placed with the process memory policy (%s%s)%s"
				"\n",
				name, text,
				rule->policy == AML_AREA_LINUX_POLICY_WEIGHTED_INTERLEAVE
					? ", as plain interleave: weights need "
					  "the shim"
					: "",
				cfg->report ? "; no report will be written"
					    : "");
		return;
	}
	if (cfg->log_level > 0 && (cfg->nrules > 0 || cfg->report))
		fprintf(stderr,
			"aml-run: %s is statically linked: the shim cannot be "
			"loaded into it, so per-size rules cannot apply to it "
			"and it runs with default placement (one rule for all "
			"sizes would place it as a whole)%s\n",
			name, cfg->report ? "; no report will be written" : "");
}

/* ------------------------------------------------------------------------
 * Main
 */

static void parse_options(struct launch *l, int argc, char **argv)
{
	struct option longopts[RUN_OPTION_COUNT + 1];
	size_t i;
	int c;

	memset(longopts, 0, sizeof(longopts));
	for (i = 0; i < RUN_OPTION_COUNT; i++) {
		longopts[i].name = run_options[i].name;
		longopts[i].has_arg = run_options[i].has_arg;
		longopts[i].val = run_options[i].id;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:m:i:p:s:r:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_MEMBIND:
			set_policy(l, "membind", "bind", optarg);
			break;
		case OPT_INTERLEAVE:
			set_policy(l, "interleave", "interleave", optarg);
			break;
		case OPT_WEIGHTED:
			set_policy(l, "weighted", "weighted",
				   strcmp(optarg, "auto") ? optarg
							  : "all/auto");
			break;
		case OPT_WEIGHTED_INTERLEAVE: {
			static char nodes[256];

			snprintf(nodes, sizeof(nodes), "%s/kernel", optarg);
			set_policy(l, "weighted-interleave", "weighted", nodes);
			break;
		}
		case OPT_PREFERRED:
			set_policy(l, "preferred", "preferred", optarg);
			break;
		case OPT_SIZE:
			l->size_option = 1;
			assign(l, "AML_SIZE", optarg);
			break;
		case OPT_RULE:
			add_rule(l, optarg);
			break;
		case OPT_NO_MMAP:
			assign(l, "AML_MMAP", "0");
			break;
		case OPT_REPORT:
			assign(l, "AML_REPORT", optarg ? optarg : "stderr");
			break;
		case OPT_REPORT_FORMAT:
			assign(l, "AML_REPORT_FORMAT", optarg);
			break;
		case OPT_REST:
			assign(l, "AML_REST", optarg);
			break;
		case OPT_LOG:
			assign(l, "AML_LOG", optarg);
			break;
		case OPT_STRICT:
			assign(l, "AML_STRICT", "1");
			break;
		case OPT_RULES_FILE:
			assign(l, "AML_RULES_FILE", optarg);
			break;
		case OPT_PROFILE:
			assign(l, "AML_PROFILE",
			       optarg ? optarg : "aml-profile.%p.tsv");
			break;
		case OPT_PROFILE_CAPACITY:
			assign(l, "AML_PROFILE_CAPACITY", optarg);
			break;
		case OPT_DRY_RUN:
			l->dry_run = 1;
			break;
		case OPT_HELP:
			print_help();
			exit(0);
		case OPT_VERSION:
			printf("aml-run (libaml) %s\n", AML_VERSION_STRING);
			exit(0);
		case OPT_MAN:
			print_man();
			exit(0);
		case ':':
			usage_error("missing value for ", argv[optind - 1]);
			break;
		default:
			usage_error("unknown option ", argv[optind - 1]);
		}
	}
}

static void print_dry_run(const struct launch *l, const struct shim_config *cfg,
			  const char *preload, char **command)
{
	char text[512];
	size_t i;
	int r;

	for (i = 0; i < shim_settings_count; i++) {
		const char *value =
			launch_get(shim_settings[i].name, (void *)l);

		if (value)
			printf("%s=%s\n", shim_settings[i].name, value);
	}
	printf("LD_PRELOAD=%s\n",
	       preload ? preload : "(" SHIM_NAME " not found)");
	for (r = 0; r < cfg->nrules; r++) {
		shim_rule_format(&cfg->rules[r], text, sizeof(text));
		printf("rule %d: %s\n", r, text);
	}
	if (cfg->nrules == 0)
		printf("no rules: default placement\n");
	if (cfg->resolved[0])
		printf("for this process: %s\n", cfg->resolved);
	printf("command:");
	for (; command && *command; command++)
		printf(" %s", *command);
	printf("\n");
}

/* Put the assignments into the environment. */
static void apply(const struct launch *l)
{
	int i;

	for (i = 0; i < l->nset; i++) {
		if (l->set[i].value)
			setenv(l->set[i].name, l->set[i].value, 1);
		else
			unsetenv(l->set[i].name);
	}
}

int main(int argc, char **argv)
{
	static struct launch launch;
	struct shim_config cfg;
	char err[SHIM_ERR_LEN];
	const char *shim, *path;
	char **command;
	char *preload;

	parse_options(&launch, argc, argv);
	settle_forms(&launch);
	if (shim_settings_parse(&cfg, launch_get, &launch, NULL, err,
				sizeof(err)) < 0) {
		fprintf(stderr, "aml-run: %s\n", err);
		return EXIT_USAGE;
	}
	command = optind < argc ? argv + optind : NULL;
	shim = find_shim();
	report_path_absolute(&launch, &cfg);
	preload = shim ? preload_value(shim) : NULL;
	if (launch.dry_run) {
		print_dry_run(&launch, &cfg, preload, command);
		return 0;
	}
	if (command == NULL)
		usage_error("no program to run", "");
	if (shim == NULL) {
		fprintf(stderr, "aml-run: cannot find " SHIM_NAME
				" (set AML_RUN_PRELOAD to its path)\n");
		return EXIT_CANNOT_RUN;
	}
	if (preload == NULL) {
		perror("aml-run");
		return EXIT_CANNOT_RUN;
	}
	path = program_path(command[0]);
	if (path != NULL && elf_static(path) == 1)
		static_program(command[0], &cfg);
	apply(&launch);
	setenv("LD_PRELOAD", preload, 1);
	execvp(command[0], command);
	fprintf(stderr, "aml-run: cannot run %s: %s\n", command[0],
		strerror(errno));
	return EXIT_CANNOT_RUN;
}
