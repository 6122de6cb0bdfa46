/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The differences between the kernels wsheap supports (6.1 and 6.12), in
 * one place.  kernel/Kbuild probes the kernel's headers and defines the
 * WSHEAP_HAVE_* macros this file reads.
 */
#ifndef _WSHEAP_COMPAT_H
#define _WSHEAP_COMPAT_H

#include <linux/mm.h>

#ifdef WSHEAP_HAVE_VM_FLAGS_SET
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

#endif /* _WSHEAP_COMPAT_H */
