/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * Declarations shared by the files of libwsheap; nothing here is API.
 */
#ifndef WSHEAP_INTERNAL_H
#define WSHEAP_INTERNAL_H

#include <stdbool.h>

#include <wsheap.h>

/* Marks the functions the shared library exports; all else stays hidden. */
#define WSHEAP_API __attribute__((visibility("default")))

int wsheap_ioctl(int fd, unsigned long cmd, void *arg);
int wsheap_device_open(struct wsheap_info *info, int *open_error);

struct wsheap_backend;

/*
 * A heap is a window of address space whose first @backing bytes are
 * memory; allocation bumps @cur.  The fast path of WsAlloc() needs only
 * @cur and @end: @end is never past the backing, nor further from @cur
 * than the quota still allows, so one comparison checks both.
 */
struct _WS_HEAP {
	char *cur;
	char *end;
	SIZE_T requested;
	SIZE_T max_size;
	SIZE_T trim_size;
	char *base;			/* the window */
	size_t window;			/* bytes of the window */
	size_t backing;			/* bytes of it backed by memory */
	uint64_t kernel_entries;
	const struct wsheap_backend *backend;
	uint32_t id;			/* device backend: the kernel's heap id */
	/*
	 * Taken from the cache of freed heaps and not allocated from since:
	 * ACTUAL_SIZE reads 0, as for a heap that was just created.
	 */
	bool fresh;
	/* A device heap the process inherited across fork(): no memory. */
	bool orphaned;
	/* On the list of live heaps, or of cached ones (heap_cache.c). */
	WS_HEAP *prev, *next;
};

struct wsheap_backend {
	const char *name;
	/* The memory survives fork() in the child (private mappings). */
	bool survives_fork;
	/*
	 * Reserve heap->window bytes at heap->base; no memory yet.  When the
	 * device itself could not be opened, also sets *@open_error to
	 * open()'s -errno, which WsCreateHeap() tells apart from the rest.
	 */
	int (*create)(WS_HEAP *heap, int *open_error);
	/* Back the first @bytes (page-aligned, more than now) of the window. */
	int (*grow)(WS_HEAP *heap, size_t bytes);
	/* Keep the first @bytes (page-aligned, less than now); revoke the rest. */
	int (*trim)(WS_HEAP *heap, size_t bytes);
	void (*destroy)(WS_HEAP *heap);
};

extern const struct wsheap_backend wsheap_backend_device;
extern const struct wsheap_backend wsheap_backend_process;

/* fork() handling of the device backend, called with the heap lock held. */
void wsheap_device_fork_prepare(void);
void wsheap_device_fork_parent(void);
void wsheap_device_fork_child(void);

/* Count a system call made for @heap (NULL: for no heap in particular). */
void wsheap_count_kernel_entry(WS_HEAP *heap);

/*
 * The heap cache (heap_cache.c).  wsheap_heap_take() returns a freed heap
 * of @backend whose window is at least @window bytes, linked as live, or
 * NULL.  wsheap_heap_live() links a new heap as live.  wsheap_heap_give()
 * unlinks a heap and, if @reusable and the cache has room, keeps it;
 * false if the caller must destroy it.
 */
WS_HEAP *wsheap_heap_take(const struct wsheap_backend *backend, size_t window);
void wsheap_heap_live(WS_HEAP *heap);
bool wsheap_heap_give(WS_HEAP *heap, bool reusable);

/* Add a string, formatted printf-style in ASCII, to @error if not NULL. */
void wsheap_error_addf(WS_ERROR *error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* WSHEAP_INTERNAL_H */
