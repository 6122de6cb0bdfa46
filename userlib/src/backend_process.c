// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The process backend (WSHEAP_BACKEND=process): heaps in the process's own
 * anonymous memory, for machines without the module and for running under
 * sanitizers and valgrind.  Same semantics: memory given back is made
 * inaccessible, so a stale pointer faults.
 */
#include <errno.h>
#include <sys/mman.h>

#include "internal.h"

static int process_create(WS_HEAP *heap, int *open_error)
{
	void *p;

	(void)open_error;	/* nothing to open */
	wsheap_count_kernel_entry(heap);
	p = mmap(NULL, heap->window, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	heap->base = p;
	return 0;
}

static int process_grow(WS_HEAP *heap, size_t bytes)
{
	wsheap_count_kernel_entry(heap);
	if (mprotect(heap->base + heap->backing, bytes - heap->backing, PROT_READ | PROT_WRITE))
		return -errno;
	return 0;
}

static int process_trim(WS_HEAP *heap, size_t bytes)
{
	char *from = heap->base + bytes;
	size_t len = heap->backing - bytes;

	wsheap_count_kernel_entry(heap);
	/*
	 * A new inaccessible mapping over the range: the memory goes back, a
	 * stale pointer faults, and the next grow gets zero pages.  (madvise()
	 * would do, but kernels may be built without it.)
	 */
	if (mmap(from, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		 -1, 0) == MAP_FAILED)
		return -errno;
	return 0;
}

static void process_destroy(WS_HEAP *heap)
{
	wsheap_count_kernel_entry(heap);
	munmap(heap->base, heap->window);
}

const struct wsheap_backend wsheap_backend_process = {
	.name = "process",
	.survives_fork = true,
	.create = process_create,
	.grow = process_grow,
	.trim = process_trim,
	.destroy = process_destroy,
};
