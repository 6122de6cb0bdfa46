/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * wsheap: arena heaps in the style of the WWSAPI WS_HEAP.
 *
 * User-space interface of /dev/wsheap.  Every command takes a pointer to a
 * struct whose first member, @size, is the number of bytes of the struct the
 * caller knows about.  The kernel accepts any @size from the command's first
 * version (the ``*_SIZE_VER0`` constant) upwards: a shorter struct than the
 * kernel's is treated as if the missing tail were zero, and a longer one is
 * accepted only if the bytes the kernel does not know are zero (otherwise
 * -E2BIG).  Fields are only ever added at the end.
 *
 * See Documentation/userspace-api.rst for every command and errno.
 */
#ifndef _UAPI_LINUX_WSHEAP_H
#define _UAPI_LINUX_WSHEAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* ioctl type code; 0xBB is unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst */
#define WSHEAP_IOC_TYPE		0xBB

/*
 * Bumped only for an incompatible change of this interface, which is meant
 * never to happen: new capabilities are announced by feature bits instead.
 */
#define WSHEAP_ABI_VERSION	1

/**
 * struct wsheap_info - Version and capabilities of the loaded module
 * @size: in: sizeof(struct wsheap_info) as the caller compiled it;
 *	out: the number of bytes the kernel wrote, which is the smaller of the
 *	caller's and the kernel's size.
 * @flags: in: must be 0.
 * @abi_version: out: %WSHEAP_ABI_VERSION of the module.
 * @__reserved: must be 0.
 * @features: out: the WSHEAP_FEATURE_* bits the module supports.  Bits the
 *	caller does not know must be ignored.
 *
 * Argument of %WSHEAP_IOC_GET_INFO.  Output fields are ignored on input, so
 * one struct can be reused for several calls.
 */
struct wsheap_info {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 __reserved;
	__aligned_u64 features;
};

#define WSHEAP_INFO_SIZE_VER0	24

/*
 * WSHEAP_FEATURE_*: capability bits reported in &wsheap_info.features.  No
 * capability beyond %WSHEAP_IOC_GET_INFO exists yet; bits are added here as
 * commands land.
 */

/*
 * Commands.  The argument is always a pointer to the struct named in the
 * comment; its size travels in the struct, not in the command number, so
 * the number stays the same when the struct grows.
 */
#define WSHEAP_IOC_GET_INFO	_IO(WSHEAP_IOC_TYPE, 0x00)	/* struct wsheap_info */

#endif /* _UAPI_LINUX_WSHEAP_H */
