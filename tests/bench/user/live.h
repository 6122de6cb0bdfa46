/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The live-heaps workload, written once and instantiated by each family
 * with its own functions, as workload.h's are (always_inline, the
 * contender's functions inlined into the loops).
 *
 * One process: a cycle first, so that the allocator's own set-up is no
 * heap's cost; a snapshot of memory and mappings; LIVE_FEW heaps made and
 * the cycle timed with them live; the other N - LIVE_FEW made (timed:
 * create_ns); a second snapshot; the cycle timed again, with N live.  A
 * heap is create(), alloc(LIVE_ALLOC) and a memset of it; a cycle is a
 * heap made and destroy()ed.  The N heaps are never freed: the process
 * exits.
 */
#ifndef BENCH_LIVE_H
#define BENCH_LIVE_H

#include <stdio.h>

#include "workload.h"

struct live_snapshot {
	long rss_pte;		/* bytes */
	long mem_available;	/* bytes */
	long maps;		/* lines */
};

/* runner.c */
void live_snapshot(struct live_snapshot *s);
/* An array of @n pointers, mapped and written before anything is measured. */
void **live_array(unsigned long n);
double live_now_ns(void);
double live_median(double *v, int n);

/* NULL if the allocator refused (the run then stops, saying how far it got). */
typedef void *(*live_create_fn)(void *ctx);
/* @p: what alloc() returned, for the allocator without arenas. */
typedef void (*live_destroy_fn)(void *ctx, void *heap, void *p);

/* A heap with its allocation written, and the allocation in *@pp. */
BENCH_INLINE void *live_one(void *ctx, live_create_fn create, alloc_fn alloc, void **pp)
{
	void *heap = create(ctx);
	char *p;

	if (__builtin_expect(!heap, 0))
		return NULL;
	p = alloc(heap, LIVE_ALLOC);
	if (__builtin_expect(!p, 0))
		return NULL;
	memset(p, 0x5a, LIVE_ALLOC);
	BENCH_BARRIER(p);
	*pp = p;
	return heap;
}

/* A timed batch lasts at most this long: a cycle that enters the kernel runs fewer. */
#define LIVE_BATCH_NS	50e6
#define LIVE_WARMUP	1000ul

/*
 * ns per cycle: a warm-up of up to LIVE_WARMUP cycles, then LIVE_BATCHES
 * batches of @cycles / LIVE_BATCHES cycles (fewer if the warm-up says a
 * batch would last more than LIVE_BATCH_NS), the median batch; -1 if a
 * cycle failed.  *@timed: the cycles timed.
 */

BENCH_INLINE double live_cycles(void *ctx, live_create_fn create, alloc_fn alloc,
				live_destroy_fn destroy, unsigned long cycles,
				unsigned long *timed)
{
	unsigned long per = cycles / LIVE_BATCHES ? cycles / LIVE_BATCHES : 1, n, i;
	double batch[LIVE_BATCHES], t0, ns;
	void *heap, *p;
	int b;

	for (b = -1; b < LIVE_BATCHES; b++) {
		n = b < 0 ? (per < LIVE_WARMUP ? per : LIVE_WARMUP) : per;
		t0 = live_now_ns();
		for (i = 0; i < n; i++) {
			heap = live_one(ctx, create, alloc, &p);
			if (__builtin_expect(!heap, 0))
				return -1;
			destroy(ctx, heap, p);
		}
		ns = (live_now_ns() - t0) / (double)n;
		if (b >= 0)
			batch[b] = ns;
		else if (ns * (double)per > LIVE_BATCH_NS)
			per = ns * 10 > LIVE_BATCH_NS ? 10 : (unsigned long)(LIVE_BATCH_NS / ns);
	}
	if (timed)
		*timed = per * LIVE_BATCHES;
	return live_median(batch, LIVE_BATCHES);
}

BENCH_INLINE int run_live(const struct live_cfg *cfg, struct live_result *res, void *ctx,
			  live_create_fn create, alloc_fn alloc, live_destroy_fn destroy)
{
	unsigned long n = cfg->heaps, few = n < LIVE_FEW ? n : LIVE_FEW, i = 0;
	void **heaps = live_array(n), *p;
	struct live_snapshot s0, s1;
	double t0;

	if (live_cycles(ctx, create, alloc, destroy, LIVE_BATCHES, NULL) < 0)
		goto fail;
	live_snapshot(&s0);
	for (; i < few; i++)
		if (!(heaps[i] = live_one(ctx, create, alloc, &p)))
			goto fail;
	res->base_ns = live_cycles(ctx, create, alloc, destroy, cfg->cycles, &res->cycles);
	if (res->base_ns < 0)
		goto fail;
	t0 = live_now_ns();
	for (; i < n; i++)
		if (!(heaps[i] = live_one(ctx, create, alloc, &p)))
			goto fail;
	res->create_ns = n > few ? (live_now_ns() - t0) / (double)(n - few) : 0;
	live_snapshot(&s1);
	res->ns = live_cycles(ctx, create, alloc, destroy, cfg->cycles, &res->cycles);
	if (res->ns < 0)
		goto fail;
	res->made = n;
	res->rss_pte = s1.rss_pte - s0.rss_pte;
	res->mem_available = s0.mem_available - s1.mem_available;
	res->maps = s1.maps - s0.maps;
	return 0;
fail:
	res->made = i;
	fprintf(stderr, "bench-%s: live: the allocator refused, %lu of %lu heaps live\n",
		bench_family.name, i, n);
	return -1;
}

#endif /* BENCH_LIVE_H */
