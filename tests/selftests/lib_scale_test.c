// SPDX-License-Identifier: GPL-2.0-only
/*
 * How many heaps a process can have, and what each costs.
 *
 * A WWSAPI server keeps a heap per message, channel and call: tens of
 * thousands live at once is ordinary.  Each variant makes heaps of max
 * size 64 KiB with one 100-byte allocation each, as many as its count,
 * and checks what the design promises (Documentation/design.rst):
 *
 *   - at most 4 mappings per 1,000 heaps (vm.max_map_count stops a
 *     process at 65,530);
 *   - at most 8 KiB of memory per heap, everything included;
 *   - every heap still holds what was written to it;
 *   - heaps of max size SIZE_MAX cost what they hold, by the thousand.
 *
 * process: 1,000,000 heaps, run natively (make -C tests/selftests
 * native-run); device: 100,000, run in a guest of 2 GiB under the
 * module's default limits (tests/selftests/run leaves out the process
 * variant there: the native run has it).  What a create/alloc/free cycle
 * costs with them all live is a benchmark (make bench), not a test.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wsheap.h>

#include "kselftest_harness.h"
#include "device.h"

FIXTURE(scale) {
	WS_HEAP **heaps;
	size_t made;
};

FIXTURE_VARIANT(scale) {
	const char *backend;
	size_t heaps;
};

FIXTURE_VARIANT_ADD(scale, device) {
	.backend = "device",
	.heaps = 100000,
};

FIXTURE_VARIANT_ADD(scale, process) {
	.backend = "process",
	.heaps = 1000000,
};

FIXTURE_SETUP(scale)
{
	self->heaps = NULL;
	self->made = 0;
	if (!strcmp(variant->backend, "device"))
		SKIP_IF_NO_DEVICE();
	ASSERT_EQ(0, setenv("WSHEAP_BACKEND", variant->backend, 1));
	self->heaps = calloc(variant->heaps, sizeof(*self->heaps));
	ASSERT_NE(NULL, self->heaps);
}

FIXTURE_TEARDOWN(scale)
{
	size_t i;

	for (i = 0; i < self->made; i++)
		WsFreeHeap(self->heaps[i]);
	free(self->heaps);
}

/* A "Key: N kB" line of a /proc file, in bytes; -1 if missing. */
static long long proc_kb(const char *path, const char *key)
{
	size_t len = strlen(key);
	long long v = -1;
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			v = atoll(line + len + 1) * 1024;
	fclose(f);
	return v;
}

static long mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/*
 * Memory that is the process's doing: on the process backend all of it is
 * the process's own (resident pages and page tables); on the device
 * backend the pages are the module's shmem and the kernel's bookkeeping
 * is slab, so the whole machine's MemAvailable is the measure (the guest
 * runs nothing else).
 */
static long long memory_used(const char *backend)
{
	if (!strcmp(backend, "process"))
		return proc_kb("/proc/self/status", "VmRSS") +
		       proc_kb("/proc/self/status", "VmPTE");
	return -proc_kb("/proc/meminfo", "MemAvailable");
}

TEST_F_TIMEOUT(scale, many_small_heaps, 1800)
{
	long long mem_before, mem_after, per_heap;
	long maps_before, maps_after;
	unsigned char *p;
	size_t i;

	maps_before = mappings();
	mem_before = memory_used(variant->backend);
	for (i = 0; i < variant->heaps; i++) {
		ASSERT_EQ(S_OK, WsCreateHeap(64 << 10, 0, NULL, 0, &self->heaps[i], NULL))
			TH_LOG("heap %zu", i);
		self->made++;
		ASSERT_EQ(S_OK, WsAlloc(self->heaps[i], 100, (void **)&p, NULL))
			TH_LOG("heap %zu", i);
		memset(p, (int)(i % 251), 100);
	}
	maps_after = mappings();
	mem_after = memory_used(variant->backend);
	per_heap = (mem_after - mem_before) / (long long)variant->heaps;
	TH_LOG("%zu %s heaps: %ld mappings more, %lld bytes each", variant->heaps,
	       variant->backend, maps_after - maps_before, per_heap);
	EXPECT_LE(maps_after - maps_before, (long)(4 * variant->heaps / 1000));
	EXPECT_LE(per_heap, 8192);
	/* Each heap's bytes are its own. */
	for (i = 0; i < variant->heaps; i++) {
		void *q;

		ASSERT_EQ(S_OK, WsAlloc(self->heaps[i], 8, &q, NULL));
		p = (unsigned char *)q - 104;
		ASSERT_EQ(i % 251, p[0]) TH_LOG("heap %zu", i);
		ASSERT_EQ(i % 251, p[99]) TH_LOG("heap %zu", i);
	}
}

/*
 * Heaps whose first allocation takes more than a page: their first chunk
 * must not leave a hole (a mapping) between neighbours either.
 */
TEST_F_TIMEOUT(scale, heaps_of_a_few_pages, 600)
{
	size_t n = variant->heaps / 10, i;
	long maps_before;
	void *p;

	maps_before = mappings();
	for (i = 0; i < n; i++) {
		ASSERT_EQ(S_OK, WsCreateHeap(64 << 10, 0, NULL, 0, &self->heaps[i], NULL))
			TH_LOG("heap %zu", i);
		self->made++;
		ASSERT_EQ(S_OK, WsAlloc(self->heaps[i], 10000 + (i % 3) * 3000, &p, NULL))
			TH_LOG("heap %zu", i);
		memset(p, 1, 10000);
	}
	EXPECT_LE(mappings() - maps_before, (long)(4 * n / 1000));
}

TEST_F_TIMEOUT(scale, thousands_of_unbounded_heaps, 600)
{
	const size_t n = 5000;
	long maps_before;
	void *p;
	size_t i;

	maps_before = mappings();
	for (i = 0; i < n && i < variant->heaps; i++) {
		ASSERT_EQ(S_OK, WsCreateHeap(SIZE_MAX, SIZE_MAX, NULL, 0, &self->heaps[i], NULL))
			TH_LOG("heap %zu", i);
		self->made++;
		ASSERT_EQ(S_OK, WsAlloc(self->heaps[i], 100, &p, NULL)) TH_LOG("heap %zu", i);
		memset(p, 1, 100);
	}
	/* A heap that may hold anything holds what it was given: a page. */
	EXPECT_LE(mappings() - maps_before, 4);
	ASSERT_EQ(S_OK, WsAlloc(self->heaps[0], 64 << 20, &p, NULL));
	memset(p, 2, 64 << 20);
}

TEST_HARNESS_MAIN
