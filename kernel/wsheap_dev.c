// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/wsheap: heaps for user space.
 *
 * The kernel owns a user heap's pages and its limits; user space maps the
 * heap's window once and allocates inside it without entering the kernel,
 * which it does only to grow the backing, to give pages back, and to
 * create or destroy heaps (see Documentation/userspace-api.rst).
 *
 * Every open file is a space of heaps: heap ids and mmap offsets are its
 * own.  Each open file gets a private inode from a small pseudo file
 * system, so its mappings live in an address_space of their own and
 * unmap_mapping_range() on a heap's range touches no other file's.  A
 * heap's window is a range of offsets handed out once per file; mmap()
 * looks the heap up by offset in a maple tree.
 *
 * Pages are zeroed when allocated and reach user space only through the
 * fault handler, which inserts a PTE (holding a page reference) under the
 * heap's lock.  Trimming and destroying take the same lock, zap every PTE
 * of the range they release, and only then drop the heap's references, so
 * no PTE ever points at a page that has left its heap, and a page pinned
 * elsewhere lives until the pin goes.
 *
 * Lifetime: the file's xarray holds a reference to each heap, and so does
 * each VMA mapping it; a destroyed heap is marked dead and its VMAs fault
 * SIGBUS.  VMAs hold the file, so release runs after the last munmap.
 *
 * Lock order: mmap_lock -> wsheap_uheap.lock -> i_mmap_rwsem (through
 * unmap_mapping_range()), and mmap_lock -> wsheap_file.lock (mmap() looks
 * the window up).  wsheap_file.lock is never held with a heap's lock.
 * Nothing takes a heap's lock under i_mmap_rwsem.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/maple_tree.h>
#include <linux/memcontrol.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "wsheap_compat.h"
#include "wsheap_internal.h"

static unsigned long max_file_bytes = SZ_1G;
module_param(max_file_bytes, ulong, 0644);
MODULE_PARM_DESC(max_file_bytes, "Backing all heaps of one open file may hold, in bytes (default 1 GiB)");

static unsigned long max_total_bytes;
module_param(max_total_bytes, ulong, 0644);
MODULE_PARM_DESC(max_total_bytes,
		 "Backing all user heaps may hold, in bytes (default 0: half of RAM)");

static unsigned int max_file_heaps = 1U << 20;
module_param(max_file_heaps, uint, 0644);
MODULE_PARM_DESC(max_file_heaps, "Heaps one open file may hold at once (default 1048576)");

/* Backing held by all user heaps, in pages, against max_total_bytes. */
static atomic_long_t wsheap_user_pages = ATOMIC_LONG_INIT(0);
static atomic_long_t wsheap_user_heaps = ATOMIC_LONG_INIT(0);

struct wsheap_file {
	struct mutex lock;		/* guards heaps, by_pgoff, next_pgoff */
	struct xarray heaps;		/* heap id -> struct wsheap_uheap */
	struct maple_tree by_pgoff;	/* window [start, end] -> heap */
	unsigned long next_pgoff;	/* where the next window starts */
	atomic_long_t pages;		/* backing of this file's heaps */
	struct inode *inode;		/* owner of the private address_space */
};

struct wsheap_uheap {
	struct kref ref;		/* the file's xarray, and each VMA */
	struct mutex lock;		/* guards pages, nr_pages, grow_calls, dead */
	struct xarray pages;		/* page index -> struct page */
	unsigned long nr_pages;		/* backing is pages [0, nr_pages) */
	unsigned long max_pages;
	unsigned long trim_pages;	/* what WSHEAP_IOC_RESET keeps */
	unsigned long start_pgoff;	/* the window's offset, in pages */
	u64 grow_calls;
	bool dead;			/* destroyed: its VMAs fault SIGBUS */
	struct wsheap_file *wf;
	struct mem_cgroup *memcg;	/* the creator's, charged for every page */
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

/* ----------------------------------------------------------- accounting */

/* Add @n to @v unless that takes it past @limit. */
static bool wsheap_add_within(atomic_long_t *v, long n, long limit)
{
	long old = atomic_long_read(v);

	do {
		if (n > limit - old)
			return false;
	} while (!atomic_long_try_cmpxchg(v, &old, old + n));
	return true;
}

static long wsheap_bytes_to_pages_limit(unsigned long bytes)
{
	return min_t(unsigned long, bytes >> PAGE_SHIFT, LONG_MAX);
}

/*
 * The limits count backing, pages the heaps hold.  A page someone pinned
 * (O_DIRECT, vmsplice) outlives its trim by the pin's life, uncounted
 * here but still charged to the memcg.
 */
static int wsheap_charge(struct wsheap_file *wf, unsigned long n)
{
	unsigned long total = READ_ONCE(max_total_bytes);
	long total_pages = total ? wsheap_bytes_to_pages_limit(total) : totalram_pages() / 2;

	if (!wsheap_add_within(&wf->pages, n, wsheap_bytes_to_pages_limit(max_file_bytes)))
		return -ENOSPC;
	if (!wsheap_add_within(&wsheap_user_pages, n, total_pages)) {
		atomic_long_sub(n, &wf->pages);
		return -ENOSPC;
	}
	return 0;
}

static void wsheap_uncharge(struct wsheap_file *wf, unsigned long n)
{
	atomic_long_sub(n, &wf->pages);
	atomic_long_sub(n, &wsheap_user_pages);
}

long wsheap_stat_user_heaps(void)
{
	return atomic_long_read(&wsheap_user_heaps);
}

long wsheap_stat_user_pages(void)
{
	return atomic_long_read(&wsheap_user_pages);
}

/* --------------------------------------------------------------- heaps */

/* Release pages [@keep, nr_pages): revoke every mapping of them, then free. */
static void wsheap_uheap_trim_locked(struct wsheap_uheap *heap, unsigned long keep)
{
	unsigned long i, n = heap->nr_pages;

	lockdep_assert_held(&heap->lock);
	if (keep >= n)
		return;
	/* Every process, every VMA, private copies too (even_cows). */
	unmap_mapping_range(heap->wf->inode->i_mapping,
			    (loff_t)(heap->start_pgoff + keep) << PAGE_SHIFT,
			    (loff_t)(n - keep) << PAGE_SHIFT, 1);
	for (i = keep; i < n; i++)
		put_page(xa_erase(&heap->pages, i));
	heap->nr_pages = keep;
	wsheap_uncharge(heap->wf, n - keep);
}

static int wsheap_uheap_grow_locked(struct wsheap_uheap *heap, unsigned long want)
{
	unsigned long i, have = heap->nr_pages;
	struct mem_cgroup *old;
	struct page *page;
	int ret;

	lockdep_assert_held(&heap->lock);
	if (want > heap->max_pages)
		return -EDQUOT;
	if (want <= have)
		return 0;
	ret = wsheap_charge(heap->wf, want - have);
	if (ret)
		return ret;

	old = set_active_memcg(heap->memcg);
	for (i = have; i < want; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		/*
		 * Zeroed: user space sees nothing the kernel had.  RETRY_MAYFAIL:
		 * over its memcg's limit the caller gets -ENOMEM, not the OOM
		 * killer.
		 */
		page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_RETRY_MAYFAIL |
				  __GFP_NOWARN);
		if (!page) {
			ret = -ENOMEM;
			break;
		}
		ret = xa_err(xa_store(&heap->pages, i, page, GFP_KERNEL_ACCOUNT));
		if (ret) {
			__free_page(page);
			break;
		}
	}
	set_active_memcg(old);

	if (ret) {
		/* A failed grow changes nothing. */
		while (i-- > have)
			put_page(xa_erase(&heap->pages, i));
		wsheap_uncharge(heap->wf, want - have);
		return ret;
	}
	heap->nr_pages = want;
	heap->grow_calls++;
	return 0;
}

static void wsheap_uheap_release(struct kref *ref)
{
	struct wsheap_uheap *heap = container_of(ref, struct wsheap_uheap, ref);

	/* Destroyed (trimmed to nothing) before the last reference went. */
	WARN_ON_ONCE(heap->nr_pages);
	xa_destroy(&heap->pages);
	mem_cgroup_put(heap->memcg);
	mutex_destroy(&heap->lock);
	kfree(heap);
	atomic_long_dec(&wsheap_user_heaps);
}

static void wsheap_uheap_put(struct wsheap_uheap *heap)
{
	kref_put(&heap->ref, wsheap_uheap_release);
}

/* Look up a live heap of this file and take a reference to it. */
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

/*
 * Take heap @id out of its file if it is @expect (whichever it is when
 * @expect is NULL); the caller then kills it.
 */
static struct wsheap_uheap *wsheap_uheap_unlink(struct wsheap_file *wf, u32 id,
						struct wsheap_uheap *expect)
{
	struct wsheap_uheap *heap;

	mutex_lock(&wf->lock);
	heap = xa_load(&wf->heaps, id);
	if (heap && (!expect || heap == expect)) {
		xa_erase(&wf->heaps, id);
		mtree_erase(&wf->by_pgoff, heap->start_pgoff);
	} else {
		heap = NULL;
	}
	mutex_unlock(&wf->lock);
	return heap;
}

static void wsheap_uheap_kill(struct wsheap_uheap *heap)
{
	mutex_lock(&heap->lock);
	wsheap_uheap_trim_locked(heap, 0);
	heap->dead = true;
	mutex_unlock(&heap->lock);
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
	if (args.flags || args.__reserved || !args.max_bytes)
		return -EINVAL;
	/* The window's offsets, in bytes, must fit in a loff_t. */
	if (args.max_bytes > (u64)LLONG_MAX - PAGE_SIZE)
		return -EOVERFLOW;
	pages = DIV_ROUND_UP_ULL(args.max_bytes, PAGE_SIZE);

	heap = kzalloc(sizeof(*heap), GFP_KERNEL_ACCOUNT);
	if (!heap)
		return -ENOMEM;
	kref_init(&heap->ref);
	mutex_init(&heap->lock);
	xa_init(&heap->pages);
	heap->max_pages = pages;
	heap->trim_pages = args.trim_bytes >= args.max_bytes ? pages :
			   DIV_ROUND_UP_ULL(args.trim_bytes, PAGE_SIZE);
	heap->wf = wf;
	heap->memcg = get_mem_cgroup_from_mm(current->mm);

	mutex_lock(&wf->lock);
	if (check_add_overflow(wf->next_pgoff, pages, &end) ||
	    end > (unsigned long)(LLONG_MAX >> PAGE_SHIFT)) {
		ret = -EOVERFLOW;
		goto err_unlock;
	}
	ret = xa_alloc(&wf->heaps, &id, heap, XA_LIMIT(1, max_file_heaps), GFP_KERNEL_ACCOUNT);
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
	/* Published: another thread may destroy it from here on. */
	kref_get(&heap->ref);
	atomic_long_inc(&wsheap_user_heaps);
	mutex_unlock(&wf->lock);

	ret = wsheap_copy_arg_to_user(uarg, &args, usize, sizeof(args));
	if (ret) {
		/*
		 * The caller cannot learn the id: the heap must not outlive the
		 * call, unless someone destroyed it (and maybe reused its id).
		 */
		if (wsheap_uheap_unlink(wf, id, heap))
			wsheap_uheap_kill(heap);
	}
	wsheap_uheap_put(heap);
	return ret;

err_erase_id:
	xa_erase(&wf->heaps, id);
err_unlock:
	mutex_unlock(&wf->lock);
	mem_cgroup_put(heap->memcg);
	kfree(heap);
	return ret;
}

enum wsheap_op { WSHEAP_OP_DESTROY, WSHEAP_OP_GROW, WSHEAP_OP_TRIM, WSHEAP_OP_RESET };

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

	if (op == WSHEAP_OP_DESTROY) {
		heap = wsheap_uheap_unlink(wf, args.heap_id, NULL);
		if (!heap)
			return -ENOENT;
		wsheap_uheap_kill(heap);
		args.actual_bytes = 0;
		return wsheap_copy_arg_to_user(uarg, &args, usize, sizeof(args));
	}

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
	if (heap->dead)
		ret = -ENOENT;
	else if (op == WSHEAP_OP_GROW)
		ret = wsheap_uheap_grow_locked(heap, pages);
	else if (op == WSHEAP_OP_TRIM)
		wsheap_uheap_trim_locked(heap, pages);
	else
		wsheap_uheap_trim_locked(heap, heap->trim_pages);
	args.actual_bytes = (u64)heap->nr_pages << PAGE_SHIFT;
	mutex_unlock(&heap->lock);
	wsheap_uheap_put(heap);

	if (ret)
		return ret;
	return wsheap_copy_arg_to_user(uarg, &args, usize, sizeof(args));
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

	mutex_lock(&heap->lock);
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
 * has them and the VMA covers them.  A fault costs as much as hundreds of
 * allocations (2.6 us on the reference machine), and a heap's memory is
 * used in address order, so one fault per 16 pages instead of per page.
 */
#define WSHEAP_FAULT_AROUND	16

static vm_fault_t wsheap_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct wsheap_uheap *heap = vma->vm_private_data;
	unsigned long index = vmf->pgoff - heap->start_pgoff;
	struct page *pages[WSHEAP_FAULT_AROUND];
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned long more, i;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	/* PTEs go in under the lock a trim holds while it zaps. */
	mutex_lock(&heap->lock);
	if (heap->dead || index >= heap->nr_pages)
		goto unlock;
	ret = vmf_insert_page(vma, addr, xa_load(&heap->pages, index));
	if (ret != VM_FAULT_NOPAGE)
		goto unlock;
	more = min3((unsigned long)WSHEAP_FAULT_AROUND, heap->nr_pages - index - 1,
		    (vma->vm_end - addr) / PAGE_SIZE - 1);
	for (i = 0; i < more; i++)
		pages[i] = xa_load(&heap->pages, index + 1 + i);
	/* Best effort: it stops at a page already mapped, or on failure. */
	if (more)
		vm_insert_pages(vma, addr + PAGE_SIZE, pages, &more);
unlock:
	mutex_unlock(&heap->lock);
	return ret;
}

static const struct vm_operations_struct wsheap_vm_ops = {
	.open = wsheap_vm_open,
	.close = wsheap_vm_close,
	.fault = wsheap_vm_fault,
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
	/* The whole mapping must lie inside one heap's window. */
	if (heap && last >= heap->start_pgoff + heap->max_pages)
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
	 * inherited by fork() (see Documentation/userspace-api.rst).
	 */
	wsheap_vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	wsheap_vm_flags_clear(vma, VM_MAYEXEC);
	return 0;
}

/* ---------------------------------------------------------- open files */

static struct vfsmount *wsheap_mnt;

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
	wf->inode = alloc_anon_inode(wsheap_mnt->mnt_sb);
	if (IS_ERR(wf->inode)) {
		ret = PTR_ERR(wf->inode);
		goto err_free_wf;
	}
	/* This file's mappings in an address_space of their own. */
	file->f_mapping = wf->inode->i_mapping;
	file->private_data = wf;
	return 0;

err_free_wf:
	kfree(wf);
	return ret;
}

/* Runs after the last munmap: mappings hold the file. */
static int wsheap_release(struct inode *unused, struct file *file)
{
	struct wsheap_file *wf = file->private_data;
	struct wsheap_uheap *heap;
	unsigned long id;

	xa_for_each(&wf->heaps, id, heap) {
		heap = wsheap_uheap_unlink(wf, id, NULL);
		if (heap)
			wsheap_uheap_kill(heap);
	}
	xa_destroy(&wf->heaps);
	mtree_destroy(&wf->by_pgoff);
	iput(wf->inode);
	mutex_destroy(&wf->lock);
	kfree(wf);
	return 0;
}

static long wsheap_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct wsheap_file *wf = file->private_data;
	void __user *uarg = (void __user *)arg;

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
 * World-accessible: what a heap may take is bounded by the module's limits
 * and charged to its creator's memory cgroup, like any anonymous memory.
 */
VISIBLE_IF_KUNIT struct miscdevice wsheap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "wsheap",
	.fops = &wsheap_fops,
	.mode = 0666,
};
EXPORT_SYMBOL_IF_KUNIT(wsheap_misc);

/* The pseudo file system that gives each open file its own inode. */
#define WSHEAP_FS_MAGIC	0x77736870	/* "wshp" */

static int wsheap_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, WSHEAP_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type wsheap_fs_type = {
	.name = "wsheap",
	.init_fs_context = wsheap_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

int wsheap_dev_init(void)
{
	int ret;

	wsheap_mnt = kern_mount(&wsheap_fs_type);
	if (IS_ERR(wsheap_mnt))
		return PTR_ERR(wsheap_mnt);
	ret = misc_register(&wsheap_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", wsheap_misc.name, ret);
		goto err_unmount;
	}
	return 0;

err_unmount:
	kern_unmount(wsheap_mnt);
	return ret;
}

void wsheap_dev_exit(void)
{
	misc_deregister(&wsheap_misc);
	kern_unmount(wsheap_mnt);
}
