// SPDX-License-Identifier: GPL-2.0-only
/*
 * WSHEAP_IOC_GET_INFO and the rules every wsheap ioctl shares: the
 * size-prefixed argument, reserved fields, bad pointers, unknown commands.
 * Built twice, as a 64-bit and as a 32-bit program, so that the compat
 * path of the module is held to the same answers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/wsheap.h>

#include "kselftest_harness.h"
#include "device.h"

/* A caller built against a later header: the struct has grown a tail. */
struct info_with_tail {
	struct wsheap_info info;
	uint8_t tail[40];
};

static int get_info(int fd, void *arg)
{
	return ioctl(fd, WSHEAP_IOC_GET_INFO, arg) ? -errno : 0;
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = -1;
	SKIP_IF_NO_DEVICE();
	self->fd = open("/dev/wsheap", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/wsheap: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST(device_node_is_world_accessible_char_device)
{
	struct stat st;

	SKIP_IF_NO_DEVICE();
	ASSERT_EQ(0, stat("/dev/wsheap", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST(struct_layout_is_frozen)
{
	EXPECT_EQ(WSHEAP_INFO_SIZE_VER0, sizeof(struct wsheap_info));
	EXPECT_EQ(16, offsetof(struct wsheap_info, features));
}

TEST_F(dev, get_info_reports_abi_version)
{
	struct wsheap_info info = { .size = sizeof(info) };

	ASSERT_EQ(0, get_info(self->fd, &info));
	EXPECT_EQ(WSHEAP_ABI_VERSION, info.abi_version);
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(0, info.__reserved);
}

TEST_F(dev, output_fields_are_ignored_on_input)
{
	struct wsheap_info first = { .size = sizeof(first) };
	struct wsheap_info info = { .size = sizeof(info) };

	ASSERT_EQ(0, get_info(self->fd, &first));
	info.abi_version = 0xdeadbeef;
	info.features = ~0ULL;
	ASSERT_EQ(0, get_info(self->fd, &info));
	EXPECT_EQ(WSHEAP_ABI_VERSION, info.abi_version);
	EXPECT_EQ(first.features, info.features);
}

TEST_F(dev, unknown_command_is_enotty)
{
	struct wsheap_info info = { .size = sizeof(info) };
	const unsigned long cmds[] = {
		_IO(WSHEAP_IOC_TYPE, 0x7f),
		_IO(WSHEAP_IOC_TYPE, 0xff),
		_IO('x', 0x00),
		/* GET_INFO's number with direction and size bits is another command. */
		_IOWR(WSHEAP_IOC_TYPE, 0x00, struct wsheap_info),
		FIONREAD,
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], &info));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

TEST_F(dev, size_below_first_version_is_einval)
{
	const uint32_t sizes[] = { 0, 4, 8, 16, WSHEAP_INFO_SIZE_VER0 - 1 };
	struct wsheap_info info;
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizes[i];
		info.abi_version = 0xdeadbeef;
		EXPECT_EQ(-EINVAL, get_info(self->fd, &info)) TH_LOG("size %u", sizes[i]);
		EXPECT_EQ(0xdeadbeef, info.abi_version);
		EXPECT_EQ(sizes[i], info.size);
	}
}

TEST_F(dev, longer_struct_with_zero_tail_is_accepted)
{
	struct info_with_tail big;
	uint8_t zero[sizeof(big.tail)] = { 0 };

	memset(&big, 0, sizeof(big));
	big.info.size = sizeof(big);
	ASSERT_EQ(0, get_info(self->fd, &big));
	/* The kernel says how much it understood and writes no further. */
	EXPECT_EQ(sizeof(struct wsheap_info), big.info.size);
	EXPECT_EQ(WSHEAP_ABI_VERSION, big.info.abi_version);
	EXPECT_EQ(0, memcmp(big.tail, zero, sizeof(zero)));
}

TEST_F(dev, longer_struct_with_nonzero_tail_is_e2big)
{
	struct info_with_tail big;
	unsigned int at;

	for (at = 0; at < sizeof(big.tail); at += 13) {
		memset(&big, 0, sizeof(big));
		big.info.size = sizeof(big);
		big.info.abi_version = 0xdeadbeef;
		big.tail[at] = 1;
		EXPECT_EQ(-E2BIG, get_info(self->fd, &big)) TH_LOG("tail byte %u", at);
		EXPECT_EQ(0xdeadbeef, big.info.abi_version);
		EXPECT_EQ(sizeof(big), big.info.size);
	}
}

TEST_F(dev, struct_larger_than_a_page_is_e2big)
{
	static struct {
		struct wsheap_info info;
		uint8_t tail[8192];
	} huge;

	memset(&huge, 0, sizeof(huge));
	huge.info.size = sizeof(huge);
	huge.info.abi_version = 0xdeadbeef;
	EXPECT_EQ(-E2BIG, get_info(self->fd, &huge));
	EXPECT_EQ(0xdeadbeef, huge.info.abi_version);
}

TEST_F(dev, any_flag_is_einval)
{
	struct wsheap_info info;
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.flags = 1U << bit;
		info.abi_version = 0xdeadbeef;
		EXPECT_EQ(-EINVAL, get_info(self->fd, &info)) TH_LOG("flag bit %u", bit);
		EXPECT_EQ(0xdeadbeef, info.abi_version);
	}
}

TEST_F(dev, reserved_field_is_einval)
{
	struct wsheap_info info = { .size = sizeof(info), .__reserved = 0x80000000 };

	info.abi_version = 0xdeadbeef;
	EXPECT_EQ(-EINVAL, get_info(self->fd, &info));
	EXPECT_EQ(0xdeadbeef, info.abi_version);
}

TEST_F(dev, bad_pointer_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	struct wsheap_info *info;
	uint8_t *map;

	EXPECT_EQ(-EFAULT, get_info(self->fd, NULL));
	EXPECT_EQ(-EFAULT, get_info(self->fd, (void *)(uintptr_t)1));

	/* A struct that ends where the readable memory ends is fine... */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));
	info = (struct wsheap_info *)(map + page - sizeof(*info));
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	EXPECT_EQ(0, get_info(self->fd, info));

	/* ...one that claims to run on into the guard page is not. */
	info = (struct wsheap_info *)(map + page - sizeof(*info));
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info) + 8;
	EXPECT_EQ(-EFAULT, get_info(self->fd, info));

	/* Readable but not writable: the answer cannot be copied back. */
	info = (struct wsheap_info *)map;
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	ASSERT_EQ(0, mprotect(map, page, PROT_READ));
	EXPECT_EQ(-EFAULT, get_info(self->fd, info));
	munmap(map, 2 * page);
}

TEST_F(dev, read_only_open_answers_get_info)
{
	struct wsheap_info info = { .size = sizeof(info) };
	int fd = open("/dev/wsheap", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, get_info(fd, &info));
	EXPECT_EQ(WSHEAP_ABI_VERSION, info.abi_version);
	close(fd);
}

TEST_F(dev, unload_is_refused_while_open)
{
	struct wsheap_info info = { .size = sizeof(info) };

	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_delete_module, "wsheap", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	/* The module is still there and still answers. */
	EXPECT_EQ(0, get_info(self->fd, &info));
}

TEST_HARNESS_MAIN
