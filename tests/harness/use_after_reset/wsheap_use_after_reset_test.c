// SPDX-License-Identifier: GPL-2.0-only
/*
 * A driver bug on purpose: touching an allocation after wsheap_reset(), in
 * a heap whose trim size keeps the memory.  tests/harness/run loads it to
 * prove that a KASAN kernel reports the stale access (see "Debugging" in
 * Documentation/kernel-api.rst); nothing else loads it.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/wsheap.h>

MODULE_IMPORT_NS(WSHEAP_NS);

static void touch_after_reset(struct kunit *test)
{
	struct wsheap *heap = wsheap_create(SZ_64K, SZ_64K, GFP_KERNEL);
	struct wsheap_sizes sizes;
	char *stale;

	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	KUNIT_ASSERT_EQ(test, wsheap_alloc(heap, 100, (void **)&stale), 0);
	stale[0] = 1;
	wsheap_reset(heap);
	wsheap_get_sizes(heap, &sizes);
	/* The trim size kept the backing... */
	KUNIT_EXPECT_EQ(test, sizes.actual_size, (size_t)PAGE_SIZE);
	/* ...and still the old address is no longer the heap's. */
	WRITE_ONCE(stale[0], 2);
	wsheap_destroy(heap);
}

static struct kunit_case cases[] = {
	KUNIT_CASE(touch_after_reset),
	{}
};

static struct kunit_suite suite = {
	.name = "wsheap_use_after_reset",
	.test_cases = cases,
};

kunit_test_suite(suite);

MODULE_DESCRIPTION("A use after reset, for the wsheap harness's own tests");
MODULE_LICENSE("GPL");
