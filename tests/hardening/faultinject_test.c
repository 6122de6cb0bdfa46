// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every allocation the module makes for user space, made to fail in turn.
 *
 * The kernel's fault injection (failslab, fail_page_alloc and the module's
 * own wsheap/fail_alloc) is scoped to this thread with
 * /proc/thread-self/fail-nth: writing N fails the N-th injectable
 * allocation of the thread's next calls.  For each operation, N runs from 1
 * until the operation completes without reaching an N-th site; every
 * injected failure must surface as ENOMEM (E_OUTOFMEMORY through the
 * library), leave the module's counts as they were, and leave the heap
 * usable.  DESTROY is also run with every slab allocation failing
 * (failslab's task filter), where one failure in a retried path is not
 * enough.  kmemleak, at the end of the run, checks that nothing leaked.
 * Needs the debug kernel (tests/vm/debug.config).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/wsheap.h>
#include <wsheap.h>

#include "kselftest_harness.h"
#include "device.h"
#include "memcg.h"

#define STATS_PATH "/sys/kernel/debug/wsheap/stats"
/* Far more sites than any operation here has: a loop that never ends is a bug. */
#define MAX_NTH 2000

/* Arm fault number @nth of this thread (0 disarms). */
static void set_fail_nth(int fd, int nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", nth);

	if (pwrite(fd, buf, len, 0) != len)
		abort();
}

/* True if the armed fault was injected (the count ran out). */
static bool fail_nth_fired(int fd)
{
	char buf[16] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		abort();
	return atoi(buf) == 0;
}

struct stats {
	long heaps, pages, user_heaps, user_pages;
};

static void read_stats(struct __test_metadata *_metadata, struct stats *s)
{
	FILE *f = fopen(STATS_PATH, "r");

	ASSERT_NE(NULL, f);
	ASSERT_EQ(4, fscanf(f, "heaps %ld pages %ld user_heaps %ld user_pages %ld", &s->heaps,
			    &s->pages, &s->user_heaps, &s->user_pages));
	fclose(f);
}

/*
 * failslab set to fail every allocation of a task marked make-it-fail.  In
 * this order, and restored in the reverse one: a probability of 100
 * without the task filter would fail every allocation of every task.
 */
#define FAILSLAB "/sys/kernel/debug/failslab/"
static const char *const every_attr[] = { "task-filter", "interval", "times", "probability" };
static const char *const every_value[] = { "Y", "1", "-1", "100" };
#define EVERY_ATTRS (sizeof(every_attr) / sizeof(every_attr[0]))

FIXTURE(inject) {
	int nth_fd;
	int dev;
	bool failslab_changed;
	char failslab_old[EVERY_ATTRS][32];
};

FIXTURE_SETUP(inject)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc", "wsheap/fail_alloc" };
	char path[128];
	unsigned int i;

	self->nth_fd = -1;
	self->dev = -1;
	self->failslab_changed = false;
	/* Before the kernel's fault injection is touched, not after. */
	SKIP_IF_NO_DEVICE();
	/* Every kind of allocation may fail, silently (the log stays readable). */
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/verbose", attrs[i]);
		ASSERT_EQ(0, write_file(path, "0")) TH_LOG("%s: fault injection missing", path);
	}
	ASSERT_EQ(0, write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N"));
	ASSERT_EQ(0, write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N"));
	ASSERT_EQ(0, write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N"));
	ASSERT_EQ(0, write_file("/sys/kernel/debug/fail_page_alloc/min-order", "0"));
	self->nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_LE(0, self->nth_fd);
	self->dev = open("/dev/wsheap", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(inject)
{
	char path[128];
	unsigned int i;

	if (self->nth_fd >= 0)
		set_fail_nth(self->nth_fd, 0);
	for (i = EVERY_ATTRS; self->failslab_changed && i-- > 0;) {
		snprintf(path, sizeof(path), FAILSLAB "%s", every_attr[i]);
		EXPECT_EQ(0, write_file(path, self->failslab_old[i])) TH_LOG("%s not restored", path);
	}
	if (self->dev >= 0)
		close(self->dev);
	if (self->nth_fd >= 0)
		close(self->nth_fd);
}

static int create_heap(int dev, __u64 max, struct wsheap_create *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->max_bytes = max;
	c->trim_bytes = max;
	return ioctl(dev, WSHEAP_IOC_CREATE, c) ? -errno : 0;
}

static int heap_op(int dev, unsigned long cmd, __u32 id, __u64 bytes, __u64 *actual)
{
	struct wsheap_heap_op op = { .size = sizeof(op), .heap_id = id, .bytes = bytes };

	if (ioctl(dev, cmd, &op))
		return -errno;
	if (actual)
		*actual = op.actual_bytes;
	return 0;
}

/* open(): the file's state and its private inode. */
TEST_F(inject, open)
{
	struct stats before, after;
	int nth, fd;
	bool fired;

	read_stats(_metadata, &before);
	for (nth = 1; nth < MAX_NTH; nth++) {
		set_fail_nth(self->nth_fd, nth);
		fd = open("/dev/wsheap", O_RDWR | O_CLOEXEC);
		fired = fail_nth_fired(self->nth_fd);
		set_fail_nth(self->nth_fd, 0);
		if (fd < 0) {
			ASSERT_EQ(ENOMEM, errno) TH_LOG("fault %d: %s", nth, strerror(errno));
		} else {
			close(fd);
		}
		if (!fired)
			break;
	}
	ASSERT_LT(1, nth) TH_LOG("no allocation site was reached");
	ASSERT_GT(MAX_NTH, nth);
	read_stats(_metadata, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(after)));
}

/* CREATE: the heap, its id, its window's offsets. */
TEST_F(inject, create)
{
	struct wsheap_create c;
	struct stats before, after;
	int nth, ret, failures = 0;
	bool fired;

	for (nth = 1; nth < MAX_NTH; nth++) {
		read_stats(_metadata, &before);
		set_fail_nth(self->nth_fd, nth);
		ret = create_heap(self->dev, 1 << 20, &c);
		fired = fail_nth_fired(self->nth_fd);
		set_fail_nth(self->nth_fd, 0);
		if (ret) {
			ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d: %s", nth, strerror(-ret));
			read_stats(_metadata, &after);
			ASSERT_EQ(0, memcmp(&before, &after, sizeof(after)))
				TH_LOG("fault %d: a failed CREATE changed the counts", nth);
			failures++;
			/* The file still works. */
			ASSERT_EQ(0, create_heap(self->dev, 1 << 20, &c));
		}
		ASSERT_EQ(0, heap_op(self->dev, WSHEAP_IOC_GROW, c.heap_id, 8192, NULL));
		ASSERT_EQ(0, heap_op(self->dev, WSHEAP_IOC_DESTROY, c.heap_id, 0, NULL));
		if (!fired)
			break;
	}
	ASSERT_LT(0, failures) TH_LOG("no CREATE failed: %d faults armed, the last %s",
				       nth, fired ? "fired" : "not reached");
	ASSERT_GT(MAX_NTH, nth);
}

/* GROW: page by page, each page an allocation; a failure keeps what was had. */
TEST_F(inject, grow)
{
	struct wsheap_create c;
	struct stats before, after;
	__u64 actual = 0;
	int nth, ret, failures = 0;
	bool fired;
	char *p;

	for (nth = 1; nth < MAX_NTH; nth++) {
		ASSERT_EQ(0, create_heap(self->dev, 1 << 20, &c));
		ASSERT_EQ(0, heap_op(self->dev, WSHEAP_IOC_GROW, c.heap_id, 4 * 4096, NULL));
		read_stats(_metadata, &before);
		set_fail_nth(self->nth_fd, nth);
		ret = heap_op(self->dev, WSHEAP_IOC_GROW, c.heap_id, 64 * 4096, &actual);
		fired = fail_nth_fired(self->nth_fd);
		set_fail_nth(self->nth_fd, 0);
		if (ret) {
			ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d: %s", nth, strerror(-ret));
			read_stats(_metadata, &after);
			ASSERT_EQ(before.user_pages, after.user_pages)
				TH_LOG("fault %d: a failed GROW kept pages", nth);
			failures++;
		} else {
			ASSERT_EQ(64 * 4096, actual);
		}
		/* The heap is still usable: grow it, map it, write it. */
		ASSERT_EQ(0, heap_op(self->dev, WSHEAP_IOC_GROW, c.heap_id, 64 * 4096, &actual));
		ASSERT_EQ(64 * 4096, actual);
		p = mmap(NULL, c.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, self->dev,
			 (off_t)c.mmap_offset);
		ASSERT_NE(MAP_FAILED, p);
		memset(p, 0x5a, 64 * 4096);
		ASSERT_EQ(0, munmap(p, c.mmap_size));
		ASSERT_EQ(0, heap_op(self->dev, WSHEAP_IOC_DESTROY, c.heap_id, 0, NULL));
		if (!fired)
			break;
	}
	ASSERT_LT(0, failures) TH_LOG("no GROW failed");
	ASSERT_GT(MAX_NTH, nth);
}

static int range_op(int fd, unsigned long cmd, __u32 id, __u64 offset, __u64 length,
		    __u64 *actual)
{
	struct wsheap_range r = { .size = sizeof(r), .heap_id = id, .offset = offset,
				  .length = length };

	if (ioctl(fd, cmd, &r))
		return -errno;
	if (actual)
		*actual = r.actual_bytes;
	return 0;
}

/*
 * BACK and REVOKE of a sparse heap: a refused BACK leaves no page and no
 * count behind, even between ranges already backed; REVOKE allocates
 * nothing but the record of a pinned page, so it never fails here.
 */
TEST_F(inject, sparse_back_and_revoke)
{
	struct wsheap_create c = { .size = sizeof(c), .flags = WSHEAP_CREATE_SPARSE,
				   .max_bytes = 1 << 20 };
	struct stats before, after;
	int nth, ret, failures = 0;
	__u64 actual = 0;
	bool fired;
	char *p;

	for (nth = 1; nth < MAX_NTH; nth++) {
		ASSERT_EQ(0, ioctl(self->dev, WSHEAP_IOC_CREATE, &c));
		/* Two backed islands: the BACK below fills around them. */
		ASSERT_EQ(0, range_op(self->dev, WSHEAP_IOC_BACK, c.heap_id, 4 * 4096, 4096, NULL));
		ASSERT_EQ(0, range_op(self->dev, WSHEAP_IOC_BACK, c.heap_id, 9 * 4096, 4096, NULL));
		p = mmap(NULL, c.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, self->dev,
			 (off_t)c.mmap_offset);
		ASSERT_NE(MAP_FAILED, p);
		p[4 * 4096] = 0x11;
		p[9 * 4096] = 0x22;
		read_stats(_metadata, &before);
		set_fail_nth(self->nth_fd, nth);
		ret = range_op(self->dev, WSHEAP_IOC_BACK, c.heap_id, 0, 16 * 4096, &actual);
		fired = fail_nth_fired(self->nth_fd);
		set_fail_nth(self->nth_fd, 0);
		read_stats(_metadata, &after);
		if (ret) {
			ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d: %s", nth, strerror(-ret));
			ASSERT_EQ(before.user_pages, after.user_pages)
				TH_LOG("fault %d: a failed BACK kept pages", nth);
			failures++;
		} else {
			ASSERT_EQ(16 * 4096, actual);
		}
		/* The islands kept what they held; the heap still works. */
		ASSERT_EQ(0x11, p[4 * 4096]);
		ASSERT_EQ(0x22, p[9 * 4096]);
		ASSERT_EQ(0, range_op(self->dev, WSHEAP_IOC_BACK, c.heap_id, 0, 16 * 4096, NULL));
		memset(p, 0x5a, 16 * 4096);
		set_fail_nth(self->nth_fd, nth);
		ret = range_op(self->dev, WSHEAP_IOC_REVOKE, c.heap_id, 0, 8 * 4096, &actual);
		set_fail_nth(self->nth_fd, 0);
		ASSERT_EQ(0, ret) TH_LOG("fault %d: REVOKE: %s", nth, strerror(-ret));
		ASSERT_EQ(8 * 4096, actual);
		ASSERT_EQ(0x5a, p[8 * 4096]);
		ASSERT_EQ(0, munmap(p, c.mmap_size));
		ASSERT_EQ(0, heap_op(self->dev, WSHEAP_IOC_DESTROY, c.heap_id, 0, NULL));
		if (!fired)
			break;
	}
	ASSERT_LT(0, failures) TH_LOG("no BACK failed");
	ASSERT_GT(MAX_NTH, nth);
}

/*
 * After a DESTROY with a fault armed: either the heap is gone from the
 * file altogether, so that mmap() of its window finds nothing there, or
 * the DESTROY failed and the heap is whole.  A DESTROY that went half way
 * (its id gone, its window still in the file's tree) would have mmap()
 * take a reference to the freed heap: KASAN's use-after-free.  After a
 * DESTROY that succeeded, nothing else touches the heap.
 */
static void check_destroyed_or_whole(struct __test_metadata *_metadata, int dev,
				     const struct wsheap_create *c, int ret, const char *what)
{
	struct wsheap_heap_info info = { .size = sizeof(info), .heap_id = c->heap_id };
	char *p;

	p = mmap(NULL, c->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		 (off_t)c->mmap_offset);
	if (!ret) {
		ASSERT_EQ(MAP_FAILED, p)
			TH_LOG("%s: the destroyed heap's window still maps", what);
		ASSERT_EQ(EINVAL, errno);
		return;
	}
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: a failed DESTROY left no window", what);
	memset(p, 0x7e, 32 * 4096);
	ASSERT_EQ(0, munmap(p, c->mmap_size));
	ASSERT_EQ(0, ioctl(dev, WSHEAP_IOC_HEAP_INFO, &info))
		TH_LOG("%s: a failed DESTROY left no heap: %s", what, strerror(errno));
	ASSERT_EQ(32 * 4096, info.actual_bytes);
}

/* mmap() and the faults that map pages; then TRIM, RESET and DESTROY. */
TEST_F(inject, map_fault_trim_reset_destroy)
{
	static const unsigned long cmds[] = {
		0, WSHEAP_IOC_TRIM, WSHEAP_IOC_RESET, WSHEAP_IOC_DESTROY, WSHEAP_IOC_HEAP_INFO,
	};
	struct wsheap_heap_info info;
	struct wsheap_create c;
	struct stats before, after;
	unsigned int i;
	int nth, ret;
	bool fired;
	char what[32], *p;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		for (nth = 1; nth < MAX_NTH; nth++) {
			ASSERT_EQ(0, create_heap(self->dev, 1 << 20, &c));
			ASSERT_EQ(0, heap_op(self->dev, WSHEAP_IOC_GROW, c.heap_id, 32 * 4096, NULL));
			read_stats(_metadata, &before);
			p = MAP_FAILED;
			set_fail_nth(self->nth_fd, nth);
			if (!cmds[i]) {
				p = mmap(NULL, c.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
					 self->dev, (off_t)c.mmap_offset);
				ret = p == MAP_FAILED ? -errno : 0;
				/* Faults that fail to allocate are retried, never fatal. */
				if (p != MAP_FAILED)
					memset(p, 1, 32 * 4096);
			} else if (cmds[i] == WSHEAP_IOC_HEAP_INFO) {
				memset(&info, 0, sizeof(info));
				info.size = sizeof(info);
				info.heap_id = c.heap_id;
				ret = ioctl(self->dev, WSHEAP_IOC_HEAP_INFO, &info) ? -errno : 0;
			} else {
				ret = heap_op(self->dev, cmds[i], c.heap_id,
					      cmds[i] == WSHEAP_IOC_TRIM ? 4096 : 0, NULL);
			}
			fired = fail_nth_fired(self->nth_fd);
			set_fail_nth(self->nth_fd, 0);
			if (ret) {
				ASSERT_EQ(-ENOMEM, ret)
					TH_LOG("op %u, fault %d: %s", i, nth, strerror(-ret));
				read_stats(_metadata, &after);
				ASSERT_EQ(0, memcmp(&before, &after, sizeof(after)));
			}
			if (p != MAP_FAILED)
				ASSERT_EQ(0, munmap(p, c.mmap_size));
			if (cmds[i] == WSHEAP_IOC_DESTROY) {
				snprintf(what, sizeof(what), "fault %d", nth);
				check_destroyed_or_whole(_metadata, self->dev, &c, ret, what);
			}
			if (cmds[i] != WSHEAP_IOC_DESTROY || ret)
				ASSERT_EQ(0, heap_op(self->dev, WSHEAP_IOC_DESTROY, c.heap_id, 0,
						     NULL));
			if (!fired)
				break;
		}
		ASSERT_GT(MAX_NTH, nth);
	}
}

/* munmap() may fail to allocate too: then it unmapped nothing, and is retried. */
static void unmap_surely(struct __test_metadata *_metadata, void *p, size_t len, int nth)
{
	if (!munmap(p, len))
		return;
	ASSERT_EQ(ENOMEM, errno) TH_LOG("fault %d: munmap: %s", nth, strerror(errno));
	ASSERT_EQ(0, munmap(p, len));
}

#define RELEASE_HEAPS 4

/*
 * The release of a file holding several heaps, half of them mapped: it
 * runs in the last munmap() after close(), so the fault stays armed across
 * both.  Nothing fails that user space could see; everything goes.
 */
TEST_F(inject, release)
{
	struct wsheap_create c[RELEASE_HEAPS];
	struct stats before, after;
	char *maps[RELEASE_HEAPS];
	int nth, fd, k;
	bool fired;

	for (nth = 1; nth < MAX_NTH; nth++) {
		read_stats(_metadata, &before);
		fd = open("/dev/wsheap", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		for (k = 0; k < RELEASE_HEAPS; k++) {
			ASSERT_EQ(0, create_heap(fd, 1 << 20, &c[k]));
			ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c[k].heap_id, 32 * 4096, NULL));
			maps[k] = MAP_FAILED;
			if (k % 2)
				continue;
			maps[k] = mmap(NULL, c[k].mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
				       fd, (off_t)c[k].mmap_offset);
			ASSERT_NE(MAP_FAILED, maps[k]);
			memset(maps[k], 0x19, 32 * 4096);
		}
		set_fail_nth(self->nth_fd, nth);
		ASSERT_EQ(0, close(fd));
		for (k = 0; k < RELEASE_HEAPS; k++)
			if (maps[k] != MAP_FAILED)
				unmap_surely(_metadata, maps[k], c[k].mmap_size, nth);
		fired = fail_nth_fired(self->nth_fd);
		set_fail_nth(self->nth_fd, 0);
		read_stats(_metadata, &after);
		ASSERT_EQ(0, memcmp(&before, &after, sizeof(after)))
			TH_LOG("fault %d: %ld heaps and %ld pages left of %ld and %ld", nth,
			       after.user_heaps, after.user_pages, before.user_heaps,
			       before.user_pages);
		if (!fired)
			break;
	}
	ASSERT_LT(1, nth) TH_LOG("no allocation site was reached");
	ASSERT_GT(MAX_NTH, nth);
}

/*
 * Mark this thread for failslab's task filter, or unmark it, through @fd
 * opened beforehand: marked, it could not open a file.
 */
static void set_make_it_fail(int fd, bool on)
{
	if (pwrite(fd, on ? "1" : "0", 1, 0) != 1)
		abort();
}

/*
 * DESTROY with every slab allocation of the thread failing, not one of
 * them: fail-nth fails a single allocation, and the maple tree retries a
 * failed node allocation with GFP_KERNEL, which then succeeds.  Failures
 * in a row are what would leave the heap's window in the file's tree
 * after the heap is gone.  With neighbours on both sides too, for other
 * shapes of the tree.
 */
TEST_F(inject, destroy_with_every_allocation_failing)
{
	struct wsheap_create c, n;
	struct stats before, after;
	char path[128];
	unsigned int i;
	int neighbours, k, ret, mark;
	char what[64];
	FILE *f;

	mark = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, mark);
	for (i = 0; i < EVERY_ATTRS; i++) {
		snprintf(path, sizeof(path), FAILSLAB "%s", every_attr[i]);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f) TH_LOG("%s: %s", path, strerror(errno));
		ASSERT_NE(NULL, fgets(self->failslab_old[i], sizeof(self->failslab_old[i]), f));
		fclose(f);
	}
	self->failslab_changed = true;
	for (i = 0; i < EVERY_ATTRS; i++) {
		snprintf(path, sizeof(path), FAILSLAB "%s", every_attr[i]);
		ASSERT_EQ(0, write_file(path, every_value[i])) TH_LOG("%s", path);
	}

	for (neighbours = 0; neighbours <= 2; neighbours++) {
		for (k = 0; k < neighbours; k++)
			ASSERT_EQ(0, create_heap(self->dev, 1 << 20, &n));
		ASSERT_EQ(0, create_heap(self->dev, 1 << 20, &c));
		ASSERT_EQ(0, heap_op(self->dev, WSHEAP_IOC_GROW, c.heap_id, 32 * 4096, NULL));
		for (k = 0; k < neighbours; k++)
			ASSERT_EQ(0, create_heap(self->dev, 1 << 20, &n));
		read_stats(_metadata, &before);
		set_make_it_fail(mark, true);
		ret = heap_op(self->dev, WSHEAP_IOC_DESTROY, c.heap_id, 0, NULL);
		set_make_it_fail(mark, false);
		if (ret) {
			ASSERT_EQ(-ENOMEM, ret)
				TH_LOG("%d neighbours: %s", neighbours, strerror(-ret));
			read_stats(_metadata, &after);
			ASSERT_EQ(0, memcmp(&before, &after, sizeof(after)));
		}
		snprintf(what, sizeof(what), "%d neighbours each side", neighbours);
		check_destroyed_or_whole(_metadata, self->dev, &c, ret, what);
		if (ret)
			ASSERT_EQ(0, heap_op(self->dev, WSHEAP_IOC_DESTROY, c.heap_id, 0, NULL));
	}
	close(mark);
}

/* Through the library: E_OUTOFMEMORY, and the heap still works. */
TEST_F(inject, library)
{
	struct stats before, after;
	WS_HEAP *heap = NULL;
	HRESULT hr;
	int nth, failures = 0;
	bool fired;
	void *p;

	ASSERT_EQ(0, setenv("WSHEAP_BACKEND", "device", 1));
	for (nth = 1; nth < MAX_NTH; nth++) {
		read_stats(_metadata, &before);
		set_fail_nth(self->nth_fd, nth);
		hr = WsCreateHeap(1 << 20, 64 << 10, NULL, 0, &heap, NULL);
		if (hr == S_OK)
			hr = WsAlloc(heap, 200000, &p, NULL);
		fired = fail_nth_fired(self->nth_fd);
		set_fail_nth(self->nth_fd, 0);
		if (hr != S_OK) {
			ASSERT_EQ(E_OUTOFMEMORY, hr) TH_LOG("fault %d: %#x", nth, (unsigned int)hr);
			failures++;
		}
		if (!heap)
			ASSERT_EQ(S_OK, WsCreateHeap(1 << 20, 64 << 10, NULL, 0, &heap, NULL));
		ASSERT_EQ(S_OK, WsAlloc(heap, 200000, &p, NULL));
		memset(p, 0x33, 200000);
		ASSERT_EQ(S_OK, WsResetHeap(heap, NULL));
		WsFreeHeap(heap);
		heap = NULL;
		if (!fired)
			break;
		/* Nothing stays behind but what the library's heap cache keeps. */
		read_stats(_metadata, &after);
		ASSERT_GE(before.user_heaps + 1, after.user_heaps);
	}
	ASSERT_LT(0, failures);
	ASSERT_GT(MAX_NTH, nth);
}

TEST_HARNESS_MAIN
