/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations shared by the files of wsheap.ko and its KUnit suite.
 */
#ifndef _WSHEAP_INTERNAL_H
#define _WSHEAP_INTERNAL_H

#include <kunit/visibility.h>
#include <linux/miscdevice.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/wsheap.h>

/* Feature bits this build of the module reports in &wsheap_info.features. */
#define WSHEAP_FEATURES		(WSHEAP_FEATURE_HEAPS | WSHEAP_FEATURE_SHMEM | \
				 WSHEAP_FEATURE_SPARSE)

struct fault_attr;
struct seq_file;
struct wsheap;
struct wsheap_user;

/* Module-wide accounting, shown in debugfs wsheap/stats. */
long wsheap_stat_heaps(void);
long wsheap_stat_pages(void);
struct fault_attr *wsheap_fail_alloc_attr(void);
long wsheap_stat_user_heaps(void);
long wsheap_stat_user_pages(void);
void wsheap_users_show(struct seq_file *m);

/* What the users of /dev/wsheap hold, against their limits (wsheap_account.c). */
struct wsheap_user *wsheap_user_get(kuid_t uid);
void wsheap_user_hold(struct wsheap_user *user);
void wsheap_user_put(struct wsheap_user *user);
int wsheap_charge_pages(struct wsheap_user *user, atomic_long_t *file_pages, unsigned long n);
void wsheap_uncharge_pages(struct wsheap_user *user, atomic_long_t *file_pages, unsigned long n);
int wsheap_charge_heap(struct wsheap_user *user);
void wsheap_uncharge_heap(struct wsheap_user *user);
u32 wsheap_max_file_heaps(void);

/* /dev/wsheap, registered last at load and removed first at unload. */
int wsheap_dev_init(void);
void wsheap_dev_exit(void);

#if IS_ENABLED(CONFIG_KUNIT)
extern struct miscdevice wsheap_misc;
int wsheap_info_fill(struct wsheap_info *info);
unsigned int wsheap_chunk_count(struct wsheap *heap);
#endif

#endif /* _WSHEAP_INTERNAL_H */
