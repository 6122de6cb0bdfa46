// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module's debugfs files: wsheap/stats counts live heaps and their
 * pages module-wide and must read zero when no heap exists, which is the
 * case whenever this runs (after the KUnit suites, on the debug kernel:
 * every heap they made is gone); wsheap/fail_alloc is there exactly when
 * the kernel has fault injection in debugfs.  The files are the module's:
 * where it is not loaded (no /dev/wsheap), each test skips.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "device.h"

#define STATS "/sys/kernel/debug/wsheap/stats"

TEST(stats_count_no_heap_when_none_exists)
{
	long heaps = -1, pages = -1, user_heaps = -1, user_pages = -1;
	FILE *f;

	SKIP_IF_NO_DEVICE();
	f = fopen(STATS, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", STATS, strerror(errno));
	ASSERT_EQ(4, fscanf(f, "heaps %ld\npages %ld\nuser_heaps %ld\nuser_pages %ld\n",
			    &heaps, &pages, &user_heaps, &user_pages));
	EXPECT_EQ(0, heaps);
	EXPECT_EQ(0, pages);
	EXPECT_EQ(0, user_heaps);
	EXPECT_EQ(0, user_pages);
	EXPECT_EQ(EOF, fgetc(f));
	fclose(f);
}

TEST(stats_are_read_only)
{
	struct stat st;

	SKIP_IF_NO_DEVICE();
	ASSERT_EQ(0, stat(STATS, &st));
	EXPECT_EQ(0444, st.st_mode & 07777);
}

TEST(fail_alloc_follows_the_kernel_config)
{
	int kernel_has, wsheap_has;

	SKIP_IF_NO_DEVICE();
	kernel_has = access("/sys/kernel/debug/fail_page_alloc", F_OK) == 0;
	wsheap_has = access("/sys/kernel/debug/wsheap/fail_alloc/probability", F_OK) == 0;
	EXPECT_EQ(kernel_has, wsheap_has);
}

TEST_HARNESS_MAIN
