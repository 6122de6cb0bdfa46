// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shows the wsheap module at work: what `make demo` runs in a guest.  It
 * grows with the module.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <wsheap.h>

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/* A user heap: create, map, grow, write, trim, and touch what was given back. */
static int show_user_heap(int fd)
{
	struct wsheap_create c = { .size = sizeof(c), .max_bytes = 1 << 20 };
	struct wsheap_heap_op op = { .size = sizeof(op) };
	struct wsheap_heap_info info = { .size = sizeof(info) };
	volatile char *base;
	int sig;

	if (ioctl(fd, WSHEAP_IOC_CREATE, &c))
		return perror("WSHEAP_IOC_CREATE"), 1;
	printf("created heap %u: a %llu-byte window at offset %#llx\n", c.heap_id,
	       (unsigned long long)c.mmap_size, (unsigned long long)c.mmap_offset);
	base = mmap(NULL, c.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)c.mmap_offset);
	if (base == MAP_FAILED)
		return perror("mmap"), 1;

	op.heap_id = c.heap_id;
	op.bytes = 64 << 10;
	if (ioctl(fd, WSHEAP_IOC_GROW, &op))
		return perror("WSHEAP_IOC_GROW"), 1;
	printf("  grown to %llu bytes of zeroed pages; first byte %d\n",
	       (unsigned long long)op.actual_bytes, base[0]);
	strcpy((char *)base + 40000, "written in user space, no system call");
	printf("  at +40000: \"%s\"\n", (const char *)base + 40000);

	op.bytes = 4096;
	if (ioctl(fd, WSHEAP_IOC_TRIM, &op))
		return perror("WSHEAP_IOC_TRIM"), 1;
	info.heap_id = c.heap_id;
	ioctl(fd, WSHEAP_IOC_HEAP_INFO, &info);
	printf("  trimmed to %llu bytes (%llu grow call)\n",
	       (unsigned long long)info.actual_bytes, (unsigned long long)info.grow_calls);

	signal(SIGBUS, on_fault);
	sig = sigsetjmp(fault_jmp, 1);
	if (!sig)
		(void)base[40000];
	printf("  touching +40000 after the trim: %s\n",
	       sig ? strsignal(sig) : "no fault (wrong!)");

	op.bytes = 0;
	ioctl(fd, WSHEAP_IOC_DESTROY, &op);
	munmap((void *)base, c.mmap_size);
	return 0;
}

int main(void)
{
	struct wsheap_info info;
	int fd;

	fd = wsheap_open_device(&info);
	if (fd < 0) {
		fprintf(stderr, "wsheap_open_device: %s\n", strerror(-fd));
		return 1;
	}
	printf("opened %s through libwsheap\n", WSHEAP_DEVICE_PATH);
	printf("  module ABI version  %u (library speaks %u)\n",
	       info.abi_version, WSHEAP_ABI_VERSION);
	printf("  feature bits        %#llx\n", (unsigned long long)info.features);

	if (ioctl(fd, _IO(WSHEAP_IOC_TYPE, 0x7f)) < 0)
		printf("  unknown ioctl       refused: %s\n", strerror(errno));
	if (show_user_heap(fd))
		return 1;
	close(fd);
	return 0;
}
