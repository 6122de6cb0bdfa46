// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * WS_HEAP: WsCreateHeap, WsAlloc, WsResetHeap, WsFreeHeap, WsGetHeapProperty.
 *
 * A heap bumps through a list of chunks (chunk.c), ranges of address space
 * whose first bytes are backed by memory from a backend (the wsheap module,
 * or the process's own pages).  WsAlloc() enters the kernel only to back
 * more of a chunk or a new one, by steps of a quarter of what the heap
 * holds, so that what it holds stays within a quarter of what it needs and
 * a heap of 128 MiB still costs few system calls; WsResetHeap() only to
 * give back what exceeds the trim size; WsCreateHeap() and WsFreeHeap()
 * only when the cache of freed heaps (heap_cache.c) cannot serve them.
 *
 * A reset keeps the trim size's worth of chunks, and always the first page
 * of the first chunk, as Windows keeps a small first block: a heap of trim
 * size 0 that fits in a page is reset and reused with no system call.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define WSHEAP_ALLOC_ALIGN	8

static uint64_t kernel_entries_total;

void wsheap_count_kernel_entry(WS_HEAP *heap)
{
	if (heap)
		heap->kernel_entries++;
	__atomic_add_fetch(&kernel_entries_total, 1, __ATOMIC_RELAXED);
}

/*
 * Re-establish the fast path's bound: backing and quota both.  A fresh
 * heap from the cache, or an orphaned one, takes the slow path.
 */
static void refresh_end(WS_HEAP *heap)
{
	struct wsheap_chunk *chunk = heap->chunk;
	size_t room;
	size_t quota;

	if (heap->fresh || heap->orphaned || !chunk) {
		heap->end = heap->cur;
		return;
	}
	room = (size_t)(chunk->base + chunk->backed - heap->cur);
	quota = heap->max_size - heap->requested;
	heap->end = heap->cur + (room < quota ? room : quota);
}

/*
 * WSHEAP_BACKEND, read when the process first creates a heap (and again
 * while it names no backend): getenv() costs as much as a cached create.
 */
static const struct wsheap_backend *backend_from_env(void)
{
	static const struct wsheap_backend *chosen;
	const struct wsheap_backend *backend;
	const char *name;

	backend = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
	if (backend)
		return backend;
	name = getenv("WSHEAP_BACKEND");
	if (name && !strcmp(name, "process"))
		backend = &wsheap_backend_process;
	else if (!name || !*name || !strcmp(name, "device"))
		backend = &wsheap_backend_device;
	else
		return NULL;
	__atomic_store_n(&chosen, backend, __ATOMIC_RELEASE);
	return backend;
}

/* What a reset keeps: the trim size's worth, and at least a page. */
static size_t kept_bytes(const WS_HEAP *heap)
{
	size_t keep;

	if (heap->trim_size > heap->max_size)
		return SIZE_MAX;
	keep = wsheap_page_align(heap->trim_size);
	return keep ? keep : wsheap_page_size();
}

/*
 * Give back the memory past what a reset keeps, chunk by chunk: the first
 * chunk stays (with at least a page), whole chunks within the trim size
 * stay, the rest is revoked and its chunks freed.  False if a revoke
 * failed: what was not given back stays in the heap, consistent.
 */
static bool trim_chunks(WS_HEAP *heap)
{
	size_t keep = kept_bytes(heap), held = 0, had;
	struct wsheap_chunk *chunk, *prev = NULL, *next;

	for (chunk = heap->chunks; chunk; chunk = next) {
		next = chunk->next;
		had = chunk->backed;
		if (had <= keep - held) {
			held += had;
			prev = chunk;
			continue;
		}
		if (!prev || keep > held) {
			/* Kept in part: the first chunk always, others while room is left. */
			if (wsheap_chunk_revoke(heap, chunk, keep - held))
				return false;
			heap->actual -= had - chunk->backed;
			held = keep;
			prev = chunk;
			continue;
		}
		if (wsheap_chunk_revoke(heap, chunk, 0))
			return false;
		heap->actual -= had;
		prev->next = next;
		wsheap_chunk_put(chunk, heap);
	}
	return true;
}

/*
 * The next message starts in the largest chunk kept: one that took the
 * last message whole then takes the next whole too, instead of each
 * message starting in the small first chunk and crossing into the next
 * (a slow-path call per message).
 */
static void largest_first(WS_HEAP *heap)
{
	struct wsheap_chunk *chunk, *prev, *best = heap->chunks, *best_prev = NULL;

	for (prev = heap->chunks, chunk = prev->next; chunk; prev = chunk, chunk = chunk->next)
		if (chunk->backed > best->backed) {
			best = chunk;
			best_prev = prev;
		}
	if (!best_prev)
		return;
	best_prev->next = best->next;
	best->next = heap->chunks;
	heap->chunks = best;
}

/* Give every chunk back and free the heap object. */
void wsheap_heap_destroy(WS_HEAP *heap)
{
	struct wsheap_chunk *chunk, *next;

	for (chunk = heap->chunks; chunk; chunk = next) {
		next = chunk->next;
		if (heap->orphaned)
			wsheap_chunk_forget(chunk);
		else if (!chunk->backed || !wsheap_chunk_revoke(heap, chunk, 0))
			wsheap_chunk_put(chunk, heap);
		else if (chunk->region->own)
			/* Its region goes with it, and its memory with the region. */
			wsheap_chunk_put(chunk, heap);
		else
			/* Memory that could not be revoked is never handed out again. */
			free(chunk);
	}
	free(heap);
}

WSHEAP_API HRESULT WsCreateHeap(SIZE_T maxSize, SIZE_T trimSize,
				const WS_HEAP_PROPERTY *properties, ULONG propertyCount,
				WS_HEAP **heap, WS_ERROR *error)
{
	const struct wsheap_backend *backend;
	WS_HEAP *obj;
	int open_error = 0;
	int ret;

	(void)properties;
	if (!heap) {
		wsheap_error_addf(error, "WsCreateHeap: the heap out-parameter is NULL.");
		return E_INVALIDARG;
	}
	if (propertyCount) {
		wsheap_error_addf(error, "WsCreateHeap: heap properties are reserved; "
				  "propertyCount must be 0, not %u.", (unsigned int)propertyCount);
		return E_INVALIDARG;
	}
	backend = backend_from_env();
	if (!backend) {
		wsheap_error_addf(error, "WsCreateHeap: WSHEAP_BACKEND=%s is not a backend; "
				  "use \"device\" (the default) or \"process\".",
				  getenv("WSHEAP_BACKEND"));
		return E_INVALIDARG;
	}

	obj = wsheap_heap_take(backend);
	if (obj) {
		obj->fresh = true;
		obj->kernel_entries = 0;
		goto out;
	}
	ret = backend->ready(&open_error);
	if (ret)
		goto err_backend;
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		wsheap_error_addf(error, "WsCreateHeap: no memory for the heap object.");
		return E_OUTOFMEMORY;
	}
	obj->backend = backend;
	/* Address space only: the first WsAlloc() backs it. */
	obj->chunks = wsheap_chunk_get(backend, wsheap_page_size(), obj, &ret);
	if (!obj->chunks) {
		free(obj);
		wsheap_error_addf(error, "WsCreateHeap: the %s backend could not reserve a "
				  "region of address space: %s.", backend->name, strerror(-ret));
		return E_OUTOFMEMORY;
	}
	wsheap_heap_live(obj);
out:
	obj->max_size = maxSize;
	obj->trim_size = trimSize;
	obj->chunk = obj->chunks;
	obj->cur = obj->chunks->base;
	obj->handed_before = 0;
	obj->requested = 0;
	refresh_end(obj);
	*heap = obj;
	return S_OK;

err_backend:
	/* open()'s own refusals first: the ioctl after it has its own. */
	/* ENXIO, ENODEV: a node no driver answers, the module unloaded. */
	if (open_error == -ENOENT || open_error == -ENXIO || open_error == -ENODEV) {
		wsheap_error_addf(error, "WsCreateHeap: %s: load the wsheap kernel module "
				  "(modprobe wsheap, or insmod wsheap.ko), or set "
				  "WSHEAP_BACKEND=process to use process memory.",
				  open_error == -ENOENT ? "/dev/wsheap is missing" :
				  "no driver answers /dev/wsheap");
		return WSHEAP_E_NO_DEVICE;
	}
	if (open_error == -EACCES || open_error == -EPERM) {
		wsheap_error_addf(error, "WsCreateHeap: no permission to open /dev/wsheap: "
				  "its mode or udev rule keeps this user out (ls -l "
				  "/dev/wsheap shows to whom it is open); ask to be added "
				  "to its group, or set WSHEAP_BACKEND=process to use "
				  "process memory.");
		return E_ACCESSDENIED;
	}
	if (ret == -EPROTO) {
		wsheap_error_addf(error, "WsCreateHeap: the loaded wsheap module speaks another "
				  "ABI version than this library: load the module of the "
				  "same release, or set WSHEAP_BACKEND=process to use "
				  "process memory.");
		return WSHEAP_E_NO_DEVICE;
	}
	if (ret == -EPROTONOSUPPORT) {
		wsheap_error_addf(error, "WsCreateHeap: the loaded wsheap module is older than "
				  "this library (it has no sparse heaps): load the module of "
				  "the same release, or set WSHEAP_BACKEND=process to use "
				  "process memory.");
		return WSHEAP_E_NO_DEVICE;
	}
	wsheap_error_addf(error, "WsCreateHeap: /dev/wsheap opened but could not be used: %s.",
			  strerror(-ret));
	return ret == -ENOMEM ? E_OUTOFMEMORY : WSHEAP_E_NO_DEVICE;
}

/*
 * Growth steps reach this at once: small heaps cost few system calls, and
 * the 1 MiB of leeway ACTUAL_SIZE has over what a heap needs is not spent.
 */
#define WSHEAP_GROW_MIN		((size_t)64 << 10)
/* What ACTUAL_SIZE may exceed what the heap handed out by, at least. */
#define WSHEAP_GROW_SLACK	((size_t)1 << 20)

/*
 * How much more to back at cur for @need bytes: a heap's first backing is
 * what its first allocation needs (one page for a small one: a million
 * small heaps fit in 4 GiB); after that steps of a quarter of what the
 * heap holds, at least WSHEAP_GROW_MIN, but not past the max size, and
 * not past a quarter (or WSHEAP_GROW_SLACK) over what it handed out.
 */
static size_t grow_bytes(const WS_HEAP *heap, size_t need)
{
	size_t cap = wsheap_page_align(heap->max_size), step, handed, budget;

	if (!heap->actual)
		return need;
	step = heap->actual / 4;
	if (step < WSHEAP_GROW_MIN)
		step = WSHEAP_GROW_MIN;
	/* A heap never needs more backing than its max size, bar alignment. */
	if (step > cap - heap->actual || cap < heap->actual)
		step = cap > heap->actual ? cap - heap->actual : 0;
	/*
	 * Nor more than a quarter (or 1 MiB) over what it has handed out
	 * since the reset: a chunk's tail left behind, too short for an
	 * allocation, is held too, so the next step shrinks by it.
	 */
	handed = heap->handed_before + (size_t)(heap->cur - heap->chunk->base) + need;
	budget = handed + (handed / 4 > WSHEAP_GROW_SLACK ? handed / 4 : WSHEAP_GROW_SLACK);
	if (budget < handed)
		budget = SIZE_MAX;
	if (step > budget - heap->actual || budget < heap->actual)
		step = budget > heap->actual ? budget - heap->actual : 0;
	return step > need ? step : need;
}

/* Back more of the current chunk, so that @need more bytes fit at cur. */
static int back_more(WS_HEAP *heap, size_t need)
{
	struct wsheap_chunk *chunk = heap->chunk;
	size_t used = (size_t)(heap->cur - chunk->base);
	size_t had = chunk->backed, want;
	int ret;

	want = wsheap_page_align(used + grow_bytes(heap, need));
	if (want > chunk->capacity || want < used)
		want = chunk->capacity;
	ret = wsheap_chunk_back(heap, chunk, want);
	if (ret)
		return ret;
	heap->actual += want - had;
	return 0;
}

/*
 * Everything the one comparison of WsAlloc() cannot decide.  Kept out of
 * line: inlined, it made WsAlloc() save and restore six registers around a
 * fast path that needs none (msg8: 69 instructions per allocation, 51
 * without).
 */
static __attribute__((noinline, cold)) HRESULT alloc_slow(WS_HEAP *heap, SIZE_T size, void **ptr, WS_ERROR *error)
{
	struct wsheap_chunk *chunk, *fresh;
	size_t need, used, capacity;
	int ret;

	if (heap->orphaned) {
		wsheap_error_addf(error, "WsAlloc: the heap was created before fork() by the "
				  "parent process; its memory stayed with the parent. Create "
				  "heaps in the child instead.");
		return WS_E_INVALID_OPERATION;
	}
	if (size > heap->max_size - heap->requested) {
		wsheap_error_addf(error, "WsAlloc: %zu bytes would pass the heap's max size of "
				  "%zu bytes: %zu are in use since the last reset.",
				  (size_t)size, (size_t)heap->max_size, (size_t)heap->requested);
		return WS_E_QUOTA_EXCEEDED;
	}
	need = size ? (size + WSHEAP_ALLOC_ALIGN - 1) & ~(size_t)(WSHEAP_ALLOC_ALIGN - 1) :
		      WSHEAP_ALLOC_ALIGN;
	if (!need || need > SIZE_MAX / 2) {
		wsheap_error_addf(error, "WsAlloc: %zu bytes are more address space than a "
				  "process has.", (size_t)size);
		return E_OUTOFMEMORY;
	}
	for (;;) {
		chunk = heap->chunk;
		used = (size_t)(heap->cur - chunk->base);
		if (need <= chunk->capacity - used)
			break;
		if (chunk->next) {
			/* A chunk a reset kept. */
			heap->handed_before += used;
			heap->chunk = chunk->next;
			heap->cur = chunk->next->base;
			continue;
		}
		/* Chunk capacities double with the heap: few chunks for any size. */
		capacity = grow_bytes(heap, need);
		if (capacity < heap->actual)
			capacity = heap->actual;
		fresh = wsheap_chunk_get(heap->backend, capacity, heap, &ret);
		if (!fresh) {
			/* cur may have moved to a kept chunk: the bound must follow. */
			refresh_end(heap);
			wsheap_error_addf(error, "WsAlloc: the %s backend could not reserve a "
					  "region of address space for %zu bytes: %s.",
					  heap->backend->name, capacity, strerror(-ret));
			return E_OUTOFMEMORY;
		}
		if (chunk == heap->chunks && !chunk->backed) {
			/*
			 * The first chunk, never used, too small for the first
			 * allocation: the new one takes its place, so the heap
			 * keeps no empty page that would stand between its
			 * neighbours.
			 */
			wsheap_chunk_put(chunk, heap);
			heap->chunks = fresh;
		} else {
			heap->handed_before += used;
			chunk->next = fresh;
		}
		heap->chunk = fresh;
		heap->cur = fresh->base;
	}
	if (need > chunk->backed - used) {
		ret = back_more(heap, need);
		if (ret) {
			refresh_end(heap);
			wsheap_error_addf(error, "WsAlloc: the system refused more memory for the "
					  "heap (%s).", strerror(-ret));
			return E_OUTOFMEMORY;
		}
	}
	*ptr = heap->cur;
	heap->cur += need;
	heap->requested += size;
	/* A refused allocation leaves a cached heap reading as new. */
	heap->fresh = false;
	refresh_end(heap);
	return S_OK;
}

WSHEAP_API HRESULT WsAlloc(WS_HEAP *heap, SIZE_T size, void **ptr, WS_ERROR *error)
{
	size_t need;

	if (!heap || !ptr) {
		wsheap_error_addf(error, "WsAlloc: the %s is NULL.", heap ? "ptr" : "heap");
		return E_INVALIDARG;
	}
	/*
	 * The fast path: one comparison checks the backing and the quota.  A
	 * zero size, or one so large that rounding wraps, gives need == 0 and
	 * need - 1 == SIZE_MAX: the slow path.
	 */
	need = (size + WSHEAP_ALLOC_ALIGN - 1) & ~(size_t)(WSHEAP_ALLOC_ALIGN - 1);
	if (__builtin_expect(need - 1 < (size_t)(heap->end - heap->cur), 1)) {
		*ptr = heap->cur;
		heap->cur += need;
		heap->requested += size;
		return S_OK;
	}
	return alloc_slow(heap, size, ptr, error);
}

WSHEAP_API HRESULT WsResetHeap(WS_HEAP *heap, WS_ERROR *error)
{
	if (!heap) {
		wsheap_error_addf(error, "WsResetHeap: the heap is NULL.");
		return E_INVALIDARG;
	}
	if (heap->orphaned) {
		wsheap_error_addf(error, "WsResetHeap: the heap was created before fork() by "
				  "the parent process; only WsFreeHeap() may be called on it.");
		return WS_E_INVALID_OPERATION;
	}
	/*
	 * Within the trim size (or never trimmed): no kernel entry at all.  A
	 * failed trim leaves the memory in the heap: the reset still happened.
	 */
	trim_chunks(heap);
	largest_first(heap);
	heap->chunk = heap->chunks;
	heap->cur = heap->chunks->base;
	heap->handed_before = 0;
	heap->requested = 0;
	refresh_end(heap);
	return S_OK;
}

/*
 * Into the cache, with what a reset would keep: a WWSAPI program that
 * frees its heap per message then costs no system call.  The cache lets
 * go of its oldest heaps to make room.
 */
WSHEAP_API void WsFreeHeap(WS_HEAP *heap)
{
	WS_HEAP *victim, *next;
	bool reusable;

	if (!heap)
		return;
	reusable = !heap->orphaned && trim_chunks(heap);
	if (reusable)
		largest_first(heap);
	for (victim = wsheap_heap_give(heap, reusable); victim; victim = next) {
		next = victim->next;
		wsheap_heap_destroy(victim);
	}
}

WSHEAP_API HRESULT WsGetHeapProperty(WS_HEAP *heap, WS_HEAP_PROPERTY_ID id, void *value,
				     ULONG valueSize, WS_ERROR *error)
{
	SIZE_T v;

	if (!heap || !value || valueSize != sizeof(SIZE_T)) {
		wsheap_error_addf(error, "WsGetHeapProperty: %s.",
				  !heap ? "the heap is NULL" : !value ? "the value is NULL" :
				  "valueSize must be sizeof(SIZE_T)");
		return E_INVALIDARG;
	}
	switch (id) {
	case WS_HEAP_PROPERTY_MAX_SIZE:
		v = heap->max_size;
		break;
	case WS_HEAP_PROPERTY_TRIM_SIZE:
		v = heap->trim_size;
		break;
	case WS_HEAP_PROPERTY_REQUESTED_SIZE:
		v = heap->requested;
		break;
	case WS_HEAP_PROPERTY_ACTUAL_SIZE:
		v = heap->fresh || heap->orphaned ? 0 : heap->actual;
		break;
	default:
		wsheap_error_addf(error, "WsGetHeapProperty: %d is not a heap property id.",
				  (int)id);
		return E_INVALIDARG;
	}
	memcpy(value, &v, sizeof(v));
	return S_OK;
}

WSHEAP_API uint64_t wsheap_kernel_entries(const WS_HEAP *heap)
{
	if (!heap)
		return __atomic_load_n(&kernel_entries_total, __ATOMIC_RELAXED);
	return heap->kernel_entries;
}
