/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations shared by the files of wsheap.ko and its KUnit suite.
 */
#ifndef _WSHEAP_INTERNAL_H
#define _WSHEAP_INTERNAL_H

#include <kunit/visibility.h>
#include <linux/miscdevice.h>
#include <linux/types.h>
#include <uapi/linux/wsheap.h>

/* Feature bits this build of the module reports in &wsheap_info.features. */
#define WSHEAP_FEATURES		WSHEAP_FEATURE_HEAPS

struct fault_attr;
struct wsheap;

/* Module-wide accounting, shown in debugfs wsheap/stats. */
long wsheap_stat_heaps(void);
long wsheap_stat_pages(void);
struct fault_attr *wsheap_fail_alloc_attr(void);
long wsheap_stat_user_heaps(void);
long wsheap_stat_user_pages(void);

/* /dev/wsheap, registered last at load and removed first at unload. */
int wsheap_dev_init(void);
void wsheap_dev_exit(void);

#if IS_ENABLED(CONFIG_KUNIT)
extern struct miscdevice wsheap_misc;
int wsheap_info_fill(struct wsheap_info *info);
unsigned int wsheap_chunk_count(struct wsheap *heap);
#endif

#endif /* _WSHEAP_INTERNAL_H */
