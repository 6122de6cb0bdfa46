// SPDX-License-Identifier: GPL-2.0-only
/*
 * mimalloc first-class heaps.  mimalloc has no reset: a heap is destroyed
 * (mi_heap_destroy() drops its pages without visiting objects) and a new
 * one made.  Linking libmimalloc replaces malloc for the whole process,
 * which is why this family is an executable of its own.
 *
 *   mi_heap_new_destroy   msg: destroy and new as the reset; create: per
 *                         message; bulk: a heap per run
 *   mi_heap_malloc_free   msg: one heap kept, mi_free() of each object
 *
 * live: mi_heap_new, mi_heap_malloc and, for the cycle, mi_heap_destroy.
 */
#include <stdlib.h>

#include "bench.h"

#ifdef HAVE_MIMALLOC
#include <mimalloc.h>

#include "live.h"
#include "workload.h"

struct mheap {
	mi_heap_t *heap;
};

static mi_heap_t *new_heap(void)
{
	mi_heap_t *heap = mi_heap_new();

	if (!heap)
		bench_die("mi_heap_new failed");
	return heap;
}

static inline void *m_alloc(void *arena, size_t n)
{
	void *p = mi_heap_malloc(((struct mheap *)arena)->heap, n);

	if (__builtin_expect(!p, 0))
		bench_die("mi_heap_malloc failed");
	return p;
}

static inline void m_renew(void *arena, void **ptrs)
{
	struct mheap *m = arena;

	(void)ptrs;
	mi_heap_destroy(m->heap);
	m->heap = new_heap();
}

static inline void m_free_each(void *arena, void **ptrs)
{
	int i;

	(void)arena;
	for (i = 0; i < MSG_ALLOCS; i++)
		mi_free(ptrs[i]);
}

static inline void *m_create(void *ctx)
{
	struct mheap *m = ctx;

	m->heap = new_heap();
	return m;
}

static inline void m_destroy(void *ctx, void *arena, void **ptrs)
{
	(void)ctx;
	(void)ptrs;
	mi_heap_destroy(((struct mheap *)arena)->heap);
}

static inline void m_end(void *ctx, void *arena)
{
	m_destroy(ctx, arena, NULL);
}

static int run_new_destroy(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct mheap m = { NULL };

	switch (cfg->workload) {
	case W_MSG:
	case W_MSG8:
		m.heap = new_heap();
		run_msgs(cfg, res, &m, m_alloc, m_renew, NULL);
		mi_heap_destroy(m.heap);
		break;
	case W_CREATE:
		run_create(cfg, res, &m, m_create, m_alloc, m_destroy, NULL);
		break;
	default:
		run_bulk(cfg, res, &m, m_create, m_alloc, m_end, NULL);
		break;
	}
	return 0;
}

static int run_malloc_free(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct mheap m = { new_heap() };

	run_msgs(cfg, res, &m, m_alloc, m_free_each, NULL);
	mi_heap_destroy(m.heap);
	return 0;
}
static inline void *m_live_create(void *ctx)
{
	(void)ctx;
	return mi_heap_new();
}

static inline void *m_live_alloc(void *arena, size_t n)
{
	return mi_heap_malloc(arena, n);
}

static inline void m_live_destroy(void *ctx, void *heap, void *p)
{
	(void)ctx;
	(void)p;
	mi_heap_destroy(heap);
}

static int run_live_heaps(const struct live_cfg *cfg, struct live_result *res)
{
	return run_live(cfg, res, NULL, m_live_create, m_live_alloc, m_live_destroy);
}
#define RUN(fn)		fn
#define MISSING		NULL
#else
#define RUN(fn)		NULL
#define MISSING		"install libmimalloc-dev"
#endif

static const struct bench_variant variants[] = {
	{ "mi_heap_new_destroy", W_MSGS | WB(W_CREATE) | WB(W_BULK), 1, NULL,
	  RUN(run_new_destroy) },
	{ "mi_heap_malloc_free", W_MSGS, 1, NULL, RUN(run_malloc_free) },
	{ NULL }
};

static const struct bench_live live[] = {
	{ "mi_heap_new_destroy", NULL, RUN(run_live_heaps) },
	{ .name = NULL }
};

const struct bench_family bench_family = {
	.name = "mimalloc", .missing = MISSING, .variants = variants, .live = live,
};
