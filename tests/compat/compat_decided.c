// SPDX-License-Identifier: GPL-2.0-only
/*
 * What wsheap_compat.h and <linux/wsheap.h> decided for the kernel this is
 * built for, recorded in the module's modinfo for tests/compat/run to
 * compare with the compile tests beside this file.  Never loaded.
 */
#include <linux/module.h>
#include <linux/wsheap.h>

#include "wsheap_compat.h"

/* As a driver writes it: must record exactly "WSHEAP" on every kernel. */
MODULE_IMPORT_NS(WSHEAP_NS);

#if WSHEAP_HAVE_VM_FLAGS_SET
MODULE_INFO(wsheap_have_vm_flags_set, "1");
#else
MODULE_INFO(wsheap_have_vm_flags_set, "0");
#endif

#if WSHEAP_HAVE_STRING_NS
MODULE_INFO(wsheap_have_string_ns, "1");
#else
MODULE_INFO(wsheap_have_string_ns, "0");
#endif

#if WSHEAP_HAVE_SHMEM_VMA_FLAGS
MODULE_INFO(wsheap_have_shmem_vma_flags, "1");
#else
MODULE_INFO(wsheap_have_shmem_vma_flags, "0");
#endif

#if WSHEAP_HAVE_FOLIO_BATCH_H
MODULE_INFO(wsheap_have_folio_batch_h, "1");
#else
MODULE_INFO(wsheap_have_folio_batch_h, "0");
#endif

MODULE_DESCRIPTION("wsheap: the compat decisions, for tests/compat");
MODULE_LICENSE("GPL");
