// SPDX-License-Identifier: GPL-2.0-only
/*
 * glibc obstack with 64 KiB chunks: obstack_alloc() is an inline bump
 * inside a malloc()ed chunk.  msg: freeing back to the message's first
 * object keeps the first chunk (the reset); create: obstack_begin() and
 * obstack_free(NULL) per message; bulk: the same per run.
 */
#include <stdlib.h>

#include "bench.h"

#ifdef HAVE_OBSTACK
#include <obstack.h>

#include "workload.h"

#define obstack_chunk_alloc malloc
#define obstack_chunk_free free
#define CHUNK	(64 << 10)

static inline void *ob_alloc(void *arena, size_t n)
{
	return obstack_alloc((struct obstack *)arena, n);
}

static inline void ob_reset(void *arena, void **ptrs)
{
	obstack_free((struct obstack *)arena, ptrs[0]);
}

static inline void *ob_begin(void *ctx)
{
	if (!obstack_begin((struct obstack *)ctx, CHUNK))
		bench_die("obstack_begin failed");
	return ctx;
}

static inline void ob_destroy(void *ctx, void *arena, void **ptrs)
{
	(void)ctx;
	(void)ptrs;
	obstack_free((struct obstack *)arena, NULL);
}

static inline void ob_end(void *ctx, void *arena)
{
	ob_destroy(ctx, arena, NULL);
}

static int run_obstack(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct obstack ob;

	switch (cfg->workload) {
	case W_MSG:
	case W_MSG8:
		ob_begin(&ob);
		run_msgs(cfg, res, &ob, ob_alloc, ob_reset, NULL);
		obstack_free(&ob, NULL);
		break;
	case W_CREATE:
		run_create(cfg, res, &ob, ob_begin, ob_alloc, ob_destroy, NULL);
		break;
	default:
		run_bulk(cfg, res, &ob, ob_begin, ob_alloc, ob_end, NULL);
		break;
	}
	return 0;
}
#define RUN(fn)		fn
#define MISSING		NULL
#else
#define RUN(fn)		NULL
#define MISSING		"no <obstack.h> in this C library"
#endif

static const struct bench_variant variants[] = {
	{ "obstack_64k", W_MSGS | WB(W_CREATE) | WB(W_BULK), 1, NULL, RUN(run_obstack) },
	{ NULL }
};

const struct bench_family bench_family = {
	.name = "obstack", .missing = MISSING, .variants = variants,
};
