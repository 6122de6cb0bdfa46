// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The device backend (the default): heaps whose pages the wsheap module
 * owns.  One descriptor on /dev/wsheap serves every heap of the process;
 * each region (chunk.c) is a sparse kernel heap on it, mapped once, whose
 * ranges are backed and revoked as chunks come and go.
 */
#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

static pthread_mutex_t device_lock = PTHREAD_MUTEX_INITIALIZER;
static int device_fd = -1;

/* The process's descriptor on /dev/wsheap, opened on first use. */
static int device(int *open_error)
{
	struct wsheap_info info;
	int fd;

	pthread_mutex_lock(&device_lock);
	if (device_fd < 0) {
		/* An open and a GET_INFO ioctl. */
		wsheap_count_kernel_entry(NULL);
		wsheap_count_kernel_entry(NULL);
		fd = wsheap_device_open(&info, open_error);
		/* Regions need sparse heaps: a module older than them cannot serve. */
		if (fd >= 0 && !(info.features & WSHEAP_FEATURE_SPARSE)) {
			close(fd);
			fd = -EPROTONOSUPPORT;
		}
		if (fd >= 0)
			device_fd = fd;
	} else {
		fd = device_fd;
	}
	pthread_mutex_unlock(&device_lock);
	return fd;
}

void wsheap_device_fork_prepare(void)
{
	pthread_mutex_lock(&device_lock);
}

void wsheap_device_fork_parent(void)
{
	pthread_mutex_unlock(&device_lock);
}

/*
 * The child shares the parent's open file, and with it the parent's heaps:
 * a DESTROY or RESET from the child would pull memory from under the
 * parent.  The child lets go of it and opens its own when it needs one.
 */
void wsheap_device_fork_child(void)
{
	if (device_fd >= 0)
		close(device_fd);
	device_fd = -1;
	pthread_mutex_unlock(&device_lock);
}

static int device_ready(int *open_error)
{
	int fd = device(open_error);

	return fd < 0 ? fd : 0;
}

static int range_op(struct wsheap_region *region, unsigned long cmd, size_t offset, size_t len,
		    WS_HEAP *heap)
{
	struct wsheap_range range = {
		.size = sizeof(range),
		.heap_id = region->id,
		.offset = offset,
		.length = len,
	};

	wsheap_count_kernel_entry(heap);
	return wsheap_ioctl(device_fd, cmd, &range);
}

static void destroy_kernel_heap(uint32_t id, WS_HEAP *heap)
{
	struct wsheap_heap_op op = { .size = sizeof(op), .heap_id = id };

	wsheap_count_kernel_entry(heap);
	wsheap_ioctl(device_fd, WSHEAP_IOC_DESTROY, &op);
}

/*
 * A region is a sparse kernel heap, mapped once; a chunk's own region (a
 * chunk larger than a region, past what a sparse heap may span too) is a
 * plain one, whose backing is a prefix, as a chunk's is.
 */
static int device_region_create(struct wsheap_region *region, WS_HEAP *heap)
{
	struct wsheap_create create = {
		.size = sizeof(create),
		.flags = region->own ? 0 : WSHEAP_CREATE_SPARSE,
		.max_bytes = region->size,
	};
	int fd = device(NULL);
	void *p;
	int ret;

	if (fd < 0)
		return fd;
	wsheap_count_kernel_entry(heap);
	ret = wsheap_ioctl(fd, WSHEAP_IOC_CREATE, &create);
	if (ret)
		return ret;
	region->id = create.heap_id;
	wsheap_count_kernel_entry(heap);
	p = mmap(NULL, create.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)create.mmap_offset);
	if (p == MAP_FAILED) {
		ret = -errno;
		destroy_kernel_heap(region->id, heap);
		return ret;
	}
	region->base = p;
	return 0;
}

static int prefix_op(struct wsheap_region *region, unsigned long cmd, size_t bytes,
		     WS_HEAP *heap)
{
	struct wsheap_heap_op op = { .size = sizeof(op), .heap_id = region->id, .bytes = bytes };

	wsheap_count_kernel_entry(heap);
	return wsheap_ioctl(device_fd, cmd, &op);
}

static int device_back(struct wsheap_region *region, size_t offset, size_t len, WS_HEAP *heap)
{
	if (region->own)
		return prefix_op(region, WSHEAP_IOC_GROW, offset + len, heap);
	return range_op(region, WSHEAP_IOC_BACK, offset, len, heap);
}

static int device_revoke(struct wsheap_region *region, size_t offset, size_t len, WS_HEAP *heap)
{
	if (region->own)
		return prefix_op(region, WSHEAP_IOC_TRIM, offset, heap);
	return range_op(region, WSHEAP_IOC_REVOKE, offset, len, heap);
}

static void device_region_destroy(struct wsheap_region *region, WS_HEAP *heap)
{
	destroy_kernel_heap(region->id, heap);
	wsheap_count_kernel_entry(heap);
	munmap(region->base, region->size);
}

const struct wsheap_backend wsheap_backend_device = {
	.name = "device",
	.index = 0,
	.survives_fork = false,
	.lazy = false,
	.ready = device_ready,
	.region_create = device_region_create,
	.back = device_back,
	.revoke = device_revoke,
	.region_destroy = device_region_destroy,
};
