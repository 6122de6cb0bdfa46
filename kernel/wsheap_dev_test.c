// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "wsheap_dev": the device and the ioctl argument rules.
 *
 * wsheap_test.ko holds every KUnit suite of wsheap.  It is a module of its
 * own because KUnit runs a module's suites while that module is still
 * loading; as a dependent of wsheap.ko it starts only once wsheap.ko is
 * fully initialised.  Ioctls, mmap and everything else that needs a user
 * address space are tested from user space (tests/selftests/): KUnit cases
 * run in a kthread.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/wsheap.h>

#include "wsheap_compat.h"
#include "wsheap_internal.h"

static void wsheap_test_info_reports_abi(struct kunit *test)
{
	struct wsheap_info info = { .size = sizeof(info) };

	/* Output fields are ignored on input. */
	info.abi_version = 0xdeadbeef;
	info.features = ~0ULL;
	KUNIT_ASSERT_EQ(test, wsheap_info_fill(&info), 0);
	KUNIT_EXPECT_EQ(test, info.abi_version, (u32)WSHEAP_ABI_VERSION);
	KUNIT_EXPECT_EQ(test, info.features, (u64)WSHEAP_FEATURES);
}

static void wsheap_test_info_rejects_flags(struct kunit *test)
{
	struct wsheap_info info = { .size = sizeof(info) };
	struct wsheap_info before;
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		info.flags = 1U << bit;
		before = info;
		KUNIT_EXPECT_EQ_MSG(test, wsheap_info_fill(&info), -EINVAL, "flag bit %u", bit);
		/* A refused request is left as it was. */
		KUNIT_EXPECT_EQ(test, memcmp(&info, &before, sizeof(info)), 0);
	}
}

static void wsheap_test_info_rejects_reserved(struct kunit *test)
{
	struct wsheap_info info = { .size = sizeof(info), .__reserved = 1 };

	KUNIT_EXPECT_EQ(test, wsheap_info_fill(&info), -EINVAL);
	KUNIT_EXPECT_EQ(test, info.abi_version, 0U);
}

static void wsheap_test_info_struct_layout(struct kunit *test)
{
	/* The first version of the struct is frozen; 32 and 64 bits agree. */
	KUNIT_EXPECT_EQ(test, sizeof(struct wsheap_info), (size_t)WSHEAP_INFO_SIZE_VER0);
	KUNIT_EXPECT_EQ(test, offsetof(struct wsheap_info, features), (size_t)16);
	KUNIT_EXPECT_EQ(test, offsetof(struct wsheap_info, size), (size_t)0);
}

static void wsheap_test_device_registered(struct kunit *test)
{
	KUNIT_EXPECT_NE(test, wsheap_misc.minor, MISC_DYNAMIC_MINOR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, wsheap_misc.this_device);
	KUNIT_EXPECT_STREQ(test, dev_name(wsheap_misc.this_device), "wsheap");
}

static struct kunit_case wsheap_test_cases[] = {
	KUNIT_CASE(wsheap_test_info_reports_abi),
	KUNIT_CASE(wsheap_test_info_rejects_flags),
	KUNIT_CASE(wsheap_test_info_rejects_reserved),
	KUNIT_CASE(wsheap_test_info_struct_layout),
	KUNIT_CASE(wsheap_test_device_registered),
	{}
};

static struct kunit_suite wsheap_test_suite = {
	.name = "wsheap_dev",
	.test_cases = wsheap_test_cases,
};

kunit_test_suite(wsheap_test_suite);

MODULE_DESCRIPTION("KUnit tests for wsheap");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(WSHEAP_KUNIT_NS);
MODULE_IMPORT_NS(WSHEAP_NS);
