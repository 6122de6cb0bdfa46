// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/wsheap: heaps for user space.
 *
 * The kernel owns a user heap's pages and its limits; user space maps the
 * heap's window once and allocates inside it without entering the kernel,
 * which it does only to grow the backing, to give pages back, and to
 * create or destroy heaps (see Documentation/userspace-api.rst).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/kref.h>
#include <linux/maple_tree.h>
#include <linux/memcontrol.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "wsheap_compat.h"
#include "wsheap_internal.h"

/*
 * A heap's window is a range of page offsets, and offsets, counts and
 * limits are unsigned longs of pages: on a 32-bit kernel they could not
 * hold what the 64-bit ABI lets user space ask for.  kernel/Kbuild refuses
 * such a kernel with a message; this is the backstop.
 */
static_assert(IS_ENABLED(CONFIG_64BIT), "wsheap needs a 64-bit kernel");

/**
 * DOC: User heaps on shmem
 *
 * Every open file of ``/dev/wsheap`` is a space of heaps, and one shmem
 * object (shmem_file_setup()) holds the pages of all of them: a heap is a
 * range of that object's page offsets, its *window*, handed out once per
 * file and never reused.  Its *backing* is the first ``nr_pages`` pages of
 * the window or, for a sparse heap (%WSHEAP_CREATE_SPARSE), the pages set
 * in a bitmap: one mapping of a sparse heap can then hold many of the
 * library's arenas, each backed and revoked range by range.  The pages
 * are ordinary shmem pages: swappable,
 * movable, on the LRU, charged to the heap creator's memory cgroup as
 * shmem and counted in the RssShmem of every process that maps them.
 * Pages are zeroed by shmem when it allocates them.
 *
 * The open file's ``f_mapping`` is the shmem object's: a heap's mappings
 * live in its address_space, so truncating a range of the object zaps the
 * range in every process that maps it, and reclaim finds the mappings
 * through the same rmap.  Ids and offsets are per file, so one file never
 * sees another's pages.
 *
 * Growing (or backing a range) allocates the new pages in the shmem
 * object (populating them, so that an out-of-memory condition is an error
 * of the grow and not a SIGBUS later) and only then publishes them, in
 * ``nr_pages`` or the bitmap; trimming (or revoking) unpublishes first and
 * then truncates the range.  The fault handler takes no lock of the heap:
 * it checks that the heap backs the page before it looks the page up, and
 * again with the page locked.  A trim
 * truncates under the same page lock, so either the fault maps the page
 * first and the truncation unmaps it, or the fault sees the smaller
 * backing and refuses with SIGBUS: a stale pointer keeps faulting, and it
 * never reads zeros or another heap's data.  A fault that loses the race
 * to a trim may leave one zeroed, unmapped page in the trimmed range,
 * charged to the faulting task's cgroup but to no heap; the next trim or destroy of the
 * heap, which truncates up to the end of the window, frees it (for a
 * sparse heap: the next revoke of a range holding it, or the destroy;
 * backing the range again uses it, zeroed as it is).  No fault
 * waits for a grow or a trim: they hold the heap's mutex, which faults
 * never take, and they yield the CPU and stop on a fatal signal as they
 * go.
 *
 * The mappings are VM_IO.  The slow path of get_user_pages() refuses them,
 * so process_vm_readv() gets EFAULT and so does any pin of a page not yet
 * mapped; ptrace() and ``/proc/PID/mem`` read and write backed pages
 * through the mapping's access method instead.  VM_IO also makes
 * MADV_DOFORK fail, so VM_DONTCOPY holds: a fork() child never inherits a
 * heap mapping.  get_user_pages_fast() does not look at the VMA, though:
 * a mapped page can be pinned (io_uring fixed buffers, O_DIRECT).  A trim
 * takes a pinned page out of the heap like any other, so the heap never
 * gets it back and the pinner's I/O cannot land in a
 * later message; the file holds the page, still counted against the
 * limits, until its pin goes (each ioctl looks), and lets go of it at
 * release.  vmsplice() takes plain references, which the pipe's own
 * limits count: such a page lives on in the pipe, uncounted here.
 *
 * Lifetime: a heap is referenced by its id in the file's xarray, by its
 * window in the file's maple tree, and by each VMA that maps it.  A
 * destroyed heap is marked dead and trimmed to nothing at once; its VMAs
 * fault SIGBUS until they are unmapped.  Taking a window out of the maple
 * tree may need memory: when that fails, the tree keeps its reference and
 * the dead heap stays there, refusing mmap(), until the file is released.
 * VMAs hold the open file, so the release runs after the last munmap().
 *
 * Lock order: wsheap_uheap.lock -> mmap_lock (copying an argument back
 * may fault) -> the page lock (faults, truncation) -> i_mmap_rwsem
 * (truncation and unmap_mapping_range()), and mmap_lock ->
 * wsheap_file.lock (mmap() looks the window up).  wsheap_file.lock is
 * never held with a heap's lock, and neither the fault handler nor mmap()
 * takes a heap's lock.  wsheap_users_lock (wsheap_account.c) is innermost:
 * nothing is taken under it.
 */

/**
 * struct wsheap_file - An open file of /dev/wsheap: a space of heaps
 * @lock: guards @heaps, @by_pgoff and @next_pgoff.
 * @heaps: heap id -> &struct wsheap_uheap, holding a reference.
 * @by_pgoff: window -> &struct wsheap_uheap, holding a reference.
 * @next_pgoff: where the next window starts, in pages.
 * @pages: backing of this file's heaps, against max_file_bytes.
 * @shmem: the shmem object whose pages back every heap of the file.
 * @user: the opener's counts (wsheap_account.c).
 * @orphans: pinned folios a trim took out of the file's heaps, each still
 *	counted against the limits and held until its pin goes.
 */
struct wsheap_file {
	struct mutex lock;		/* guards heaps, by_pgoff, next_pgoff */
	struct xarray heaps;
	struct maple_tree by_pgoff;
	unsigned long next_pgoff;
	atomic_long_t pages;
	struct file *shmem;
	struct wsheap_user *user;
	struct xarray orphans;
};

/**
 * struct wsheap_uheap - A user heap
 * @ref: see "User heaps on shmem".
 * @lock: serialises the ioctls on the heap; faults never take it.
 * @nr_pages: how many pages back the heap: the window's pages
 *	[0, @nr_pages), or for a sparse heap those set in @backed.  Written
 *	under @lock, read by faults without it.
 * @backed: a sparse heap's backed pages, a bit per page of the window,
 *	set and cleared under @lock and read by faults without it; NULL for
 *	a heap whose backing is a prefix.
 * @meta_pages: what @backed costs, counted against the byte limits.
 * @max_pages: the window's length and the cap on @nr_pages.
 * @trim_pages: what %WSHEAP_IOC_RESET keeps.
 * @start_pgoff: the window's first page offset in the file (and in @shmem).
 * @grow_calls: grows that added backing.
 * @dead: destroyed; written under @lock, read by faults without it.
 * @wf: the file, used only until the heap is dead.
 * @user: the file's user, charged for the heap until it is freed.
 * @memcg: the creator's memory cgroup, charged for every page.
 */
struct wsheap_uheap {
	struct kref ref;
	struct mutex lock;		/* serialises the heap's ioctls */
	unsigned long nr_pages;
	unsigned long *backed;
	unsigned long meta_pages;
	unsigned long max_pages;
	unsigned long trim_pages;
	unsigned long start_pgoff;
	u64 grow_calls;
	bool dead;
	struct wsheap_file *wf;
	struct wsheap_user *user;
	struct mem_cgroup *memcg;
};

/* ------------------------------------------------------------ arguments */

/*
 * Copy a size-prefixed argument: @ver0_size <= *@usize is required, a
 * shorter struct than the kernel's reads as zero-extended and a longer one
 * must have a zero tail (-E2BIG otherwise, from copy_struct_from_user()).
 * The size field of @karg is set to what this kernel understood.
 */
static int wsheap_copy_arg_from_user(void *karg, size_t ksize, size_t ver0_size,
				     const void __user *uarg, u32 *usize)
{
	int ret;

	if (get_user(*usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (*usize < ver0_size)
		return -EINVAL;
	/* Like openat2() and clone3(): no scanning of huge zero tails. */
	if (*usize > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, *usize);
	if (ret)
		return ret;
	*(u32 *)karg = min_t(u32, *usize, ksize);
	return 0;
}

/* Copy an argument back, never more than the caller's struct holds. */
static int wsheap_copy_arg_to_user(void __user *uarg, const void *karg, u32 usize,
				   size_t ksize)
{
	if (copy_to_user(uarg, karg, min_t(size_t, usize, ksize)))
		return -EFAULT;
	return 0;
}

/**
 * wsheap_info_fill() - Validate a GET_INFO request and fill in the answer.
 * @info: the request, already copied from user space
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if a flag or reserved field is set.
 */
VISIBLE_IF_KUNIT int wsheap_info_fill(struct wsheap_info *info)
{
	if (info->flags || info->__reserved)
		return -EINVAL;
	info->abi_version = WSHEAP_ABI_VERSION;
	info->features = WSHEAP_FEATURES;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(wsheap_info_fill);

static int wsheap_ioctl_get_info(void __user *uarg)
{
	struct wsheap_info info;
	u32 usize;
	int ret;

	ret = wsheap_copy_arg_from_user(&info, sizeof(info), WSHEAP_INFO_SIZE_VER0,
					uarg, &usize);
	if (ret)
		return ret;
	ret = wsheap_info_fill(&info);
	if (ret)
		return ret;
	return wsheap_copy_arg_to_user(uarg, &info, usize, sizeof(info));
}

/* --------------------------------------------------------------- heaps */

/* Does @heap, alive, back page offset @pgoff of its file? */
static bool wsheap_uheap_backs(struct wsheap_uheap *heap, pgoff_t pgoff)
{
	unsigned long index = pgoff - heap->start_pgoff;

	if (READ_ONCE(heap->dead) || index >= heap->max_pages)
		return false;
	if (heap->backed)
		return test_bit(index, heap->backed);
	return index < READ_ONCE(heap->nr_pages);
}

static struct inode *wsheap_uheap_inode(struct wsheap_uheap *heap)
{
	return file_inode(heap->wf->shmem);
}

/*
 * Hold the folios of [@start, @end] that are pinned (io_uring fixed buffers,
 * O_DIRECT, RDMA: FOLL_PIN), which truncation is about to take out of the
 * file: they live until their pin goes, and until then they stay counted
 * against the limits, so that pinning and trimming in turn takes no memory
 * the limits do not see.  Return how many pages stay counted.
 */
static unsigned long wsheap_keep_pinned(struct wsheap_file *wf, pgoff_t start, pgoff_t end)
{
	struct address_space *mapping = file_inode(wf->shmem)->i_mapping;
	struct folio_batch batch;
	unsigned long kept = 0;
	unsigned int i;
	u32 id;

	folio_batch_init(&batch);
	while (filemap_get_folios(mapping, &start, end, &batch)) {
		for (i = 0; i < folio_batch_count(&batch); i++) {
			struct folio *folio = batch.folios[i];

			if (!folio_maybe_dma_pinned(folio))
				continue;
			/* Untracked if there is no memory to track it: still freed by its unpin. */
			if (xa_alloc(&wf->orphans, &id, folio, xa_limit_32b, GFP_KERNEL_ACCOUNT))
				continue;
			folio_get(folio);
			kept += folio_nr_pages(folio);
		}
		folio_batch_release(&batch);
		cond_resched();
	}
	return kept;
}

/* Let go of the orphans whose pin went (all of them if @all), uncounted. */
static void wsheap_reap_orphans(struct wsheap_file *wf, bool all)
{
	struct folio *folio;
	unsigned long id;

	if (xa_empty(&wf->orphans))
		return;
	xa_for_each(&wf->orphans, id, folio) {
		if (!all && folio_maybe_dma_pinned(folio))
			continue;
		/* Another caller may be reaping too: whoever erases it owns it. */
		if (xa_erase(&wf->orphans, id) != folio)
			continue;
		wsheap_uncharge_pages(wf->user, &wf->pages, folio_nr_pages(folio));
		folio_put(folio);
	}
}

/*
 * Free the window's pages [@from, @to) and zap every mapping of them.
 * Return how many of them stay counted, pinned (wsheap_keep_pinned()), if
 * they were @published as backing.
 */
static unsigned long wsheap_uheap_truncate(struct wsheap_uheap *heap, unsigned long from,
					   unsigned long to, bool published)
{
	struct inode *inode = wsheap_uheap_inode(heap);
	loff_t start = (loff_t)(heap->start_pgoff + from) << PAGE_SHIFT;
	loff_t len = (loff_t)(to - from) << PAGE_SHIFT;
	unsigned long kept;

	if (from >= to)
		return 0;
	/*
	 * Truncation unmaps each page it frees; zapping first as well covers
	 * a large folio it could only split, and private copies (even_cows).
	 */
	unmap_mapping_range(inode->i_mapping, start, len, 1);
	/* Pages never published were never mapped, so never pinned. */
	kept = published ? wsheap_keep_pinned(heap->wf, heap->start_pgoff + from,
					      heap->start_pgoff + to - 1) : 0;
	shmem_truncate_range(inode, start, start + len - 1);
	return kept;
}

/* Give back the backing past @keep pages; the caller has uncharged nothing. */
static void wsheap_uheap_trim_locked(struct wsheap_uheap *heap, unsigned long keep)
{
	unsigned long had = heap->nr_pages, kept;

	lockdep_assert_held(&heap->lock);
	if (keep >= had)
		return;
	/* Faults see the smaller backing before a page goes. */
	WRITE_ONCE(heap->nr_pages, keep);
	/* To the end of the window: a page a lost race left goes too. */
	kept = wsheap_uheap_truncate(heap, keep, heap->max_pages, true);
	wsheap_uncharge_pages(heap->user, &heap->wf->pages, had - keep - min(kept, had - keep));
}

/*
 * Allocate the window's pages [@from, @to) in the shmem object, zeroed,
 * charged to the heap's memory cgroup.  Not yet backing: faults refuse
 * them until the caller publishes nr_pages.  On failure nothing is left.
 */
static int wsheap_uheap_populate(struct wsheap_uheap *heap, unsigned long from,
				 unsigned long to)
{
	struct address_space *mapping = wsheap_uheap_inode(heap)->i_mapping;
	/*
	 * RETRY_MAYFAIL: over its memcg's limit the caller gets -ENOMEM,
	 * not the OOM killer.
	 */
	gfp_t gfp = mapping_gfp_mask(mapping) | __GFP_RETRY_MAYFAIL | __GFP_NOWARN;
	struct mem_cgroup *old;
	struct page *page;
	unsigned long i;
	int ret = 0;

	old = set_active_memcg(heap->memcg);
	for (i = from; i < to; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		page = shmem_read_mapping_page_gfp(mapping, heap->start_pgoff + i, gfp);
		if (IS_ERR(page)) {
			ret = -ENOMEM;
			break;
		}
		/*
		 * Dirty: reclaim swaps the page out instead of dropping it, so
		 * backing stays memory until it is trimmed.
		 */
		set_page_dirty_lock(page);
		put_page(page);
		cond_resched();
	}
	set_active_memcg(old);
	if (ret)
		wsheap_uheap_truncate(heap, from, i, false);
	return ret;
}

/* A sparse heap's bitmap, counted against the byte limits like backing. */
static int wsheap_uheap_alloc_backed(struct wsheap_uheap *heap)
{
	size_t bytes = BITS_TO_LONGS(heap->max_pages) * sizeof(long);
	int ret;

	heap->meta_pages = DIV_ROUND_UP(bytes, PAGE_SIZE);
	ret = wsheap_charge_pages(heap->user, &heap->wf->pages, heap->meta_pages);
	if (ret)
		goto err_forget;
	heap->backed = kvzalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!heap->backed) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	return 0;

err_uncharge:
	wsheap_uncharge_pages(heap->user, &heap->wf->pages, heap->meta_pages);
err_forget:
	heap->meta_pages = 0;
	return ret;
}

/* Undo wsheap_uheap_alloc_backed(), if it was done.  The file outlives its heaps. */
static void wsheap_uheap_free_backed(struct wsheap_uheap *heap)
{
	if (!heap->backed)
		return;
	wsheap_uncharge_pages(heap->user, &heap->wf->pages, heap->meta_pages);
	kvfree(heap->backed);
	heap->backed = NULL;
}

static void wsheap_uheap_release(struct kref *ref)
{
	struct wsheap_uheap *heap = container_of(ref, struct wsheap_uheap, ref);

	/* Killed, and so trimmed to nothing, before the last reference went. */
	WARN_ON_ONCE(heap->nr_pages);
	wsheap_uheap_free_backed(heap);
	wsheap_uncharge_heap(heap->user);
	wsheap_user_put(heap->user);
	mem_cgroup_put(heap->memcg);
	mutex_destroy(&heap->lock);
	kfree(heap);
}

static void wsheap_uheap_put(struct wsheap_uheap *heap)
{
	kref_put(&heap->ref, wsheap_uheap_release);
}

/* Look up a heap of this file, dead or alive, and take a reference to it. */
static struct wsheap_uheap *wsheap_uheap_get(struct wsheap_file *wf, u32 id)
{
	struct wsheap_uheap *heap;

	mutex_lock(&wf->lock);
	heap = xa_load(&wf->heaps, id);
	if (heap)
		kref_get(&heap->ref);
	mutex_unlock(&wf->lock);
	return heap;
}

/* Mark @heap dead and give back all of its backing. */
static void wsheap_uheap_kill_locked(struct wsheap_uheap *heap)
{
	unsigned long had = heap->nr_pages, kept;

	lockdep_assert_held(&heap->lock);
	/* Faults refuse a dead heap whatever its bits say. */
	WRITE_ONCE(heap->dead, true);
	if (!heap->backed) {
		wsheap_uheap_trim_locked(heap, 0);
		return;
	}
	if (!had)
		return;
	WRITE_ONCE(heap->nr_pages, 0);
	kept = wsheap_uheap_truncate(heap, 0, heap->max_pages, true);
	wsheap_uncharge_pages(heap->user, &heap->wf->pages, had - min(kept, had));
}

/*
 * Take a dead heap out of its file: its id goes at once, its window when
 * the maple tree can spare the memory (it keeps the heap otherwise).
 */
static void wsheap_uheap_unlink(struct wsheap_uheap *heap, u32 id)
{
	struct wsheap_file *wf = heap->wf;
	int drop = 0;

	mutex_lock(&wf->lock);
	if (xa_load(&wf->heaps, id) == heap) {
		xa_erase(&wf->heaps, id);
		drop++;
		if (!mtree_store_range(&wf->by_pgoff, heap->start_pgoff,
				       heap->start_pgoff + heap->max_pages - 1, NULL,
				       GFP_KERNEL_ACCOUNT))
			drop++;
	}
	mutex_unlock(&wf->lock);
	while (drop--)
		wsheap_uheap_put(heap);
}

static int wsheap_ioctl_create(struct wsheap_file *wf, void __user *uarg)
{
	struct wsheap_create args;
	struct wsheap_uheap *heap;
	unsigned long pages, end;
	u32 usize, id;
	int ret;

	ret = wsheap_copy_arg_from_user(&args, sizeof(args), WSHEAP_CREATE_SIZE_VER0,
					uarg, &usize);
	if (ret)
		return ret;
	if ((args.flags & ~WSHEAP_CREATE_SPARSE) || args.__reserved || !args.max_bytes)
		return -EINVAL;
	/* A sparse heap is reset by revoking ranges: no trim size. */
	if ((args.flags & WSHEAP_CREATE_SPARSE) &&
	    (args.trim_bytes || args.max_bytes > WSHEAP_SPARSE_MAX_BYTES))
		return -EINVAL;
	/* The window's offsets, in bytes, must fit in a loff_t. */
	if (args.max_bytes > (u64)LLONG_MAX - PAGE_SIZE)
		return -EOVERFLOW;
	pages = DIV_ROUND_UP_ULL(args.max_bytes, PAGE_SIZE);

	heap = kzalloc(sizeof(*heap), GFP_KERNEL_ACCOUNT);
	if (!heap)
		return -ENOMEM;
	ret = wsheap_charge_heap(wf->user);
	if (ret)
		goto err_free_heap;
	wsheap_user_hold(wf->user);
	heap->wf = wf;
	heap->user = wf->user;
	heap->max_pages = pages;
	if (args.flags & WSHEAP_CREATE_SPARSE) {
		ret = wsheap_uheap_alloc_backed(heap);
		if (ret)
			goto err_uncharge_heap;
	}
	kref_init(&heap->ref);
	mutex_init(&heap->lock);
	heap->trim_pages = args.trim_bytes >= args.max_bytes ? pages :
			   DIV_ROUND_UP_ULL(args.trim_bytes, PAGE_SIZE);
	heap->memcg = get_mem_cgroup_from_mm(current->mm);

	mutex_lock(&wf->lock);
	if (check_add_overflow(wf->next_pgoff, pages, &end) ||
	    end > (unsigned long)(LLONG_MAX >> PAGE_SHIFT)) {
		ret = -EOVERFLOW;
		goto err_unlock;
	}
	ret = xa_alloc(&wf->heaps, &id, heap, XA_LIMIT(1, wsheap_max_file_heaps()),
		       GFP_KERNEL_ACCOUNT);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_unlock;
	}
	heap->start_pgoff = wf->next_pgoff;
	ret = mtree_store_range(&wf->by_pgoff, heap->start_pgoff, end - 1, heap,
				GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_erase_id;
	wf->next_pgoff = end;
	args.heap_id = id;
	args.mmap_offset = (u64)heap->start_pgoff << PAGE_SHIFT;
	args.mmap_size = (u64)pages << PAGE_SHIFT;
	/* The id's and the window's; published: another thread may destroy it. */
	kref_get(&heap->ref);
	kref_get(&heap->ref);
	mutex_unlock(&wf->lock);

	ret = wsheap_copy_arg_to_user(uarg, &args, usize, sizeof(args));
	if (ret) {
		/* The caller cannot learn the id: the heap must not outlive the call. */
		mutex_lock(&heap->lock);
		wsheap_uheap_kill_locked(heap);
		mutex_unlock(&heap->lock);
		wsheap_uheap_unlink(heap, id);
	}
	wsheap_uheap_put(heap);
	return ret;

err_erase_id:
	xa_erase(&wf->heaps, id);
err_unlock:
	mutex_unlock(&wf->lock);
	mem_cgroup_put(heap->memcg);
	mutex_destroy(&heap->lock);
	wsheap_uheap_free_backed(heap);
err_uncharge_heap:
	wsheap_uncharge_heap(wf->user);
	wsheap_user_put(wf->user);
err_free_heap:
	kfree(heap);
	return ret;
}

enum wsheap_op { WSHEAP_OP_DESTROY, WSHEAP_OP_GROW, WSHEAP_OP_TRIM, WSHEAP_OP_RESET };

/*
 * Grow @heap's backing to @want pages, and tell the caller so at @uarg
 * before anyone else can see it: an argument that cannot be written back
 * leaves the heap as it was.
 */
static int wsheap_uheap_grow_locked(struct wsheap_uheap *heap, unsigned long want,
				    struct wsheap_heap_op *args, void __user *uarg, u32 usize)
{
	unsigned long have = heap->nr_pages;
	int ret;

	lockdep_assert_held(&heap->lock);
	if (want > heap->max_pages)
		return -EDQUOT;
	args->actual_bytes = (u64)max(want, have) << PAGE_SHIFT;
	if (want <= have)
		return wsheap_copy_arg_to_user(uarg, args, usize, sizeof(*args));

	ret = wsheap_charge_pages(heap->user, &heap->wf->pages, want - have);
	if (ret)
		return ret;
	ret = wsheap_uheap_populate(heap, have, want);
	if (ret)
		goto err_uncharge;
	ret = wsheap_copy_arg_to_user(uarg, args, usize, sizeof(*args));
	if (ret)
		goto err_truncate;
	WRITE_ONCE(heap->nr_pages, want);
	heap->grow_calls++;
	return 0;

err_truncate:
	wsheap_uheap_truncate(heap, have, want, false);
err_uncharge:
	wsheap_uncharge_pages(heap->user, &heap->wf->pages, want - have);
	return ret;
}

static int wsheap_ioctl_heap_op(struct wsheap_file *wf, void __user *uarg, enum wsheap_op op)
{
	struct wsheap_heap_op args;
	struct wsheap_uheap *heap;
	unsigned long pages;
	u32 usize;
	int ret;

	ret = wsheap_copy_arg_from_user(&args, sizeof(args), WSHEAP_HEAP_OP_SIZE_VER0,
					uarg, &usize);
	if (ret)
		return ret;
	if (args.flags || args.__reserved ||
	    ((op == WSHEAP_OP_DESTROY || op == WSHEAP_OP_RESET) && args.bytes))
		return -EINVAL;

	heap = wsheap_uheap_get(wf, args.heap_id);
	if (!heap)
		return -ENOENT;
	/* More pages than any heap can have: beyond its cap whatever it is. */
	pages = args.bytes > (u64)ULONG_MAX - PAGE_SIZE ? ULONG_MAX :
		DIV_ROUND_UP_ULL(args.bytes, PAGE_SIZE);

	/* A grow may hold the lock a while: let a killed caller go. */
	if (mutex_lock_killable(&heap->lock)) {
		wsheap_uheap_put(heap);
		return -EINTR;
	}
	if (heap->dead) {
		ret = -ENOENT;
		goto unlock;
	}
	/* A sparse heap's backing is not a prefix: BACK and REVOKE change it. */
	if (heap->backed && op != WSHEAP_OP_DESTROY) {
		ret = -EINVAL;
		goto unlock;
	}
	switch (op) {
	case WSHEAP_OP_GROW:
		ret = wsheap_uheap_grow_locked(heap, pages, &args, uarg, usize);
		break;
	case WSHEAP_OP_TRIM:
	case WSHEAP_OP_RESET:
		/* What is left is known first: a failed copy changes nothing. */
		if (op == WSHEAP_OP_RESET)
			pages = heap->trim_pages;
		args.actual_bytes = (u64)min(pages, heap->nr_pages) << PAGE_SHIFT;
		ret = wsheap_copy_arg_to_user(uarg, &args, usize, sizeof(args));
		if (!ret)
			wsheap_uheap_trim_locked(heap, pages);
		break;
	case WSHEAP_OP_DESTROY:
		args.actual_bytes = 0;
		ret = wsheap_copy_arg_to_user(uarg, &args, usize, sizeof(args));
		if (!ret)
			wsheap_uheap_kill_locked(heap);
		break;
	}
unlock:
	mutex_unlock(&heap->lock);
	if (op == WSHEAP_OP_DESTROY && !ret)
		wsheap_uheap_unlink(heap, args.heap_id);
	wsheap_uheap_put(heap);
	return ret;
}

/* ------------------------------------------------------- sparse heaps */

/* The first page in [@from, @to) whose backed bit is @set, or @to. */
static unsigned long wsheap_next_backed(struct wsheap_uheap *heap, unsigned long from,
					unsigned long to, bool set)
{
	if (from >= to)
		return to;
	return set ? find_next_bit(heap->backed, to, from) :
		     find_next_zero_bit(heap->backed, to, from);
}

/* How many pages of [@from, @to) are backed. */
static unsigned long wsheap_count_backed(struct wsheap_uheap *heap, unsigned long from,
					 unsigned long to)
{
	unsigned long n = 0, a, b;

	for (a = wsheap_next_backed(heap, from, to, true); a < to;
	     a = wsheap_next_backed(heap, b, to, true)) {
		b = wsheap_next_backed(heap, a, to, false);
		n += b - a;
	}
	return n;
}

/* Free the pages of [@from, @to) that are not backed: what a failed BACK added. */
static void wsheap_truncate_unbacked(struct wsheap_uheap *heap, unsigned long from,
				     unsigned long to)
{
	unsigned long a, b;

	for (a = wsheap_next_backed(heap, from, to, false); a < to;
	     a = wsheap_next_backed(heap, b, to, false)) {
		b = wsheap_next_backed(heap, a, to, true);
		wsheap_uheap_truncate(heap, a, b, false);
	}
}

/*
 * Back every page of [@from, @to) that is not: populate, tell the caller,
 * then publish, as a grow does.
 */
static int wsheap_uheap_back_locked(struct wsheap_uheap *heap, unsigned long from,
				    unsigned long to, struct wsheap_range *args,
				    void __user *uarg, u32 usize)
{
	unsigned long add = (to - from) - wsheap_count_backed(heap, from, to);
	unsigned long a, b, i;
	int ret;

	lockdep_assert_held(&heap->lock);
	args->actual_bytes = (u64)(heap->nr_pages + add) << PAGE_SHIFT;
	if (!add)
		return wsheap_copy_arg_to_user(uarg, args, usize, sizeof(*args));
	ret = wsheap_charge_pages(heap->user, &heap->wf->pages, add);
	if (ret)
		return ret;
	for (a = wsheap_next_backed(heap, from, to, false); a < to;
	     a = wsheap_next_backed(heap, b, to, false)) {
		b = wsheap_next_backed(heap, a, to, true);
		ret = wsheap_uheap_populate(heap, a, b);
		if (ret) {
			wsheap_truncate_unbacked(heap, from, a);
			goto err_uncharge;
		}
	}
	ret = wsheap_copy_arg_to_user(uarg, args, usize, sizeof(*args));
	if (ret) {
		wsheap_truncate_unbacked(heap, from, to);
		goto err_uncharge;
	}
	for (i = from; i < to; i++)
		set_bit(i, heap->backed);
	WRITE_ONCE(heap->nr_pages, heap->nr_pages + add);
	heap->grow_calls++;
	return 0;

err_uncharge:
	wsheap_uncharge_pages(heap->user, &heap->wf->pages, add);
	return ret;
}

/* Revoke every backed page of [@from, @to): unpublish, then truncate, as a trim does. */
static int wsheap_uheap_revoke_locked(struct wsheap_uheap *heap, unsigned long from,
				      unsigned long to, struct wsheap_range *args,
				      void __user *uarg, u32 usize)
{
	unsigned long gone = wsheap_count_backed(heap, from, to);
	unsigned long i, kept;
	int ret;

	lockdep_assert_held(&heap->lock);
	args->actual_bytes = (u64)(heap->nr_pages - gone) << PAGE_SHIFT;
	ret = wsheap_copy_arg_to_user(uarg, args, usize, sizeof(*args));
	if (ret || !gone)
		return ret;
	for (i = from; i < to; i++)
		clear_bit(i, heap->backed);
	WRITE_ONCE(heap->nr_pages, heap->nr_pages - gone);
	kept = wsheap_uheap_truncate(heap, from, to, true);
	wsheap_uncharge_pages(heap->user, &heap->wf->pages, gone - min(kept, gone));
	return 0;
}

static int wsheap_ioctl_range(struct wsheap_file *wf, void __user *uarg, bool back)
{
	struct wsheap_range args;
	struct wsheap_uheap *heap;
	unsigned long from, to;
	u32 usize;
	int ret;

	ret = wsheap_copy_arg_from_user(&args, sizeof(args), WSHEAP_RANGE_SIZE_VER0,
					uarg, &usize);
	if (ret)
		return ret;
	if (args.flags || args.__reserved || !args.length ||
	    !PAGE_ALIGNED(args.offset) || !PAGE_ALIGNED(args.length) ||
	    args.offset > WSHEAP_SPARSE_MAX_BYTES || args.length > WSHEAP_SPARSE_MAX_BYTES)
		return -EINVAL;
	from = args.offset >> PAGE_SHIFT;
	to = from + (args.length >> PAGE_SHIFT);

	heap = wsheap_uheap_get(wf, args.heap_id);
	if (!heap)
		return -ENOENT;
	if (mutex_lock_killable(&heap->lock)) {
		wsheap_uheap_put(heap);
		return -EINTR;
	}
	if (heap->dead)
		ret = -ENOENT;
	else if (!heap->backed || to > heap->max_pages)
		ret = -EINVAL;
	else if (back)
		ret = wsheap_uheap_back_locked(heap, from, to, &args, uarg, usize);
	else
		ret = wsheap_uheap_revoke_locked(heap, from, to, &args, uarg, usize);
	mutex_unlock(&heap->lock);
	wsheap_uheap_put(heap);
	return ret;
}

static int wsheap_ioctl_heap_info(struct wsheap_file *wf, void __user *uarg)
{
	struct wsheap_heap_info args;
	struct wsheap_uheap *heap;
	u32 usize;
	int ret;

	ret = wsheap_copy_arg_from_user(&args, sizeof(args), WSHEAP_HEAP_INFO_SIZE_VER0,
					uarg, &usize);
	if (ret)
		return ret;
	if (args.flags || args.__reserved)
		return -EINVAL;
	heap = wsheap_uheap_get(wf, args.heap_id);
	if (!heap)
		return -ENOENT;

	if (mutex_lock_killable(&heap->lock)) {
		wsheap_uheap_put(heap);
		return -EINTR;
	}
	args.max_bytes = (u64)heap->max_pages << PAGE_SHIFT;
	args.trim_bytes = (u64)heap->trim_pages << PAGE_SHIFT;
	args.actual_bytes = (u64)heap->nr_pages << PAGE_SHIFT;
	args.grow_calls = heap->grow_calls;
	args.mmap_offset = (u64)heap->start_pgoff << PAGE_SHIFT;
	args.mmap_size = args.max_bytes;
	ret = heap->dead ? -ENOENT : 0;
	mutex_unlock(&heap->lock);
	wsheap_uheap_put(heap);

	if (ret)
		return ret;
	return wsheap_copy_arg_to_user(uarg, &args, usize, sizeof(args));
}

/* ------------------------------------------------------------- mapping */

static void wsheap_vm_open(struct vm_area_struct *vma)
{
	struct wsheap_uheap *heap = vma->vm_private_data;

	kref_get(&heap->ref);
}

static void wsheap_vm_close(struct vm_area_struct *vma)
{
	wsheap_uheap_put(vma->vm_private_data);
}

/*
 * Pages a fault maps after the faulting one, in one batch, where the heap
 * backs them and the VMA covers them.  A fault costs as much as hundreds
 * of allocations (2.6 us on the reference machine), and a heap's memory is
 * used in address order, so one fault per 16 pages instead of per page.
 */
#define WSHEAP_FAULT_AROUND	16

/*
 * Map what follows the faulting page, best effort: it stops at a page that
 * is not in memory (swapped out: its own fault brings it in) or busy.
 * Each page is locked while it is mapped, as the faulting one is, so a
 * trim that truncates it afterwards also unmaps it.
 */
static void wsheap_map_ahead(struct vm_fault *vmf, struct wsheap_uheap *heap,
			     struct address_space *mapping)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = (vmf->address & PAGE_MASK) + PAGE_SIZE;
	struct page *pages[WSHEAP_FAULT_AROUND];
	unsigned long n, count = 0, i;
	struct page *page;

	n = min_t(unsigned long, WSHEAP_FAULT_AROUND, (vma->vm_end - addr) / PAGE_SIZE);
	for (i = 0; i < n; i++) {
		pgoff_t pgoff = vmf->pgoff + 1 + i;

		if (!wsheap_uheap_backs(heap, pgoff))
			break;
		page = find_get_page(mapping, pgoff);
		if (!page)
			break;
		if (!folio_trylock(page_folio(page))) {
			put_page(page);
			break;
		}
		if (page->mapping != mapping || !wsheap_uheap_backs(heap, pgoff)) {
			unlock_page(page);
			put_page(page);
			break;
		}
		pages[count++] = page;
	}
	if (count) {
		n = count;
		/* It stops at a page already mapped, or on failure. */
		vm_insert_pages(vma, addr, pages, &n);
	}
	for (i = 0; i < count; i++) {
		unlock_page(pages[i]);
		put_page(pages[i]);
	}
}

static vm_fault_t wsheap_vm_fault(struct vm_fault *vmf)
{
	struct wsheap_uheap *heap = vmf->vma->vm_private_data;
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;
	struct folio *folio;
	struct page *page;

	/* A stale pointer must fault, not bring a page into the window. */
	if (!wsheap_uheap_backs(heap, vmf->pgoff))
		return VM_FAULT_SIGBUS;
	page = shmem_read_mapping_page_gfp(mapping, vmf->pgoff, mapping_gfp_mask(mapping));
	if (IS_ERR(page))
		return vmf_error(PTR_ERR(page));
	folio = page_folio(page);
	if (folio_lock_killable(folio)) {
		put_page(page);
		/* The fatal signal is delivered on the way out. */
		return VM_FAULT_NOPAGE;
	}
	/* Truncated meanwhile: the fault is retried and checks again. */
	if (page->mapping != mapping) {
		folio_unlock(folio);
		put_page(page);
		return VM_FAULT_NOPAGE;
	}
	/* Under the page lock a trim needs to free it. */
	if (!wsheap_uheap_backs(heap, vmf->pgoff)) {
		folio_unlock(folio);
		put_page(page);
		return VM_FAULT_SIGBUS;
	}
	wsheap_map_ahead(vmf, heap, mapping);
	vmf->page = page;
	return VM_FAULT_LOCKED;
}

/*
 * ptrace() and /proc/PID/mem: get_user_pages() refuses VM_IO, so the core
 * comes here.  Backed pages only, each under its lock, as a fault takes it.
 */
static int wsheap_vm_access(struct vm_area_struct *vma, unsigned long addr, void *buf,
			    int len, int write)
{
	struct wsheap_uheap *heap = vma->vm_private_data;
	struct address_space *mapping = vma->vm_file->f_mapping;
	int done = 0;

	while (done < len) {
		pgoff_t pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
		unsigned int offset = offset_in_page(addr);
		int n = min_t(int, len - done, PAGE_SIZE - offset);
		struct page *page;
		void *kaddr;

		if (!wsheap_uheap_backs(heap, pgoff))
			break;
		/* A backed page swapped out comes back, as a fault would bring it. */
		page = shmem_read_mapping_page_gfp(mapping, pgoff, mapping_gfp_mask(mapping));
		if (IS_ERR(page))
			break;
		lock_page(page);
		if (page->mapping != mapping || !wsheap_uheap_backs(heap, pgoff)) {
			unlock_page(page);
			put_page(page);
			break;
		}
		kaddr = kmap_local_page(page);
		if (write) {
			memcpy(kaddr + offset, buf + done, n);
			set_page_dirty(page);
		} else {
			memcpy(buf + done, kaddr + offset, n);
		}
		kunmap_local(kaddr);
		unlock_page(page);
		put_page(page);
		done += n;
		addr += n;
	}
	return done;
}

static const struct vm_operations_struct wsheap_vm_ops = {
	.open = wsheap_vm_open,
	.close = wsheap_vm_close,
	.fault = wsheap_vm_fault,
	.access = wsheap_vm_access,
};

static int wsheap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct wsheap_file *wf = file->private_data;
	struct wsheap_uheap *heap;
	unsigned long last;

	/*
	 * Shared only: a private copy would be memory the heap cannot revoke.
	 * (VM_MAYSHARE: a read-only file's shared mappings lack VM_SHARED.)
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	if (check_add_overflow(vma->vm_pgoff, vma_pages(vma) - 1, &last))
		return -EINVAL;

	mutex_lock(&wf->lock);
	heap = mtree_load(&wf->by_pgoff, vma->vm_pgoff);
	/* The whole mapping must lie inside one live heap's window. */
	if (heap && (READ_ONCE(heap->dead) || last >= heap->start_pgoff + heap->max_pages))
		heap = NULL;
	if (heap)
		kref_get(&heap->ref);
	mutex_unlock(&wf->lock);
	if (!heap)
		return -EINVAL;

	vma->vm_private_data = heap;
	vma->vm_ops = &wsheap_vm_ops;
	/*
	 * Never executable; never grown by mremap(); not in core dumps; not
	 * inherited by fork(), even after MADV_DOFORK; no slow-path pins (VM_IO,
	 * see "User heaps on shmem").  VM_MIXEDMAP lets a fault map the pages
	 * that follow in one batch.
	 */
	wsheap_vm_flags_set(vma, VM_IO | VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP |
			    VM_DONTCOPY);
	wsheap_vm_flags_clear(vma, VM_MAYEXEC);
	return 0;
}

/* ---------------------------------------------------------- open files */

static int wsheap_open(struct inode *unused, struct file *file)
{
	struct wsheap_file *wf;
	int ret;

	wf = kzalloc(sizeof(*wf), GFP_KERNEL_ACCOUNT);
	if (!wf)
		return -ENOMEM;
	mutex_init(&wf->lock);
	xa_init_flags(&wf->heaps, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	mt_init(&wf->by_pgoff);
	xa_init_flags(&wf->orphans, XA_FLAGS_ALLOC | XA_FLAGS_ACCOUNT);
	wf->user = wsheap_user_get(current_uid());
	if (!wf->user) {
		ret = -ENOMEM;
		goto err_free_wf;
	}
	/*
	 * As large as a file can be, and no memory reserved for its size:
	 * shmem accounts each page as it is allocated.
	 */
	wf->shmem = shmem_file_setup("wsheap", MAX_LFS_FILESIZE, WSHEAP_SHMEM_NORESERVE);
	if (IS_ERR(wf->shmem)) {
		ret = PTR_ERR(wf->shmem);
		/* shmem says ENOSPC when it cannot allocate its inode. */
		if (ret == -ENOSPC)
			ret = -ENOMEM;
		goto err_put_user;
	}
	/* This file's mappings are the shmem object's. */
	file->f_mapping = wf->shmem->f_mapping;
	file->private_data = wf;
	return 0;

err_put_user:
	wsheap_user_put(wf->user);
err_free_wf:
	kfree(wf);
	return ret;
}

/* Runs after the last munmap: mappings hold the file.  Allocates nothing. */
static int wsheap_release(struct inode *unused, struct file *file)
{
	struct wsheap_file *wf = file->private_data;
	struct wsheap_uheap *heap;
	unsigned long index;

	xa_for_each(&wf->heaps, index, heap) {
		mutex_lock(&heap->lock);
		wsheap_uheap_kill_locked(heap);
		mutex_unlock(&heap->lock);
		wsheap_uheap_put(heap);
	}
	xa_destroy(&wf->heaps);
	/* The windows, and the dead heaps whose windows could not be erased. */
	index = 0;
	mt_for_each(&wf->by_pgoff, heap, index, ULONG_MAX) {
		mutex_lock(&heap->lock);
		wsheap_uheap_kill_locked(heap);
		mutex_unlock(&heap->lock);
		wsheap_uheap_put(heap);
	}
	mtree_destroy(&wf->by_pgoff);
	wsheap_reap_orphans(wf, true);
	xa_destroy(&wf->orphans);
	fput(wf->shmem);
	wsheap_user_put(wf->user);
	mutex_destroy(&wf->lock);
	kfree(wf);
	return 0;
}

static long wsheap_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct wsheap_file *wf = file->private_data;
	void __user *uarg = (void __user *)arg;

	/* Pins go without telling anyone: each call looks (one test when none). */
	wsheap_reap_orphans(wf, false);

	switch (cmd) {
	case WSHEAP_IOC_GET_INFO:
		return wsheap_ioctl_get_info(uarg);
	case WSHEAP_IOC_CREATE:
		return wsheap_ioctl_create(wf, uarg);
	case WSHEAP_IOC_DESTROY:
		return wsheap_ioctl_heap_op(wf, uarg, WSHEAP_OP_DESTROY);
	case WSHEAP_IOC_GROW:
		return wsheap_ioctl_heap_op(wf, uarg, WSHEAP_OP_GROW);
	case WSHEAP_IOC_TRIM:
		return wsheap_ioctl_heap_op(wf, uarg, WSHEAP_OP_TRIM);
	case WSHEAP_IOC_HEAP_INFO:
		return wsheap_ioctl_heap_info(wf, uarg);
	case WSHEAP_IOC_RESET:
		return wsheap_ioctl_heap_op(wf, uarg, WSHEAP_OP_RESET);
	case WSHEAP_IOC_BACK:
		return wsheap_ioctl_range(wf, uarg, true);
	case WSHEAP_IOC_REVOKE:
		return wsheap_ioctl_range(wf, uarg, false);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations wsheap_fops = {
	.owner = THIS_MODULE,
	.open = wsheap_open,
	.release = wsheap_release,
	.unlocked_ioctl = wsheap_ioctl,
	/* Every argument is a pointer to a struct laid out alike on 32 and 64 bits. */
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = wsheap_mmap,
};

/*
 * World-accessible: what each user's heaps may take is bounded per user
 * (wsheap_account.c) and charged to the creator's memory cgroup as shmem.
 */
VISIBLE_IF_KUNIT struct miscdevice wsheap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "wsheap",
	.fops = &wsheap_fops,
	.mode = 0666,
};
EXPORT_SYMBOL_IF_KUNIT(wsheap_misc);

int wsheap_dev_init(void)
{
	int ret;

	ret = misc_register(&wsheap_misc);
	if (ret)
		pr_err("cannot register /dev/%s: %d\n", wsheap_misc.name, ret);
	return ret;
}

void wsheap_dev_exit(void)
{
	misc_deregister(&wsheap_misc);
}
