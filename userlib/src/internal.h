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
 * A region: a large range of address space that a backend reserved once
 * (device: one mapping of a sparse kernel heap; process: one anonymous
 * mapping), carved into chunks for many heaps (chunk.c).
 */
struct wsheap_region {
	char *base;
	size_t size;
	size_t used;			/* chunks were carved from [0, used) */
	const struct wsheap_backend *backend;
	uint32_t id;			/* device backend: the kernel's heap id */
	bool own;			/* one chunk's alone: its backing is a prefix */
	struct wsheap_region *next;	/* the backend's regions (chunk.c) */
};

/*
 * A chunk: a range of a region a heap allocates from.  Its first @backed
 * bytes have memory; the rest of @capacity is address space only.  Free
 * chunks have no memory at all.
 */
struct wsheap_chunk {
	char *base;
	size_t capacity;
	size_t backed;
	size_t accessible;		/* made accessible by the backend: >= backed */
	struct wsheap_region *region;
	struct wsheap_chunk *next;	/* the heap's chunks in order, or a free list */
	unsigned char size_class;	/* capacity is pages << size_class, or a region's own */
};

/*
 * A heap bumps through its chunks.  The fast path of WsAlloc() needs only
 * @cur and @end: @end is never past the current chunk's backing, nor
 * further from @cur than the quota still allows, so one comparison checks
 * both.
 */
struct _WS_HEAP {
	char *cur;
	char *end;
	SIZE_T requested;
	SIZE_T max_size;
	SIZE_T trim_size;
	struct wsheap_chunk *chunks;	/* the first chunk; kept by a reset */
	struct wsheap_chunk *chunk;	/* the one @cur is in */
	size_t actual;			/* backed bytes of all chunks */
	size_t handed_before;		/* bytes handed out in chunks before @chunk */
	uint64_t kernel_entries;
	const struct wsheap_backend *backend;
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
	/* The index of this backend's free lists and regions (chunk.c). */
	unsigned int index;
	/* The memory survives fork() in the child (private mappings). */
	bool survives_fork;
	/*
	 * Memory costs nothing until touched (anonymous memory): a chunk is
	 * made accessible whole when it is first backed, so that it never
	 * leaves an inaccessible tail between neighbours (a mapping each).
	 */
	bool lazy;
	/*
	 * Whatever creating heaps needs besides memory (the device: an open
	 * descriptor).  When the device itself could not be opened, also sets
	 * *@open_error to open()'s -errno, which WsCreateHeap() tells apart
	 * from the rest.
	 */
	int (*ready)(int *open_error);
	/*
	 * The rest count each system call they make for @heap.  Reserve
	 * region->size bytes at region->base, with no memory yet.
	 */
	int (*region_create)(struct wsheap_region *region, WS_HEAP *heap);
	/* Give memory to [@offset, @offset + @len) of the region, zeroed. */
	int (*back)(struct wsheap_region *region, size_t offset, size_t len, WS_HEAP *heap);
	/* Take the memory of [@offset, @offset + @len) back: it faults from now on. */
	int (*revoke)(struct wsheap_region *region, size_t offset, size_t len, WS_HEAP *heap);
	void (*region_destroy)(struct wsheap_region *region, WS_HEAP *heap);
};

#define WSHEAP_BACKENDS	2
extern const struct wsheap_backend wsheap_backend_device;
extern const struct wsheap_backend wsheap_backend_process;

/* fork() handling of the device backend, called with the heap lock held. */
void wsheap_device_fork_prepare(void);
void wsheap_device_fork_parent(void);
void wsheap_device_fork_child(void);

/* Count a system call made for @heap (NULL: for no heap in particular). */
void wsheap_count_kernel_entry(WS_HEAP *heap);

size_t wsheap_page_size(void);
size_t wsheap_page_align(size_t n);

/*
 * Chunks (chunk.c).  wsheap_chunk_get() returns a chunk of @backend with
 * at least @capacity bytes of address space and no memory, or NULL with
 * -errno in *@err.  wsheap_chunk_back() grows a chunk's memory to @bytes
 * (page-aligned, at most its capacity) and wsheap_chunk_revoke() shrinks
 * it to @bytes, both counting the call for @heap.  wsheap_chunk_put()
 * gives a chunk without memory back; wsheap_chunk_forget() frees the
 * descriptor of a chunk whose memory the process does not have (a heap
 * orphaned by fork()).  wsheap_chunk_fork_child() forgets, in a fork()
 * child, every free chunk and region of backends whose memory the child
 * did not inherit.
 */
struct wsheap_chunk *wsheap_chunk_get(const struct wsheap_backend *backend, size_t capacity,
				      WS_HEAP *heap, int *err);
int wsheap_chunk_back(WS_HEAP *heap, struct wsheap_chunk *chunk, size_t bytes);
int wsheap_chunk_revoke(WS_HEAP *heap, struct wsheap_chunk *chunk, size_t bytes);
void wsheap_chunk_put(struct wsheap_chunk *chunk, WS_HEAP *heap);
void wsheap_chunk_forget(struct wsheap_chunk *chunk);
void wsheap_chunk_fork_prepare(void);
void wsheap_chunk_fork_parent(void);
void wsheap_chunk_fork_child(void);

/*
 * The heap cache (heap_cache.c).  wsheap_heap_take() returns a freed heap
 * of @backend, linked as live, or NULL.  wsheap_heap_live() links a new
 * heap as live.  wsheap_heap_give() unlinks a heap and, if @reusable,
 * keeps it, returning the heap the cache let go to make room (or @heap
 * itself when it keeps nothing), which the caller must destroy; NULL if
 * there is none.
 */
WS_HEAP *wsheap_heap_take(const struct wsheap_backend *backend);
void wsheap_heap_live(WS_HEAP *heap);
WS_HEAP *wsheap_heap_give(WS_HEAP *heap, bool reusable);
/* Give back every chunk of @heap and free it (heap.c). */
void wsheap_heap_destroy(WS_HEAP *heap);

/* Add a string, formatted printf-style in ASCII, to @error if not NULL. */
void wsheap_error_addf(WS_ERROR *error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* WSHEAP_INTERNAL_H */
