/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The workloads, written once and instantiated by every contender with its
 * own functions.  They are always_inline and take the contender's
 * functions as arguments: each family calls them with static inline
 * functions, which the compiler then inlines into the loops, so a bump
 * allocator is measured as the inline code it is and a library call (WsAlloc,
 * malloc, apr_palloc) as the call it is, with no indirect call added to
 * either.
 *
 * The method (Documentation/benchmarks.rst): sizes come
 * precomputed from a fixed seed; each allocation is written with memset() of its whole size
 * (msg, create) or of 8 bytes (msg8), a call in both cases, and followed by
 * an asm volatile barrier; one warm-up pass over the size ring runs first.
 * Bulk writes one 8-byte word per allocation and times the free-all too.
 */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <string.h>

#include "bench.h"

#define BENCH_INLINE	static inline __attribute__((always_inline))

/* The writes stay: the compiler must assume the asm reads memory at p. */
#define BENCH_BARRIER(p)	__asm__ __volatile__("" : : "r"(p) : "memory")

/* Time, minor faults and kernel entries at the start of a timed pass. */
struct probe {
	double ns;
	long minflt;
	uint64_t kentries;
};

void probe_start(struct probe *p, uint64_t kentries);
void probe_stop(const struct probe *p, uint64_t kentries, struct bench_result *res, int slot);

typedef void *(*alloc_fn)(void *arena, size_t n);
typedef uint64_t (*kentries_fn)(void *ctx);

/*
 * One message's allocations.  The length written is min(size, touch): a
 * value the compiler cannot know, so memset stays a call for msg8 as well
 * (the reference method's floor includes that call).
 */
BENCH_INLINE void msg_fill(void *arena, const uint16_t *sizes, size_t touch, void **ptrs,
			   alloc_fn alloc)
{
	int i;

	for (i = 0; i < MSG_ALLOCS; i++) {
		size_t n = sizes[i];
		char *p = alloc(arena, n);

		memset(p, 0x5a, n < touch ? n : touch);
		BENCH_BARRIER(p);
		ptrs[i] = p;
	}
}

BENCH_INLINE uint64_t kentries_of(kentries_fn kentries, void *ctx)
{
	return kentries ? kentries(ctx) : 0;
}

/*
 * msg, msg8: one arena, reset after each message.  @reset gets the
 * message's pointers, for allocators that free one by one.
 */
BENCH_INLINE void run_msgs(const struct bench_cfg *cfg, struct bench_result *res, void *arena,
			   alloc_fn alloc, void (*reset)(void *arena, void **ptrs),
			   kentries_fn kentries)
{
	const uint16_t *ring = cfg->sizes;
	size_t touch = cfg->touch;
	void *ptrs[MSG_ALLOCS];
	struct probe probe;
	unsigned long m, r;

	for (r = 0; r < RING_MSGS; r++) {
		msg_fill(arena, ring + r * MSG_ALLOCS, touch, ptrs, alloc);
		reset(arena, ptrs);
	}
	probe_start(&probe, kentries_of(kentries, arena));
	for (m = 0, r = 0; m < cfg->msgs; m++) {
		msg_fill(arena, ring + r * MSG_ALLOCS, touch, ptrs, alloc);
		reset(arena, ptrs);
		if (++r == RING_MSGS)
			r = 0;
	}
	probe_stop(&probe, kentries_of(kentries, arena), res, 0);
}

/*
 * create: a new arena per message (@create may use @ctx, the family's
 * long-lived state, e.g. a parent pool), freed by @destroy.
 */
BENCH_INLINE void run_create(const struct bench_cfg *cfg, struct bench_result *res, void *ctx,
			     void *(*create)(void *ctx), alloc_fn alloc,
			     void (*destroy)(void *ctx, void *arena, void **ptrs),
			     kentries_fn kentries)
{
	const uint16_t *ring = cfg->sizes;
	size_t touch = cfg->touch;
	void *ptrs[MSG_ALLOCS];
	struct probe probe;
	unsigned long m, r;
	void *arena;

	for (r = 0; r < RING_MSGS; r++) {
		arena = create(ctx);
		msg_fill(arena, ring + r * MSG_ALLOCS, touch, ptrs, alloc);
		destroy(ctx, arena, ptrs);
	}
	probe_start(&probe, kentries_of(kentries, ctx));
	for (m = 0, r = 0; m < cfg->msgs; m++) {
		arena = create(ctx);
		msg_fill(arena, ring + r * MSG_ALLOCS, touch, ptrs, alloc);
		destroy(ctx, arena, ptrs);
		if (++r == RING_MSGS)
			r = 0;
	}
	probe_stop(&probe, kentries_of(kentries, ctx), res, 0);
}

/*
 * bulk: BULK_ITERS timed runs of @begin, cfg->bulk allocations of
 * BULK_SIZE bytes with one store each, and @end (the free-all).  No
 * warm-up: the first run is the cold one.
 */
BENCH_INLINE void run_bulk(const struct bench_cfg *cfg, struct bench_result *res, void *ctx,
			   void *(*begin)(void *ctx), alloc_fn alloc,
			   void (*end)(void *ctx, void *arena), kentries_fn kentries)
{
	unsigned long i, n = cfg->bulk;
	struct probe probe;
	void *arena;
	int it;

	for (it = 0; it < BULK_ITERS; it++) {
		probe_start(&probe, kentries_of(kentries, ctx));
		arena = begin(ctx);
		for (i = 0; i < n; i++) {
			uint64_t *p = alloc(arena, BULK_SIZE);

			*p = i;
			BENCH_BARRIER(p);
		}
		end(ctx, arena);
		probe_stop(&probe, kentries_of(kentries, ctx), res, it);
	}
}

#endif /* BENCH_WORKLOAD_H */
