// SPDX-License-Identifier: GPL-2.0-only
/*
 * User heaps through /dev/wsheap: every ioctl's validation with otherwise
 * valid input, limits at their boundaries, and the mapping rules that keep
 * user space from ever reaching memory a heap gave back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/wsheap.h>

#include "kselftest_harness.h"
#include "device.h"
#include "memcg.h"

static long page_size;

static int wsheap_open(void)
{
	return open("/dev/wsheap", O_RDWR | O_CLOEXEC);
}

static int create_heap_trim(int fd, uint64_t max_bytes, uint64_t trim_bytes,
			    struct wsheap_create *out)
{
	struct wsheap_create c = { .size = sizeof(c), .max_bytes = max_bytes,
				   .trim_bytes = trim_bytes };

	if (ioctl(fd, WSHEAP_IOC_CREATE, &c))
		return -errno;
	if (out)
		*out = c;
	return 0;
}

static int create_heap(int fd, uint64_t max_bytes, struct wsheap_create *out)
{
	return create_heap_trim(fd, max_bytes, 0, out);
}

/* Pages all user heaps hold, from debugfs. */
static long user_pages(void)
{
	long heaps, pages, uheaps, upages = -1;
	FILE *f = fopen("/sys/kernel/debug/wsheap/stats", "r");

	if (!f)
		return -1;
	if (fscanf(f, "heaps %ld\npages %ld\nuser_heaps %ld\nuser_pages %ld",
		   &heaps, &pages, &uheaps, &upages) != 4)
		upages = -1;
	fclose(f);
	return upages;
}

static int heap_op(int fd, unsigned long cmd, uint32_t id, uint64_t bytes, uint64_t *actual)
{
	struct wsheap_heap_op op = { .size = sizeof(op), .heap_id = id, .bytes = bytes };

	if (ioctl(fd, cmd, &op))
		return -errno;
	if (actual)
		*actual = op.actual_bytes;
	return 0;
}

static int heap_info(int fd, uint32_t id, struct wsheap_heap_info *out)
{
	struct wsheap_heap_info i = { .size = sizeof(i), .heap_id = id };

	if (ioctl(fd, WSHEAP_IOC_HEAP_INFO, &i))
		return -errno;
	*out = i;
	return 0;
}

static void *map_heap(int fd, const struct wsheap_create *c)
{
	return mmap(NULL, c->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)c->mmap_offset);
}

/* How a child touching @addr ends: 0 if it got through, else the signal. */
static int touch_in_child(volatile char *addr, int write)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (write)
			*addr = 1;
		else
			(void)*addr;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/*
 * The same, in this process's own address space: a fork() child would not
 * inherit the mapping (VM_DONTCOPY), so use a signal handler instead.
 */
static sigjmp_buf touch_jmp;
static volatile int touch_sig;

static void touch_handler(int sig)
{
	touch_sig = sig;
	siglongjmp(touch_jmp, 1);
}

static int touch_here(volatile char *addr)
{
	struct sigaction sa = { .sa_handler = touch_handler }, old_bus, old_segv;

	touch_sig = 0;
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (!sigsetjmp(touch_jmp, 1))
		*addr = 7;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return touch_sig;
}

static int write_param(const char *name, unsigned long value, unsigned long *old)
{
	char path[128], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/wsheap/parameters/%s", name);
	if (old) {
		f = fopen(path, "r");
		if (!f || !fgets(buf, sizeof(buf), f))
			return -1;
		fclose(f);
		*old = strtoul(buf, NULL, 0);
	}
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%lu\n", value);
	return fclose(f) ? -1 : 0;
}

FIXTURE(heap) {
	int fd;
	struct wsheap_create c;
	char *map;
};

FIXTURE_SETUP(heap)
{
	self->fd = -1;
	self->map = MAP_FAILED;
	SKIP_IF_NO_DEVICE();
	page_size = sysconf(_SC_PAGESIZE);
	self->fd = wsheap_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, create_heap_trim(self->fd, 16 * page_size, 2 * page_size + 1, &self->c));
	self->map = map_heap(self->fd, &self->c);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(heap)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, self->c.mmap_size);
	if (self->fd >= 0)
		close(self->fd);
}

/* ------------------------------------------------------------- create */

TEST(feature_bit_announces_heaps)
{
	struct wsheap_info info = { .size = sizeof(info) };
	int fd;

	SKIP_IF_NO_DEVICE();
	fd = wsheap_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, WSHEAP_IOC_GET_INFO, &info));
	EXPECT_TRUE(info.features & WSHEAP_FEATURE_HEAPS);
	close(fd);
}

TEST(struct_layouts_are_frozen)
{
	EXPECT_EQ(WSHEAP_CREATE_SIZE_VER0, sizeof(struct wsheap_create));
	EXPECT_EQ(WSHEAP_HEAP_OP_SIZE_VER0, sizeof(struct wsheap_heap_op));
	EXPECT_EQ(WSHEAP_HEAP_INFO_SIZE_VER0, sizeof(struct wsheap_heap_info));
}

TEST(create_reports_id_offset_and_window)
{
	struct wsheap_create a, b;
	struct wsheap_heap_info i;
	int fd;

	SKIP_IF_NO_DEVICE();
	fd = wsheap_open();
	page_size = sysconf(_SC_PAGESIZE);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, create_heap(fd, 1, &a));
	ASSERT_EQ(0, create_heap(fd, 3 * page_size + 1, &b));
	EXPECT_NE(0, a.heap_id);
	EXPECT_NE(a.heap_id, b.heap_id);
	EXPECT_EQ(page_size, a.mmap_size);
	EXPECT_EQ(4 * page_size, b.mmap_size);
	EXPECT_EQ(0, a.mmap_offset % page_size);
	/* Windows never overlap. */
	EXPECT_TRUE(b.mmap_offset >= a.mmap_offset + a.mmap_size ||
		    a.mmap_offset >= b.mmap_offset + b.mmap_size);
	ASSERT_EQ(0, heap_info(fd, b.heap_id, &i));
	EXPECT_EQ(4 * page_size, i.max_bytes);
	EXPECT_EQ(0, i.trim_bytes);
	EXPECT_EQ(0, i.actual_bytes);
	EXPECT_EQ(0, i.grow_calls);
	EXPECT_EQ(b.mmap_offset, i.mmap_offset);
	close(fd);
}

TEST(create_validation)
{
	struct wsheap_create c;
	int fd;

	SKIP_IF_NO_DEVICE();
	fd = wsheap_open();
	ASSERT_LE(0, fd);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.max_bytes = 0;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
	c.max_bytes = 4096;
	c.flags = WSHEAP_CREATE_SPARSE << 1;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
	/* A sparse heap has no trim size, and a window of at most 4 GiB. */
	c.flags = WSHEAP_CREATE_SPARSE;
	c.trim_bytes = 4096;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
	c.trim_bytes = 0;
	c.max_bytes = WSHEAP_SPARSE_MAX_BYTES + 1;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
	c.max_bytes = 4096;
	c.flags = 0;
	c.__reserved = 1;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
	c.__reserved = 0;
	c.size = WSHEAP_CREATE_SIZE_VER0 - 8;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
	c.size = sizeof(c);
	c.max_bytes = UINT64_MAX;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	EXPECT_EQ(EOVERFLOW, errno);
	c.max_bytes = (uint64_t)INT64_MAX;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, NULL));
	EXPECT_EQ(EFAULT, errno);
	struct {
		struct wsheap_create c;
		uint64_t tail;
	} big = { .c = { .size = sizeof(big), .max_bytes = 4096 }, .tail = 1 };
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, &big));
	EXPECT_EQ(E2BIG, errno);
	/* None of the refused calls made a heap: the first id is still free. */
	c.max_bytes = 4096;
	ASSERT_EQ(0, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	EXPECT_EQ(1, c.heap_id);
	close(fd);
}

TEST(create_with_unwritable_answer_leaves_no_heap)
{
	struct wsheap_create *c;
	struct wsheap_create ok;
	int fd;

	SKIP_IF_NO_DEVICE();
	fd = wsheap_open();
	page_size = sysconf(_SC_PAGESIZE);
	ASSERT_LE(0, fd);
	c = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c);
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->max_bytes = 4096;
	ASSERT_EQ(0, mprotect(c, page_size, PROT_READ));
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_CREATE, c));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, create_heap(fd, 4096, &ok));
	EXPECT_EQ(1, ok.heap_id);
	EXPECT_EQ(-ENOENT, heap_op(fd, WSHEAP_IOC_DESTROY, 2, 0, NULL));
	munmap(c, page_size);
	close(fd);
}

/* ------------------------------------------------------ grow and trim */

TEST_F(heap, grow_to_the_cap_exactly_and_no_further)
{
	struct wsheap_heap_info i;
	uint64_t actual = 1;

	EXPECT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 1, &actual));
	EXPECT_EQ(page_size, actual);
	EXPECT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 16 * page_size, &actual));
	EXPECT_EQ(16 * page_size, actual);
	EXPECT_EQ(-EDQUOT, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id,
				   16 * page_size + 1, NULL));
	EXPECT_EQ(-EDQUOT, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, UINT64_MAX, NULL));
	/* Growing to what it has already is no growth. */
	EXPECT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, page_size, &actual));
	EXPECT_EQ(16 * page_size, actual);
	ASSERT_EQ(0, heap_info(self->fd, self->c.heap_id, &i));
	EXPECT_EQ(16 * page_size, i.actual_bytes);
	EXPECT_EQ(2, i.grow_calls);
}

TEST_F(heap, heap_op_validation)
{
	struct wsheap_heap_op op;
	uint32_t id = self->c.heap_id;

	EXPECT_EQ(-ENOENT, heap_op(self->fd, WSHEAP_IOC_GROW, id + 1, 4096, NULL));
	EXPECT_EQ(-ENOENT, heap_op(self->fd, WSHEAP_IOC_TRIM, 0, 0, NULL));
	EXPECT_EQ(-ENOENT, heap_op(self->fd, WSHEAP_IOC_DESTROY, id + 1, 0, NULL));
	EXPECT_EQ(-EINVAL, heap_op(self->fd, WSHEAP_IOC_DESTROY, id, 1, NULL));

	memset(&op, 0, sizeof(op));
	op.size = sizeof(op);
	op.heap_id = id;
	op.bytes = page_size;
	op.flags = 0x80;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, WSHEAP_IOC_GROW, &op));
	EXPECT_EQ(EINVAL, errno);
	op.flags = 0;
	op.__reserved = 2;
	EXPECT_EQ(-1, ioctl(self->fd, WSHEAP_IOC_TRIM, &op));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, WSHEAP_IOC_GROW, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing above changed the heap. */
	struct wsheap_heap_info i;

	ASSERT_EQ(0, heap_info(self->fd, id, &i));
	EXPECT_EQ(0, i.actual_bytes);
}

TEST_F(heap, new_pages_are_zero_and_data_reads_back)
{
	char zero[4096] = { 0 };
	long i;

	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 16 * page_size, NULL));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0, memcmp(self->map + i * page_size, zero, sizeof(zero)));
	for (i = 0; i < 16 * page_size; i++)
		self->map[i] = (char)(i * 13);
	for (i = 0; i < 16 * page_size; i++)
		ASSERT_EQ((char)(i * 13), self->map[i]);

	/* Given back and grown again: zero, not the old data. */
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_TRIM, self->c.heap_id, 4 * page_size, NULL));
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 16 * page_size, NULL));
	EXPECT_EQ((char)(13 * 5), self->map[5]);
	for (i = 4; i < 16; i++)
		EXPECT_EQ(0, memcmp(self->map + i * page_size, zero, sizeof(zero)));
}

TEST_F(heap, second_mapping_sees_the_same_pages)
{
	char *again;

	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 2 * page_size, NULL));
	again = map_heap(self->fd, &self->c);
	ASSERT_NE(MAP_FAILED, again);
	strcpy(self->map + page_size, "through the first");
	EXPECT_STREQ("through the first", again + page_size);
	munmap(again, self->c.mmap_size);
}

TEST_F(heap, beyond_the_backing_is_sigbus)
{
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 2 * page_size, NULL));
	EXPECT_EQ(0, touch_here(self->map + 2 * page_size - 1));
	EXPECT_EQ(SIGBUS, touch_here(self->map + 2 * page_size));
	EXPECT_EQ(SIGBUS, touch_here(self->map + 16 * page_size - 1));
}

TEST_F(heap, trim_revokes_what_it_gives_back_and_keeps_the_rest)
{
	uint64_t actual = 0;

	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 8 * page_size, NULL));
	memset(self->map, 0x3c, 8 * page_size);
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_TRIM, self->c.heap_id, 3 * page_size - 100,
			     &actual));
	EXPECT_EQ(3 * page_size, actual);
	/* Kept pages stay mapped, with their data. */
	EXPECT_EQ(0x3c, self->map[3 * page_size - 1]);
	EXPECT_EQ(0x3c, self->map[0]);
	/* The stale pointer into what was given back faults. */
	EXPECT_EQ(SIGBUS, touch_here(self->map + 3 * page_size));
	EXPECT_EQ(SIGBUS, touch_here(self->map + 8 * page_size - 1));
	/* Trimming to more than it has changes nothing. */
	EXPECT_EQ(0, heap_op(self->fd, WSHEAP_IOC_TRIM, self->c.heap_id, 16 * page_size, &actual));
	EXPECT_EQ(3 * page_size, actual);
}

TEST_F(heap, reset_keeps_the_trim_size)
{
	struct wsheap_heap_info i;
	uint64_t actual = 0;

	ASSERT_EQ(0, heap_info(self->fd, self->c.heap_id, &i));
	EXPECT_EQ(3 * page_size, i.trim_bytes);
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 10 * page_size, NULL));
	memset(self->map, 0x5e, 10 * page_size);
	EXPECT_EQ(-EINVAL, heap_op(self->fd, WSHEAP_IOC_RESET, self->c.heap_id, 1, NULL));
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_RESET, self->c.heap_id, 0, &actual));
	EXPECT_EQ(3 * page_size, actual);
	EXPECT_EQ(0x5e, self->map[3 * page_size - 1]);
	EXPECT_EQ(SIGBUS, touch_here(self->map + 3 * page_size));
	/* Resetting a heap within its trim size changes nothing. */
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_RESET, self->c.heap_id, 0, &actual));
	EXPECT_EQ(3 * page_size, actual);
}

TEST_F(heap, trim_size_above_the_max_keeps_everything)
{
	struct wsheap_create c;
	uint64_t actual = 0;

	ASSERT_EQ(0, create_heap_trim(self->fd, 4 * page_size, UINT64_MAX, &c));
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, c.heap_id, 4 * page_size, NULL));
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_RESET, c.heap_id, 0, &actual));
	EXPECT_EQ(4 * page_size, actual);
}

TEST_F(heap, heap_info_validation)
{
	struct wsheap_heap_info i;

	memset(&i, 0, sizeof(i));
	i.size = sizeof(i);
	i.heap_id = self->c.heap_id;
	i.flags = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, WSHEAP_IOC_HEAP_INFO, &i));
	EXPECT_EQ(EINVAL, errno);
	i.flags = 0;
	i.__reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, WSHEAP_IOC_HEAP_INFO, &i));
	EXPECT_EQ(EINVAL, errno);
	i.__reserved = 0;
	i.size = WSHEAP_HEAP_INFO_SIZE_VER0 - 4;
	EXPECT_EQ(-1, ioctl(self->fd, WSHEAP_IOC_HEAP_INFO, &i));
	EXPECT_EQ(EINVAL, errno);
	i.size = sizeof(i);
	i.heap_id = self->c.heap_id + 100;
	EXPECT_EQ(-1, ioctl(self->fd, WSHEAP_IOC_HEAP_INFO, &i));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, i.max_bytes);
}

TEST_F(heap, destroy_revokes_everything)
{
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 4 * page_size, NULL));
	self->map[0] = 1;
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_DESTROY, self->c.heap_id, 0, NULL));
	EXPECT_EQ(SIGBUS, touch_here(self->map));
	EXPECT_EQ(SIGBUS, touch_here(self->map + 4 * page_size - 1));
	EXPECT_EQ(-ENOENT, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 4096, NULL));
	/* Its window cannot be mapped any more. */
	EXPECT_EQ(MAP_FAILED, map_heap(self->fd, &self->c));
	EXPECT_EQ(EINVAL, errno);
}

/* -------------------------------------------------------- mmap rules */

TEST_F(heap, mmap_rules)
{
	off_t off = (off_t)self->c.mmap_offset;
	size_t len = self->c.mmap_size;
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, self->fd, off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, len + page_size, PROT_READ, MAP_SHARED, self->fd, off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page_size, PROT_READ, MAP_SHARED, self->fd, off + len);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* Part of the window, from inside it, is fine. */
	p = mmap(NULL, page_size, PROT_READ, MAP_SHARED, self->fd, off + 3 * page_size);
	EXPECT_NE(MAP_FAILED, p);
	munmap(p, page_size);
}

TEST_F(heap, read_only_file_maps_read_only)
{
	int ro = open("/dev/wsheap", O_RDONLY | O_CLOEXEC);
	struct wsheap_create c;
	char *p;

	ASSERT_LE(0, ro);
	ASSERT_EQ(0, create_heap(ro, 4 * page_size, &c));
	ASSERT_EQ(0, heap_op(ro, WSHEAP_IOC_GROW, c.heap_id, page_size, NULL));
	p = mmap(NULL, c.mmap_size, PROT_READ, MAP_SHARED, ro, (off_t)c.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, p[0]);
	/* No writable shared mapping of a read-only file, as for any file. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, c.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, ro,
				   (off_t)c.mmap_offset));
	EXPECT_EQ(EACCES, errno);
	munmap(p, c.mmap_size);
	close(ro);
}

TEST_F(heap, never_executable_never_grown)
{
	EXPECT_EQ(-1, mprotect(self->map, page_size, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mremap(self->map, self->c.mmap_size, 2 * self->c.mmap_size,
				     MREMAP_MAYMOVE));
}

TEST_F(heap, fork_child_does_not_inherit_the_mapping)
{
	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, page_size, NULL));
	self->map[0] = 42;
	EXPECT_EQ(SIGSEGV, touch_in_child(self->map, 0));
	EXPECT_EQ(42, self->map[0]);
}

TEST_F(heap, close_while_mapped_keeps_the_mapping)
{
	long before;

	ASSERT_EQ(0, heap_op(self->fd, WSHEAP_IOC_GROW, self->c.heap_id, 2 * page_size, NULL));
	strcpy(self->map, "still here");
	ASSERT_EQ(0, close(self->fd));
	self->fd = wsheap_open();	/* for the teardown */
	EXPECT_STREQ("still here", self->map);
	self->map[page_size] = 9;
	EXPECT_EQ(9, self->map[page_size]);
	/* The mapping holds the module as it holds the file. */
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_delete_module, "wsheap", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	/* The pages go with the last mapping. */
	before = user_pages();
	ASSERT_LE(2, before);
	ASSERT_EQ(0, munmap(self->map, self->c.mmap_size));
	self->map = MAP_FAILED;
	EXPECT_EQ(before - 2, user_pages());
}

TEST_F(heap, ids_belong_to_their_file)
{
	struct wsheap_heap_info i;
	int other = wsheap_open();

	ASSERT_LE(0, other);
	EXPECT_EQ(-ENOENT, heap_info(other, self->c.heap_id, &i));
	EXPECT_EQ(-ENOENT, heap_op(other, WSHEAP_IOC_GROW, self->c.heap_id, 4096, NULL));
	EXPECT_EQ(-ENOENT, heap_op(other, WSHEAP_IOC_DESTROY, self->c.heap_id, 0, NULL));
	/* Nor can the other file map this one's window. */
	EXPECT_EQ(MAP_FAILED, map_heap(other, &self->c));
	close(other);
	EXPECT_EQ(0, heap_info(self->fd, self->c.heap_id, &i));
}

/* ------------------------------------------------------- sparse heaps */

static int range_op(int fd, unsigned long cmd, uint32_t id, uint64_t offset, uint64_t length,
		    uint64_t *actual)
{
	struct wsheap_range r = { .size = sizeof(r), .heap_id = id, .offset = offset,
				  .length = length };

	if (ioctl(fd, cmd, &r))
		return -errno;
	if (actual)
		*actual = r.actual_bytes;
	return 0;
}

TEST(sparse_heap_backs_and_revokes_ranges)
{
	struct wsheap_create c = { .size = sizeof(c), .flags = WSHEAP_CREATE_SPARSE,
				   .max_bytes = 64 << 20 };
	struct wsheap_heap_info i;
	struct wsheap_info info = { .size = sizeof(info) };
	uint64_t actual = 0;
	size_t page = sysconf(_SC_PAGESIZE);
	char *map;
	int fd;

	SKIP_IF_NO_DEVICE();
	fd = wsheap_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, WSHEAP_IOC_GET_INFO, &info));
	EXPECT_TRUE(info.features & WSHEAP_FEATURE_SPARSE);
	ASSERT_EQ(0, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	map = map_heap(fd, &c);
	ASSERT_NE(MAP_FAILED, map);
	/* Nothing backed: every page faults. */
	EXPECT_EQ(SIGBUS, touch_here(map));
	/* Two ranges apart; the pages between them stay unbacked. */
	ASSERT_EQ(0, range_op(fd, WSHEAP_IOC_BACK, c.heap_id, 0, 2 * page, &actual));
	EXPECT_EQ(2 * page, actual);
	ASSERT_EQ(0, range_op(fd, WSHEAP_IOC_BACK, c.heap_id, 10 * page, 3 * page, &actual));
	EXPECT_EQ(5 * page, actual);
	/* Backing what is backed adds only what is not. */
	ASSERT_EQ(0, range_op(fd, WSHEAP_IOC_BACK, c.heap_id, page, 2 * page, &actual));
	EXPECT_EQ(6 * page, actual);
	EXPECT_EQ(0, touch_here(map));
	EXPECT_EQ(0, map[page + 1]);
	map[page + 1] = 42;
	EXPECT_EQ(0, touch_here(map + 12 * page));
	EXPECT_EQ(SIGBUS, touch_here(map + 3 * page));
	EXPECT_EQ(SIGBUS, touch_here(map + 9 * page));
	ASSERT_EQ(0, heap_info(fd, c.heap_id, &i));
	EXPECT_EQ(6 * page, i.actual_bytes);
	/* Revoked pages fault, the others keep what they hold. */
	ASSERT_EQ(0, range_op(fd, WSHEAP_IOC_REVOKE, c.heap_id, 0, page, &actual));
	EXPECT_EQ(5 * page, actual);
	EXPECT_EQ(SIGBUS, touch_here(map));
	EXPECT_EQ(42, map[page + 1]);
	/* Backed again: zeroed, not what it held. */
	ASSERT_EQ(0, range_op(fd, WSHEAP_IOC_BACK, c.heap_id, 0, page, &actual));
	EXPECT_EQ(0, map[0]);
	ASSERT_EQ(0, range_op(fd, WSHEAP_IOC_REVOKE, c.heap_id, 0, 64 << 20, &actual));
	EXPECT_EQ(0, actual);
	EXPECT_EQ(SIGBUS, touch_here(map + page + 1));
	EXPECT_EQ(SIGBUS, touch_here(map + 12 * page));
	munmap(map, c.mmap_size);
	close(fd);
}

TEST(sparse_heap_ops_validation)
{
	struct wsheap_create c = { .size = sizeof(c), .flags = WSHEAP_CREATE_SPARSE,
				   .max_bytes = 1 << 20 };
	struct wsheap_create prefix;
	size_t page = sysconf(_SC_PAGESIZE);
	struct wsheap_range r;
	uint64_t actual = 1;
	int fd;

	SKIP_IF_NO_DEVICE();
	fd = wsheap_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, WSHEAP_IOC_CREATE, &c));
	ASSERT_EQ(0, create_heap(fd, 1 << 20, &prefix));
	/* Misaligned, empty, or past the window. */
	EXPECT_EQ(-EINVAL, range_op(fd, WSHEAP_IOC_BACK, c.heap_id, 1, page, NULL));
	EXPECT_EQ(-EINVAL, range_op(fd, WSHEAP_IOC_BACK, c.heap_id, 0, page + 1, NULL));
	EXPECT_EQ(-EINVAL, range_op(fd, WSHEAP_IOC_BACK, c.heap_id, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, range_op(fd, WSHEAP_IOC_BACK, c.heap_id, 1 << 20, page, NULL));
	EXPECT_EQ(-EINVAL, range_op(fd, WSHEAP_IOC_REVOKE, c.heap_id, (1 << 20) - page,
				    2 * page, NULL));
	EXPECT_EQ(-EINVAL, range_op(fd, WSHEAP_IOC_BACK, c.heap_id, UINT64_MAX & ~(page - 1),
				    page, NULL));
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.heap_id = c.heap_id;
	r.length = page;
	r.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_BACK, &r));
	EXPECT_EQ(EINVAL, errno);
	r.flags = 0;
	r.size = WSHEAP_RANGE_SIZE_VER0 - 8;
	EXPECT_EQ(-1, ioctl(fd, WSHEAP_IOC_BACK, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOENT, range_op(fd, WSHEAP_IOC_BACK, c.heap_id + 100, 0, page, NULL));
	/* Each kind of heap takes only its own operations. */
	EXPECT_EQ(-EINVAL, range_op(fd, WSHEAP_IOC_BACK, prefix.heap_id, 0, page, NULL));
	EXPECT_EQ(-EINVAL, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, page, NULL));
	EXPECT_EQ(-EINVAL, heap_op(fd, WSHEAP_IOC_TRIM, c.heap_id, 0, NULL));
	EXPECT_EQ(-EINVAL, heap_op(fd, WSHEAP_IOC_RESET, c.heap_id, 0, NULL));
	/* Nothing refused changed anything. */
	EXPECT_EQ(0, range_op(fd, WSHEAP_IOC_REVOKE, c.heap_id, 0, 1 << 20, &actual));
	EXPECT_EQ(0, actual);
	EXPECT_EQ(0, heap_op(fd, WSHEAP_IOC_DESTROY, c.heap_id, 0, NULL));
	EXPECT_EQ(-ENOENT, range_op(fd, WSHEAP_IOC_BACK, c.heap_id, 0, page, NULL));
	close(fd);
}

/* ------------------------------------------------------------- limits */

FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

/*
 * Heaps are ids on one file: no descriptor each, so no RLIMIT_NOFILE.  The
 * per-user limit (65,536 by default) is raised for the test: the file
 * itself holds any number up to max_file_heaps.
 */
TEST_F_TIMEOUT(slow, hundred_thousand_heaps_on_one_fd, 600)
{
	const unsigned int n = 100000;
	struct wsheap_create c;
	unsigned long old;
	unsigned int i;
	int fd;

	SKIP_IF_NO_DEVICE();
	ASSERT_EQ(0, write_param("max_user_heaps", n, &old));
	fd = wsheap_open();
	ASSERT_LE(0, fd);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, create_heap(fd, 65536, &c)) TH_LOG("heap %u", i);
	EXPECT_EQ(n, c.heap_id);
	/* The limit holds with the file's room to spare. */
	EXPECT_EQ(-ENOSPC, create_heap(fd, 65536, NULL));
	for (i = 1; i <= n; i++)
		ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_DESTROY, i, 0, NULL));
	close(fd);
	ASSERT_EQ(0, write_param("max_user_heaps", old, NULL));
}

TEST(file_heap_limit_is_exact)
{
	unsigned long old;
	unsigned int i;
	int fd;

	SKIP_IF_NO_DEVICE();
	fd = wsheap_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_param("max_file_heaps", 10, &old));
	for (i = 0; i < 10; i++)
		EXPECT_EQ(0, create_heap(fd, 4096, NULL));
	EXPECT_EQ(-ENOSPC, create_heap(fd, 4096, NULL));
	EXPECT_EQ(0, heap_op(fd, WSHEAP_IOC_DESTROY, 4, 0, NULL));
	EXPECT_EQ(0, create_heap(fd, 4096, NULL));
	ASSERT_EQ(0, write_param("max_file_heaps", old, NULL));
	close(fd);
}

/*
 * The file limit binds one file; the user limit every file of the user (this
 * test opens both as one user); the total one everybody.
 */
TEST(file_user_and_total_byte_limits_are_exact)
{
	static const char *const params[] = { "max_file_bytes", "max_user_bytes",
					      "max_total_bytes" };
	struct wsheap_create a, b;
	unsigned long old;
	unsigned int k;

	SKIP_IF_NO_DEVICE();
	page_size = sysconf(_SC_PAGESIZE);
	for (k = 0; k < 3; k++) {
		int fd = wsheap_open(), other = wsheap_open();

		ASSERT_LE(0, fd);
		ASSERT_LE(0, other);
		ASSERT_EQ(0, write_param(params[k], 8 * page_size, &old));
		ASSERT_EQ(0, create_heap(fd, 64 * page_size, &a));
		ASSERT_EQ(0, create_heap(fd, 64 * page_size, &b));
		EXPECT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, a.heap_id, 5 * page_size, NULL));
		EXPECT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, b.heap_id, 3 * page_size, NULL));
		/* The limit is reached exactly: one more page is refused... */
		EXPECT_EQ(-ENOSPC, heap_op(fd, WSHEAP_IOC_GROW, b.heap_id, 4 * page_size, NULL));
		/* ...by the file limit for this file only, by the others for both. */
		ASSERT_EQ(0, create_heap(other, 64 * page_size, &a));
		EXPECT_EQ(k == 0 ? 0 : -ENOSPC, heap_op(other, WSHEAP_IOC_GROW, a.heap_id,
							page_size, NULL));
		ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_TRIM, b.heap_id, 0, NULL));
		EXPECT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, b.heap_id, 3 * page_size, NULL));
		ASSERT_EQ(0, write_param(params[k], old, NULL));
		close(other);
		close(fd);
	}
}

/* Minor faults this process has taken. */
static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * A fault maps the pages after the faulting one too (16 of them), within
 * the backing and the VMA: touching a heap in order costs one fault per
 * 16 pages, and nothing past the backing or the VMA gets mapped.
 */
TEST(faults_map_pages_in_batches)
{
	struct wsheap_create c;
	long before, faults;
	volatile char *p;
	char *half;
	int i, fd;

	SKIP_IF_NO_DEVICE();
	fd = wsheap_open();
	page_size = sysconf(_SC_PAGESIZE);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, create_heap(fd, 256 * page_size, &c));
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 128 * page_size, NULL));
	p = map_heap(fd, &c);
	ASSERT_NE(MAP_FAILED, p);
	before = minor_faults();
	for (i = 0; i < 128; i++)
		p[i * page_size] = (char)i;
	faults = minor_faults() - before;
	EXPECT_LE(faults, 128 / 17 + 2) TH_LOG("%ld faults for 128 pages", faults);
	EXPECT_LT(0, faults);
	for (i = 0; i < 128; i++)
		ASSERT_EQ((char)i, p[i * page_size]);
	/* The batch stopped at the backing's end. */
	EXPECT_EQ(SIGBUS, touch_here(p + 128 * page_size));
	/* And at the VMA's end: a mapping of the first half only. */
	ASSERT_EQ(0, munmap((void *)p, c.mmap_size));
	half = mmap(NULL, 8 * page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)c.mmap_offset);
	ASSERT_NE(MAP_FAILED, half);
	EXPECT_EQ(0, half[0]);
	EXPECT_EQ(7, half[7 * page_size]);
	/* A trim zaps what the batch mapped, like any other PTE. */
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_TRIM, c.heap_id, page_size, NULL));
	EXPECT_EQ(0, touch_here(half));
	EXPECT_EQ(SIGBUS, touch_here(half + 4 * page_size));
	ASSERT_EQ(0, munmap(half, 8 * page_size));
	close(fd);
}

TEST(memcg_limit_makes_growth_fail_with_enomem)
{
	struct wsheap_create c;
	uint64_t actual = 1;
	int fd;

	/* Before enter_memcg(): a skipped test leaves no cgroup behind. */
	SKIP_IF_NO_DEVICE();
	page_size = sysconf(_SC_PAGESIZE);
	ASSERT_EQ(0, enter_memcg("wsheap-memcg-test", "8M"));

	fd = wsheap_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, create_heap(fd, 64 << 20, &c));
	/* 32 MiB of zeroed pages cannot fit in 8 MiB: refused, and nothing kept. */
	EXPECT_EQ(-ENOMEM, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 32 << 20, NULL));
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_TRIM, c.heap_id, UINT64_MAX, &actual));
	EXPECT_EQ(0, actual);
	/* Within the limit, the heap still works. */
	EXPECT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 1 << 20, &actual));
	EXPECT_EQ(1 << 20, actual);
	close(fd);
}

/* --------------------------------------------------------- threads */

struct worker {
	int fd;
	uint32_t id;
	int failures;
};

static void *heap_worker(void *arg)
{
	struct worker *w = arg;
	long page = sysconf(_SC_PAGESIZE);
	int round;

	for (round = 0; round < 200; round++) {
		if (heap_op(w->fd, WSHEAP_IOC_GROW, w->id, (round % 8 + 1) * page, NULL) ||
		    heap_op(w->fd, WSHEAP_IOC_TRIM, w->id, (round % 3) * page, NULL))
			w->failures++;
	}
	return NULL;
}

TEST(two_threads_on_two_heaps_of_one_fd)
{
	struct worker w[2];
	pthread_t t[2];
	struct wsheap_create c;
	int k, fd;

	SKIP_IF_NO_DEVICE();
	fd = wsheap_open();
	ASSERT_LE(0, fd);
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, create_heap(fd, 1 << 20, &c));
		w[k] = (struct worker){ .fd = fd, .id = c.heap_id };
	}
	for (k = 0; k < 2; k++)
		ASSERT_EQ(0, pthread_create(&t[k], NULL, heap_worker, &w[k]));
	for (k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	EXPECT_EQ(0, w[0].failures + w[1].failures);
	close(fd);
}

TEST_HARNESS_MAIN
