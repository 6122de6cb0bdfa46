/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * Declarations shared by the files of libwsheap; nothing here is API.
 */
#ifndef WSHEAP_INTERNAL_H
#define WSHEAP_INTERNAL_H

#include <wsheap.h>

/* Marks the functions the shared library exports; all else stays hidden. */
#define WSHEAP_API __attribute__((visibility("default")))

int wsheap_ioctl(int fd, unsigned long cmd, void *arg);

struct wsheap_backend;

/*
 * A heap is a window of address space whose first @backing bytes are
 * memory; allocation bumps @cur.  The fast path of WsAlloc() needs only
 * @cur and @end: @end is never past the backing, nor further from @cur
 * than the quota still allows, so one comparison checks both.
 */
struct _WS_HEAP {
	char *cur;
	char *end;
	SIZE_T requested;
	SIZE_T max_size;
	SIZE_T trim_size;
	char *base;			/* the window */
	size_t window;			/* bytes of the window */
	size_t backing;			/* bytes of it backed by memory */
	uint64_t kernel_entries;
	const struct wsheap_backend *backend;
	uint32_t id;			/* device backend: the kernel's heap id */
};

struct wsheap_backend {
	const char *name;
	/* Reserve heap->window bytes at heap->base; no memory yet. */
	int (*create)(WS_HEAP *heap);
	/* Back the first @bytes (page-aligned, more than now) of the window. */
	int (*grow)(WS_HEAP *heap, size_t bytes);
	/* Keep the first @bytes (page-aligned, less than now); revoke the rest. */
	int (*trim)(WS_HEAP *heap, size_t bytes);
	void (*destroy)(WS_HEAP *heap);
};

extern const struct wsheap_backend wsheap_backend_device;
extern const struct wsheap_backend wsheap_backend_process;

/* Add a string, formatted printf-style in ASCII, to @error if not NULL. */
void wsheap_error_addf(WS_ERROR *error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* WSHEAP_INTERNAL_H */
