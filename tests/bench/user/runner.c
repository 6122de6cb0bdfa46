// SPDX-License-Identifier: GPL-2.0-only
/*
 * main() of every contender executable: one measurement per process.
 *
 *   bench-FAMILY --list
 *	one line per variant: NAME<TAB>WORKLOADS<TAB>ok | missing: WHY |
 *	unavailable: WHY
 *   bench-FAMILY --run VARIANT WORKLOAD [--msgs N] [--bulk N]
 *	one line: "result" and key=value fields (see print_result())
 *   bench-FAMILY --live VARIANT [--heaps N] [--cycles N]
 *	the live-heaps workload (live.h): one line, "live" and key=value
 *	fields, or "live-failed made=N" (exit status 1)
 *
 * wsheap-bench runs these; they are usable by hand too (perf, valgrind).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"
#include "live.h"
#include "workload.h"

void bench_die(const char *what)
{
	fprintf(stderr, "bench-%s: %s\n", bench_family.name, what);
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

void probe_start(struct probe *p, uint64_t kentries)
{
	p->kentries = kentries;
	p->minflt = minor_faults();
	p->ns = now_ns();
}

void probe_stop(const struct probe *p, uint64_t kentries, struct bench_result *res, int slot)
{
	double ns = now_ns();

	res->ns[slot] = ns - p->ns;
	res->minflt[slot] = minor_faults() - p->minflt;
	res->kentries[slot] = (long)(kentries - p->kentries);
}

double live_now_ns(void)
{
	return now_ns();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double live_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The value in kB of the line of @path that starts with @key, in bytes; 0 if none. */
static long proc_kb(const char *path, const char *key)
{
	size_t len = strlen(key);
	char line[256];
	long kb = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		bench_die("cannot read /proc");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len)) {
			kb = strtol(line + len, NULL, 10);
			break;
		}
	fclose(f);
	return kb * 1024;
}

static long count_lines(const char *path)
{
	char buf[65536];
	long lines = 0;
	size_t n, i;
	FILE *f = fopen(path, "r");

	if (!f)
		bench_die("cannot read /proc/self/maps");
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	fclose(f);
	return lines;
}

/*
 * MemAvailable lags: each CPU batches its changes to the counters behind
 * it, folded in once a second.  Writing stat_refresh folds them now (root
 * only; elsewhere the figure keeps its lag, noise at small N).
 */
static void refresh_vmstat(void)
{
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");

	if (f) {
		fputs("1\n", f);
		fclose(f);	/* EINVAL if a counter is negative: it was folded anyway */
	}
}

void live_snapshot(struct live_snapshot *s)
{
	refresh_vmstat();
	s->maps = count_lines("/proc/self/maps");
	s->rss_pte = proc_kb("/proc/self/status", "VmRSS:") +
		     proc_kb("/proc/self/status", "VmPTE:");
	s->mem_available = proc_kb("/proc/meminfo", "MemAvailable:");
}

void **live_array(unsigned long n)
{
	size_t size = (n ? n : 1) * sizeof(void *);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bench_die("no memory for the array of heaps");
	memset(p, 0, size);
	return p;
}

static void list(void)
{
	const struct bench_variant *v;
	const struct bench_live *l;
	const char *why;
	int w, sep;

	for (v = bench_family.variants; v->name; v++) {
		printf("%s\t", v->name);
		for (w = 0, sep = 0; w < W_COUNT; w++) {
			if (v->workloads & WB(w)) {
				printf("%s%s", sep ? "," : "", workload_name(w));
				sep = 1;
			}
		}
		if (bench_family.missing)
			printf("\tmissing: %s\n", bench_family.missing);
		else if (v->unavailable && (why = v->unavailable()))
			printf("\tunavailable: %s\n", why);
		else
			printf("\tok\n");
	}
	for (l = bench_family.live; l && l->name; l++) {
		if (bench_family.missing)
			printf("%s\tlive\tmissing: %s\n", l->name, bench_family.missing);
		else if (l->unavailable && (why = l->unavailable()))
			printf("%s\tlive\tunavailable: %s\n", l->name, why);
		else
			printf("%s\tlive\tok\n", l->name);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-%s --list\n"
		"       bench-%s --run VARIANT msg|msg8|create|bulk [--msgs N] [--bulk N]\n"
		"       bench-%s --live VARIANT [--heaps N] [--cycles N]\n",
		bench_family.name, bench_family.name, bench_family.name);
	exit(2);
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || !n)
		usage();
	return n;
}

/*
 * Per allocation for time; per message (msg, msg8, create) or per run
 * (bulk) for faults and kernel entries.  Bulk gives one value per run.
 */
static void print_result(const struct bench_cfg *cfg, const struct bench_result *res)
{
	int slots = cfg->workload == W_BULK ? BULK_ITERS : 1;
	double allocs = cfg->workload == W_BULK ? (double)cfg->bulk :
			(double)cfg->msgs * MSG_ALLOCS;
	double per = cfg->workload == W_BULK ? 1 : (double)cfg->msgs;
	int i;

	printf("result msgs=%lu bulk=%lu ns=", cfg->msgs, cfg->bulk);
	for (i = 0; i < slots; i++)
		printf("%s%.4f", i ? "," : "", res->ns[i] / allocs);
	printf(" minflt=");
	for (i = 0; i < slots; i++)
		printf("%s%.4f", i ? "," : "", res->minflt[i] / per);
	if (res->has_kentries) {
		printf(" kentries=");
		for (i = 0; i < slots; i++)
			printf("%s%.4f", i ? "," : "", res->kentries[i] / per);
	}
	if (res->grown)
		printf(" grown=%lu", res->grown);
	printf("\n");
}

/* --live VARIANT [--heaps N] [--cycles N] */
static int live_main(int argc, char **argv)
{
	struct live_cfg cfg = { .heaps = 1000, .cycles = 100000 };
	struct live_result res = { 0 };
	const struct bench_live *l;
	const char *why;
	int i;

	for (i = 3; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--heaps"))
			cfg.heaps = number(argv[i + 1]);
		else if (!strcmp(argv[i], "--cycles"))
			cfg.cycles = number(argv[i + 1]);
		else
			usage();
	}
	for (l = bench_family.live; l && l->name; l++)
		if (!strcmp(l->name, argv[2]))
			break;
	if (!l || !l->name) {
		fprintf(stderr, "bench-%s: no live variant %s\n", bench_family.name, argv[2]);
		return 2;
	}
	if (bench_family.missing) {
		fprintf(stderr, "bench-%s: compiled out: %s\n", bench_family.name,
			bench_family.missing);
		return 3;
	}
	if (l->unavailable && (why = l->unavailable())) {
		fprintf(stderr, "bench-%s: %s: %s\n", bench_family.name, l->name, why);
		return 3;
	}
	if (l->run(&cfg, &res)) {
		printf("live-failed made=%lu\n", res.made);
		return 1;
	}
	printf("live heaps=%lu cycles=%lu create_ns=%.2f base_ns=%.2f ns=%.2f rss_pte=%ld "
	       "mem_available=%ld maps=%ld\n", cfg.heaps, res.cycles, res.create_ns,
	       res.base_ns, res.ns, res.rss_pte, res.mem_available, res.maps);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_cfg cfg = { .msgs = 200000, .bulk = 4000000 };
	struct bench_result res = { 0 };
	const struct bench_variant *v;
	const char *why;
	int i, w;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		list();
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "--live"))
		return live_main(argc, argv);
	if (argc < 4 || strcmp(argv[1], "--run"))
		usage();
	for (i = 4; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--msgs"))
			cfg.msgs = number(argv[i + 1]);
		else if (!strcmp(argv[i], "--bulk"))
			cfg.bulk = number(argv[i + 1]);
		else
			usage();
	}
	for (v = bench_family.variants; v->name; v++)
		if (!strcmp(v->name, argv[2]))
			break;
	w = workload_parse(argv[3]);
	if (!v->name || w < 0 || !(v->workloads & WB(w))) {
		fprintf(stderr, "bench-%s: no variant %s for workload %s\n", bench_family.name,
			argv[2], argv[3]);
		return 2;
	}
	if (bench_family.missing) {
		fprintf(stderr, "bench-%s: compiled out: %s\n", bench_family.name,
			bench_family.missing);
		return 3;
	}
	if (v->unavailable && (why = v->unavailable())) {
		fprintf(stderr, "bench-%s: %s: %s\n", bench_family.name, v->name, why);
		return 3;
	}
	cfg.workload = w;
	cfg.touch = w == W_MSG8 ? 8 : SIZE_MAX;
	cfg.sizes = bench_sizes();
	if (v->msgs_divisor > 1)
		cfg.msgs = cfg.msgs / v->msgs_divisor ? cfg.msgs / v->msgs_divisor : 1;
	if (v->run(&cfg, &res))
		return 1;
	print_result(&cfg, &res);
	return 0;
}
