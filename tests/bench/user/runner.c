// SPDX-License-Identifier: GPL-2.0-only
/*
 * main() of every contender executable: one measurement per process.
 *
 *   bench-FAMILY --list
 *	one line per variant: NAME<TAB>WORKLOADS<TAB>ok | missing: WHY |
 *	unavailable: WHY
 *   bench-FAMILY --run VARIANT WORKLOAD [--msgs N] [--bulk N]
 *	one line: "result" and key=value fields (see print_result())
 *
 * wsheap-bench runs these; they are usable by hand too (perf, valgrind).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"
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

static void list(void)
{
	const struct bench_variant *v;
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
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-%s --list\n"
		"       bench-%s --run VARIANT msg|msg8|create|bulk [--msgs N] [--bulk N]\n",
		bench_family.name, bench_family.name);
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
