// SPDX-License-Identifier: GPL-2.0-only
/*
 * A KUnit suite with one passing and one failing case.  It exists only so
 * that tests/harness/run can prove that tests/vm/run --kunit fails a run
 * in which a KUnit case fails; nothing else loads it.
 */
#include <kunit/test.h>
#include <linux/module.h>

static void harness_case_passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 2);
}

static void harness_case_fails(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, 1 + 1, 3, "failing on purpose");
}

static struct kunit_case harness_cases[] = {
	KUNIT_CASE(harness_case_passes),
	KUNIT_CASE(harness_case_fails),
	{}
};

static struct kunit_suite harness_suite = {
	.name = "wsheap_harness_fail",
	.test_cases = harness_cases,
};

kunit_test_suite(harness_suite);

MODULE_DESCRIPTION("A failing KUnit suite for the wsheap harness's own tests");
MODULE_LICENSE("GPL");
