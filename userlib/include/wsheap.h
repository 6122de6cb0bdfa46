/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libwsheap: arena heaps in the style of the Windows Web Services (WWSAPI)
 * WS_HEAP, backed by the wsheap kernel module through /dev/wsheap.
 *
 * Besides the WWSAPI names, the library exports a few functions of its own,
 * all prefixed wsheap_, for what WWSAPI has no name for.
 */
#ifndef WSHEAP_H
#define WSHEAP_H

#include <linux/wsheap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The character device the kernel module registers. */
#define WSHEAP_DEVICE_PATH "/dev/wsheap"

/**
 * wsheap_open_device() - Open /dev/wsheap and check that the module loaded
 * speaks the ABI this library was built for.
 * @info: if not NULL, receives the module's ABI version and feature bits.
 *
 * Return: a file descriptor, opened read-write and close-on-exec, or a
 * negative errno: -ENOENT if the device does not exist (the module is not
 * loaded), -EPROTO if the module's ABI version is not WSHEAP_ABI_VERSION,
 * or the errno of the failed open() or ioctl().  errno is left unchanged.
 */
int wsheap_open_device(struct wsheap_info *info);

#ifdef __cplusplus
}
#endif

#endif /* WSHEAP_H */
