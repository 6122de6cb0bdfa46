// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * raw_ioctl: what libwsheap does underneath, for those writing bindings
 * for another language.  A heap's pages belong to the kernel; a program
 * maps its window once and allocates in it without system calls, entering
 * the kernel only to grow the backing and to give pages back.  Pages given
 * back are unmapped first: a stale pointer into them gets SIGBUS, never
 * another heap's data.  The ioctls are in <linux/wsheap.h> and
 * Documentation/userspace-api.rst.
 *
 * Build: cc raw_ioctl.c $(pkg-config --cflags wsheap)
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/wsheap.h>

static sigjmp_buf fault;

static void on_sigbus(int sig)
{
	siglongjmp(fault, sig);
}

/* Every call is expected to succeed: stop at the first that does not. */
static void check(int ret, const char *what)
{
	if (ret < 0) {
		perror(what);
		exit(1);
	}
}

int main(void)
{
	struct wsheap_info info = { .size = sizeof(info) };
	struct wsheap_create create = { .size = sizeof(create), .max_bytes = 1 << 20,
					.trim_bytes = 16 << 10 };
	struct wsheap_heap_op op = { .size = sizeof(op) };
	struct wsheap_heap_info hinfo = { .size = sizeof(hinfo) };
	volatile char *base;
	int fd, sig;

	/* One open file serves every heap of the process. */
	fd = open("/dev/wsheap", O_RDWR | O_CLOEXEC);
	check(fd, "/dev/wsheap");
	check(ioctl(fd, WSHEAP_IOC_GET_INFO, &info), "WSHEAP_IOC_GET_INFO");
	if (info.abi_version != WSHEAP_ABI_VERSION || !(info.features & WSHEAP_FEATURE_HEAPS)) {
		fprintf(stderr, "raw_ioctl: the module speaks ABI %u, not %u\n", info.abi_version,
			WSHEAP_ABI_VERSION);
		return 1;
	}

	/* A heap: an id, and a window to map once. */
	check(ioctl(fd, WSHEAP_IOC_CREATE, &create), "WSHEAP_IOC_CREATE");
	base = mmap(NULL, create.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)create.mmap_offset);
	check(base == MAP_FAILED ? -1 : 0, "mmap");
	printf("heap %u: a %llu-byte window, no backing yet\n", create.heap_id,
	       (unsigned long long)create.mmap_size);

	/* Backing for the first 64 KiB of the window: zeroed pages. */
	op.heap_id = create.heap_id;
	op.bytes = 64 << 10;
	check(ioctl(fd, WSHEAP_IOC_GROW, &op), "WSHEAP_IOC_GROW");
	strcpy((char *)base + 40000, "written without a system call");
	printf("grown to %llu bytes; at +40000: \"%s\"\n",
	       (unsigned long long)op.actual_bytes, (const char *)base + 40000);

	/* Reset: back to the trim size given at creation, 16 KiB. */
	op.bytes = 0;
	check(ioctl(fd, WSHEAP_IOC_RESET, &op), "WSHEAP_IOC_RESET");
	hinfo.heap_id = create.heap_id;
	check(ioctl(fd, WSHEAP_IOC_HEAP_INFO, &hinfo), "WSHEAP_IOC_HEAP_INFO");
	printf("reset: %llu bytes kept (trim size %llu), %llu grow call(s) so far\n",
	       (unsigned long long)hinfo.actual_bytes, (unsigned long long)hinfo.trim_bytes,
	       (unsigned long long)hinfo.grow_calls);

	/* The page at +40000 was given back: touching it faults. */
	signal(SIGBUS, on_sigbus);
	sig = sigsetjmp(fault, 1);
	if (!sig)
		(void)base[40000];
	printf("touching +40000 after the reset: %s\n", sig ? strsignal(sig) : "no fault (wrong!)");

	check(ioctl(fd, WSHEAP_IOC_DESTROY, &op), "WSHEAP_IOC_DESTROY");
	munmap((void *)base, create.mmap_size);
	close(fd);
	return sig == SIGBUS ? 0 : 1;
}
