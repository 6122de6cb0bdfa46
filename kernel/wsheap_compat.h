/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The differences between the kernels wsheap supports (6.1, 6.12 and 7.x),
 * in one place.  Each is decided by the kernel's version, not by looking
 * for a word in its headers, so a header that is laid out differently
 * cannot pick the wrong branch, and tests/compat checks every bound
 * against a compile test on each kernel.  The namespace the API is
 * exported in is the one difference a driver sees too, so <linux/wsheap.h>
 * spells it (WSHEAP_NS), by the same version bound as WSHEAP_HAVE_STRING_NS.
 */
#ifndef _WSHEAP_COMPAT_H
#define _WSHEAP_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/*
 * Each difference is a WSHEAP_HAVE_* of 0 or 1, which tests/compat
 * compares with what a compile test finds on each kernel.
 */
#define WSHEAP_HAVE_VM_FLAGS_SET	(KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE)
#define WSHEAP_HAVE_STRING_NS		(KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE)
#define WSHEAP_HAVE_SHMEM_VMA_FLAGS	(KERNEL_VERSION(7, 0, 0) <= LINUX_VERSION_CODE)
#define WSHEAP_HAVE_FOLIO_BATCH_H	(KERNEL_VERSION(7, 0, 0) <= LINUX_VERSION_CODE)

#if WSHEAP_HAVE_VM_FLAGS_SET
#define wsheap_vm_flags_set(vma, flags)		vm_flags_set(vma, flags)
#define wsheap_vm_flags_clear(vma, flags)	vm_flags_clear(vma, flags)
#else
/* vm_flags_set() and vm_flags_clear() came in 6.3; before, vm_flags was written directly. */
static inline void wsheap_vm_flags_set(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void wsheap_vm_flags_clear(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * The flags of shmem_file_setup(): a vma_flags_t since 7.0, an unsigned
 * long of VM_* bits before.
 */
#if WSHEAP_HAVE_SHMEM_VMA_FLAGS
#define WSHEAP_SHMEM_NORESERVE	mk_vma_flags(VMA_NORESERVE_BIT)
#else
#define WSHEAP_SHMEM_NORESERVE	VM_NORESERVE
#endif

/* struct folio_batch: in <linux/folio_batch.h> since 7.0, <linux/pagevec.h> before. */
#if WSHEAP_HAVE_FOLIO_BATCH_H
#include <linux/folio_batch.h>
#else
#include <linux/pagevec.h>
#endif

/* The namespace of EXPORT_SYMBOL_IF_KUNIT(): a string literal since 6.13. */
#if WSHEAP_HAVE_STRING_NS
#define WSHEAP_KUNIT_NS	"EXPORTED_FOR_KUNIT_TESTING"
#else
#define WSHEAP_KUNIT_NS	EXPORTED_FOR_KUNIT_TESTING
#endif

#endif /* _WSHEAP_COMPAT_H */
