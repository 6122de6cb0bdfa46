/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wsheap-bench: what the driver (driver.c), the table printer (table.c)
 * and the target verdicts (targets.c) share.
 */
#ifndef BENCH_DRIVER_H
#define BENCH_DRIVER_H

#include <stdio.h>

#include "bench.h"

#define MAX_RUNS	31

/* One contender variant in one workload, and what its runs measured. */
struct row {
	const char *family;
	char variant[64];
	enum workload workload;
	/* Not NULL: never run, and why ("missing (install ...)", ...). */
	char *why;
	int runs;		/* runs that gave a result */
	int failed;		/* runs that did not */
	unsigned long msgs;	/* messages it ran (some run fewer) */
	unsigned long grown;	/* wsheap bulk: backing after the first run */
	int has_kentries;
	double ns[MAX_RUNS][BULK_ITERS];
	double minflt[MAX_RUNS][BULK_ITERS];
	double kentries[MAX_RUNS][BULK_ITERS];
};

/* A table: a workload, and for bulk which of its runs (cold or warm). */
enum view { V_MSG, V_MSG8, V_CREATE, V_BULK_COLD, V_BULK_WARM, V_COUNT };

/* The medians of one row in one view; valid only if runs > 0. */
struct stat {
	int runs;
	double median, min, max;	/* ns per allocation */
	double minflt, kentries;	/* medians, per message or per run */
};

/* At most this many values of N in the live-heaps table. */
#define LIVE_MAX_N	8

struct bench_opts {
	unsigned long msgs;
	unsigned long bulk;
	int runs;
	int cpu;		/* -1: not pinned */
	const char *title;
	/* The live-heaps table (live.c), if live is set. */
	int live;
	unsigned long live_heaps[LIVE_MAX_N];
	int live_nheaps;
	unsigned long live_cycles;
	int live_runs;
	const char *live_only;	/* only live variants whose name has this */
	const char *live_note;	/* a sentence for the table's caption */
};

extern struct row *rows;
extern int nrows;

enum workload view_workload(enum view v);
int row_stat(const struct row *r, enum view v, struct stat *st);
const struct row *find_row(enum view v, const char *variant);
int is_wsheap(const struct row *r);
int is_marker(const struct row *r);

/* driver.c: run bench-FAMILY (@argv) pinned to @cpu, its stdout in *@out. */
int spawn(char *const argv[], int cpu, char **out);
void program(char *buf, size_t size, const char *family);

/* live.c */
void live_add(const char *family, const char *variant, const char *status,
	      const struct bench_opts *o);
int live_measure(const struct bench_opts *o);	/* 1 if a run failed */
void live_print(FILE *out, const struct bench_opts *o);

/* table.c */
void print_tables(FILE *out, const struct bench_opts *o);

/* targets.c */
void print_targets(FILE *out);

#endif /* BENCH_DRIVER_H */
