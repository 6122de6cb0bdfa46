// SPDX-License-Identifier: GPL-2.0-only
/*
 * libwsheap's WS_HEAP functions against the WWSAPI reference, with each
 * backend: the module's /dev/wsheap (device) and the process's own memory
 * (process, WSHEAP_BACKEND=process).  The Windows-verified cases of Wine's
 * test_WsCreateHeap and test_WsAlloc come first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <wsheap.h>

#include "kselftest_harness.h"
#include "device.h"
#include "memcg.h"

#define UNTOUCHED ((void *)0xdeadbeef)

FIXTURE(lib) {
	WS_HEAP *heap;
	WS_ERROR *error;
};

FIXTURE_VARIANT(lib) {
	const char *backend;
};

FIXTURE_VARIANT_ADD(lib, device) {
	.backend = "device",
};

FIXTURE_VARIANT_ADD(lib, process) {
	.backend = "process",
};

FIXTURE_SETUP(lib)
{
	ASSERT_EQ(0, setenv("WSHEAP_BACKEND", variant->backend, 1));
	ASSERT_EQ(S_OK, WsCreateError(NULL, 0, &self->error));
	self->heap = NULL;
}

FIXTURE_TEARDOWN(lib)
{
	WsFreeHeap(self->heap);
	WsFreeError(self->error);
}

/*
 * The device variant of a test that needs the module skips without it; the
 * process variant never needs it, and runs anywhere (natively too, see
 * make -C tests/selftests native-run).  Per test, not in the setup: the
 * device variant's missing_device and unknown_backend_is_refused need no
 * module either, and run without it.
 */
#define SKIP_IF_NO_DEVICE_FOR_VARIANT() do {				\
	if (!strcmp(variant->backend, "device"))			\
		SKIP_IF_NO_DEVICE();					\
} while (0)

static SIZE_T prop(WS_HEAP *heap, WS_HEAP_PROPERTY_ID id)
{
	SIZE_T v = (SIZE_T)-1;

	if (WsGetHeapProperty(heap, id, &v, sizeof(v), NULL) != S_OK)
		return (SIZE_T)-2;
	return v;
}

/* The newest error string, in ASCII, or "" if there is none. */
static const char *last_error(WS_ERROR *error)
{
	static char text[600];
	WS_STRING s;
	ULONG i;

	text[0] = 0;
	if (WsGetErrorString(error, 0, &s) != S_OK)
		return text;
	for (i = 0; i < s.length && i < sizeof(text) - 1; i++)
		text[i] = (char)s.chars[i];
	text[i] = 0;
	return text;
}

static sigjmp_buf touch_jmp;

static void touch_handler(int sig)
{
	siglongjmp(touch_jmp, sig);
}

/* 0 if writing @addr works, else the signal it raised. */
static int touch(volatile char *addr)
{
	struct sigaction sa = { .sa_handler = touch_handler }, old_bus, old_segv;
	int sig;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(touch_jmp, 1);
	if (!sig)
		*addr = 1;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

/* test_WsCreateHeap. */
TEST_F(lib, create_as_windows)
{
	SIZE_T max = 65536, v = 0xdeadbeef;
	WS_HEAP_PROPERTY p = { WS_HEAP_PROPERTY_MAX_SIZE, &max, sizeof(max) };
	WS_HEAP *heap = UNTOUCHED;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	EXPECT_EQ(E_INVALIDARG, WsCreateHeap(0, 0, NULL, 0, NULL, NULL));
	ASSERT_EQ(S_OK, WsCreateHeap(0, 0, NULL, 0, &heap, NULL));
	ASSERT_NE(NULL, heap);
	WsFreeHeap(heap);
	EXPECT_EQ(E_INVALIDARG, WsCreateHeap(65536, 64, NULL, 0, NULL, NULL));
	ASSERT_EQ(S_OK, WsCreateHeap(65536, 0, NULL, 0, &heap, NULL));
	WsFreeHeap(heap);

	ASSERT_EQ(S_OK, WsCreateHeap(65536, 64, NULL, 0, &self->heap, NULL));
	EXPECT_EQ(65536, prop(self->heap, WS_HEAP_PROPERTY_MAX_SIZE));
	EXPECT_EQ(64, prop(self->heap, WS_HEAP_PROPERTY_TRIM_SIZE));
	EXPECT_EQ(0, prop(self->heap, WS_HEAP_PROPERTY_REQUESTED_SIZE));
	EXPECT_EQ(0, prop(self->heap, WS_HEAP_PROPERTY_ACTUAL_SIZE));
	EXPECT_EQ(E_INVALIDARG, WsGetHeapProperty(self->heap, WS_HEAP_PROPERTY_ACTUAL_SIZE + 1,
						  &v, sizeof(v), NULL));
	EXPECT_EQ(0xdeadbeef, v);

	heap = UNTOUCHED;
	EXPECT_EQ(E_INVALIDARG, WsCreateHeap(65536, 64, &p, 1, &heap, NULL));
	EXPECT_EQ(E_INVALIDARG, WsCreateHeap(65536, 64, NULL, 1, &heap, NULL));
	EXPECT_EQ(UNTOUCHED, heap);
}

/* test_WsAlloc. */
TEST_F(lib, alloc_as_windows)
{
	void *ptr = UNTOUCHED;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(S_OK, WsCreateHeap(256, 0, NULL, 0, &self->heap, NULL));
	EXPECT_EQ(E_INVALIDARG, WsAlloc(NULL, 16, &ptr, NULL));
	EXPECT_EQ(UNTOUCHED, ptr);
	EXPECT_EQ(WS_E_QUOTA_EXCEEDED, WsAlloc(self->heap, 512, &ptr, NULL));
	EXPECT_EQ(UNTOUCHED, ptr);
	EXPECT_EQ(S_OK, WsAlloc(self->heap, 16, &ptr, NULL));
	EXPECT_NE(NULL, ptr);
	EXPECT_NE(UNTOUCHED, ptr);
	/* The refused 512 is not counted; the 16 is, unrounded. */
	EXPECT_EQ(16, prop(self->heap, WS_HEAP_PROPERTY_REQUESTED_SIZE));
	/* Memory came from the system at the first allocation (Windows: 128). */
	EXPECT_GE(prop(self->heap, WS_HEAP_PROPERTY_ACTUAL_SIZE), 16);
}

TEST_F(lib, quota_exact_fit_and_one_over)
{
	void *ptr = UNTOUCHED;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(S_OK, WsCreateHeap(1000, 0, NULL, 0, &self->heap, self->error));
	EXPECT_EQ(S_OK, WsAlloc(self->heap, 999, &ptr, self->error));
	EXPECT_EQ(S_OK, WsAlloc(self->heap, 1, &ptr, self->error));
	ptr = UNTOUCHED;
	EXPECT_EQ(WS_E_QUOTA_EXCEEDED, WsAlloc(self->heap, 1, &ptr, self->error));
	EXPECT_EQ(UNTOUCHED, ptr);
	EXPECT_EQ(1000, prop(self->heap, WS_HEAP_PROPERTY_REQUESTED_SIZE));
	/* The string says which quota and how large, in words. */
	EXPECT_NE(NULL, strstr(last_error(self->error), "max size of 1000 bytes"))
		TH_LOG("error string: %s", last_error(self->error));
	/* Zero bytes still fit a full heap. */
	EXPECT_EQ(S_OK, WsAlloc(self->heap, 0, &ptr, self->error));
	EXPECT_EQ(S_OK, WsResetHeap(self->heap, self->error));
	EXPECT_EQ(S_OK, WsAlloc(self->heap, 1000, &ptr, self->error));
}

TEST_F(lib, sizes_near_size_max)
{
	void *ptr = UNTOUCHED;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(S_OK, WsCreateHeap(SIZE_MAX, 0, NULL, 0, &self->heap, NULL));
	EXPECT_EQ(E_OUTOFMEMORY, WsAlloc(self->heap, SIZE_MAX, &ptr, NULL));
	EXPECT_EQ(E_OUTOFMEMORY, WsAlloc(self->heap, SIZE_MAX - 7, &ptr, NULL));
	EXPECT_EQ(UNTOUCHED, ptr);
	EXPECT_EQ(0, prop(self->heap, WS_HEAP_PROPERTY_REQUESTED_SIZE));
	EXPECT_EQ(S_OK, WsAlloc(self->heap, 100, &ptr, NULL));
}

TEST_F(lib, zero_byte_allocations_distinct_and_aligned)
{
	void *seen[200];
	unsigned int i, j;
	char *p;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(S_OK, WsCreateHeap(0, 0, NULL, 0, &self->heap, NULL));
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(S_OK, WsAlloc(self->heap, 0, &seen[i], NULL));
		ASSERT_NE(NULL, seen[i]);
		EXPECT_EQ(0, (uintptr_t)seen[i] % 8);
		for (j = 0; j < i; j++)
			ASSERT_NE(seen[i], seen[j]);
	}
	EXPECT_EQ(0, prop(self->heap, WS_HEAP_PROPERTY_REQUESTED_SIZE));
	WsFreeHeap(self->heap);

	ASSERT_EQ(S_OK, WsCreateHeap(1 << 20, 0, NULL, 0, &self->heap, NULL));
	for (i = 1; i < 300; i += 2) {
		ASSERT_EQ(S_OK, WsAlloc(self->heap, i, (void **)&p, NULL));
		EXPECT_EQ(0, (uintptr_t)p % 8);
		memset(p, 0x42, i);
	}
}

TEST_F(lib, property_reads_need_the_exact_size)
{
	SIZE_T v = 7;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(S_OK, WsCreateHeap(4096, 0, NULL, 0, &self->heap, NULL));
	EXPECT_EQ(E_INVALIDARG, WsGetHeapProperty(self->heap, WS_HEAP_PROPERTY_MAX_SIZE, &v,
						  sizeof(v) - 1, NULL));
	EXPECT_EQ(E_INVALIDARG, WsGetHeapProperty(self->heap, WS_HEAP_PROPERTY_MAX_SIZE, &v,
						  sizeof(v) + 1, NULL));
	EXPECT_EQ(7, v);
	EXPECT_EQ(E_INVALIDARG, WsGetHeapProperty(self->heap, WS_HEAP_PROPERTY_MAX_SIZE, NULL,
						  sizeof(v), NULL));
	EXPECT_EQ(E_INVALIDARG, WsGetHeapProperty(NULL, WS_HEAP_PROPERTY_MAX_SIZE, &v,
						  sizeof(v), NULL));
	EXPECT_EQ(E_INVALIDARG, WsResetHeap(NULL, NULL));
	WsFreeHeap(NULL);
}

/* The claim behind the design, measured: no kernel entry per allocation. */
TEST_F(lib, no_kernel_entry_per_allocation_or_reset_within_trim)
{
	uint64_t after_first = 0;
	void *p;
	int msg, i;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(S_OK, WsCreateHeap(64 << 10, 64 << 10, NULL, 0, &self->heap, NULL));
	for (msg = 0; msg < 5000; msg++) {
		for (i = 0; i < 64; i++) {
			ASSERT_EQ(S_OK, WsAlloc(self->heap, 16 + (i * 37) % 497, &p, NULL));
			memset(p, i, 8);
		}
		ASSERT_EQ(S_OK, WsResetHeap(self->heap, NULL));
		if (msg == 0)
			after_first = wsheap_kernel_entries(self->heap);
	}
	EXPECT_EQ(after_first, wsheap_kernel_entries(self->heap));
	EXPECT_LE(after_first, 4);
}

TEST_F(lib, reset_above_trim_gives_memory_back)
{
	SIZE_T actual;
	char *first, *p;
	int i;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(S_OK, WsCreateHeap(8 << 20, 64 << 10, NULL, 0, &self->heap, NULL));
	ASSERT_EQ(S_OK, WsAlloc(self->heap, 100, (void **)&first, NULL));
	for (i = 0; i < 40; i++)
		ASSERT_EQ(S_OK, WsAlloc(self->heap, 100000, (void **)&p, NULL));
	memset(p, 1, 100000);
	EXPECT_GE(prop(self->heap, WS_HEAP_PROPERTY_ACTUAL_SIZE), 4000000);
	ASSERT_EQ(S_OK, WsResetHeap(self->heap, NULL));
	actual = prop(self->heap, WS_HEAP_PROPERTY_ACTUAL_SIZE);
	EXPECT_LE(actual, 64 << 10);
	EXPECT_EQ(0, prop(self->heap, WS_HEAP_PROPERTY_REQUESTED_SIZE));
	/* Within the trim size the memory stays; beyond it a stale pointer faults. */
	EXPECT_EQ(0, touch(first));
	EXPECT_NE(0, touch(p));
}

/*
 * ACTUAL_SIZE stays within a quarter (or 1 MiB) of what the heap handed
 * out, whatever the allocation size, while growth stays geometric: few
 * kernel entries for a large heap.
 */
TEST_F_TIMEOUT(lib, actual_size_stays_near_what_was_handed_out, 600)
{
	static const size_t sizes[] = { 8, 100, 3000, 4096, 65536, 100000, 1 << 20,
					1700000, 3 << 20 };
	size_t handed, actual, k;
	void *p;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t need = (sizes[k] + 7) & ~(size_t)7;
		WS_HEAP *heap;

		ASSERT_EQ(S_OK, WsCreateHeap(SIZE_MAX, 0, NULL, 0, &heap, NULL));
		for (handed = 0; handed < (16 << 20);) {
			ASSERT_EQ(S_OK, WsAlloc(heap, sizes[k], &p, NULL));
			handed += need;
			actual = prop(heap, WS_HEAP_PROPERTY_ACTUAL_SIZE);
			/* Memory comes in pages: a page of rounding on top. */
			ASSERT_LE(actual, handed + (handed / 4 > (1 << 20) ? handed / 4 : 1 << 20) +
					  (size_t)sysconf(_SC_PAGESIZE))
				TH_LOG("%zu-byte allocations: %zu handed out, ACTUAL_SIZE %zu",
				       sizes[k], handed, actual);
		}
		/* 16 MiB in few steps: logarithmic, not one per allocation. */
		EXPECT_LE(wsheap_kernel_entries(heap), 40)
			TH_LOG("%zu-byte allocations: %llu kernel entries", sizes[k],
			       (unsigned long long)wsheap_kernel_entries(heap));
		WsFreeHeap(heap);
	}
}

TEST_F(lib, large_allocation_is_contiguous)
{
	size_t size = 16 << 20, i;
	unsigned char *p;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(S_OK, WsCreateHeap(32 << 20, 0, NULL, 0, &self->heap, NULL));
	ASSERT_EQ(S_OK, WsAlloc(self->heap, size, (void **)&p, NULL));
	for (i = 0; i < size; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	for (i = 0; i < size; i += 4096)
		ASSERT_EQ((unsigned char)(i >> 12), p[i]);
}

/* Device: a clear HRESULT and what to do.  Process: no device needed. */
TEST_F(lib, missing_device)
{
	WS_HEAP *heap = UNTOUCHED;

	/* A private /dev; natively, as an ordinary user, in a user namespace. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS | (geteuid() ? CLONE_NEWUSER : 0)));
	ASSERT_EQ(0, mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("tmpfs", "/dev", "tmpfs", 0, NULL));
	if (!strcmp(variant->backend, "process")) {
		ASSERT_EQ(S_OK, WsCreateHeap(4096, 0, NULL, 0, &self->heap, self->error));
		return;
	}
	EXPECT_EQ(WSHEAP_E_NO_DEVICE, WsCreateHeap(4096, 0, NULL, 0, &heap, self->error));
	EXPECT_EQ(UNTOUCHED, heap);
	EXPECT_NE(NULL, strstr(last_error(self->error), "insmod wsheap.ko"))
		TH_LOG("error string: %s", last_error(self->error));
}

/*
 * A node no driver answers (the module unloaded under it) is
 * WSHEAP_E_NO_DEVICE; one the caller may not open (a udev rule giving it
 * to a group) is E_ACCESSDENIED.  Each error string says what to do.
 */
TEST(device_refusals_say_what_to_do)
{
	WS_HEAP *heap = UNTOUCHED;
	WS_ERROR *error;
	struct stat st;

	SKIP_IF_NO_DEVICE();
	ASSERT_EQ(0, setenv("WSHEAP_BACKEND", "device", 1));
	ASSERT_EQ(0, stat("/dev/wsheap", &st));
	ASSERT_EQ(S_OK, WsCreateError(NULL, 0, &error));
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755"));

	/* The misc minor no device ever gets: misc_open() answers ENODEV. */
	ASSERT_EQ(0, mknod("/dev/wsheap", S_IFCHR | 0666, makedev(major(st.st_rdev), 255)));
	EXPECT_EQ(WSHEAP_E_NO_DEVICE, WsCreateHeap(4096, 0, NULL, 0, &heap, error));
	EXPECT_EQ(UNTOUCHED, heap);
	EXPECT_NE(NULL, strstr(last_error(error), "no driver answers /dev/wsheap"))
		TH_LOG("error string: %s", last_error(error));

	/* The real device, root's alone, opened by nobody. */
	ASSERT_EQ(0, unlink("/dev/wsheap"));
	ASSERT_EQ(0, mknod("/dev/wsheap", S_IFCHR | 0600, st.st_rdev));
	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	EXPECT_EQ(E_ACCESSDENIED, WsCreateHeap(4096, 0, NULL, 0, &heap, error));
	EXPECT_EQ(UNTOUCHED, heap);
	EXPECT_NE(NULL, strstr(last_error(error), "no permission to open /dev/wsheap"))
		TH_LOG("error string: %s", last_error(error));
	WsFreeError(error);
}

/*
 * Refusals after the device opened are not about opening it: mmap()
 * refuses an executable window (a READ_IMPLIES_EXEC process asks for one)
 * with EPERM, which is E_OUTOFMEMORY and its errno, not E_ACCESSDENIED.
 */
TEST(device_mmap_refusal_is_not_access_denied)
{
	WS_HEAP *heap = UNTOUCHED;
	WS_ERROR *error;

	SKIP_IF_NO_DEVICE();
	ASSERT_EQ(0, setenv("WSHEAP_BACKEND", "device", 1));
	ASSERT_EQ(S_OK, WsCreateError(NULL, 0, &error));
	ASSERT_NE(-1, personality(READ_IMPLIES_EXEC));
	EXPECT_EQ(E_OUTOFMEMORY, WsCreateHeap(4096, 0, NULL, 0, &heap, error));
	EXPECT_EQ(UNTOUCHED, heap);
	EXPECT_NE(NULL, strstr(last_error(error), "could not reserve"))
		TH_LOG("error string: %s", last_error(error));
	EXPECT_NE(NULL, strstr(last_error(error), strerror(EPERM)))
		TH_LOG("error string: %s", last_error(error));
	/* The same process, asking for plain memory again, is served. */
	ASSERT_NE(-1, personality(PER_LINUX));
	EXPECT_EQ(S_OK, WsCreateHeap(4096, 0, NULL, 0, &heap, error));
	WsFreeHeap(heap);
	WsFreeError(error);
}

TEST_F(lib, refused_memory_is_e_outofmemory_not_quota)
{
	struct rlimit as = { 256 << 20, 256 << 20 };
	void *p = UNTOUCHED;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(0, setrlimit(RLIMIT_AS, &as));
	/* A heap reserves nothing for its max size: a 1 GiB one is fine... */
	ASSERT_EQ(S_OK, WsCreateHeap(1 << 30, 0, NULL, 0, &self->heap, self->error));
	EXPECT_EQ(S_OK, WsAlloc(self->heap, 1 << 20, &p, self->error));
	/* ...until it asks for more address space than the process may have. */
	p = UNTOUCHED;
	EXPECT_EQ(E_OUTOFMEMORY, WsAlloc(self->heap, 512 << 20, &p, self->error));
	EXPECT_EQ(UNTOUCHED, p);
	EXPECT_NE(NULL, strstr(last_error(self->error), "address space"))
		TH_LOG("error string: %s", last_error(self->error));
	EXPECT_EQ(1 << 20, prop(self->heap, WS_HEAP_PROPERTY_REQUESTED_SIZE));
	EXPECT_EQ(S_OK, WsAlloc(self->heap, 4096, &p, self->error));
}

/* The module refusing pages at a memcg limit is E_OUTOFMEMORY, not the quota. */
TEST(device_memcg_limit_is_e_outofmemory)
{
	SIZE_T requested = 1;
	WS_HEAP *heap;
	WS_ERROR *error;
	void *p = UNTOUCHED;

	SKIP_IF_NO_DEVICE();
	ASSERT_EQ(0, setenv("WSHEAP_BACKEND", "device", 1));
	ASSERT_EQ(0, enter_memcg("wsheap-lib-memcg", "8M"));

	ASSERT_EQ(S_OK, WsCreateError(NULL, 0, &error));
	ASSERT_EQ(S_OK, WsCreateHeap(64 << 20, 0, NULL, 0, &heap, error));
	EXPECT_EQ(E_OUTOFMEMORY, WsAlloc(heap, 32 << 20, &p, error));
	EXPECT_EQ(UNTOUCHED, p);
	EXPECT_EQ(S_OK, WsGetHeapProperty(heap, WS_HEAP_PROPERTY_REQUESTED_SIZE, &requested,
					  sizeof(requested), NULL));
	EXPECT_EQ(0, requested);
	EXPECT_NE(NULL, strstr(last_error(error), "refused"))
		TH_LOG("error string: %s", last_error(error));
	/* What fits under the limit still works. */
	EXPECT_EQ(S_OK, WsAlloc(heap, 1 << 20, &p, error));
	WsFreeHeap(heap);
	WsFreeError(error);
}

/*
 * A heap per message, the way much WWSAPI code works: freed heaps are kept
 * and handed out again, so a create+free pair enters the kernel only the
 * first time, and a reused heap reads as new.
 */
TEST_F(lib, create_free_pairs_enter_no_kernel)
{
	uint64_t before, after_first = 0;
	WS_HEAP *heap;
	void *p;
	int msg, i;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	before = wsheap_kernel_entries(NULL);
	for (msg = 0; msg < 2000; msg++) {
		ASSERT_EQ(S_OK, WsCreateHeap(64 << 10, 64 << 10, NULL, 0, &heap, NULL));
		ASSERT_EQ(0, prop(heap, WS_HEAP_PROPERTY_ACTUAL_SIZE));
		ASSERT_EQ(0, prop(heap, WS_HEAP_PROPERTY_REQUESTED_SIZE));
		if (msg)
			ASSERT_EQ(0, wsheap_kernel_entries(heap));
		for (i = 0; i < 64; i++) {
			ASSERT_EQ(S_OK, WsAlloc(heap, 16 + (i * 37) % 497, &p, NULL));
			memset(p, i, 8);
		}
		ASSERT_LT(0, prop(heap, WS_HEAP_PROPERTY_ACTUAL_SIZE));
		WsFreeHeap(heap);
		if (msg == 0)
			after_first = wsheap_kernel_entries(NULL);
	}
	/* The counter counts: the first message did enter the kernel. */
	EXPECT_LT(before, after_first);
	EXPECT_EQ(after_first, wsheap_kernel_entries(NULL));
}

/* A heap from the cache obeys the max and trim sizes it is created with. */
TEST_F(lib, reused_heap_takes_the_new_sizes)
{
	WS_HEAP *heap;
	uint64_t entries;
	void *p = UNTOUCHED;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(S_OK, WsCreateHeap(1 << 20, 1 << 20, NULL, 0, &heap, NULL));
	ASSERT_EQ(S_OK, WsAlloc(heap, 500000, &p, NULL));
	memset(p, 0x5a, 500000);
	WsFreeHeap(heap);

	entries = wsheap_kernel_entries(NULL);
	ASSERT_EQ(S_OK, WsCreateHeap(300 << 10, 0, NULL, 0, &self->heap, self->error));
	EXPECT_EQ(entries, wsheap_kernel_entries(NULL));	/* it came from the cache */
	EXPECT_EQ(300 << 10, prop(self->heap, WS_HEAP_PROPERTY_MAX_SIZE));
	EXPECT_EQ(0, prop(self->heap, WS_HEAP_PROPERTY_TRIM_SIZE));
	EXPECT_EQ(0, prop(self->heap, WS_HEAP_PROPERTY_REQUESTED_SIZE));
	EXPECT_EQ(0, prop(self->heap, WS_HEAP_PROPERTY_ACTUAL_SIZE));
	/* A refused request is not an allocation: still reads as new. */
	EXPECT_EQ(WS_E_QUOTA_EXCEEDED, WsAlloc(self->heap, (300 << 10) + 1, &p, NULL));
	EXPECT_EQ(0, prop(self->heap, WS_HEAP_PROPERTY_ACTUAL_SIZE));
	EXPECT_EQ(S_OK, WsAlloc(self->heap, (300 << 10) - 8, &p, self->error));
	p = UNTOUCHED;
	EXPECT_EQ(WS_E_QUOTA_EXCEEDED, WsAlloc(self->heap, 9, &p, self->error));
	EXPECT_EQ(UNTOUCHED, p);
	EXPECT_EQ(S_OK, WsAlloc(self->heap, 8, &p, self->error));
	/* Trim 0: a reset gives everything back but a small first chunk, a page. */
	EXPECT_EQ(S_OK, WsResetHeap(self->heap, self->error));
	EXPECT_EQ(sysconf(_SC_PAGESIZE), prop(self->heap, WS_HEAP_PROPERTY_ACTUAL_SIZE));
}

/* More heaps at once than the cache keeps: the rest are destroyed. */
TEST_F(lib, more_heaps_than_the_cache_holds)
{
	uint64_t per_round[3];
	WS_HEAP *heaps[100];
	char *p[100];
	int round, i;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	for (round = 0; round < 3; round++) {
		uint64_t start = wsheap_kernel_entries(NULL);

		for (i = 0; i < 100; i++) {
			ASSERT_EQ(S_OK, WsCreateHeap(4096, 4096, NULL, 0, &heaps[i], NULL));
			ASSERT_EQ(S_OK, WsAlloc(heaps[i], 100, (void **)&p[i], NULL));
			memset(p[i], i, 100);
		}
		for (i = 0; i < 100; i++) {
			ASSERT_EQ((char)i, p[i][0]);
			ASSERT_EQ((char)i, p[i][99]);
		}
		for (i = 0; i < 100; i++)
			WsFreeHeap(heaps[i]);
		per_round[round] = wsheap_kernel_entries(NULL) - start;
	}
	/* The same work each round once the cache is full, and some of it cached. */
	EXPECT_EQ(per_round[1], per_round[2]);
	EXPECT_LT(per_round[1], per_round[0]);
}

static void *create_free_loop(void *arg)
{
	uintptr_t seed = (uintptr_t)arg;
	WS_HEAP *heap;
	char *p[4];
	int n, i;

	for (n = 0; n < 3000; n++) {
		if (WsCreateHeap(4096 << (n % 3), 4096, NULL, 0, &heap, NULL) != S_OK)
			return "WsCreateHeap failed";
		for (i = 0; i < 4; i++) {
			if (WsAlloc(heap, 64, (void **)&p[i], NULL) != S_OK)
				return "WsAlloc failed";
			memset(p[i], (int)(seed + i), 64);
		}
		for (i = 0; i < 4; i++)
			if (p[i][0] != (char)(seed + i) || p[i][63] != (char)(seed + i))
				return "a heap was shared between threads";
		WsFreeHeap(heap);
	}
	return NULL;
}

TEST_F(lib, threads_create_and_free_at_once)
{
	pthread_t threads[4];
	void *result;
	uintptr_t i;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, create_free_loop, (void *)(i * 16)));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(threads[i], &result));
		EXPECT_EQ(NULL, result) TH_LOG("thread %u: %s", (unsigned int)i, (char *)result);
	}
}

/*
 * fork(): a device heap's memory stays with the parent (the module does not
 * copy its mappings), so in the child the heap refuses work with a reason
 * instead of faulting, and nothing the child does reaches the parent's
 * heaps.  Process heaps are copied with the rest of the memory.
 */
TEST_F(lib, fork_child_cannot_reach_parent_heap)
{
	bool device = !strcmp(variant->backend, "device");
	WS_HEAP *heap;
	char *p, *q;
	pid_t pid;
	int status, i;

	SKIP_IF_NO_DEVICE_FOR_VARIANT();
	ASSERT_EQ(S_OK, WsCreateHeap(1 << 20, 1 << 20, NULL, 0, &self->heap, NULL));
	ASSERT_EQ(S_OK, WsAlloc(self->heap, 4096, (void **)&p, NULL));
	memset(p, 0x77, 4096);
	/* And one heap in the cache. */
	ASSERT_EQ(S_OK, WsCreateHeap(1 << 20, 1 << 20, NULL, 0, &heap, NULL));
	ASSERT_EQ(S_OK, WsAlloc(heap, 4096, (void **)&q, NULL));
	WsFreeHeap(heap);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		HRESULT want = device ? WS_E_INVALID_OPERATION : S_OK;

		q = UNTOUCHED;
		if (WsAlloc(self->heap, 16, (void **)&q, self->error) != want)
			_exit(1);
		if (device && (q != UNTOUCHED || !strstr(last_error(self->error), "fork()")))
			_exit(2);
		if (WsResetHeap(self->heap, NULL) != want)
			_exit(3);
		if (!device && p[4095] != 0x77)
			_exit(4);
		WsFreeHeap(self->heap);
		/* The child's own heaps work, from the cache or not. */
		for (i = 0; i < 40; i++) {
			if (WsCreateHeap(1 << 20, 1 << 20, NULL, 0, &heap, NULL) != S_OK ||
			    WsAlloc(heap, 8192, (void **)&q, NULL) != S_OK)
				_exit(5);
			memset(q, 0x11, 8192);
			if (i % 2)
				WsFreeHeap(heap);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < 4096; i++)
		ASSERT_EQ(0x77, p[i]);
	EXPECT_EQ(S_OK, WsAlloc(self->heap, 16, (void **)&q, NULL));
	EXPECT_EQ(S_OK, WsResetHeap(self->heap, NULL));
	ASSERT_EQ(S_OK, WsCreateHeap(1 << 20, 1 << 20, NULL, 0, &heap, NULL));
	ASSERT_EQ(S_OK, WsAlloc(heap, 4096, (void **)&q, NULL));
	memset(q, 0x22, 4096);
	WsFreeHeap(heap);
}

TEST_F(lib, unknown_backend_is_refused)
{
	WS_HEAP *heap = UNTOUCHED;

	ASSERT_EQ(0, setenv("WSHEAP_BACKEND", "nonsense", 1));
	EXPECT_EQ(E_INVALIDARG, WsCreateHeap(4096, 0, NULL, 0, &heap, self->error));
	EXPECT_EQ(UNTOUCHED, heap);
	EXPECT_NE(NULL, strstr(last_error(self->error), "WSHEAP_BACKEND=nonsense"));
}

TEST_HARNESS_MAIN
