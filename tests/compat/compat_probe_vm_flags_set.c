// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compile test: this builds only where vm_flags_set() exists (an
 * undeclared function is an error in kernel builds).  Never loaded.
 */
#include <linux/mm.h>
#include <linux/module.h>

void wsheap_probe_vm_flags_set(struct vm_area_struct *vma);

void wsheap_probe_vm_flags_set(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
}
EXPORT_SYMBOL_GPL(wsheap_probe_vm_flags_set);

MODULE_DESCRIPTION("wsheap: vm_flags_set() probe, for tests/compat");
MODULE_LICENSE("GPL");
