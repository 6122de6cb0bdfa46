// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsheap: arena heaps in the style of the WWSAPI WS_HEAP.
 *
 * This file is the module's frame: debugfs (wsheap/stats, the module-wide
 * count of heaps and pages, and wsheap/fail_alloc, fault injection for
 * chunk allocation), and /dev/wsheap and its ioctls.  The heaps themselves
 * are in wsheap_heap.c.  Every command
 * takes a size-prefixed struct (see uapi/linux/wsheap.h), copied in by
 * wsheap_copy_arg_from_user() so that all commands share one set of rules
 * for short, long and malformed arguments.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "wsheap_internal.h"

/*
 * Copy a size-prefixed argument: @ver0_size <= *@usize is required, a
 * shorter struct than the kernel's reads as zero-extended and a longer one
 * must have a zero tail (-E2BIG otherwise, from copy_struct_from_user()).
 */
static int wsheap_copy_arg_from_user(void *karg, size_t ksize, size_t ver0_size,
				     const void __user *uarg, u32 *usize)
{
	int ret;

	if (get_user(*usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (*usize < ver0_size)
		return -EINVAL;
	ret = copy_struct_from_user(karg, ksize, uarg, *usize);
	if (ret)
		return ret;
	/* Report back how much of the struct this kernel understood. */
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

static long wsheap_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case WSHEAP_IOC_GET_INFO:
		return wsheap_ioctl_get_info(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations wsheap_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = wsheap_ioctl,
	/* Every argument is a pointer to a struct laid out alike on 32 and 64 bits. */
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * World-accessible: what a heap may take is bounded by its max size and
 * charged to its creator's memory cgroup, like any anonymous memory.
 */
VISIBLE_IF_KUNIT struct miscdevice wsheap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "wsheap",
	.fops = &wsheap_fops,
	.mode = 0666,
};
EXPORT_SYMBOL_IF_KUNIT(wsheap_misc);

static struct dentry *wsheap_debugfs;

static int wsheap_stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "heaps %ld\npages %ld\n", wsheap_stat_heaps(), wsheap_stat_pages());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wsheap_stats);

static int __init wsheap_init(void)
{
	int ret;

	/* debugfs is a debugging aid: its failures are not the module's. */
	wsheap_debugfs = debugfs_create_dir("wsheap", NULL);
	debugfs_create_file("stats", 0444, wsheap_debugfs, NULL, &wsheap_stats_fops);
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("fail_alloc", wsheap_debugfs, wsheap_fail_alloc_attr());
#endif

	ret = misc_register(&wsheap_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", wsheap_misc.name, ret);
		goto err_remove_debugfs;
	}
	return 0;

err_remove_debugfs:
	debugfs_remove_recursive(wsheap_debugfs);
	return ret;
}
module_init(wsheap_init);

static void __exit wsheap_exit(void)
{
	misc_deregister(&wsheap_misc);
	debugfs_remove_recursive(wsheap_debugfs);
	/*
	 * Heaps pin the module only through the symbols their creators use;
	 * a creator that unloaded without destroying its heaps leaked them.
	 * Their memory stays leaked: nothing says no one still points into it.
	 */
	if (wsheap_stat_heaps())
		pr_err("%ld heaps holding %ld pages were never destroyed\n",
		       wsheap_stat_heaps(), wsheap_stat_pages());
}
module_exit(wsheap_exit);

MODULE_DESCRIPTION("Arena heaps in the style of the WWSAPI WS_HEAP");
MODULE_LICENSE("GPL");
