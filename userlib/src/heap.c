// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * WS_HEAP: WsCreateHeap, WsAlloc, WsResetHeap, WsFreeHeap, WsGetHeapProperty.
 *
 * A heap bumps through a window of address space whose first bytes are
 * backed by memory from a backend (the wsheap module, or the process's own
 * pages).  WsAlloc() enters the kernel only to grow the backing, by large
 * geometric steps; WsResetHeap() only to give back what exceeds the trim
 * size; WsCreateHeap() and WsFreeHeap() only when the cache of freed heaps
 * (heap_cache.c) cannot serve them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define WSHEAP_ALLOC_ALIGN	8
/* Growth steps reach this size at once: one kernel entry per 256 KiB at most. */
#define WSHEAP_GROW_MIN		(256 << 10)
/*
 * The window: 8 times the max size, which covers the worst alignment waste
 * (1-byte allocations take 8 bytes), plus room for zero-byte allocations,
 * and at most 64 GiB of address space (256 MiB in a 32-bit process, whose
 * whole address space is 4 GiB).
 */
#define WSHEAP_WINDOW_SLACK	(64 << 10)
#define WSHEAP_WINDOW_MAX	(sizeof(void *) > 4 ? (size_t)64 << 30 : (size_t)256 << 20)

static uint64_t kernel_entries_total;

void wsheap_count_kernel_entry(WS_HEAP *heap)
{
	if (heap)
		heap->kernel_entries++;
	__atomic_add_fetch(&kernel_entries_total, 1, __ATOMIC_RELAXED);
}

static size_t page_size(void)
{
	static size_t size;

	if (!size)
		size = (size_t)sysconf(_SC_PAGESIZE);
	return size;
}

static size_t page_align(size_t n)
{
	size_t page = page_size();

	return n > SIZE_MAX - page ? SIZE_MAX & ~(page - 1) : (n + page - 1) & ~(page - 1);
}

/*
 * Re-establish the fast path's bound: backing and quota both.  A fresh
 * heap from the cache, or an orphaned one, takes the slow path.
 */
static void refresh_end(WS_HEAP *heap)
{
	size_t room;
	size_t quota;

	if (heap->fresh || heap->orphaned) {
		heap->end = heap->cur;
		return;
	}
	room = (size_t)(heap->base + heap->backing - heap->cur);
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

/* What WsResetHeap() keeps of the backing. */
static size_t kept_backing(const WS_HEAP *heap)
{
	size_t keep;

	if (heap->trim_size > heap->max_size)
		return heap->backing;
	keep = page_align(heap->trim_size);
	return keep < heap->backing ? keep : heap->backing;
}

/* Give back the backing past what a reset keeps; false if that failed. */
static bool trim_to_kept(WS_HEAP *heap)
{
	size_t keep = kept_backing(heap);

	if (heap->backing == keep)
		return true;
	if (heap->backend->trim(heap, keep))
		return false;
	heap->backing = keep;
	return true;
}

static size_t window_for(SIZE_T max_size)
{
	if (max_size > (WSHEAP_WINDOW_MAX - WSHEAP_WINDOW_SLACK) / 8)
		return WSHEAP_WINDOW_MAX;
	return page_align(max_size * 8 + WSHEAP_WINDOW_SLACK);
}

WSHEAP_API HRESULT WsCreateHeap(SIZE_T maxSize, SIZE_T trimSize,
				const WS_HEAP_PROPERTY *properties, ULONG propertyCount,
				WS_HEAP **heap, WS_ERROR *error)
{
	const struct wsheap_backend *backend;
	size_t window;
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

	window = window_for(maxSize);
	obj = wsheap_heap_take(backend, window);
	if (obj) {
		obj->fresh = true;
		obj->kernel_entries = 0;
		goto out;
	}
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		wsheap_error_addf(error, "WsCreateHeap: no memory for the heap object.");
		return E_OUTOFMEMORY;
	}
	obj->window = window;
	obj->backend = backend;
	ret = backend->create(obj, &open_error);
	if (ret) {
		free(obj);
		/* Only open()'s own refusals: the ioctls and mmap() after it have theirs. */
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
		wsheap_error_addf(error, "WsCreateHeap: the %s backend could not reserve a "
				  "%zu-byte window: %s.", backend->name, window,
				  strerror(-ret));
		return E_OUTOFMEMORY;
	}
	wsheap_heap_live(obj);
out:
	obj->max_size = maxSize;
	obj->trim_size = trimSize;
	obj->cur = obj->base;
	obj->requested = 0;
	refresh_end(obj);
	*heap = obj;
	return S_OK;
}

/*
 * Everything the one comparison of WsAlloc() cannot decide.  Kept out of
 * line: inlined, it made WsAlloc() save and restore six registers around a
 * fast path that needs none (msg8: 69 instructions per allocation, 51
 * without).
 */
static __attribute__((noinline, cold)) HRESULT alloc_slow(WS_HEAP *heap, SIZE_T size, void **ptr, WS_ERROR *error)
{
	size_t need, used, want, step;
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
	used = (size_t)(heap->cur - heap->base);
	if (!need || need > heap->window - used) {
		wsheap_error_addf(error, "WsAlloc: %zu bytes do not fit in the heap's %zu-byte "
				  "address window.", (size_t)size, heap->window);
		return E_OUTOFMEMORY;
	}
	if (need > heap->backing - used) {
		/*
		 * Grow geometrically, by steps of at least the max size or
		 * WSHEAP_GROW_MIN, whichever is smaller, within the window.
		 */
		step = heap->max_size < WSHEAP_GROW_MIN ? page_align(heap->max_size) :
							  WSHEAP_GROW_MIN;
		if (step < heap->backing)
			step = heap->backing;
		want = heap->backing + step;
		if (want < used + need)
			want = used + need;
		want = page_align(want);
		if (want > heap->window)
			want = heap->window;
		ret = heap->backend->grow(heap, want);
		if (ret) {
			wsheap_error_addf(error, "WsAlloc: the system refused %zu more bytes of "
					  "memory for the heap (%s).", want - heap->backing,
					  strerror(-ret));
			return E_OUTOFMEMORY;
		}
		heap->backing = want;
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
	heap->cur = heap->base;
	heap->requested = 0;
	/*
	 * Within the trim size (or never trimmed): no kernel entry at all.  A
	 * failed trim leaves the memory in the heap: the reset still happened.
	 */
	trim_to_kept(heap);
	refresh_end(heap);
	return S_OK;
}

/*
 * Into the cache if it has room, with what a reset would keep: a WWSAPI
 * program that frees its heap per message then costs no system call.
 */
WSHEAP_API void WsFreeHeap(WS_HEAP *heap)
{
	bool reusable;

	if (!heap)
		return;
	reusable = !heap->orphaned && trim_to_kept(heap);
	if (wsheap_heap_give(heap, reusable))
		return;
	if (!heap->orphaned)
		heap->backend->destroy(heap);
	free(heap);
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
		v = heap->fresh || heap->orphaned ? 0 : heap->backing;
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
