// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workloads' names, and the message sizes: RING_MSGS messages of
 * MSG_ALLOCS sizes, uniform in MSG_MIN_SIZE..MSG_MAX_SIZE, from a
 * fixed-seed xorshift64, computed before anything is timed and the same
 * for every contender and every run.
 */
#include <string.h>

#include "bench.h"

static const char *const workload_names[W_COUNT] = {
	[W_MSG] = "msg", [W_MSG8] = "msg8", [W_CREATE] = "create", [W_BULK] = "bulk",
};

const char *workload_name(enum workload w)
{
	return workload_names[w];
}

int workload_parse(const char *name)
{
	int w;

	for (w = 0; w < W_COUNT; w++)
		if (!strcmp(name, workload_names[w]))
			return w;
	return -1;
}

#define SIZES_SEED	0x9e3779b97f4a7c15ull

static uint16_t ring[RING_MSGS * MSG_ALLOCS];

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

const uint16_t *bench_sizes(void)
{
	uint64_t s = SIZES_SEED;
	size_t i;

	if (!ring[0]) {
		for (i = 0; i < sizeof(ring) / sizeof(ring[0]); i++)
			ring[i] = MSG_MIN_SIZE + xorshift64(&s) % (MSG_MAX_SIZE - MSG_MIN_SIZE + 1);
	}
	return ring;
}
