// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsheap heaps: the in-kernel arena allocator behind <linux/wsheap.h>.
 *
 * A heap holds chunks of memory from the page allocator and bumps through
 * the current one: no per-allocation header, no per-allocation free.  When
 * the current chunk is full the heap takes a chunk kept by the last reset
 * or grows by a new one.  New chunks double in size from one page up to
 * WSHEAP_CHUNK_MAX, never larger than the heap's remaining quota could use,
 * so the page allocator is called O(log) times as a heap grows.  A request
 * at least as large as the next growth step gets a chunk of its own and
 * leaves the current chunk current.  Chunks of up to 8 pages are
 * physically contiguous; larger ones come from vmalloc, so any allocation
 * is virtually contiguous.  Heaps created with a gfp mask that cannot
 * sleep never use vmalloc and may fail large requests with -ENOMEM.
 *
 * Reset keeps the largest chunks whose sizes sum to at most the trim size
 * (all of them when the trim size exceeds the max size) and frees the rest.
 * In KASAN builds the kept chunks are replaced by fresh ones of the same
 * sizes, so that the memory a reset releases is memory the page allocator
 * has taken back and KASAN reports any later access through a stale
 * pointer: the counterpart of the WWSAPI PageHeap mode.
 *
 * Locking: heap->lock guards every field of a heap and of its chunks.  It
 * is a spinlock taken with interrupts off, never held across a page
 * allocation or free: slow paths allocate outside it and install under
 * it, so a heap whose users break its single-threaded contract stays
 * consistent.  Nothing is locked under heap->lock; there is no global lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/list_sort.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/wsheap.h>

#include "wsheap_internal.h"

/* Growth stops doubling here; larger requests get chunks of their own. */
#define WSHEAP_CHUNK_MAX	SZ_1M
/* Chunks up to this order come straight from the page allocator. */
#define WSHEAP_CONTIG_ORDER	PAGE_ALLOC_COSTLY_ORDER

/*
 * The gfp bits a heap accepts: how hard to try, and whether it may sleep.
 * Kernels before 6.4 have __GFP_ATOMIC in GFP_ATOMIC.
 */
#ifdef __GFP_ATOMIC
#define WSHEAP_GFP_OLD_ATOMIC	__GFP_ATOMIC
#else
#define WSHEAP_GFP_OLD_ATOMIC	0
#endif
#define WSHEAP_GFP_ALLOWED	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH | \
				 __GFP_NORETRY | __GFP_RETRY_MAYFAIL | \
				 __GFP_ACCOUNT | __GFP_NOWARN | WSHEAP_GFP_OLD_ATOMIC)

struct wsheap_chunk {
	struct list_head node;
	void *base;
	size_t size;
	size_t used;
	bool vmalloced;
};

struct wsheap {
	spinlock_t lock;		/* guards the heap and its chunks */
	size_t max_size;
	size_t trim_size;
	size_t requested;
	size_t actual;
	size_t next_chunk;
	size_t chunk_max;		/* where growth stops doubling */
	struct wsheap_chunk *cur;
	struct list_head full;		/* chunks no longer bumped through */
	struct list_head spare;		/* empty chunks kept by the last reset */
	gfp_t gfp;
	struct mem_cgroup *memcg;	/* charged for every chunk */
};

static atomic_long_t wsheap_live_heaps = ATOMIC_LONG_INIT(0);
static atomic_long_t wsheap_live_pages = ATOMIC_LONG_INIT(0);

long wsheap_stat_heaps(void)
{
	return atomic_long_read(&wsheap_live_heaps);
}
EXPORT_SYMBOL_IF_KUNIT(wsheap_stat_heaps);

long wsheap_stat_pages(void)
{
	return atomic_long_read(&wsheap_live_pages);
}
EXPORT_SYMBOL_IF_KUNIT(wsheap_stat_pages);

/*
 * Fault injection for chunk allocation, debugfs wsheap/fail_alloc/.  6.1
 * has no stubs for kernels built without fault injection: hence the #ifdef.
 */
#ifdef CONFIG_FAULT_INJECTION
static DECLARE_FAULT_ATTR(wsheap_fail_alloc);

struct fault_attr *wsheap_fail_alloc_attr(void)
{
	return &wsheap_fail_alloc;
}

static bool wsheap_should_fail(size_t size)
{
	return should_fail(&wsheap_fail_alloc, size);
}
#else
struct fault_attr *wsheap_fail_alloc_attr(void)
{
	return NULL;
}

static bool wsheap_should_fail(size_t size)
{
	return false;
}
#endif
EXPORT_SYMBOL_IF_KUNIT(wsheap_fail_alloc_attr);

/* @size rounded up to WSHEAP_ALIGN, at least WSHEAP_ALIGN; 0 on overflow. */
static size_t wsheap_round(size_t size)
{
	size_t need;

	if (!size)
		return WSHEAP_ALIGN;
	if (check_add_overflow(size, (size_t)WSHEAP_ALIGN - 1, &need))
		return 0;
	return need & ~((size_t)WSHEAP_ALIGN - 1);
}

static struct wsheap_chunk *wsheap_chunk_alloc(struct wsheap *heap, size_t size)
{
	unsigned int order = get_order(size);
	struct wsheap_chunk *chunk;
	struct mem_cgroup *old;
	struct page *page;

	if (wsheap_should_fail(size))
		return NULL;
	old = set_active_memcg(heap->memcg);
	chunk = kmalloc(sizeof(*chunk), heap->gfp);
	if (!chunk)
		goto out_restore_memcg;

	if ((order <= WSHEAP_CONTIG_ORDER && size == PAGE_SIZE << order) ||
	    !gfpflags_allow_blocking(heap->gfp)) {
		page = alloc_pages(heap->gfp | __GFP_COMP |
				   (order > WSHEAP_CONTIG_ORDER ? __GFP_NORETRY : 0), order);
		chunk->base = page ? page_address(page) : NULL;
		chunk->size = PAGE_SIZE << order;
		chunk->vmalloced = false;
	} else {
		chunk->base = __vmalloc(size, heap->gfp);
		chunk->size = size;
		chunk->vmalloced = true;
	}
	if (!chunk->base)
		goto out_free_chunk;

	chunk->used = 0;
	atomic_long_add(chunk->size >> PAGE_SHIFT, &wsheap_live_pages);
	set_active_memcg(old);
	return chunk;

out_free_chunk:
	kfree(chunk);
	chunk = NULL;
out_restore_memcg:
	set_active_memcg(old);
	return chunk;
}

static void wsheap_chunk_free(struct wsheap_chunk *chunk)
{
	atomic_long_sub(chunk->size >> PAGE_SHIFT, &wsheap_live_pages);
	if (chunk->vmalloced)
		vfree(chunk->base);
	else
		free_pages((unsigned long)chunk->base, get_order(chunk->size));
	kfree(chunk);
}

static void wsheap_chunk_free_list(struct list_head *list)
{
	struct wsheap_chunk *chunk, *next;

	list_for_each_entry_safe(chunk, next, list, node)
		wsheap_chunk_free(chunk);
}

/**
 * wsheap_create() - Create a heap.
 * @max_size: the most the heap may hand out between resets, in bytes: the
 *	cap on the sum of the sizes passed to wsheap_alloc().  0 is valid
 *	(only zero-byte allocations succeed).
 * @trim_size: how much backing memory wsheap_reset() keeps, in bytes,
 *	approximately; a value larger than @max_size means never trim.
 * @gfp: how the heap's memory is allocated: GFP_KERNEL for a heap used
 *	where sleeping is allowed, GFP_NOWAIT or GFP_ATOMIC for one used where
 *	it is not; __GFP_NORETRY and __GFP_RETRY_MAYFAIL may be added.  The
 *	memory is always charged to the memory cgroup of the caller (when
 *	called from an interrupt, to that of whoever allocates).
 *
 * Nothing is allocated but the heap itself: backing comes with the first
 * allocation.
 *
 * Context: Process context if @gfp allows sleeping, any context otherwise.
 * Return: the heap, ERR_PTR(-EINVAL) if @gfp has bits other than those
 * above, or ERR_PTR(-ENOMEM).
 */
struct wsheap *wsheap_create(size_t max_size, size_t trim_size, gfp_t gfp)
{
	struct wsheap *heap;

	if (gfp & ~WSHEAP_GFP_ALLOWED)
		return ERR_PTR(-EINVAL);
	might_alloc(gfp);
	gfp |= __GFP_ACCOUNT | __GFP_NOWARN;

	heap = kzalloc(sizeof(*heap), gfp);
	if (!heap)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&heap->lock);
	heap->max_size = max_size;
	heap->trim_size = trim_size;
	heap->next_chunk = PAGE_SIZE;
	/* A heap that cannot sleep grows by chunks the page allocator gives easily. */
	heap->chunk_max = gfpflags_allow_blocking(gfp) ? WSHEAP_CHUNK_MAX :
			  PAGE_SIZE << WSHEAP_CONTIG_ORDER;
	INIT_LIST_HEAD(&heap->full);
	INIT_LIST_HEAD(&heap->spare);
	heap->gfp = gfp;
	/*
	 * In an interrupt, current is whoever was interrupted: charge no one
	 * in particular (NULL: each allocation charges its own context).
	 */
	heap->memcg = in_task() ? get_mem_cgroup_from_mm(current->mm) : NULL;
	atomic_long_inc(&wsheap_live_heaps);
	return heap;
}
EXPORT_SYMBOL_NS_GPL(wsheap_create, WSHEAP_NS);

/* Make the first spare chunk with room for @need current; false if none. */
static bool wsheap_use_spare_locked(struct wsheap *heap, size_t need)
{
	struct wsheap_chunk *chunk;

	lockdep_assert_held(&heap->lock);
	list_for_each_entry(chunk, &heap->spare, node) {
		if (chunk->size < need)
			continue;
		list_del(&chunk->node);
		if (heap->cur)
			list_add(&heap->cur->node, &heap->full);
		heap->cur = chunk;
		return true;
	}
	return false;
}

/*
 * Hand out @need bytes counted as @size from the memory the heap holds.
 * -EAGAIN: the quota allows it but the heap must grow by a chunk of
 * *@grow bytes, of its own if *@own.
 */
static int wsheap_take_locked(struct wsheap *heap, size_t size, size_t need,
			      void **ptr, size_t *grow, bool *own)
{
	struct wsheap_chunk *cur;
	size_t want;

	lockdep_assert_held(&heap->lock);
	if (size > heap->max_size - heap->requested)
		return -EDQUOT;
	if (!need)
		return -EOVERFLOW;

	cur = heap->cur;
	if ((!cur || cur->size - cur->used < need) && wsheap_use_spare_locked(heap, need))
		cur = heap->cur;
	if (!cur || cur->size - cur->used < need) {
		*own = need >= heap->next_chunk;
		if (*own) {
			if (need > SIZE_MAX - PAGE_SIZE)
				return -ENOMEM;
			*grow = PAGE_ALIGN(need);
		} else {
			/* No bigger than the rest of the quota could use. */
			want = min(heap->next_chunk, heap->max_size - heap->requested);
			*grow = PAGE_ALIGN(max(want, need));
		}
		return -EAGAIN;
	}

	*ptr = cur->base + cur->used;
	cur->used += need;
	heap->requested += size;
	return 0;
}

/* Add a chunk grown for this request and carve the request from it. */
static void wsheap_install_locked(struct wsheap *heap, struct wsheap_chunk *chunk,
				  bool own, size_t size, size_t need, void **ptr)
{
	lockdep_assert_held(&heap->lock);
	heap->actual += chunk->size;
	if (own) {
		list_add(&chunk->node, &heap->full);
	} else {
		if (heap->cur)
			list_add(&heap->cur->node, &heap->full);
		heap->cur = chunk;
		heap->next_chunk = min_t(size_t, heap->next_chunk * 2, heap->chunk_max);
	}
	*ptr = chunk->base;
	chunk->used = need;
	heap->requested += size;
}

/**
 * wsheap_alloc() - Allocate memory from a heap.
 * @heap: the heap
 * @size: bytes wanted; 0 is valid and gives a distinct pointer that must
 *	not be dereferenced
 * @ptr: receives the address, aligned to at least %WSHEAP_ALIGN bytes and
 *	valid until the next wsheap_reset() or wsheap_destroy(); left
 *	untouched on failure
 *
 * The memory is not zeroed.  It is virtually contiguous whatever @size.
 * @size counts against the heap's max size as it is, not rounded; a failed
 * request counts nothing.
 *
 * Context: Any context the heap's gfp mask allows (see wsheap_create()).
 * Takes and releases the heap's lock, with interrupts disabled.
 * Return: 0; -EDQUOT if @size would take the heap past its max size;
 * -ENOMEM if the memory could not be had; -EOVERFLOW if @size is so close
 * to SIZE_MAX that rounding it overflows.
 */
int wsheap_alloc(struct wsheap *heap, size_t size, void **ptr)
{
	struct wsheap_chunk *chunk = NULL;
	size_t need = wsheap_round(size);
	size_t grow = 0;
	unsigned long flags;
	bool own = false;
	int ret;

	for (;;) {
		spin_lock_irqsave(&heap->lock, flags);
		ret = wsheap_take_locked(heap, size, need, ptr, &grow, &own);
		if (ret == -EAGAIN && chunk && chunk->size >= need) {
			wsheap_install_locked(heap, chunk, own, size, need, ptr);
			chunk = NULL;
			ret = 0;
		}
		spin_unlock_irqrestore(&heap->lock, flags);
		if (ret != -EAGAIN)
			break;
		/* Another user of the heap changed it while we grew: start over. */
		if (chunk)
			wsheap_chunk_free(chunk);
		chunk = wsheap_chunk_alloc(heap, grow);
		if (!chunk) {
			ret = -ENOMEM;
			break;
		}
	}
	if (chunk)
		wsheap_chunk_free(chunk);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(wsheap_alloc, WSHEAP_NS);

static int wsheap_chunk_cmp_size(void *priv, const struct list_head *a,
				 const struct list_head *b)
{
	const struct wsheap_chunk *ca = list_entry(a, struct wsheap_chunk, node);
	const struct wsheap_chunk *cb = list_entry(b, struct wsheap_chunk, node);

	/* Largest first. */
	return ca->size < cb->size ? 1 : ca->size > cb->size ? -1 : 0;
}

/* Gather every chunk of the heap on @all, largest first. */
static void wsheap_gather_locked(struct wsheap *heap, struct list_head *all)
{
	lockdep_assert_held(&heap->lock);
	if (heap->cur)
		list_add(&heap->cur->node, all);
	heap->cur = NULL;
	list_splice_init(&heap->full, all);
	list_splice_init(&heap->spare, all);
	list_sort(NULL, all, wsheap_chunk_cmp_size);
}

/*
 * KASAN builds: give back the kept chunks' memory and keep fresh chunks of
 * the same sizes instead, so a stale pointer reaches freed memory.
 */
static void wsheap_renew_spares(struct wsheap *heap, struct list_head *keep,
				struct list_head *release)
{
	struct wsheap_chunk *old, *fresh, *next;
	unsigned long flags;
	LIST_HEAD(renewed);
	size_t lost = 0;

	list_for_each_entry_safe(old, next, keep, node) {
		fresh = wsheap_chunk_alloc(heap, old->size);
		if (fresh && fresh->size == old->size) {
			list_add_tail(&fresh->node, &renewed);
		} else {
			if (fresh)
				wsheap_chunk_free(fresh);
			lost += old->size;
		}
		list_move(&old->node, release);
	}

	spin_lock_irqsave(&heap->lock, flags);
	list_splice(&renewed, &heap->spare);
	heap->actual -= lost;
	spin_unlock_irqrestore(&heap->lock, flags);
}

/**
 * wsheap_reset() - Free every allocation of a heap at once.
 * @heap: the heap
 *
 * Every pointer wsheap_alloc() returned becomes invalid.  The heap keeps
 * its largest chunks of backing memory up to its trim size (all of them if
 * the trim size is larger than the max size) for the allocations that
 * follow, and gives the rest back.  Its requested size starts again at 0.
 * Resetting an empty heap does nothing.
 *
 * Context: Any context the heap's gfp mask allows (see wsheap_create()):
 * process context for a heap that may sleep.  Takes and releases the
 * heap's lock, with interrupts disabled.
 */
void wsheap_reset(struct wsheap *heap)
{
	struct wsheap_chunk *chunk, *next;
	size_t kept = 0, dropped = 0;
	unsigned long flags;
	LIST_HEAD(release);
	LIST_HEAD(keep);
	LIST_HEAD(all);

	spin_lock_irqsave(&heap->lock, flags);
	wsheap_gather_locked(heap, &all);
	list_for_each_entry_safe(chunk, next, &all, node) {
		chunk->used = 0;
		if (heap->trim_size > heap->max_size ||
		    chunk->size <= heap->trim_size - kept) {
			kept += chunk->size;
			list_move_tail(&chunk->node, &keep);
		} else {
			dropped += chunk->size;
			list_move_tail(&chunk->node, &release);
		}
	}
	heap->actual -= dropped;
	heap->requested = 0;
	if (!IS_ENABLED(CONFIG_KASAN))
		list_splice(&keep, &heap->spare);
	spin_unlock_irqrestore(&heap->lock, flags);

	if (IS_ENABLED(CONFIG_KASAN))
		wsheap_renew_spares(heap, &keep, &release);
	wsheap_chunk_free_list(&release);
}
EXPORT_SYMBOL_NS_GPL(wsheap_reset, WSHEAP_NS);

/**
 * wsheap_destroy() - Free a heap and all its memory.
 * @heap: the heap, or NULL (then nothing happens)
 *
 * Context: Any context the heap's gfp mask allows (see wsheap_create()):
 * process context for a heap that may sleep, whose large chunks come from
 * vmalloc.
 */
void wsheap_destroy(struct wsheap *heap)
{
	unsigned long flags;
	LIST_HEAD(all);

	if (!heap)
		return;
	/* No one may use the heap any more; the lock only satisfies lockdep. */
	spin_lock_irqsave(&heap->lock, flags);
	wsheap_gather_locked(heap, &all);
	spin_unlock_irqrestore(&heap->lock, flags);
	wsheap_chunk_free_list(&all);
	mem_cgroup_put(heap->memcg);
	kfree(heap);
	atomic_long_dec(&wsheap_live_heaps);
}
EXPORT_SYMBOL_NS_GPL(wsheap_destroy, WSHEAP_NS);

/**
 * wsheap_get_sizes() - Read a heap's max, trim, requested and actual sizes.
 * @heap: the heap
 * @sizes: receives the figures (see &struct wsheap_sizes)
 *
 * Context: Any context.  Takes and releases the heap's lock, with
 * interrupts disabled.
 */
void wsheap_get_sizes(struct wsheap *heap, struct wsheap_sizes *sizes)
{
	unsigned long flags;

	spin_lock_irqsave(&heap->lock, flags);
	sizes->max_size = heap->max_size;
	sizes->trim_size = heap->trim_size;
	sizes->requested_size = heap->requested;
	sizes->actual_size = heap->actual;
	spin_unlock_irqrestore(&heap->lock, flags);
}
EXPORT_SYMBOL_NS_GPL(wsheap_get_sizes, WSHEAP_NS);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * wsheap_chunk_count() - Count a heap's chunks, for tests of the growth policy.
 * @heap: the heap
 *
 * Context: Any context.
 * Return: the number of chunks of backing the heap holds.
 */
unsigned int wsheap_chunk_count(struct wsheap *heap)
{
	struct wsheap_chunk *chunk;
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&heap->lock, flags);
	n = heap->cur ? 1 : 0;
	list_for_each_entry(chunk, &heap->full, node)
		n++;
	list_for_each_entry(chunk, &heap->spare, node)
		n++;
	spin_unlock_irqrestore(&heap->lock, flags);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(wsheap_chunk_count);
#endif
