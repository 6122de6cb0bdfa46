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

#include <linux/const.h>
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
 * WSHEAP_FEATURE_*: capability bits reported in &wsheap_info.features.
 *
 * WSHEAP_FEATURE_HEAPS: user heaps, %WSHEAP_IOC_CREATE to
 * %WSHEAP_IOC_RESET and mmap() of a heap's window.
 */
#define WSHEAP_FEATURE_HEAPS	_BITULL(0)
/*
 * WSHEAP_FEATURE_SHMEM: heap pages are shmem pages, swappable and counted in
 * RssShmem; limits are per user; a pinned page a trim takes stays counted
 * until its pin goes.
 */
#define WSHEAP_FEATURE_SHMEM	_BITULL(1)
/*
 * WSHEAP_FEATURE_SPARSE: %WSHEAP_CREATE_SPARSE heaps, whose backing is any
 * set of pages of the window, changed by %WSHEAP_IOC_BACK and
 * %WSHEAP_IOC_REVOKE.
 */
#define WSHEAP_FEATURE_SPARSE	_BITULL(2)

/**
 * struct wsheap_create - Create a heap
 * @size: in: sizeof(struct wsheap_create); out: bytes the kernel wrote.
 * @flags: in: 0, or %WSHEAP_CREATE_SPARSE.
 * @max_bytes: in: the most backing memory the heap may ever hold, in bytes,
 *	rounded up to whole pages; at least 1, and for a sparse heap at most
 *	%WSHEAP_SPARSE_MAX_BYTES.
 * @trim_bytes: in: the backing %WSHEAP_IOC_RESET keeps, in bytes, rounded
 *	up to whole pages; larger than @max_bytes means all of it.
 * @heap_id: out: the heap's id, valid on this open file only.
 * @__reserved: must be 0.
 * @mmap_offset: out: the offset at which to mmap() the heap's window.
 * @mmap_size: out: the window's length, @max_bytes rounded up to pages.
 *
 * Argument of %WSHEAP_IOC_CREATE.  The heap starts with no backing.  A
 * heap's backing is the first pages of its window, grown and trimmed with
 * %WSHEAP_IOC_GROW, %WSHEAP_IOC_TRIM and %WSHEAP_IOC_RESET; a sparse heap's
 * is any set of its pages, changed with %WSHEAP_IOC_BACK and
 * %WSHEAP_IOC_REVOKE only, so that one mapping can serve many arenas.
 */
struct wsheap_create {
	__u32 size;
	__u32 flags;
	__aligned_u64 max_bytes;
	__aligned_u64 trim_bytes;
	__u32 heap_id;
	__u32 __reserved;
	__aligned_u64 mmap_offset;
	__aligned_u64 mmap_size;
};

#define WSHEAP_CREATE_SIZE_VER0	48

/* &wsheap_create.flags: backing is any set of pages (WSHEAP_FEATURE_SPARSE). */
#define WSHEAP_CREATE_SPARSE		_BITUL(0)
/* The largest window of a sparse heap: 4 GiB. */
#define WSHEAP_SPARSE_MAX_BYTES		_BITULL(32)

/**
 * struct wsheap_heap_op - Grow, trim or destroy a heap
 * @size: in: sizeof(struct wsheap_heap_op); out: bytes the kernel wrote.
 * @heap_id: in: the heap, from &wsheap_create.heap_id.
 * @flags: in: must be 0.
 * @__reserved: must be 0.
 * @bytes: in: %WSHEAP_IOC_GROW: the backing the heap must hold at least;
 *	%WSHEAP_IOC_TRIM: the backing it may keep, the rest is given back;
 *	%WSHEAP_IOC_RESET and %WSHEAP_IOC_DESTROY: must be 0.  Rounded up to
 *	whole pages.
 * @actual_bytes: out: the heap's backing after the call.
 *
 * Argument of %WSHEAP_IOC_GROW, %WSHEAP_IOC_TRIM, %WSHEAP_IOC_RESET and
 * %WSHEAP_IOC_DESTROY.
 */
struct wsheap_heap_op {
	__u32 size;
	__u32 heap_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 bytes;
	__aligned_u64 actual_bytes;
};

#define WSHEAP_HEAP_OP_SIZE_VER0	32

/**
 * struct wsheap_heap_info - A heap's kernel-side figures
 * @size: in: sizeof(struct wsheap_heap_info); out: bytes the kernel wrote.
 * @heap_id: in: the heap.
 * @flags: in: must be 0.
 * @__reserved: must be 0.
 * @max_bytes: out: the cap on its backing, in bytes (whole pages).
 * @trim_bytes: out: the backing a reset keeps, in bytes (whole pages).
 * @actual_bytes: out: the backing it holds, in bytes (whole pages).
 * @grow_calls: out: how many %WSHEAP_IOC_GROW calls added backing to it.
 * @mmap_offset: out: as &wsheap_create.mmap_offset.
 * @mmap_size: out: as &wsheap_create.mmap_size.
 *
 * Argument of %WSHEAP_IOC_HEAP_INFO.
 */
struct wsheap_heap_info {
	__u32 size;
	__u32 heap_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 max_bytes;
	__aligned_u64 trim_bytes;
	__aligned_u64 actual_bytes;
	__aligned_u64 grow_calls;
	__aligned_u64 mmap_offset;
	__aligned_u64 mmap_size;
};

#define WSHEAP_HEAP_INFO_SIZE_VER0	64

/**
 * struct wsheap_range - Back or revoke pages of a sparse heap
 * @size: in: sizeof(struct wsheap_range); out: bytes the kernel wrote.
 * @heap_id: in: a heap created with %WSHEAP_CREATE_SPARSE.
 * @flags: in: must be 0.
 * @__reserved: must be 0.
 * @offset: in: the first byte of the range in the heap's window; a
 *	multiple of the page size.
 * @length: in: the range's length in bytes; a multiple of the page size,
 *	at least one page, and the range must lie inside the window.
 * @actual_bytes: out: the heap's backing after the call.
 *
 * Argument of %WSHEAP_IOC_BACK, which backs every page of the range that
 * is not yet backed (zeroed), and of %WSHEAP_IOC_REVOKE, which gives back
 * every backed page of it: its mappings fault from then on.
 */
struct wsheap_range {
	__u32 size;
	__u32 heap_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 offset;
	__aligned_u64 length;
	__aligned_u64 actual_bytes;
};

#define WSHEAP_RANGE_SIZE_VER0	40

/*
 * Commands.  The argument is always a pointer to the struct named in the
 * comment; its size travels in the struct, not in the command number, so
 * the number stays the same when the struct grows.
 */
#define WSHEAP_IOC_GET_INFO	_IO(WSHEAP_IOC_TYPE, 0x00)	/* struct wsheap_info */
#define WSHEAP_IOC_CREATE	_IO(WSHEAP_IOC_TYPE, 0x01)	/* struct wsheap_create */
#define WSHEAP_IOC_DESTROY	_IO(WSHEAP_IOC_TYPE, 0x02)	/* struct wsheap_heap_op */
#define WSHEAP_IOC_GROW		_IO(WSHEAP_IOC_TYPE, 0x03)	/* struct wsheap_heap_op */
#define WSHEAP_IOC_TRIM		_IO(WSHEAP_IOC_TYPE, 0x04)	/* struct wsheap_heap_op */
#define WSHEAP_IOC_HEAP_INFO	_IO(WSHEAP_IOC_TYPE, 0x05)	/* struct wsheap_heap_info */
#define WSHEAP_IOC_RESET	_IO(WSHEAP_IOC_TYPE, 0x06)	/* struct wsheap_heap_op */
#define WSHEAP_IOC_BACK		_IO(WSHEAP_IOC_TYPE, 0x07)	/* struct wsheap_range */
#define WSHEAP_IOC_REVOKE	_IO(WSHEAP_IOC_TYPE, 0x08)	/* struct wsheap_range */

#endif /* _UAPI_LINUX_WSHEAP_H */
