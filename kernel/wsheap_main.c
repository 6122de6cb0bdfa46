// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsheap: arena heaps in the style of the WWSAPI WS_HEAP.
 *
 * This file is the module's frame: init and exit, and debugfs
 * (wsheap/stats, the module-wide count of heaps and pages, and
 * wsheap/fail_alloc, fault injection for in-kernel chunk allocation).  The
 * in-kernel heaps are in wsheap_heap.c; /dev/wsheap and the user heaps in
 * wsheap_dev.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "wsheap_internal.h"

static struct dentry *wsheap_debugfs;

static int wsheap_stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "heaps %ld\npages %ld\nuser_heaps %ld\nuser_pages %ld\n",
		   wsheap_stat_heaps(), wsheap_stat_pages(),
		   wsheap_stat_user_heaps(), wsheap_stat_user_pages());
	wsheap_users_show(m);
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

	ret = wsheap_dev_init();
	if (ret)
		goto err_remove_debugfs;
	return 0;

err_remove_debugfs:
	debugfs_remove_recursive(wsheap_debugfs);
	return ret;
}
module_init(wsheap_init);

static void __exit wsheap_exit(void)
{
	wsheap_dev_exit();
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
