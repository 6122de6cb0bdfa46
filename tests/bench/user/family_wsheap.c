// SPDX-License-Identifier: GPL-2.0-only
/*
 * libwsheap, linked statically, through its public API only: one heap
 * reset per message (msg, msg8), WsCreateHeap + WsFreeHeap per message
 * (create), and bulk into a heap kept across runs (its trim size is its
 * max size) or into a new heap per run.  Each on the process backend and,
 * where /dev/wsheap exists, the device backend.
 *
 * live: N heaps of max and trim size 64 KiB, each with one 100-byte
 * allocation (live.h), on either backend.
 *
 * Kernel entries come from wsheap_kernel_entries(): the process-wide
 * count (NULL) where the library keeps one, else the sum over the heaps
 * used, read before each WsFreeHeap (which then misses what WsFreeHeap
 * itself enters).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <wsheap.h>

#include "bench.h"
#include "live.h"
#include "workload.h"

struct ws {
	WS_HEAP *heap;		/* the heap in use, or NULL */
	uint64_t retired;	/* kernel entries of the heaps freed */
	SIZE_T max_size;
	SIZE_T trim_size;
	unsigned long grown;	/* bulk: backing after the first run */
	int runs;
};

static WS_HEAP *create_heap(SIZE_T max_size, SIZE_T trim_size)
{
	WS_HEAP *heap;

	if (WsCreateHeap(max_size, trim_size, NULL, 0, &heap, NULL) != S_OK)
		bench_die("WsCreateHeap failed");
	return heap;
}

static uint64_t process_entries(uint64_t per_heap)
{
	uint64_t total = wsheap_kernel_entries(NULL);

	return total > per_heap ? total : per_heap;
}

static inline void *ws_alloc(void *arena, size_t n)
{
	void *p;

	if (__builtin_expect(WsAlloc(arena, n, &p, NULL) != S_OK, 0))
		bench_die("WsAlloc failed");
	return p;
}

static inline void ws_reset(void *arena, void **ptrs)
{
	(void)ptrs;
	if (__builtin_expect(WsResetHeap(arena, NULL) != S_OK, 0))
		bench_die("WsResetHeap failed");
}

static uint64_t heap_entries(void *arena)
{
	return process_entries(wsheap_kernel_entries(arena));
}

static uint64_t ctx_entries(void *ctx)
{
	struct ws *w = ctx;

	return process_entries(w->retired + (w->heap ? wsheap_kernel_entries(w->heap) : 0));
}

static inline void *ws_create(void *ctx)
{
	struct ws *w = ctx;

	w->heap = create_heap(w->max_size, w->trim_size);
	return w->heap;
}

static inline void ws_free(void *ctx, void *arena, void **ptrs)
{
	struct ws *w = ctx;

	(void)ptrs;
	w->retired += wsheap_kernel_entries(arena);
	w->heap = NULL;
	WsFreeHeap(arena);
}

static void note_growth(struct ws *w)
{
	SIZE_T actual;

	if (!w->runs++ && WsGetHeapProperty(w->heap, WS_HEAP_PROPERTY_ACTUAL_SIZE, &actual,
					    sizeof(actual), NULL) == S_OK)
		w->grown = actual;
}

static inline void *ws_bulk_begin_kept(void *ctx)
{
	return ((struct ws *)ctx)->heap;
}

static inline void ws_bulk_end_kept(void *ctx, void *arena)
{
	note_growth(ctx);
	ws_reset(arena, NULL);
}

static inline void ws_bulk_end_free(void *ctx, void *arena)
{
	note_growth(ctx);
	ws_free(ctx, arena, NULL);
}

static void use_backend(const char *name)
{
	if (setenv("WSHEAP_BACKEND", name, 1))
		bench_die("setenv failed");
}

static int run_ws(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct ws w = { .max_size = MSG_ARENA, .trim_size = MSG_ARENA };
	WS_HEAP *heap;

	res->has_kentries = 1;
	switch (cfg->workload) {
	case W_MSG:
	case W_MSG8:
		heap = create_heap(MSG_ARENA, MSG_ARENA);
		run_msgs(cfg, res, heap, ws_alloc, ws_reset, heap_entries);
		WsFreeHeap(heap);
		break;
	case W_CREATE:
		run_create(cfg, res, &w, ws_create, ws_alloc, ws_free, ctx_entries);
		break;
	default:
		w.max_size = w.trim_size = cfg->bulk * BULK_SIZE;
		w.heap = create_heap(w.max_size, w.trim_size);
		run_bulk(cfg, res, &w, ws_bulk_begin_kept, ws_alloc, ws_bulk_end_kept,
			 ctx_entries);
		res->grown = w.grown;
		WsFreeHeap(w.heap);
		break;
	}
	return 0;
}

static int run_ws_new_heap(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct ws w = { .max_size = cfg->bulk * BULK_SIZE, .trim_size = cfg->bulk * BULK_SIZE };

	res->has_kentries = 1;
	run_bulk(cfg, res, &w, ws_create, ws_alloc, ws_bulk_end_free, ctx_entries);
	res->grown = w.grown;
	return 0;
}

static int run_process(const struct bench_cfg *cfg, struct bench_result *res)
{
	use_backend("process");
	return run_ws(cfg, res);
}

static int run_device(const struct bench_cfg *cfg, struct bench_result *res)
{
	use_backend("device");
	return run_ws(cfg, res);
}

static int run_process_new_heap(const struct bench_cfg *cfg, struct bench_result *res)
{
	use_backend("process");
	return run_ws_new_heap(cfg, res);
}

static int run_device_new_heap(const struct bench_cfg *cfg, struct bench_result *res)
{
	use_backend("device");
	return run_ws_new_heap(cfg, res);
}

static HRESULT live_hr;

static inline void *ws_live_create(void *ctx)
{
	WS_HEAP *heap;

	(void)ctx;
	live_hr = WsCreateHeap(LIVE_MAX_SIZE, LIVE_MAX_SIZE, NULL, 0, &heap, NULL);
	return live_hr == S_OK ? heap : NULL;
}

static inline void *ws_live_alloc(void *arena, size_t n)
{
	void *p;

	live_hr = WsAlloc(arena, n, &p, NULL);
	return live_hr == S_OK ? p : NULL;
}

static inline void ws_live_free(void *ctx, void *heap, void *p)
{
	(void)ctx;
	(void)p;
	WsFreeHeap(heap);
}

static int run_live_ws(const struct live_cfg *cfg, struct live_result *res)
{
	if (!run_live(cfg, res, NULL, ws_live_create, ws_live_alloc, ws_live_free))
		return 0;
	fprintf(stderr, "bench-wsheap: live: HRESULT 0x%08x\n", (unsigned int)live_hr);
	return -1;
}

static int run_live_process(const struct live_cfg *cfg, struct live_result *res)
{
	use_backend("process");
	return run_live_ws(cfg, res);
}

static int run_live_device(const struct live_cfg *cfg, struct live_result *res)
{
	use_backend("device");
	return run_live_ws(cfg, res);
}

static const char *no_device(void)
{
	if (access(WSHEAP_DEVICE_PATH, R_OK | W_OK))
		return "no " WSHEAP_DEVICE_PATH " here (module not loaded)";
	return NULL;
}

#define ALL	(W_MSGS | WB(W_CREATE) | WB(W_BULK))

static const struct bench_variant variants[] = {
	{ "wsheap_process", ALL, 1, NULL, run_process },
	{ "wsheap_device", ALL, 1, no_device, run_device },
	{ "wsheap_process_new_heap", WB(W_BULK), 1, NULL, run_process_new_heap },
	{ "wsheap_device_new_heap", WB(W_BULK), 1, no_device, run_device_new_heap },
	{ NULL }
};

static const struct bench_live live[] = {
	{ "wsheap_process", NULL, run_live_process },
	{ "wsheap_device", no_device, run_live_device },
	{ .name = NULL }
};

const struct bench_family bench_family = {
	.name = "wsheap", .variants = variants, .live = live,
};
