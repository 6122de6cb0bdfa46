// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The heaps of the process: the live ones, and a cache of freed ones.
 *
 * Creating a heap costs system calls (a window to reserve, on the device
 * backend an ioctl and an mmap), and so does destroying one.  Code written
 * for WWSAPI often creates and frees a heap per message, so WsFreeHeap()
 * keeps a few heaps, with the memory they would keep across a reset, and
 * WsCreateHeap() hands them out again: a pair then costs no system call.
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
#define WSHEAP_CACHE_HEAPS	16
#define WSHEAP_CACHE_BYTES	((size_t)8 << 20)
/* A cached window serves a request at most this many times smaller. */
#define WSHEAP_CACHE_SLACK	4

/*
 * heap_lock guards every list below.  Lock order: heap_lock, then the
 * device backend's lock (taken together only around fork()).
 */
static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static WS_HEAP *live;
static WS_HEAP *cached;
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

static void fork_prepare(void)
{
	pthread_mutex_lock(&heap_lock);
	wsheap_device_fork_prepare();
}

static void fork_parent(void)
{
	wsheap_device_fork_parent();
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
		unlink_heap(&cached, heap);
		cached_heaps--;
		cached_bytes -= heap->backing;
		free(heap);
	}
	wsheap_device_fork_child();
	pthread_mutex_unlock(&heap_lock);
}

static void register_fork_handlers(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

WS_HEAP *wsheap_heap_take(const struct wsheap_backend *backend, size_t window)
{
	WS_HEAP *heap;

	/* Before the first heap exists, so that no fork() can miss it. */
	pthread_once(&fork_once, register_fork_handlers);
	pthread_mutex_lock(&heap_lock);
	for (heap = cached; heap; heap = heap->next) {
		if (heap->backend == backend && heap->window >= window &&
		    heap->window / WSHEAP_CACHE_SLACK <= window)
			break;
	}
	if (heap) {
		unlink_heap(&cached, heap);
		cached_heaps--;
		cached_bytes -= heap->backing;
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

bool wsheap_heap_give(WS_HEAP *heap, bool reusable)
{
	bool keep;

	pthread_mutex_lock(&heap_lock);
	unlink_heap(&live, heap);
	keep = reusable && !heap->orphaned && cached_heaps < WSHEAP_CACHE_HEAPS &&
	       heap->backing <= WSHEAP_CACHE_BYTES - cached_bytes;
	if (keep) {
		link_heap(&cached, heap);
		cached_heaps++;
		cached_bytes += heap->backing;
	}
	pthread_mutex_unlock(&heap_lock);
	return keep;
}
