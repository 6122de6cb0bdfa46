// SPDX-License-Identifier: GPL-2.0-only
/*
 * libwsheap's wsheap_open_device(), linked against the shared library,
 * against the real module.  The failure cases run in a private mount
 * namespace where /dev/wsheap is hidden or replaced.  Replacing it needs
 * the node, to bind-mount over: only hiding it runs without the module.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <wsheap.h>

#include "kselftest_harness.h"
#include "device.h"

/* Give this test its own view of /dev; the harness runs each test in a child. */
static int private_dev(void)
{
	if (unshare(CLONE_NEWNS))
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	return 0;
}

TEST(opens_and_reports_info)
{
	struct wsheap_info info;
	int fd, flags;

	SKIP_IF_NO_DEVICE();
	memset(&info, 0xa5, sizeof(info));
	fd = wsheap_open_device(&info);
	ASSERT_LE(0, fd) TH_LOG("wsheap_open_device: %s", strerror(-fd));
	EXPECT_EQ(WSHEAP_ABI_VERSION, info.abi_version);
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(0, info.__reserved);

	flags = fcntl(fd, F_GETFD);
	EXPECT_TRUE(flags & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	close(fd);
}

TEST(info_may_be_null)
{
	int fd;

	SKIP_IF_NO_DEVICE();
	fd = wsheap_open_device(NULL);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST(success_leaves_errno_alone)
{
	int fd;

	SKIP_IF_NO_DEVICE();
	errno = 4321;
	fd = wsheap_open_device(NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4321, errno);
	close(fd);
}

TEST(missing_device_is_enoent)
{
	struct wsheap_info info;

	ASSERT_EQ(0, private_dev());
	ASSERT_EQ(0, mount("tmpfs", "/dev", "tmpfs", 0, NULL));
	memset(&info, 0xa5, sizeof(info));
	errno = 4321;
	EXPECT_EQ(-ENOENT, wsheap_open_device(&info));
	EXPECT_EQ(4321, errno);
	/* Nothing is written on failure. */
	EXPECT_EQ(0xa5a5a5a5, info.abi_version);
}

TEST(other_device_is_enotty)
{
	SKIP_IF_NO_DEVICE();
	ASSERT_EQ(0, private_dev());
	/* /dev/null stands where /dev/wsheap should be. */
	ASSERT_EQ(0, mount("/dev/null", "/dev/wsheap", NULL, MS_BIND, NULL));
	errno = 4321;
	EXPECT_EQ(-ENOTTY, wsheap_open_device(NULL));
	EXPECT_EQ(4321, errno);
}

TEST(no_descriptor_leaks_on_failure)
{
	int before, after;

	SKIP_IF_NO_DEVICE();
	ASSERT_EQ(0, private_dev());
	ASSERT_EQ(0, mount("/dev/null", "/dev/wsheap", NULL, MS_BIND, NULL));
	before = dup(0);
	ASSERT_LE(0, before);
	close(before);
	EXPECT_EQ(-ENOTTY, wsheap_open_device(NULL));
	after = dup(0);
	/* The lowest free descriptor is the same: the failed open closed its fd. */
	EXPECT_EQ(before, after);
	close(after);
}

TEST_HARNESS_MAIN
