// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The device backend (the default): heaps whose pages the wsheap module
 * owns.  One descriptor on /dev/wsheap serves every heap of the process;
 * each heap is an id on it and a mapped window.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

static pthread_mutex_t device_lock = PTHREAD_MUTEX_INITIALIZER;
static int device_fd = -1;

/* The process's descriptor on /dev/wsheap, opened on first use. */
static int device(int *open_error)
{
	int fd;

	pthread_mutex_lock(&device_lock);
	if (device_fd < 0) {
		/* An open and a GET_INFO ioctl. */
		wsheap_count_kernel_entry(NULL);
		wsheap_count_kernel_entry(NULL);
		fd = wsheap_device_open(NULL, open_error);
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

static int heap_op(WS_HEAP *heap, unsigned long cmd, size_t bytes)
{
	struct wsheap_heap_op op = {
		.size = sizeof(op),
		.heap_id = heap->id,
		.bytes = bytes,
	};

	wsheap_count_kernel_entry(heap);
	return wsheap_ioctl(device_fd, cmd, &op);
}

static int device_create(WS_HEAP *heap, int *open_error)
{
	struct wsheap_create create = { .size = sizeof(create), .max_bytes = heap->window };
	int fd = device(open_error);
	void *p;
	int ret;

	if (fd < 0)
		return fd;
	wsheap_count_kernel_entry(heap);
	ret = wsheap_ioctl(fd, WSHEAP_IOC_CREATE, &create);
	if (ret)
		return ret;
	heap->id = create.heap_id;
	wsheap_count_kernel_entry(heap);
	p = mmap(NULL, create.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)create.mmap_offset);
	if (p == MAP_FAILED) {
		ret = -errno;
		heap_op(heap, WSHEAP_IOC_DESTROY, 0);
		return ret;
	}
	heap->base = p;
	return 0;
}

static int device_grow(WS_HEAP *heap, size_t bytes)
{
	return heap_op(heap, WSHEAP_IOC_GROW, bytes);
}

static int device_trim(WS_HEAP *heap, size_t bytes)
{
	return heap_op(heap, WSHEAP_IOC_TRIM, bytes);
}

static void device_destroy(WS_HEAP *heap)
{
	heap_op(heap, WSHEAP_IOC_DESTROY, 0);
	wsheap_count_kernel_entry(heap);
	munmap(heap->base, heap->window);
}

const struct wsheap_backend wsheap_backend_device = {
	.name = "device",
	.survives_fork = false,
	.create = device_create,
	.grow = device_grow,
	.trim = device_trim,
	.destroy = device_destroy,
};
