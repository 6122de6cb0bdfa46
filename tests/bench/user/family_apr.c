// SPDX-License-Identifier: GPL-2.0-only
/*
 * APR pools: apr_palloc() bumps inside the pool's current node.  msg and
 * bulk: one pool, apr_pool_clear() as the reset (it keeps the first node;
 * the rest go to the allocator's free lists, which keep them: max_free is
 * unlimited by default).  create: a subpool created and destroyed per
 * message.  live: subpools of one root pool, apr_pool_create, apr_palloc
 * and, for the cycle, apr_pool_destroy.
 */
#include <stdlib.h>

#include "bench.h"

#ifdef HAVE_APR
#include <apr_general.h>
#include <apr_pools.h>

#include "live.h"
#include "workload.h"

static inline void *ap_alloc(void *arena, size_t n)
{
	void *p = apr_palloc(arena, n);

	if (__builtin_expect(!p, 0))
		bench_die("apr_palloc failed");
	return p;
}

static inline void ap_clear(void *arena, void **ptrs)
{
	(void)ptrs;
	apr_pool_clear(arena);
}

static inline void *ap_subpool(void *ctx)
{
	apr_pool_t *sub;

	if (apr_pool_create(&sub, ctx) != APR_SUCCESS)
		bench_die("apr_pool_create failed");
	return sub;
}

static inline void ap_destroy(void *ctx, void *arena, void **ptrs)
{
	(void)ctx;
	(void)ptrs;
	apr_pool_destroy(arena);
}

static inline void *ap_bulk_begin(void *ctx)
{
	return ctx;
}

static inline void ap_bulk_end(void *ctx, void *arena)
{
	(void)ctx;
	apr_pool_clear(arena);
}

static apr_pool_t *root_pool(void)
{
	apr_pool_t *pool;

	if (apr_initialize() != APR_SUCCESS || apr_pool_create(&pool, NULL) != APR_SUCCESS)
		bench_die("APR does not initialise");
	return pool;
}

static int run_clear(const struct bench_cfg *cfg, struct bench_result *res)
{
	apr_pool_t *pool = root_pool();

	if (cfg->workload == W_BULK)
		run_bulk(cfg, res, pool, ap_bulk_begin, ap_alloc, ap_bulk_end, NULL);
	else
		run_msgs(cfg, res, pool, ap_alloc, ap_clear, NULL);
	return 0;
}

static int run_subpool(const struct bench_cfg *cfg, struct bench_result *res)
{
	run_create(cfg, res, root_pool(), ap_subpool, ap_alloc, ap_destroy, NULL);
	return 0;
}
static inline void *ap_live_create(void *ctx)
{
	apr_pool_t *sub;

	return apr_pool_create(&sub, ctx) == APR_SUCCESS ? sub : NULL;
}

static inline void ap_live_destroy(void *ctx, void *heap, void *p)
{
	(void)ctx;
	(void)p;
	apr_pool_destroy(heap);
}

static inline void *ap_live_alloc(void *arena, size_t n)
{
	return apr_palloc(arena, n);
}

static int run_live_subpools(const struct live_cfg *cfg, struct live_result *res)
{
	return run_live(cfg, res, root_pool(), ap_live_create, ap_live_alloc, ap_live_destroy);
}
#define RUN(fn)		fn
#define MISSING		NULL
#else
#define RUN(fn)		NULL
#define MISSING		"install libapr1-dev"
#endif

static const struct bench_variant variants[] = {
	{ "apr_pool_clear", W_MSGS | WB(W_BULK), 1, NULL, RUN(run_clear) },
	{ "apr_subpool_per_msg", WB(W_CREATE), 1, NULL, RUN(run_subpool) },
	{ NULL }
};

static const struct bench_live live[] = {
	{ "apr_subpool", NULL, RUN(run_live_subpools) },
	{ .name = NULL }
};

const struct bench_family bench_family = {
	.name = "apr", .missing = MISSING, .variants = variants, .live = live,
};
