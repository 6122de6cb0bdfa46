// SPDX-License-Identifier: GPL-2.0-only
/*
 * glibc malloc/free: what a program does without an arena.  Every
 * allocation is malloc()ed and freed one by one where the arena would be
 * reset (msg, create) or freed (bulk, from an array of the pointers,
 * preallocated and pre-faulted before anything is timed).
 *
 * live: glibc has no arena API, so a "heap" is the one malloc()ed
 * 100-byte message itself, and a cycle is malloc, memset and free.
 */
#include <stdlib.h>

#include "bench.h"
#include "live.h"
#include "workload.h"

struct pointers {
	void **ptrs;
	unsigned long n;
};

static inline void *g_alloc(void *arena, size_t n)
{
	void *p = malloc(n);

	(void)arena;
	if (__builtin_expect(!p, 0))
		bench_die("malloc failed");
	return p;
}

static inline void g_free_msg(void *arena, void **ptrs)
{
	int i;

	(void)arena;
	for (i = 0; i < MSG_ALLOCS; i++)
		free(ptrs[i]);
}

static inline void *g_create(void *ctx)
{
	return ctx;
}

static inline void g_destroy(void *ctx, void *arena, void **ptrs)
{
	(void)ctx;
	g_free_msg(arena, ptrs);
}

static inline void *g_bulk_begin(void *ctx)
{
	struct pointers *p = ctx;

	p->n = 0;
	return p;
}

static inline void *g_bulk_alloc(void *arena, size_t n)
{
	struct pointers *p = arena;
	void *obj = g_alloc(NULL, n);

	p->ptrs[p->n++] = obj;
	return obj;
}

static inline void g_bulk_end(void *ctx, void *arena)
{
	struct pointers *p = arena;
	unsigned long i;

	(void)ctx;
	for (i = 0; i < p->n; i++)
		free(p->ptrs[i]);
}

static int run_malloc(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct pointers p = { 0 };

	switch (cfg->workload) {
	case W_MSG:
	case W_MSG8:
		run_msgs(cfg, res, NULL, g_alloc, g_free_msg, NULL);
		break;
	case W_CREATE:
		run_create(cfg, res, NULL, g_create, g_alloc, g_destroy, NULL);
		break;
	default:
		p.ptrs = calloc(cfg->bulk, sizeof(*p.ptrs));
		if (!p.ptrs)
			bench_die("no memory for the pointer array");
		memset(p.ptrs, 1, cfg->bulk * sizeof(*p.ptrs));
		run_bulk(cfg, res, &p, g_bulk_begin, g_bulk_alloc, g_bulk_end, NULL);
		free(p.ptrs);
		break;
	}
	return 0;
}

/* No arena: create() hands out a token, and the message is the heap. */
static char live_token;

static inline void *g_live_create(void *ctx)
{
	return ctx;
}

static inline void *g_live_alloc(void *arena, size_t n)
{
	(void)arena;
	return malloc(n);
}

static inline void g_live_free(void *ctx, void *heap, void *p)
{
	(void)ctx;
	(void)heap;
	free(p);
}

static int run_live_malloc(const struct live_cfg *cfg, struct live_result *res)
{
	return run_live(cfg, res, &live_token, g_live_create, g_live_alloc, g_live_free);
}

static const struct bench_variant variants[] = {
	{ "glibc_malloc", W_MSGS | WB(W_CREATE) | WB(W_BULK), 1, NULL, run_malloc },
	{ NULL }
};

static const struct bench_live live[] = {
	{ "glibc_malloc", NULL, run_live_malloc },
	{ .name = NULL }
};

const struct bench_family bench_family = {
	.name = "glibc", .variants = variants, .live = live,
};
