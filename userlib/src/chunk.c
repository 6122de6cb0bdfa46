// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Chunks: the ranges of address space heaps allocate from.
 *
 * A heap is a list of chunks, not a window of its own: a million heaps
 * must fit in one process, each mapping costs the kernel a VMA (and
 * vm.max_map_count stops a process at 65,530 of them), and a heap of max
 * size SIZE_MAX must cost what it holds, not what it may hold.  So the
 * backends reserve address space in large regions, one mapping each, and
 * this file carves them into chunks whose capacity is a power of two of
 * pages.  A chunk larger than a region gets a region of its own.
 *
 * A freed chunk goes to the end of its size class's list and a new one
 * comes from its front: a range is reused as late as possible, so that a
 * stale pointer into a freed heap faults (its memory was revoked) for as
 * long as the address space allows.  Chunks are carved from a region in
 * address order, so the chunks of heaps made one after the other are
 * neighbours, and on the process backend their mprotect()s merge into
 * one mapping.
 *
 * chunk_lock guards the lists and regions.  Lock order: the heap cache's
 * lock, then chunk_lock, then the device backend's lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

/* Regions of 1 GiB (64 MiB in a 32-bit process, whose address space is 4 GiB). */
#define WSHEAP_REGION_SIZE	(sizeof(void *) > 4 ? (size_t)1 << 30 : (size_t)64 << 20)
/* More size classes than any page size leaves: 4 KiB << 18 is 1 GiB. */
#define WSHEAP_CLASSES		32
/* The size class of a chunk that is a whole region of its own. */
#define WSHEAP_CLASS_OWN	0xff

struct chunk_list {
	struct wsheap_chunk *head, *tail;
};

static pthread_mutex_t chunk_lock = PTHREAD_MUTEX_INITIALIZER;
static struct chunk_list free_chunks[WSHEAP_BACKENDS][WSHEAP_CLASSES];
/* Each backend's shared regions; the first is the one chunks are carved from. */
static struct wsheap_region *regions[WSHEAP_BACKENDS];

size_t wsheap_page_size(void)
{
	static size_t size;

	if (!size)
		size = (size_t)sysconf(_SC_PAGESIZE);
	return size;
}

size_t wsheap_page_align(size_t n)
{
	size_t page = wsheap_page_size();

	return n > SIZE_MAX - page ? SIZE_MAX & ~(page - 1) : (n + page - 1) & ~(page - 1);
}

/* The smallest size class whose chunks hold @bytes. */
static unsigned int class_for(size_t bytes)
{
	size_t size = wsheap_page_size();
	unsigned int k = 0;

	while (size < bytes) {
		size <<= 1;
		k++;
	}
	return k;
}

/*
 * A region of @size bytes or, where the address space refuses that
 * (RLIMIT_AS, a 32-bit process), of half as much and so on down to @least.
 */
static struct wsheap_region *region_new(const struct wsheap_backend *backend, size_t size,
					size_t least, bool own, WS_HEAP *heap, int *err)
{
	struct wsheap_region *region = calloc(1, sizeof(*region));
	int ret;

	if (!region) {
		*err = -ENOMEM;
		return NULL;
	}
	region->backend = backend;
	region->own = own;
	for (;;) {
		region->size = size;
		ret = backend->region_create(region, heap);
		if (ret != -ENOMEM || size / 2 < least)
			break;
		size /= 2;
	}
	if (ret) {
		free(region);
		*err = ret;
		return NULL;
	}
	return region;
}

static struct wsheap_chunk *chunk_pop(struct chunk_list *list)
{
	struct wsheap_chunk *chunk = list->head;

	if (chunk) {
		list->head = chunk->next;
		if (!list->head)
			list->tail = NULL;
		chunk->next = NULL;
	}
	return chunk;
}

static void chunk_append(struct chunk_list *list, struct wsheap_chunk *chunk)
{
	chunk->next = NULL;
	if (list->tail)
		list->tail->next = chunk;
	else
		list->head = chunk;
	list->tail = chunk;
}

/* A chunk that is a region of its own: for capacities beyond a region. */
static struct wsheap_chunk *chunk_own(const struct wsheap_backend *backend, size_t capacity,
				      WS_HEAP *heap, int *err)
{
	struct wsheap_chunk *chunk = calloc(1, sizeof(*chunk));

	if (!chunk) {
		*err = -ENOMEM;
		return NULL;
	}
	chunk->region = region_new(backend, capacity, capacity, true, heap, err);
	if (!chunk->region) {
		free(chunk);
		return NULL;
	}
	chunk->base = chunk->region->base;
	chunk->capacity = capacity;
	chunk->size_class = WSHEAP_CLASS_OWN;
	return chunk;
}

struct wsheap_chunk *wsheap_chunk_get(const struct wsheap_backend *backend, size_t capacity,
				      WS_HEAP *heap, int *err)
{
	struct wsheap_chunk *chunk;
	struct wsheap_region *region;
	unsigned int k;
	size_t size;

	capacity = wsheap_page_align(capacity ? capacity : 1);
	if (capacity > WSHEAP_REGION_SIZE)
		return chunk_own(backend, capacity, heap, err);
	k = class_for(capacity);
	size = wsheap_page_size() << k;

	pthread_mutex_lock(&chunk_lock);
	chunk = chunk_pop(&free_chunks[backend->index][k]);
	if (chunk)
		goto out;
	chunk = calloc(1, sizeof(*chunk));
	if (!chunk) {
		*err = -ENOMEM;
		goto out;
	}
	region = regions[backend->index];
	if (!region || region->size - region->used < size) {
		/* The rest of the old region is left unused: address space only. */
		region = region_new(backend, WSHEAP_REGION_SIZE, size, false, heap, err);
		if (!region) {
			free(chunk);
			chunk = NULL;
			goto out;
		}
		region->next = regions[backend->index];
		regions[backend->index] = region;
	}
	chunk->region = region;
	chunk->base = region->base + region->used;
	chunk->capacity = size;
	chunk->size_class = (unsigned char)k;
	region->used += size;
out:
	pthread_mutex_unlock(&chunk_lock);
	return chunk;
}

int wsheap_chunk_back(WS_HEAP *heap, struct wsheap_chunk *chunk, size_t bytes)
{
	struct wsheap_region *region = chunk->region;
	size_t offset = (size_t)(chunk->base - region->base);
	size_t upto = region->backend->lazy ? chunk->capacity : bytes;
	int ret;

	if (chunk->accessible < bytes) {
		ret = region->backend->back(region, offset + chunk->accessible,
					    upto - chunk->accessible, heap);
		if (ret)
			return ret;
		chunk->accessible = upto;
	}
	chunk->backed = bytes;
	return 0;
}

int wsheap_chunk_revoke(WS_HEAP *heap, struct wsheap_chunk *chunk, size_t bytes)
{
	struct wsheap_region *region = chunk->region;
	size_t offset = (size_t)(chunk->base - region->base);
	int ret;

	if (chunk->accessible > bytes) {
		ret = region->backend->revoke(region, offset + bytes, chunk->accessible - bytes,
					      heap);
		if (ret)
			return ret;
		chunk->accessible = bytes;
	}
	chunk->backed = bytes;
	return 0;
}

void wsheap_chunk_put(struct wsheap_chunk *chunk, WS_HEAP *heap)
{
	const struct wsheap_backend *backend = chunk->region->backend;

	if (chunk->size_class == WSHEAP_CLASS_OWN) {
		backend->region_destroy(chunk->region, heap);
		free(chunk->region);
		free(chunk);
		return;
	}
	pthread_mutex_lock(&chunk_lock);
	chunk_append(&free_chunks[backend->index][chunk->size_class], chunk);
	pthread_mutex_unlock(&chunk_lock);
}

void wsheap_chunk_forget(struct wsheap_chunk *chunk)
{
	/* A shared region is forgotten by wsheap_chunk_fork_child(). */
	if (chunk->size_class == WSHEAP_CLASS_OWN)
		free(chunk->region);
	free(chunk);
}

void wsheap_chunk_fork_prepare(void)
{
	pthread_mutex_lock(&chunk_lock);
}

void wsheap_chunk_fork_parent(void)
{
	pthread_mutex_unlock(&chunk_lock);
}

void wsheap_chunk_fork_child(void)
{
	const struct wsheap_backend *backends[] = { &wsheap_backend_device,
						    &wsheap_backend_process };
	struct wsheap_region *region, *next_region;
	struct wsheap_chunk *chunk;
	unsigned int b, k, i;

	for (i = 0; i < WSHEAP_BACKENDS; i++) {
		if (backends[i]->survives_fork)
			continue;
		b = backends[i]->index;
		for (k = 0; k < WSHEAP_CLASSES; k++)
			while ((chunk = chunk_pop(&free_chunks[b][k])))
				free(chunk);
		for (region = regions[b]; region; region = next_region) {
			next_region = region->next;
			free(region);
		}
		regions[b] = NULL;
	}
	pthread_mutex_unlock(&chunk_lock);
}
