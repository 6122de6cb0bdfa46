// SPDX-License-Identifier: GPL-2.0-only
/*
 * talloc pools, the Samba request/response idiom: children of a
 * talloc_pool() are bumped inside its one malloc()ed block (each with
 * talloc's header), and freeing the last child rewinds the pool.
 *
 *   talloc_pool           msg: a 64 KiB pool kept, talloc_free_children()
 *                         as the reset
 *   talloc_pool_per_msg   create: talloc_pool() and talloc_free() per message
 *   talloc_new            bulk: a plain context, one malloc() per object, and
 *                         talloc_free() of the context
 *
 * Bulk has no pool row: talloc refuses any object of 256 MiB or more, a
 * pool included, and millions of objects with talloc's header do not fit;
 * past the pool talloc malloc()s each child anyway.
 */
#include <stdlib.h>

#include "bench.h"

#ifdef HAVE_TALLOC
#include <talloc.h>

#include "workload.h"

struct tctx {
	size_t pool_size;
};

static inline void *t_alloc(void *arena, size_t n)
{
	void *p = talloc_size(arena, n);

	if (__builtin_expect(!p, 0))
		bench_die("talloc_size failed");
	return p;
}

static inline void t_reset(void *arena, void **ptrs)
{
	(void)ptrs;
	talloc_free_children(arena);
}

static inline void *t_pool(void *ctx)
{
	void *pool = talloc_pool(NULL, ((struct tctx *)ctx)->pool_size);

	if (!pool)
		bench_die("talloc_pool failed");
	return pool;
}

static inline void t_destroy(void *ctx, void *arena, void **ptrs)
{
	(void)ctx;
	(void)ptrs;
	talloc_free(arena);
}

static inline void t_end(void *ctx, void *arena)
{
	talloc_free(arena);
	(void)ctx;
}

static inline void *t_new(void *ctx)
{
	void *c = talloc_new(NULL);

	(void)ctx;
	if (!c)
		bench_die("talloc_new failed");
	return c;
}

static int run_pool(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct tctx t = { .pool_size = MSG_ARENA };
	void *pool = t_pool(&t);

	run_msgs(cfg, res, pool, t_alloc, t_reset, NULL);
	talloc_free(pool);
	return 0;
}

static int run_pool_per_msg(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct tctx t = { .pool_size = MSG_ARENA };

	run_create(cfg, res, &t, t_pool, t_alloc, t_destroy, NULL);
	return 0;
}

static int run_new(const struct bench_cfg *cfg, struct bench_result *res)
{
	run_bulk(cfg, res, NULL, t_new, t_alloc, t_end, NULL);
	return 0;
}
#define RUN(fn)		fn
#define MISSING		NULL
#else
#define RUN(fn)		NULL
#define MISSING		"install libtalloc-dev"
#endif

static const struct bench_variant variants[] = {
	{ "talloc_pool", W_MSGS, 1, NULL, RUN(run_pool) },
	{ "talloc_pool_per_msg", WB(W_CREATE), 1, NULL, RUN(run_pool_per_msg) },
	{ "talloc_new", WB(W_BULK), 1, NULL, RUN(run_new) },
	{ NULL }
};

const struct bench_family bench_family = {
	.name = "talloc", .missing = MISSING, .variants = variants,
};
