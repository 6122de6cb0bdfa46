// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compile test: this builds only where shmem_file_setup() takes its flags
 * as an unsigned long of VM_* bits (before vma_flags_t; passing an integer
 * for a struct is an error).  Never loaded.
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/shmem_fs.h>

struct file *wsheap_probe_shmem_flags(void);

struct file *wsheap_probe_shmem_flags(void)
{
	return shmem_file_setup("wsheap-probe", PAGE_SIZE, VM_NORESERVE);
}
EXPORT_SYMBOL_GPL(wsheap_probe_shmem_flags);

MODULE_DESCRIPTION("wsheap: shmem_file_setup() flags probe, for tests/compat");
MODULE_LICENSE("GPL");
