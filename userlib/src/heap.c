// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * WS_HEAP: WsCreateHeap, WsAlloc, WsResetHeap, WsFreeHeap, WsGetHeapProperty.
 *
 * A heap bumps through a window of address space whose first bytes are
 * backed by memory from a backend (the wsheap module, or the process's own
 * pages).  WsAlloc() enters the kernel only to grow the backing, by large
 * geometric steps; WsResetHeap() only to give back what exceeds the trim
 * size.
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
 * and at most 64 GiB of address space.
 */
#define WSHEAP_WINDOW_SLACK	(64 << 10)
#define WSHEAP_WINDOW_MAX	((size_t)64 << 30)

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

/* Re-establish the fast path's bound: backing and quota both. */
static void refresh_end(WS_HEAP *heap)
{
	size_t room = (size_t)(heap->base + heap->backing - heap->cur);
	size_t quota = heap->max_size - heap->requested;

	heap->end = heap->cur + (room < quota ? room : quota);
}

static const struct wsheap_backend *backend_from_env(void)
{
	const char *name = getenv("WSHEAP_BACKEND");

	if (name && !strcmp(name, "process"))
		return &wsheap_backend_process;
	if (name && *name && strcmp(name, "device"))
		return NULL;
	return &wsheap_backend_device;
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
	WS_HEAP *obj;
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

	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		wsheap_error_addf(error, "WsCreateHeap: no memory for the heap object.");
		return E_OUTOFMEMORY;
	}
	obj->max_size = maxSize;
	obj->trim_size = trimSize;
	obj->window = window_for(maxSize);
	obj->backend = backend;
	ret = backend->create(obj);
	if (ret) {
		size_t window = obj->window;

		free(obj);
		if (ret == -ENOENT) {
			wsheap_error_addf(error, "WsCreateHeap: /dev/wsheap is missing: load the "
					  "wsheap kernel module (insmod wsheap.ko), or set "
					  "WSHEAP_BACKEND=process to use process memory.");
			return WSHEAP_E_NO_DEVICE;
		}
		wsheap_error_addf(error, "WsCreateHeap: the %s backend could not reserve a "
				  "%zu-byte window: %s.", backend->name, window,
				  strerror(-ret));
		return E_OUTOFMEMORY;
	}
	obj->cur = obj->base;
	refresh_end(obj);
	*heap = obj;
	return S_OK;
}

/* Everything the one comparison of WsAlloc() cannot decide. */
static HRESULT alloc_slow(WS_HEAP *heap, SIZE_T size, void **ptr, WS_ERROR *error)
{
	size_t need, used, want, step;
	int ret;

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
	size_t keep;
	int ret;

	if (!heap) {
		wsheap_error_addf(error, "WsResetHeap: the heap is NULL.");
		return E_INVALIDARG;
	}
	heap->cur = heap->base;
	heap->requested = 0;
	/* Within the trim size (or never trimmed): no kernel entry at all. */
	keep = heap->trim_size > heap->max_size ? heap->backing : page_align(heap->trim_size);
	if (heap->backing > keep) {
		ret = heap->backend->trim(heap, keep);
		if (!ret)
			heap->backing = keep;
	}
	refresh_end(heap);
	return S_OK;
}

WSHEAP_API void WsFreeHeap(WS_HEAP *heap)
{
	if (!heap)
		return;
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
		v = heap->backing;
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
	return heap ? heap->kernel_entries : 0;
}
