// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module's lifecycle: unloading is refused while anything holds it (an
 * open descriptor, or only a mapping), allowed once everything is gone,
 * and load/unload in a loop with processes coming and going leaves nothing
 * behind.  Runs in the guest of tests/vm/run, where the module is
 * /lib/wsheap/wsheap.ko; it leaves the module loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/wsheap.h>

#include "kselftest_harness.h"
#include "device.h"

#define MODULE_PATH "/lib/wsheap/wsheap.ko"

static int unload(void)
{
	return syscall(SYS_delete_module, "wsheap", O_NONBLOCK) ? -errno : 0;
}

static int load(void)
{
	int fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static bool loaded(void)
{
	return access("/sys/module/wsheap", F_OK) == 0;
}

/* /dev/wsheap appears shortly after the load: wait for it. */
static bool device_appears(void)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (access("/dev/wsheap", F_OK) == 0)
			return true;
		usleep(10000);
	}
	return false;
}

/* A heap, grown, mapped and written; returns the mapping or NULL. */
static void *use_a_heap(int fd)
{
	struct wsheap_create c = { .size = sizeof(c), .max_bytes = 1 << 20 };
	struct wsheap_heap_op op = { .size = sizeof(op), .bytes = 16 << 12 };
	void *p;

	if (ioctl(fd, WSHEAP_IOC_CREATE, &c))
		return NULL;
	op.heap_id = c.heap_id;
	if (ioctl(fd, WSHEAP_IOC_GROW, &op))
		return NULL;
	p = mmap(NULL, c.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)c.mmap_offset);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0x2e, 16 << 12);
	return p;
}

FIXTURE(lifecycle) {
	int unused;
};

FIXTURE_SETUP(lifecycle)
{
	/*
	 * Skip only without the module: a loaded one is tested, even if its
	 * node has not yet appeared after the last teardown's load().
	 */
	if (!loaded())
		SKIP_IF_NO_DEVICE();
	ASSERT_TRUE(loaded()) TH_LOG("wsheap is not loaded");
}

/* Whatever happened, the module is loaded again for what runs next. */
FIXTURE_TEARDOWN(lifecycle)
{
	if (!loaded())
		load();
}

enum hold { HOLD_FD, HOLD_MAPPING_ONLY, HOLD_NOTHING };

/*
 * Children that hold the module in different ways; unload is refused
 * until they exit, then allowed, then the module loads again.
 */
TEST_F(lifecycle, unload_refused_while_in_use)
{
	int round, i, status, ret;
	pid_t pids[3];
	int go[2], ready[2];
	char c;

	for (round = 0; round < 5; round++) {
		ASSERT_EQ(0, pipe(go));
		ASSERT_EQ(0, pipe(ready));
		for (i = 0; i < 3; i++) {
			pids[i] = fork();
			ASSERT_LE(0, pids[i]);
			if (pids[i] == 0) {
				int fd = open("/dev/wsheap", O_RDWR | O_CLOEXEC);
				void *p;

				close(go[1]);
				p = fd < 0 ? NULL : use_a_heap(fd);
				if (!p)
					_exit(1);
				if (i != HOLD_FD)
					close(fd);
				if (i == HOLD_NOTHING)
					munmap(p, 1 << 20);
				if (write(ready[1], "r", 1) != 1)
					_exit(2);
				if (i != HOLD_NOTHING && read(go[0], &c, 1) < 0)
					_exit(3);
				_exit(0);
			}
		}
		close(go[0]);
		for (i = 0; i < 3; i++)
			ASSERT_EQ(1, read(ready[0], &c, 1));
		/* A descriptor, or only a mapping: in use. */
		ret = unload();
		ASSERT_EQ(-EWOULDBLOCK, ret) TH_LOG("round %d: unload gave %d", round, ret);
		ASSERT_TRUE(loaded());
		ASSERT_EQ(0, access("/dev/wsheap", F_OK));
		close(go[1]);
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
			ASSERT_EQ(0, status) TH_LOG("child %d", i);
		}
		close(ready[0]);
		close(ready[1]);
		ASSERT_EQ(0, unload());
		ASSERT_FALSE(loaded());
		ASSERT_NE(0, access("/dev/wsheap", F_OK));
		ASSERT_EQ(0, load());
		ASSERT_TRUE(device_appears());
	}
}

/*
 * Load and unload in a loop while a process opens, uses and drops heaps as
 * fast as it can: each unload either waits its turn (EWOULDBLOCK) or wins,
 * and the process sees only a missing device meanwhile.
 */
TEST_F(lifecycle, load_unload_loop_with_processes_churning)
{
	int loads = 0, refusals = 0, status, i;
	struct timespec end, now;
	pid_t churner;

	churner = fork();
	ASSERT_LE(0, churner);
	if (churner == 0) {
		for (;;) {
			int fd = open("/dev/wsheap", O_RDWR | O_CLOEXEC);
			void *p;

			if (fd < 0) {
				if (errno != ENOENT && errno != ENODEV && errno != ENXIO)
					_exit(1);
				continue;
			}
			p = use_a_heap(fd);
			if (!p)
				_exit(2);
			close(fd);
			munmap(p, 1 << 20);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 10;
	for (i = 0;; i++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec && loads >= 3)
			break;
		if (now.tv_sec > end.tv_sec + 60)
			break;
		if (unload() == 0) {
			ASSERT_EQ(0, load());
			loads++;
		} else {
			refusals++;
		}
		usleep(1000 * (i % 20));
	}
	kill(churner, SIGKILL);
	ASSERT_EQ(churner, waitpid(churner, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("the churner exited with %d", WEXITSTATUS(status));
	ASSERT_LE(3, loads);
	TH_LOG("%d unloads and loads, %d refusals while in use", loads, refusals);
	ASSERT_TRUE(device_appears());
}

TEST_HARNESS_MAIN
