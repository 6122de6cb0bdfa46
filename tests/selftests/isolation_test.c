// SPDX-License-Identifier: GPL-2.0-only
/*
 * Heaps do not leak between processes or between heaps: another process's
 * descriptor reaches none of a heap's ids or offsets, and memory a heap is
 * given is zero, even when the pages were just given back by another heap
 * that had written them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/wsheap.h>

#include "kselftest_harness.h"
#include "device.h"

#define PAGE 4096UL

struct heap {
	__u32 id;
	__u64 offset, size;
	unsigned char *mem;
};

static int dev_open(void)
{
	return open("/dev/wsheap", O_RDWR | O_CLOEXEC);
}

static int heap_op(int fd, unsigned long cmd, __u32 id, __u64 bytes)
{
	struct wsheap_heap_op op = { .size = sizeof(op), .heap_id = id, .bytes = bytes };

	return ioctl(fd, cmd, &op) ? -errno : 0;
}

/* A heap of @bytes, all backed and mapped. */
static int heap_new(int fd, __u64 bytes, struct heap *h)
{
	struct wsheap_create c = { .size = sizeof(c), .max_bytes = bytes, .trim_bytes = 0 };
	int ret;

	if (ioctl(fd, WSHEAP_IOC_CREATE, &c))
		return -errno;
	h->id = c.heap_id;
	h->offset = c.mmap_offset;
	h->size = c.mmap_size;
	ret = heap_op(fd, WSHEAP_IOC_GROW, h->id, bytes);
	if (ret)
		return ret;
	h->mem = mmap(NULL, h->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)h->offset);
	return h->mem == MAP_FAILED ? -errno : 0;
}

/* Offset of the first non-zero byte in @mem, or -1. */
static long first_nonzero(const unsigned char *mem, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (mem[i])
			return (long)i;
	return -1;
}

/* Another process, with its own descriptor, reaches nothing of ours. */
TEST(ids_and_offsets_are_per_open_file)
{
	struct wsheap_heap_info info = { .size = sizeof(info) };
	int fd, status;
	struct heap h;
	pid_t pid;

	SKIP_IF_NO_DEVICE();
	fd = dev_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, heap_new(fd, 64 * PAGE, &h));
	memset(h.mem, 0x5c, 64 * PAGE);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int other = dev_open();
		void *p;

		if (other < 0)
			_exit(1);
		info.heap_id = h.id;
		if (!ioctl(other, WSHEAP_IOC_HEAP_INFO, &info) || errno != ENOENT)
			_exit(2);
		if (heap_op(other, WSHEAP_IOC_GROW, h.id, PAGE) != -ENOENT ||
		    heap_op(other, WSHEAP_IOC_TRIM, h.id, 0) != -ENOENT ||
		    heap_op(other, WSHEAP_IOC_RESET, h.id, 0) != -ENOENT ||
		    heap_op(other, WSHEAP_IOC_DESTROY, h.id, 0) != -ENOENT)
			_exit(3);
		p = mmap(NULL, h.size, PROT_READ, MAP_SHARED, other, (off_t)h.offset);
		if (p != MAP_FAILED || errno != EINVAL)
			_exit(4);
		/* Its own heap at the same id and offset holds its own zeroes. */
		{
			struct heap mine;

			if (heap_new(other, 64 * PAGE, &mine) || mine.id != h.id ||
			    mine.offset != h.offset || first_nonzero(mine.mem, 64 * PAGE) != -1)
				_exit(5);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Untouched. */
	info.heap_id = h.id;
	ASSERT_EQ(0, ioctl(fd, WSHEAP_IOC_HEAP_INFO, &info));
	EXPECT_EQ(64 * PAGE, info.actual_bytes);
	EXPECT_EQ(0x5c, h.mem[0]);
	EXPECT_EQ(0x5c, h.mem[64 * PAGE - 1]);
	close(fd);
}

/*
 * Pages one heap wrote and gave back (destroy, trim, reset past the trim
 * size), in this process or another, come to the next heap zeroed.
 */
TEST(recycled_pages_are_zeroed)
{
	const size_t bytes = 512 * PAGE;
	struct heap a, b;
	int round, fd, status;
	pid_t pid;

	SKIP_IF_NO_DEVICE();
	fd = dev_open();
	ASSERT_LE(0, fd);
	for (round = 0; round < 8; round++) {
		/* Another process writes its heap and exits; we grow ours. */
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int other = dev_open();
			struct heap h;

			if (other < 0 || heap_new(other, bytes, &h))
				_exit(1);
			memset(h.mem, 0xa5, bytes);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_EQ(0, status);
		ASSERT_EQ(0, heap_new(fd, bytes, &a));
		ASSERT_EQ(-1, first_nonzero(a.mem, bytes)) TH_LOG("round %d: after another process", round);

		/* Same process: destroy a written heap, create another. */
		memset(a.mem, 0x3c, bytes);
		ASSERT_EQ(0, munmap(a.mem, a.size));
		ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_DESTROY, a.id, 0));
		ASSERT_EQ(0, heap_new(fd, bytes, &b));
		ASSERT_EQ(-1, first_nonzero(b.mem, bytes)) TH_LOG("round %d: after destroy", round);

		/* Trim and reset past the trim size, then grow again. */
		memset(b.mem, 0x77, bytes);
		ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_TRIM, b.id, bytes / 2));
		ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, b.id, bytes));
		ASSERT_EQ(0x77, b.mem[0]);
		ASSERT_EQ(-1, first_nonzero(b.mem + bytes / 2, bytes / 2))
			TH_LOG("round %d: after trim", round);
		memset(b.mem, 0x77, bytes);
		ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_RESET, b.id, 0));	/* trim 0 */
		ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, b.id, bytes));
		ASSERT_EQ(-1, first_nonzero(b.mem, bytes)) TH_LOG("round %d: after reset", round);
		ASSERT_EQ(0, munmap(b.mem, b.size));
		ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_DESTROY, b.id, 0));
	}
	close(fd);
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/* A fork() child gets no heap mapping: the parent's address is empty there. */
TEST(fork_child_has_no_mapping)
{
	int fd, status;
	struct heap h;
	pid_t pid;

	SKIP_IF_NO_DEVICE();
	fd = dev_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, heap_new(fd, 16 * PAGE, &h));
	memset(h.mem, 0x42, 16 * PAGE);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		volatile unsigned char *p = h.mem;
		int sig;

		signal(SIGSEGV, on_fault);
		signal(SIGBUS, on_fault);
		sig = sigsetjmp(fault_jmp, 1);
		if (!sig)
			_exit(p[0] == 0x42 ? 1 : 2);
		_exit(sig == SIGSEGV ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0x42, h.mem[16 * PAGE - 1]);
	close(fd);
}

TEST_HARNESS_MAIN
