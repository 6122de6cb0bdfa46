// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The heaps of the process: the live ones, and a cache of freed ones.
 *
 * A new heap's first allocation costs a system call (memory for its first
 * chunk), and destroying a heap one more.  Code written for WWSAPI often
 * creates and frees a heap per message, so WsFreeHeap() keeps heaps, with
 * the memory they would keep across a reset, and WsCreateHeap() hands
 * them out again, whatever max size is asked for (a heap has no window of
 * its own): a pair then costs no system call.  The cache holds at most
 * WSHEAP_CACHE_HEAPS heaps and WSHEAP_CACHE_BYTES of their memory and lets
 * go of the oldest to make room; it serves the most recent first, whose
 * memory is likeliest in the CPU's caches.
 *
 * The live heaps are listed for fork(): the device backend's mappings are
 * not copied to a child (the module marks them VM_DONTCOPY), so the child
 * marks its copies of those heaps orphaned; they refuse to allocate
 * instead of faulting.
 */
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

/* At most this many freed heaps, keeping at most this much memory. */
#define WSHEAP_CACHE_HEAPS	64
#define WSHEAP_CACHE_BYTES	((size_t)8 << 20)

/*
 * heap_lock guards every list below.  Lock order: heap_lock, then
 * chunk.c's lock, then the device backend's lock (taken together only
 * around fork()).
 */
static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static WS_HEAP *live;
/* Freed heaps, the most recent first; cached_tail is the oldest. */
static WS_HEAP *cached, *cached_tail;
static unsigned int cached_heaps;
static size_t cached_bytes;

static void link_heap(WS_HEAP **list, WS_HEAP *heap)
{
	heap->prev = NULL;
	heap->next = *list;
	if (*list)
		(*list)->prev = heap;
	*list = heap;
}

static void unlink_heap(WS_HEAP **list, WS_HEAP *heap)
{
	if (heap->prev)
		heap->prev->next = heap->next;
	else
		*list = heap->next;
	if (heap->next)
		heap->next->prev = heap->prev;
	heap->prev = heap->next = NULL;
}

static void cache_unlink(WS_HEAP *heap)
{
	if (cached_tail == heap)
		cached_tail = heap->prev;
	unlink_heap(&cached, heap);
	cached_heaps--;
	cached_bytes -= heap->actual;
}

static void cache_link(WS_HEAP *heap)
{
	link_heap(&cached, heap);
	if (!cached_tail)
		cached_tail = heap;
	cached_heaps++;
	cached_bytes += heap->actual;
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&heap_lock);
	wsheap_chunk_fork_prepare();
	wsheap_device_fork_prepare();
}

static void fork_parent(void)
{
	wsheap_device_fork_parent();
	wsheap_chunk_fork_parent();
	pthread_mutex_unlock(&heap_lock);
}

/*
 * In the child, device heaps have no memory: their windows were not
 * copied.  The live ones are orphaned (WsAlloc refuses, WsFreeHeap only
 * frees the object), the cached ones forgotten.  The child must not touch
 * the kernel's heaps either: they still belong to the parent, through the
 * descriptor both share, which the device backend drops here.
 */
static void fork_child(void)
{
	WS_HEAP *heap, *next;

	for (heap = live; heap; heap = heap->next) {
		if (heap->backend->survives_fork)
			continue;
		heap->orphaned = true;
		heap->end = heap->cur;
	}
	for (heap = cached; heap; heap = next) {
		next = heap->next;
		if (heap->backend->survives_fork)
			continue;
		cache_unlink(heap);
		heap->orphaned = true;
		wsheap_heap_destroy(heap);
	}
	wsheap_chunk_fork_child();
	wsheap_device_fork_child();
	pthread_mutex_unlock(&heap_lock);
}

static void register_fork_handlers(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

WS_HEAP *wsheap_heap_take(const struct wsheap_backend *backend)
{
	WS_HEAP *heap;

	/* Before the first heap exists, so that no fork() can miss it. */
	pthread_once(&fork_once, register_fork_handlers);
	pthread_mutex_lock(&heap_lock);
	for (heap = cached; heap; heap = heap->next)
		if (heap->backend == backend)
			break;
	if (heap) {
		cache_unlink(heap);
		link_heap(&live, heap);
	}
	pthread_mutex_unlock(&heap_lock);
	return heap;
}

void wsheap_heap_live(WS_HEAP *heap)
{
	pthread_mutex_lock(&heap_lock);
	link_heap(&live, heap);
	pthread_mutex_unlock(&heap_lock);
}

WS_HEAP *wsheap_heap_give(WS_HEAP *heap, bool reusable)
{
	WS_HEAP *victims = NULL, *oldest;

	pthread_mutex_lock(&heap_lock);
	unlink_heap(&live, heap);
	if (!reusable || heap->orphaned || heap->actual > WSHEAP_CACHE_BYTES) {
		heap->next = NULL;
		pthread_mutex_unlock(&heap_lock);
		return heap;
	}
	cache_link(heap);
	while (cached_heaps > WSHEAP_CACHE_HEAPS || cached_bytes > WSHEAP_CACHE_BYTES) {
		oldest = cached_tail;
		cache_unlink(oldest);
		oldest->next = victims;
		victims = oldest;
	}
	pthread_mutex_unlock(&heap_lock);
	return victims;
}
