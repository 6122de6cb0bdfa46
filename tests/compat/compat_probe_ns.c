// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compile test: a kernel that takes a namespace as a string literal
 * records WSHEAP_PROBE; one that stringifies a bare word records the
 * quotes too.  Never loaded.
 */
#include <linux/module.h>

MODULE_IMPORT_NS("WSHEAP_PROBE");
MODULE_DESCRIPTION("wsheap: namespace spelling probe, for tests/compat");
MODULE_LICENSE("GPL");
