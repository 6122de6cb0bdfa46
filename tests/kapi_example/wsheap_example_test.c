// SPDX-License-Identifier: GPL-2.0-only
/*
 * A driver outside the wsheap tree, built with the two Kbuild lines
 * Documentation/kernel-api.rst gives, using the API the way that document
 * shows: one heap reused message after message.  It is a KUnit suite so
 * that its checks are counted with the others.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/wsheap.h>

MODULE_IMPORT_NS(WSHEAP_NS);

struct message {
	char *header;
	char *body;
};

/* Build one message in the heap, as a protocol driver would per request. */
static int build_message(struct wsheap *heap, unsigned int n, struct message *msg)
{
	int err;

	err = wsheap_alloc(heap, 64, (void **)&msg->header);
	if (err)
		return err;
	err = wsheap_alloc(heap, 1000 + 13 * n, (void **)&msg->body);
	if (err)
		return err;
	snprintf(msg->header, 64, "message %u", n);
	memset(msg->body, 'a' + n % 26, 1000 + 13 * n);
	return 0;
}

static void example_message_loop(struct kunit *test)
{
	struct wsheap *heap = wsheap_create(SZ_16K, SZ_16K, GFP_KERNEL);
	struct wsheap_sizes sizes;
	struct message msg;
	unsigned int n;

	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	for (n = 0; n < 200; n++) {
		KUNIT_ASSERT_EQ(test, build_message(heap, n, &msg), 0);
		KUNIT_EXPECT_EQ(test, msg.body[1000 + 13 * n - 1], (char)('a' + n % 26));
		wsheap_reset(heap);
	}
	wsheap_get_sizes(heap, &sizes);
	KUNIT_EXPECT_EQ(test, sizes.requested_size, (size_t)0);
	KUNIT_EXPECT_LE(test, sizes.actual_size, (size_t)SZ_16K);
	wsheap_destroy(heap);
}

static void example_oversized_message_is_refused(struct kunit *test)
{
	struct wsheap *heap = wsheap_create(SZ_4K, 0, GFP_KERNEL);
	struct message msg;

	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	/* Message 300's body is 4900 bytes: over the heap's max size. */
	KUNIT_EXPECT_EQ(test, build_message(heap, 300, &msg), -EDQUOT);
	wsheap_destroy(heap);
}

static struct kunit_case example_cases[] = {
	KUNIT_CASE(example_message_loop),
	KUNIT_CASE(example_oversized_message_is_refused),
	{}
};

static struct kunit_suite example_suite = {
	.name = "wsheap_example_driver",
	.test_cases = example_cases,
};

kunit_test_suite(example_suite);

MODULE_DESCRIPTION("An out-of-tree user of the wsheap kernel API");
MODULE_LICENSE("GPL");
