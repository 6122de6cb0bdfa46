// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "wsheap_heap": the in-kernel heap API of <linux/wsheap.h>
 * against the WS_HEAP contract: quota on the sum of requested sizes,
 * alignment, zero-byte allocations, reset and trim, growth, large and many
 * allocations, overflow, out-of-memory and the module-wide accounting.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/fault-inject.h>
#include <linux/kthread.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/wsheap.h>

#include "wsheap_internal.h"

/* What a failed wsheap_alloc() must leave in its out-parameter. */
#define UNTOUCHED ((void *)0xdeadbeefUL)

struct heap_params {
	size_t max_size;
	size_t trim_size;
	gfp_t gfp;
};

static int heap_resource_init(struct kunit_resource *res, void *context)
{
	const struct heap_params *p = context;
	struct wsheap *heap = wsheap_create(p->max_size, p->trim_size, p->gfp);

	if (IS_ERR(heap))
		return PTR_ERR(heap);
	res->data = heap;
	return 0;
}

static void heap_resource_free(struct kunit_resource *res)
{
	wsheap_destroy(res->data);
}

/* A heap destroyed when the case ends, however it ends. */
static struct wsheap *test_heap_gfp(struct kunit *test, size_t max_size, size_t trim_size,
				    gfp_t gfp)
{
	struct heap_params p = { max_size, trim_size, gfp };
	struct wsheap *heap;

	heap = kunit_alloc_resource(test, heap_resource_init, heap_resource_free,
				    GFP_KERNEL, &p);
	KUNIT_ASSERT_NOT_NULL(test, heap);
	return heap;
}

static struct wsheap *test_heap(struct kunit *test, size_t max_size, size_t trim_size)
{
	return test_heap_gfp(test, max_size, trim_size, GFP_KERNEL);
}

static struct wsheap_sizes sizes_of(struct wsheap *heap)
{
	struct wsheap_sizes s;

	memset(&s, 0xa5, sizeof(s));
	wsheap_get_sizes(heap, &s);
	return s;
}

static void *must_alloc(struct kunit *test, struct wsheap *heap, size_t size)
{
	void *p = UNTOUCHED;

	KUNIT_ASSERT_EQ_MSG(test, wsheap_alloc(heap, size, &p), 0, "size %zu", size);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_PTR_NE(test, p, UNTOUCHED);
	return p;
}

/* ---------------------------------------------------------------- create */

static const struct heap_params fresh_cases[] = {
	{ 65536, 64 }, { 0, 0 }, { 256, 0 }, { 4096, SZ_1M }, { SIZE_MAX, SIZE_MAX },
};

static void fresh_desc(const struct heap_params *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "max=%zu trim=%zu", p->max_size, p->trim_size);
}

KUNIT_ARRAY_PARAM(fresh, fresh_cases, fresh_desc);

static void fresh_heap_reports_its_sizes(struct kunit *test)
{
	const struct heap_params *p = test->param_value;
	struct wsheap *heap = test_heap(test, p->max_size, p->trim_size);
	struct wsheap_sizes s = sizes_of(heap);

	KUNIT_EXPECT_EQ(test, s.max_size, p->max_size);
	KUNIT_EXPECT_EQ(test, s.trim_size, p->trim_size);
	KUNIT_EXPECT_EQ(test, s.requested_size, (size_t)0);
	/* Nothing is taken from the page allocator before the first allocation. */
	KUNIT_EXPECT_EQ(test, s.actual_size, (size_t)0);
	KUNIT_EXPECT_EQ(test, wsheap_chunk_count(heap), 0U);
}

static void create_refuses_foreign_gfp_bits(struct kunit *test)
{
	const gfp_t bad[] = { __GFP_DMA, __GFP_HIGHMEM, __GFP_ZERO, __GFP_COMP,
			      __GFP_NOFAIL, __GFP_DMA32 };
	long heaps = wsheap_stat_heaps();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(wsheap_create(4096, 0, GFP_KERNEL | bad[i])),
				    (long)-EINVAL, "gfp bit %#x", (unsigned int)bad[i]);
	KUNIT_EXPECT_EQ(test, wsheap_stat_heaps(), heaps);
}

static void create_accepts_nonblocking_gfp(struct kunit *test)
{
	const gfp_t ok[] = { GFP_ATOMIC, GFP_NOWAIT, GFP_KERNEL | __GFP_NORETRY,
			     GFP_KERNEL | __GFP_RETRY_MAYFAIL, GFP_KERNEL_ACCOUNT };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		must_alloc(test, test_heap_gfp(test, 4096, 0, ok[i]), 100);
}

static void heap_count_follows_create_and_destroy(struct kunit *test)
{
	long heaps = wsheap_stat_heaps();
	struct wsheap *heap = wsheap_create(4096, 0, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	KUNIT_EXPECT_EQ(test, wsheap_stat_heaps(), heaps + 1);
	wsheap_destroy(heap);
	KUNIT_EXPECT_EQ(test, wsheap_stat_heaps(), heaps);
}

static void destroy_null_is_harmless(struct kunit *test)
{
	long heaps = wsheap_stat_heaps();

	wsheap_destroy(NULL);
	KUNIT_EXPECT_EQ(test, wsheap_stat_heaps(), heaps);
}

/* ------------------------------------------------------- sizes and quota */

static const size_t odd_sizes[] = { 1, 3, 7, 8, 9, 15, 16, 17, 100, 255, 4095, 4096, 4097 };

static void size_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size=%zu", *size);
}

KUNIT_ARRAY_PARAM(odd, odd_sizes, size_desc);

static void requested_counts_the_raw_size(struct kunit *test)
{
	size_t size = *(const size_t *)test->param_value;
	struct wsheap *heap = test_heap(test, SZ_64K, 0);
	struct wsheap_sizes s;
	void *p;

	p = must_alloc(test, heap, size);
	s = sizes_of(heap);
	/* The request as made, not rounded to the alignment. */
	KUNIT_EXPECT_EQ(test, s.requested_size, size);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, WSHEAP_ALIGN));
	KUNIT_EXPECT_GE(test, s.actual_size, size);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(s.actual_size, PAGE_SIZE));
	memset(p, 0x5a, size);
}

static void every_allocation_is_aligned(struct kunit *test)
{
	const unsigned int n = 100;
	struct wsheap *heap = test_heap(test, SZ_1M, 0);
	char **ptrs = kunit_kcalloc(test, n, sizeof(*ptrs), GFP_KERNEL);
	size_t total = 0;
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, ptrs);
	for (i = 0; i < n; i++) {
		ptrs[i] = must_alloc(test, heap, 2 * i + 1);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)ptrs[i], WSHEAP_ALIGN),
				      "size %u at %p", 2 * i + 1, ptrs[i]);
		total += 2 * i + 1;
	}
	/* No two allocations overlap. */
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			KUNIT_ASSERT_TRUE(test, ptrs[i] >= ptrs[j] + 2 * j + 1 ||
					  ptrs[j] >= ptrs[i] + 2 * i + 1);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, total);
}

static void zero_byte_allocations_are_distinct(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, 0, 0);
	void **seen = kunit_kcalloc(test, 64, sizeof(*seen), GFP_KERNEL);
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < 64; i++) {
		seen[i] = must_alloc(test, heap, 0);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_PTR_NE(test, seen[i], seen[j]);
	}
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)0);
}

static void max_zero_refuses_one_byte(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, 0, 0);
	void *p = UNTOUCHED;

	KUNIT_EXPECT_EQ(test, wsheap_alloc(heap, 1, &p), -EDQUOT);
	KUNIT_EXPECT_PTR_EQ(test, p, UNTOUCHED);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)0);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).actual_size, (size_t)0);
}

/* The Windows-verified sequence: a 256-byte heap, 512 refused, 16 granted. */
static void quota_failure_is_not_counted(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, 256, 0);
	void *p = UNTOUCHED;

	KUNIT_EXPECT_EQ(test, wsheap_alloc(heap, 512, &p), -EDQUOT);
	KUNIT_EXPECT_PTR_EQ(test, p, UNTOUCHED);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).actual_size, (size_t)0);
	must_alloc(test, heap, 16);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)16);
}

static void exact_fit_succeeds_one_more_byte_fails(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, 256, 0);
	void *p = UNTOUCHED;

	must_alloc(test, heap, 200);
	must_alloc(test, heap, 56);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)256);
	KUNIT_EXPECT_EQ(test, wsheap_alloc(heap, 1, &p), -EDQUOT);
	KUNIT_EXPECT_PTR_EQ(test, p, UNTOUCHED);
	/* A full heap still grants zero bytes. */
	must_alloc(test, heap, 0);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)256);
}

static void one_byte_over_the_max_fails(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, 256, 0);
	void *p = UNTOUCHED;

	KUNIT_EXPECT_EQ(test, wsheap_alloc(heap, 257, &p), -EDQUOT);
	KUNIT_EXPECT_PTR_EQ(test, p, UNTOUCHED);
	must_alloc(test, heap, 256);
}

static void quota_restarts_after_reset(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, 1000, 1000);
	void *p = UNTOUCHED;
	int round;

	for (round = 0; round < 3; round++) {
		must_alloc(test, heap, 999);
		must_alloc(test, heap, 1);
		KUNIT_EXPECT_EQ(test, wsheap_alloc(heap, 1, &p), -EDQUOT);
		wsheap_reset(heap);
		KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)0);
	}
}

struct overflow_case {
	size_t already;
	size_t size;
	int err;
};

static const struct overflow_case overflow_cases[] = {
	{ 0, SIZE_MAX, -EOVERFLOW },
	{ 0, SIZE_MAX - 6, -EOVERFLOW },
	{ 0, SIZE_MAX - 7, -ENOMEM },
	{ 0, SIZE_MAX - PAGE_SIZE, -ENOMEM },
	{ 100, SIZE_MAX - 50, -EDQUOT },
	{ 100, SIZE_MAX - 99, -EDQUOT },
	{ 100, SIZE_MAX, -EDQUOT },
};

static void overflow_desc(const struct overflow_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "after %zu, SIZE_MAX-%zu", c->already,
		 SIZE_MAX - c->size);
}

KUNIT_ARRAY_PARAM(overflow, overflow_cases, overflow_desc);

static void sizes_near_size_max_never_wrap(struct kunit *test)
{
	const struct overflow_case *c = test->param_value;
	struct wsheap *heap = test_heap(test, SIZE_MAX, 0);
	void *p = UNTOUCHED;

	if (c->already)
		must_alloc(test, heap, c->already);
	KUNIT_EXPECT_EQ(test, wsheap_alloc(heap, c->size, &p), c->err);
	KUNIT_EXPECT_PTR_EQ(test, p, UNTOUCHED);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, c->already);
}

static void more_than_memory_is_enomem_and_leaks_nothing(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, SIZE_MAX, 0);
	long pages = wsheap_stat_pages();
	void *p = UNTOUCHED;

	KUNIT_EXPECT_EQ(test, wsheap_alloc(heap, (size_t)SZ_1G * 1024, &p), -ENOMEM);
	KUNIT_EXPECT_PTR_EQ(test, p, UNTOUCHED);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)0);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).actual_size, (size_t)0);
	KUNIT_EXPECT_EQ(test, wsheap_stat_pages(), pages);
	/* The heap is still good. */
	must_alloc(test, heap, 64);
}

/* ------------------------------------------------------- backing memory */

static void first_allocation_takes_one_page(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, 256, 0);

	must_alloc(test, heap, 16);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).actual_size, (size_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, wsheap_chunk_count(heap), 1U);
}

static void growth_is_capped_by_the_quota(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, 10000, 0);
	int i;

	for (i = 0; i < 100; i++)
		must_alloc(test, heap, 100);
	/* 10000 bytes in 100-byte pieces fit in 3 pages; doubling would take 7. */
	KUNIT_EXPECT_LE(test, sizes_of(heap).actual_size, (size_t)(3 * PAGE_SIZE));
}

static void growth_is_geometric(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, SZ_16M, 0);
	size_t total;

	for (total = 0; total < SZ_8M; total += 64)
		must_alloc(test, heap, 64);
	/* 2048 pages in 1, 2, 4 ... 256-page chunks: a score, not thousands. */
	KUNIT_EXPECT_LE(test, wsheap_chunk_count(heap), 20U);
	KUNIT_EXPECT_GE(test, sizes_of(heap).actual_size, (size_t)SZ_8M);
	KUNIT_EXPECT_LE(test, sizes_of(heap).actual_size, (size_t)SZ_8M + SZ_2M);
}

static const size_t large_sizes[] = { SZ_64K + 1, SZ_1M, SZ_4M + 3, SZ_16M };
KUNIT_ARRAY_PARAM(large, large_sizes, size_desc);

static void large_allocation_is_contiguous(struct kunit *test)
{
	size_t size = *(const size_t *)test->param_value;
	struct wsheap *heap = test_heap(test, SZ_32M, 0);
	unsigned char *small = must_alloc(test, heap, 40);
	unsigned char *p;
	size_t i;

	memset(small, 0x11, 40);
	p = must_alloc(test, heap, size);
	/* Every byte, through one pointer. */
	for (i = 0; i < size; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	for (i = 0; i < size; i += 4093)
		KUNIT_ASSERT_EQ(test, p[i], (unsigned char)(i * 7 + 3));
	KUNIT_EXPECT_EQ(test, p[size - 1], (unsigned char)((size - 1) * 7 + 3));
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, size + 40);
	KUNIT_EXPECT_GE(test, sizes_of(heap).actual_size, size + 40);
	/* The small allocation before it is untouched, its chunk still current. */
	KUNIT_EXPECT_NULL(test, memchr_inv(small, 0x11, 40));
	KUNIT_EXPECT_PTR_EQ(test, (unsigned char *)must_alloc(test, heap, 8), small + 40);
}

static void many_small_allocations(struct kunit *test)
{
	const unsigned int n = 20000;
	struct wsheap *heap = test_heap(test, SZ_1M, 0);
	u32 **ptrs = kunit_kcalloc(test, n, sizeof(*ptrs), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, ptrs);
	for (i = 0; i < n; i++) {
		ptrs[i] = must_alloc(test, heap, 24);
		ptrs[i][0] = i;
		ptrs[i][5] = ~i;
	}
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, ptrs[i][0], i);
		KUNIT_ASSERT_EQ(test, ptrs[i][5], ~i);
	}
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)n * 24);
	KUNIT_EXPECT_LE(test, wsheap_chunk_count(heap), 12U);
}

static void contents_survive_until_reset(struct kunit *test)
{
	static const size_t sizes[] = { 5, 4000, 70000, 1, 300, SZ_2M, 17, 4096 };
	struct wsheap *heap = test_heap(test, SZ_4M, SZ_4M);
	unsigned char *ptrs[ARRAY_SIZE(sizes)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ptrs[i] = must_alloc(test, heap, sizes[i]);
		memset(ptrs[i], 0x40 + i, sizes[i]);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(ptrs[i], 0x40 + i, sizes[i]),
				      "allocation %u of %zu bytes", i, sizes[i]);
}

/* ----------------------------------------------------------- reset, trim */

static void reset_of_an_empty_heap(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, 4096, 4096);
	struct wsheap_sizes s;

	wsheap_reset(heap);
	wsheap_reset(heap);
	s = sizes_of(heap);
	KUNIT_EXPECT_EQ(test, s.requested_size, (size_t)0);
	KUNIT_EXPECT_EQ(test, s.actual_size, (size_t)0);
	KUNIT_EXPECT_EQ(test, s.max_size, (size_t)4096);
	KUNIT_EXPECT_EQ(test, s.trim_size, (size_t)4096);
}

static void many_resets_reuse_the_same_memory(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, SZ_64K, SZ_64K);
	long pages = 0;
	size_t actual = 0;
	int round, i;

	for (round = 0; round < 1000; round++) {
		for (i = 0; i < 64; i++)
			must_alloc(test, heap, 16 + (i * 37) % 497);
		KUNIT_ASSERT_LE(test, sizes_of(heap).requested_size, (size_t)SZ_64K);
		wsheap_reset(heap);
		KUNIT_ASSERT_EQ(test, sizes_of(heap).requested_size, (size_t)0);
		if (round == 1) {
			actual = sizes_of(heap).actual_size;
			pages = wsheap_stat_pages();
		}
	}
	/* Once grown to a message's size, the heap stops growing. */
	KUNIT_EXPECT_EQ(test, sizes_of(heap).actual_size, actual);
	KUNIT_EXPECT_EQ(test, wsheap_stat_pages(), pages);
}

static void memory_within_trim_is_kept(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, SZ_64K, SZ_64K);
	size_t actual;
	unsigned int chunks;
	int i;

	for (i = 0; i < 16; i++)
		must_alloc(test, heap, 2000);
	actual = sizes_of(heap).actual_size;
	chunks = wsheap_chunk_count(heap);
	wsheap_reset(heap);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).actual_size, actual);
	for (i = 0; i < 16; i++)
		must_alloc(test, heap, 2000);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).actual_size, actual);
	KUNIT_EXPECT_EQ(test, wsheap_chunk_count(heap), chunks);
}

static const size_t trim_sizes[] = { 0, PAGE_SIZE, SZ_64K, SZ_256K, SZ_1M, SZ_2M };
KUNIT_ARRAY_PARAM(trim, trim_sizes, size_desc);

static void reset_keeps_no_more_than_the_trim_size(struct kunit *test)
{
	size_t trim = *(const size_t *)test->param_value;
	struct wsheap *heap = test_heap(test, SZ_1M, trim);
	size_t before, after, total;

	for (total = 0; total < SZ_512K; total += 1000)
		must_alloc(test, heap, 1000);
	must_alloc(test, heap, 200000);		/* a chunk of its own */
	before = sizes_of(heap).actual_size;
	wsheap_reset(heap);
	after = sizes_of(heap).actual_size;

	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)0);
	if (trim > SZ_1M) {
		/* A trim size above the max size: never trimmed. */
		KUNIT_EXPECT_EQ(test, after, before);
	} else {
		KUNIT_EXPECT_LE(test, after, trim);
		/* Kept: the largest chunks that fit, so at least half of the trim size. */
		if (trim >= SZ_64K)
			KUNIT_EXPECT_GE(test, after, trim / 2);
	}
	if (trim == 0)
		KUNIT_EXPECT_EQ(test, wsheap_chunk_count(heap), 0U);
}

static void pages_return_after_destroy(struct kunit *test)
{
	long heaps = wsheap_stat_heaps();
	long pages = wsheap_stat_pages();
	struct wsheap *heap;
	int i;

	heap = wsheap_create(SZ_8M, SZ_1M, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	for (i = 0; i < 300; i++)
		must_alloc(test, heap, 10000);
	must_alloc(test, heap, SZ_2M);
	KUNIT_EXPECT_EQ(test, wsheap_stat_pages() - pages,
			(long)(sizes_of(heap).actual_size >> PAGE_SHIFT));
	wsheap_reset(heap);
	KUNIT_EXPECT_EQ(test, wsheap_stat_pages() - pages,
			(long)(sizes_of(heap).actual_size >> PAGE_SHIFT));
	wsheap_destroy(heap);
	KUNIT_EXPECT_EQ(test, wsheap_stat_pages(), pages);
	KUNIT_EXPECT_EQ(test, wsheap_stat_heaps(), heaps);
}

/* ------------------------------------------------------ failure, context */

#ifdef CONFIG_FAULT_INJECTION
static void fail_next_chunk(struct fault_attr *attr)
{
	attr->probability = 100;
	attr->interval = 1;
	attr->verbose = 0;
	atomic_set(&attr->times, 1);
}
#endif

static void injected_failure_is_enomem_and_leaks_nothing(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	struct wsheap *heap = test_heap(test, SZ_1M, 0);
	struct fault_attr *attr = wsheap_fail_alloc_attr();
	long pages = wsheap_stat_pages();
	unsigned char *first;
	void *p = UNTOUCHED;
	struct wsheap_sizes s;

	/* First growth fails. */
	fail_next_chunk(attr);
	KUNIT_EXPECT_EQ(test, wsheap_alloc(heap, 100, &p), -ENOMEM);
	KUNIT_EXPECT_PTR_EQ(test, p, UNTOUCHED);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)0);
	KUNIT_EXPECT_EQ(test, wsheap_stat_pages(), pages);

	/* A later growth fails: what was handed out before stays. */
	first = must_alloc(test, heap, 3000);
	memset(first, 0x77, 3000);
	s = sizes_of(heap);
	fail_next_chunk(attr);
	KUNIT_EXPECT_EQ(test, wsheap_alloc(heap, 3000, &p), -ENOMEM);
	KUNIT_EXPECT_PTR_EQ(test, p, UNTOUCHED);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, s.requested_size);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).actual_size, s.actual_size);
	KUNIT_EXPECT_NULL(test, memchr_inv(first, 0x77, 3000));
	must_alloc(test, heap, 3000);
	atomic_set(&attr->times, 0);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * Arm the kernel's fault injection for this task: the @nth injectable
 * allocation from now on fails (slab, page allocator, and wsheap's own
 * fail_alloc attribute; the guest turns off failslab's and
 * fail_page_alloc's exemption of sleeping allocations).  0 disarms.
 */
static void fail_nth_allocation(unsigned int nth)
{
	WRITE_ONCE(current->fail_nth, nth);
}

/* Whether the armed failure was injected; disarms. */
static bool fail_nth_fired(void)
{
	bool fired = READ_ONCE(current->fail_nth) == 0;

	WRITE_ONCE(current->fail_nth, 0);
	return fired;
}
#endif

/* More allocation sites than any call here reaches: a loop that ends. */
#define WSHEAP_TEST_MAX_NTH 500

/*
 * Each allocation site wsheap_create() and wsheap_alloc() reach fails in
 * turn: -ENOMEM (or ERR_PTR(-ENOMEM)), nothing counted, nothing leaked
 * (kmemleak checks at the end of the run), the heap still usable.
 */
static void every_allocation_site_fails_cleanly(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	static const size_t sizes[] = { 100, 5000, 40000, 300000 };
	long pages = wsheap_stat_pages(), heaps = wsheap_stat_heaps();
	int nth, failures = 0, ret;
	struct wsheap *heap;
	unsigned int i;
	bool fired;
	void *p;

	for (nth = 1; nth < WSHEAP_TEST_MAX_NTH; nth++) {
		fail_nth_allocation(nth);
		heap = wsheap_create(SZ_1M, SZ_64K, GFP_KERNEL);
		fired = fail_nth_fired();
		if (IS_ERR(heap)) {
			KUNIT_ASSERT_EQ(test, PTR_ERR(heap), -ENOMEM);
			KUNIT_ASSERT_EQ(test, wsheap_stat_heaps(), heaps);
			failures++;
		} else {
			wsheap_destroy(heap);
		}
		if (!fired)
			break;
	}
	KUNIT_EXPECT_LT(test, nth, WSHEAP_TEST_MAX_NTH);
	KUNIT_EXPECT_GT(test, failures, 0);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		/* Trim 0: every try starts from a heap with no memory. */
		heap = wsheap_create(SZ_1M, 0, GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
		failures = 0;
		for (nth = 1; nth < WSHEAP_TEST_MAX_NTH; nth++) {
			struct wsheap_sizes before = sizes_of(heap);

			p = UNTOUCHED;
			fail_nth_allocation(nth);
			ret = wsheap_alloc(heap, sizes[i], &p);
			fired = fail_nth_fired();
			if (ret) {
				KUNIT_ASSERT_EQ(test, ret, -ENOMEM);
				KUNIT_ASSERT_PTR_EQ(test, p, UNTOUCHED);
				KUNIT_ASSERT_EQ(test, sizes_of(heap).requested_size,
						before.requested_size);
				failures++;
			} else {
				memset(p, 0x42, sizes[i]);
			}
			wsheap_reset(heap);
			if (!fired)
				break;
		}
		KUNIT_EXPECT_LT_MSG(test, nth, WSHEAP_TEST_MAX_NTH, "size %zu", sizes[i]);
		KUNIT_EXPECT_GT_MSG(test, failures, 0, "size %zu", sizes[i]);
		/* Usable after all that. */
		memset(must_alloc(test, heap, sizes[i]), 0x24, sizes[i]);
		wsheap_destroy(heap);
	}
	KUNIT_EXPECT_EQ(test, wsheap_stat_pages(), pages);
	KUNIT_EXPECT_EQ(test, wsheap_stat_heaps(), heaps);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

static void nonblocking_heap_works_in_atomic_context(struct kunit *test)
{
	struct wsheap *heap = test_heap_gfp(test, SZ_64K, SZ_16K, GFP_ATOMIC);
	static DEFINE_SPINLOCK(lock);
	unsigned long flags;
	int ret = 0, i;
	void *p;

	/* With DEBUG_ATOMIC_SLEEP, anything that may sleep here is reported. */
	spin_lock_irqsave(&lock, flags);
	for (i = 0; i < 100 && !ret; i++)
		ret = wsheap_alloc(heap, 300, &p);
	wsheap_reset(heap);
	if (!ret)
		ret = wsheap_alloc(heap, 300, &p);
	spin_unlock_irqrestore(&lock, flags);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)300);
}

static void nonblocking_heap_grows_by_small_chunks(struct kunit *test)
{
	struct wsheap *heap = test_heap_gfp(test, SZ_4M, 0, GFP_NOWAIT);
	size_t total;

	for (total = 0; total < SZ_1M; total += 1000)
		must_alloc(test, heap, 1000);
	/* Never more than 8 contiguous pages at a time: 32 KiB chunks at most. */
	KUNIT_EXPECT_GE(test, wsheap_chunk_count(heap), (unsigned int)(SZ_1M / SZ_32K));
	KUNIT_EXPECT_LE(test, sizes_of(heap).actual_size, (size_t)SZ_1M + SZ_64K);
}

struct misuse {
	struct wsheap *heap;
	struct completion done;
	unsigned int id;
	unsigned int failures;
	u32 **ptrs;
};

#define MISUSE_ALLOCS 4000

static int misuse_thread(void *data)
{
	struct misuse *m = data;
	unsigned int i;

	for (i = 0; i < MISUSE_ALLOCS; i++) {
		if (wsheap_alloc(m->heap, 40, (void **)&m->ptrs[i])) {
			m->failures++;
			break;
		}
		memset(m->ptrs[i], m->id, 40);
	}
	complete(&m->done);
	return 0;
}

/* Two threads on one heap break its contract; the heap must stay whole. */
static void concurrent_misuse_keeps_the_heap_consistent(struct kunit *test)
{
	struct wsheap *heap = test_heap(test, SZ_4M, 0);
	struct misuse *m = kunit_kcalloc(test, 2, sizeof(*m), GFP_KERNEL);
	struct task_struct *t;
	unsigned int i, k;

	KUNIT_ASSERT_NOT_NULL(test, m);
	for (k = 0; k < 2; k++) {
		m[k].heap = heap;
		m[k].id = 0xa0 + k;
		m[k].failures = 0;
		init_completion(&m[k].done);
		m[k].ptrs = kunit_kcalloc(test, MISUSE_ALLOCS, sizeof(u32 *), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, m[k].ptrs);
	}
	for (k = 0; k < 2; k++) {
		t = kthread_run(misuse_thread, &m[k], "wsheap_misuse%u", k);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (k = 0; k < 2; k++)
		wait_for_completion(&m[k].done);

	KUNIT_EXPECT_EQ(test, m[0].failures + m[1].failures, 0U);
	KUNIT_EXPECT_EQ(test, sizes_of(heap).requested_size, (size_t)2 * MISUSE_ALLOCS * 40);
	/* No allocation was handed out twice: each still holds its owner's bytes. */
	for (k = 0; k < 2; k++)
		for (i = 0; i < MISUSE_ALLOCS; i++)
			KUNIT_ASSERT_NULL(test, memchr_inv(m[k].ptrs[i], m[k].id, 40));
}

/* The memory cgroup of the task loading this module: see suite_init. */
static struct mem_cgroup *loader_memcg;

static struct mem_cgroup *memcg_of(const void *p)
{
	struct page *page = is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p);
	struct mem_cgroup *memcg;

	rcu_read_lock();
	memcg = folio_memcg(page_folio(page));
	rcu_read_unlock();
	return memcg;	/* compared, never dereferenced */
}

static void memory_is_charged_to_the_creator(struct kunit *test)
{
	struct mem_cgroup *mine = get_mem_cgroup_from_mm(NULL);
	struct mem_cgroup *old;
	struct wsheap *heap;
	void *small, *large;

	mem_cgroup_put(mine);
	/* tests/vm/guest-init loads the KUnit modules from a child cgroup. */
	KUNIT_ASSERT_PTR_NE_MSG(test, loader_memcg, mine, "loaded from the root memory cgroup");

	/* Created on behalf of the loader; allocated from this kthread. */
	old = set_active_memcg(loader_memcg);
	heap = wsheap_create(SZ_8M, 0, GFP_KERNEL);
	set_active_memcg(old);
	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));

	small = must_alloc(test, heap, 100);
	large = must_alloc(test, heap, SZ_2M);
	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(small));
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(large));
	KUNIT_EXPECT_PTR_EQ(test, memcg_of(small), loader_memcg);
	KUNIT_EXPECT_PTR_EQ(test, memcg_of(large), loader_memcg);
	KUNIT_EXPECT_PTR_EQ(test, memcg_of(large + SZ_1M), loader_memcg);
	wsheap_destroy(heap);
}

static int wsheap_heap_suite_init(struct kunit_suite *suite)
{
	/* Runs in insmod's context, unlike the cases, which run in kthreads. */
	loader_memcg = get_mem_cgroup_from_mm(current->mm);
	return 0;
}

static void wsheap_heap_suite_exit(struct kunit_suite *suite)
{
	mem_cgroup_put(loader_memcg);
}

static struct kunit_case wsheap_heap_test_cases[] = {
	KUNIT_CASE_PARAM(fresh_heap_reports_its_sizes, fresh_gen_params),
	KUNIT_CASE(create_refuses_foreign_gfp_bits),
	KUNIT_CASE(create_accepts_nonblocking_gfp),
	KUNIT_CASE(heap_count_follows_create_and_destroy),
	KUNIT_CASE(destroy_null_is_harmless),
	KUNIT_CASE_PARAM(requested_counts_the_raw_size, odd_gen_params),
	KUNIT_CASE(every_allocation_is_aligned),
	KUNIT_CASE(zero_byte_allocations_are_distinct),
	KUNIT_CASE(max_zero_refuses_one_byte),
	KUNIT_CASE(quota_failure_is_not_counted),
	KUNIT_CASE(exact_fit_succeeds_one_more_byte_fails),
	KUNIT_CASE(one_byte_over_the_max_fails),
	KUNIT_CASE(quota_restarts_after_reset),
	KUNIT_CASE_PARAM(sizes_near_size_max_never_wrap, overflow_gen_params),
	KUNIT_CASE(more_than_memory_is_enomem_and_leaks_nothing),
	KUNIT_CASE(first_allocation_takes_one_page),
	KUNIT_CASE(growth_is_capped_by_the_quota),
	KUNIT_CASE(growth_is_geometric),
	KUNIT_CASE_PARAM(large_allocation_is_contiguous, large_gen_params),
	KUNIT_CASE(many_small_allocations),
	KUNIT_CASE(contents_survive_until_reset),
	KUNIT_CASE(reset_of_an_empty_heap),
	KUNIT_CASE(many_resets_reuse_the_same_memory),
	KUNIT_CASE(memory_within_trim_is_kept),
	KUNIT_CASE_PARAM(reset_keeps_no_more_than_the_trim_size, trim_gen_params),
	KUNIT_CASE(pages_return_after_destroy),
	KUNIT_CASE(injected_failure_is_enomem_and_leaks_nothing),
	KUNIT_CASE(every_allocation_site_fails_cleanly),
	KUNIT_CASE(nonblocking_heap_works_in_atomic_context),
	KUNIT_CASE(nonblocking_heap_grows_by_small_chunks),
	KUNIT_CASE(concurrent_misuse_keeps_the_heap_consistent),
	KUNIT_CASE(memory_is_charged_to_the_creator),
	{}
};

static struct kunit_suite wsheap_heap_test_suite = {
	.name = "wsheap_heap",
	.suite_init = wsheap_heap_suite_init,
	.suite_exit = wsheap_heap_suite_exit,
	.test_cases = wsheap_heap_test_cases,
};

kunit_test_suite(wsheap_heap_test_suite);
