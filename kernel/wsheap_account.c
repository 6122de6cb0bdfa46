// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the users of /dev/wsheap may hold: limits and their counts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "wsheap_internal.h"

/**
 * DOC: Limits of user heaps
 *
 * ``/dev/wsheap`` is open to every local user, so what one user may take is
 * bounded for that user, over all of the files the user opens, the way the
 * kernel bounds pipe buffers and io_uring's locked memory per user.  A user
 * is the real uid of the process that opened the file; the file keeps it
 * for its life, whoever uses it afterwards.
 *
 * Each count is kept against a module parameter an administrator may
 * change at any time (in ``/sys/module/wsheap/parameters/``); a lowered
 * limit refuses new growth and takes nothing away:
 *
 * - ``max_user_bytes``: the backing all heaps of one user may hold.  The
 *   default, 0, is a quarter of RAM, half of the next limit: one user alone
 *   can never hold everything the device may hand out.
 * - ``max_total_bytes``: the backing all user heaps may hold; 0 (the
 *   default) is half of RAM.
 * - ``max_user_heaps``: heaps one user may have at once (65,536).  A heap
 *   costs the kernel a few hundred bytes whatever its size.
 * - ``max_file_bytes`` and ``max_file_heaps``: the same for one open file
 *   (1 GiB, 0 meaning all of RAM, and 1,048,576).
 *
 * ``max_user_heaps`` of 0 refuses every create; ``max_file_heaps`` of 0
 * counts as 1.  Pinned pages a trim took from
 * a heap stay counted until their pin goes, and a sparse heap's bitmap of
 * backed pages counts as backing.  A uid is a user: a login that owns
 * subordinate uids (rootless containers) gets a share for each, bounded
 * together only by ``max_total_bytes``.
 *
 * A grow past a byte limit fails with ``ENOSPC`` and a create past a heap
 * limit with ``ENOSPC``; a heap's own max size gives ``EDQUOT``.  Every page
 * is also charged to the memory cgroup of the heap's creator, as shmem: the
 * limits here bound what a user can take from other users, the cgroup what
 * a workload can take from the machine.
 */

static unsigned long max_user_bytes;
module_param(max_user_bytes, ulong, 0644);
MODULE_PARM_DESC(max_user_bytes,
		 "Backing all heaps of one user may hold, in bytes (default 0: a quarter of RAM)");

static unsigned long max_total_bytes;
module_param(max_total_bytes, ulong, 0644);
MODULE_PARM_DESC(max_total_bytes,
		 "Backing all user heaps may hold, in bytes (default 0: half of RAM)");

static unsigned int max_user_heaps = 1U << 16;
module_param(max_user_heaps, uint, 0644);
MODULE_PARM_DESC(max_user_heaps, "Heaps one user may hold at once (default 65536)");

static unsigned long max_file_bytes = SZ_1G;
module_param(max_file_bytes, ulong, 0644);
MODULE_PARM_DESC(max_file_bytes, "Backing all heaps of one open file may hold, in bytes (default 1 GiB)");

static unsigned int max_file_heaps = 1U << 20;
module_param(max_file_heaps, uint, 0644);
MODULE_PARM_DESC(max_file_heaps, "Heaps one open file may hold at once (default 1048576)");

/**
 * struct wsheap_user - What one user's heaps hold
 * @node: in wsheap_users, under wsheap_users_lock.
 * @uid: the user.
 * @ref: one for each open file of the user and each heap.
 * @pages: backing of the user's heaps, in pages.
 * @heaps: the user's heaps.
 */
struct wsheap_user {
	struct hlist_node node;
	kuid_t uid;
	refcount_t ref;
	atomic_long_t pages;
	atomic_long_t heaps;
};

static DEFINE_HASHTABLE(wsheap_users, 6);
static DEFINE_SPINLOCK(wsheap_users_lock);

/* Backing held by all user heaps, and their number. */
static atomic_long_t wsheap_total_pages = ATOMIC_LONG_INIT(0);
static atomic_long_t wsheap_total_heaps = ATOMIC_LONG_INIT(0);

static struct wsheap_user *wsheap_user_find(kuid_t uid)
{
	struct wsheap_user *user;

	lockdep_assert_held(&wsheap_users_lock);
	hash_for_each_possible(wsheap_users, user, node, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/**
 * wsheap_user_get() - Take a reference to a user's counts.
 * @uid: the user
 *
 * Context: Process context; may sleep.
 * Return: the user's counts, created at zero on first use, or NULL if
 * there is no memory for them.
 */
struct wsheap_user *wsheap_user_get(kuid_t uid)
{
	struct wsheap_user *user, *fresh;

	spin_lock(&wsheap_users_lock);
	user = wsheap_user_find(uid);
	if (user)
		refcount_inc(&user->ref);
	spin_unlock(&wsheap_users_lock);
	if (user)
		return user;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return NULL;
	fresh->uid = uid;
	refcount_set(&fresh->ref, 1);

	spin_lock(&wsheap_users_lock);
	/* Another opener of the same user may have been first. */
	user = wsheap_user_find(uid);
	if (user) {
		refcount_inc(&user->ref);
	} else {
		hash_add(wsheap_users, &fresh->node, __kuid_val(uid));
		user = fresh;
		fresh = NULL;
	}
	spin_unlock(&wsheap_users_lock);
	kfree(fresh);
	return user;
}

/**
 * wsheap_user_hold() - Take another reference to a user's counts.
 * @user: counts the caller holds a reference to
 *
 * Context: Any context.
 */
void wsheap_user_hold(struct wsheap_user *user)
{
	refcount_inc(&user->ref);
}

/**
 * wsheap_user_put() - Drop a reference from wsheap_user_get().
 * @user: the user's counts
 *
 * Context: Process context.  Takes wsheap_users_lock: files and heaps
 * come and go far more rarely than they are used.
 */
void wsheap_user_put(struct wsheap_user *user)
{
	spin_lock(&wsheap_users_lock);
	if (!refcount_dec_and_test(&user->ref)) {
		spin_unlock(&wsheap_users_lock);
		return;
	}
	hash_del(&user->node);
	spin_unlock(&wsheap_users_lock);
	/* Every heap and every page went with the last reference. */
	WARN_ON_ONCE(atomic_long_read(&user->pages) || atomic_long_read(&user->heaps));
	kfree(user);
}

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

static long wsheap_pages_limit(unsigned long bytes, unsigned long ram_divisor)
{
	if (!bytes)
		return totalram_pages() / ram_divisor;
	return min_t(unsigned long, bytes >> PAGE_SHIFT, LONG_MAX);
}

/**
 * wsheap_charge_pages() - Count backing against every limit that bounds it.
 * @user: the heap's user
 * @file_pages: the open file's count
 * @n: pages to add
 *
 * Context: Any context.
 * Return: 0, or -ENOSPC with nothing counted if any limit would be passed.
 */
int wsheap_charge_pages(struct wsheap_user *user, atomic_long_t *file_pages, unsigned long n)
{
	if (!wsheap_add_within(file_pages, n, wsheap_pages_limit(READ_ONCE(max_file_bytes), 1)))
		return -ENOSPC;
	if (!wsheap_add_within(&user->pages, n, wsheap_pages_limit(READ_ONCE(max_user_bytes), 4)))
		goto err_uncharge_file;
	if (!wsheap_add_within(&wsheap_total_pages, n,
			       wsheap_pages_limit(READ_ONCE(max_total_bytes), 2)))
		goto err_uncharge_user;
	return 0;

err_uncharge_user:
	atomic_long_sub(n, &user->pages);
err_uncharge_file:
	atomic_long_sub(n, file_pages);
	return -ENOSPC;
}

/**
 * wsheap_uncharge_pages() - Undo wsheap_charge_pages().
 * @user: the heap's user
 * @file_pages: the open file's count
 * @n: pages to take off
 *
 * Context: Any context.
 */
void wsheap_uncharge_pages(struct wsheap_user *user, atomic_long_t *file_pages, unsigned long n)
{
	atomic_long_sub(n, file_pages);
	atomic_long_sub(n, &user->pages);
	atomic_long_sub(n, &wsheap_total_pages);
}

/**
 * wsheap_charge_heap() - Count a new heap against its user's limit.
 * @user: the heap's user
 *
 * The caller bounds the heaps of one file itself, with the id it hands out
 * (wsheap_max_file_heaps()).
 *
 * Context: Any context.
 * Return: 0, or -ENOSPC with nothing counted.
 */
int wsheap_charge_heap(struct wsheap_user *user)
{
	if (!wsheap_add_within(&user->heaps, 1, READ_ONCE(max_user_heaps)))
		return -ENOSPC;
	atomic_long_inc(&wsheap_total_heaps);
	return 0;
}

/**
 * wsheap_uncharge_heap() - Undo wsheap_charge_heap().
 * @user: the heap's user
 *
 * Context: Any context.
 */
void wsheap_uncharge_heap(struct wsheap_user *user)
{
	atomic_long_dec(&user->heaps);
	atomic_long_dec(&wsheap_total_heaps);
}

/**
 * wsheap_max_file_heaps() - The most heaps one open file may hold.
 *
 * Context: Any context.
 * Return: max_file_heaps, at least 1.
 */
u32 wsheap_max_file_heaps(void)
{
	return max_t(u32, READ_ONCE(max_file_heaps), 1);
}

long wsheap_stat_user_heaps(void)
{
	return atomic_long_read(&wsheap_total_heaps);
}

long wsheap_stat_user_pages(void)
{
	return atomic_long_read(&wsheap_total_pages);
}

/**
 * wsheap_users_show() - List each user's heaps and pages.
 * @m: the debugfs file
 *
 * One line per user that has /dev/wsheap open or a heap alive: the uid as
 * the initial user namespace sees it, its heaps and its pages.
 *
 * Context: Process context.
 */
void wsheap_users_show(struct seq_file *m)
{
	struct wsheap_user *user;
	unsigned int bkt;

	spin_lock(&wsheap_users_lock);
	hash_for_each(wsheap_users, bkt, user, node)
		seq_printf(m, "user %u heaps %ld pages %ld\n",
			   from_kuid(&init_user_ns, user->uid),
			   atomic_long_read(&user->heaps), atomic_long_read(&user->pages));
	spin_unlock(&wsheap_users_lock);
}
