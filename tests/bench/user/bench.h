/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the benchmark programs share: the workloads, one run's settings and
 * results, and how a contender family describes its variants.
 *
 * Every contender family is its own executable (bench-bump, bench-wsheap,
 * bench-apr...), built from runner.c, workloads.c and its family_*.c, so that a
 * peer that replaces malloc (mimalloc) cannot change another's numbers.
 * One process makes one measurement; wsheap-bench (driver.c) runs them.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

/* A message: this many allocations of 16..512 bytes. */
#define MSG_ALLOCS	64
#define MSG_MIN_SIZE	16
#define MSG_MAX_SIZE	512
/* The precomputed sizes: this many messages, cycled through. */
#define RING_MSGS	1024
/* Room one message can need in a bump arena, and what the arenas get. */
#define MSG_ARENA	(64 << 10)
/* Bulk: allocations of this size, each written with one 8-byte store. */
#define BULK_SIZE	32
/* Bulk: runs in one process; the first is "cold", the best other "warm". */
#define BULK_ITERS	3

enum workload {
	W_MSG,		/* reuse an arena: 64 allocations, memset all, reset */
	W_MSG8,		/* the same, writing 8 bytes of each allocation */
	W_CREATE,	/* a new arena per message, 64 allocations, memset, free */
	W_BULK,		/* many 32-byte allocations, then free-all */
	W_COUNT
};

#define WB(w)	(1u << (w))
#define W_MSGS	(WB(W_MSG) | WB(W_MSG8))

/* The settings of one measurement. */
struct bench_cfg {
	enum workload workload;
	unsigned long msgs;	/* messages timed (msg, msg8, create) */
	unsigned long bulk;	/* allocations per bulk run */
	/* Bytes written of each allocation: SIZE_MAX for all (msg, create). */
	size_t touch;
	const uint16_t *sizes;	/* RING_MSGS * MSG_ALLOCS sizes */
};

/*
 * One measurement.  Message workloads fill slot 0; bulk fills one slot per
 * run.  ns is the whole timed pass; minflt and kentries are deltas over it
 * (kentries: how often libwsheap entered the kernel, wsheap rows only).
 */
struct bench_result {
	double ns[BULK_ITERS];
	long minflt[BULK_ITERS];
	long kentries[BULK_ITERS];
	unsigned long grown;	/* wsheap, bulk: backing after the first run */
	int has_kentries;
};

struct bench_variant {
	const char *name;
	unsigned int workloads;		/* WB() mask */
	/* How many times fewer messages it runs (slow "don't do this" rows). */
	unsigned int msgs_divisor;
	/* Why it cannot run here (NULL: it can). */
	const char *(*unavailable)(void);
	/* 0, or -1 after printing why to stderr. */
	int (*run)(const struct bench_cfg *cfg, struct bench_result *res);
};

/*
 * live: many heaps live at once (driver: the "live heaps" table).  N heaps
 * of max size LIVE_MAX_SIZE, each holding one LIVE_ALLOC-byte allocation
 * written whole, and the cost of one create/alloc/free cycle with them
 * live, against the same cycle with LIVE_FEW live (measured in the same
 * process, before the other heaps are made).
 */
#define LIVE_MAX_SIZE	(64 << 10)
#define LIVE_ALLOC	100
#define LIVE_FEW	10
/* The timed cycles are split into this many batches; a batch's median counts. */
#define LIVE_BATCHES	5

struct live_cfg {
	unsigned long heaps;	/* N */
	unsigned long cycles;	/* timed cycles per measurement */
};

/* Deltas from before the first heap to after the N-th. */
struct live_result {
	unsigned long made;	/* heaps made: N, or fewer if one failed */
	unsigned long cycles;	/* cycles timed with N live (fewer if slow) */
	double create_ns;	/* per heap, making the N (create, alloc, memset) */
	double base_ns;		/* per cycle, LIVE_FEW heaps live (median batch) */
	double ns;		/* per cycle, N heaps live (median batch) */
	long rss_pte;		/* bytes: VmRSS + VmPTE of the process */
	long mem_available;	/* bytes: MemAvailable of the machine, its drop */
	long maps;		/* lines of /proc/self/maps */
};

struct bench_live {
	const char *name;
	/* Why it cannot run here (NULL: it can). */
	const char *(*unavailable)(void);
	/* 0, or -1 after printing why to stderr (res->made says how far it got). */
	int (*run)(const struct live_cfg *cfg, struct live_result *res);
};

struct bench_family {
	const char *name;
	/* Not NULL when the peer was compiled out: what to install. */
	const char *missing;
	const struct bench_variant *variants;	/* ends with a NULL name */
	const struct bench_live *live;		/* NULL, or ends with a NULL name */
};

/* Each family_*.c defines it; runner.c serves it. */
extern const struct bench_family bench_family;

/* workloads.c: the fixed-seed size sequence, the same for every contender. */
const uint16_t *bench_sizes(void);
const char *workload_name(enum workload w);
int workload_parse(const char *name);	/* -1 if unknown */

/* runner.c: a fatal error inside a measurement. */
void bench_die(const char *what) __attribute__((noreturn));

#endif /* BENCH_H */
