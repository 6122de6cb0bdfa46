/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wsheap: arena heaps for drivers, in the style of the WWSAPI WS_HEAP.
 *
 * A heap hands out memory that is freed as a unit: there is no per-object
 * free, only wsheap_reset() (everything goes, up to @trim_size bytes of
 * backing are kept for next time) and wsheap_destroy().  @max_size caps the
 * sum of the sizes asked for since the heap was created or last reset.
 *
 *	struct wsheap *heap = wsheap_create(SZ_64K, SZ_16K, GFP_KERNEL);
 *	void *msg;
 *
 *	if (IS_ERR(heap))
 *		return PTR_ERR(heap);
 *	err = wsheap_alloc(heap, len, &msg);	// -EDQUOT: over max_size
 *	...
 *	wsheap_reset(heap);			// msg is gone
 *	...
 *	wsheap_destroy(heap);
 *
 * A driver using this header adds to its Kbuild:
 *
 *	ccflags-y += -I$(WSHEAP)/kernel/include
 *	KBUILD_EXTRA_SYMBOLS += $(WSHEAP)/Module.symvers
 *
 * and MODULE_IMPORT_NS(WSHEAP_NS) to its source: the functions are
 * exported in the WSHEAP symbol namespace.  That one spelling builds on
 * every kernel wsheap supports, 6.1 to 7.x.
 */
#ifndef _LINUX_WSHEAP_H
#define _LINUX_WSHEAP_H

#include <linux/gfp.h>
#include <linux/types.h>
#include <linux/version.h>

/*
 * The symbol namespace of the API, as MODULE_IMPORT_NS() and
 * EXPORT_SYMBOL_NS_GPL() take it on the kernel being built for: a string
 * literal since 6.13, a bare word the macros stringify before.  A version
 * check, not a probe, so it cannot be fooled by a header's layout; make
 * check verifies the namespace each kernel's module records (tests/compat).
 */
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
#define WSHEAP_NS	"WSHEAP"
#else
#define WSHEAP_NS	WSHEAP
#endif

/* Every allocation is aligned to at least this many bytes. */
#define WSHEAP_ALIGN	8

struct wsheap;

/**
 * struct wsheap_sizes - The four figures of a heap, as WS_HEAP_PROPERTY_* has them
 * @max_size: the cap on @requested_size, fixed at creation.
 * @trim_size: how much backing a reset keeps, fixed at creation.
 * @requested_size: the sum of the sizes asked for since creation or the
 *	last reset, not rounded; failed requests are not counted.
 * @actual_size: bytes of memory the heap holds from the page allocator,
 *	whether handed out or not; 0 until the first allocation.
 */
struct wsheap_sizes {
	size_t max_size;
	size_t trim_size;
	size_t requested_size;
	size_t actual_size;
};

struct wsheap *wsheap_create(size_t max_size, size_t trim_size, gfp_t gfp);
int wsheap_alloc(struct wsheap *heap, size_t size, void **ptr);
void wsheap_reset(struct wsheap *heap);
void wsheap_destroy(struct wsheap *heap);
void wsheap_get_sizes(struct wsheap *heap, struct wsheap_sizes *sizes);

#endif /* _LINUX_WSHEAP_H */
