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

static int process_ready(int *open_error)
{
	(void)open_error;	/* nothing to open */
	return 0;
}

static int process_region_create(struct wsheap_region *region, WS_HEAP *heap)
{
	void *p;

	wsheap_count_kernel_entry(heap);
	p = mmap(NULL, region->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	region->base = p;
	return 0;
}

/*
 * Accessible neighbours merge into one mapping: chunks carved in address
 * order keep a region at a few mappings however many heaps it holds.
 */
static int process_back(struct wsheap_region *region, size_t offset, size_t len, WS_HEAP *heap)
{
	wsheap_count_kernel_entry(heap);
	if (mprotect(region->base + offset, len, PROT_READ | PROT_WRITE))
		return -errno;
	return 0;
}

static int process_revoke(struct wsheap_region *region, size_t offset, size_t len,
			  WS_HEAP *heap)
{
	wsheap_count_kernel_entry(heap);
	/*
	 * A new inaccessible mapping over the range: the memory goes back, a
	 * stale pointer faults, and the next back gets zero pages.  (madvise()
	 * would do, but kernels may be built without it.)
	 */
	if (mmap(region->base + offset, len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
		return -errno;
	return 0;
}

static void process_region_destroy(struct wsheap_region *region, WS_HEAP *heap)
{
	wsheap_count_kernel_entry(heap);
	munmap(region->base, region->size);
}

const struct wsheap_backend wsheap_backend_process = {
	.name = "process",
	.index = 1,
	.survives_fork = true,
	.lazy = true,
	.ready = process_ready,
	.region_create = process_region_create,
	.back = process_back,
	.revoke = process_revoke,
	.region_destroy = process_region_destroy,
};
