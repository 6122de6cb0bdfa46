// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsheap-bench: runs every contender of the user-space benchmark and
 * prints Markdown tables, with the targets met or missed, on stdout
 * (progress goes to stderr).
 *
 *   wsheap-bench [--quick] [--runs N] [--msgs N] [--bulk N] [--cpu N|none]
 *                [--workloads LIST] [--only TEXT] [--title TEXT]
 *                [--live N,N...|none] [--live-runs N] [--live-cycles N]
 *                [--live-only TEXT] [--live-note TEXT]
 *
 * Each measurement is a process of its own: bench-FAMILY --run VARIANT
 * WORKLOAD, from the directory wsheap-bench is in, pinned to one CPU (the
 * last, by default).  Every row is measured --runs times (5), in rounds:
 * one run of every row, then the next, so that a slow spell of a noisy
 * machine spreads over the rows instead of landing on one.  A row reports
 * the median of its runs and their range.
 *
 * --quick: 2,000 messages, 50,000 bulk allocations, 3 runs: a smoke test,
 * numbers not to be read.  Defaults: 200,000 messages, 4,000,000 bulk
 * allocations.  The "don't do this" rows run 16 times fewer messages.
 *
 * The live-heaps table (live.c) comes after the others: each family's
 * live variants with 1,000, 10,000, 100,000 and 1,000,000 heaps live
 * (--live; none: no table), 3 runs (--live-runs), 200,000 timed cycles
 * (--live-cycles); --live-only keeps the variants whose name has TEXT,
 * --live-note adds a sentence to its caption.  --quick: 100 and 1,000
 * heaps, 2,000 cycles, 1 run.  "live" in --workloads' list stands for it.
 *
 * Exit status 1 if any measurement failed (the tables say which), 0
 * otherwise: a peer that is missing or cannot run here is not a failure.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"

static const char *const families[] = {
	"bump", "wsheap", "glibc", "obstack", "apr", "talloc", "mimalloc",
};

struct row *rows;
int nrows;
static char bindir[PATH_MAX];
static unsigned int workloads = WB(W_MSG) | WB(W_MSG8) | WB(W_CREATE) | WB(W_BULK);
static int live_workload = 1;
static const char *only;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "wsheap-bench: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static struct row *new_row(const char *family, const char *variant, enum workload w)
{
	struct row *r;

	rows = realloc(rows, (nrows + 1) * sizeof(*rows));
	if (!rows)
		die("%s", "out of memory");
	r = &rows[nrows++];
	memset(r, 0, sizeof(*r));
	r->family = family;
	snprintf(r->variant, sizeof(r->variant), "%s", variant);
	r->workload = w;
	return r;
}

/*
 * Run @argv with stdout captured into @out (NUL-terminated, malloc()ed),
 * stderr passed through, pinned to @cpu unless it is -1.  Returns the
 * exit status, or -1 if it did not exit normally.
 */
int spawn(char *const argv[], int cpu, char **out)
{
	size_t len = 0, cap = 4096;
	int fds[2], status;
	char *buf = malloc(cap);
	cpu_set_t set;
	ssize_t n;
	pid_t pid;

	if (!buf || pipe(fds))
		die("%s", "cannot make a pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("%s", "cannot fork");
	if (pid == 0) {
		if (cpu >= 0) {
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				fprintf(stderr, "wsheap-bench: cannot pin to CPU %d\n", cpu);
		}
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		fprintf(stderr, "wsheap-bench: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		if (len + 1 == cap) {
			buf = realloc(buf, cap *= 2);
			if (!buf)
				die("%s", "out of memory");
		}
		n = read(fds[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("%s", "waitpid failed");
	*out = buf;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void program(char *buf, size_t size, const char *family)
{
	if ((size_t)snprintf(buf, size, "%.*s/bench-%s", PATH_MAX - 64, bindir, family) >= size)
		die("%s", "path too long");
}

/* The rows of one family, from its --list; never none. */
static void list_family(const char *family, const struct bench_opts *o)
{
	char path[PATH_MAX], *out, *line, *save, *name, *wls, *status, *w, *save2;
	char *argv[] = { path, "--list", NULL };
	struct row *r;
	int wl, listed = 0;

	program(path, sizeof(path), family);
	if (access(path, X_OK) || spawn(argv, -1, &out)) {
		for (wl = 0; wl < W_COUNT; wl++) {
			if (!(workloads & WB(wl)))
				continue;
			r = new_row(family, family, wl);
			if (asprintf(&r->why, "missing (bench-%s was not built)", family) < 0)
				die("%s", "out of memory");
		}
		return;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		name = strtok_r(line, "\t", &save2);
		wls = strtok_r(NULL, "\t", &save2);
		status = strtok_r(NULL, "", &save2);
		if (!name || !wls || !status)
			continue;
		listed = 1;
		if (only && !strstr(name, only))
			continue;
		if (!strcmp(wls, "live")) {
			live_add(family, name, status, o);
			continue;
		}
		for (w = strtok_r(wls, ",", &save2); w; w = strtok_r(NULL, ",", &save2)) {
			wl = workload_parse(w);
			if (wl < 0 || !(workloads & WB(wl)))
				continue;
			r = new_row(family, name, wl);
			if (!strncmp(status, "missing: ", 9)) {
				if (asprintf(&r->why, "missing (%s)", status + 9) < 0)
					die("%s", "out of memory");
			} else if (!strncmp(status, "unavailable: ", 13)) {
				if (asprintf(&r->why, "not run: %s", status + 13) < 0)
					die("%s", "out of memory");
			} else if (strcmp(status, "ok")) {
				if (asprintf(&r->why, "not run: %s", status) < 0)
					die("%s", "out of memory");
			}
		}
	}
	free(out);
	if (!listed)
		die("bench-%s lists no variant", family);
}

/* "1.5,2.5,3" into @v; the number of values read. */
static int numbers(const char *s, double *v, int max)
{
	int n = 0;
	char *end;

	while (n < max) {
		v[n++] = strtod(s, &end);
		if (end == s)
			return n - 1;
		if (*end != ',')
			break;
		s = end + 1;
	}
	return n;
}

static int parse_result(struct row *r, char *out)
{
	char *line = strstr(out, "result "), *tok, *save;
	int run = r->runs, slots = r->workload == W_BULK ? BULK_ITERS : 1, got = 0;

	if (!line)
		return -1;
	line = strtok_r(line + 7, "\n", &save);
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, "ns=", 3))
			got = numbers(tok + 3, r->ns[run], BULK_ITERS);
		else if (!strncmp(tok, "minflt=", 7))
			numbers(tok + 7, r->minflt[run], BULK_ITERS);
		else if (!strncmp(tok, "kentries=", 9))
			r->has_kentries = numbers(tok + 9, r->kentries[run], BULK_ITERS) == slots;
		else if (!strncmp(tok, "msgs=", 5))
			r->msgs = strtoul(tok + 5, NULL, 10);
		else if (!strncmp(tok, "grown=", 6))
			r->grown = strtoul(tok + 6, NULL, 10);
	}
	return got == slots ? 0 : -1;
}

static void measure(struct row *r, const struct bench_opts *o, int round)
{
	char path[PATH_MAX], msgs[32], bulk[32], *out;
	char *argv[] = { path, "--run", r->variant, (char *)workload_name(r->workload),
			 "--msgs", msgs, "--bulk", bulk, NULL };
	int rc;

	program(path, sizeof(path), r->family);
	snprintf(msgs, sizeof(msgs), "%lu", o->msgs);
	snprintf(bulk, sizeof(bulk), "%lu", o->bulk);
	rc = spawn(argv, o->cpu, &out);
	if (rc || parse_result(r, out)) {
		fprintf(stderr, "wsheap-bench: run %d/%d %s %s failed (status %d)\n", round + 1,
			o->runs, workload_name(r->workload), r->variant, rc);
		r->failed++;
	} else {
		fprintf(stderr, "wsheap-bench: run %d/%d %-6s %-26s %10.2f ns/alloc\n", round + 1,
			o->runs, workload_name(r->workload), r->variant, r->ns[r->runs][0]);
		r->runs++;
	}
	free(out);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: wsheap-bench [--quick] [--runs N] [--msgs N] [--bulk N] [--cpu N|none]\n"
		"                    [--workloads msg,msg8,create,bulk,live] [--only TEXT] [--title TEXT]\n"
		"                    [--live N,N...|none] [--live-runs N] [--live-cycles N]\n"
		"                    [--live-only TEXT] [--live-note TEXT]\n");
	exit(2);
}

static unsigned long number(const char *s, unsigned long max)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || !n || n > max)
		usage();
	return n;
}

/* "none", or a CPU number (0 included). */
static int cpu_arg(const char *s)
{
	unsigned long n;
	char *end;

	if (!strcmp(s, "none"))
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || n >= CPU_SETSIZE)
		usage();
	return (int)n;
}

static unsigned int parse_workloads(char *list)
{
	unsigned int mask = 0;
	char *w, *save;
	int wl;

	live_workload = 0;
	for (w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "live")) {
			live_workload = 1;
			continue;
		}
		wl = workload_parse(w);
		if (wl < 0)
			usage();
		mask |= WB(wl);
	}
	return mask;
}

/* "1000,10000" into o->live_heaps; "none": no live table. */
static void parse_live_heaps(struct bench_opts *o, char *list)
{
	char *w, *save;

	o->live_nheaps = 0;
	if (!strcmp(list, "none"))
		return;
	for (w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (o->live_nheaps == LIVE_MAX_N)
			usage();
		o->live_heaps[o->live_nheaps++] = number(w, 1ul << 32);
	}
}

int main(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct bench_opts o = {
		.msgs = 200000, .bulk = 4000000, .runs = 5, .cpu = ncpu > 1 ? (int)ncpu - 1 : -1,
		.title = "user space",
		.live_heaps = { 1000, 10000, 100000, 1000000 }, .live_nheaps = 4,
		.live_cycles = 200000, .live_runs = 3,
	};
	int i, round, failed = 0;
	ssize_t n;
	size_t f;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(arg, "--quick")) {
			o.msgs = 2000;
			o.bulk = 50000;
			o.runs = 3;
			o.live_heaps[0] = 100;
			o.live_heaps[1] = 1000;
			o.live_nheaps = 2;
			o.live_cycles = 2000;
			o.live_runs = 1;
			continue;
		}
		if (!val)
			usage();
		i++;
		if (!strcmp(arg, "--runs"))
			o.runs = (int)number(val, MAX_RUNS);
		else if (!strcmp(arg, "--msgs"))
			o.msgs = number(val, 1ul << 40);
		else if (!strcmp(arg, "--bulk"))
			o.bulk = number(val, 1ul << 32);
		else if (!strcmp(arg, "--cpu"))
			o.cpu = cpu_arg(val);
		else if (!strcmp(arg, "--workloads"))
			workloads = parse_workloads((char *)val);
		else if (!strcmp(arg, "--only"))
			only = val;
		else if (!strcmp(arg, "--title"))
			o.title = val;
		else if (!strcmp(arg, "--live"))
			parse_live_heaps(&o, (char *)val);
		else if (!strcmp(arg, "--live-runs"))
			o.live_runs = (int)number(val, MAX_RUNS);
		else if (!strcmp(arg, "--live-cycles"))
			o.live_cycles = number(val, 1ul << 40);
		else if (!strcmp(arg, "--live-only"))
			o.live_only = val;
		else if (!strcmp(arg, "--live-note"))
			o.live_note = val;
		else
			usage();
	}
	n = readlink("/proc/self/exe", bindir, sizeof(bindir) - 1);
	if (n <= 0)
		die("%s", "cannot find where wsheap-bench is (/proc/self/exe)");
	bindir[n] = '\0';
	*strrchr(bindir, '/') = '\0';

	o.live = live_workload && o.live_nheaps > 0;
	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		list_family(families[f], &o);
	for (round = 0; round < o.runs; round++)
		for (i = 0; i < nrows; i++)
			if (!rows[i].why)
				measure(&rows[i], &o, round);
	if (o.live)
		failed = live_measure(&o);
	print_tables(stdout, &o);
	print_targets(stdout);
	if (o.live)
		live_print(stdout, &o);
	for (i = 0; i < nrows; i++)
		if (rows[i].failed)
			return 1;
	return failed;
}
