// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory pressure: a process in a memory cgroup with a small limit fills
 * heaps until the kernel refuses.  It gets ENOMEM (E_OUTOFMEMORY through
 * the library), never the OOM killer, keeps working with what it has, and
 * another process's heap outside the cgroup is untouched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/wsheap.h>
#include <wsheap.h>

#include "kselftest_harness.h"
#include "device.h"
#include "memcg.h"

#define PAGE 4096UL
#define CGROUP "wsheap-pressure"

static int heap_op(int fd, unsigned long cmd, __u32 id, __u64 bytes)
{
	struct wsheap_heap_op op = { .size = sizeof(op), .heap_id = id, .bytes = bytes };

	return ioctl(fd, cmd, &op) ? -errno : 0;
}

/* The "oom_kill" count of memory.events in @cgroup, or -1. */
static long oom_kills(const char *cgroup)
{
	char path[256], key[64];
	long value, kills = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/memory.events", cgroup);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &value) == 2)
		if (!strcmp(key, "oom_kill"))
			kills = value;
	fclose(f);
	return kills;
}

/*
 * In the cgroup: heaps of 4 MiB grown a page-run at a time until the
 * kernel says no; exit 0 if every refusal was ENOMEM and the memory had
 * still works, else a code saying what went wrong.
 */
static int fill_until_refused(void)
{
	int fd = open("/dev/wsheap", O_RDWR | O_CLOEXEC);
	unsigned long total = 0;
	int heaps, refusals = 0, ret;

	if (fd < 0)
		return 10;
	for (heaps = 0; heaps < 64 && refusals < 8; heaps++) {
		struct wsheap_create c = { .size = sizeof(c), .max_bytes = 4 << 20 };
		unsigned long have = 0;
		unsigned char *mem;

		if (ioctl(fd, WSHEAP_IOC_CREATE, &c)) {
			if (errno != ENOMEM)
				return 11;
			refusals++;
			continue;
		}
		mem = mmap(NULL, c.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   (off_t)c.mmap_offset);
		if (mem == MAP_FAILED) {
			if (errno != ENOMEM)
				return 12;
			refusals++;
			continue;
		}
		while (have < c.mmap_size) {
			ret = heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, have + 64 * PAGE);
			if (ret) {
				if (ret != -ENOMEM)
					return 13;
				refusals++;
				break;
			}
			/* What was given is usable, to its last byte. */
			memset(mem + have, 0x6b, 64 * PAGE);
			have += 64 * PAGE;
			total += 64 * PAGE;
		}
		if (have && (mem[0] != 0x6b || mem[have - 1] != 0x6b))
			return 14;
	}
	if (!refusals)
		return 15;	/* the limit never bit */
	printf("# in a 24M cgroup: %lu KiB of heap memory, then %d refusals\n", total >> 10,
	       refusals);

	/* The library says E_OUTOFMEMORY, not a quota error. */
	{
		WS_HEAP *heap;
		void *p;
		HRESULT hr;

		setenv("WSHEAP_BACKEND", "device", 1);
		hr = WsCreateHeap(64 << 20, 0, NULL, 0, &heap, NULL);
		if (hr == S_OK) {
			hr = WsAlloc(heap, 32 << 20, &p, NULL);
			WsFreeHeap(heap);
		}
		if (hr != E_OUTOFMEMORY)
			return 16;
	}
	return 0;
}

TEST(full_cgroup_gets_enomem_not_the_oom_killer)
{
	struct wsheap_create c = { .size = sizeof(c), .max_bytes = 8 << 20 };
	unsigned char *mem;
	int dev, status;
	size_t i;
	pid_t pid;

	SKIP_IF_NO_DEVICE();
	/* A bystander's heap, outside the cgroup. */
	dev = open("/dev/wsheap", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, ioctl(dev, WSHEAP_IOC_CREATE, &c));
	ASSERT_EQ(0, heap_op(dev, WSHEAP_IOC_GROW, c.heap_id, 8 << 20));
	mem = mmap(NULL, c.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		   (off_t)c.mmap_offset);
	ASSERT_NE(MAP_FAILED, mem);
	for (i = 0; i < (8 << 20); i++)
		mem[i] = (unsigned char)(i * 7);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (enter_memcg(CGROUP, "24M"))
			_exit(20);
		write_file("/sys/fs/cgroup/" CGROUP "/memory.swap.max", "0");
		_exit(fill_until_refused());
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("the filler was killed by signal %d",
					       WTERMSIG(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, oom_kills(CGROUP));

	for (i = 0; i < (8 << 20); i++)
		ASSERT_EQ((unsigned char)(i * 7), mem[i]) TH_LOG("byte %zu changed", i);
	close(dev);
}

TEST_HARNESS_MAIN
